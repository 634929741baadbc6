import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {FileRecord} from '../types.js'
import {parseDocker, readDaemonJson} from './parse.js'

const daemonJson = readFileSync(new URL('./__fixtures__/daemon.json', import.meta.url), 'utf8')
/** The VM's daemon.json with the comma an editor leaves behind after deleting the last option. */
const trailingComma = daemonJson.replace('"max-file": "3"', '"max-file": "3",')

const record = (content: string): FileRecord => ({
  path: '/etc/docker/daemon.json', type: 'file', mode: '0644', owner: 'root', group: 'root', size: content.length, mtime: 1795834645, content,
})

describe('docker parse', () => {
  it("reads the dev VM's daemon.json", () => {
    expect(parseDocker({daemon: {records: [record(daemonJson)]}})).toEqual({
      items: {'/etc/docker/daemon.json': {type: 'daemon-json', mode: '0644', owner: 'root', group: 'root', content: daemonJson}},
      meta: {'/etc/docker/daemon.json': {mtime: 1795834645}},
      warnings: [],
    })
  })

  it('keeps invalid JSON as a finding with its line and column, and warns', () => {
    const output = parseDocker({daemon: {records: [record(trailingComma)]}})
    expect(output.items['/etc/docker/daemon.json']).toEqual({
      type: 'daemon-json',
      mode: '0644',
      owner: 'root',
      group: 'root',
      content: trailingComma,
      invalid: "invalid JSON at line 6, column 3: property name expected",
    })
    expect(output.warnings).toEqual(["/etc/docker/daemon.json: invalid JSON at line 6, column 3: property name expected"])
  })

  it('has no item when there is no daemon.json, and warns when the probe did not run', () => {
    expect(parseDocker({daemon: {records: []}}).items).toEqual({})
    expect(parseDocker({}).warnings).toEqual(["probe 'daemon' did not run: no result from the host"])
  })

  it('reads a file that is not UTF-8 by its digest', () => {
    const output = parseDocker({daemon: {records: [{...record(''), content: undefined, sha256: 'ab'.repeat(32)}]}})
    expect(output.items['/etc/docker/daemon.json']).toEqual({type: 'daemon-json', mode: '0644', owner: 'root', group: 'root', sha256: 'ab'.repeat(32)})
    expect(output.warnings).toEqual(['/etc/docker/daemon.json: not UTF-8 text, compared by its sha256 only'])
  })
})

describe('docker readDaemonJson', () => {
  it('reads settings as dockerd does: BOM and an empty file allowed, only an object at the top', () => {
    expect(readDaemonJson(daemonJson)).toEqual({
      settings: {'log-driver': 'json-file', 'log-opts': {'max-size': '10m', 'max-file': '3'}, 'live-restore': true},
    })
    expect(readDaemonJson(`\uFEFF${daemonJson}`)).toEqual(readDaemonJson(daemonJson))
    expect(readDaemonJson(' \n')).toEqual({settings: {}})
    expect(readDaemonJson('["debug"]')).toEqual({invalid: 'not a JSON object'})
  })
})
