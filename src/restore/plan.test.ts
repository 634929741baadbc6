import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {Item} from '../collectors/types.js'
import type {Baseline, Snapshot} from '../core/types.js'
import {planRestore, stepLine} from './plan.js'

// The helix VM's own files (test/fixtures/helix-vm is a copy of what the real VM has), as a capture stores them.
const fixture = (path: string) => readFileSync(new URL(`../../test/fixtures/helix-vm${path}`, import.meta.url), 'utf8')
const UNIT = '/etc/systemd/system/helix-drm-manager.service'
const unitText = fixture(UNIT)
const grubText = fixture('/etc/default/grub')
const file = (type: string, content: string, fields: Partial<Item> = {}): Item => ({type, mode: '0644', owner: 'root', group: 'root', content, ...fields})
const link = (type: string, target: string): Item => ({type, target})
const BINARY = '/usr/local/bin/helix-drm-manager'
const binary = (sha256: string): Item => ({type: 'file', mode: '0755', owner: 'root', group: 'root', size: 18, sha256})

const baseline: Baseline = {
  vmdrift: 2,
  target: 'helix-vm',
  options: {collectors: ['systemd', 'kernel-cmdline', 'files', 'docker'], watch: []},
  collectors: {
    systemd: {
      [UNIT]: file('unit', unitText),
      '/etc/systemd/system/multi-user.target.wants/helix-drm-manager.service': link('enablement', UNIT),
      '/etc/systemd/system/multi-user.target.wants/docker.service': link('enablement', '/lib/systemd/system/docker.service'),
      '/etc/systemd/system/docker.service.d/helix-drm.conf': file('dropin', '[Unit]\nAfter=helix-drm-manager.service\n'),
      '/lib/systemd/system/docker.service': file('vendor-unit', '[Unit]\nDescription=Docker\n'),
    },
    'kernel-cmdline': {
      '/etc/default/grub': file('grub-defaults', grubText),
      configured: {type: 'configured', cmdline: 'quiet'},
      '/boot/grub/grub.cfg': {type: 'grub-cfg', entries: ['root=/dev/vda1 ro quiet']},
      '/proc/cmdline': {type: 'booted', cmdline: 'root=/dev/vda1 ro quiet'},
    },
    files: {[BINARY]: binary('a'.repeat(64))},
    docker: {'/etc/docker/daemon.json': file('daemon-json', '{"live-restore": true}\n')},
  },
}

/** The baseline with the incident's edits, as a read of the host after them gives it. */
function incident(): Snapshot {
  const collectors = structuredClone(baseline.collectors)
  const systemd = collectors.systemd!
  systemd[UNIT] = file('unit', unitText.replace('After=systemd-udev-settle.service', 'After=multi-user.target'))
  systemd['/etc/systemd/system/docker.service.d/override.conf'] = file('dropin', '[Service]\nTimeoutStartSec=1\n')
  systemd['/etc/systemd/system/containerd.service'] = link('mask', '/dev/null')
  delete systemd['/etc/systemd/system/multi-user.target.wants/docker.service']
  systemd['/run/systemd/system/stray.service'] = file('unit', '[Service]\nExecStart=/bin/true\n')
  const kernel = collectors['kernel-cmdline']!
  kernel['/etc/default/grub'] = file('grub-defaults', grubText.replace('"quiet"', '"quiet video=Virtual-1:1920x1080"'))
  kernel.configured = {type: 'configured', cmdline: 'quiet video=Virtual-1:1920x1080'}
  collectors.files![BINARY] = binary('b'.repeat(64))
  return {target: 'helix-vm', options: baseline.options, collectors, meta: {}, directories: {}, live: {}, host: {}, effectUnknown: {}, unavailable: {}, unreadable: [], warnings: []}
}

