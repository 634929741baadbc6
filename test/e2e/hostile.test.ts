// The built CLI against hosts, files and flags that are broken or hostile: it must never hang, never lie, never
// leak a secret and never read outside --root. Each case is one that misled or hung an earlier version.
import {execFile, execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {access, chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MISBEHAVIOURS, startBadSshServer} from '../support/bad-ssh-server.js'
import {startSshd} from '../support/sshd.js'

const repo = fileURLToPath(new URL('../..', import.meta.url))
const cli = join(repo, 'bin/run.js')

interface Run {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

/** Runs the CLI; a run still alive after `killAfterMs` is killed and reported with code null (a hang). */
function vmdrift(args: string[], options: {env?: NodeJS.ProcessEnv; killAfterMs?: number} = {}): Promise<Run> {
  const started = Date.now()
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      {env: {...process.env, NO_COLOR: '1', SSH_AUTH_SOCK: '', ...options.env}, timeout: options.killAfterMs ?? 20_000, killSignal: 'SIGKILL'},
      (error, stdout, stderr) => {
        const killed = (error as {killed?: boolean} | null)?.killed
        resolve({code: killed ? null : error ? Number(error.code ?? 1) : 0, stdout, stderr, ms: Date.now() - started})
      },
    )
  })
}

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vmdrift-hostile-'))
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'id')])
  await writeFile(join(work, 'known_hosts'), '')
  // A valid baseline, so a check gets as far as the host.
  const captured = await vmdrift(['capture', 'local', '--root', join(repo, 'test/fixtures/helix-vm'), '--baseline', join(work, 'b.yaml')])
  expect(captured.code).toBe(0)
})
afterAll(async () => {
  if (work) await rm(work, {recursive: true, force: true})
})

describe('a misbehaving SSH server never hangs vmdrift', () => {
  // A long --timeout: an exit that waits for it is a hang. Only the servers that never speak may use it, and then
  // a short one is given.
  const waitsForTimeout = new Set(['silent', 'banner-then-silence'])
  for (const behaviour of MISBEHAVIOURS) {
    it(`${behaviour}: one line, exit 2, ${waitsForTimeout.has(behaviour) ? 'when --timeout ends' : 'at once'}`, async () => {
      const server = await startBadSshServer(behaviour)
      try {
        const timeout = waitsForTimeout.has(behaviour) ? 2 : 120
        for (const command of ['check', 'capture']) {
          const run = await vmdrift([
            command, `me@127.0.0.1:${server.port}`, '--identity', join(work, 'id'), '--known-hosts', join(work, 'known_hosts'),
            '--timeout', String(timeout),
            ...(command === 'check' ? ['--baseline', join(work, 'b.yaml'), '--allow-other-target'] : ['--baseline', join(work, 'never-written.yaml')]),
          ], {killAfterMs: 30_000})
          expect(run.code, `${command} hung: killed after 30 s`).toBe(2)
          expect(run.stderr.trimEnd().split('\n')).toHaveLength(1)
          expect(run.stderr).toMatch(/^vmdrift: me@127\.0\.0\.1:\d+: /)
          // Generous bounds for a loaded 2-core machine, still far below the 120 s timeout a hang would wait for.
          expect(run.ms).toBeLessThan(waitsForTimeout.has(behaviour) ? timeout * 1000 + 10_000 : 20_000)
        }
        expect(server.connections()).toBe(2)
      } finally {
        await server.stop()
      }
    })
  }

  it('a check that fails before it needs the host does not wait on the handshake', async () => {
    const server = await startBadSshServer('malformed-packet')
    try {
      const run = await vmdrift([
        'check', `me@127.0.0.1:${server.port}`, '--identity', join(work, 'id'), '--known-hosts', join(work, 'known_hosts'),
        '--timeout', '120', '--baseline', join(work, 'missing.yaml'),
      ], {killAfterMs: 30_000})
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(/cannot read baseline .*missing\.yaml: ENOENT/)
      expect(run.ms).toBeLessThan(20_000)
    } finally {
      await server.stop()
    }
  })

  it('bounds --timeout with a clear message', async () => {
    const run = await vmdrift(['check', 'local', '--timeout', '2200000', '--baseline', join(work, 'b.yaml')])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^vmdrift: .*less than or equal to 86400/)
    expect(run.stderr).not.toMatch(/TimeoutOverflowWarning/)
  })
})

