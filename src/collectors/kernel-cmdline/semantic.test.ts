import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {FORMATTING_ONLY} from '../shared.js'
import type {Item} from '../types.js'
import {compareKernelItems} from './semantic.js'

const readFixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')

const etcDefaultGrub = readFixture('etc-default-grub.txt')
const procCmdline = readFixture('proc-cmdline.txt').trim()
/** The VM's /etc/default/grub before the video= parameter was added. */
const withoutVideo = etcDefaultGrub.replace('GRUB_CMDLINE_LINUX_DEFAULT="video=Virtual-1:1920x1080"', 'GRUB_CMDLINE_LINUX_DEFAULT=""')

const defaults = (content: string): Item => ({type: 'grub-defaults', mode: '0644', owner: 'root', content})

describe('kernel-cmdline semantic compare', () => {
  it('reports a parameter added to GRUB_CMDLINE_LINUX_DEFAULT as a set member', () => {
    expect(compareKernelItems(defaults(withoutVideo), defaults(etcDefaultGrub))).toEqual([
      {field: 'GRUB_CMDLINE_LINUX_DEFAULT', added: ['video=Virtual-1:1920x1080']},
    ])
  })

  it('reports the configured and booted command lines as parameter sets', () => {
    expect(
      compareKernelItems({type: 'configured', cmdline: 'console=ttyS0,115200'}, {type: 'configured', cmdline: 'console=ttyS0,115200 video=Virtual-1:1920x1080'}),
    ).toEqual([{field: 'cmdline', added: ['video=Virtual-1:1920x1080']}])
    const booted = procCmdline.replace(' video=Virtual-1:1920x1080', '')
    expect(compareKernelItems({type: 'booted', cmdline: procCmdline}, {type: 'booted', cmdline: `quiet ${booted}`})).toEqual([
      {field: 'cmdline', added: ['quiet'], removed: ['video=Virtual-1:1920x1080']},
    ])
    expect(compareKernelItems({type: 'booted', cmdline: procCmdline}, {type: 'booted', cmdline: procCmdline.replace('1920x1080', '1280x720')})).toEqual([
      {field: 'cmdline', from: 'video=Virtual-1:1920x1080', to: 'video=Virtual-1:1280x720'},
    ])
  })

  it('reports other variables as from/to, and comments as formatting only', () => {
    expect(compareKernelItems(defaults(etcDefaultGrub), defaults(etcDefaultGrub.replace('GRUB_TIMEOUT=5', 'GRUB_TIMEOUT=0')))).toEqual([
      {field: 'GRUB_TIMEOUT', from: '5', to: '0'},
    ])
    const commented = etcDefaultGrub.replace('GRUB_TIMEOUT=5', '# keep the menu short\nGRUB_TIMEOUT="5"')
    expect(compareKernelItems(defaults(etcDefaultGrub), defaults(commented))).toEqual([
      {field: FORMATTING_ONLY, added: ['# keep the menu short', 'GRUB_TIMEOUT="5"'], removed: ['GRUB_TIMEOUT=5']},
    ])
  })

  it('compares a grub.d file that extends an earlier one without knowing the earlier value', () => {
    const before = defaults('GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT video=Virtual-1:1920x1080"\n')
    const after = defaults('GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT video=Virtual-1:1920x1080 nomodeset"\n')
    expect(compareKernelItems(before, after)).toEqual([{field: 'GRUB_CMDLINE_LINUX_DEFAULT', added: ['nomodeset']}])
  })

  it('compares grub.cfg entries by position', () => {
    const entries = ['/vmlinuz-4.9.0-3-amd64 root=/dev/mapper/debian--vg-root ro  quiet', '/vmlinuz-4.9.0-3-amd64 root=/dev/mapper/debian--vg-root ro single']
    const upgraded = entries.map((entry) => entry.replace('4.9.0-3', '4.9.0-4'))
    expect(compareKernelItems({type: 'grub-cfg', entries}, {type: 'grub-cfg', entries: [...upgraded, ...entries]})).toEqual([
      {field: 'entries[0]', from: '/vmlinuz-4.9.0-3-amd64', to: '/vmlinuz-4.9.0-4-amd64'},
      {field: 'entries[1]', from: '/vmlinuz-4.9.0-3-amd64', to: '/vmlinuz-4.9.0-4-amd64'},
      {field: 'entries[2]', to: entries[0]},
      {field: 'entries[3]', to: entries[1]},
    ])
  })

  it('reports a change of spacing only as from/to, so two items that differ always give a Change', () => {
    expect(compareKernelItems({type: 'booted', cmdline: 'ro  quiet'}, {type: 'booted', cmdline: 'ro quiet'})).toEqual([
      {field: 'cmdline', from: 'ro  quiet', to: 'ro quiet'},
    ])
  })
})
