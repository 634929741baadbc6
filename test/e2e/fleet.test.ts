// Many hosts with the built CLI: three host aliases on a real sshd on 127.0.0.1, one dead (connection refused on
// a closed loopback port) and one that accepts the TCP connection and never says a word. Reports are parsed
// back: the JSON against its schema, the JUnit XML with a real XML parser, the Prometheus textfile line by line.
import {cp, mkdtemp, readFile, readdir, rm, writeFile} from 'node:fs/promises'
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Ajv} from 'ajv'
import {XMLParser} from 'fast-xml-parser'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {repo, vmdrift as run} from '../support/cli.js'
import {freePort, startSshd} from '../support/sshd.js'

function vmdrift(args: string[], cwd: string) {
  return run(args, {cwd})
}

/** Another host's baseline, named for `host` (a baseline of another target is refused, and these tests are about the connection). */
async function copyBaseline(from: string, to: string, host: string): Promise<void> {
  await writeFile(to, (await readFile(from, 'utf8')).replace(/^target: .*$/m, `target: ${host}`))
}

describe('vmdrift over many hosts', () => {
  let sshd: Awaited<ReturnType<typeof startSshd>>
  let silent: Server
  const held: Socket[] = []
  let work: string
  let deadPort: number
  const live = ['host-a', 'host-b', 'host-c']

  beforeAll(async () => {
    sshd = await startSshd()
    work = await mkdtemp(join(tmpdir(), 'vmdrift-fleet-'))
    // A port nothing listens on: connection refused.
    deadPort = await freePort()
    silent = createServer((socket) => void held.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const silentPort = (silent.address() as AddressInfo).port
    const block = (alias: string, port: number) =>
      [`Host ${alias}`, '  HostName 127.0.0.1', `  Port ${port}`, `  User ${sshd.user}`, `  IdentityFile ${sshd.identityFile}`, '  IdentitiesOnly yes', ''].join('\n')
    await writeFile(join(work, 'ssh_config'), [...live.map((alias) => block(alias, sshd.port)), block('dead', deadPort), block('hang', silentPort)].join('\n'))
    // The sshd's host key for every port used.
    const key = (await readFile(sshd.knownHostsFile, 'utf8')).trim().split(' ').slice(1).join(' ')
    await writeFile(join(work, 'known_hosts'), [sshd.port, deadPort, silentPort].map((port) => `[127.0.0.1]:${port} ${key}\n`).join(''))
    for (const host of live) await cp(join(repo, 'test/fixtures/helix-vm'), join(work, 'roots', host), {recursive: true, verbatimSymlinks: true})
    await writeFile(
      join(work, 'vmdrift.yaml'),
      [
        'defaults:',
        `  ssh-config: ${join(work, 'ssh_config')}`,
        `  known-hosts: ${join(work, 'known_hosts')}`,
        '  timeout: 2',
        'hosts:',
        ...live.map((host) => `  ${host}: {root: ${join(work, 'roots', host)}}`),
        '  dead: {}',
        '  hang: {}',
        '',
      ].join('\n'),
    )
  })

  afterAll(async () => {
    for (const socket of held) socket.destroy()
    silent?.close()
    await sshd?.stop()
    if (work) await rm(work, {recursive: true, force: true})
  })

  it('captures several hosts, a line each and a total', async () => {
    const run = await vmdrift(['capture', ...live], work)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(4)
    for (const host of live) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^captured +${host} +\\d+ items into baselines/${host}\\.yaml +\\d+\\.\\d s$`)))
    expect(lines[3]).toMatch(/^3 hosts in \d+\.\d s: 3 captured$/)
    expect((await readdir(join(work, 'baselines'))).sort()).toEqual(live.map((host) => `${host}.yaml`))
    // The dead and the silent host have baselines too: what fails for them is the connection.
    for (const host of ['dead', 'hang']) await copyBaseline(join(work, 'baselines/host-a.yaml'), join(work, `baselines/${host}.yaml`), host)
  })

  it('checks every host of the config: the dead and the hanging one cost no more than the timeout, and exit 2 wins', async () => {
    const unit = join(work, 'roots/host-b/etc/systemd/system/helix-drm-manager.service')
    await writeFile(unit, (await readFile(unit, 'utf8')).replace('After=systemd-udev-settle.service', 'After=multi-user.target'))
    const run = await vmdrift(['check', '--all'], work)
    expect(run.code).toBe(2)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(6)
    expect(lines).toContainEqual(expect.stringMatching(/^in sync +host-a +\d+ items +\d+\.\d s$/))
    expect(lines).toContainEqual(expect.stringMatching(/^drift +host-b +1 finding \(1 modified\) +\d+\.\d s$/))
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^error +dead +cannot connect to 127\\.0\\.0\\.1:${deadPort}: ECONNREFUSED`)))
    expect(lines).toContainEqual(expect.stringMatching(/^error +hang +no SSH answer from 127\.0\.0\.1:\d+ within 2s/))
    expect(lines[5]).toMatch(/^5 hosts in \d+\.\d s: 2 in sync, 1 drift, 2 error$/)
    // Run in parallel: the hanging host's 2 s, not the sum of everyone's.
    expect(run.ms).toBeLessThan(8000)
  })

  it('exits 1 when hosts drift and none errs, and --quiet says it in one line', async () => {
    const run = await vmdrift(['check', 'host-a', 'host-b', '--quiet'], work)
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^2 hosts in \d+\.\d s: 1 in sync, 1 drift\n$/)
  })

  it('writes one JSON document for all hosts, valid against its schema', async () => {
    const run = await vmdrift(['check', '--all', '--json'], work)
    expect(run.code).toBe(2)
    const result = JSON.parse(run.stdout)
    const ajv = new Ajv({strict: true, allowUnionTypes: true})
    for (const name of ['check-result', 'fleet-result']) ajv.addSchema(JSON.parse(await readFile(join(repo, `schemas/${name}.schema.json`), 'utf8')))
    const validate = ajv.getSchema('urn:vmdrift:fleet-result:1')!
    expect(validate(result), JSON.stringify(validate.errors)).toBe(true)
    expect(result.hosts.map((h: {host: string}) => h.host)).toEqual([...live, 'dead', 'hang'])
    expect(result.counts).toEqual({hosts: 5, 'in-sync': 2, drift: 1, captured: 0, error: 2})
    expect(result.hosts[1].result.findings[0]).toMatchObject({key: '/etc/systemd/system/helix-drm-manager.service', class: 'modified'})
    expect(result.hosts[3].error).toMatchObject({kind: 'TargetError'})
  })

  it('writes JUnit XML that an XML parser reads back: a suite per host, the drift as a failure with its diff', async () => {
    const file = join(work, 'reports/junit.xml')
    const run = await vmdrift(['check', '--all', '--junit', file, '--quiet'], work)
    expect(run.code).toBe(2)
    const xml = new XMLParser({ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name)}).parse(await readFile(file, 'utf8'))
    const suites = xml.testsuites.testsuite as {name: string; tests: string; failures: string; errors: string; testcase: Record<string, any>[]}[] // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(suites.map((s) => s.name)).toEqual([...live, 'dead', 'hang'])
    expect(xml.testsuites).toMatchObject({tests: '5', failures: '1', errors: '2'})
    const drifted = suites[1]!.testcase
    expect(drifted).toHaveLength(1)
    expect(drifted[0]).toMatchObject({classname: 'vmdrift.host-b', name: 'systemd:/etc/systemd/system/helix-drm-manager.service'})
    expect(drifted[0]!.failure.message).toBe('modified: [Unit] After: systemd-udev-settle.service → multi-user.target')
    expect(drifted[0]!.failure['#text']).toContain('+After=multi-user.target')
    expect(suites[0]!.testcase[0]!.name).toMatch(/^in sync with baselines\/host-a\.yaml \(\d+ items\)$/)
    expect(suites[3]!.testcase[0]!.error.message).toMatch(/ECONNREFUSED/)
  })

  it('writes node_exporter textfile metrics, every line well-formed, atomically', async () => {
    const dir = join(work, 'textfile')
    const file = join(dir, 'vmdrift.prom')
    const before = Date.now() / 1000
    const run = await vmdrift(['check', '--all', '--prometheus', file, '--quiet'], work)
    expect(run.code).toBe(2)
    const text = await readFile(file, 'utf8')
    expect(text.endsWith('\n')).toBe(true)
    const samples = new Map<string, number>()
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('#')) {
        expect(line).toMatch(/^# (HELP vmdrift_[a-z_]+ .+|TYPE vmdrift_[a-z_]+ gauge)$/)
        continue
      }
      const match = /^(vmdrift_[a-z_]+)\{((?:[a-z_]+="(?:[^"\\\n]|\\[\\"n])*",?)+)\} (-?[0-9.e+]+)$/.exec(line)
      expect(match, line).not.toBeNull()
      samples.set(`${match![1]}{${match![2]}}`, Number(match![3]))
    }
    expect(samples.get('vmdrift_findings{host="host-b",class="modified"}')).toBe(1)
    expect(samples.get('vmdrift_findings{host="host-a",class="added"}')).toBe(0)
    expect(samples.get('vmdrift_in_sync{host="host-a"}')).toBe(1)
    expect(samples.get('vmdrift_check_error{host="dead"}')).toBe(1)
    expect(samples.get('vmdrift_check_error{host="host-b"}')).toBe(0)
    expect(samples.has('vmdrift_findings{host="dead",class="modified"}')).toBe(false)
    expect(samples.get('vmdrift_last_check_timestamp_seconds{host="hang"}')).toBeGreaterThanOrEqual(Math.floor(before))
    expect(samples.get('vmdrift_check_duration_seconds{host="hang"}')).toBeGreaterThan(1.5)
    // Written to a temporary name and renamed: nothing else is left in the directory.
    expect(await readdir(dir)).toEqual(['vmdrift.prom'])
  })

  it('ignores what the config says to, counts it, lists it with --show-ignored, and stops when the rule expires', async () => {
    const config = await readFile(join(work, 'vmdrift.yaml'), 'utf8')
    const rule = (expires: string) =>
      `${config}ignore:\n  # the drm manager is rebuilt by the nightly job\n  - pattern: systemd:/etc/systemd/system/helix-drm-*.service\n    reason: nightly rebuild\n    expires: ${expires}\n`
    await writeFile(join(work, 'ignoring.yaml'), rule('2999-01-01'))
    const ignored = await vmdrift(['check', 'host-b', '--config', 'ignoring.yaml', '--show-ignored'], work)
    expect(ignored.stderr).toBe('')
    expect(ignored.code).toBe(0)
    expect(ignored.stdout).toMatch(/^in sync: host-b against baselines\/host-b\.yaml \(\d+ items; 1 ignored\)\n/)
    expect(ignored.stdout).toContain(
      'ignored  systemd:/etc/systemd/system/helix-drm-manager.service: [Unit] After: systemd-udev-settle.service → multi-user.target  (rule systemd:/etc/systemd/system/helix-drm-*.service; nightly rebuild; until 2999-01-01)',
    )
    await writeFile(join(work, 'expired.yaml'), rule('2020-01-01'))
    const expired = await vmdrift(['check', 'host-b', '--config', 'expired.yaml'], work)
    expect(expired.code).toBe(1)
    expect(expired.stdout).toContain("warning: ignore rule 'systemd:/etc/systemd/system/helix-drm-*.service' (expired.yaml:13) expired on 2020-01-01: it no longer ignores anything (1 finding it matches reported)")
  })

  it('reads hosts from an Ansible inventory, by group', async () => {
    const inventory = [
      'all:',
      '  children:',
      '    lab:',
      '      vars:',
      `        ansible_user: ${sshd.user}`,
      '      hosts:',
      `        lab-1: {ansible_host: 127.0.0.1, ansible_port: ${sshd.port}}`,
      `        lab-2: {ansible_host: 127.0.0.1, ansible_port: ${deadPort}}`,
      '    other:',
      '      hosts:',
      '        elsewhere: {ansible_host: 127.0.0.1, ansible_port: 1}',
      '',
    ].join('\n')
    await writeFile(join(work, 'hosts.yml'), inventory)
    // An inventory host's target is user@ansible_host:ansible_port: that is what the baseline was captured from.
    await copyBaseline(join(work, 'baselines/host-a.yaml'), join(work, 'baselines/lab-1.yaml'), `${sshd.user}@127.0.0.1:${sshd.port}`)
    const run = await vmdrift(['check', '--inventory', 'hosts.yml', 'lab', '--identity', sshd.identityFile, '--root', join(work, 'roots/host-a'), '--json'], work)
    const result = JSON.parse(run.stdout)
    expect(result.hosts.map((h: {host: string; target: string}) => [h.host, h.target])).toEqual([
      ['lab-1', `${sshd.user}@127.0.0.1:${sshd.port}`],
      ['lab-2', `${sshd.user}@127.0.0.1:${deadPort}`],
    ])
    expect(result.hosts.map((h: {status: string}) => h.status)).toEqual(['in-sync', 'error'])
    expect(run.code).toBe(2)
  })

  it('splits the hosts into shards that together cover each exactly once', async () => {
    const shards = await Promise.all([1, 2, 3].map((k) => vmdrift(['check', '--all', '--shard', `${k}/3`, '--json'], work)))
    const names = shards.map((run) => JSON.parse(run.stdout).hosts.map((h: {host: string}) => h.host))
    expect(names.flat().sort()).toEqual([...live, 'dead', 'hang'].sort())
    expect(names.map((n) => n.length)).toEqual([2, 2, 1])
  })

  it('refuses a bad config with every error at its line and column, exit 2', async () => {
    await writeFile(join(work, 'bad.yaml'), 'hosts:\n  x: {sudo: maybe}\nconcurrency: -1\n')
    const run = await vmdrift(['check', '--all', '--config', 'bad.yaml'], work)
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr.trimEnd().split('\n').sort()).toEqual(['vmdrift: bad.yaml:2:13: hosts.x.sudo must be boolean', 'vmdrift: bad.yaml:3:14: concurrency must be >= 1'])
  })

  it('init writes a starter config that check reads, and never overwrites one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vmdrift-init-'))
    try {
      const first = await vmdrift(['init'], dir)
      expect(first.code).toBe(0)
      const written = await readFile(join(dir, 'vmdrift.yaml'), 'utf8')
      expect(written).toContain('# Ignore rules')
      const again = await vmdrift(['init'], dir)
      expect(again.code).toBe(2)
      expect(again.stderr).toBe('vmdrift: vmdrift.yaml exists; init never overwrites a config (edit it, or remove it first)\n')
      expect(await readFile(join(dir, 'vmdrift.yaml'), 'utf8')).toBe(written)
      // the starter names helix-vm, which has no baseline here: a config that loads, a host that errs
      const run = await vmdrift(['check', '--all'], dir)
      expect(run.stdout).toMatch(/^error +helix-vm +cannot read baseline baselines\/helix-vm\.yaml: ENOENT/)
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})
