// systemctl(1) daemon-reload and restart: https://www.freedesktop.org/software/systemd/man/latest/systemctl.html
// What restore writes under /etc/systemd/system and /run/systemd/system, and what it asks systemd to do then.

import {cannot, restoreFile} from '../restore.js'
import type {Item, RestoreAction, RestoreCommand, RestoreContext, RestoredItem} from '../types.js'
import {UNIT_DIRS} from './parse.js'

const inUnitDirs = (key: string) => UNIT_DIRS.some((dir) => key.startsWith(`${dir}/`))

export function restoreSystemdItem(key: string, wanted: Item | undefined, found: Item | undefined, context: RestoreContext): RestoreAction {
  // A vendor unit belongs to its package: a change to it is for the package manager to undo.
  if (!inUnitDirs(key)) return cannot(`a ${(wanted ?? found)?.type ?? 'vendor unit'} outside /etc and /run: its package owns it`)
  return restoreFile(key, wanted, context)
}

/** `foo.service` for /etc/systemd/system/foo.service and for /etc/systemd/system/foo.service.d/x.conf. */
export function unitOf(key: string): string | undefined {
  for (const dir of UNIT_DIRS) {
    if (!key.startsWith(`${dir}/`)) continue
    const [first, second] = key.slice(dir.length + 1).split('/')
    if (second === undefined) return first
    if (first?.endsWith('.d')) return first.slice(0, -2)
  }
  return undefined
}

/** One daemon-reload for everything written; with --restart, a restart of each unit whose file or drop-in changed. */
export function systemdCommands(restored: RestoredItem[], context: RestoreContext): {commands: RestoreCommand[]} {
  const applied = restored.filter(({action}) => action.kind === 'write' || action.kind === 'link' || action.kind === 'move-aside')
  if (applied.length === 0) return {commands: []}
  const commands: RestoreCommand[] = [{run: [['systemctl', 'daemon-reload']], why: 'systemd loads the unit files as restored'}]
  if (!context.restart) return {commands}
  // Only units the baseline has as a unit or drop-in: a unit moved aside, masked or merely re-linked is not restarted.
  const units = new Set(
    applied
      .filter(({wanted, action}) => action.kind === 'write' && (wanted?.type === 'unit' || wanted?.type === 'dropin'))
      .flatMap(({key}) => unitOf(key) ?? []),
  )
  for (const unit of [...units].sort()) {
    if (unit.includes('@.')) continue // a template has no instance to restart
    commands.push({run: [['systemctl', 'restart', '--', unit]], why: `--restart: ${unit} runs with its restored files`})
  }
  return {commands}
}
