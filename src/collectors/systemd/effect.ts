// What systemd has loaded and runs, against the unit files on disk. systemd.unit(5) and
// org.freedesktop.systemd1(5) (NeedDaemonReload, FragmentPath, DropInPaths):
// https://www.freedesktop.org/software/systemd/man/latest/org.freedesktop.systemd1.html
//
// NeedDaemonReload is not trusted alone: on systemd 252 a NEW drop-in for a loaded unit leaves it `no`
// (../shared/captures/debian12-vm/README.md), so the drop-ins loaded (DropInPaths) are compared with those on disk,
// and the dependencies the files on disk declare with those loaded.
import {sameItem} from '../shared.js'
import type {Effect, EffectInput, Item} from '../types.js'
import {UNIT_DIRS} from './parse.js'
import {compareUnitContent} from './semantic.js'
import {members, parseShow, type LoadedUnit} from './show.js'
import {parseUnitSyntax} from './syntax.js'

const DEPENDENCIES = ['After', 'Requires', 'Wants']

interface UnitPath {
  /** the unit a path is about: `docker.service` of /etc/systemd/system/docker.service.d/x.conf */
  unit: string
  /** the directory it is in, under a unit directory: `docker.service.d`, `multi-user.target.wants`, or '' */
  dir: string
}

/** The unit a path under /etc/systemd/system or /run/systemd/system is about, or undefined. */
export function unitOfPath(path: string): UnitPath | undefined {
  const base = UNIT_DIRS.find((dir) => path.startsWith(`${dir}/`))
  if (!base) return undefined
  const parts = path.slice(base.length + 1).split('/')
  if (parts.length === 1) return {unit: parts[0]!, dir: ''}
  if (parts.length !== 2) return undefined
  const dir = parts[0]!
  const suffix = ['.d', '.wants', '.requires', '.upholds'].find((s) => dir.endsWith(s))
  return suffix ? {unit: dir.slice(0, -suffix.length), dir} : undefined
}

/** The unit names a check asks systemd about besides those found on disk: those the baseline knows. */
export function unitNames(keys: string[]): string[] {
  return [...new Set(keys.flatMap((key) => unitOfPath(key)?.unit ?? []))]
}

const textOf = (item: Item | undefined) => (typeof item?.content === 'string' ? item.content : undefined)

/** The [Unit] dependency members that the unit file and its drop-ins on disk declare together, in load order. */
function declaredDependencies(unit: string, disk: Record<string, Item>): Map<string, Set<string>> | undefined {
  const files = Object.entries(disk)
    .filter(([path, item]) => {
      const at = unitOfPath(path)
      return at?.unit === unit && (item.type === 'unit' || item.type === 'vendor-unit' || (item.type === 'dropin' && at.dir === `${unit}.d`))
    })
    .sort(([a, ai], [b, bi]) => (ai.type === 'dropin' ? 1 : 0) - (bi.type === 'dropin' ? 1 : 0) || (a < b ? -1 : 1))
  if (!files.length) return undefined
  const declared = new Map(DEPENDENCIES.map((name) => [name, new Set<string>()]))
  for (const [, item] of files) {
    const content = textOf(item)
    if (content === undefined) return undefined
    const directives = parseUnitSyntax(content)
    for (const name of DEPENDENCIES) {
      for (const value of directives.get(`[Unit] ${name}`) ?? []) {
        const set = declared.get(name)!
        if (value === '') set.clear()
        for (const member of value.split(/\s+/).filter(Boolean)) set.add(member)
      }
    }
  }
  return declared
}

/** What on disk systemd has not loaded yet, one reason a line (empty: what is loaded is what is on disk). */
function notLoaded(unit: string, loaded: LoadedUnit, disk: Record<string, Item>): string[] {
  const reasons: string[] = []
  if (loaded.get('NeedDaemonReload') === 'yes') reasons.push('NeedDaemonReload=yes')
  const dropInDirs = UNIT_DIRS.map((dir) => `${dir}/${unit}.d/`)
  const loadedDropIns = new Set(members(loaded, 'DropInPaths').filter((path) => dropInDirs.some((dir) => path.startsWith(dir))))
  const diskDropIns = new Set(Object.keys(disk).filter((path) => disk[path]!.type === 'dropin' && dropInDirs.some((dir) => path.startsWith(dir))))
  const newDropIns = [...diskDropIns].filter((path) => !loadedDropIns.has(path))
  const goneDropIns = [...loadedDropIns].filter((path) => !diskDropIns.has(path))
  if (newDropIns.length) reasons.push(`drop-in not loaded: ${newDropIns.join(' ')}`)
  if (goneDropIns.length) reasons.push(`removed drop-in still loaded: ${goneDropIns.join(' ')}`)
  const declared = declaredDependencies(unit, disk)
  for (const [name, wanted] of declared ?? []) {
    const have = new Set(members(loaded, name))
    const missing = [...wanted].filter((member) => !have.has(member))
    if (missing.length) reasons.push(`${name}= on disk has ${missing.join(' ')}, not loaded`)
  }
  return reasons
}

