// The contract between the engine and a collector. A collector is data (its probes) plus pure hooks: it never
// reads a file or runs a command itself, so every hook can be tested on real captured output.

import type {CaptureOptions, Change, Effect, HostFacts, Item, ItemMeta, ProbeResult} from '../model.js'

export type {CaptureOptions, Change, Effect, EntryType, FileRecord, HostFacts, Item, ItemMeta, Json, ProbeResult} from '../model.js'

/**
 * Files the engine reads on the host, all in the one script of a capture.
 * `globs` are absolute paths or POSIX shell patterns (`*`, `?`, `[...]`), expanded by the host's sh; `*` does
 * not match a leading dot. Each match is reported with lstat data; regular files also with their content
 * (`content: 'text'`) or their sha256 (`content: 'sha256'`), symlinks with their target (never followed).
 * `content: 'bytes'` reads the file whole and gives its sha256, and its bytes to the engine alone (capture
 * --keep-content keeps them beside the baseline, so restore can write them back).
 */
export interface FilesProbe {
  kind: 'files'
  id: string
  globs: string[]
  content: 'text' | 'sha256' | 'bytes' | 'none'
  /**
   * For each match, also read the file of the same name (less a trailing `.d`) in the first of these
   * directories that has it, else that of its template (`foo@bar.service` → `foo@.service`): how systemd
   * finds the vendor unit that a drop-in directory or an override in /etc belongs to.
   */
  vendorDirs?: string[]
  /**
   * 'root' (the default): files on disk, read under --root like every path. 'live': files of the running
   * system (/proc): an offline root has none, so under --root the probe is not run and its effect is unknown.
   */
  reads?: 'root' | 'live'
}

/**
 * A command run once on a live host (never under --root): `script` is sh that reads its operands from "$@"
 * (set to `args`, each quoted by the engine, so user data never becomes code) and prints what `parse` or
 * `effect` reads. Its stderr is dropped; its exit status comes back with its output. The script must run a
 * fixed number of processes, whatever the number of operands.
 */
export interface CommandProbe {
  kind: 'command'
  id: string
  reads: 'live'
  /** commands the script needs: when one is missing on the host the probe is unavailable, not an error */
  tools: string[]
  script: string
  args?: string[]
  /**
   * A slow command (a Go client's start-up: `docker info`): started before everything else, its output read at the
   * end, so its time overlaps the rest of the script. Its exit status is not reported; `args` and `each` do not apply.
   */
  concurrent?: boolean
}

/**
 * A command run ONCE over the matches of one of the collector's files probes (e.g. one `systemctl show` for
 * every unit found): "$@" is `args`, then the name of each match (its last path component) with the first of
 * `strip` that it ends in removed, kept only when it ends in one of `suffixes`. A name with a character no unit
 * name has (a space, a quote, `$`, a byte outside ASCII) is left out: operands are plain names.
 */
export interface EachProbe extends Omit<CommandProbe, 'kind'> {
  kind: 'each'
  /** the id of the files probe whose matches become operands */
  of: string
  strip: string[]
  suffixes: string[]
}

/**
 * The files named by a directive (`EnvironmentFile=`) in the regular files some files probes matched: the host
 * takes each `Directive=PATH` line from those files (a leading `-` dropped), resolves PATH as the system would
 * (under --root: inside the root, every link followed as chroot does), and reports its lstat data and sha256,
 * never its content. A PATH that is not absolute, or holds a specifier (`%i`) or a wildcard, is not looked up.
 * The result's records carry the PATH as named; its `output` lists every PATH looked up, one a line, each after
 * what was found: `found`, `absent`, `loop` (a link loop, or a link target with a newline: not followed) or
 * `hidden` (a directory on the way not searchable).
 */
export interface ReferencedProbe {
  kind: 'referenced'
  id: string
  /** the ids of the files probes whose regular files name the paths */
  in: string[]
  /** a unit file directive name: `EnvironmentFile` */
  directive: string
}

export type Probe = FilesProbe | CommandProbe | EachProbe | ReferencedProbe

/** True for a probe that reads the disk (and so runs under --root); false for one that reads the running system. */
export function readsUnderRoot(probe: Probe): boolean {
  return (probe.kind === 'files' && probe.reads !== 'live') || probe.kind === 'referenced'
}

export interface CollectorOutput {
  items: Record<string, Item>
  meta: Record<string, ItemMeta>
  warnings?: string[]
}

export interface Collector {
  id: string
  /** one line: what state it reads */
  title: string
  /** `known`: in a check, the keys of the collector's baseline items (a live probe may ask about those too) */
  probes(options: CaptureOptions, known?: string[]): Probe[]
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
  /**
   * pure: what the running system uses of each item, from the live probes' answers (a key left out: not
   * known). Called only when the live probes ran; the engine classifies from it (armed, stale, …).
   */
  effect?(input: EffectInput): Record<string, Effect>
  /**
   * pure: how to put one differing item back as the baseline has it (`wanted`), given what the host has
   * (`found`); absent on one side when the item was added or removed. Absent hook: nothing of it is restored.
   */
  restore?(key: string, wanted: Item | undefined, found: Item | undefined, context: RestoreContext): RestoreAction
  /**
   * pure: the commands to run once every file of the plan is in place (a reload, update-grub, restarts), and
   * what will still be needed after them (a reboot, a restart not asked for)
   */
  restoreCommands?(restored: RestoredItem[], context: RestoreContext): {commands: RestoreCommand[]; notes?: string[]}
}

export interface EffectInput {
  baseline: Record<string, Item>
  /** the items as read on disk now, and when each was written */
  disk: Record<string, Item>
  meta: Record<string, ItemMeta>
  /** the answers of the collector's live probes, by probe id */
  live: Record<string, ProbeResult>
  host: HostFacts
}

/** What a restore hook may know besides the two items. */
export interface RestoreContext {
  /** restart what reads the files restored (units, dockerd): --restart */
  restart: boolean
  /** whether the bytes of this sha256 are kept beside the baseline (capture --keep-content) */
  hasBlob(sha256: string): boolean
}

/** A regular file as a restore writes it: its content (text or a kept blob) and who owns it. */
export interface FileState {
  mode: string
  owner: string
  group: string
  content?: string
  /** sha256 of bytes kept in baselines/<target>.blobs/ */
  blob?: string
}

export type RestoreAction =
  | {kind: 'write'; path: string; file: FileState}
  | {kind: 'link'; path: string; target: string}
  /** into the backup: never deleted */
  | {kind: 'move-aside'; path: string}
  | {kind: 'cannot'; reason: string}
  /** comes back by itself once the others are done: grub.cfg after update-grub, /proc/cmdline after a reboot */
  | {kind: 'follows'; after: string}

export interface RestoredItem {
  key: string
  wanted?: Item
  found?: Item
  action: RestoreAction
  /**
   * stale: on disk as in the baseline, not in effect; `pending` says what makes it take effect ("systemctl
   * daemon-reload", "systemctl restart foo.service", "reboot"): the commands hook decides what of it to run
   */
  stale?: {pending?: string}
}

/** A command the apply script runs on the host after the files: the first alternative whose program exists. */
export interface RestoreCommand {
  /** argv alternatives, in order of preference */
  run: string[][]
  /** one line: why it runs */
  why: string
}
