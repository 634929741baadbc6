import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {FileRecord} from '../types.js'
import {parseKernelCmdline} from './parse.js'

const readFixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')

const file = (path: string, content: string, mtime = 1795836069): FileRecord => ({
  path, type: 'file', mode: '0644', owner: 'root', group: 'root', size: content.length, mtime, content,
})

const vm = {
  defaults: {
    records: [
      file('/etc/default/grub.d/init-select.cfg', readFixture('etc-default-grub.d-init-select.cfg'), 1774986305),
      file('/etc/default/grub', readFixture('etc-default-grub.txt')),
    ],
  },
  grubcfg: {records: []},
  proc: {records: [{...file('/proc/cmdline', readFixture('proc-cmdline.txt'), 1795836131), mode: '0444', size: 0}]},
}

describe('kernel-cmdline parse', () => {
  it('reads the dev VM: the defaults files and the configured command line (what is booted is an effect, not an item)', () => {
    const output = parseKernelCmdline(vm)
    expect(output.warnings).toEqual([])
    expect(output.items).toEqual({
      '/etc/default/grub': {type: 'grub-defaults', mode: '0644', owner: 'root', group: 'root', content: readFixture('etc-default-grub.txt')},
      '/etc/default/grub.d/init-select.cfg': {
        type: 'grub-defaults', mode: '0644', owner: 'root', group: 'root', content: readFixture('etc-default-grub.d-init-select.cfg'),
      },
      configured: {type: 'configured', cmdline: 'console=ttyS0,115200 video=Virtual-1:1920x1080'},
    })
    expect(output.meta).toEqual({
      '/etc/default/grub': {mtime: 1795836069},
      '/etc/default/grub.d/init-select.cfg': {mtime: 1774986305},
      configured: {mtime: 1795836069},
    })
  })

  it('sources grub.d/*.cfg after /etc/default/grub, in name order', () => {
    const {items} = parseKernelCmdline({
      ...vm,
      defaults: {
        records: [
          ...vm.defaults.records,
          file('/etc/default/grub.d/60-quiet.cfg', 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT quiet"\n'),
          file('/etc/default/grub.d/50-video.cfg', 'GRUB_CMDLINE_LINUX_DEFAULT=video=1024x768\n'),
        ],
      },
    })
    expect(items.configured).toEqual({type: 'configured', cmdline: 'console=ttyS0,115200 video=1024x768 quiet'})
  })

  it('reads the kernel lines of a stock Debian grub.cfg, trimmed, in menu order', () => {
    const {items, meta} = parseKernelCmdline({...vm, grubcfg: {records: [file('/boot/grub/grub.cfg', readFixture('grub.cfg'), 1508889459)]}})
    expect(items['/boot/grub/grub.cfg']).toEqual({
      type: 'grub-cfg',
      entries: [
        '/vmlinuz-4.9.0-3-amd64 root=/dev/mapper/debian--vg-root ro  quiet',
        '/vmlinuz-4.9.0-3-amd64 root=/dev/mapper/debian--vg-root ro  quiet',
        '/vmlinuz-4.9.0-3-amd64 root=/dev/mapper/debian--vg-root ro single',
      ],
    })
    expect(meta['/boot/grub/grub.cfg']).toEqual({mtime: 1508889459})
  })

  it('warns about what it cannot evaluate and keeps it as written', () => {
    const output = parseKernelCmdline({
      ...vm,
      defaults: {
        records: [
          ...vm.defaults.records,
          file('/etc/default/grub.d/90-kopts.cfg', 'if true; then\nGRUB_CMDLINE_LINUX="`cat /etc/kopts`"\nfi\n'),
          {...file('/etc/default/grub.d/99-secret.cfg', ''), content: undefined, error: 'Permission denied'},
        ],
      },
    })
    expect(output.items.configured).toEqual({type: 'configured', cmdline: '`cat /etc/kopts` video=Virtual-1:1920x1080'})
    expect(output.items['/etc/default/grub.d/99-secret.cfg']).toEqual({type: 'grub-defaults', mode: '0644', owner: 'root', group: 'root', error: 'Permission denied'})
    expect(output.warnings).toEqual([
      '/etc/default/grub.d/90-kopts.cfg:1: not a plain assignment, ignored: if true; then',
      '/etc/default/grub.d/90-kopts.cfg:3: not a plain assignment, ignored: fi',
      '/etc/default/grub.d/90-kopts.cfg:2: GRUB_CMDLINE_LINUX uses `cat /etc/kopts`, kept as written',
      '/etc/default/grub.d/99-secret.cfg: not read (Permission denied); the configured command line leaves it out',
    ])
  })

  it('warns and reports nothing for the probes that did not run', () => {
    const output = parseKernelCmdline({proc: {records: [], unavailable: 'cat: not found'}})
    expect(output.items).toEqual({})
    expect(output.warnings).toEqual([
      "probe 'defaults' did not run: no result from the host",
      "probe 'grubcfg' did not run: no result from the host",
    ])
  })
})