/** A fresh copy of the helix-vm fixture root under `work`, readable by any user. */
async function fixtureRoot(name: string): Promise<string> {
  const root = join(work, name)
  await cp(join(repo, 'test/fixtures/helix-vm'), root, {recursive: true, verbatimSymlinks: true})
  return root
}

/** The CLI as an unprivileged user (nobody), as a check without --sudo runs on a host. */
function asNobody(args: string[]): Promise<Run> {
  const started = Date.now()
  return new Promise((resolve) => {
    execFile('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, ...args], {env: {...process.env, NO_COLOR: '1', HOME: '/nonexistent'}}, (error, stdout, stderr) =>
      resolve({code: error ? Number(error.code ?? 1) : 0, stdout, stderr, ms: Date.now() - started}),
    )
  })
}

describe('never lies about what it could not read', () => {
  it('a check that cannot read a directory or a file says "not checked", exit 2, never "removed"', async () => {
    const root = await fixtureRoot('unreadable')
    await chmod(work, 0o755)
    const baseline = join(work, 'unreadable.yaml')
    expect((await vmdrift(['capture', 'local', '--root', root, '--baseline', baseline])).code).toBe(0)
    await chmod(baseline, 0o644)
    await chmod(join(root, 'etc/systemd/system/multi-user.target.wants'), 0o700)
    await chmod(join(root, 'etc/docker/daemon.json'), 0o600)
    for (const json of [false, true]) {
      const run = await asNobody(['check', 'local', '--root', root, '--baseline', baseline, ...(json ? ['--json'] : [])])
      expect(run.code, run.stderr).toBe(2)
      if (json) {
        const result = JSON.parse(run.stdout)
        expect(result.findings).toEqual([])
        expect(result.unreadable.sort()).toEqual(['/etc/docker/daemon.json', '/etc/systemd/system/multi-user.target.wants'])
      } else {
        expect(run.stdout).not.toMatch(/removed|modified|in sync/)
        expect(run.stdout).toContain('not checked: /etc/systemd/system/multi-user.target.wants: not readable; use --sudo')
        expect(run.stdout).toContain('not checked: /etc/docker/daemon.json: not readable; use --sudo')
      }
    }
  })

  it('a capture that cannot read everything writes no baseline, unless --allow-unreadable', async () => {
    const root = await fixtureRoot('unreadable-capture')
    await chmod(join(root, 'etc/systemd/system/multi-user.target.wants'), 0o700)
    const baseline = join(work, 'holes/unreadable.yaml')
    await mkdir(join(work, 'holes'), {mode: 0o777})
    await chmod(join(work, 'holes'), 0o777)
    const refused = await asNobody(['capture', 'local', '--root', root, '--baseline', baseline])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/^vmdrift: local: could not read \/etc\/systemd\/system\/multi-user\.target\.wants; no baseline written \(run with --sudo, or pass --allow-unreadable/)
    await expect(access(baseline)).rejects.toThrow(/ENOENT/)
    const allowed = await asNobody(['capture', 'local', '--root', root, '--baseline', baseline, '--allow-unreadable'])
    expect(allowed.code, allowed.stderr).toBe(0)
    expect(allowed.stdout).toContain('unreadable: /etc/systemd/system/multi-user.target.wants')
  })

  it('refuses a --root that holds none of the paths read', async () => {
    await mkdir(join(work, 'empty-root'))
    const run = await vmdrift(['capture', 'local', '--root', join(work, 'empty-root'), '--baseline', join(work, 'empty.yaml')])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/holds none of \/etc\/systemd\/system .*: not the root of a host/)
    await expect(access(join(work, 'empty.yaml'))).rejects.toThrow(/ENOENT/)
  })

  it('refuses a baseline captured from another target unless --allow-other-target', async () => {
    const other = join(work, 'other.yaml')
    await writeFile(other, (await readFile(join(work, 'b.yaml'), 'utf8')).replace('target: local', 'target: helix-vm'))
    const root = join(repo, 'test/fixtures/helix-vm')
    const refused = await vmdrift(['check', 'local', '--root', root, '--baseline', other])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/other\.yaml was captured from "helix-vm", not "local" \(.*--allow-other-target/)
    expect((await vmdrift(['check', 'local', '--root', root, '--baseline', other, '--allow-other-target'])).code).toBe(0)
  })

  it('reports a directory where a file should be (daemon.json, /etc/default/grub, a unit)', async () => {
    const root = await fixtureRoot('not-a-file')
    const baseline = join(work, 'not-a-file.yaml')
    expect((await vmdrift(['capture', 'local', '--root', root, '--baseline', baseline])).code).toBe(0)
    for (const path of ['etc/docker/daemon.json', 'etc/default/grub', 'etc/systemd/system/helix-drm-manager.service']) {
      await rm(join(root, path))
      await mkdir(join(root, path))
    }
    const run = await vmdrift(['check', 'local', '--root', root, '--baseline', baseline, '--json'])
    expect(run.code).toBe(1)
    const findings = JSON.parse(run.stdout).findings as {key: string; class: string; summary: string}[]
    const byKey = Object.fromEntries(findings.map((f) => [f.key, f]))
    for (const key of ['/etc/docker/daemon.json', '/etc/default/grub', '/etc/systemd/system/helix-drm-manager.service']) {
      expect(byKey[key]?.class, key).toBe('modified')
      expect(byKey[key]?.summary, key).toMatch(/type: .* → not-a-file/)
    }
  })
})

