import {createHash} from 'node:crypto'
import {execFileSync} from 'node:child_process'
import {chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {Probe} from '../collectors/types.js'
import {LocalTarget} from '../transport/local.js'
import {parseStream} from './frames.js'
import {compileScript, shQuote} from './script.js'

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')
const BOUNDARY = 'vmdrift-0123456789abcdef'

const PROBES: Probe[] = [
  {kind: 'files', id: 'units', globs: ['/etc/systemd/system/*'], content: 'text', vendorDirs: ['/lib/systemd/system']},
  {kind: 'files', id: 'entries', globs: ['/etc/systemd/system/*/*'], content: 'text'},
  {kind: 'referenced', id: 'env', in: ['units', 'entries'], directive: 'EnvironmentFile'},
]
const CONTENT = {units: 'text', entries: 'text'} as const

async function put(root: string, path: string, content: string): Promise<void> {
  await mkdir(dirname(join(root, path)), {recursive: true})
  await writeFile(join(root, path), content)
}

async function run(root: string, prefix = '') {
  const out = await new LocalTarget().runScript(`${prefix}${compileScript(PROBES, {boundary: BOUNDARY, root})}`)
  expect(out.stderr).toBe('')
  return parseStream(out.stdout, BOUNDARY, {root, sha256, content: CONTENT}).results
}

/** `output` as a map: path named → what the host found there. */
const lookups = (output = '') => Object.fromEntries(output.trim().split('\n').filter(Boolean).map((line) => [line.slice(line.indexOf(' ') + 1), line.slice(0, line.indexOf(' '))]))

describe('script: files named by a directive (script-referenced)', () => {
  let root: string
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'vmdrift-referenced-'))
  })
  afterEach(async () => {
    await rm(root, {recursive: true, force: true})
  })

  it('hashes every file named in units, drop-ins and vendor units, with or without "-", and says which are absent', async () => {
    await put(root, 'etc/systemd/system/helix.service', '[Service]\nEnvironmentFile=/etc/default/helix\n  EnvironmentFile = -/etc/default/optional  \r\nEnvironmentFile=\nExecStart=/bin/true\n')
    await put(root, 'etc/systemd/system/docker.service.d/env.conf', '[Service]\nEnvironmentFile=-/etc/helix/docker.env\n# EnvironmentFile=/etc/commented\n')
    await put(root, 'lib/systemd/system/docker.service', '[Service]\nEnvironmentFile=-/etc/default/docker\n')
    await put(root, 'etc/default/helix', 'API_TOKEN=s3cr3t\n')
    await put(root, 'etc/default/docker', 'DOCKER_OPTS=\n')
    // A path with spaces and a quote is one operand; a link whose target holds a newline is not followed.
    await put(root, 'etc/systemd/system/odd.service', "[Service]\nEnvironmentFile=/etc/default/it's spaced\nEnvironmentFile=/etc/default/newline\n")
    await put(root, "etc/default/it's spaced", 'SPACED=1\n')
    await symlink('/etc/default/new\nline', join(root, 'etc/default/newline'))
    const results = await run(root)
    const env = results.env!
    expect(lookups(env.output)).toEqual({
      '/etc/default/helix': 'found',
      '/etc/default/optional': 'absent',
      '/etc/helix/docker.env': 'absent',
      '/etc/default/docker': 'found',
      "/etc/default/it's spaced": 'found',
      '/etc/default/newline': 'loop',
    })
    expect(env.records.map((r) => [r.path, r.type, r.sha256]).sort()).toEqual([
      ['/etc/default/docker', 'file', sha256('DOCKER_OPTS=\n')],
      ['/etc/default/helix', 'file', sha256('API_TOKEN=s3cr3t\n')],
      ["/etc/default/it's spaced", 'file', sha256('SPACED=1\n')],
    ])
    // The content itself never travels: only the files probes' own files are in the stream as text.
    expect(JSON.stringify(results)).not.toContain('s3cr3t')
  })

  it('resolves every path inside --root: "/../../etc/shadow", an absolute link and a linked directory stay in the root', async () => {
    await put(root, 'etc/systemd/system/hostile.service', [
      '[Service]',
      'EnvironmentFile=/../../etc/shadow',
      'EnvironmentFile=/etc/default/abs-link',
      'EnvironmentFile=-/etc/conf/app.env',
      'EnvironmentFile=/etc/default/loop',
      'EnvironmentFile=-/etc/%i.env',
      '',
    ].join('\n'))
    await put(root, 'etc/shadow', 'root-of-the-image\n')
    await put(root, 'etc/passwd', 'passwd-of-the-image\n')
    await put(root, 'srv/conf/app.env', 'app-of-the-image\n')
    await mkdir(join(root, 'etc/default'), {recursive: true})
    await symlink('/etc/passwd', join(root, 'etc/default/abs-link'))
    // A directory on the way that is itself an absolute link: /etc/conf -> /srv/conf, inside the root.
    await symlink('/srv/conf', join(root, 'etc/conf'))
    await symlink('/etc/default/loop', join(root, 'etc/default/loop'))
    const env = (await run(root)).env!
    expect(lookups(env.output)).toEqual({
      '/../../etc/shadow': 'found',
      '/etc/default/abs-link': 'found',
      '/etc/conf/app.env': 'found',
      '/etc/default/loop': 'loop',
    })
    const hashes = Object.fromEntries(env.records.map((r) => [r.path, r.sha256]))
    expect(hashes).toEqual({
      '/../../etc/shadow': sha256('root-of-the-image\n'),
      '/etc/default/abs-link': sha256('passwd-of-the-image\n'),
      '/etc/conf/app.env': sha256('app-of-the-image\n'),
    })
    // The machine's own /etc/passwd was never read.
    expect(Object.values(hashes)).not.toContain(sha256(await readFile('/etc/passwd')))
  })

  it('says "absent" for a link out of the root whose target the root lacks, never the machine\'s file', async () => {
    await put(root, 'etc/systemd/system/x.service', '[Service]\nEnvironmentFile=/etc/default/x\n')
    await mkdir(join(root, 'etc/default'), {recursive: true})
    await symlink('/etc/hostname', join(root, 'etc/default/x'))
    const env = (await run(root)).env!
    expect(lookups(env.output)).toEqual({'/etc/default/x': 'absent'})
    expect(env.records).toEqual([])
  })

  it('runs a fixed number of processes however many units name files', async () => {
    // More than 256 files found: the operands are gathered 256 at a time, and none is lost between.
    for (let i = 0; i < 600; i++) {
      await put(root, `etc/systemd/system/app-${i}.service`, `[Service]\nEnvironmentFile=-/etc/default/app-${i}\nEnvironmentFile=/etc/default/common\n`)
      await put(root, `etc/default/app-${i}`, `TOKEN=${i}\n`)
    }
    await put(root, 'etc/default/common', 'COMMON=1\n')
    const shims = join(root, 'shims')
    await mkdir(shims)
    const log = join(root, 'exec.log')
    for (const tool of ['stat', 'cat', 'sha256sum', 'readlink', 'xargs', 'sed']) {
      const real = execFileSync('sh', ['-c', `command -v ${tool}`]).toString().trim()
      await writeFile(join(shims, tool), `#!/bin/sh\necho ${tool} >> ${shQuote(log)}\nexec ${real} "$@"\n`, {mode: 0o755})
    }
    const results = await run(root, `PATH=${shQuote(shims)}:$PATH\n`)
    const ran = (await readFile(log, 'utf8')).trim().split('\n').sort()
    // The files probes' stat with its xargs and their cat, then this part's sed, stat and sha256sum: every list
    // but stat's (kept in a pipe) fits on its command line.
    expect(ran).toEqual(['cat', 'sed', 'sha256sum', 'stat', 'stat', 'xargs'])
    expect(results.env!.records).toHaveLength(601)
    expect(new Set(results.env!.records.map((r) => r.sha256)).size).toBe(601)
    expect(results.env!.records.find((r) => r.path === '/etc/default/app-42')!.sha256).toBe(sha256('TOKEN=42\n'))
  })

  it('hands a list too long for one command line to xargs, with the same result', async () => {
    // Hostile names too: a newline joins the list on its own, between the paths gathered 256 at a time.
    for (let i = 0; i < 300; i++) {
      await put(root, `etc/systemd/system/app-${i}.service`, `[Service]\nEnvironmentFile=/etc/default/app-${i}\n`)
      await put(root, `etc/default/app-${i}`, `TOKEN=${i}\n`)
    }
    await put(root, 'etc/systemd/system/new\nline.service', '[Service]\nEnvironmentFile=/etc/default/app-7\n')
    await put(root, "etc/systemd/system/it's.service.d/x.conf", '[Service]\nEnvironmentFile=/etc/default/app-8\n')
    const shims = join(root, 'shims')
    await mkdir(shims)
    const log = join(root, 'exec.log')
    for (const tool of ['stat', 'cat', 'sha256sum', 'xargs', 'sed']) {
      const real = execFileSync('sh', ['-c', `command -v ${tool}`]).toString().trim()
      await writeFile(join(shims, tool), `#!/bin/sh\necho ${tool} >> ${shQuote(log)}\nexec ${real} "$@"\n`, {mode: 0o755})
    }
    const results = async (argumentBytes?: number) => {
      await rm(log, {force: true})
      const script = compileScript(PROBES, {boundary: BOUNDARY, root, argumentBytes})
      const out = await new LocalTarget().runScript(`PATH=${shQuote(shims)}:$PATH\n${script}`)
      expect(out.stderr).toBe('')
      return {results: parseStream(out.stdout, BOUNDARY, {root, sha256, content: CONTENT}).results, ran: (await readFile(log, 'utf8')).trim().split('\n').sort()}
    }
    const direct = await results()
    const split = await results(1000)
    expect(direct.ran).toEqual(['cat', 'sed', 'sha256sum', 'stat', 'stat', 'xargs'])
    // cat, sed, and this part's stat and sha256sum each through an xargs of its own
    expect(split.ran).toEqual(['cat', 'sed', 'sha256sum', 'stat', 'stat', 'xargs', 'xargs', 'xargs', 'xargs', 'xargs'])
    expect(split.results).toEqual(direct.results)
    expect(direct.results.env!.records).toHaveLength(300)
    expect(direct.results.units!.records.find((r) => r.path === '/etc/systemd/system/new\nline.service')!.content).toBe('[Service]\nEnvironmentFile=/etc/default/app-7\n')
    expect(direct.results.entries!.records.map((r) => r.path)).toEqual(["/etc/systemd/system/it's.service.d/x.conf"])
  })

  it('refuses referenced probes it cannot scan in the one walk: different files probes, or a probe not read as text', () => {
    const other: Probe = {kind: 'referenced', id: 'other', in: ['units'], directive: 'ExecStart'}
    expect(() => compileScript([...PROBES, other], {boundary: BOUNDARY})).toThrow('every referenced probe must read the same files probes')
    const hashed: Probe[] = [{kind: 'files', id: 'bins', globs: ['/usr/local/bin/*'], content: 'sha256'}, {kind: 'referenced', id: 'env', in: ['bins'], directive: 'EnvironmentFile'}]
    expect(() => compileScript(hashed, {boundary: BOUNDARY})).toThrow('not bins')
  })

  it('reports the probe as unavailable on a host without sed', async () => {
    await put(root, 'etc/systemd/system/x.service', '[Service]\nEnvironmentFile=/etc/default/x\n')
    const bin = join(root, 'toolbin')
    await mkdir(bin)
    for (const tool of ['stat', 'readlink', 'cat', 'xargs', 'sha256sum']) await symlink(execFileSync('sh', ['-c', `command -v ${tool}`]).toString().trim(), join(bin, tool))
    const results = await run(root, `PATH=${shQuote(bin)}\n`)
    expect(results.env).toEqual({records: [], unavailable: 'not found on the host: sed'})
    expect(results.units!.records.map((r) => r.path)).toEqual(['/etc/systemd/system/x.service'])
  })

  it('says "hidden" when a directory on the way (the parent or one above) may not be searched, which is no "absent"', async () => {
    await put(root, 'etc/systemd/system/x.service', '[Service]\nEnvironmentFile=/etc/private/x.env\nEnvironmentFile=/etc/private/deeper/y.env\n')
    await put(root, 'etc/private/x.env', 'K=v\n')
    await put(root, 'etc/private/deeper/y.env', 'K=v\n')
    await chmod(join(root, 'etc/private'), 0o600)
    const script = compileScript(PROBES, {boundary: BOUNDARY, root})
    // As an unprivileged user, as a check without --sudo runs (root may search any directory).
    await chmod(root, 0o755)
    const out = process.getuid?.() === 0 ? execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-s'], {input: script}) : (await new LocalTarget().runScript(script)).stdout
    const env = parseStream(out, BOUNDARY, {root, sha256, content: CONTENT}).results.env!
    expect(lookups(env.output)).toEqual({'/etc/private/x.env': 'hidden', '/etc/private/deeper/y.env': 'hidden'})
  })
})
