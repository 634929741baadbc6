// Compiles every probe of a capture into ONE POSIX sh script, so a capture costs one connection and one exec.
// The host needs sh and GNU coreutils (stat, cat, sha256sum) and nothing else; a missing tool is reported in the
// stream, never a failure of the whole script.
//
// Processes are what a host pays for (on an emulated VM each fork+exec costs a tenth of a second), so the script
// runs a fixed number of them whatever the number of files: globs are expanded by sh itself, then ONE `stat` for
// every entry, ONE `cat` for every text file, ONE `sha256sum` for every hashed file. Only files whose size says 0
// but may hold content (/proc) are read one by one.
//
// Output framing: every piece of data is preceded by a tag line `\n<BOUNDARY> <TAG>\n`. The boundary is random per
// run, so no file content can forge a tag; the leading newline lets a body end without one and still be exact.
// Lists of paths are NUL-separated (a path cannot hold NUL).
//   P <probe> [v]  body: the entries a probe matched (`v`: vendor files found through vendorDirs)
//   U <probe>      body: why the probe cannot run on this host (a missing tool)
//   S              body: per entry (and per directory the globs list: its mtime dates removals) `%f %a %u %g %s %Y`, path, and `%N` (`path -> target` for a link), each NUL-ended
//   I passwd|group body: the host's /etc/passwd or /etc/group, to name the owners stat gave as ids (stat's own %U
//                  reads /etc/passwd again for every file: a third of a check of 100,000 files)
//   N              body: the files whose contents follow, in order
//   C              body: their contents, concatenated (split by the sizes stat gave);  then `Z <exit status>`
//   C1             body: one file's path; then `D` with its content and `Z <exit status>` (files of size 0)
//   H              body: `sha256sum -z` output: `<hash>  <path>` per file, NUL-ended
//   X              body: the paths the script could not read (a directory it could not list), NUL-ended
//   O, E           a command probe's output and exit status (script-commands.ts)
//   Q, QS, QH      the files named by a directive in the files read, their stat and sha256 (script-referenced.ts)
//   END            the script ran to its end (a stream without it was cut short)
import type {CommandProbe, EachProbe, FilesProbe, Probe, ReferencedProbe} from '../collectors/types.js'
import {compileCommands, runConcurrently} from './script-commands.js'
import {compileReferenced} from './script-referenced.js'
import {appendToList, ARGUMENT_BYTES, FLUSH_LIST, PRINT_LIST, runOnList, START_LIST} from './script-list.js'
import {shQuote} from '../sh.js'

// Here too for the script compilers that import it from this module.
export {shQuote}

/**
 * A pattern as sh words that expand as a glob and nothing else: every character but `*`, `?` and a bracket
 * expression is single-quoted, so `$(…)`, backticks, `;`, spaces or newlines in a path stay literal.
 */
export function shGlob(pattern: string): string {
  let out = ''
  let literal = ''
  const flush = () => {
    if (literal) out += shQuote(literal)
    literal = ''
  }
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!
    if (ch === '*' || ch === '?') {
      flush()
      out += ch
      continue
    }
    if (ch === '[') {
      const close = bracketEnd(pattern, i)
      if (close > 0) {
        flush()
        // Inside a bracket expression only these characters can appear unquoted without meaning anything to sh.
        const body = pattern.slice(i + 1, close)
        if (/^[!^]?[\w.,+@%:/-]+$/.test(body)) {
          out += `[${body.replace(/^\^/, '!')}]`
          i = close
          continue
        }
      }
    }
    literal += ch
  }
  flush()
  return out || "''"
}

function bracketEnd(pattern: string, open: number): number {
  let i = open + 1
  if (pattern[i] === '!' || pattern[i] === '^') i++
  if (pattern[i] === ']') i++
  const close = pattern.indexOf(']', i)
  return close
}

export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern)
}