describe('--root confines every read', () => {
  it('never reads the machine through links or --watch, and refuses .. in --watch', async () => {
    const root = await fixtureRoot('confined')
    const outside = join(work, 'outside')
    await mkdir(join(outside, 'bin'), {recursive: true})
    await writeFile(join(outside, 'bin/tool'), 'HOST-SENTINEL\n')
    await writeFile(join(outside, 'evil.service'), '[Unit]\nDescription=HOST-SENTINEL\n')
    // usr/local/bin an absolute link out of the root; an enablement dir that leads out; a vendor dir that does.
    await rm(join(root, 'usr/local/bin'), {recursive: true, force: true})
    await symlink(join(outside, 'bin'), join(root, 'usr/local/bin'))
    await symlink(outside, join(root, 'etc/systemd/system/evil.target.wants'))
    const baseline = join(work, 'confined.yaml')
    const captured = await vmdrift(['capture', 'local', '--root', root, '--baseline', baseline, '--watch', `${outside}/*`, '--json'])
    expect(captured.code, captured.stderr).toBe(0)
    const text = await readFile(baseline, 'utf8')
    const sentinelHash = createHash('sha256').update('HOST-SENTINEL\n').digest('hex')
    for (const out of [text, captured.stdout, captured.stderr]) {
      expect(out).not.toContain('HOST-SENTINEL')
      expect(out).not.toContain(sentinelHash)
    }
    const climb = await vmdrift(['capture', 'local', '--root', root, '--baseline', baseline, '--watch', '/../../../etc/shadow'])
    expect(climb.code).toBe(2)
    expect(climb.stderr).toBe("vmdrift: --watch /../../../etc/shadow: '..' is not allowed (it could leave --root)\n")
  })
})

