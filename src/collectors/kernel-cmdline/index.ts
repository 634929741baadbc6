// GRUB "Simple configuration": https://www.gnu.org/software/grub/manual/grub/html_node/Simple-configuration.html
// and the kernel's parameters: https://www.kernel.org/doc/html/latest/admin-guide/kernel-parameters.html

import {itemText} from '../shared.js'
import type {Collector} from '../types.js'
import {kernelEffect} from './effect.js'
import {DEFAULTS_GLOBS, GRUB_CFG, parseKernelCmdline, PROC_CMDLINE} from './parse.js'
import {kernelCommands, restoreKernelItem} from './restore.js'
import {compareKernelItems} from './semantic.js'

export const kernelCmdline: Collector = {
  id: 'kernel-cmdline',
  title: 'kernel command line: configured in /etc/default/grub, generated into grub.cfg, booted in /proc/cmdline',
  probes: () => [
    {kind: 'files', id: 'defaults', globs: DEFAULTS_GLOBS, content: 'text'},
    {kind: 'files', id: 'grubcfg', globs: [GRUB_CFG], content: 'text'},
    // What the running kernel booted with: there is none under an offline --root.
    {kind: 'files', id: 'proc', globs: [PROC_CMDLINE], content: 'text', reads: 'live'},
  ],
  parse: (results) => parseKernelCmdline(results),
  compare: (_key, before, after) => compareKernelItems(before, after),
  text: itemText,
  // Baselines written before /proc/cmdline became an effect hold it as an item: no longer read, not drift.
  isContext: (item) => item.type === 'booted',
  effect: kernelEffect,
  restore: restoreKernelItem,
  restoreCommands: (restored) => kernelCommands(restored),
}