export interface ScriptOptions {
  boundary: string
  /** read every path under this directory instead of / (an offline root) */
  root?: string
  /** bytes of paths past which a list goes through xargs (script-list.ts; tests lower it) */
  argumentBytes?: number
}

const PRELUDE = String.raw`
nl='
'
t() { printf '\n%s %s\n' "$B" "$1"; }
have() { command -v "$1" >/dev/null 2>&1; }
# inroot PATH: sets r to PATH as it is inside the root $R, every symlink on the way followed as a chroot would:
# an absolute target starts again at $R, '..' never climbs above it. Fails on a link loop (more than 40 links).
# A fork (readlink) only for a link actually on the way: a root without links costs nothing.
inroot() {
  r=; rest=${'$'}{1#/}; links=0
  while [ -n "$rest" ]; do
    case $rest in */*) c=${'$'}{rest%%/*}; rest=${'$'}{rest#*/} ;; *) c=$rest; rest= ;; esac
    case $c in '' | .) continue ;; ..) r=${'$'}{r%/*}; continue ;; esac
    if [ -L "$R$r/$c" ]; then
      links=$((links + 1)); [ $links -le 40 ] || return 1
      l=$(readlink -- "$R$r/$c" && printf .) || return 1
      l=${'$'}{l%.}; l=${'$'}{l%?}
      case $l in /*) r= ;; esac
      rest=$l/$rest
    else
      r=$r/$c
    fi
  done
  r=${'$'}{r:-/}
}
# lines FILE: FILE's lines, read by sh itself (no process)
lines() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done < "$1"; }
# vendorof PATH DIR...: sets v to the unit file that PATH (an override, a mask or a NAME.d directory) belongs to:
# the first of the directories that has NAME, else NAME's template (foo@bar.service -> foo@.service).
vendorof() {
  n=${'$'}{1##*/}; n=${'$'}{n%.d}; shift
  case $n in *.service|*.socket|*.device|*.mount|*.automount|*.swap|*.target|*.path|*.timer|*.slice|*.scope) ;; *) return 1 ;; esac
  case $n in *@?*.*) tn="${'$'}{n%%@*}@.${'$'}{n##*.}" ;; *) tn= ;; esac
  for name in "$n" ${'$'}{tn:+"$tn"}; do
    for d in "$@"; do
      [ -n "$d" ] || continue
      v=$R$d/$name
      if [ -e "$v" ] || [ -L "$v" ]; then return 0; fi
    done
  done
  return 1
}`

const EXISTS = '[ -e "$f" ] || [ -L "$f" ] || continue'
const READABLE_FILE = '[ -f "$f" ] && [ ! -L "$f" ] && [ -r "$f" ]'
/** what sha256sum may open: a regular file, never a link, a FIFO or a device (one it cannot read prints no hash) */
const HASHABLE = '[ -f "$f" ] && [ ! -L "$f" ]'
/** a directory whose entries the host could not list */
const UNREADABLE_DIR = '[ -d "$f" ] && [ ! -L "$f" ] && { [ ! -r "$f" ] || [ ! -x "$f" ]; }'

/** sh variable that is non-empty when a tool the probe needs is missing */
function toolsOk(probe: FilesProbe): string {
  const tools = probe.content === 'text' || probe.content === 'bytes' ? '$nocat' : probe.content === 'sha256' ? '$nosha' : ''
  return `[ -z "$nostat$noxargs${tools}" ]`
}

/**
 * Where each literal directory of the script (a glob's fixed part, a vendor directory) really is: under --root,
 * resolved inside the root by `inroot`, so that a link such as ROOT/lib -> /usr/lib reads ROOT/usr/lib and never
 * the machine's own /usr/lib. Each gets a variable (`$d0`…); empty when it cannot be resolved (a link loop).
 */
class Directories {
  readonly names = new Map<string, string>()

