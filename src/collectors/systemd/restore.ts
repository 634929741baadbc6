// systemctl(1) daemon-reload and restart: https://www.freedesktop.org/software/systemd/man/latest/systemctl.html
// What restore writes under /etc/systemd/system and /run/systemd/system, and what it asks systemd to do then.

import {cannot, CONTENT_NOT_IN_BASELINE, restoreFile} from '../restore.js'
import type {Item, RestoreAction, RestoreCommand, RestoreContext, RestoredItem} from '../types.js'
import {ENVIRONMENT_FILE} from './envfiles.js'
import {UNIT_DIRS} from './parse.js'

const inUnitDirs = (key: string) => UNIT_DIRS.some((dir) => key.startsWith(`${dir}/`))

export function restoreSystemdItem(key: string, wanted: Item | undefined, found: Item | undefined, context: RestoreContext): RestoreAction {
  // The baseline holds only its sha256: there is nothing to write back, and moving it aside would take a
  // service's secrets away.
  if ((wanted ?? found)?.type === ENVIRONMENT_FILE) return cannot(`${CONTENT_NOT_IN_BASELINE} (an EnvironmentFile= is stored as its sha256 only: put its content back by hand)`)
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

const RESTART = /^systemctl restart (\S+)$/

/**
 * One daemon-reload for everything written (or restored before and not yet loaded); with --restart, a restart of
 * each unit whose unit file or drop-in is written, or that still runs what it started with before its file was.
 */
export function systemdCommands(restored: RestoredItem[], context: RestoreContext): {commands: RestoreCommand[]; notes?: string[]} {
  const applied = restored.filter(({action}) => action.kind === 'write' || action.kind === 'link' || action.kind === 'move-aside')
  const stale = restored.flatMap(({stale}) => (stale ? [stale.pending ?? ''] : []))
  const commands: RestoreCommand[] = []
  if (applied.length > 0 || stale.some((pending) => !RESTART.test(pending))) {
    commands.push({run: [['systemctl', 'daemon-reload']], why: 'systemd loads the unit files as restored'})
  }
  // Only units the baseline has as a unit or drop-in: a unit moved aside, masked or merely re-linked is not restarted.
  const units = new Set([
    ...applied.filter(({wanted, action}) => action.kind === 'write' && (wanted?.type === 'unit' || wanted?.type === 'dropin')).flatMap(({key}) => unitOf(key) ?? []),
    ...stale.flatMap((pending) => RESTART.exec(pending)?.[1] ?? []),
  ])
  // A template has no instance to restart.
  const restartable = [...units].filter((unit) => !unit.includes('@.')).sort()
  if (!context.restart) {
    // Said only where systemd's own view shows it (stale): a unit written back may well run the baseline's version.
    const waiting = stale.flatMap((pending) => RESTART.exec(pending)?.[1] ?? [])
    return waiting.length ? {commands, notes: [`${waiting.join(', ')} run${waiting.length === 1 ? 's' : ''} what ${waiting.length === 1 ? 'it' : 'they'} started with before the file was put back, until restarted (--restart does it)`]} : {commands}
  }
  for (const unit of restartable) commands.push({run: [['systemctl', 'restart', '--', unit]], why: `--restart: ${unit} runs with its restored files`})
  return {commands}
}
