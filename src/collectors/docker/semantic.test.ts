import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {FORMATTING_ONLY} from '../shared.js'
import type {Item} from '../types.js'
import {compareDaemonJsonItems} from './semantic.js'

const daemonJson = readFileSync(new URL('./__fixtures__/daemon.json', import.meta.url), 'utf8')

const item = (content: string, fields: Partial<Item> = {}): Item => ({type: 'daemon-json', mode: '0644', owner: 'root', content, ...fields})

describe('docker semantic compare', () => {
  it('reports changes by key path, values as compact JSON, one side absent for added and removed keys', () => {
    const edited = JSON.stringify(
      {'log-driver': 'json-file', 'log-opts': {'max-size': '50m', 'max-file': '3'}, 'storage-driver': 'overlay2', 'registry-mirrors': ['https://mirror.gcr.io']},
      null,
      2,
    )
    expect(compareDaemonJsonItems(item(daemonJson), item(edited))).toEqual([
      {field: 'log-opts.max-size', from: '"10m"', to: '"50m"'},
      {field: 'live-restore', from: 'true'},
      {field: 'storage-driver', to: '"overlay2"'},
      {field: 'registry-mirrors', to: '["https://mirror.gcr.io"]'},
    ])
  })

  it('compares arrays whole and an emptied object as a value', () => {
    const before = item('{"dns": ["10.0.0.2", "8.8.8.8"], "log-opts": {"max-size": "10m"}}')
    const after = item('{"dns": ["8.8.8.8", "10.0.0.2"], "log-opts": {}}')
    expect(compareDaemonJsonItems(before, after)).toEqual([
      {field: 'dns', from: '["10.0.0.2","8.8.8.8"]', to: '["8.8.8.8","10.0.0.2"]'},
      {field: 'log-opts.max-size', from: '"10m"'},
      {field: 'log-opts', to: '{}'},
    ])
  })

  it('says "formatting only" when the settings are the same', () => {
    const reformatted = JSON.stringify(JSON.parse(daemonJson))
    expect(compareDaemonJsonItems(item(daemonJson), item(reformatted))).toEqual([
      {field: FORMATTING_ONLY, added: [reformatted], removed: daemonJson.trim().split('\n').map((line) => line.trim())},
    ])
  })

  it('reports a file that became invalid on field json, plus its lines', () => {
    const broken = daemonJson.replace('"max-file": "3"', '"max-file": "3",')
    const invalid = "invalid JSON at line 5, column 20: trailing comma before '}'"
    expect(compareDaemonJsonItems(item(daemonJson), item(broken, {invalid}))).toEqual([
      {field: 'json', from: 'valid', to: invalid},
      {field: 'content', added: ['"max-file": "3",'], removed: ['"max-file": "3"']},
    ])
  })
})