  variable(dir: string): string {
    let name = this.names.get(dir)
    if (!name) {
      name = `d${this.names.size}`
      this.names.set(dir, name)
    }
    return name
  }

  /** Sets every variable; under --root, also prints `M` with `logical\0physical\0` for each that moved. */
  resolve(underRoot: boolean): string {
    const lines: string[] = []
    for (const [dir, name] of this.names) {
      lines.push(underRoot ? `if inroot ${shQuote(dir)}; then ${name}=$r; else ${name}=; fi` : `${name}=${shQuote(dir)}`)
    }
    if (underRoot && this.names.size > 0) {
      lines.push(
        't M',
        ...[...this.names].map(([dir, name]) => `[ -z "$${name}" ] || [ "$${name}" = ${shQuote(dir)} ] || printf '%s\\0%s\\0' ${shQuote(dir)} "$${name}"`),
      )
    }
    return lines.join('\n')
  }
}

/** A glob split at its literal directory: `/etc/systemd/system/*\/*` → dir `/etc/systemd/system`, rest `*\/*`. */
function splitGlob(glob: string): {dir: string; rest: string} {
  const dir = globDir(glob)
  return {dir, rest: glob.slice(dir === '/' ? 1 : dir.length + 1)}
}

/**
 * The code that runs `body` with `$f` set to each match of a probe's globs (or its vendor file); `filter` may
 * `continue`. Each directory a glob descends through (`*` of `*\/*`) is a loop of its own that skips links, `.`
 * and `..`, so a match never comes through a link out of the listed directory, and that test costs one pass per
 * directory rather than one per file. A plain listing (no filter, no vendor lookup) is one `printf` of the whole
 * glob per directory: no loop at all, which is what 100,000 files need (a loop over them costs a second of sh).
 * Its one quirk, a glob that matched nothing printed as itself, is harmless: stat finds no such file, and a name
 * stat did not see is no match.
 */
function eachMatch(probe: FilesProbe, vendor: boolean, filter: string, body: string, dirs: Directories): string {
  const vendorDirs = (probe.vendorDirs ?? []).map((dir) => `"$${dirs.variable(dir)}"`).join(' ')
  const find = vendor ? `vendorof "$f" ${vendorDirs} || continue; f=$v; ` : ''
  return probe.globs
    .map((glob) => {
      const {dir, rest} = splitGlob(glob)
      const segments = rest.split('/')
      const last = segments.pop()!
      let parent = `"$R$${dirs.variable(dir)}"`
      let open = ''
      let close = ''
      segments.forEach((segment, depth) => {
        const p = `p${depth}`
        open += `for ${p} in ${parent}/${shGlob(segment)}; do case $\{${p}##*/} in . | ..) continue ;; esac; [ -d "$${p}" ] && [ ! -L "$${p}" ] || continue; `
        close += '; done'
        parent = `"$${p}"`
      })
      const matches = `${parent}/${shGlob(last)}`
      // Only a pattern that starts with a dot can match `.` or `..` (sh's wildcards never match a leading dot).
      const dots = last.startsWith('.') ? `case $\{f##*/} in . | ..) continue ;; esac; ` : ''
      const plain = !vendor && !filter && body === PRINT_NAME && !dots
      // A filter that tests the file (-f) also tests that it exists; a bare loop must tell a glob that matched
      // nothing (left as itself) from a match.
      const exists = filter && !vendor ? '' : `${EXISTS}; `
      const inner = plain
        ? `printf '%s\\0' ${matches}`
        : `for f in ${matches}; do ${exists}${dots}${find}${filter ? `${filter} || continue; ` : ''}${body}; done`
      return `[ -z "$${dirs.variable(dir)}" ] || { ${open}${inner}${close}; }`
    })
    .join('\n')
}

function variants(probe: FilesProbe): boolean[] {
  return probe.vendorDirs?.length ? [false, true] : [false]
}

