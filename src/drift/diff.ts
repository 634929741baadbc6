// The pure comparison of a baseline with a snapshot: no I/O, no clock. Items are equal when their stored data is
// equal; each difference becomes a Finding with the collector's semantic changes and a unified diff.
import {createTwoFilesPatch} from 'diff'
import {collectorById} from '../collectors/index.js'
import {REDACTED_VALUE} from '../collectors/redact.js'
import {canonical, compareStrings, sameItem, unionKeys} from '../collectors/shared.js'
import type {Change, Collector, Item} from '../collectors/types.js'
import type {CollectedItems, DriftClass, Effect, Finding, Snapshot} from '../model.js'

export {canonical}

const SHA256 = /^[0-9a-f]{64}$/

function shortValue(value: string | undefined): string {
  if (value === undefined) return '(unset)'
  return SHA256.test(value) ? `${value.slice(0, 12)}…` : value
}

/**
 * One change as a person reads it: `[Unit] After: a → b` or `kernel parameters: +video=… -quiet`. A set change
 * lists at most `maxMembers` members, then how many more: a 20 MB unit must not become a 20 MB line.
 */
export function describeChange(change: Change, maxMembers = 20): string {
  if (change.added?.length || change.removed?.length) {
    const members = [...(change.added ?? []).map((m) => `+${m}`), ...(change.removed ?? []).map((m) => `-${m}`)]
    const more = members.length - maxMembers
    return `${change.field}: ${members.slice(0, maxMembers).join(' ')}${more > 0 ? ` … and ${more} more` : ''}`
  }
  // A redacted value (an Environment= value, a secret file) is only ever a hash: say what happened to it.
  const redacted = (value: string | undefined) => value === undefined || REDACTED_VALUE.test(value)
  if (redacted(change.from) && redacted(change.to)) {
    return `${change.field}: ${change.from === undefined ? 'value set' : change.to === undefined ? 'value removed' : 'value changed'}`
  }
  return `${change.field}: ${shortValue(change.from)} → ${shortValue(change.to)}`
}

function summarise(klass: Exclude<DriftClass, 'armed' | 'stale'>, item: Item, changes: Change[]): string {
  const shown = changes.slice(0, 2).map(describeChange)
  if (changes.length > 2) shown.push(`and ${changes.length - 2} more`)
  const what = `${klass} ${item.type}`
  const summary = klass === 'modified' ? shown.join('; ') || 'changed' : shown.length ? `${what}: ${shown.join('; ')}` : what
  // A gist, one line: `changes` and `diff` hold everything (one changed line of a 20 MB unit made a 37 MB summary).
  return summary.length > SUMMARY_CHARS ? `${summary.slice(0, SUMMARY_CHARS)}… (${summary.length - SUMMARY_CHARS} more characters)` : summary
}

const SUMMARY_CHARS = 400

function changesOf(collector: Collector | undefined, key: string, before: Item, after: Item): Change[] {
  if (!collector) return [{field: 'item', from: canonical(before), to: canonical(after)}]
  return collector.compare(key, before, after)
}

/**
 * What an added item is compared with (and a removed one compared to): the same item with no content, so the
 * changes read as the directives it brings (`[Unit] After: +x`), not as its mode and owner appearing.
 */
function emptied(item: Item): Item {
  return typeof item.content === 'string' ? {...item, content: ''} : {type: item.type}
}

/**
 * Texts larger than this get no line diff: a diff of a 20 MB unit took over a gigabyte. Their changes (what the
 * collector compares) still say what differs.
 */
export const MAX_DIFF_CHARS = 2 * 1024 * 1024

function unifiedDiff(key: string, before: string, after: string): string {
  if (before === after) return ''
  const name = key.startsWith('/') ? key : `/${key}`
  if (before.length + after.length > MAX_DIFF_CHARS) {
    return `--- baseline${name}\n+++ host${name}\n(no line diff: ${((before.length + after.length) / 1024 / 1024).toFixed(1)} MB of text is more than ${MAX_DIFF_CHARS / 1024 / 1024} MB)\n`
  }
  const patch = createTwoFilesPatch(`baseline${name}`, `host${name}`, before, after, undefined, undefined, {context: 3})
  // Drop the "Index:"/"===" preamble some versions print; keep from the --- line on.
  return patch.slice(Math.max(0, patch.indexOf('---')))
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z')
}

type SnapshotPart = Pick<Snapshot, 'collectors'> & Partial<Pick<Snapshot, 'meta' | 'unavailable' | 'directories' | 'live' | 'host' | 'unreadable'>>

/** What the collector says is in effect per item, when the live probes ran (else nothing: unknown). */
function effectsOf(collector: Collector | undefined, id: string, baseline: CollectedItems, snapshot: SnapshotPart): Record<string, Effect> {
  const live = snapshot.live?.[id]
  if (!collector?.effect || !live) return {}
  return collector.effect({
    baseline: baseline[id] ?? {},
    disk: snapshot.collectors[id] ?? {},
    meta: snapshot.meta?.[id] ?? {},
    live,
    host: snapshot.host ?? {},
  })
}

