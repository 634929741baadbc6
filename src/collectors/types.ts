// The contract between the engine and a collector. A collector is data (its probes) plus pure hooks: it never
// reads a file or runs a command itself, so every hook can be tested on real captured output.

/** A JSON value as it is stored in a baseline file. */
export type Json = string | number | boolean | null | Json[] | {[key: string]: Json}

/**
 * Files the engine reads on the host, all in the one script of a capture.
 * `globs` are absolute paths or POSIX shell patterns (`*`, `?`, `[...]`), expanded by the host's sh; `*` does
 * not match a leading dot. Each match is reported with lstat data; regular files also with their content
 * (`content: 'text'`) or their sha256 (`content: 'sha256'`), symlinks with their target (never followed).
 */
export interface FilesProbe {
  kind: 'files'
  id: string
  globs: string[]
  content: 'text' | 'sha256' | 'none'
  /**
   * For each match, also read the file of the same name (less a trailing `.d`) in the first of these
   * directories that has it, else that of its template (`foo@bar.service` → `foo@.service`): how systemd
   * finds the vendor unit that a drop-in directory or an override in /etc belongs to.
   */
  vendorDirs?: string[]
}

export type Probe = FilesProbe

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
  /** sha256 of the content (content: 'sha256', or a 'text' file that is not valid UTF-8) */
  sha256?: string
  /** the entry exists but could not be read (permission denied, …) */
  error?: string
  /** found through `vendorDirs`, not through `globs` */
  vendor?: boolean
  /** its path matched a redaction rule: `sha256` stands for its text content, which is never kept */
  redacted?: boolean
}

export interface ProbeResult {
  records: FileRecord[]
  /** why this probe could not run at all on the host (a missing tool), if it could not */
  unavailable?: string
}

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

export interface CollectorOutput {
  items: Record<string, Item>
  meta: Record<string, ItemMeta>
  warnings?: string[]
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
  /** redaction globs besides the defaults (collectors/redact.ts): files they match are stored as a sha256 */
  redact?: string[]
}

export interface Collector {
  id: string
  /** one line: what state it reads */
  title: string
  probes(options: CaptureOptions): Probe[]
  /** pure: the host's answers in, items out. A probe missing from `results` was unavailable. */
  parse(results: Record<string, ProbeResult>, options: CaptureOptions): CollectorOutput
  /** pure: the semantic changes between two versions of one item (both present) */
  compare(key: string, before: Item, after: Item): Change[]
  /** the text a unified diff of this item shows (a file's content, or the item's fields one per line) */
  text(item: Item): string
  /**
   * True for an item read only as context, such as the vendor unit behind a drop-in: it comes and goes with the
   * drop-in, so its appearing or disappearing is not drift (a change to it still is). Absent: never context.
   */
  isContext?(item: Item): boolean
}
