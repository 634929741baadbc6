import {existsSync, readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {EntryType, FileRecord} from '../types.js'
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

const vmRecords = () => ({
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
    expect(Object.keys(output.items)).toHaveLength(25 + 3)
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
    ])
  })
})
