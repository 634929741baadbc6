// GRUB "Simple configuration" (update-grub is Debian's `grub-mkconfig -o /boot/grub/grub.cfg`):
// https://www.gnu.org/software/grub/manual/grub/html_node/Simple-configuration.html

import {restoreFile} from '../restore.js'
import type {Item, RestoreAction, RestoreCommand, RestoreContext, RestoredItem} from '../types.js'
import {CONFIGURED, GRUB_CFG, PROC_CMDLINE} from './parse.js'

/** The defaults files are written back; what is generated or booted from them follows. */
export function restoreKernelItem(key: string, wanted: Item | undefined, found: Item | undefined, context: RestoreContext): RestoreAction {
  if (key === CONFIGURED) return {kind: 'follows', after: 'the GRUB defaults files'}
  if (key === GRUB_CFG) return {kind: 'follows', after: 'update-grub'}
  if (key === PROC_CMDLINE) return {kind: 'follows', after: 'a reboot'}
  return restoreFile(key, wanted, context)
}

/** update-grub when a defaults file was restored or grub.cfg is not what the baseline generated. */
export function kernelCommands(restored: RestoredItem[]): {commands: RestoreCommand[]; notes?: string[]} {
  const regenerate = restored.some(({key, action}) => key === GRUB_CFG || action.kind === 'write' || action.kind === 'move-aside')
  const commands: RestoreCommand[] = regenerate
    ? [{run: [['update-grub'], ['grub-mkconfig', '-o', GRUB_CFG]], why: `${GRUB_CFG} generated from the restored defaults`}]
    : []
  // The running kernel keeps the command line it booted with whatever the files say.
  const reboot = regenerate || restored.some(({key}) => key === PROC_CMDLINE)
  return reboot ? {commands, notes: ['a reboot, to boot the restored kernel command line (--reboot does it)']} : {commands}
}
