// Compiles every probe of a capture into ONE POSIX sh script, so a capture costs one connection and one exec.
// The host needs sh and coreutils (stat, cat, readlink, sha256sum) and nothing else; a missing tool is reported
// in the stream, never a failure of the whole script.
//
// Output framing: every piece of data is preceded by a tag line `\n<BOUNDARY> <TAG>\n`. The boundary is random per
// run, so no file content can forge a tag; the leading newline lets a body end without one and still be exact.
//   F <probe> [v]   body: the path (root prefix removed); `v` marks a vendor file found through vendorDirs
//   S               body: `stat -c '%f %a %U %G %s %Y'` of the entry (lstat), or stat's error
//   L               body: the symlink's target
//   C               body: the file's content;  then `Z <exit status of cat>`
//   H               body: `sha256sum` output for the file's content
//   U <probe>       body: why the probe cannot run on this host (a missing tool)
//   END             the script ran to its end (a stream without it was cut short)
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
# e PROBE PATH MODE [v]: one entry, lstat first, then its content, hash or link target.
e() {
  t "F $1${'$'}{4:+ v}"; printf '%s' "${'$'}{2#"$R"}"
  t S; stat -c '%f %a %U %G %s %Y' -- "$2" 2>&1
  if [ -L "$2" ]; then t L; readlink -- "$2"
  elif [ -f "$2" ]; then
    case $3 in
      text) t C; cat -- "$2" 2>/dev/null; t "Z $?" ;;
      sha256) t H; sha256sum < "$2" 2>&1 ;;
    esac
  fi
}
# vendor PROBE PATH DIR...: the unit file that PATH overrides or extends, first match in search-path order,
# else its template's (foo@bar.service -> foo@.service).
vendor() {
  p=$1; n=${'$'}{2##*/}; n=${'$'}{n%.d}; shift 2
  case $n in *.service|*.socket|*.device|*.mount|*.automount|*.swap|*.target|*.path|*.timer|*.slice|*.scope) ;; *) return ;; esac
  vendor1 "$p" "$n" "$@" && return
  case $n in *@?*.*) vendor1 "$p" "${'$'}{n%%@*}@.${'$'}{n##*.}" "$@" ;; esac
}
vendor1() {
  p=$1; name=$2; shift 2
  for d in "$@"; do
    if [ -e "$R$d/$name" ] || [ -L "$R$d/$name" ]; then e "$p" "$R$d/$name" text v; return 0; fi
  done
  return 1
}
`

function requiredTools(probe: FilesProbe): string[] {
  const tools = ['stat', 'readlink']
  if (probe.content === 'text') tools.push('cat')
  if (probe.content === 'sha256') tools.push('sha256sum')
  return tools
}

function compileFiles(probe: FilesProbe): string {
  const id = shQuote(probe.id)
  const tools = requiredTools(probe)
  const words = probe.globs.map((glob) => `"$R"${shGlob(glob)}`).join(' ')
  const vendor = probe.vendorDirs?.length
    ? `\n    vendor ${id} "$f" ${probe.vendorDirs.map(shQuote).join(' ')}`
    : ''
  const missing = tools.map((tool) => `have ${tool} || m="$m ${tool}"`).join('; ')
  return `m=; ${missing}
if [ -n "$m" ]; then t "U "${id}; printf 'not found on the host:%s' "$m"
else
  for f in ${words}; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    e ${id} "$f" ${probe.content}${vendor}
  done
fi`
}

function compileProbe(probe: Probe): string {
  switch (probe.kind) {
    case 'files':
      return compileFiles(probe)
  }
}

export function compileScript(probes: Probe[], options: ScriptOptions): string {
  if (!/^[\w-]+$/.test(options.boundary)) throw new Error('boundary must be a plain word')
  const root = (options.root ?? '').replace(/\/+$/, '')
  return [
    '# vmdrift capture: reads only, writes nothing',
    'LC_ALL=C; export LC_ALL',
    `B=${options.boundary}`,
    `R=${shQuote(root)}`,
    PRELUDE.trim(),
    ...probes.map(compileProbe),
    't END',
    '',
  ].join('\n')
}
