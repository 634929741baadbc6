import {createHash} from 'node:crypto'
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {Probe} from '../collectors/types.js'
import {LocalTarget} from '../transport/local.js'
import {parseStream} from './frames.js'
import {compileScript, globDir, shGlob, shQuote} from './script.js'

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const BOUNDARY = 'vmdrift-0123456789abcdef'

async function run(probes: Probe[], root: string) {
  const script = compileScript(probes, {boundary: BOUNDARY, root})
  const out = await new LocalTarget().runScript(script)
  expect(out.stderr).toBe('')
  return parseStream(out.stdout, BOUNDARY, {root, sha256, content: contentOf(probes)}).results
}

const contentOf = (probes: Probe[]) => Object.fromEntries(probes.flatMap((p) => (p.kind === 'files' ? [[p.id, p.content]] : [])))

// Names that would run something if any of them reached sh unquoted.
const HOSTILE = [
  'a b.conf',
  "it's.conf",
  '$(touch PWNED).conf',
  '`touch PWNED`.conf',
  'x;touch PWNED.conf',
  'new\nline.conf',
  '-rf.conf',
  '"quoted".conf',
  '*.conf',
]

describe('script', () => {
  let root: string
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'vmdrift-script-'))
  })
  afterEach(async () => {
    await rm(root, {recursive: true, force: true})
  })

  it('quotes values so that sh reads them back verbatim', async () => {
    for (const value of HOSTILE) {
      const out = await new LocalTarget().runScript(`printf '%s' ${shQuote(value)}`)
      expect(out.stdout.toString()).toBe(value)
    }
  })

  it('leaves only glob characters unquoted', () => {
    expect(shGlob('/usr/local/bin/*')).toBe("'/usr/local/bin/'*")
    expect(shGlob("/opt/it's/$(x)/*.[ch]")).toBe(`'/opt/it'\\''s/$(x)/'*'.'[ch]`)
    expect(shGlob('/etc/[!.]*')).toBe("'/etc/'[!.]*")
  })

  it('reads every hostile file name exactly, and executes none', async () => {
    const dir = join(root, 'etc/app')
    await mkdir(dir, {recursive: true})
    for (const name of HOSTILE) await writeFile(join(dir, name), `content of ${name}\n`)
    const results = await run([{kind: 'files', id: 'p', globs: ['/etc/app/*'], content: 'text'}], root)
    const records = results.p!.records
    expect(records.map((r) => r.path).sort()).toEqual(HOSTILE.map((n) => `/etc/app/${n}`).sort())
    for (const record of records) expect(record.content).toBe(`content of ${record.path.slice('/etc/app/'.length)}\n`)
    expect(existsSync(join(root, 'etc/app/PWNED'))).toBe(false)
    expect(existsSync('PWNED')).toBe(false)
  })

  it('treats a hostile glob from the user as a pattern, never as code', async () => {
    await mkdir(join(root, 'opt'), {recursive: true})
    await writeFile(join(root, 'opt', '$(touch PWNED)'), 'x')
    const results = await run([{kind: 'files', id: 'p', globs: ['/opt/$(touch PWNED)', '/opt/`id`*', "/opt/';touch PWNED;'"], content: 'sha256'}], root)
    expect(results.p!.records.map((r) => r.path)).toEqual(['/opt/$(touch PWNED)'])
    expect(existsSync(join(root, 'opt/PWNED'))).toBe(false)
  })

  it('reports type, mode, owner, size, mtime, link targets and hashes, and keeps bytes exact', async () => {
    await mkdir(join(root, 'bin'), {recursive: true})
    const binary = Buffer.from([0, 1, 2, 255, 10, 10])
    await writeFile(join(root, 'bin/tool'), binary, {mode: 0o750})
    await writeFile(join(root, 'bin/no-newline'), 'abc')
    await symlink('/dev/null', join(root, 'bin/masked'))
    const results = await run(
      [
        {kind: 'files', id: 'hash', globs: ['/bin/tool'], content: 'sha256'},
        {kind: 'files', id: 'text', globs: ['/bin/*'], content: 'text'},
      ],
      root,
    )
    const tool = results.hash!.records[0]!
    expect(tool).toMatchObject({path: '/bin/tool', type: 'file', mode: '0750', size: 6, sha256: sha256(binary)})
    expect(tool.owner).toBeTruthy()
    expect(tool.mtime).toBeGreaterThan(1_600_000_000)
    const byPath = Object.fromEntries(results.text!.records.map((r) => [r.path, r]))
    expect(byPath['/bin/no-newline']!.content).toBe('abc')
    expect(byPath['/bin/masked']).toMatchObject({type: 'link', target: '/dev/null'})
    // Not valid UTF-8: kept as a hash, not as mangled text.
    expect(byPath['/bin/tool']!.content).toBeUndefined()
    expect(byPath['/bin/tool']!.sha256).toBe(sha256(binary))
  })

  it('finds the vendor unit behind a drop-in directory and a template instance, first search-path dir wins', async () => {
    await mkdir(join(root, 'etc/systemd/system/docker.service.d'), {recursive: true})
    await mkdir(join(root, 'etc/systemd/system/getty@tty1.service.d'), {recursive: true})
    await mkdir(join(root, 'lib/systemd/system'), {recursive: true})
    await mkdir(join(root, 'usr/lib/systemd/system'), {recursive: true})
    await writeFile(join(root, 'lib/systemd/system/docker.service'), '[Unit]\nDescription=lib\n')
    await writeFile(join(root, 'usr/lib/systemd/system/docker.service'), '[Unit]\nDescription=usr-lib\n')
    await writeFile(join(root, 'lib/systemd/system/getty@.service'), '[Unit]\nDescription=getty\n')
    const results = await run(
      [{kind: 'files', id: 'units', globs: ['/etc/systemd/system/*'], content: 'text', vendorDirs: ['/lib/systemd/system', '/usr/lib/systemd/system']}],
      root,
    )
    const vendor = results.units!.records.filter((r) => r.vendor)
    expect(vendor.map((r) => [r.path, r.content])).toEqual([
      ['/lib/systemd/system/docker.service', '[Unit]\nDescription=lib\n'],
      ['/lib/systemd/system/getty@.service', '[Unit]\nDescription=getty\n'],
    ])
  })

  it('reports the mtime of the directories it lists, for dating removals', async () => {
    await mkdir(join(root, 'etc/systemd/system/docker.service.d'), {recursive: true})
    const script = compileScript([{kind: 'files', id: 'p', globs: ['/etc/systemd/system/*', '/etc/default/grub'], content: 'text'}], {boundary: BOUNDARY, root})
    const out = await new LocalTarget().runScript(script)
    const {directories} = parseStream(out.stdout, BOUNDARY, {root, sha256, content: {p: 'text'}})
    expect(Object.keys(directories).sort()).toEqual(['/etc/systemd/system', '/etc/systemd/system/docker.service.d'])
    expect(globDir('/etc/systemd/system/*/*')).toBe('/etc/systemd/system')
    expect(globDir('/etc/default/grub')).toBe('/etc/default')
    expect(globDir('/x[0-9]')).toBe('/')
  })

  it('reports a probe whose tool is missing as unavailable instead of failing', async () => {
    await writeFile(join(root, 'f'), 'x')
    const script = compileScript([{kind: 'files', id: 'p', globs: ['/f'], content: 'sha256'}], {boundary: BOUNDARY, root})
    // PATH without sha256sum: only a directory holding the other tools.
    const bin = join(root, 'toolbin')
    await mkdir(bin)
    for (const tool of ['stat', 'readlink', 'cat', 'xargs']) await symlink(`/usr/bin/${tool}`, join(bin, tool))
    const out = await new LocalTarget().runScript(`PATH=${shQuote(bin)}\n${script}`)
    const results = parseStream(out.stdout, BOUNDARY, {root, sha256, content: {p: 'sha256'}}).results
    expect(results.p).toEqual({records: [], unavailable: 'not found on the host: sha256sum'})
  })

  it('runs a fixed number of processes however many files it reads', async () => {
    await mkdir(join(root, 'etc/many'), {recursive: true})
    for (let i = 0; i < 200; i++) await writeFile(join(root, `etc/many/unit-${i}.service`), `[Unit]\nDescription=${i}\n`)
    await mkdir(join(root, 'bin'), {recursive: true})
    // Thousands: the lists once grew by `set -- "$@" "$f"`, quadratic in sh (5,000 files took 14 s).
    await Promise.all(Array.from({length: 5000}, (_, i) => writeFile(join(root, `bin/tool-${i}`), `#!/bin/sh\n# ${i}\n`)))
    const probes: Probe[] = [
      {kind: 'files', id: 'units', globs: ['/etc/many/*'], content: 'text'},
      {kind: 'files', id: 'bins', globs: ['/bin/*'], content: 'sha256'},
    ]
    // Every external tool the script may run, behind a shim that logs its name: the log is the list of processes.
    const shims = join(root, 'shims')
    await mkdir(shims)
    const log = join(root, 'exec.log')
    for (const tool of ['stat', 'cat', 'sha256sum', 'readlink', 'xargs', 'ls', 'find']) {
      const real = execFileSync('sh', ['-c', `command -v ${tool}`]).toString().trim()
      await writeFile(join(shims, tool), `#!/bin/sh\necho ${tool} >> ${shQuote(log)}\nexec ${real} "$@"\n`, {mode: 0o755})
    }
    const script = compileScript(probes, {boundary: BOUNDARY, root})
    const out = await new LocalTarget().runScript(`PATH=${shQuote(shims)}:$PATH\n${script}`)
    const ran = (await readFile(log, 'utf8')).trim().split('\n').sort()
    // the second cat prints the hashes, which waited in a pipe while the rest ran (more than the pipe holds, here);
    // the units' cat has no xargs: their list fits on its command line
    expect(ran).toEqual(['cat', 'cat', 'sha256sum', 'stat', 'xargs', 'xargs'])
    const results = parseStream(out.stdout, BOUNDARY, {root, sha256, content: contentOf(probes)}).results
    expect(results.units!.records).toHaveLength(200)
    expect(results.units!.records.find((r) => r.path === '/etc/many/unit-7.service')!.content).toBe('[Unit]\nDescription=7\n')
    expect(results.bins!.records).toHaveLength(5000)
    expect(results.bins!.records.find((r) => r.path === '/bin/tool-3')!.sha256).toBe(sha256(Buffer.from('#!/bin/sh\n# 3\n')))
  })

  it('hashes beside the rest of the script, not after it', async () => {
    await mkdir(join(root, 'etc/units'), {recursive: true})
    await writeFile(join(root, 'etc/units/a.service'), '[Unit]\n')
    await mkdir(join(root, 'bin'), {recursive: true})
    await writeFile(join(root, 'bin/tool'), 'binary')
    const probes: Probe[] = [
      {kind: 'files', id: 'units', globs: ['/etc/units/*'], content: 'text'},
      {kind: 'files', id: 'bins', globs: ['/bin/*'], content: 'sha256'},
    ]
    // sha256sum and stat each wait (up to 10 s) until the other has started: run one after the other, they
    // could not both see the other running.
    const shims = join(root, 'shims')
    await mkdir(shims)
    const log = join(root, 'overlap.log')
    const waitFor = (mine: string, other: string, tool: string) =>
      `#!/bin/sh\n: > ${shQuote(join(root, mine))}\ni=0; while [ ! -e ${shQuote(join(root, other))} ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done\n` +
      `[ -e ${shQuote(join(root, other))} ] && echo ${tool} >> ${shQuote(log)}\nexec ${execFileSync('sh', ['-c', `command -v ${tool}`]).toString().trim()} "$@"\n`
    await writeFile(join(shims, 'sha256sum'), waitFor('hashing', 'stating', 'sha256sum'), {mode: 0o755})
    await writeFile(join(shims, 'stat'), waitFor('stating', 'hashing', 'stat'), {mode: 0o755})
    const script = compileScript(probes, {boundary: BOUNDARY, root})
    const out = await new LocalTarget().runScript(`PATH=${shQuote(shims)}:$PATH\n${script}`)
    expect((await readFile(log, 'utf8')).trim().split('\n').sort()).toEqual(['sha256sum', 'stat'])
    const results = parseStream(out.stdout, BOUNDARY, {root, sha256, content: contentOf(probes)}).results
    expect(results.bins!.records[0]!.sha256).toBe(sha256(Buffer.from('binary')))
    expect(results.units!.records[0]!.content).toBe('[Unit]\n')
  }, 30_000)

  it('reads a file that says it is empty one by one, as /proc files do', async () => {
    // /proc/self/cmdline has size 0 and content: the batched cat would mis-split it.
    const probes: Probe[] = [{kind: 'files', id: 'proc', globs: ['/proc/self/cmdline', '/proc/version'], content: 'text'}]
    const results = await run(probes, '')
    const version = results.proc!.records.find((r) => r.path === '/proc/version')!
    expect(version.size).toBe(0)
    expect(version.content).toMatch(/^Linux version /)
  })

  it('says "not readable" for a file the host cannot read instead of dropping it', async () => {
    if (process.getuid?.() === 0) {
      // root reads everything; check the parser's side with a listed file that no read returned.
      const stream = Buffer.from(
        `\n${BOUNDARY} P p\n/x\0\n${BOUNDARY} S\n81a4 600 0 0 3 1\0/x\0/x\0\n${BOUNDARY} N\n\n${BOUNDARY} END\n`,
      )
      expect(parseStream(stream, BOUNDARY, {sha256, content: {p: 'text'}}).results.p!.records[0]).toMatchObject({path: '/x', error: 'not readable'})
      return
    }
    await writeFile(join(root, 'secret'), 'x', {mode: 0o000})
    const results = await run([{kind: 'files', id: 'p', globs: ['/secret'], content: 'text'}], root)
    expect(results.p!.records[0]).toMatchObject({path: '/secret', error: 'not readable'})
  })

  it('rejects a stream that was cut short, and contents that do not add up to the sizes stat saw', () => {
    const stream = Buffer.from(`\n${BOUNDARY} P p\n/etc/x\0\n${BOUNDARY} S\n`)
    expect(() => parseStream(stream, BOUNDARY, {sha256, content: {p: 'text'}})).toThrow(/ended before/)
    const grown = Buffer.from(
      `\n${BOUNDARY} P p\n/x\0\n${BOUNDARY} S\n81a4 644 0 0 3 1\0/x\0/x\0\n${BOUNDARY} N\n/x\0\n${BOUNDARY} C\nabcd\n${BOUNDARY} Z 0\n${BOUNDARY} END\n`,
    )
    expect(() => parseStream(grown, BOUNDARY, {sha256, content: {p: 'text'}})).toThrow(/changed on the host while they were read/)
  })

  describe('confines every read to --root, as a chroot would', () => {
    let outside: string
    beforeEach(async () => {
      // The "host" files a hostile root points at: their content must never come back.
      outside = await mkdtemp(join(tmpdir(), 'vmdrift-outside-'))
      await mkdir(join(outside, 'systemd/system'), {recursive: true})
      await writeFile(join(outside, 'systemd/system/host.service'), 'HOST-SENTINEL\n')
      await writeFile(join(outside, 'shadow'), 'HOST-SENTINEL\n')
      // One directory the probes read that is really there, or the root is refused as not a host at all.
      await mkdir(join(root, 'anchor'))
    })
    afterEach(async () => {
      await rm(outside, {recursive: true, force: true})
    })

    const units: Probe = {kind: 'files', id: 'units', globs: ['/etc/systemd/system/*', '/lib/systemd/system/*'], content: 'text'}
    const entries: Probe = {kind: 'files', id: 'entries', globs: ['/etc/systemd/system/*/*'], content: 'text'}

    async function raw(read: Probe[]) {
      const probes = [...read, {kind: 'files', id: 'anchor', globs: ['/anchor/*'], content: 'none'} satisfies Probe]
      const out = await new LocalTarget().runScript(compileScript(probes, {boundary: BOUNDARY, root}))
      return {text: out.stdout.toString('latin1') + out.stderr, results: parseStream(out.stdout, BOUNDARY, {root, sha256, content: contentOf(probes)}).results}
    }

    it('follows an absolute link inside the root (ROOT/lib -> /usr/lib reads ROOT/usr/lib), keeping the path as named', async () => {
      await mkdir(join(root, 'usr/lib/systemd/system'), {recursive: true})
      await writeFile(join(root, 'usr/lib/systemd/system/own.service'), '[Unit]\n')
      await mkdir(join(root, 'etc/systemd/system'), {recursive: true})
      await symlink('/usr/lib', join(root, 'lib'))
      const {results} = await raw([units])
      expect(results.units!.records.map((r) => r.path)).toEqual(['/lib/systemd/system/own.service'])
      expect(results.units!.records[0]!.content).toBe('[Unit]\n')
    })

    it("reads from inside the root: no path it prints carries the root's own path", async () => {
      await mkdir(join(root, 'etc/systemd/system/x.service.d'), {recursive: true})
      await writeFile(join(root, 'etc/systemd/system/x.service'), '[Unit]\n')
      await writeFile(join(root, 'etc/systemd/system/x.service.d/a.conf'), '[Service]\n')
      await symlink('/dev/null', join(root, 'etc/systemd/system/masked.service'))
      const {text, results} = await raw([units, entries])
      expect(text).not.toContain(root)
      expect(text).toContain('./etc/systemd/system/x.service')
      expect(results.units!.records.map((r) => [r.path, r.type])).toEqual([
        ['/etc/systemd/system/masked.service', 'link'],
        ['/etc/systemd/system/x.service', 'file'],
        ['/etc/systemd/system/x.service.d', 'dir'],
      ])
      expect(results.units!.records[0]!.target).toBe('/dev/null')
      expect(results.entries!.records.map((r) => r.content)).toEqual(['[Service]\n'])
    })

    it('never reads the machine through a link to a directory outside the root', async () => {
      await mkdir(join(root, 'etc/systemd'), {recursive: true})
      // etc/systemd/system itself a link to the outside directory, and lib to its parent, both absolute.
      await symlink(join(outside, 'systemd/system'), join(root, 'etc/systemd/system'))
      await symlink(outside, join(root, 'lib'))
      const {text, results} = await raw([units, entries])
      expect(text).not.toContain('HOST-SENTINEL')
      expect(text).not.toContain('host.service')
      expect(results.units?.records ?? []).toEqual([])
    })

    it('does not descend through a link that a glob matches (*/* under a link to the outside)', async () => {
      await mkdir(join(root, 'etc/systemd/system'), {recursive: true})
      await symlink(join(outside, 'systemd'), join(root, 'etc/systemd/system/evil.wants'))
      await symlink('../../../..', join(root, 'etc/systemd/system/up.wants'))
      const {text, results} = await raw([units, entries])
      expect(text).not.toContain('HOST-SENTINEL')
      expect(results.entries?.records ?? []).toEqual([])
      expect(results.units!.records.map((r) => [r.path, r.type])).toEqual([
        ['/etc/systemd/system/evil.wants', 'link'],
        ['/etc/systemd/system/up.wants', 'link'],
      ])
    })

    it('descends a deeper glob (*/*/*) only through real directories, never a link at any level', async () => {
      await mkdir(join(root, 'opt/app/a/real'), {recursive: true})
      await writeFile(join(root, 'opt/app/a/real/own.so'), 'own\n')
      await symlink(outside, join(root, 'opt/app/a/evil'))
      await symlink(join(outside, '..'), join(root, 'opt/app/b'))
      const {text, results} = await raw([{kind: 'files', id: 'w', globs: ['/opt/app/*/*/*'], content: 'sha256'}])
      expect(text).not.toContain('HOST-SENTINEL')
      expect(text).not.toContain(sha256(Buffer.from('HOST-SENTINEL\n')))
      expect(results.w!.records.map((r) => r.path)).toEqual(['/opt/app/a/real/own.so'])
    })

    it("keeps '..' in a link from climbing above the root, and refuses '..' in a glob", async () => {
      await mkdir(join(root, 'etc'), {recursive: true})
      // ROOT/etc/x -> ../../../../../<outside>: from a chroot's / that is just /<outside>, which ROOT lacks.
      await symlink(`../../../../../../..${outside}`, join(root, 'etc/x'))
      const {text} = await raw([{kind: 'files', id: 'w', globs: ['/etc/x/*'], content: 'sha256'}])
      expect(text).not.toContain(sha256(Buffer.from('HOST-SENTINEL\n')))
      expect(() => compileScript([{kind: 'files', id: 'w', globs: ['/../../../etc/shadow'], content: 'sha256'}], {boundary: BOUNDARY, root})).toThrow(/'\.\.'/)
    })
  })

  it("names owners and groups from the host's passwd and group files, and keeps an id they do not name as a number", async () => {
    await mkdir(join(root, 'bin'), {recursive: true})
    await writeFile(join(root, 'bin/mine'), 'x')
    await writeFile(join(root, 'bin/nobodys'), 'y')
    const {chown} = await import('node:fs/promises')
    await chown(join(root, 'bin/nobodys'), 4242424, 4242424)
    const results = await run([{kind: 'files', id: 'p', globs: ['/bin/*'], content: 'sha256'}], root)
    const byPath = Object.fromEntries(results.p!.records.map((r) => [r.path, r]))
    const me = execFileSync('id', ['-un']).toString().trim()
    const myGroup = execFileSync('id', ['-gn']).toString().trim()
    expect(byPath['/bin/mine']).toMatchObject({owner: me, group: myGroup})
    expect(byPath['/bin/nobodys']).toMatchObject({owner: '4242424', group: '4242424'})
  })

  it('lists the directories it could not read, which a glob silently skips', async () => {
    await mkdir(join(root, 'etc/systemd/system/multi-user.target.wants'), {recursive: true})
    await symlink('/lib/systemd/system/ssh.service', join(root, 'etc/systemd/system/multi-user.target.wants/ssh.service'))
    await mkdir(join(root, 'etc/docker'), {recursive: true})
    await writeFile(join(root, 'etc/docker/daemon.json'), '{}')
    const {chmod} = await import('node:fs/promises')
    await chmod(join(root, 'etc/systemd/system/multi-user.target.wants'), 0o700)
    await chmod(join(root, 'etc/docker'), 0o700)
    await chmod(root, 0o755)
    const probes: Probe[] = [
      {kind: 'files', id: 'entries', globs: ['/etc/systemd/system/*/*'], content: 'text'},
      {kind: 'files', id: 'daemon', globs: ['/etc/docker/daemon.json'], content: 'text'},
    ]
    // As an unprivileged user, as a check without --sudo runs.
    const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-s'], {input: compileScript(probes, {boundary: BOUNDARY, root})})
    const parsed = parseStream(out, BOUNDARY, {root, sha256, content: contentOf(probes)})
    expect(parsed.unreadable.sort()).toEqual(['/etc/docker', '/etc/systemd/system/multi-user.target.wants'])
  })
})
