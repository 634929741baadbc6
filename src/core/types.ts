import type {CaptureOptions, Change, Item, ItemMeta} from '../collectors/types.js'

/** Items per collector id, per item key: the compared state. */
export type CollectedItems = Record<string, Record<string, Item>>

/**
 * The baseline format this vmdrift reads and writes. 2: every file-backed item has its group (what a restore
 * needs to write it back), and options may name --keep-content globs.
 */
export const BASELINE_FORMAT = 2

/** What a baseline file holds. Nothing in it changes unless the host's state does. */
export interface Baseline {
  vmdrift: typeof BASELINE_FORMAT
  target: string
  /** what was captured, so a check reads the same set without repeating flags */
  options: CaptureOptions & {collectors: string[]}
  collectors: CollectedItems
}

/** One reading of a host: the compared state plus what is never compared. */
export interface Snapshot {
  target: string
  options: Baseline['options']
  collectors: CollectedItems
  meta: Record<string, Record<string, ItemMeta>>
  /** mtime (seconds) of the directories read: when an entry last left one, for findings of removed items */
  directories: Record<string, number>
  /** collector id → why it could not read the host */
  unavailable: Record<string, string>
  warnings: string[]
  /** bytes read whole (capture --keep-content), by sha256 */
  blobs?: Map<string, Buffer>
}

export type DriftClass = 'added' | 'removed' | 'modified'

export interface Finding {
  collector: string
  key: string
  class: DriftClass
  /** one line: the gist of the semantic changes */
  summary: string
  changes: Change[]
  /** unified diff, baseline → host */
  diff: string
  /** when the item's file was last written on the host, ISO 8601 UTC (absent for removed items) */
  written?: string
  /** removed items: when the directory that held the file last changed, ISO 8601 UTC (the removal, or later) */
  directoryChanged?: string
}
