import {describe, expect, it} from 'vitest'
import type {CheckResult} from '../core/check.js'
import {palette} from './colors.js'
import {renderCheck} from './text.js'

const base: CheckResult = {
  target: 'helix-vm',
  baseline: 'baselines/helix-vm.yaml',
  inSync: true,
  counts: {items: 31, findings: 0, added: 0, removed: 0, modified: 0, armed: 0, stale: 0, ignored: 0},
  findings: [],
  ignored: [],
  effectUnknown: {},
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

  it('says what is in effect, since when, and what makes an armed change take effect', () => {
    const result: CheckResult = {
      ...base,
      inSync: false,
      counts: {...base.counts, findings: 2, armed: 1, stale: 1},
      findings: [
        {
          collector: 'systemd',
          key: '/etc/systemd/system/helix-drm-manager.service',
          class: 'armed',
          summary: '[Unit] After: a → b',
          changes: [{field: '[Unit] After', from: 'a', to: 'b'}],
          diff: '',
          written: '2026-11-28T12:01:30Z',
          effect: {detail: 'systemd still runs what it loaded before (NeedDaemonReload=yes)', pending: 'systemctl daemon-reload', since: '2026-11-28T09:12:00Z', sinceWhat: 'unit started'},
        },
        {
          collector: 'kernel-cmdline',
          key: '/boot/grub/grub.cfg',
          class: 'stale',
          summary: 'on disk as in the baseline, not in effect',
          changes: [{field: 'booted', added: ['x=1']}],
          diff: '',
          effect: {detail: 'booted with another command line', pending: 'reboot', since: '2026-11-28T09:12:00Z', sinceWhat: 'booted'},
        },
      ],
      effectUnknown: {docker: 'not found on the host: docker'},
    }
    expect(renderCheck(result, palette(0))).toBe(
      [
        'drift: helix-vm against baselines/helix-vm.yaml: 2 findings (1 armed, 1 stale)',
        '',
        'systemd',
        '  armed    /etc/systemd/system/helix-drm-manager.service  (written 2026-11-28 12:01:30 UTC)',
        '    [Unit] After: a → b',
        '    in effect: systemd still runs what it loaded before (NeedDaemonReload=yes) (since 2026-11-28 09:12:00 UTC, unit started)',
        '    takes effect at: systemctl daemon-reload',
        '',
        'kernel-cmdline',
        '  stale    /boot/grub/grub.cfg',
        '    booted: +x=1',
        '    in effect: booted with another command line (since 2026-11-28 09:12:00 UTC, booted)',
        '    takes effect at: reboot',
        'effect unknown: docker: not found on the host: docker',
        '',
      ].join('\n'),
    )
  })

  it('says once for all collectors that an offline root tells nothing of what is in effect', () => {
    const why = 'offline --root: what the running system uses is not read; classified from the disk alone'
    const text = renderCheck({...base, effectUnknown: {systemd: why, files: why}}, palette(0))
    expect(text.split('\n').filter((line) => line.startsWith('effect unknown'))).toEqual([`effect unknown: systemd, files: ${why}`])
  })

  it('names what could not be checked', () => {
    const text = renderCheck({...base, inSync: false, unavailable: {files: 'not found on the host: sha256sum'}}, palette(0))
    expect(text).toContain('not checked: files: not found on the host: sha256sum')
    expect(text).not.toContain('in sync')
  })

  it('prints host data as inert text: a newline or ESC cannot forge a line or drive the terminal', () => {
    const forged = '/etc/systemd/system/x.service\nin sync: helix-vm against baselines/helix-vm.yaml (31 items)'
    const text = renderCheck(
      {
        ...base,
        inSync: false,
        counts: {...base.counts, findings: 1, added: 1},
        findings: [{collector: 'systemd', key: forged, class: 'added', summary: 's', changes: [{field: 'content', added: ['\u001B[2J\u001B]0;owned\u0007x']}], diff: '+\u001B[31mred\r\n'}],
        unreadable: ['/etc/a\u202Egnp.exe'],
        warnings: ['w\nin sync: fake'],
      },
      palette(0),
    )
    expect(text.split('\n').filter((line) => line.startsWith('in sync'))).toEqual([])
    expect(text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F\u202E]/)
    expect(text).toContain('x.service\\nin sync: helix-vm')
    expect(text).toContain('+\\x1b[2J\\x1b]0;owned\\x07x')
    expect(text).toContain('/etc/a\\u{202e}gnp.exe')
  })

  it('bounds what one finding prints, saying how much more there is', () => {
    const lines = Array.from({length: 50_000}, (_, i) => `L${i}=v`)
    const diff = ['--- baseline/x', '+++ host/x', '@@ -1,50000 +1,50000 @@', ...lines.map((l) => `+${l}`)].join('\n')
    const changes = Array.from({length: 100}, (_, i) => ({field: `[S] K${i}`, from: 'a'.repeat(1_000_000), to: 'b'}))
    const text = renderCheck(
      {...base, inSync: false, counts: {...base.counts, findings: 1, modified: 1}, findings: [{collector: 'systemd', key: '/x', class: 'modified', summary: 's', changes: [{field: 'content', added: lines, removed: []}, ...changes], diff}]},
      palette(0),
    )
    expect(text.length).toBeLessThan(100_000)
    expect(text).toContain('… 81 more changes (--json has them all)')
    expect(text).toMatch(/… \d+ more lines \(--json has them all\)/)
    expect(text).toContain('… and 49990 more')
    expect(text).toMatch(/… \(\d+ more characters\)/)
  })
})
