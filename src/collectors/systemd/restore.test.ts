import {describe, expect, it} from 'vitest'
import type {RestoredItem} from '../types.js'
import {restoreSystemdItem, systemdCommands, unitOf} from './restore.js'

const context = (restart: boolean) => ({restart, hasBlob: () => false})
const UNIT = '/etc/systemd/system/helix-drm-manager.service'
const unit = {type: 'unit', mode: '0644', owner: 'root', group: 'root', content: '[Unit]\n'}

describe('systemd restore commands', () => {
  it('names the unit of a unit file and of a drop-in, in /etc and /run', () => {
    expect(unitOf(UNIT)).toBe('helix-drm-manager.service')
    expect(unitOf('/run/systemd/system/docker.service.d/x.conf')).toBe('docker.service')
    expect(unitOf('/etc/systemd/system/multi-user.target.wants/ssh.service')).toBeUndefined()
    expect(unitOf('/lib/systemd/system/ssh.service')).toBeUndefined()
  })

  it('reloads for what is already restored but not loaded (stale), and restarts what runs an older version only with --restart', () => {
    // As the engine classifies them on the VM: a unit file put back without a reload, and one whose process
    // started before its file was written.
    const stale: RestoredItem[] = [
      {key: UNIT, wanted: unit, found: unit, action: {kind: 'follows', after: 'systemctl daemon-reload'}, stale: {pending: 'systemctl daemon-reload'}},
      {key: '/etc/systemd/system/ssh.service', wanted: unit, found: unit, action: {kind: 'follows', after: 'systemctl restart ssh.service'}, stale: {pending: 'systemctl restart ssh.service'}},
    ]
    expect(systemdCommands(stale, context(false))).toEqual({
      commands: [{run: [['systemctl', 'daemon-reload']], why: 'systemd loads the unit files as restored'}],
      notes: ['ssh.service runs what it started with before the file was put back, until restarted (--restart does it)'],
    })
    expect(systemdCommands(stale, context(true)).commands.map((c) => c.run[0]!.join(' '))).toEqual(['systemctl daemon-reload', 'systemctl restart -- ssh.service'])
    expect(systemdCommands([stale[1]!], context(true)).commands.map((c) => c.run[0]!.join(' '))).toEqual(['systemctl restart -- ssh.service'])
  })

  it('runs nothing when nothing of systemd differs', () => {
    expect(systemdCommands([], context(true))).toEqual({commands: []})
  })

  it('never writes an environment file back nor moves one aside: the baseline has only its sha256', () => {
    const stored = {type: 'environment-file', mode: '0600', owner: 'root', group: 'root', sha256: 'ab'.repeat(32)}
    const changed = {...stored, sha256: 'cd'.repeat(32)}
    for (const [wanted, found] of [[stored, changed], [stored, undefined], [undefined, changed], [{type: 'environment-file', absent: true}, changed]] as const) {
      const action = restoreSystemdItem('/etc/default/helix', wanted, found, {restart: false, hasBlob: () => true})
      expect(action).toEqual({kind: 'cannot', reason: 'content not in baseline (an EnvironmentFile= is stored as its sha256 only: put its content back by hand)'})
    }
  })
})
