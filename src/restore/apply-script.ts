// Compiles a restore plan into ONE POSIX sh script, the writing counterpart of the read script (core/script.ts,
// whose quoting it shares): one exec applies the whole plan, and reports each step done in a framed stream.
//
// Order on the host, so that a script cut short at any point loses nothing:
//   1. back up every path it will touch into <root>/var/lib/vmdrift/backups/<id>/: `cp -a` keeps content, mode,
//      owner, group and a symlink's target (a link is copied as a link, never followed); a path that does not
//      exist gets an `N.absent` marker, a directory it will create a `N.absent` too. Then `backed-up`.
//   2. each file is written to `.vmdrift-tmp.<id>.N` in its own directory, given its mode and owner, and renamed
//      over the path (rename(2) replaces a symlink at the destination, it never follows it); a link is made the
//      same way; what the baseline lacks is moved into the backup (`N.aside`), never deleted.
//   3. the commands (daemon-reload, update-grub, restarts); then `applied`.
// A restore run again after a cut plans only what is left, and records the cut one in `resumes`, so that undo
// goes back past both. Frames (`\n<BOUNDARY> <TAG>\n`, as the read script):
//   BACKUP <id>     the backup directory is made (body: the unfinished restore this one resumes, if any)
//   BACKED-UP       every path is backed up
//   DONE <n>        step n is applied (body: its line, as stepLine prints it)
//   FAIL <n>        step n failed (body: why); a file step stops the script, a command does not
//   END             the script ran to its end
import {shQuote} from '../core/script.js'
import {isFileStep, stepLine, type Step} from './plan.js'

export const BACKUPS_DIR = '/var/lib/vmdrift/backups'

/** Where the apply may be told to kill itself (end-to-end tests of interruption): `<phase>:<n>`. */
export interface Fault {
  /** backup: after backing up n paths; temp: after writing step n's temporary file; step: after step n is done (0: after the backup) */
  phase: 'backup' | 'temp' | 'step'
  n: number
}

export function parseFault(spec: string | undefined): Fault | undefined {
  const match = /^(backup|temp|step):(\d+)$/.exec(spec ?? '')
  return match ? {phase: match[1] as Fault['phase'], n: Number(match[2])} : undefined
}

/** One path the restore touches, as the manifest lists it: a file (or link) it backs up, or a directory it may create. */
export interface ManifestEntry {
  n: number
  path: string
  kind: 'file' | 'dir'
}

export interface Manifest {
  vmdrift: 'restore-backup'
  id: string
  target: string
  created: string
  entries: ManifestEntry[]
  /** the plan's steps, one line each */
  steps: string[]
  /** the commands it runs after the files (argv alternatives each): undo runs them again */
  commands: string[][][]
}

export interface ApplyOptions {
  boundary: string
  id: string
  target: string
  created: string
  /** an offline root: every path (the backups too) lives under it */
  root?: string
  /** file content of kept blobs, by sha256 */
  blob?: (sha256: string) => Buffer
  fault?: Fault
}

const dirname = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/'

/** The directories a write needs, parents first, below the top directory of each path (never / itself). */
function parentsOf(paths: string[]): string[] {
  const dirs = new Set<string>()
  for (const path of paths) {
    const parts = dirname(path).split('/').filter(Boolean)
    for (let i = 2; i <= parts.length; i++) dirs.add(`/${parts.slice(0, i).join('/')}`)
  }
  return [...dirs].sort()
}

export function manifestOf(steps: Step[], options: Pick<ApplyOptions, 'id' | 'target' | 'created'>): Manifest {
  const files = steps.filter(isFileStep)
  const entries: ManifestEntry[] = files.map((step, i) => ({n: i + 1, path: step.path, kind: 'file'}))
  const created = parentsOf(files.filter((step) => step.kind !== 'move-aside').map((step) => step.path))
  entries.push(...created.map((path, i) => ({n: files.length + i + 1, path, kind: 'dir' as const})))
  const commands = steps.flatMap((step) => (step.kind === 'command' ? [step.run] : []))
  return {vmdrift: 'restore-backup', id: options.id, target: options.target, created: options.created, entries, steps: steps.map(stepLine), commands}
}

