// systemd.exec(5), EnvironmentFile=: https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html#EnvironmentFile=
// The file a unit reads its environment from holds secrets as often as Environment= does, and a change to it
// changes what the service runs with. Each file named is an item of its own: its sha256 (never its content),
// mode and owner, or that it is absent; the engine reads them in the capture's one script (core/script-referenced.ts).

import {scalarChanges, fromTo} from '../shared.js'
import type {Change, CollectorOutput, FileRecord, Item, ProbeResult} from '../types.js'
import {parseUnitSyntax} from './syntax.js'

export const ENVIRONMENT_FILE = 'environment-file'

/** The probe that reads them: the files named by `EnvironmentFile=` in what the `units` and `entries` probes read. */
export const ENVIRONMENT_FILES_PROBE = {kind: 'referenced', id: 'environment-files', in: ['units', 'entries'], directive: 'EnvironmentFile'} as const

/** The paths named by `EnvironmentFile=` in one unit file or drop-in (a leading `-` dropped), in file order. */
export function environmentFilePaths(content: string): string[] {
  const paths: string[] = []
  // Most units name none: no need to parse them (a capture asks this of every unit file it reads).
  if (!content.includes('EnvironmentFile')) return paths
  for (const [field, values] of parseUnitSyntax(content)) {
    if (field !== 'EnvironmentFile' && !field.endsWith(' EnvironmentFile')) continue
    for (const value of values) if (value !== '') paths.push(value.replace(/^-/, ''))
  }
  return paths
}

/** What the engine could not look up: systemd expands these when it loads the unit, vmdrift does not. */
function notLiteral(path: string): string | undefined {
  if (!path.startsWith('/')) return 'not an absolute path'
  if (path.includes('%')) return 'a specifier (%i, %n, …) is not expanded'
  if (/[*?[]/.test(path)) return 'a wildcard is not expanded'
  return undefined
}

/**
 * Adds an `environment-file` item for every file the unit files and drop-ins in `output` (`unitSyntax`: the keys
 * whose content is unit syntax) name by `EnvironmentFile=`. A file the other probes read anyway (one in
 * /etc/systemd/system) keeps its item: the engine has redacted it (core/read-host.ts), as it does wherever a file
 * named so is read.
 */
export function addEnvironmentFiles(output: CollectorOutput & {warnings: string[]}, unitSyntax: string[], result: ProbeResult | undefined): void {
  const lookups = new Map<string, string>()
  for (const line of result?.output?.split('\n') ?? []) {
    const space = line.indexOf(' ')
    if (space > 0) lookups.set(line.slice(space + 1), line.slice(0, space))
  }
  const records = new Map((result?.records ?? []).map((record) => [record.path, record]))
  const ran = result !== undefined && result.unavailable === undefined
  if (!ran) output.warnings.push(`probe 'environment-files' did not run: ${result?.unavailable ?? 'no result from the host'}`)
  for (const key of unitSyntax) {
    const content = output.items[key]?.content
    if (typeof content !== 'string') continue
    for (const path of environmentFilePaths(content)) {
      const why = notLiteral(path)
      if (why) {
        output.warnings.push(`${key}: EnvironmentFile=${path} not read (${why}): a change to it is not seen`)
        continue
      }
      // Read by the other probes already (a file in a unit directory): the engine kept only its sha256.
      if (output.items[path] || !ran) continue
      const item = environmentFileItem(lookups.get(path), records.get(path))
      if (!item) {
        output.warnings.push(`${key}: EnvironmentFile=${path} was not looked up on the host`)
        continue
      }
      output.items[path] = item
      const mtime = records.get(path)?.mtime
      if (mtime !== undefined) output.meta[path] = {mtime}
    }
  }
}

function environmentFileItem(lookup: string | undefined, record: FileRecord | undefined): Item | undefined {
  switch (lookup) {
    case 'absent':
      return {type: ENVIRONMENT_FILE, absent: true}
    case 'loop':
      return {type: ENVIRONMENT_FILE, error: 'not followed: a symbolic link loop, or a link target with a newline'}
    case 'hidden':
      return {type: ENVIRONMENT_FILE, error: 'not readable'}
    case 'found': {
      if (!record) return undefined
      const item: Item = {type: ENVIRONMENT_FILE, mode: record.mode, owner: record.owner, group: record.group}
      if (record.type !== 'file') item.entry = record.type === 'dir' ? 'dir' : 'other'
      else if (record.sha256 !== undefined) item.sha256 = record.sha256
      else item.error = record.error ?? 'not readable'
      return item
    }
    default:
      return undefined
  }
}

/**
 * The changes of an environment file: its content as `EnvironmentFile PATH` from/to `sha256:…` (absent: the file
 * is not there), which a report shows as "value changed"; then mode, owner, group, and what else differs.
 */
export function compareEnvironmentFiles(key: string, before: Item, after: Item): Change[] {
  const content = (item: Item) => (typeof item.sha256 === 'string' ? `sha256:${item.sha256}` : undefined)
  const changes: Change[] = []
  if (content(before) !== content(after)) changes.push(fromTo(`EnvironmentFile ${key}`, content(before), content(after)))
  return [...changes, ...scalarChanges(before, after, ['sha256', 'absent'])]
}
