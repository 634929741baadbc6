// The built CLI against a real OpenSSH sshd on 127.0.0.1, serving a copy of the helix-vm fixture root (--root).
import {execFileSync, spawn} from 'node:child_process'
import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Ajv} from 'ajv'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {repo, vmdrift as run} from '../support/cli.js'
import {startSshd} from '../support/sshd.js'

function vmdrift(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(args, {env})
}

describe('vmdrift over a real sshd', () => {
  let sshd: Awaited<ReturnType<typeof startSshd>>
  let work: string
  let root: string
  let baseline: string
  let flags: string[]

  beforeAll(async () => {
    sshd = await startSshd()
    work = await mkdtemp(join(tmpdir(), 'vmdrift-e2e-'))
    root = join(work, 'root')
    await cp(join(repo, 'test/fixtures/helix-vm'), root, {recursive: true, verbatimSymlinks: true})
    baseline = join(work, 'baselines/helix-vm.yaml')
    flags = ['--ssh-config', sshd.sshConfigFile, '--root', root, '--baseline', baseline]
  })

  afterAll(async () => {
    await sshd?.stop()
    if (work) await rm(work, {recursive: true, force: true})
  })

  it('captures a baseline and finds the host in sync with it, one exec each', async () => {
    const before = sshd.mark()
    const captured = await vmdrift(['capture', sshd.alias, ...flags])
    expect(captured.stderr).toBe('')
    expect(captured.code).toBe(0)
    expect(captured.stdout).toMatch(/^captured \d+ items of vmdrift-test \(systemd \d+, kernel-cmdline \d+, files 1, docker 1\)/)
    expect(sshd.countExecRequests({since: before})).toBe(1)
    expect(sshd.countSessionChannels({since: before})).toBe(1)
    // started before oclif loaded (src/early.ts), and taken up by the command: one connection, not two
    expect(sshd.countConnections({since: before})).toBe(1)
    // our identification line, sent before ssh2 loaded, and ssh2's own copy of it held back: the host read one
    expect(sshd.readLog().slice(before).match(/remote software version \S+/g)).toEqual(['remote software version vmdrift'])

    const mid = sshd.mark()
    const checked = await vmdrift(['check', sshd.alias, ...flags])
    expect(checked.stdout).toMatch(/^in sync: vmdrift-test against .*helix-vm\.yaml \(\d+ items\)/)
    expect(checked.code).toBe(0)
    expect(sshd.countExecRequests({since: mid})).toBe(1)
    expect(sshd.countConnections({since: mid})).toBe(1)
  })

  it('writes byte-identical baselines for an unchanged host', async () => {
    const first = await readFile(baseline, 'utf8')
    expect((await vmdrift(['capture', sshd.alias, ...flags])).code).toBe(0)
    expect(await readFile(baseline, 'utf8')).toBe(first)
    expect(first).toContain('After=systemd-udev-settle.service')
  })

  it('says what changed, where and when, exits 1, and the same as JSON', async () => {
    const unit = join(root, 'etc/systemd/system/helix-drm-manager.service')
    const text = await readFile(unit, 'utf8')
    await writeFile(unit, text.replace('After=systemd-udev-settle.service', 'After=multi-user.target'))

    const checked = await vmdrift(['check', sshd.alias, ...flags])
    expect(checked.code).toBe(1)
    expect(checked.stdout).toContain('drift: vmdrift-test against')
    expect(checked.stdout).toMatch(/modified +\/etc\/systemd\/system\/helix-drm-manager\.service +\(written \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)/)
    expect(checked.stdout).toContain('[Unit] After: systemd-udev-settle.service → multi-user.target')
    expect(checked.stdout).toContain('-After=systemd-udev-settle.service\n')
    expect(checked.stdout).toContain('+After=multi-user.target\n')

    const json = await vmdrift(['check', sshd.alias, ...flags, '--json'])
    expect(json.code).toBe(1)
    const result = JSON.parse(json.stdout)
    const schema = JSON.parse(await readFile(join(repo, 'schemas/check-result.schema.json'), 'utf8'))
    const validate = new Ajv({allowUnionTypes: true, strict: false}).compile(schema)
    expect(validate(result), JSON.stringify(validate.errors)).toBe(true)
    expect(result.inSync).toBe(false)
    expect(result.findings).toHaveLength(1)
    expect(result.findings[0]).toMatchObject({
      collector: 'systemd',
      key: '/etc/systemd/system/helix-drm-manager.service',
      class: 'modified',
      changes: [{field: '[Unit] After', from: 'systemd-udev-settle.service', to: 'multi-user.target'}],
    })
    expect(result.findings[0].written).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

    expect((await vmdrift(['capture', sshd.alias, ...flags])).code).toBe(0)
    expect((await vmdrift(['check', sshd.alias, ...flags])).code).toBe(0)
  })

  it('logs in with a key held by ssh-agent, checks a hashed known_hosts, and colours only when asked', async () => {
    const socket = join(work, 'agent.sock')
    const agent = spawn('ssh-agent', ['-D', '-a', socket], {stdio: 'ignore'})
    try {
      for (let i = 0; i < 50 && !(await readFile(socket).then(() => true, (e) => e.code !== 'ENOENT')); i++) await new Promise((r) => setTimeout(r, 100))
      execFileSync('ssh-add', [sshd.identityFile], {env: {...process.env, SSH_AUTH_SOCK: socket}, stdio: 'ignore'})
      const hashed = join(work, 'hashed_known_hosts')
      await cp(sshd.knownHostsFile, hashed)
      execFileSync('ssh-keygen', ['-H', '-f', hashed], {stdio: 'ignore'})
      expect(await readFile(hashed, 'utf8')).toMatch(/^\|1\|/)
      // Captured under the alias, checked under user@host:port: the same host by another name.
      const args = ['check', sshd.target, '--known-hosts', hashed, '--root', root, '--baseline', baseline, '--allow-other-target']
      const run = await vmdrift(args, {SSH_AUTH_SOCK: socket, HOME: work})
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
      expect(run.stdout).not.toContain('\u001B[')
      const coloured = await vmdrift(args, {SSH_AUTH_SOCK: socket, HOME: work, NO_COLOR: '', FORCE_COLOR: '1'})
      expect(coloured.stdout).toContain('\u001B[32min sync\u001B[39m')
    } finally {
      agent.kill()
    }
  })

  it('refuses an unknown host key with a one-line way to accept it, exit 2', async () => {
    const empty = join(work, 'empty_known_hosts')
    await writeFile(empty, '')
    const run = await vmdrift(['check', sshd.target, '--identity', sshd.identityFile, '--known-hosts', empty, '--root', root, '--baseline', baseline, '--allow-other-target'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(run.stderr).toMatch(/host key of \[127\.0\.0\.1\]:\d+ is not known \(ssh-ed25519 SHA256:.*ssh-keyscan -p \d+ 127\.0\.0\.1 >> /)
  })

  it('refuses a changed host key, exit 2, also with --json', async () => {
    const other = join(work, 'other_known_hosts')
    await writeFile(other, `[127.0.0.1]:${sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`)
    const run = await vmdrift(['check', sshd.target, '--identity', sshd.identityFile, '--known-hosts', other, '--root', root, '--baseline', baseline, '--allow-other-target', '--json'])
    expect(run.code).toBe(2)
    expect(JSON.parse(run.stdout).error).toMatchObject({kind: 'TargetError'})
    expect(run.stderr).toMatch(/HOST KEY CHANGED for \[127\.0\.0\.1\]:\d+.*ssh-keygen -R/)
  })

  it('exits 2 on a refused key, a closed port and a bad baseline, and keeps the old baseline', async () => {
    const good = await readFile(baseline, 'utf8')
    const wrongKey = join(sshd.dir, 'ssh_host_ed25519_key')
    const refused = await vmdrift(['capture', sshd.target, '--identity', wrongKey, '--known-hosts', sshd.knownHostsFile, '--root', root, '--baseline', baseline])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/refused every key offered/)

    const closed = await vmdrift(['capture', 'root@127.0.0.1:1', '--identity', sshd.identityFile, '--known-hosts', sshd.knownHostsFile, '--baseline', baseline])
    expect(closed.code).toBe(2)
    expect(closed.stderr).toMatch(/cannot connect to 127\.0\.0\.1:1: ECONNREFUSED/)
    expect(await readFile(baseline, 'utf8')).toBe(good)

    const broken = join(work, 'broken.yaml')
    await writeFile(broken, good.replace('vmdrift: 2', 'vmdrift: 1'))
    const bad = await vmdrift(['check', sshd.alias, ...flags.slice(0, -1), broken])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^vmdrift: .*broken\.yaml: baseline format 1: re-capture with this vmdrift \(vmdrift capture TARGET, then review and commit it\)\n$/)
    await writeFile(broken, good.replace('vmdrift: 2', 'vmdrift: "2"'))
    const mistyped = await vmdrift(['check', sshd.alias, ...flags.slice(0, -1), broken])
    expect(mistyped.code).toBe(2)
    expect(mistyped.stderr).toMatch(/^vmdrift: .*broken\.yaml:\d+:\d+: vmdrift must be equal to constant\n$/)

    const flag = await vmdrift(['check', sshd.alias, '--no-such-flag'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toBe('vmdrift: Nonexistent flag: --no-such-flag (see: vmdrift check --help)\n')

    const klass = await vmdrift(['check', sshd.alias, '--fail-on', 'armed,bogus'])
    expect(klass.code).toBe(2)
    expect(klass.stderr).toBe('vmdrift: Expected --fail-on=bogus to be one of: added, removed, modified, armed, stale (see: vmdrift check --help)\n')
  })
})

describe('vmdrift without SSH', () => {
  it('diffs two captures offline', async () => {
    const work = await mkdtemp(join(tmpdir(), 'vmdrift-diff-'))
    try {
      const root = join(work, 'root')
      await cp(join(repo, 'test/fixtures/helix-vm'), root, {recursive: true, verbatimSymlinks: true})
      const a = join(work, 'a.yaml')
      const b = join(work, 'b.yaml')
      expect((await vmdrift(['capture', 'local', '--root', root, '--baseline', a])).code).toBe(0)
      const grub = join(root, 'etc/default/grub')
      await writeFile(grub, (await readFile(grub, 'utf8')).replace('GRUB_CMDLINE_LINUX_DEFAULT="quiet"', 'GRUB_CMDLINE_LINUX_DEFAULT="quiet video=Virtual-1:1920x1080"'))
      expect((await vmdrift(['capture', 'local', '--root', root, '--baseline', b])).code).toBe(0)
      const same = await vmdrift(['diff', a, a])
      expect(same.code).toBe(0)
      const run = await vmdrift(['diff', a, b, '--json'])
      expect(run.code).toBe(1)
      const result = JSON.parse(run.stdout)
      expect(result.against).toBe(b)
      const changes = result.findings.flatMap((f: {changes: unknown[]}) => f.changes)
      expect(changes).toContainEqual(expect.objectContaining({added: ['video=Virtual-1:1920x1080']}))
    } finally {
      await rm(work, {recursive: true, force: true})
    }
  })

  it('exits 2 with one line when a host accepts but never speaks SSH, or hangs up mid-handshake', async () => {
    const listen = (onConnection: (socket: import('node:net').Socket) => void) =>
      new Promise<Server>((resolve) => {
        const server = createServer(onConnection)
        server.listen(0, '127.0.0.1', () => resolve(server))
      })
    const keyDir = await mkdtemp(join(tmpdir(), 'vmdrift-key-'))
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keyDir, 'id')])
    const silent = await listen(() => {})
    const rude = await listen((socket) => socket.end('SSH-2.0-rude\r\n'))
    try {
      for (const [server, message] of [
        [silent, /no SSH answer from 127\.0\.0\.1:\d+ within 1s/],
        [rude, /127\.0\.0\.1:\d+ closed the connection during the SSH handshake/],
      ] as const) {
        const port = (server.address() as import('node:net').AddressInfo).port
        const baseline = join(tmpdir(), `vmdrift-never-written-${port}.yaml`)
        const run = await vmdrift(['capture', `me@127.0.0.1:${port}`, '--identity', join(keyDir, 'id'), '--timeout', '1', '--baseline', baseline])
        expect(run.code).toBe(2)
        expect(run.stderr).toMatch(message)
        expect(run.stderr.trimEnd().split('\n')).toHaveLength(1)
      }
    } finally {
      silent.close()
      rude.close()
      await rm(keyDir, {recursive: true, force: true})
    }
  })

  it('prints the committed baseline schema', async () => {
    const run = await vmdrift(['schema'])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(await readFile(join(repo, 'schemas/baseline.schema.json'), 'utf8')))
  })

  it('runs the demo: the incident found, in a few seconds', async () => {
    const run = await vmdrift(['demo'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('[Unit] After: systemd-udev-settle.service → multi-user.target')
    expect(run.stdout).toMatch(/added +\/etc\/systemd\/system\/docker\.service\.d\/helix-drm\.conf +\(written \d{4}-\d\d-\d\d 12:20:00 UTC\)/)
    expect(run.stdout).toContain('+video=Virtual-1:1920x1080')
    expect(run.stdout).toContain('/usr/local/bin/helix-drm-manager')
    expect(run.stdout).toContain('check would exit 1')
  })
})