describe('local --sudo fails in one line, exit 2', () => {
  async function pathWith(tools: Record<string, string>): Promise<string> {
    const bin = await mkdtemp(join(work, 'bin-'))
    for (const [name, body] of Object.entries(tools)) await writeFile(join(bin, name), body, {mode: 0o755})
    await symlink('/bin/sh', join(bin, 'sh'))
    return bin
  }

  it('when sudo wants a password (it exits before reading the script: no EPIPE crash, never exit 1)', async () => {
    // What `sudo -n` does without a cached credential: one line on stderr, exit 1, stdin never read.
    const bin = await pathWith({sudo: '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n'})
    // Many runs and a long script (--watch globs) make the race that gave EPIPE certain to come up.
    const watch = Array.from({length: 400}, (_, i) => ['--watch', `/opt/app-${i}/bin/*`]).flat()
    const root = join(repo, 'test/fixtures/helix-vm')
    for (let i = 0; i < 6; i++) {
      const json = i % 2 === 1
      const run = await vmdrift(['capture', 'local', '--sudo', '--root', root, '--baseline', join(work, 'sudo.yaml'), ...watch, ...(json ? ['--json'] : [])], {env: {PATH: bin}})
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).not.toMatch(/EPIPE|internal error|    at /)
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(run.stderr).toMatch(/sudo: a password is required \(--sudo needs passwordless sudo/)
      if (json) expect(JSON.parse(run.stdout).error.kind).toBe('TargetError')
    }
  })

  it('when sudo is not installed', async () => {
    const bin = await pathWith({})
    const run = await vmdrift(['check', 'local', '--sudo', '--baseline', join(work, 'b.yaml')], {env: {PATH: bin}})
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('vmdrift: local: sudo is not installed on this machine (install sudo, or run without --sudo)\n')
  })
})

