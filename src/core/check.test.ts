import {cp, mkdtemp, readdir, readFile, rm, utimes, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {LocalTarget} from '../transport/local.js'
import type {ExecResult, Target} from '../transport/types.js'
import {capture} from './capture.js'
import {check} from './check.js'
import {FIXTURE_ROOT} from './demo.js'
import {OFFLINE_ROOT} from './read-host.js'

/** This machine, but the connection drops after `keep` bytes of output: what a flaky SSH link does. */
class CutShort implements Target {
  readonly name = 'flaky'
  calls = 0
  constructor(private readonly keep: number) {}
  async open(): Promise<void> {}
  async runScript(script: string): Promise<ExecResult> {
    this.calls++
    const full = await new LocalTarget().runScript(script)
    return {...full, stdout: full.stdout.subarray(0, this.keep), exitCode: 255}
  }
  async close(): Promise<void> {}
}

describe('capture and check', () => {
  let dir: string
  let root: string
  let baselineFile: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vmdrift-core-'))
    root = join(dir, 'root')
    await cp(FIXTURE_ROOT, root, {recursive: true, verbatimSymlinks: true})
    baselineFile = join(dir, 'baselines', 'helix-vm.yaml')
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('reads the host with one script, and a check with one more', async () => {
    const target = new LocalTarget()
    const calls: string[] = []
    const counting: Target = {name: 'local', open: async () => {}, runScript: (s, o) => (calls.push(s), target.runScript(s, o)), close: async () => {}}
    const result = await capture(counting, {baselineFile, watch: [], root})
    expect(calls).toHaveLength(1)
    expect(result.collectors).toEqual({systemd: 26, 'kernel-cmdline': 2, files: 1, docker: 1})
    expect((await check(counting, {baselineFile, root})).inSync).toBe(true)
    expect(calls).toHaveLength(2)
  })

  it('gives the same verdict, with one read, whether the baseline is laid out as vmdrift writes it or by hand', async () => {
    const target = new LocalTarget()
    const calls: string[] = []
    const counting: Target = {name: 'local', open: async () => {}, runScript: (s, o) => (calls.push(s), target.runScript(s, o)), close: async () => {}}
    await capture(target, {baselineFile, watch: [], root})
    await writeFile(join(root, 'etc/systemd/system/helix-drm-manager.service'), '[Unit]\nDescription=changed\n')
    const written = await check(counting, {baselineFile, root})
    expect(written.findings.map((f) => [f.key, f.class])).toEqual([['/etc/systemd/system/helix-drm-manager.service', 'modified']])
    // The same baseline in flow style, as a person might write it: parsed whole, then the host read.
    const {load} = await import('js-yaml')
    const flow = `${JSON.stringify(load(await readFile(baselineFile, 'utf8')))}\n# end of vmdrift baseline\n`
    await writeFile(baselineFile, flow)
    expect(await check(counting, {baselineFile, root})).toEqual(written)
    // one that is not a valid baseline is refused, and, not laid out for an early start, the host never read
    await writeFile(baselineFile, (await readFile(baselineFile, 'utf8')).replace('"vmdrift":2', '"vmdrift":2,"surprise":1'))
    await expect(check(counting, {baselineFile, root})).rejects.toThrow(/unknown field 'surprise'/)
    expect(calls).toHaveLength(2)
  })

  it('reads the host once for a baseline that must be parsed whole (a unit with `a && b`, which might be an anchor)', async () => {
    await writeFile(join(root, 'etc/systemd/system/helix-drm-manager.service'), "[Service]\nExecStartPre=/bin/sh -c 'true && true'\n")
    const target = new LocalTarget()
    const calls: string[] = []
    const counting: Target = {name: 'local', open: async () => {}, runScript: (s, o) => (calls.push(s), target.runScript(s, o)), close: async () => {}}
    await capture(target, {baselineFile, watch: [], root})
    expect(await readFile(baselineFile, 'utf8')).toContain("'true && true'")
    expect((await check(counting, {baselineFile, root})).inSync).toBe(true)
    expect(calls).toHaveLength(1)
  })

  it('reads nothing of the running system under --root: no /proc/cmdline item, the effect unknown once per collector', async () => {
    await rm(join(root, 'proc'), {recursive: true, force: true})
    const calls: string[] = []
    const target = new LocalTarget()
    const counting: Target = {name: 'local', open: async () => {}, runScript: (s, o) => (calls.push(s), target.runScript(s, o)), close: async () => {}}
    await capture(counting, {baselineFile, watch: [], root})
    expect(await readFile(baselineFile, 'utf8')).not.toContain('/proc/')
    const result = await check(counting, {baselineFile, root})
    expect(result.findings).toEqual([])
    expect(result.inSync).toBe(true)
    expect(Object.keys(result.effectUnknown).sort()).toEqual(['docker', 'files', 'kernel-cmdline', 'systemd'])
    expect(new Set(Object.values(result.effectUnknown))).toEqual(new Set([OFFLINE_ROOT]))
    // Not even asked: no command of the running system is in the script.
    for (const script of calls) expect(script).not.toMatch(/systemctl|docker info|"\/proc\//)
  })

  it('does not report /proc/cmdline of a baseline written when it was an item as removed', async () => {
    await capture(new LocalTarget(), {baselineFile, watch: [], root})
    const text = await readFile(baselineFile, 'utf8')
    const old = text.replace('  kernel-cmdline:\n', `  kernel-cmdline:\n    /proc/cmdline:\n      type: booted\n      cmdline: root=/dev/vda ro\n`)
    expect(old).toContain('/proc/cmdline:')
    await writeFile(baselineFile, old)
    expect((await check(new LocalTarget(), {baselineFile, root})).findings).toEqual([])
  })

  it('leaves the old baseline untouched, and no temporary file, when the host output is cut short', async () => {
    await capture(new LocalTarget(), {baselineFile, watch: [], root})
    const before = await readFile(baselineFile, 'utf8')
    await writeFile(join(root, 'etc/docker/daemon.json'), '{"live-restore": false}\n')
    for (const keep of [0, 100, 2000]) {
      await expect(capture(new CutShort(keep), {baselineFile, watch: [], root})).rejects.toThrow(/capture script failed \(exit 255\)/)
    }
    expect(await readFile(baselineFile, 'utf8')).toBe(before)
    expect(await readdir(join(dir, 'baselines'))).toEqual(['helix-vm.yaml'])
  })

  it('says when the directory of a removed file changed', async () => {
    await capture(new LocalTarget(), {baselineFile, watch: [], root})
    const link = join(root, 'etc/systemd/system/multi-user.target.wants/ssh.service')
    await rm(link)
    await utimes(join(link, '..'), new Date('2026-11-28T13:05:00Z'), new Date('2026-11-28T13:05:00Z'))
    const [finding] = (await check(new LocalTarget(), {baselineFile, root})).findings
    expect(finding).toMatchObject({class: 'removed', key: '/etc/systemd/system/multi-user.target.wants/ssh.service', directoryChanged: '2026-11-28T13:05:00Z'})
    expect(finding).not.toHaveProperty('written')
  })

  it('refuses a --root that is not a directory rather than capturing an empty host', async () => {
    const missing = join(dir, 'no-such-root')
    await expect(capture(new LocalTarget(), {baselineFile, watch: [], root: missing})).rejects.toThrow(
      `local: the capture script failed (exit 3): --root ${missing} is not a directory on the host`,
    )
    await expect(readdir(join(dir, 'baselines'))).rejects.toThrow(/ENOENT/)
  })

  it('keeps the watch globs of the capture in the baseline, so a check reads the same files', async () => {
    await writeFile(join(root, 'etc/helix.conf'), 'mode=fast\n')
    await capture(new LocalTarget(), {baselineFile, watch: ['/etc/helix.*'], root})
    expect(await readFile(baselineFile, 'utf8')).toContain('/etc/helix.conf:')
    await writeFile(join(root, 'etc/helix.conf'), 'mode=slow\n')
    const result = await check(new LocalTarget(), {baselineFile, root})
    expect(result.findings.map((f) => `${f.collector} ${f.class} ${f.key}`)).toEqual(['files modified /etc/helix.conf'])
  })
})
