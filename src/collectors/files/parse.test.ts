import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {FileRecord} from '../types.js'
import {files} from './index.js'
import {parseFiles} from './parse.js'

const readFixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')

/** The record the engine reports for the helix binary: the VM's find -printf line and its sha256sum. */
function helixRecord(): FileRecord {
  const [, mode = '', owner = '', group = '', size = '', mtime = '', path = ''] =
    /^f (\d+) (\S+) (\S+) (\d+) ([\d.]+) (\S+) -> $/.exec(readFixture('find-usr-local.txt').split('\n')[0] ?? '') ?? []
  const sha256 = /^([0-9a-f]{64}) {2}\/usr\/local\/bin\/helix-drm-manager$/m.exec(readFixture('sha256sum-usr-local.txt'))?.[1]
  return {path, type: 'file', mode: mode.padStart(4, '0'), owner, group, size: Number(size), mtime: Math.floor(Number(mtime)), sha256}
}

describe('files parse', () => {
  it('reads the helix binary on the dev VM: digest, size, mode, owner, group', () => {
    const output = parseFiles({watched: {records: [helixRecord()]}})
    expect(output.warnings).toEqual([])
    expect(output.items).toEqual({
      '/usr/local/bin/helix-drm-manager': {
        type: 'file',
        mode: '0755',
        owner: 'root',
        group: 'root',
        size: 682696,
        sha256: '075e4c1e2988a55af53716d524338322c0e710bfec252503408a176011998c3e',
      },
    })
    expect(output.meta).toEqual({'/usr/local/bin/helix-drm-manager': {mtime: 1795836069}})
  })

  it('reads links by target, directories by mode and owner, and keeps the error of an unreadable file', () => {
    const base = {mode: '0755', owner: 'root', group: 'staff', size: 4096, mtime: 1795836069}
    const {items} = parseFiles({
      watched: {
        records: [
          {...base, path: '/usr/local/bin/helix', type: 'link', mode: '0777', target: 'helix-drm-manager'},
          {...base, path: '/opt/helix', type: 'dir'},
          {...base, path: '/usr/local/sbin/secret', type: 'file', mode: '0700', size: 12, error: 'Permission denied'},
        ],
      },
    })
    expect(items).toEqual({
      '/opt/helix': {type: 'dir', mode: '0755', owner: 'root', group: 'staff'},
      '/usr/local/bin/helix': {type: 'link', target: 'helix-drm-manager'},
      '/usr/local/sbin/secret': {type: 'file', mode: '0700', owner: 'root', group: 'staff', size: 12, error: 'Permission denied'},
    })
  })

  it('warns and reports nothing when the host has no sha256sum', () => {
    expect(parseFiles({watched: {records: [], unavailable: 'sha256sum: not found'}})).toEqual({
      items: {},
      meta: {},
      warnings: ["probe 'watched' did not run: sha256sum: not found"],
    })
  })
})

describe('files collector', () => {
  it('hashes /usr/local/bin, /usr/local/sbin and the watched paths on the host', () => {
    const globs = ['/usr/local/bin/*', '/usr/local/sbin/*', '/opt/helix/*']
    expect(files.probes({watch: ['/opt/helix/*', '/usr/local/bin/*']})).toMatchObject([
      {kind: 'files', id: 'watched', globs, content: 'sha256'},
      {kind: 'command', id: 'running', reads: 'live', args: globs},
    ])
  })

  it('compares field by field, keeping digests whole', () => {
    // The same binary after it was replaced by rename under the running daemon (binary-replaced capture).
    const replaced = readFixture('binary-replaced-under-running-daemon.txt')
    const newSha256 = /^([0-9a-f]{64}) {2}\/usr\/local\/bin\/helix-drm-manager$/m.exec(replaced)?.[1]
    const newSize = /^(\d+) \d+ \/usr\/local\/bin\/helix-drm-manager$/m.exec(replaced)?.[1]
    const before = parseFiles({watched: {records: [helixRecord()]}}).items['/usr/local/bin/helix-drm-manager']!
    const after = {...before, size: Number(newSize), sha256: newSha256 ?? ''}
    expect(files.compare('/usr/local/bin/helix-drm-manager', before, after)).toEqual([
      {field: 'size', from: '682696', to: '819'},
      {
        field: 'sha256',
        from: '075e4c1e2988a55af53716d524338322c0e710bfec252503408a176011998c3e',
        to: '7fff1a0d3389cace815fb830759b5fa0aaa28f6bd6edbcdeced3cab72e10efb3',
      },
    ])
    expect(files.text(before)).toBe(
      'type: file\ngroup: root\nmode: 0755\nowner: root\nsha256: 075e4c1e2988a55af53716d524338322c0e710bfec252503408a176011998c3e\nsize: 682696\n',
    )
  })
})
