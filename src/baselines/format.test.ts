import {describe, expect, it} from 'vitest'
import type {Baseline} from '../model.js'
import {END_MARKER, formatBaseline, parseBaseline} from './format.js'

const baseline: Baseline = {
  vmdrift: 2,
  target: 'helix-vm',
  options: {collectors: ['systemd', 'files'], watch: ['/opt/helix/bin/*']},
  collectors: {
    files: {
      '/usr/local/bin/helix-drm-manager': {type: 'file', size: 12, sha256: 'a'.repeat(64), owner: 'root', group: 'root', mode: '0755'},
    },
    systemd: {
      '/etc/systemd/system/z.service': {content: '[Unit]\nAfter=a.service\n', type: 'unit', owner: 'root', group: 'root', mode: '0644'},
      '/etc/systemd/system/a.service': {type: 'mask', target: '/dev/null'},
    },
  },
}

describe('baseline format', () => {
  it('writes the same bytes whatever the order it was given, and reads back what it wrote', () => {
    const shuffled: Baseline = {
      ...baseline,
      collectors: {
        systemd: Object.fromEntries(Object.entries(baseline.collectors.systemd!).reverse()),
        files: baseline.collectors.files!,
      },
    }
    const text = formatBaseline(baseline)
    expect(formatBaseline(shuffled)).toBe(text)
    expect(parseBaseline(text, 'b.yaml')).toEqual(baseline)
  })

  it('stores file contents as literal block scalars, type first and content last', () => {
    const text = formatBaseline(baseline)
    expect(text).toContain(
      ['    /etc/systemd/system/z.service:', '      type: unit', '      group: root', '      mode: "0644"', '      owner: root', '      content: |', '        [Unit]', '        After=a.service'].join('\n'),
    )
    expect(text.trimEnd().endsWith(END_MARKER)).toBe(true)
    expect(text.indexOf('systemd:')).toBeLessThan(text.indexOf('files:'))
  })

  it('never shares one object between two items as a YAML alias', () => {
    const item = {type: 'mask', target: '/dev/null'}
    const text = formatBaseline({...baseline, collectors: {systemd: {'/a': item, '/b': item}}})
    expect(text).not.toMatch(/[&*]a\d/)
  })

  it('keeps content that YAML would otherwise mangle', () => {
    const content = '  leading spaces\n\ttab\ntrailing spaces   \n# not a comment\n\n'
    const text = formatBaseline({...baseline, collectors: {systemd: {'/x': {type: 'unit', mode: '0644', owner: 'root', group: 'root', content}}}})
    expect((parseBaseline(text, 'b.yaml').collectors.systemd!['/x']! as unknown as {content: string}).content).toBe(content)
  })

  // A restore writes back exactly what the baseline holds, so every content must survive YAML byte for byte.
  it('reads back every content byte for byte: no final newline, several, CRLF, indentation, quotes, unicode', () => {
    const contents = [
      '', 'x', 'no newline at the end', 'a\n\n\n', '\n\nleading blank lines\n', 'crlf\r\nline\r\n', ' indented first line\n',
      '\ttab first\n', 'trailing space \n', '- looks like a list\n', 'key: value\n', '"quoted"\n', "'single'\n", '|\n>\n',
      '#!/bin/sh\necho "$(id)"\n', 'ünïcødé ✓\n', 'a\u0085b\n', 'lone\rcarriage return', '...\n---\n', '   \n', ' \n', '\t\n', 'a\n   \n', '\n \n',
    ]
    const items = Object.fromEntries(contents.map((content, i) => [`/c${i}`, {type: 'unit', mode: '0644', owner: 'root', group: 'root', content}]))
    const parsed = parseBaseline(formatBaseline({...baseline, collectors: {systemd: items}}), 'b.yaml')
    for (const [key, item] of Object.entries(items)) expect(parsed.collectors.systemd![key]!.content, JSON.stringify(item.content)).toBe(item.content)
  })

  it('keeps the --keep-content globs, and leaves the field out when there are none', () => {
    const kept: Baseline = {...baseline, options: {...baseline.options, keepContent: ['/usr/local/bin/*']}}
    const text = formatBaseline(kept)
    expect(text).toContain('keepContent:\n    - /usr/local/bin/*\n')
    expect(parseBaseline(text, 'b.yaml')).toEqual(kept)
    expect(formatBaseline(baseline)).not.toContain('keepContent')
  })

  describe('refuses a bad baseline in one line naming the place', () => {
    const good = formatBaseline(baseline)
    const cases: [string, string, RegExp][] = [
      ['empty', '', /^b\.yaml: the baseline is empty$/],
      ['not YAML', 'vmdrift: 1\n  target: [\n', /^b\.yaml:\d+:\d+: not valid YAML: /],
      ['a duplicate key', good.replace('target: helix-vm', 'target: helix-vm\ntarget: other'), /^b\.yaml:\d+:\d+: not valid YAML: duplicated mapping key/],
      ['an unknown field', good.replace('target: helix-vm', 'target: helix-vm\nextra: 1'), /^b\.yaml:6:\d+: the document unknown field 'extra'$/],
      ['a bad mode', good.replace('mode: "0755"', 'mode: rwxr-xr-x'), /^b\.yaml:\d+:13: collectors\.files\["\/usr\/local\/bin\/helix-drm-manager"\]\.mode must match pattern/],
      // An unknown key inside an item is not state to compare: it is a file vmdrift did not write.
      ['an unknown key inside an item', good.replace('mode: "0755"', 'mode: "0755"\n      colour: blue'), /^b\.yaml:\d+:\d+: collectors\.files\["\/usr\/local\/bin\/helix-drm-manager"\] unknown field 'colour'$/],
      ['an unknown collector', good.replace('  systemd:\n    /etc', '  bogus:\n    /etc'), /collectors has an invalid name 'bogus'|must be one of/],
      ['an alias bomb', 'vmdrift: 1\na: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n', /^b\.yaml: .*alias/i],
      ['an alias in flow style', 'vmdrift: 2\na: [1,&a {k: 1},*a]\n', /^b\.yaml: .*alias/i],
      ['an alias after a quoted key', 'vmdrift: 2\nx: {"a":&x [1], "b": *x}\n', /^b\.yaml: .*alias/i],
      ['an alias of a line of its own', 'vmdrift: 2\na:\n  &x\n  k: 1\nb: *x\n', /^b\.yaml: .*alias/i],
      ['nesting thousands deep', `vmdrift: 1\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, /^b\.yaml:\d+:\d+: not valid YAML: nesting exceeded maxDepth/],
      ['a truncated file', good.slice(0, good.indexOf('After=a.service') + 5), /truncated/],
      ['format 1', good.replace('vmdrift: 2', 'vmdrift: 1'), /^b\.yaml: baseline format 1: re-capture with this vmdrift$/],
      ['a newer format', good.replace('vmdrift: 2', 'vmdrift: 3'), /^b\.yaml: baseline format 3 is newer than this vmdrift reads \(2\)/],
      ['a file item without its group', good.replace('      group: root\n      mode: "0644"', '      mode: "0644"'), /^b\.yaml:\d+:\d+: collectors\.systemd\["\/etc\/systemd\/system\/z\.service"\] must have properties mode, owner, group when property content is present$/],
    ]
    for (const [name, text, message] of cases) {
      it(name, () => {
        let thrown: Error | undefined
        try {
          parseBaseline(text, 'b.yaml')
        } catch (error) {
          thrown = error as Error
        }
        expect(thrown?.name).toBe('InputError')
        expect(thrown?.message).toMatch(message)
        expect(thrown?.message).not.toContain('\n')
      })
    }
  })
})
