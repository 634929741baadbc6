// The kernel command line three ways, each a step behind the one before: configured (/etc/default/grub) is
// generated into grub.cfg by update-grub, and grub.cfg's default entry is booted at the next reboot. What is in
// effect is /proc/cmdline; which step a change has reached says what is pending. proc(5), /proc/cmdline:
// https://man7.org/linux/man-pages/man5/proc.5.html
import {setChange} from '../shared.js'
import type {Effect, EffectInput, Item, Json} from '../types.js'
import {splitKernelParams} from './kernel-params.js'
import {CONFIGURED, GRUB_CFG, PROC_CMDLINE} from './parse.js'

/** The parameters of a command line as a set, less what only says which file was booted (BOOT_IMAGE=, the image path). */
function params(cmdline: string): Set<string> {
  return new Set(splitKernelParams(cmdline).filter((param) => !param.startsWith('BOOT_IMAGE=') && !param.startsWith('/')))
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((member) => b.has(member))
}

/** The default entry's command line of a grub.cfg item (the first `linux` line: `set default` is not modelled). */
function defaultEntry(item: Item | undefined): string | undefined {
  const entries: Json | undefined = item?.entries
  return Array.isArray(entries) && typeof entries[0] === 'string' ? entries[0] : undefined
}

function cmdlineOf(item: Item | undefined): string | undefined {
  return typeof item?.cmdline === 'string' ? item.cmdline : undefined
}

/**
 * Whether a configured change has reached a command line: every configured parameter is in it, and none that
 * the change took out of the baseline's configured line is.
 */
function reached(configured: Set<string>, baselineConfigured: Set<string>, line: Set<string>): boolean {
  return [...configured].every((p) => line.has(p)) && [...baselineConfigured].every((p) => configured.has(p) || !line.has(p))
}

export function kernelEffect({baseline, disk, live, host}: EffectInput): Record<string, Effect> {
  const proc = live.proc?.records.find((record) => record.path === PROC_CMDLINE)
  if (typeof proc?.content !== 'string') return {}
  const booted = params(proc.content)
  const since = host.bootTime === undefined ? {} : {since: host.bootTime, sinceWhat: 'booted'}
  const effects: Record<string, Effect> = {}

  const diskEntry = defaultEntry(disk[GRUB_CFG])
  const baselineEntry = defaultEntry(baseline[GRUB_CFG])
  if (diskEntry !== undefined) {
    const generated = params(diskEntry)
    if (sameSet(generated, booted)) {
      effects[GRUB_CFG] = {state: 'disk', detail: "booted with grub.cfg's default entry", ...since}
    } else if (baselineEntry !== undefined && sameSet(params(baselineEntry), booted)) {
      effects[GRUB_CFG] = {state: 'baseline', detail: 'booted with the baseline\'s command line (reboot pending)', pending: 'reboot', ...since}
    } else {
      const change = setChange('booted', generated, booted)
      effects[GRUB_CFG] = {
        state: 'other',
        detail: `booted with another command line than grub.cfg's default entry (reboot pending): ${proc.content.trim()}`,
        pending: 'reboot',
        ...(change ? {changes: [change]} : {}),
        ...since,
      }
    }
  }

  const configured = cmdlineOf(disk[CONFIGURED])
  const baselineConfigured = cmdlineOf(baseline[CONFIGURED])
  if (configured === undefined || baselineConfigured === undefined || configured === baselineConfigured) return effects
  const wanted = params(configured)
  const before = params(baselineConfigured)
  const configuredEffect: Effect =
    diskEntry === undefined || !reached(wanted, before, params(diskEntry))
      ? {state: 'baseline', detail: 'not in grub.cfg (update-grub pending), not booted', pending: 'update-grub, then reboot', ...since}
      : !reached(wanted, before, booted)
        ? {state: 'baseline', detail: 'in grub.cfg, not booted (reboot pending)', pending: 'reboot', ...since}
        : {state: 'disk', detail: 'booted with it', ...since}
  effects[CONFIGURED] = configuredEffect
  // The defaults files that changed say the same as the command line they configure.
  for (const [key, item] of Object.entries(disk)) {
    if (item.type === 'grub-defaults' && JSON.stringify(item) !== JSON.stringify(baseline[key])) effects[key] = configuredEffect
  }
  return effects
}
