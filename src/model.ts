// The model every layer shares: what a baseline holds, what a reading of a host holds, what a finding says.
// A leaf: it imports nothing of ours, so collectors, drift, baselines, report and core may all import it
// (src/layers.test.ts keeps it so).

/** A JSON value as it is stored in a baseline file. */
export type Json = string | number | boolean | null | Json[] | {[key: string]: Json}

/** One item of state: plain data, exactly what a baseline stores for it. `type` says what kind of item it is. */
export interface Item {
  type: string
  [field: string]: Json
}

/** Facts about an item on the host that are never compared (they change without the state changing). */
export interface ItemMeta {
  /** when the item's file was last written, seconds since the epoch */
  mtime?: number
}

/** One semantic difference inside an item: a directive, a variable, a kernel parameter set, a JSON key path. */
export interface Change {
  /** where in the item: "[Unit] After", "GRUB_CMDLINE_LINUX_DEFAULT", "log-opts.max-size", "sha256" */
  field: string
  /** scalar values before and after (absent: not set) */
  from?: string
  to?: string
  /** set-valued fields: members added and removed */
  added?: string[]
  removed?: string[]
}

export interface CaptureOptions {
  /** extra paths or globs for the `files` collector */
  watch: string[]
  /**
   * watched files whose bytes are kept beside the baseline (content-addressed by sha256), so that a restore can
   * put back what the baseline otherwise holds only the hash of
   */
  keepContent?: string[]
}

export type EntryType = 'file' | 'link' | 'dir' | 'other'

/** One file system entry as the host reported it. Paths are as on the host (any --root prefix removed). */
export interface FileRecord {
  path: string
  type: EntryType
  /** permission bits, four octal digits: "0644" */
  mode: string
  owner: string
  group: string
  size: number
  /** last modification, seconds since the epoch (volatile: never stored in a baseline) */
  mtime: number
  /** symlink target, as written in the link */
  target?: string
  /** text content (content: 'text' and the file is valid UTF-8) */
  content?: string
  /** the whole content (content: 'bytes'): for the engine to keep, never an item's field */
  bytes?: Buffer
  /** sha256 of the content (content: 'sha256' or 'bytes', or a 'text' file that is not valid UTF-8) */
  sha256?: string
  /** the entry exists but could not be read (permission denied, …) */
  error?: string
  /** found through `vendorDirs`, not through `globs` */
  vendor?: boolean
}

/** What the host answered to one probe. */
export interface ProbeResult {
  /** a files probe: the entries it matched */
  records: FileRecord[]
  /** a command probe: what the command printed on stdout, and its exit status */
  output?: string
  exitCode?: number
  /** why this probe could not run at all on the host (a missing tool), if it could not */
  unavailable?: string
}

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

/** The running host itself: what "in effect since" is measured from. Never stored in a baseline. */
export interface HostFacts {
  /** /proc/sys/kernel/random/boot_id */
  bootId?: string
  /** when the running kernel booted, seconds since the epoch (btime of /proc/stat) */
  bootTime?: number
}

/** One reading of a host: the compared state plus what is never compared. */
export interface Snapshot {
  target: string
  options: Baseline['options']
  collectors: CollectedItems
  meta: Record<string, Record<string, ItemMeta>>
  /** mtime (seconds) of the directories read: when an entry last left one, for findings of removed items */
  directories: Record<string, number>
  /** collector id → probe id → what the probes that read the running system (not the disk) answered */
  live: Record<string, Record<string, ProbeResult>>
  host: HostFacts
  /** collector id → why what is in effect could not be read (offline --root, no systemctl, no docker) */
  effectUnknown: Record<string, string>
  /** collector id → why it could not read the host */
  unavailable: Record<string, string>
  /** paths the host could not read (a file's content, a directory's entries): their state is unknown */
  unreadable: string[]
  warnings: string[]
  /** bytes read whole (capture --keep-content), by sha256 */
  blobs?: Map<string, Buffer>
}

/**
 * The drift classes, defined once: the JSON Schema's enum, --fail-on and the report all come from this list.
 * added/removed/modified: on disk ≠ baseline and in effect (or the effect cannot be known);
 * armed: on disk ≠ baseline, the running system still uses the baseline (it bites at the next reload/reboot);
 * stale: on disk = baseline, the running system uses something else (a restore not yet reloaded, a reboot pending).
 */
export const DRIFT_CLASSES = ['added', 'removed', 'modified', 'armed', 'stale'] as const

export type DriftClass = (typeof DRIFT_CLASSES)[number]

export function isDriftClass(value: string): value is DriftClass {
  return (DRIFT_CLASSES as readonly string[]).includes(value)
}

/** What the running system uses of one item, as its collector read it. */
export interface Effect {
  /**
   * which version is in effect: the baseline's, the one on disk (both, when they are equal), another one, or
   * `not-disk`: an earlier one than the disk's, which the running system does not say (systemd's loaded unit)
   */
  state: 'baseline' | 'disk' | 'other' | 'not-disk'
  /** one line: what is in effect ("systemd still runs the version loaded before the edit (NeedDaemonReload=yes)") */
  detail: string
  /** what makes the version on disk take effect ("systemctl daemon-reload", "reboot") */
  pending?: string
  /** since when the effect holds (unit start, daemon start, boot), seconds since the epoch */
  since?: number
  /** what `since` is ("unit started", "booted", "daemon started") */
  sinceWhat?: string
  /** stale: how what is in effect differs from the baseline (kernel parameters booted, directives loaded) */
  changes?: Change[]
}

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
  /** what the running system uses, where it could be read */
  effect?: {
    detail: string
    /** armed and stale: what makes the disk's version take effect */
    pending?: string
    /** ISO 8601 UTC: since when what is in effect holds */
    since?: string
    sinceWhat?: string
  }
}
