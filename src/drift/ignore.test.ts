import {describe, expect, it} from 'vitest'
import {parseConfig} from '../config/config.js'
import type {Finding} from '../model.js'
import {applyIgnoreRules, type IgnoreRule} from './ignore.js'

function finding(collector: string, key: string, changes: Finding['changes'] = [{field: 'content', from: 'a', to: 'b'}]): Finding {
  return {collector, key, class: 'modified', summary: 'changed', changes, diff: ''}
}

const timer = finding('systemd', '/etc/systemd/system/fstrim.timer')
const backup = finding('systemd', '/etc/systemd/system/backup.timer')
const nested = finding('systemd', '/etc/systemd/system/timers.target.wants/fstrim.timer')
const service = finding('systemd', '/etc/systemd/system/docker.service')
const quiet = finding('kernel-cmdline', 'configured', [{field: 'cmdline', removed: ['quiet']}])
const quietAndVideo = finding('kernel-cmdline', '/proc/cmdline', [{field: 'cmdline', added: ['video=Virtual-1:1920x1080'], removed: ['quiet']}])

/** The rules as a user writes them in vmdrift.yaml, through the real config parser. */
function rules(yaml: string): IgnoreRule[] {
  const parsed = parseConfig(yaml, 'vmdrift.yaml')
  if ('errors' in parsed) throw new Error(JSON.stringify(parsed.errors))
  return parsed.config.ignore
}

const keys = (fs: Finding[]) => fs.map((f) => `${f.collector}:${f.key}`)

describe('ignore rules', () => {
  it('ignores by glob over collector:key, * not crossing /, ** crossing it', () => {
    const all = [timer, nested, service]
    expect(keys(applyIgnoreRules(all, rules('ignore: ["systemd:/etc/systemd/system/*.timer"]'), '2026-11-28').ignored)).toEqual(['systemd:/etc/systemd/system/fstrim.timer'])
    expect(keys(applyIgnoreRules(all, rules('ignore: ["systemd:/etc/systemd/system/**/*.timer"]'), '2026-11-28').ignored)).toEqual([
      'systemd:/etc/systemd/system/fstrim.timer',
      'systemd:/etc/systemd/system/timers.target.wants/fstrim.timer',
    ])
  })

  it('re-includes with !, the last matching rule deciding, comments anywhere', () => {
    const yaml = [
      'ignore:',
      '  # every timer is rolled out by ansible…',
      '  - systemd:/etc/systemd/system/*.timer',
      '  # …but the backup timer is ours',
      '  - "!systemd:/etc/systemd/system/backup.timer"   # trailing comment',
      '',
    ].join('\n')
    const outcome = applyIgnoreRules([timer, backup, service], rules(yaml), '2026-11-28')
    expect(keys(outcome.kept)).toEqual(['systemd:/etc/systemd/system/backup.timer', 'systemd:/etc/systemd/system/docker.service'])
    expect(outcome.ignored).toEqual([{...timer, ignoredBy: {pattern: 'systemd:/etc/systemd/system/*.timer', source: 'vmdrift.yaml:3'}}])
    // and an ignore after the re-include wins again
    const again = applyIgnoreRules([backup], rules(`${yaml}  - systemd:/etc/systemd/system/backup.*\n`), '2026-11-28')
    expect(again.kept).toEqual([])
  })

  it('carries the reason and expiry to the ignored finding', () => {
    const outcome = applyIgnoreRules([service], rules('ignore:\n  - pattern: systemd:/**/docker.service\n    reason: upgraded by the docker role\n    expires: 2026-12-01\n'), '2026-11-28')
    expect(outcome.ignored[0]?.ignoredBy).toEqual({pattern: 'systemd:/**/docker.service', reason: 'upgraded by the docker role', expires: '2026-12-01', source: 'vmdrift.yaml:2'})
    expect(outcome.expired).toEqual([])
  })

  it('stops ignoring on the day a rule expires, and says so', () => {
    const expiring = rules('ignore:\n  - pattern: systemd:/etc/systemd/system/*.timer\n    expires: 2026-11-28\n')
    expect(keys(applyIgnoreRules([timer], expiring, '2026-11-27').ignored)).toEqual(['systemd:/etc/systemd/system/fstrim.timer'])
    const outcome = applyIgnoreRules([timer], expiring, '2026-11-28')
    expect(outcome.ignored).toEqual([])
    expect(outcome.kept).toEqual([timer])
    expect(outcome.expired).toEqual([
      "ignore rule 'systemd:/etc/systemd/system/*.timer' (vmdrift.yaml:2) expired on 2026-11-28: it no longer ignores anything (1 finding it matches reported)",
    ])
  })

  it('ignores a kernel parameter by name, only where every changed member is ignored', () => {
    const outcome = applyIgnoreRules([quiet, quietAndVideo], rules('ignore: ["kernel-cmdline:quiet"]'), '2026-11-28')
    expect(keys(outcome.ignored)).toEqual(['kernel-cmdline:configured'])
    expect(keys(outcome.kept)).toEqual(['kernel-cmdline:/proc/cmdline'])
    const both = applyIgnoreRules([quietAndVideo], rules('ignore: ["kernel-cmdline:quiet", "kernel-cmdline:video=*"]'), '2026-11-28')
    expect(both.kept).toEqual([])
  })

  it('never ignores a finding by members when it also has a scalar change', () => {
    const mixed = finding('kernel-cmdline', '/etc/default/grub', [{field: 'GRUB_CMDLINE_LINUX', removed: ['quiet']}, {field: 'GRUB_TIMEOUT', from: '5', to: '0'}])
    expect(applyIgnoreRules([mixed], rules('ignore: ["kernel-cmdline:quiet"]'), '2026-11-28').kept).toEqual([mixed])
  })
})
