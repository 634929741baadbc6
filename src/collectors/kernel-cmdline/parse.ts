// GRUB manual, "Simple configuration": https://www.gnu.org/software/grub/manual/grub/html_node/Simple-configuration.html
// The kernel command line three ways: as configured for the next update-grub, as generated into grub.cfg,
// and as the running kernel was booted with. The first two are items; the third is what is in effect (effect.ts).

import {addItem, entryItem, expectedFileItem, newOutput, probeRecords} from '../shared.js'
import type {CollectorOutput, FileRecord, ProbeResult} from '../types.js'
import {linuxEntries} from './grub-cfg.js'
import {normalizeCmdline} from './kernel-params.js'
import {evaluateAssignments, parseShellAssignments, type ShellScript} from './shell-assignments.js'

export const DEFAULTS_GLOBS = ['/etc/default/grub', '/etc/default/grub.d/*.cfg']
export const GRUB_CFG = '/boot/grub/grub.cfg'
export const PROC_CMDLINE = '/proc/cmdline'
/** The key of the derived item: the command line /etc/default/grub and grub.d/*.cfg configure together. */
export const CONFIGURED = 'configured'
/** 10_linux passes "${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}" to every normal boot entry. */
export const CMDLINE_VARIABLES = ['GRUB_CMDLINE_LINUX', 'GRUB_CMDLINE_LINUX_DEFAULT']

export function parseKernelCmdline(results: Record<string, ProbeResult>): CollectorOutput {
  const output = newOutput()

  // Sorted by path, /etc/default/grub comes before grub.d/*.cfg, which come in C collation order: the order
  // grub-mkconfig sources them in (its glob sorts by locale, which agrees for names like 50-cloudimg.cfg).
  const defaults = probeRecords(results, 'defaults', output.warnings)
  for (const record of defaults) {
    // /etc/default/grub must be a file; a directory among grub.d/*.cfg is one update-grub skips too.
    const item = record.path === DEFAULTS_GLOBS[0] ? expectedFileItem(record, 'grub-defaults') : entryItem(record, 'grub-defaults')
    if (item) addItem(output, record.path, item, record.mtime)
  }
  const files = defaults.filter((record) => record.type === 'file')
  if (files.length > 0) {
    const cmdline = configuredCmdline(files, output.warnings)
    addItem(output, CONFIGURED, {type: 'configured', cmdline}, Math.max(...files.map((record) => record.mtime)))
  }

  for (const record of probeRecords(results, 'grubcfg', output.warnings)) {
    const item = typeof record.content === 'string'
      ? {type: 'grub-cfg', entries: linuxEntries(record.content)}
      : expectedFileItem(record, 'grub-cfg')
    addItem(output, record.path, item, record.mtime)
  }

  return output
}

/** Sources the defaults files in order as update-grub does, and says what it could not follow. */
function configuredCmdline(files: FileRecord[], warnings: string[]): string {
  const scripts: ShellScript[] = []
  for (const record of files) {
    if (typeof record.content !== 'string') {
      warnings.push(`${record.path}: not read (${record.error ?? 'not UTF-8 text'}); the configured command line leaves it out`)
      continue
    }
    const script = parseShellAssignments(record.content)
    for (const {line, text} of script.unsupported) {
      warnings.push(`${record.path}:${line}: not a plain assignment, ignored: ${text}`)
    }
    // Only where it reaches the command line: stock Debian sets GRUB_DISTRIBUTOR with backticks on every host.
    for (const {name, parts, line} of script.assignments) {
      if (!CMDLINE_VARIABLES.includes(name)) continue
      for (const part of parts) {
        if (part.kind === 'literal') warnings.push(`${record.path}:${line}: ${name} uses ${part.raw}, kept as written`)
      }
    }
    scripts.push(script)
  }
  const variables = evaluateAssignments(scripts)
  return normalizeCmdline(CMDLINE_VARIABLES.map((name) => variables.get(name) ?? '').join(' '))
}
