import {describe, expect, it} from 'vitest'
import type {Collector, Item} from '../collectors/types.js'
import {canonical, describeChange, diffStates, MAX_DIFF_CHARS} from './diff.js'

// A collector whose compare is field by field: enough to test the engine without any real collector's rules.
const plain: Collector = {
  id: 'plain',
  title: 'test',
  probes: () => [],
  parse: () => ({items: {}, meta: {}}),
  compare: (_key, before, after) =>
    [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((f) => canonical(before[f]) !== canonical(after[f]))
      .map((field) => ({field, from: before[field] as string | undefined, to: after[field] as string | undefined})),
  text: (item) => (typeof item.content === 'string' ? item.content : canonical(item)),
  isContext: (item) => item.type === 'vendor',
}
const lookup = (id: string) => (id === 'plain' ? plain : undefined)
const unit = (content: string): Item => ({type: 'unit', content})

describe('drift', () => {
  it('finds nothing when only key order differs', () => {
    const a = {collectors: {plain: {'/a': {type: 'f', x: '1', y: '2'}}}}
    const b = {collectors: {plain: {'/a': {y: '2', x: '1', type: 'f'}}}}
    expect(diffStates(a, b, lookup)).toEqual([])
  })

  it('classifies added, removed and modified items, sorted by key, with mtimes as ISO times', () => {
    const baseline = {collectors: {plain: {'/b': unit('old\n'), '/c': unit('gone\n')}}}
    const snapshot = {
      collectors: {plain: {'/a': unit('new\n'), '/b': unit('new\n')}},
      meta: {plain: {'/a': {mtime: 1795834645}, '/b': {mtime: 1795834646}}},
    }
    const findings = diffStates(baseline, snapshot, lookup)
    expect(findings.map((f) => [f.key, f.class, f.written])).toEqual([
      ['/a', 'added', '2026-11-28T02:57:25Z'],
      ['/b', 'modified', '2026-11-28T02:57:26Z'],
      ['/c', 'removed', undefined],
    ])
    expect(findings[2]).not.toHaveProperty('written')
    expect(findings[1]!.summary).toBe('content: old\n → new\n')
    expect(findings[1]!.diff).toContain('--- baseline/b\n+++ host/b\n@@ -1,1 +1,1 @@\n-old\n+new\n')
    expect(findings[0]!.diff).toContain('+new')
  })

  it('dates a removed file by the directory that held it, and nothing else', () => {
    const baseline = {collectors: {plain: {'/etc/x.d/a.conf': unit('a'), configured: unit('b')}}}
    const snapshot = {collectors: {plain: {}}, directories: {'/etc/x.d': 1795834645, '/etc': 1}}
    const findings = diffStates(baseline, snapshot, lookup)
    expect(findings.map((f) => [f.key, f.class, f.written, f.directoryChanged])).toEqual([
      ['/etc/x.d/a.conf', 'removed', undefined, '2026-11-28T02:57:25Z'],
      ['configured', 'removed', undefined, undefined],
    ])
  })

  it('does not report context items coming and going, only their changes', () => {
    const baseline = {collectors: {plain: {'/v1': {type: 'vendor', content: 'a'}, '/v2': {type: 'vendor', content: 'a'}}}}
    const snapshot = {collectors: {plain: {'/v2': {type: 'vendor', content: 'b'}, '/v3': {type: 'vendor', content: 'c'}}}}
    expect(diffStates(baseline, snapshot, lookup).map((f) => `${f.class} ${f.key}`)).toEqual(['modified /v2'])
  })

  it('skips a collector that could not read the host instead of calling all its items removed', () => {
    const baseline = {collectors: {plain: {'/a': unit('x')}}}
    expect(diffStates(baseline, {collectors: {plain: {}}, unavailable: {plain: 'no sha256sum'}}, lookup)).toEqual([])
  })

  it('describes scalar and set changes the way the report prints them', () => {
    expect(describeChange({field: '[Unit] After', from: 'a.service', to: 'b.service'})).toBe('[Unit] After: a.service → b.service')
    expect(describeChange({field: 'kernel parameters', added: ['video=Virtual-1:1920x1080'], removed: ['quiet']})).toBe(
      'kernel parameters: +video=Virtual-1:1920x1080 -quiet',
    )
    expect(describeChange({field: 'sha256', from: 'a'.repeat(64), to: undefined})).toBe('sha256: aaaaaaaaaaaa… → (unset)')
  })

  it('gives no line diff for texts too large for one, and still says what changed', () => {
    const big = 'x\n'.repeat(MAX_DIFF_CHARS)
    const baseline = {collectors: {plain: {'/big': {type: 'file', content: big}}}}
    const snapshot = {collectors: {plain: {'/big': {type: 'file', content: `${big}changed\n`}}}}
    const [finding] = diffStates(baseline, snapshot, lookup)
    expect(finding!.diff).toMatch(/^--- baseline\/big\n\+\+\+ host\/big\n\(no line diff: 8\.0 MB of text is more than 2 MB\)\n$/)
    expect(finding!.changes.length).toBeGreaterThan(0)
  })
})
