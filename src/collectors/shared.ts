// Small pure helpers the collectors share: turning FileRecords into items, the text a diff shows, and the
// generic parts of a semantic compare (field by field, sets, lines).

import type {Change, CollectorOutput, FileRecord, Item, Json, ProbeResult} from './types.js'

/** A canonical serialisation: object keys sorted, so two equal items always serialise alike. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}

/**
 * Two items hold the same state (whatever the order of their fields). Field by field, serialising only a field
 * that is a list or an object: a check compares every item, and two sorted serialisations per item were most of
 * the time a 100,000-item diff took.
 */
export function sameItem(a: Item | undefined, b: Item | undefined): boolean {
  if (!a || !b) return a === b
  // No arrays of keys made: this runs for every item of a check.
  let fields = 0
  for (const key in a) {
    fields++
    const x = a[key]
    const y = b[key]
    if (x === y) continue
    if (x === undefined || y === undefined || x === null || y === null || typeof x !== 'object' || typeof y !== 'object' || canonical(x) !== canonical(y)) return false
  }
  for (const _ in b) fields--
  return fields === 0
}

/** An empty output that `addItem` fills; `warnings` is always present so callers can push to it. */
export function newOutput(): CollectorOutput & {warnings: string[]} {
  return {items: {}, meta: {}, warnings: []}
}

export function addItem(output: CollectorOutput, key: string, item: Item, mtime?: number): void {
  output.items[key] = item
  if (mtime !== undefined) output.meta[key] = {mtime}
}

/**
 * The records of one probe, sorted by path so items come out in the same order on every capture.
 * A probe that did not run yields no records and a warning: a missing tool on the host is not a crash.
 */
export function probeRecords(
  results: Record<string, ProbeResult>,
  probeId: string,
  warnings: string[],
): FileRecord[] {
  const result = results[probeId]
  if (!result || result.unavailable !== undefined) {
    warnings.push(`probe '${probeId}' did not run: ${result?.unavailable ?? 'no result from the host'}`)
    return []
  }
  return [...result.records].sort((a, b) => compareStrings(a.path, b.path))
}

/** Plain code-unit order, as `LC_ALL=C sort` would give: independent of the locale we run in. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * A regular file as an item: its text, or its sha256 when the host found it was not UTF-8, or the error
 * that kept the host from reading it. mtime is not here: it goes to meta.
 */
export function fileBackedItem(type: string, record: FileRecord): Item {
  // mode, owner and group: all a restore needs to write the file back as it was.
  const item: Item = {type, mode: record.mode, owner: record.owner, group: record.group}
  if (record.redacted) item.redacted = true
  if (record.error !== undefined) item.error = record.error
  else if (record.content !== undefined) item.content = record.content
  else if (record.sha256 !== undefined) item.sha256 = record.sha256
  return item
}

export function linkItem(type: string, record: FileRecord): Item {
  return {type, target: record.target ?? ''}
}

/**
 * The default mapping of one entry: a regular file as `fileType`, a symlink as `link`, a socket or fifo as
 * `other`. Directories are not items (their mtime changes whenever an entry is added), hence undefined.
 */
export function entryItem(record: FileRecord, fileType: string): Item | undefined {
  switch (record.type) {
    case 'file':
      return fileBackedItem(fileType, record)
    case 'link':
      return linkItem('link', record)
    case 'other': {
      // Also what a record is when the host could not even stat it: then its error is all there is.
      const item: Item = {type: 'other', mode: record.mode, owner: record.owner, group: record.group}
      if (record.error !== undefined) item.error = record.error
      return item
    }
    case 'dir':
      return undefined
  }
}

/**
 * An entry where a file must be (daemon.json, /etc/default/grub, a unit): a directory there is not skipped as
 * directories elsewhere are, since what the host's service reads is then missing. It becomes a `not-a-file` item.
 */
export function expectedFileItem(record: FileRecord, fileType: string): Item {
  if (record.type !== 'dir') return entryItem(record, fileType)!
  return {type: 'not-a-file', entry: 'dir', mode: record.mode, owner: record.owner}
}

/** A value as one line of text: strings as they are, anything else as compact JSON. */
export function displayValue(value: Json): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/**
 * What a unified diff of the item shows: a file's content, `-> target` for a link, else its fields one per
 * line (`type` first, the rest sorted; list members one per line below their field).
 */
export function itemText(item: Item): string {
  if (typeof item.content === 'string') return item.content
  if (typeof item.target === 'string' && Object.keys(item).length === 2) return `-> ${item.target}\n`
  return fieldsText(item)
}

export function fieldsText(item: Item): string {
  const fields = Object.keys(item)
    .filter((field) => field !== 'type')
    .sort(compareStrings)
  const lines = [`type: ${item.type}`]
  for (const field of fields) {
    const value = item[field] as Json
    if (Array.isArray(value)) lines.push(`${field}:`, ...value.map((member) => `  - ${displayValue(member)}`))
    else lines.push(`${field}: ${displayValue(value)}`)
  }
  return lines.join('\n') + '\n'
}

