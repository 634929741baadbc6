// GRUB manual, "linux" and "linux16" commands: https://www.gnu.org/software/grub/manual/grub/html_node/linux.html
// (`linuxefi` is the EFI variant older Fedora/RHEL grub.cfg files use).

const LINUX_COMMAND = /^\s*(?:linux|linux16|linuxefi)[ \t]+(.+)$/

/**
 * The arguments of every kernel-loading line of a generated grub.cfg, in menu order: the kernel image and
 * the command line update-grub wrote for each entry. The rest of the file is boilerplate of grub-mkconfig.
 */
export function linuxEntries(grubCfg: string): string[] {
  return grubCfg
    .split(/\r?\n/)
    .flatMap((line) => LINUX_COMMAND.exec(line)?.[1]?.trim() ?? [])
    .filter((args) => args !== '')
}
