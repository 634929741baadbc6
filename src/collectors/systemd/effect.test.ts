import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {Item} from '../types.js'
import {systemdEffect, unitNames, unitOfPath} from './effect.js'
import {parseShow} from './show.js'

const readFixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')

const UNIT = '/etc/systemd/system/helix-drm-manager.service'
const DOCKER_DROPIN = '/etc/systemd/system/docker.service.d/helix-drm.conf'
const NEW_DROPIN = '/etc/systemd/system/containerd.service.d/order-after-helix.conf'
const helix = readFixture('rootfs/etc/systemd/system/helix-drm-manager.service')
const edited = helix.replace('After=systemd-udev-settle.service', 'After=multi-user.target')
const file = (type: string, content: string): Item => ({type, mode: '0644', owner: 'root', content})
const baseline = {[UNIT]: file('unit', helix), [DOCKER_DROPIN]: file('dropin', readFixture('rootfs/etc/systemd/system/docker.service.d/helix-drm.conf'))}
const host = {bootTime: 1795863518}
const meta = {[UNIT]: {mtime: 1795863600}}
const live = (name: string) => ({show: {records: [], output: readFixture(name), exitCode: 0}})

describe('systemd show', () => {
  it('reads every block of one systemctl show, by Id and by alias, and a unit that does not exist', () => {
    const units = parseShow(readFixture('systemctl-show-clean.txt'))
    expect(units.get('helix-drm-manager.service')?.get('FragmentPath')).toBe(UNIT)
    expect(units.get('docker.service')?.get('DropInPaths')).toBe(DOCKER_DROPIN)
    expect(units.get('runlevel3.target')).toBe(units.get('multi-user.target'))
    const several = parseShow(readFixture('systemctl-show-several.txt'))
    expect([...several.values()].some((unit) => unit.get('LoadState') === 'not-found')).toBe(true)
  })

  it('names the unit each path is about', () => {
    expect(unitOfPath(UNIT)).toEqual({unit: 'helix-drm-manager.service', dir: ''})
    expect(unitOfPath(DOCKER_DROPIN)).toEqual({unit: 'docker.service', dir: 'docker.service.d'})
    expect(unitOfPath('/etc/systemd/system/multi-user.target.wants/docker.service')).toEqual({unit: 'multi-user.target', dir: 'multi-user.target.wants'})
    expect(unitOfPath('/lib/systemd/system/docker.service')).toBeUndefined()
    expect(unitNames([UNIT, DOCKER_DROPIN, '/lib/systemd/system/docker.service', 'x'])).toEqual(['helix-drm-manager.service', 'docker.service'])
  })
})

describe('systemd effect', () => {
  it('finds what is on disk loaded on the clean VM, since each unit started', () => {
    const effects = systemdEffect({baseline, disk: baseline, meta, live: live('systemctl-show-clean.txt'), host})
    expect(effects[UNIT]).toMatchObject({state: 'disk', sinceWhat: 'unit started'})
    expect(effects[UNIT]!.since).toBeGreaterThan(host.bootTime)
    expect(effects[DOCKER_DROPIN]).toMatchObject({state: 'disk'})
  })

  it('finds an edit without a reload, and a new drop-in that systemd 252 leaves at NeedDaemonReload=no, not loaded', () => {
    const disk = {...baseline, [UNIT]: file('unit', edited), [NEW_DROPIN]: file('dropin', '[Unit]\nAfter=helix-drm-manager.service\n')}
    const output = readFixture('systemctl-show-armed-edit-and-new-dropin.txt')
    // The real output says so: the case NeedDaemonReload alone would miss.
    expect(parseShow(output).get('containerd.service')?.get('NeedDaemonReload')).toBe('no')
    const effects = systemdEffect({baseline, disk, meta, live: live('systemctl-show-armed-edit-and-new-dropin.txt'), host})
    expect(effects[UNIT]).toMatchObject({state: 'not-disk', pending: 'systemctl daemon-reload'})
    expect(effects[UNIT]!.detail).toContain('NeedDaemonReload=yes')
    expect(effects[UNIT]!.detail).toContain('After= on disk has multi-user.target, not loaded')
    expect(effects[NEW_DROPIN]).toMatchObject({state: 'not-disk', pending: 'systemctl daemon-reload'})
    expect(effects[NEW_DROPIN]!.detail).toContain('DropInPaths lacks it')
  })

  it('finds a unit put back without a reload still running the edit: evidence beyond NeedDaemonReload', () => {
    const effects = systemdEffect({baseline, disk: baseline, meta, live: live('systemctl-show-stale-put-back-no-reload.txt'), host})
    expect(effects[UNIT]).toMatchObject({state: 'not-disk', pending: 'systemctl daemon-reload'})
    expect(effects[UNIT]!.detail).toContain('After= on disk has systemd-udev-settle.service, not loaded')
  })

  it('does not take NeedDaemonReload=yes alone for a change when the file is the baseline (a touch)', () => {
    // The clean VM's real output with the one flag a `touch` of the unit file sets.
    const touched = readFixture('systemctl-show-clean.txt').replace(/(Id=helix-drm-manager\.service[\s\S]*?)NeedDaemonReload=no/, '$1NeedDaemonReload=yes')
    expect(touched).not.toBe(readFixture('systemctl-show-clean.txt'))
    const effects = systemdEffect({baseline, disk: baseline, meta, live: {show: {records: [], output: touched}}, host})
    expect(effects[UNIT]).toMatchObject({state: 'disk'})
  })

  it('names the restart a loaded [Service] change waits for when the process started before it was written', () => {
    const disk = {...baseline, [UNIT]: file('unit', helix.replace('[Service]\n', '[Service]\nEnvironment=HELIX_DEBUG=1\n'))}
    const input = {baseline, disk, live: live('systemctl-show-service-change-reloaded-not-restarted.txt'), host: {bootTime: 1795864374}}
    const effects = systemdEffect({...input, meta: {[UNIT]: {mtime: 1795865202}}})
    expect(effects[UNIT]).toMatchObject({state: 'not-disk', pending: 'systemctl restart helix-drm-manager.service', since: 1795864374 + 32})
    // Written before the unit started: it runs with it.
    expect(systemdEffect({...input, meta: {[UNIT]: {mtime: 1795864374}}})[UNIT]).toMatchObject({state: 'disk'})
  })

  it('knows nothing when systemctl did not answer', () => {
    expect(systemdEffect({baseline, disk: baseline, meta, live: {}, host})).toEqual({})
  })
})
