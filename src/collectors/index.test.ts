import {readdirSync, readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {collectorById, collectors} from './index.js'
import {readsUnderRoot} from './types.js'

const collectorsDir = new URL('./', import.meta.url)
const folders = readdirSync(collectorsDir, {withFileTypes: true})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)

describe('collectors', () => {
  it('lists every collector folder, by its id', () => {
    expect(collectors.map((collector) => collector.id).sort()).toEqual([...folders].sort())
  })

  it.each(collectors.map((collector) => [collector.id, collector] as const))('%s is well-formed', (id, collector) => {
    expect(collectorById(id)).toBe(collector)
    expect(collector.title).not.toBe('')
    const probes = collector.probes({watch: []})
    expect(probes.length).toBeGreaterThan(0)
    expect(new Set(probes.map((probe) => probe.id)).size).toBe(probes.length)
    // Collectors are pure: the engine does all reading, so they must never import I/O modules.
    for (const file of readdirSync(new URL(`${id}/`, collectorsDir)).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))) {
      expect(readFileSync(new URL(`${id}/${file}`, collectorsDir), 'utf8'), `${id}/${file}`).not.toMatch(/from '(node:)?(fs|child_process|ssh2)/)
    }
    const index = readFileSync(new URL(`${id}/index.ts`, collectorsDir), 'utf8')
    expect(index.split('\n')[0], `${id}/index.ts opens with a link to the upstream doc`).toMatch(/^\/\/ .*https:\/\//)
  })

  it('parses a capture in which no probe ran to no items and one warning per probe of the disk', () => {
    for (const collector of collectors) {
      const output = collector.parse({}, {watch: []})
      expect(output.items, collector.id).toEqual({})
      expect(output.warnings?.length, collector.id).toBe(collector.probes({watch: []}).filter(readsUnderRoot).length)
    }
  })

  it.each(collectors.map((collector) => [collector.id, collector] as const))('%s reads what is in effect by probes of the running system', (_id, collector) => {
    const live = collector.probes({watch: []}).filter((probe) => !readsUnderRoot(probe))
    expect(live.length).toBeGreaterThan(0)
    expect(collector.effect).toBeTypeOf('function')
    // Nothing collector-specific in the engine: a probe names its tools, an each-probe its own files probe.
    for (const probe of live) {
      if (probe.kind === 'files' || probe.kind === 'referenced') continue
      expect(probe.tools.length).toBeGreaterThan(0)
      if (probe.kind === 'each') expect(collector.probes({watch: []}).some((p) => p.id === probe.of && p.kind === 'files')).toBe(true)
    }
  })

  it('has no collector for an unknown id', () => {
    expect(collectorById('nope')).toBeUndefined()
  })
})