/** Since when the unit runs (or, for one that does not, since the boot), from its monotonic start time. */
function since(loaded: LoadedUnit | undefined, bootTime: number | undefined): Pick<Effect, 'since' | 'sinceWhat'> {
  if (bootTime === undefined) return {}
  const started = Number(loaded?.get('ActiveEnterTimestampMonotonic') ?? 0)
  if (loaded?.get('ActiveState') === 'active' && started > 0) return {since: bootTime + Math.floor(started / 1e6), sinceWhat: 'unit started'}
  return {since: bootTime, sinceWhat: 'booted'}
}

/** The changes of an edit that a running service only picks up when it restarts ([Service] directives). */
function needsRestart(before: Item | undefined, after: Item | undefined): boolean {
  const from = textOf(before)
  const to = textOf(after)
  if (from === undefined || to === undefined) return false
  return compareUnitContent(from, to).some((change) => change.field.startsWith('[Service]'))
}

export function systemdEffect({baseline, disk, meta, live, host}: EffectInput): Record<string, Effect> {
  const output = live.show?.output
  if (output === undefined) return {}
  const loadedUnits = parseShow(output)
  const effects: Record<string, Effect> = {}
  const reasonsByUnit = new Map<string, string[]>()
  const reasonsOf = (unit: string, loaded: LoadedUnit) => {
    if (!reasonsByUnit.has(unit)) reasonsByUnit.set(unit, notLoaded(unit, loaded, disk))
    return reasonsByUnit.get(unit)!
  }

  for (const key of new Set([...Object.keys(baseline), ...Object.keys(disk)])) {
    const item = disk[key] ?? baseline[key]!
    const at = unitOfPath(key)
    if (!at) continue
    const loaded = loadedUnits.get(at.unit)
    if (!loaded || loaded.get('LoadState') === 'not-found') continue
    const when = since(loaded, host.bootTime)
    const reload = 'systemctl daemon-reload'

    if (item.type === 'unit' || item.type === 'dropin') {
      const reasons = reasonsOf(at.unit, loaded)
      // A drop-in's own state: loaded or not, present on disk or not.
      if (item.type === 'dropin') {
        const isLoaded = members(loaded, 'DropInPaths').includes(key)
        if (isLoaded !== (disk[key] !== undefined)) {
          effects[key] = {state: 'not-disk', detail: `${disk[key] ? 'not loaded' : 'still loaded'} (DropInPaths${disk[key] ? ' lacks it' : ' has it'}; NeedDaemonReload=${loaded.get('NeedDaemonReload')})`, pending: reload, ...when}
          continue
        }
      }
      // A touch without a reload sets NeedDaemonReload too: for a file that is the baseline's, only a difference
      // systemd shows (drop-ins, dependencies) says that what runs is not what is on disk.
      const evidence = sameItem(baseline[key], disk[key]) ? reasons.filter((reason) => reason !== 'NeedDaemonReload=yes') : reasons
      if (evidence.length) {
        effects[key] = {state: 'not-disk', detail: `systemd still runs what it loaded before (${evidence.join('; ')})`, pending: reload, ...when}
        continue
      }
      // Loaded, but a running service started before the edit still runs the old [Service] settings.
      const mtime = meta[key]?.mtime
      if (loaded.get('ActiveState') === 'active' && when.sinceWhat === 'unit started' && mtime !== undefined && when.since! < mtime && needsRestart(baseline[key], disk[key])) {
        effects[key] = {state: 'not-disk', detail: `loaded, but ${at.unit} runs since before it was written`, pending: `systemctl restart ${at.unit}`, ...when}
        continue
      }
      effects[key] = {state: 'disk', detail: `loaded (${loaded.get('FragmentPath') || 'no fragment'}; NeedDaemonReload=${loaded.get('NeedDaemonReload')})`, ...when}
      continue
    }
    if (item.type === 'mask' && at.dir === '') {
      const masked = loaded.get('LoadState') === 'masked'
      effects[key] = masked === (disk[key] !== undefined)
        ? {state: 'disk', detail: `LoadState=${loaded.get('LoadState')}`, ...when}
        : {state: 'not-disk', detail: `LoadState=${loaded.get('LoadState')}`, pending: reload, ...when}
      continue
    }
    if (item.type === 'enablement') {
      const property = at.dir.endsWith('.requires') ? 'Requires' : 'Wants'
      const name = key.slice(key.lastIndexOf('/') + 1)
      const inEffect = members(loaded, property).includes(name)
      effects[key] = inEffect === (disk[key] !== undefined)
        ? {state: 'disk', detail: `${at.unit} ${property}=${name}: ${inEffect ? 'loaded' : 'not loaded'}`, ...when}
        : {state: 'not-disk', detail: `${at.unit} has ${inEffect ? '' : 'not '}loaded ${property}=${name}`, pending: reload, ...when}
    }
  }
  return effects
}