/** NUL-ends `$f`: how every list in the script is written, whether to the stream or to one reading process. */
const PRINT_NAME = `printf '%s\\0' "$f"`

function listEntries(probe: FilesProbe, dirs: Directories): string {
  const id = shQuote(probe.id)
  const lists = variants(probe)
    .map((vendor) => `t "P "${id}${vendor ? "' v'" : ''}
  ${eachMatch(probe, vendor, '', PRINT_NAME, dirs)}`)
    .join('\n  ')
  const missing = probe.content === 'text' || probe.content === 'bytes' ? ' ${nocat:+cat}' : probe.content === 'sha256' ? ' ${nosha:+sha256sum}' : ''
  return `if ${toolsOk(probe)}; then
  ${lists}
else t "U "${id}; printf 'not found on the host:%s' "\${nostat:+ stat}\${noxargs:+ xargs}${missing}"; fi`
}

/** The directory a glob lists: its literal part, up to the last slash before the first wildcard. */
export function globDir(glob: string): string {
  const wildcard = glob.search(/[*?[]/)
  const literal = wildcard < 0 ? glob : glob.slice(0, wildcard)
  return literal.slice(0, literal.lastIndexOf('/')) || '/'
}

/** The directories the globs list, NUL-ended: they go to stat too, as when an entry last left one is its mtime. */
function listDirectories(probes: FilesProbe[], dirs: Directories): string {
  const listed = [...new Set(probes.flatMap((probe) => probe.globs.map(globDir)))]
  return listed.map((dir) => `f="$R$${dirs.variable(dir)}"; if [ -n "$${dirs.variable(dir)}" ] && [ -d "$f" ]; then ${PRINT_NAME}; fi`).join('\n')
}

/**
 * The directories whose entries a probe needed but the host could not list (permissions): the glob silently
 * matched nothing there, which must never read as "every entry removed". The literal directories, and the
 * directories a glob descends through (`*` of `*\/*`).
 */
function unreadableDirectories(probes: FilesProbe[], dirs: Directories): string {
  const checks = [...new Set(probes.flatMap((probe) => probe.globs))].map((glob) => {
    const {dir, rest} = splitGlob(glob)
    const base = `"$R$${dirs.variable(dir)}"`
    const own = `f=${base}; if [ -n "$${dirs.variable(dir)}" ] && ${UNREADABLE_DIR}; then ${PRINT_NAME}; fi`
    if (!rest.includes('/')) return own
    const first = rest.slice(0, rest.indexOf('/'))
    return `${own}\nfor f in ${base}/${shGlob(first)}; do ${UNREADABLE_DIR} && ${PRINT_NAME}; done`
  })
  return ['t X', ...checks].join('\n')
}

/** The --root prefix as the script takes it: no trailing slash, '' for none. */
function rootPrefix(root: string | undefined): string {
  return (root ?? '').replace(/\/+$/, '')
}

/**
 * What the script prints every path under, for the parser to remove: under --root it reads from inside the root,
 * `./etc/…`, the root's own path left out of every path it prints (and of every path the kernel walks); '' without.
 */
export function printedRoot(root: string | undefined): string {
  return rootPrefix(root) ? '.' : ''
}

function forContent(probes: FilesProbe[], filter: string, body: string, dirs: Directories): string {
  return probes
    .flatMap((probe) => variants(probe).map((vendor) => `if ${toolsOk(probe)}; then\n${eachMatch(probe, vendor, filter, body, dirs)}\nfi`))
    .join('\n')
}

/**
 * `{ <lists> } | xargs -0r <command>`: every name goes to ONE process. GNU xargs would split at 128 KiB of
 * arguments (about 3,000 paths); `-s` raises that to 1 MB, half of Linux's usual limit, so only a host with
 * tens of thousands of files gets a second process. Appending to "$@" instead made the script quadratic:
 * 10,000 files took 44 s.
 */
function oneProcessFor(lists: string, command: string): string {
  return lists.trim() ? `{\n${lists}\n} | xargs -0r -s ${ARGUMENT_BYTES} ${command}` : ':'
}

/** The descriptor the hashes wait on (the concurrent command probes of script-commands.ts take 3 to 8). */
const HASHES_FD = 9

/**
 * Hashing the watched binaries is most of a capture's time on the host (sha256sum of a few hundred MB), and the
 * rest of the script (stat, cat, the commands) needs none of it. So sha256sum runs first, as the left side of a
 * pipeline whose right side is everything else, as runConcurrently runs slow commands (no temporary file): the
 * right side keeps the pipe on a descriptor of its own, gives the rest /dev/null as stdin (it is the script
 * itself, sh -s), and prints the `H` frame last, just before END (after the frames of the concurrent command
 * probes). More hashes than a pipe holds (64 KiB, ~600 files) wait for the reader: sha256sum then finishes after
 * the rest, as it did before it ran beside it. The right side is a subshell: nothing after it may need a variable
 * it sets (only END follows).
 */
function hashedBeside(hashes: string): string {
  return `{ t H; ${oneProcessFor(hashes, 'sha256sum -z --')}; } </dev/null 2>/dev/null | {\nexec ${HASHES_FD}<&0 </dev/null`
}

/**
 * Reads the text files: ONE walk of the text probes' matches, where a file with a size joins the list (script-list.ts)
 * and one whose size says 0 but may hold content (/proc/cmdline) is read by itself. The list is then printed (`N`)
 * and handed to ONE cat (`C`): no second walk, and no subshell or xargs between sh and cat for a list that fits on
 * a command line. The probes that referenced probes read (`in`) are walked first, so that sed (script-referenced.ts)
 * reads the list as it stands then, before the other text files join it.
 */
function readText(probes: FilesProbe[], references: ReferencedProbe[], dirs: Directories, limit = ARGUMENT_BYTES): {read: string; referenced: string} {
  // Kept bytes are read like text, by the one cat: they just are not decoded.
  const text = probes.filter((probe) => probe.content === 'text' || probe.content === 'bytes')
  const scanned = new Set(references.flatMap((probe) => probe.in))
  for (const probe of references) {
    const own = new Set(probe.in)
    if (own.size !== scanned.size || [...scanned].some((id) => !own.has(id))) throw new Error('every referenced probe must read the same files probes')
  }
  const unread = probes.find((probe) => scanned.has(probe.id) && !text.includes(probe))
  if (unread) throw new Error(`a referenced probe reads only text files probes, not ${unread.id}`)
  const body = `if [ -s "$f" ]; then ${appendToList('f')}; else t C1; printf '%s' "$f"; t D; cat -- "$f" 2>/dev/null; t "Z $?"; fi`
  const walk = (probes: FilesProbe[]) => forContent(probes, READABLE_FILE, body, dirs)
  const {scan, report} = compileReferenced(references, limit)
  const first = text.filter((probe) => scanned.has(probe.id))
  const read = [
    '# 2. the text files, in one walk: those with a size into one list for one cat, those that say they are empty',
    '# (they may not be: /proc/cmdline) one by one',
    START_LIST,
    walk(first),
    ...(scan ? [FLUSH_LIST, scan] : []),
    walk(text.filter((probe) => !scanned.has(probe.id))),
    FLUSH_LIST,
    `t N; ${PRINT_LIST}`,
    `t C; ${runOnList('cat', limit)}; t "Z $?"`,
  ]
  return {read: read.filter((line) => line !== '').join('\n'), referenced: report}
}

export function compileScript(all: Probe[], options: ScriptOptions): string {
  if (!/^[\w-]+$/.test(options.boundary)) throw new Error('boundary must be a plain word')
  const probes = all.filter((p): p is FilesProbe => p.kind === 'files')
  const commands = all.filter((p): p is CommandProbe | EachProbe => p.kind === 'command' || p.kind === 'each')
  for (const probe of probes) {
    for (const glob of probe.globs) if (!glob.startsWith('/') || glob.split('/').some((part) => part === '..')) throw new Error(`not an absolute path without '..': ${glob}`)
  }
  const root = rootPrefix(options.root)
  const dirs = new Directories()
  const hashed = probes.filter((p) => p.content === 'sha256')
  // Generated first so that every directory has its variable before `resolve` prints them.
  const listing = probes.map((probe) => listEntries(probe, dirs)).join('\n')
  const unreadable = unreadableDirectories(probes, dirs)
  const statLists = [...probes.map((probe) => variants(probe).map((vendor) => eachMatch(probe, vendor, '', PRINT_NAME, dirs)).join('\n')), listDirectories(probes, dirs)].join('\n')
  const hashes = forContent(hashed, HASHABLE, PRINT_NAME, dirs)
  const hashing = hashes.trim() !== ''
  const textFiles = readText(probes, all.filter((p): p is ReferencedProbe => p.kind === 'referenced'), dirs, options.argumentBytes)
  const expected = [...new Set(probes.flatMap((probe) => probe.globs.map(globDir)))]
  const lines = [
    '# vmdrift capture: reads only, writes nothing',
    // QUOTING_STYLE: %N prints a link as `name -> target`, unquoted
    'LC_ALL=C; QUOTING_STYLE=literal; export LC_ALL QUOTING_STYLE',
    `B=${options.boundary}`,
    `R=${shQuote(root)}`,
    // A mistyped --root would otherwise read as an empty host, and a capture would write an empty baseline.
    `if [ -n "$R" ] && [ ! -d "$R" ]; then printf '%s\\n' "--root $R is not a directory on the host" >&2; exit 3; fi`,
    PRELUDE.trim(),
    dirs.resolve(root !== ''),
    // So is a root that holds none of the directories read: an empty or wrong directory, not a host.
    root && expected.length
      ? `if ! { ${expected.map((dir) => `{ [ -n "$${dirs.variable(dir)}" ] && [ -d "$R$${dirs.variable(dir)}" ]; }`).join(' || ')}; }; then printf '%s\\n' "--root $R holds none of ${expected.join(' ')}: not the root of a host" >&2; exit 3; fi`
      : '',
    // From here, read from inside the root (printedRoot).
    root ? `cd -P -- "$R" 2>/dev/null || { printf '%s\\n' "--root $R: the host cannot enter it" >&2; exit 3; }; R=.` : '',
    'nostat=; noxargs=; nocat=; nosha=',
    'have stat || nostat=1; have xargs || noxargs=1; have cat || nocat=1; have sha256sum || nosha=1',
    ...(hashing ? ['# 3. one sha256sum for every hashed file, beside the rest (see hashedBeside)', hashedBeside(hashes)] : []),
    '# 1. every entry of every probe, then one stat for all of them',
    listing,
    unreadable,
    `if [ -z "$nostat$noxargs" ]; then t S; ${oneProcessFor(statLists, `stat --printf '%f %a %u %g %s %Y\\0%n\\0%N\\0' -- 2>/dev/null`)}; fi`,
    '# the names of the owners and groups stat gave as numbers (by name, stat would read them once per file)',
    't "I passwd"; lines /etc/passwd 2>/dev/null; t "I group"; lines /etc/group 2>/dev/null',
    textFiles.read,
    ...(hashing ? [] : ['t H']),
    textFiles.referenced,
    '# 4. commands that read the running system, each once',
    compileCommands(commands, probes),
  ]
  const body = lines.filter((line) => line !== '').join('\n')
  // The hashes are the last frame before END, whatever else ran beside them: a reader can act on all the rest as
  // soon as their frame starts (read-host.ts).
  return runConcurrently(body, commands, hashing ? [`cat <&${HASHES_FD}`, '}'] : [])
}