describe('secrets stay out of the baseline and every report', () => {
  let sshd: Awaited<ReturnType<typeof startSshd>>
  beforeAll(async () => {
    sshd = await startSshd()
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  it('stores and shows Environment= values, secret-named files and --redact files only as hashes, and still reports their change', async () => {
    const root = await fixtureRoot('secrets')
    const plant = async (generation: string) => {
      await writeFile(
        join(root, 'etc/systemd/system/helix-api.service'),
        `[Unit]\nDescription=API\n[Service]\nEnvironment=API_TOKEN=VMDRIFT-SECRET-ENV-${generation} LOG=debug\nEnvironment="DB_URL=postgres://app:VMDRIFT-SECRET-DB-${generation}@db/app"\nSetCredential=mail.pass:VMDRIFT-SECRET-CRED-${generation}\nExecStart=/usr/local/bin/helix-api\n`,
      )
      await writeFile(join(root, 'etc/systemd/system/db-password.conf'), `VMDRIFT-SECRET-FILE-${generation}\n`)
      await writeFile(join(root, 'etc/docker/daemon.json'), `{"registry-token": "VMDRIFT-SECRET-JSON-${generation}"}\n`)
    }
    await plant('1')
    const baseline = join(work, 'secrets.yaml')
    const flags = ['--ssh-config', sshd.sshConfigFile, '--root', root, '--baseline', baseline]
    const captured = await vmdrift(['capture', sshd.alias, ...flags, '--redact', '/etc/docker/daemon.json'])
    expect(captured.code, captured.stderr).toBe(0)
    const stored = await readFile(baseline, 'utf8')
    expect(stored).toContain('/etc/systemd/system/helix-api.service')
    expect(stored).toMatch(/redact:\n\s+- \/etc\/docker\/daemon\.json/)

    await plant('2')
    const text = await vmdrift(['check', sshd.alias, ...flags])
    const json = await vmdrift(['check', sshd.alias, ...flags, '--json'])
    const diff = await vmdrift(['capture', sshd.alias, ...flags.slice(0, -1), join(work, 'secrets-2.yaml'), '--redact', '/etc/docker/daemon.json'])
    const offline = await vmdrift(['diff', baseline, join(work, 'secrets-2.yaml')])
    for (const [name, out] of Object.entries({
      stored,
      stdout: text.stdout + json.stdout + captured.stdout + diff.stdout + offline.stdout,
      stderr: text.stderr + json.stderr + captured.stderr + diff.stderr + offline.stderr,
      second: await readFile(join(work, 'secrets-2.yaml'), 'utf8'),
    })) {
      expect(out, name).not.toContain('VMDRIFT-SECRET')
    }
    expect(text.code).toBe(1)
    expect(text.stdout).toContain('[Service] Environment API_TOKEN: value changed')
    expect(text.stdout).toContain('[Service] Environment DB_URL: value changed')
    expect(text.stdout).not.toContain('Environment LOG')
    const findings = JSON.parse(json.stdout).findings as {key: string; changes: {field: string}[]}[]
    expect(findings.map((f) => f.key).sort()).toEqual(['/etc/docker/daemon.json', '/etc/systemd/system/db-password.conf', '/etc/systemd/system/helix-api.service'])
    expect(findings.find((f) => f.key === '/etc/docker/daemon.json')!.changes.map((c) => c.field)).toEqual(['sha256'])
  })

  it('stores and shows the files named by EnvironmentFile= only as hashes, reports their change, and never reads outside --root', async () => {
    const root = await fixtureRoot('secrets-envfile')
    const outside = join(work, 'outside-the-root.env')
    await writeFile(outside, 'VMDRIFT-SECRET-OUTSIDE\n')
    await mkdir(join(root, 'etc/default'), {recursive: true})
    await mkdir(join(root, 'etc/systemd/system/helix-api.service.d'), {recursive: true})
    await writeFile(
      join(root, 'etc/systemd/system/helix-api.service'),
      '[Service]\nEnvironmentFile=/etc/default/helix\nEnvironmentFile=-/etc/default/helix-extra\nEnvironmentFile=/../../etc/shadow\nExecStart=/usr/local/bin/helix-api\n',
    )
    await writeFile(join(root, 'etc/systemd/system/helix-api.service.d/env.conf'), `[Service]\nEnvironmentFile=-/etc/default/linked\nEnvironmentFile=-${outside}\nEnvironmentFile=/etc/systemd/system/helix-api.vars\n`)
    // One the unit directory holds, which the unit probes read as text anyway.
    await writeFile(join(root, 'etc/systemd/system/helix-api.vars'), 'VARS=VMDRIFT-SECRET-IN-UNIT-DIR\n')
    // An absolute link that would read this machine's file if it were followed outside the root.
    await symlink(outside, join(root, 'etc/default/linked'))
    await writeFile(join(root, 'etc/default/helix'), 'API_TOKEN=VMDRIFT-SECRET-ENVFILE-1\n')
    const baseline = join(work, 'secrets-envfile.yaml')
    const flags = ['--ssh-config', sshd.sshConfigFile, '--root', root, '--baseline', baseline]
    // Asked to keep the bytes of /etc/default/*: an environment file's are kept nowhere all the same.
    const captured = await vmdrift(['capture', sshd.alias, ...flags, '--keep-content', '/etc/default/*'])
    expect(captured.code, captured.stderr).toBe(0)
    const stored = await readFile(baseline, 'utf8')
    expect(stored).toMatch(/\/etc\/systemd\/system\/helix-api\.vars:\n(\s+\w+: .*\n)*?\s+redacted: true/)
    const blobs = join(work, 'secrets-envfile.blobs')
    const kept = await readdir(blobs)
    // /etc/default/grub's bytes are kept: the blobs are there to be searched.
    expect(kept.length).toBeGreaterThan(0)
    const hash = (text: string) => createHash('sha256').update(text).digest('hex')
    expect(stored).toContain(hash('API_TOKEN=VMDRIFT-SECRET-ENVFILE-1\n'))
    // Named but not there: "absent", inside the root (the machine's /etc/shadow and the linked file outside are never read).
    expect(stored).toMatch(/\/\.\.\/\.\.\/etc\/shadow:\n\s+type: environment-file\n\s+absent: true/)
    expect(stored).toMatch(/\/etc\/default\/linked:\n\s+type: environment-file\n\s+absent: true/)
    expect(stored).not.toContain(hash('VMDRIFT-SECRET-OUTSIDE\n'))

    await writeFile(join(root, 'etc/default/helix'), 'API_TOKEN=VMDRIFT-SECRET-ENVFILE-2\n')
    await writeFile(join(root, 'etc/default/helix-extra'), 'EXTRA=VMDRIFT-SECRET-ENVFILE-EXTRA\n')
    const junit = join(work, 'secrets-envfile.xml')
    const text = await vmdrift(['check', sshd.alias, ...flags])
    const json = await vmdrift(['check', sshd.alias, ...flags, '--json', '--junit', junit])
    const plan = await vmdrift(['restore', sshd.alias, ...flags, '--dry-run'])
    for (const [name, out] of Object.entries({
      stored,
      stdout: text.stdout + json.stdout + captured.stdout + plan.stdout,
      stderr: text.stderr + json.stderr + captured.stderr + plan.stderr,
      junit: await readFile(junit, 'utf8'),
      blobs: (await Promise.all(kept.map((name) => readFile(join(blobs, name), 'utf8')))).join(''),
    })) {
      expect(out, name).not.toContain('VMDRIFT-SECRET')
    }
    expect(text.code).toBe(1)
    expect(text.stdout).toContain('EnvironmentFile /etc/default/helix: value changed')
    expect(text.stdout).toContain('EnvironmentFile /etc/default/helix-extra: value set')
    const findings = JSON.parse(json.stdout).findings as {collector: string; key: string; class: string}[]
    // The systemd items, and the same files as the --keep-content globs watch them (hashed only, kept nowhere).
    expect(findings.map((f) => `${f.collector} ${f.class} ${f.key}`).sort()).toEqual([
      'files added /etc/default/helix-extra',
      'files modified /etc/default/helix',
      'systemd modified /etc/default/helix',
      'systemd modified /etc/default/helix-extra',
    ])
    // Restore has nothing to write back: it says so, and touches neither file.
    expect(plan.stdout).toMatch(/\/etc\/default\/helix\b.*EnvironmentFile= is stored as its sha256 only/)
    expect(await readFile(join(root, 'etc/default/helix'), 'utf8')).toBe('API_TOKEN=VMDRIFT-SECRET-ENVFILE-2\n')

    // Checked by a user who may not read it: unknown, exit 2, never "value removed".
    await chmod(work, 0o755)
    await chmod(baseline, 0o644)
    await chmod(join(root, 'etc/default/helix'), 0o600)
    const unreadable = await asNobody(['check', 'local', '--root', root, '--baseline', baseline, '--allow-other-target'])
    expect(unreadable.code).toBe(2)
    expect(unreadable.stdout).toContain('not checked: /etc/default/helix: not readable; use --sudo')
    expect(unreadable.stdout).not.toContain('value removed')
  })

  it("applies vmdrift.yaml's redact: rules like --redact, and stores them in the baseline", async () => {
    const root = await fixtureRoot('secrets-config')
    await writeFile(join(root, 'etc/docker/daemon.json'), '{"registry-token": "VMDRIFT-SECRET-CONFIG-1"}\n')
    const config = join(work, 'vmdrift.yaml')
    await writeFile(config, 'redact:\n  - /etc/docker/daemon.json\n')
    const baseline = join(work, 'secrets-config.yaml')
    const run = await vmdrift(['capture', 'local', '--config', config, '--root', root, '--baseline', baseline])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toBe('')
    const stored = await readFile(baseline, 'utf8')
    expect(stored).not.toContain('VMDRIFT-SECRET')
    expect(stored).toMatch(/redact:\n\s+- \/etc\/docker\/daemon\.json/)
  })
})

describe('terminal output is data', () => {
  it('a file name with a newline cannot forge an "in sync" line, nor content drive the terminal', async () => {
    const root = await fixtureRoot('forge')
    const baseline = join(work, 'forge.yaml')
    expect((await vmdrift(['capture', 'local', '--root', root, '--baseline', baseline])).code).toBe(0)
    await writeFile(join(root, 'etc/systemd/system/x.conf\nin sync: local against everything (31 items)'), 'a\u001B[2J\u001B]0;owned\u0007\n')
    const run = await vmdrift(['check', 'local', '--root', root, '--baseline', baseline])
    expect(run.code).toBe(1)
    expect(run.stdout.split('\n').filter((line) => line.startsWith('in sync'))).toEqual([])
    expect(run.stdout).not.toContain('\u001B')
    expect(run.stdout).toContain('x.conf\\nin sync: local against everything')
  })
})