/** The keys of both, in the order they first appear: before's, then the ones only after has. */
export function unionKeys<K>(before: Iterable<K>, after: Iterable<K>): K[] {
  return [...new Set([...before, ...after])]
}

/**
 * One Change per key of either map, in the order keys first appear, from `change` (undefined: no change):
 * the shape of every semantic compare that parses both sides into named values.
 */
export function keyedChanges<V>(
  before: Map<string, V>,
  after: Map<string, V>,
  change: (key: string, from: V | undefined, to: V | undefined) => Change | undefined,
): Change[] {
  return unionKeys(before.keys(), after.keys()).flatMap((key) => change(key, before.get(key), after.get(key)) ?? [])
}

/** One from/to Change per field that differs (absent on one side: that side is left out). */
export function scalarChanges(before: Item, after: Item, skip: readonly string[] = []): Change[] {
  const changes: Change[] = []
  for (const field of unionKeys(Object.keys(before), Object.keys(after))) {
    if (skip.includes(field)) continue
    const from = before[field]
    const to = after[field]
    if (JSON.stringify(from) === JSON.stringify(to)) continue
    changes.push(fromTo(field, from === undefined ? undefined : displayValue(from), to === undefined ? undefined : displayValue(to)))
  }
  return changes
}

/** A Change with only the sides that are set, so an absent value stays absent rather than `undefined`. */
export function fromTo(field: string, from: string | undefined, to: string | undefined): Change {
  const change: Change = {field}
  if (from !== undefined) change.from = from
  if (to !== undefined) change.to = to
  return change
}

/**
 * The difference of two sets as one Change, or undefined when they are equal. Exactly one member out and
 * one in reads better as a replacement (`After: a → b`), so that case is a from/to, where `isReplacement`
 * agrees that the one stands for the other.
 */
export function setChange(
  field: string,
  before: Iterable<string>,
  after: Iterable<string>,
  isReplacement: (removed: string, added: string) => boolean = () => true,
): Change | undefined {
  const beforeSet = new Set(before)
  const afterSet = new Set(after)
  const removed = [...beforeSet].filter((member) => !afterSet.has(member)).sort(compareStrings)
  const added = [...afterSet].filter((member) => !beforeSet.has(member)).sort(compareStrings)
  if (added.length === 0 && removed.length === 0) return undefined
  const [from] = removed
  const [to] = added
  if (added.length === 1 && removed.length === 1 && from !== undefined && to !== undefined && isReplacement(from, to)) {
    return {field, from, to}
  }
  const change: Change = {field}
  if (added.length > 0) change.added = added
  if (removed.length > 0) change.removed = removed
  return change
}

/**
 * The lines (trimmed, blank ones left out) that one text has more often than the other. It is what a
 * compare falls back to where no directive changed or the content cannot be parsed; both lists empty
 * means the lines were only reordered or re-indented.
 */
export function lineChange(field: string, before: string, after: string): Change {
  const count = (text: string) => {
    const counts = new Map<string, number>()
    for (const line of text.split(/\r?\n/)) {
      const trimmed = line.trim()
      if (trimmed !== '') counts.set(trimmed, (counts.get(trimmed) ?? 0) + 1)
    }
    return counts
  }
  const beforeCounts = count(before)
  const afterCounts = count(after)
  const surplus = (of: Map<string, number>, over: Map<string, number>) =>
    [...of].flatMap(([line, n]) => Array<string>(Math.max(0, n - (over.get(line) ?? 0))).fill(line))
  return {field, added: surplus(afterCounts, beforeCounts), removed: surplus(beforeCounts, afterCounts)}
}

/** The content compare for text that has no syntax worth modelling: the lines that differ. */
export function contentLines(before: string, after: string): Change[] {
  return [lineChange('content', before, after)]
}

/**
 * The field of the Change a compare returns when two contents differ but nothing they mean does
 * (comments, blank lines, line order, quoting, CRLF): the caller still gets one Change to show.
 */
export const FORMATTING_ONLY = 'content (formatting only)'

/**
 * The semantic compare shared by file-backed items: every field but `content` from/to, then the content
 * through `compareContent` when both sides have text. Content that differs without any semantic change
 * gives one FORMATTING_ONLY Change; whatever else differs falls back to a line change, so two items that
 * differ always give at least one Change.
 */
export function compareFileBacked(
  before: Item,
  after: Item,
  compareContent: (before: string, after: string) => Change[],
  skip: readonly string[] = [],
): Change[] {
  const changes = scalarChanges(before, after, ['content', ...skip])
  const beforeContent = typeof before.content === 'string' ? before.content : undefined
  const afterContent = typeof after.content === 'string' ? after.content : undefined
  if (beforeContent !== undefined && afterContent !== undefined && beforeContent !== afterContent) {
    const contentChanges = compareContent(beforeContent, afterContent)
    changes.push(...(contentChanges.length > 0 ? contentChanges : [lineChange(FORMATTING_ONLY, beforeContent, afterContent)]))
  } else if (beforeContent !== afterContent && changes.length === 0) {
    changes.push(lineChange('content', beforeContent ?? '', afterContent ?? ''))
  }
  return changes
}