/**
 * The class of a difference between disk and baseline, given what is in effect: still the baseline's version,
 * or one older than the disk's, is armed; anything else (the disk's version, or unknown) is the live class.
 */
function classOf(disk: Exclude<DriftClass, 'armed' | 'stale'>, effect: Effect | undefined): DriftClass {
  return effect?.state === 'baseline' || effect?.state === 'not-disk' ? 'armed' : disk
}

function effectOf(effect: Effect | undefined): Pick<Finding, 'effect'> {
  if (!effect) return {}
  return {
    effect: {
      detail: effect.detail,
      ...(effect.pending ? {pending: effect.pending} : {}),
      ...(effect.since === undefined ? {} : {since: isoTime(effect.since)}),
      ...(effect.sinceWhat ? {sinceWhat: effect.sinceWhat} : {}),
    },
  }
}

export function diffStates(
  baseline: {collectors: CollectedItems},
  snapshot: SnapshotPart,
  lookup: (id: string) => Collector | undefined = collectorById,
): Finding[] {
  const findings: Finding[] = []
  const unknown = isUnreadable(snapshot.unreadable ?? [])
  for (const id of unionKeys(Object.keys(baseline.collectors), Object.keys(snapshot.collectors))) {
    // A collector that could not read the host says nothing about its items: no findings, a warning instead.
    if (snapshot.unavailable?.[id] !== undefined) continue
    const collector = lookup(id)
    const before = baseline.collectors[id] ?? {}
    const after = snapshot.collectors[id] ?? {}
    const effects = effectsOf(collector, id, baseline.collectors, snapshot)
    const text = (item: Item | undefined) => (!item ? '' : collector ? collector.text(item) : canonical(item))
    // Findings come out sorted by key; sorting the few findings, not the 100,000 keys, is what a big check pays.
    const found: Finding[] = []
    // The baseline's keys, then the host's new ones: no union of 200,000 keys built to walk it once.
    const keys = Object.keys(before)
    for (const key in after) if (!Object.hasOwn(before, key)) keys.push(key)
    for (const key of keys) {
      const old = before[key]
      const now = after[key]
      const effect = effects[key]
      if (old && now && sameItem(old, now)) {
        // The disk is the baseline; what runs may not be (restored, not reloaded; grub put back, not rebooted).
        if (effect?.state === 'other' || effect?.state === 'not-disk') found.push(staleFinding(id, key, effect, snapshot.meta?.[id]?.[key]?.mtime))
        continue
      }
      // What the host could not read is not removed, nor changed: it is reported as not checked instead.
      if (unknown(key)) continue
      const onDisk = !old ? 'added' : !now ? 'removed' : 'modified'
      const item = (now ?? old)!
      if (onDisk !== 'modified' && collector?.isContext?.(item)) continue
      const changes = changesOf(collector, key, old ?? emptied(item), now ?? emptied(item))
      found.push({
        collector: id,
        key,
        class: classOf(onDisk, effect),
        summary: summarise(onDisk, item, changes),
        changes,
        diff: unifiedDiff(key, text(old), text(now)),
        ...(now ? written(snapshot.meta?.[id]?.[key]?.mtime) : directoryChanged(snapshot.directories?.[parentOf(key)])),
        ...effectOf(effect),
      })
    }
    for (const finding of found.sort((a, b) => compareStrings(a.key, b.key))) findings.push(finding)
  }
  return findings
}

function staleFinding(collector: string, key: string, effect: Effect, mtime: number | undefined): Finding {
  const changes = effect.changes ?? []
  const shown = changes.slice(0, 2).map((change) => describeChange(change)).join('; ')
  return {
    collector,
    key,
    class: 'stale',
    summary: `on disk as in the baseline, not in effect${shown ? `: in effect ${shown}` : ''}`,
    changes,
    diff: '',
    ...written(mtime),
    ...effectOf(effect),
  }
}

/** True for a path that is, or lies below, one of the paths the host could not read. */
export function isUnreadable(unreadable: string[]): (key: string) => boolean {
  const paths = new Set(unreadable)
  return (key) => {
    for (let at = key.length; at > 0; at = key.lastIndexOf('/', at - 1)) if (paths.has(key.slice(0, at))) return true
    return false
  }
}

function parentOf(key: string): string {
  return key.startsWith('/') ? key.slice(0, key.lastIndexOf('/')) || '/' : ''
}

/** A present item says when its file was written; a removed one, when the directory that held it last changed. */
function written(mtime: number | undefined): Pick<Finding, 'written'> {
  return mtime === undefined ? {} : {written: isoTime(mtime)}
}

function directoryChanged(mtime: number | undefined): Pick<Finding, 'directoryChanged'> {
  return mtime === undefined ? {} : {directoryChanged: isoTime(mtime)}
}