const PRELUDE = String.raw`
t() { printf '\n%s %s\n' "$B" "$1"; }
have() { command -v "$1" >/dev/null 2>&1; }
fail() { t "FAIL $1"; printf '%s' "$2"; t END; exit 1; }
exists() { [ -e "$1" ] || [ -L "$1" ]; }
# bk N PATH: a copy of what is there (cp -a: content, mode, owner, group, or the link itself), else a marker
bk() { if exists "$2"; then cp -a -- "$2" "$BK/$1"; else : > "$BK/$1.absent"; fi; }
# bkdir N DIR: a directory the restore may create is marked, so undo can remove it again
bkdir() { if [ -d "$2" ]; then :; else : > "$BK/$1.absent"; fi; }
# settle TMP PATH MODE OWNER: the temporary file becomes PATH in one rename, which replaces a link, never follows it
settle() { chown -- "$4" "$1" && chmod -- "$3" "$1" && mv -fT -- "$1" "$2"; }`

function faultAt(fault: Fault | undefined, phase: Fault['phase'], n: number): string {
  return fault && fault.phase === phase && fault.n === n ? `\nkill -9 $$` : ''
}

/** The content of a file as words that print it: sh strings cannot hold NUL, so such bytes go through base64. */
function writeContent(step: Extract<Step, {kind: 'write'}>, options: ApplyOptions): string {
  const {content, blob} = step.file
  if (content !== undefined && !content.includes('\0')) return `printf '%s' ${shQuote(content)} > "$tmp"`
  const bytes = content !== undefined ? Buffer.from(content) : blob !== undefined && options.blob ? options.blob(blob) : undefined
  if (!bytes) throw new Error(`no content to write for ${step.path}`)
  return `printf '%s' ${shQuote(bytes.toString('base64'))} | base64 -d > "$tmp"`
}

/**
 * Runs the first of the alternatives whose program the host has, then `done`, or `failed` with $rc and $out set.
 * Used by undo too, which runs again what the restore ran, so systemd loads the files put back.
 */
export function runCommand(run: string[][], done: string, failed: string): string {
  const alternatives = run.map(
    ([program, ...args], i) => `${i ? 'elif' : 'if'} have ${shQuote(program!)}; then out=$(${[program!, ...args].map(shQuote).join(' ')} 2>&1) || rc=$?`,
  )
  const tried = run.map(([program]) => program).join(', ')
  return [
    `rc=0; out=; ${alternatives.join('\n')}`,
    `else rc=127; out=${shQuote(`not found on the host: ${tried}`)}; fi`,
    `if [ "$rc" -eq 0 ]; then ${done}; else ${failed}; fi`,
  ].join('\n')
}

function applyStep(step: Step, n: number, options: ApplyOptions): string {
  const done = `t "DONE ${n}"; printf '%s' ${shQuote(stepLine(step))}`
  if (step.kind === 'command') return runCommand(step.run, done, `t "FAIL ${n}"; printf 'exit %s: %s' "$rc" "$out"; failed=1`)
  const path = `p="$R"${shQuote(step.path)}; d="$R"${shQuote(dirname(step.path))}`
  const why = (what: string) => shQuote(`${stepLine(step)}: ${what}`)
  if (step.kind === 'move-aside') {
    return `${path}\nif exists "$p"; then mv -f -- "$p" "$BK/${n}.aside" || fail ${n} ${why('cannot move it into the backup')}; fi\n${done}`
  }
  const make =
    step.kind === 'write'
      ? `${writeContent(step, options)} || fail ${n} ${why('cannot write a temporary file beside it')}`
      : `ln -s -- ${shQuote(step.target)} "$tmp" || fail ${n} ${why('cannot make the link')}`
  const settle =
    step.kind === 'write'
      ? `settle "$tmp" "$p" ${shQuote(step.file.mode)} ${shQuote(`${step.file.owner}:${step.file.group}`)}`
      : `mv -fT -- "$tmp" "$p"`
  return [
    path,
    // A directory above that is a link would take the write elsewhere: refuse rather than follow it.
    `if [ -L "$d" ]; then fail ${n} ${why('its directory is a symlink')}; fi`,
    `mkdir -p -- "$d" || fail ${n} ${why('cannot create its directory')}`,
    `tmp="$d/.vmdrift-tmp.$ID.${n}"; rm -f -- "$tmp"`,
    `${make}${faultAt(options.fault, 'temp', n)}`,
    `${settle} || { rm -f -- "$tmp"; fail ${n} ${why('cannot set its mode and owner or rename it into place')}; }`,
    done,
  ].join('\n')
}