describe('planRestore', () => {
  it('writes back, re-links and moves aside the incident, then one daemon-reload and update-grub; says what it cannot', () => {
    const plan = planRestore(baseline, incident())
    expect(plan.steps.map(stepLine)).toEqual([
      'move aside /etc/systemd/system/containerd.service',
      'move aside /etc/systemd/system/docker.service.d/override.conf',
      `write ${UNIT}`,
      'link /etc/systemd/system/multi-user.target.wants/docker.service -> /lib/systemd/system/docker.service',
      'move aside /run/systemd/system/stray.service',
      'write /etc/default/grub',
      'run systemctl daemon-reload',
      'run update-grub (or grub-mkconfig -o /boot/grub/grub.cfg)',
    ])
    expect(plan.steps[2]).toMatchObject({kind: 'write', file: {mode: '0644', owner: 'root', group: 'root', content: unitText}})
    expect(plan.cannot).toEqual([{collector: 'files', key: BINARY, reason: expect.stringMatching(/^content not in baseline \(sha256 only; capture --keep-content GLOB keeps it\)$/)}])
    expect(plan.follows).toEqual([{collector: 'kernel-cmdline', key: 'configured', after: 'the GRUB defaults files'}])
    expect(plan.notes).toEqual(['a reboot, to boot the restored kernel command line (--reboot does it)'])
  })

  it('plans nothing for a host in sync', () => {
    const host: Snapshot = {...incident(), collectors: structuredClone(baseline.collectors)}
    expect(planRestore(baseline, host)).toEqual({steps: [], cannot: [], follows: [], notes: [], unavailable: {}})
  })

  it('writes a binary back from its kept bytes when capture --keep-content stored them', () => {
    const plan = planRestore(baseline, incident(), {blobs: new Set(['a'.repeat(64)])})
    expect(plan.cannot).toEqual([])
    expect(plan.steps).toContainEqual(expect.objectContaining({kind: 'write', path: BINARY, file: {mode: '0755', owner: 'root', group: 'root', blob: 'a'.repeat(64)}}))
  })

  it('--only keeps the items whose path, or for a pattern without a slash whose file name, matches', () => {
    expect(planRestore(baseline, incident(), {only: 'docker.service*'}).steps.map(stepLine)).toEqual([
      'link /etc/systemd/system/multi-user.target.wants/docker.service -> /lib/systemd/system/docker.service',
      'run systemctl daemon-reload',
    ])
    expect(planRestore(baseline, incident(), {only: '/etc/default/**'}).steps.map(stepLine)).toEqual([
      'write /etc/default/grub',
      'run update-grub (or grub-mkconfig -o /boot/grub/grub.cfg)',
    ])
  })

  it('--restart restarts the units whose unit file or drop-in is written, and dockerd for daemon.json; never otherwise', () => {
    const host = incident()
    host.collectors.systemd!['/etc/systemd/system/docker.service.d/helix-drm.conf'] = file('dropin', '[Unit]\n')
    host.collectors.docker!['/etc/docker/daemon.json'] = file('daemon-json', '{"live-restore": false}\n')
    const commands = (restart: boolean) => planRestore(baseline, host, {restart}).steps.filter((s) => s.kind === 'command').map(stepLine)
    expect(commands(true)).toEqual([
      'run systemctl daemon-reload',
      'run systemctl restart docker.service',
      'run systemctl restart helix-drm-manager.service',
      'run update-grub (or grub-mkconfig -o /boot/grub/grub.cfg)',
    ])
    expect(commands(false)).toEqual(['run systemctl daemon-reload', 'run update-grub (or grub-mkconfig -o /boot/grub/grub.cfg)'])
    expect(planRestore(baseline, host).notes).toContain('dockerd keeps the daemon.json it started with until it restarts (--restart does it)')
  })

  it('runs no command on an offline root, and says which were left', () => {
    const plan = planRestore(baseline, incident(), {offline: true})
    expect(plan.steps.filter((step) => step.kind === 'command')).toEqual([])
    expect(plan.notes).toContain('not run on an offline root: systemctl daemon-reload')
  })

  it('leaves a changed vendor unit to its package, and regenerates grub.cfg that differs on its own', () => {
    const host: Snapshot = {...incident(), collectors: structuredClone(baseline.collectors)}
    host.collectors.systemd!['/lib/systemd/system/docker.service'] = file('vendor-unit', '[Unit]\nDescription=Docker 2\n')
    host.collectors['kernel-cmdline']!['/boot/grub/grub.cfg'] = {type: 'grub-cfg', entries: ['root=/dev/vda1 ro quiet splash']}
    const plan = planRestore(baseline, host)
    expect(plan.cannot).toEqual([{collector: 'systemd', key: '/lib/systemd/system/docker.service', reason: 'a vendor-unit outside /etc and /run: its package owns it'}])
    expect(plan.steps.map(stepLine)).toEqual(['run update-grub (or grub-mkconfig -o /boot/grub/grub.cfg)'])
  })
})
