import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {FileRecord, Item} from '../types.js'
import {kernelEffect} from './effect.js'
import {linuxEntries} from './grub-cfg.js'

const readFixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')

const PARAM = 'vmdrift.test=1'
const GRUB_CFG = '/boot/grub/grub.cfg'
const grubCfg = readFixture('vm-grub.cfg')
const booted = readFixture('vm-proc-cmdline.txt')
const host = {bootTime: 1795862852}
const configured = (cmdline: string): Item => ({type: 'configured', cmdline})
const generated = (text: string): Item => ({type: 'grub-cfg', entries: linuxEntries(text)})
const proc = (content: string) => ({
  proc: {records: [{path: '/proc/cmdline', type: 'file', mode: '0444', owner: 'root', group: 'root', size: 0, mtime: 0, content} satisfies FileRecord]},
})
// The VM as captured: /etc/default/grub's line, grub.cfg from its update-grub, /proc/cmdline of its GRUB boot.
const base = {configured: configured('console=ttyS0,115200 video=Virtual-1:1920x1080'), [GRUB_CFG]: generated(grubCfg)}
const withParam = {
  configured: configured(`console=ttyS0,115200 video=Virtual-1:1920x1080 ${PARAM}`),
  cfg: generated(grubCfg.replaceAll('video=Virtual-1:1920x1080\n', `video=Virtual-1:1920x1080 ${PARAM}\n`)),
  booted: booted.replace('\n', ` ${PARAM}\n`),
}

describe('kernel-cmdline effect: configured → generated → booted', () => {
  it('finds the VM booted with its grub.cfg default entry (BOOT_IMAGE and the image path left aside)', () => {
    expect(kernelEffect({baseline: base, disk: base, meta: {}, live: proc(booted), host})).toEqual({
      [GRUB_CFG]: {state: 'disk', detail: "booted with grub.cfg's default entry", since: host.bootTime, sinceWhat: 'booted'},
    })
  })

  it('says "update-grub pending" for a parameter only configured', () => {
    const effects = kernelEffect({baseline: base, disk: {...base, configured: withParam.configured}, meta: {}, live: proc(booted), host})
    expect(effects.configured).toMatchObject({state: 'baseline', pending: 'update-grub, then reboot'})
    expect(effects.configured!.detail).toContain('update-grub pending')
  })

  it('says "reboot pending" once update-grub put it into grub.cfg', () => {
    const disk = {configured: withParam.configured, [GRUB_CFG]: withParam.cfg}
    const effects = kernelEffect({baseline: base, disk, meta: {}, live: proc(booted), host})
    expect(effects.configured).toMatchObject({state: 'baseline', pending: 'reboot'})
    expect(effects[GRUB_CFG]).toMatchObject({state: 'baseline', pending: 'reboot'})
  })

  it('finds it in effect after the reboot, and stale once grub is put back but the boot still has it', () => {
    const disk = {configured: withParam.configured, [GRUB_CFG]: withParam.cfg}
    const effects = kernelEffect({baseline: base, disk, meta: {}, live: proc(withParam.booted), host})
    expect(effects.configured).toMatchObject({state: 'disk'})
    expect(effects[GRUB_CFG]).toMatchObject({state: 'disk'})
    const stale = kernelEffect({baseline: base, disk: base, meta: {}, live: proc(withParam.booted), host})
    expect(stale[GRUB_CFG]).toMatchObject({state: 'other', pending: 'reboot', changes: [{field: 'booted', added: [PARAM]}]})
  })

  it('knows nothing without /proc/cmdline (an offline root)', () => {
    expect(kernelEffect({baseline: base, disk: base, meta: {}, live: {}, host})).toEqual({})
  })
})