export function compileApplyScript(steps: Step[], options: ApplyOptions): string {
  if (!/^[\w-]+$/.test(options.boundary) || !/^[\w-]+$/.test(options.id)) throw new Error('boundary and id must be plain words')
  const manifest = manifestOf(steps, options)
  const backups = manifest.entries.map(
    (entry, i) => `${entry.kind === 'dir' ? 'bkdir' : 'bk'} ${entry.n} "$R"${shQuote(entry.path)} || fail 0 ${shQuote(`cannot back up ${entry.path}`)}${faultAt(options.fault, 'backup', i + 1)}`,
  )
  // Leftovers of a restore cut between writing a temporary file and renaming it, in the directories this one writes.
  const dirs = [...new Set(steps.filter(isFileStep).map((step) => dirname(step.path)))]
  return [
    '# vmdrift restore: backs up every path it touches, then writes',
    'LC_ALL=C; export LC_ALL',
    'umask 022',
    `B=${options.boundary}`,
    `R=${shQuote((options.root ?? '').replace(/\/+$/, ''))}`,
    `ID=${options.id}`,
    `if [ -n "$R" ] && [ ! -d "$R" ]; then printf '%s\\n' "--root $R is not a directory on the host" >&2; exit 3; fi`,
    PRELUDE.trim(),
    `BASE="$R"${shQuote(BACKUPS_DIR)}; BK="$BASE/$ID"`,
    '# the latest restore, if it was cut short after its backup: this one finishes it, and undo goes back past both',
    'prev=; for b in "$BASE"/*; do [ -f "$b/backed-up" ] || continue; if [ -f "$b/applied" ] || [ -f "$b/undone" ]; then prev=; else prev=${b##*/}; fi; done',
    `mkdir -p -- "$BASE" && mkdir -m 700 -- "$BK" || fail 0 'cannot create the backup directory'`,
    `printf '%s\\n' ${shQuote(JSON.stringify(manifest, null, 2))} > "$BK/manifest.json" || fail 0 'cannot write the manifest'`,
    'if [ -n "$prev" ]; then printf \'%s\\n\' "$prev" > "$BK/resumes"; fi',
    't "BACKUP $ID"; printf \'%s\' "$prev"',
    '# 1. every path, as it is now',
    ...backups,
    // The backup must be on disk before anything it protects is changed.
    `sync; : > "$BK/backed-up"; t BACKED-UP${faultAt(options.fault, 'step', 0)}`,
    dirs.length ? `for d in ${dirs.map((dir) => `"$R"${shQuote(dir)}`).join(' ')}; do rm -f -- "$d"/.vmdrift-tmp.*; done` : '',
    '# 2. the files, 3. the commands',
    'failed=',
    ...steps.map((step, i) => `${applyStep(step, i + 1, options)}${faultAt(options.fault, 'step', i + 1)}`),
    'if [ -z "$failed" ]; then : > "$BK/applied"; fi',
    't END',
  ].filter((line) => line !== '').join('\n') + '\n'
}
