import {existsSync, readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {createHash} from 'node:crypto'
import {parseStream} from '../../core/frames.js'
import type {EntryType, FileRecord, ProbeResult} from '../types.js'
import {systemd} from './index.js'
import {parseSystemd} from './parse.js'

const fixtures = new URL('./__fixtures__/', import.meta.url)
const readFixture = (name: string) => readFileSync(new URL(name, fixtures), 'utf8')

const FIND_TYPES: Record<string, EntryType> = {f: 'file', l: 'link', d: 'dir'}

/**
 * The records the engine reports for a real `find -printf "%y %m %u %g %s %T@ %p -> %l"` listing, with each
 * regular file's content from the copy under __fixtures__/rootfs.
 */
function recordsFromFind(listing: string, vendor = false): FileRecord[] {
  return listing
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [, kind = '', mode = '', owner = '', group = '', size = '', mtime = '', path = '', target = ''] =
        /^(\S) (\d+) (\S+) (\S+) (\d+) ([\d.]+) (\S+) -> (.*)$/.exec(line) ?? []
      const record: FileRecord = {
        path, type: FIND_TYPES[kind] ?? 'other', mode: mode.padStart(4, '0'), owner, group,
        size: Number(size), mtime: Math.floor(Number(mtime)),
      }
      if (record.type === 'link') record.target = target
      const copy = new URL(`rootfs${path}`, fixtures)
      if (record.type === 'file' && existsSync(copy)) record.content = readFileSync(copy, 'utf8')
      if (vendor) record.vendor = true
      return record
    })
}

