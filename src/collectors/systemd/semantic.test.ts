import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {FORMATTING_ONLY} from '../shared.js'
import type {Item} from '../types.js'
import {compareSystemdItems, compareUnitContent} from './semantic.js'

const readFixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')

const helixUnit = readFixture('rootfs/etc/systemd/system/helix-drm-manager.service')
const dockerDropIn = readFixture('rootfs/etc/systemd/system/docker.service.d/helix-drm.conf')
const dockerVendorUnit = readFixture('rootfs/lib/systemd/system/docker.service')
/** The unit as `systemctl cat` showed it after the edit that caused the ordering cycle. */
const helixUnitEdited = readFixture('armed-unit-edit-no-reload.txt').split('# /etc/systemd/system/helix-drm-manager.service\n')[1] ?? ''

const unitItem = (content: string, fields: Partial<Item> = {}): Item => ({type: 'unit', mode: '0644', owner: 'root', content, ...fields})

describe('systemd semantic compare', () => {
  it("reports the incident's After= edit as one replacement", () => {
    expect(compareSystemdItems(unitItem(helixUnit), unitItem(helixUnitEdited))).toEqual([
      {field: '[Unit] After', from: 'systemd-udev-settle.service', to: 'multi-user.target'},
    ])
  })

  it('reports list directives as added and removed members, in any order', () => {
    const edited = dockerVendorUnit.replace('Wants=network-online.target containerd.service', 'Wants=helix-drm-manager.service network-online.target dbus.service')
    expect(compareUnitContent(dockerVendorUnit, edited)).toEqual([
      {field: '[Unit] Wants', added: ['dbus.service', 'helix-drm-manager.service'], removed: ['containerd.service']},
    ])
    const reordered = dockerVendorUnit.replace('After=network-online.target docker.socket', 'After=docker.socket network-online.target')
    expect(compareUnitContent(dockerVendorUnit, reordered)).toEqual([])
  })

  it('treats an empty assignment as a reset member of the list', () => {
    const resetting = dockerDropIn.replace('[Unit]\n', '[Unit]\nAfter=\n')
    expect(compareUnitContent(dockerDropIn, resetting)).toEqual([{field: '[Unit] After', added: ['(reset)']}])
    const resetInMiddle = '[Unit]\nAfter=helix-drm-manager.service\nAfter=\nAfter=containerd.service\n'
    expect(compareUnitContent(dockerDropIn, resetInMiddle)).toEqual([
      {field: '[Unit] After', added: ['(reset)', 'containerd.service'], removed: ['helix-drm-manager.service']},
      {field: '[Unit] Requires', removed: ['helix-drm-manager.service']},
    ])
  })

  it('compares other keys as the list of their assignments', () => {
    const overridden = helixUnit.replace('ExecStart=/usr/local/bin/helix-drm-manager', 'ExecStart=\nExecStart=/usr/local/bin/helix-drm-manager --debug')
    expect(compareUnitContent(helixUnit, overridden)).toEqual([
      {field: '[Service] ExecStart', from: '/usr/local/bin/helix-drm-manager', to: '(reset) ; /usr/local/bin/helix-drm-manager --debug'},
    ])
    const restartRemoved = helixUnit.replace('Restart=on-failure\n', '')
    expect(compareUnitContent(helixUnit, restartRemoved)).toEqual([{field: '[Service] Restart', from: 'on-failure'}])
  })

  it('sees through CRLF line ends and continuation lines', () => {
    expect(compareSystemdItems(unitItem(helixUnit), unitItem(helixUnit.replaceAll('\n', '\r\n')))).toEqual([
      {field: FORMATTING_ONLY, added: [], removed: []},
    ])
    const continued = helixUnit.replace('After=systemd-udev-settle.service', 'After=systemd-udev-settle.service \\\n    network-online.target')
    expect(compareUnitContent(helixUnit, continued)).toEqual([{field: '[Unit] After', added: ['network-online.target']}])
  })

  it('says "formatting only" when just comments, blank lines or order changed', () => {
    const commented = helixUnit.replace(
      'Type=simple\nExecStart=/usr/local/bin/helix-drm-manager\nRestart=on-failure\n',
      '# restart it when the DRM device resets\nRestart=on-failure\nType=simple\nExecStart=/usr/local/bin/helix-drm-manager\n',
    )
    expect(compareSystemdItems(unitItem(helixUnit), unitItem(commented))).toEqual([
      {field: FORMATTING_ONLY, added: ['# restart it when the DRM device resets'], removed: []},
    ])
  })

  it('reports mode, owner, type and target as plain fields', () => {
    expect(compareSystemdItems(unitItem(helixUnit), unitItem(helixUnitEdited, {mode: '0755'}))).toEqual([
      {field: 'mode', from: '0644', to: '0755'},
      {field: '[Unit] After', from: 'systemd-udev-settle.service', to: 'multi-user.target'},
    ])
    expect(compareSystemdItems({type: 'mask', target: '/dev/null'}, {type: 'alias', target: '/lib/systemd/system/ssh.service'})).toEqual([
      {field: 'type', from: 'mask', to: 'alias'},
      {field: 'target', from: '/dev/null', to: '/lib/systemd/system/ssh.service'},
    ])
    expect(compareSystemdItems(unitItem(helixUnit), {type: 'mask', target: '/dev/null'})).toEqual([
      {field: 'type', from: 'unit', to: 'mask'},
      {field: 'mode', from: '0644'},
      {field: 'owner', from: 'root'},
      {field: 'target', to: '/dev/null'},
    ])
  })

  it('compares a vendor unit replaced by a package upgrade by directive', () => {
    const upgraded = dockerVendorUnit.replace('LimitNOFILE=1048576', 'LimitNOFILE=infinity')
    expect(compareSystemdItems(unitItem(dockerVendorUnit, {type: 'vendor-unit'}), unitItem(upgraded, {type: 'vendor-unit'}))).toEqual([
      {field: '[Service] LimitNOFILE', from: '1048576', to: 'infinity'},
    ])
  })

  it('compares a file that is not unit syntax, or an emptied unit that now masks, by its lines', () => {
    const readme = (content: string): Item => ({type: 'file', mode: '0644', owner: 'root', content})
    expect(compareSystemdItems(readme('do not edit\n'), readme('edited\n'))).toEqual([
      {field: 'content', added: ['edited'], removed: ['do not edit']},
    ])
    expect(compareSystemdItems(unitItem(helixUnit), unitItem('', {type: 'mask'}))).toEqual([
      {field: 'type', from: 'unit', to: 'mask'},
      {field: 'content', added: [], removed: helixUnit.split('\n').filter((line) => line !== '')},
    ])
  })

  it('reports a file that became unreadable by its error', () => {
    expect(compareSystemdItems(unitItem(helixUnit), {type: 'unit', mode: '0644', owner: 'root', error: 'Permission denied'})).toEqual([
      {field: 'error', to: 'Permission denied'},
    ])
  })
})
