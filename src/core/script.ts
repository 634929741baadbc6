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
//   S              body: per entry (and per directory the globs list: its mtime dates removals) `%f %a %U %G %s %Y`, path, and `%N` (`path -> target` for a link), each NUL-ended
//   N              body: the files whose contents follow, in order
//   C              body: their contents, concatenated (split by the sizes stat gave);  then `Z <exit status>`
//   C1             body: one file's path; then `D` with its content and `Z <exit status>` (files of size 0)
//   H              body: `sha256sum -z` output: `<hash>  <path>` per file, NUL-ended
//   END            the script ran to its end (a stream without it was cut short)
import type {FilesProbe, Probe} from '../collectors/types.js'

/** Single-quotes a string for sh: nothing inside is ever expanded. */
export function shQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

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
}

const PRELUDE = String.raw`
t() { printf '\n%s %s\n' "$B" "$1"; }
have() { command -v "$1" >/dev/null 2>&1; }
# vendorof PATH DIR...: sets v to the unit file that PATH (an override, a mask or a NAME.d directory) belongs to:
# the first of the directories that has NAME, else NAME's template (foo@bar.service -> foo@.service).
vendorof() {
  n=${'$'}{1##*/}; n=${'$'}{n%.d}; shift
  case $n in *.service|*.socket|*.device|*.mount|*.automount|*.swap|*.target|*.path|*.timer|*.slice|*.scope) ;; *) return 1 ;; esac
  case $n in *@?*.*) tn="${'$'}{n%%@*}@.${'$'}{n##*.}" ;; *) tn= ;; esac
  for name in "$n" ${'$'}{tn:+"$tn"}; do
    for d in "$@"; do
      v=$R$d/$name
      if [ -e "$v" ] || [ -L "$v" ]; then return 0; fi
    done
  done
  return 1
}`

/** Lists `$f` in the stream (NUL-ended) and keeps it in "$@" for the one process that reads them all. */
const LIST_AND_KEEP = `printf '%s\\0' "$f"; set -- "$@" "$f"`
const EXISTS = '[ -e "$f" ] || [ -L "$f" ] || continue'
const READABLE_FILE = '[ -f "$f" ] && [ ! -L "$f" ] && [ -r "$f" ]'

/** sh variable that is non-empty when a tool the probe needs is missing */
function toolsOk(probe: FilesProbe): string {
  const tools = probe.content === 'text' || probe.content === 'bytes' ? '$nocat' : probe.content === 'sha256' ? '$nosha' : ''
  return `[ -z "$nostat${tools}" ]`
}

/**
 * A loop over a probe's matches (or their vendor files) running `body` with `$f` set; `filter` may `continue`.
 * Inline, not a function: appending to "$@" must happen at the top level of the script.
 */
function eachMatch(probe: FilesProbe, vendor: boolean, filter: string, body: string): string {
  const words = probe.globs.map((glob) => `"$R"${shGlob(glob)}`).join(' ')
  const dirs = (probe.vendorDirs ?? []).map(shQuote).join(' ')
  const find = vendor ? `${EXISTS}; vendorof "$f" ${dirs} || continue; f=$v; ` : `${EXISTS}; `
  return `for f in ${words}; do ${find}${filter ? `${filter} || continue; ` : ''}${body}; done`
}

function variants(probe: FilesProbe): boolean[] {
  return probe.vendorDirs?.length ? [false, true] : [false]
}

function listEntries(probe: FilesProbe): string {
  const id = shQuote(probe.id)
  const lists = variants(probe)
    .map((vendor) => `t "P "${id}${vendor ? "' v'" : ''}
  ${eachMatch(probe, vendor, '', LIST_AND_KEEP)}`)
    .join('\n  ')
  const missing = probe.content === 'text' || probe.content === 'bytes' ? ' ${nocat:+cat}' : probe.content === 'sha256' ? ' ${nosha:+sha256sum}' : ''
  return `if ${toolsOk(probe)}; then
  ${lists}
else t "U "${id}; printf 'not found on the host:%s' "\${nostat:+ stat}${missing}"; fi`
}

/** The directory a glob lists: its literal part, up to the last slash before the first wildcard. */
export function globDir(glob: string): string {
  const wildcard = glob.search(/[*?[]/)
  const literal = wildcard < 0 ? glob : glob.slice(0, wildcard)
  return literal.slice(0, literal.lastIndexOf('/')) || '/'
}

/** The directories the globs list go to stat too: when an entry last left one is its mtime. */
function statDirectories(probes: FilesProbe[]): string {
  const dirs = [...new Set(probes.flatMap((probe) => probe.globs.map(globDir)))]
  return dirs.map((dir) => `f="$R"${shQuote(dir)}; if [ -d "$f" ]; then set -- "$@" "$f"; fi`).join('\n')
}

/** The --root prefix as the script and the parser both use it: no trailing slash, '' for none. */
export function rootPrefix(root: string | undefined): string {
  return (root ?? '').replace(/\/+$/, '')
}

function forContent(probes: FilesProbe[], filter: string, body: string): string {
  return probes
    .flatMap((probe) => variants(probe).map((vendor) => `if ${toolsOk(probe)}; then ${eachMatch(probe, vendor, filter, body)}; fi`))
    .join('\n')
}

export function compileScript(probes: Probe[], options: ScriptOptions): string {
  if (!/^[\w-]+$/.test(options.boundary)) throw new Error('boundary must be a plain word')
  const root = rootPrefix(options.root)
  // Kept bytes are read like text, by the one cat: they just are not decoded.
  const text = probes.filter((p) => p.content === 'text' || p.content === 'bytes')
  const hashed = probes.filter((p) => p.content === 'sha256')
  return [
    '# vmdrift capture: reads only, writes nothing',
    'LC_ALL=C; export LC_ALL',
    `B=${options.boundary}`,
    `R=${shQuote(root)}`,
    // A mistyped --root would otherwise read as an empty host, and a capture would write an empty baseline.
    `if [ -n "$R" ] && [ ! -d "$R" ]; then printf '%s\\n' "--root $R is not a directory on the host" >&2; exit 3; fi`,
    PRELUDE.trim(),
    'nostat=; nocat=; nosha=',
    'have stat || nostat=1; have cat || nocat=1; have sha256sum || nosha=1',
    '# 1. every entry of every probe, then one stat for all of them',
    'set --',
    ...probes.map(listEntries),
    statDirectories(probes),
    `if [ $# -gt 0 ]; then t S; QUOTING_STYLE=literal stat --printf '%f %a %U %G %s %Y\\0%n\\0%N\\0' -- "$@" 2>/dev/null; fi`,
    '# 2. one cat for the contents of every text file with a size',
    'set --',
    't N',
    forContent(text, `${READABLE_FILE} && [ -s "$f" ]`, LIST_AND_KEEP),
    'if [ $# -gt 0 ]; then t C; cat -- "$@" 2>/dev/null; t "Z $?"; fi',
    '# files that say they are empty may not be (/proc/cmdline): one by one',
    forContent(text, `${READABLE_FILE} && [ ! -s "$f" ]`, `t C1; printf '%s' "$f"; t D; cat -- "$f" 2>/dev/null; t "Z $?"`),
    '# 3. one sha256sum for every hashed file',
    'set --',
    forContent(hashed, READABLE_FILE, 'set -- "$@" "$f"'),
    'if [ $# -gt 0 ]; then t H; sha256sum -z -- "$@" 2>/dev/null; fi',
    't END',
    '',
  ].filter((line) => line !== '').join('\n') + '\n'
}