/** The results of a real framed stream recorded from the VM (see __fixtures__/README.md), by probe id. */
function recordedStream(name: string): Record<string, ProbeResult> {
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
  const {results} = parseStream(readFileSync(new URL(name, fixtures)), 'vmdrift-fixture', {content: {'systemd/units': 'text', 'systemd/entries': 'text'}, sha256})
  return Object.fromEntries(Object.entries(results).map(([id, result]) => [id.replace(/^systemd\//, ''), result]))
}

const vmRecords = () => ({
  'environment-files': recordedStream('stream-environment-files-clean.txt')['environment-files']!,
  units: {
    records: [
      ...recordsFromFind(readFixture('find-etc-run-systemd.txt')).filter((record) => record.path.split('/').length === 5),
      ...recordsFromFind(readFixture('find-vendor-units.txt'), true),
    ],
  },
  entries: {
    records: recordsFromFind(readFixture('find-etc-run-systemd.txt')).filter((record) => record.path.split('/').length === 6),
  },
})

const record = (path: string, fields: Partial<FileRecord>): FileRecord => ({
  path, type: 'file', mode: '0644', owner: 'root', group: 'root', size: 10, mtime: 1795836069, ...fields,
})

describe('systemd parse', () => {
  const output = parseSystemd(vmRecords())

  it('reads the dev VM: one item per file and link, none per directory', () => {
    expect(output.warnings).toEqual([])
    // 25 entries, 3 vendor units, and the /etc/default/docker docker.service names
    expect(Object.keys(output.items)).toHaveLength(25 + 3 + 1)
    expect(Object.keys(output.items).filter((key) => key.endsWith('.wants') || key.endsWith('.d'))).toEqual([])
  })

  it('keeps the unit file and its drop-in with mode, owner and content', () => {
    expect(output.items['/etc/systemd/system/helix-drm-manager.service']).toEqual({
      type: 'unit',
      mode: '0644',
      owner: 'root',
      group: 'root',
      content: readFixture('rootfs/etc/systemd/system/helix-drm-manager.service'),
    })
    expect(output.items['/etc/systemd/system/docker.service.d/helix-drm.conf']).toEqual({
      type: 'dropin',
      mode: '0644',
      owner: 'root',
      group: 'root',
      content: '[Unit]\nAfter=helix-drm-manager.service\nRequires=helix-drm-manager.service\n',
    })
  })

  it('tells masks, aliases and enablement links apart', () => {
    expect(output.items['/etc/systemd/system/apt-daily.timer']).toEqual({type: 'mask', target: '/dev/null'})
    expect(output.items['/etc/systemd/system/sshd.service']).toEqual({type: 'alias', target: '/lib/systemd/system/ssh.service'})
    expect(output.items['/etc/systemd/system/multi-user.target.wants/helix-drm-manager.service']).toEqual({
      type: 'enablement',
      target: '/etc/systemd/system/helix-drm-manager.service',
    })
    expect(output.items['/etc/systemd/system/getty.target.wants/getty@tty1.service']).toEqual({
      type: 'enablement',
      target: '/lib/systemd/system/getty@.service',
    })
  })

  it('keeps vendor units, and no vendor directory', () => {
    expect(output.items['/lib/systemd/system/docker.service']).toMatchObject({type: 'vendor-unit', mode: '0644', owner: 'root'})
    expect(output.items['/lib/systemd/system/apt-daily.timer']?.content).toContain('Description=Daily apt download activities')
    expect(output.items['/lib/systemd/system/multi-user.target.wants']).toBeUndefined()
  })

  it('tells the drift engine vendor units are context, read because of an override', () => {
    expect(systemd.isContext?.(output.items['/lib/systemd/system/docker.service']!)).toBe(true)
    expect(systemd.isContext?.(output.items['/etc/systemd/system/docker.service.d/helix-drm.conf']!)).toBe(false)
  })

  it('marks a vendor symlink apart from the links in /etc', () => {
    const {items} = parseSystemd({
      units: {records: [record('/lib/systemd/system/cryptdisks.service', {type: 'link', mode: '0777', target: '/dev/null', vendor: true})]},
      entries: {records: []},
    })
    expect(items).toEqual({'/lib/systemd/system/cryptdisks.service': {type: 'vendor-link', target: '/dev/null'}})
  })

  it('puts mtimes in meta and never in items', () => {
    expect(output.meta['/etc/systemd/system/helix-drm-manager.service']).toEqual({mtime: 1795836069})
    expect(output.meta['/lib/systemd/system/docker.service']).toEqual({mtime: 1778188176})
    expect(JSON.stringify(output.items)).not.toMatch(/17958|mtime/)
  })

  it('reads an empty unit file as a mask, and a /dev/null link in a .d directory as a masked drop-in', () => {
    const {items} = parseSystemd({
      units: {records: [record('/etc/systemd/system/ssh.service', {size: 0, content: ''})]},
      entries: {
        records: [
          record('/etc/systemd/system/rc-local.service.d/debian.conf', {type: 'link', mode: '0777', target: '/dev/null'}),
          record('/etc/systemd/system/docker.service.d/README', {content: 'notes\n'}),
        ],
      },
    })
    expect(items).toEqual({
      '/etc/systemd/system/ssh.service': {type: 'mask', mode: '0644', owner: 'root', group: 'root', content: ''},
      '/etc/systemd/system/rc-local.service.d/debian.conf': {type: 'mask', target: '/dev/null'},
      '/etc/systemd/system/docker.service.d/README': {type: 'file', mode: '0644', owner: 'root', group: 'root', content: 'notes\n'},
    })
  })

  it('keeps the error of an unreadable file and the hash of one that is not text', () => {
    const {items} = parseSystemd({
      units: {records: [record('/etc/systemd/system/secret.service', {error: 'Permission denied'})]},
      entries: {records: [record('/etc/systemd/system/x.service.d/blob.conf', {sha256: 'ab'.repeat(32)})]},
    })
    expect(items['/etc/systemd/system/secret.service']).toEqual({type: 'unit', mode: '0644', owner: 'root', group: 'root', error: 'Permission denied'})
    expect(items['/etc/systemd/system/x.service.d/blob.conf']).toEqual({type: 'dropin', mode: '0644', owner: 'root', group: 'root', sha256: 'ab'.repeat(32)})
  })

  it('warns and reports nothing for a probe that did not run', () => {
    const {units} = vmRecords()
    const output = parseSystemd({units: {records: units.records, unavailable: 'find: not found'}})
    expect(output.items).toEqual({})
    expect(output.warnings).toEqual([
      "probe 'units' did not run: find: not found",
      "probe 'entries' did not run: no result from the host",
      "probe 'environment-files' did not run: no result from the host",
    ])
  })
})

describe('systemd parse: files named by EnvironmentFile=', () => {
  const planted = recordedStream('stream-environment-files-planted.txt')
  const output = parseSystemd(planted)

  it('keeps each one as its sha256, mode and owner, never its content, and says which are absent', () => {
    expect(output.items['/etc/default/docker']).toEqual({type: 'environment-file', mode: '0644', owner: 'root', group: 'root', sha256: '66117bfaf30ce29843f0c86fab2f35046b420deb8e461317152d1d20f29dd158'})
    expect(output.meta['/etc/default/docker']).toEqual({mtime: 1728745967})
    expect(output.items['/run/vmdrift-fixture/optional.env']).toEqual({type: 'environment-file', absent: true})
  })

  it('says "not readable" for a file the user may not read, or in a directory it may not search, and follows a link', () => {
    expect(output.items['/run/vmdrift-fixture/app.env']).toEqual({type: 'environment-file', mode: '0600', owner: 'root', group: 'root', error: 'not readable'})
    expect(output.items['/run/vmdrift-fixture/private/db.env']).toEqual({type: 'environment-file', error: 'not readable'})
    // link.env -> app.env: read where the link leads, reported under the name the drop-in uses
    expect(output.items['/run/vmdrift-fixture/link.env']).toEqual(output.items['/run/vmdrift-fixture/app.env'])
  })

  it('warns about a path with a specifier, which it does not read', () => {
    expect(output.warnings).toEqual([
      '/run/systemd/system/vmdrift-fixture.service: EnvironmentFile=/etc/vmdrift-fixture/%i.env not read (a specifier (%i, %n, …) is not expanded): a change to it is not seen',
    ])
    expect(Object.keys(output.items).filter((key) => key.includes('%'))).toEqual([])
  })

  it('is context: it comes and goes with the unit that names it', () => {
    expect(systemd.isContext?.(output.items['/etc/default/docker']!)).toBe(true)
  })

  it('compares the content as "EnvironmentFile PATH" between hashes, and mode and owner as they are', () => {
    const before = output.items['/etc/default/docker']!
    const after = {...before, sha256: 'ab'.repeat(32), mode: '0640'}
    expect(systemd.compare('/etc/default/docker', before, after)).toEqual([
      {field: 'EnvironmentFile /etc/default/docker', from: `sha256:${before.sha256}`, to: `sha256:${'ab'.repeat(32)}`},
      {field: 'mode', from: '0644', to: '0640'},
    ])
    expect(systemd.compare('/etc/default/x', {type: 'environment-file', absent: true}, before)).toEqual([
      {field: 'EnvironmentFile /etc/default/x', to: `sha256:${before.sha256}`},
      {field: 'mode', to: '0644'},
      {field: 'owner', to: 'root'},
      {field: 'group', to: 'root'},
    ])
  })

  it('adds no second item for a file a unit directory holds (the engine has hashed it there)', () => {
    const vars = record('/etc/systemd/system/helix.vars', {sha256: 'ab'.repeat(32), redacted: true})
    const {items} = parseSystemd({
      units: {records: [record('/etc/systemd/system/helix.service', {content: '[Service]\nEnvironmentFile=/etc/systemd/system/helix.vars\n'}), vars]},
      entries: {records: []},
      'environment-files': {records: [record('/etc/systemd/system/helix.vars', {})], output: 'found /etc/systemd/system/helix.vars\n'},
    })
    expect(items['/etc/systemd/system/helix.vars']).toEqual({type: 'file', mode: '0644', owner: 'root', group: 'root', redacted: true, sha256: 'ab'.repeat(32)})
  })
})
