import {describe, expect, it} from 'vitest'
import type {CheckResult} from '../core/check.js'
import {palette} from './colors.js'
import {renderCheck} from './text.js'

const base: CheckResult = {
  target: 'helix-vm',
  baseline: 'baselines/helix-vm.yaml',
  inSync: true,
  counts: {items: 31, findings: 0, added: 0, removed: 0, modified: 0},
  findings: [],
  unavailable: {},
  unreadable: [],
  warnings: [],
}

describe('report', () => {
  it('says in sync in one line', () => {
    expect(renderCheck(base, palette(0))).toBe('in sync: helix-vm against baselines/helix-vm.yaml (31 items)\n')
  })

  it('groups findings by collector, with changes, time and indented diff', () => {
    const result: CheckResult = {
      ...base,
      inSync: false,
      counts: {...base.counts, findings: 1, modified: 1},
      findings: [
        {
          collector: 'systemd',
          key: '/etc/systemd/system/helix-drm-manager.service',
          class: 'modified',
          summary: '[Unit] After: a → b',
          changes: [{field: '[Unit] After', from: 'a', to: 'b'}],
          diff: '--- baseline/x\n+++ host/x\n@@ -1 +1 @@\n-After=a\n+After=b\n',
          written: '2026-11-28T12:01:00Z',
        },
      ],
      warnings: ['docker: daemon.json is not valid JSON'],
    }
    expect(renderCheck(result, palette(0))).toBe(
      [
        'drift: helix-vm against baselines/helix-vm.yaml: 1 finding (1 modified)',
        '',
        'systemd',
        '  modified /etc/systemd/system/helix-drm-manager.service  (written 2026-11-28 12:01:00 UTC)',
        '    [Unit] After: a → b',
        '      --- baseline/x',
        '      +++ host/x',
        '      @@ -1 +1 @@',
        '      -After=a',
        '      +After=b',
        'warning: docker: daemon.json is not valid JSON',
        '',
      ].join('\n'),
    )
  })

  it('names what could not be checked', () => {
    const text = renderCheck({...base, inSync: false, unavailable: {files: 'not found on the host: sha256sum'}}, palette(0))
    expect(text).toContain('not checked: files: not found on the host: sha256sum')
    expect(text).not.toContain('in sync')
  })
})
