// Compiles the referenced-files probes of a capture (collectors/types.ts: ReferencedProbe, e.g. the files named
// by `EnvironmentFile=` in the units read) into the one script, and reads their frames back. The paths are only
// known on the host, so the host finds them itself, in the same script: ONE sed over the files the other probes
// read (those with a size: a file whose size says 0 is read on its own, script.ts), then ONE stat and ONE
// sha256sum over the files named. Their content never leaves the host.
//
// Every path is resolved by the prelude's `inroot` (chroot semantics under --root: an absolute link starts again
// at the root, `..` stops there), so `EnvironmentFile=/../../etc/shadow` or a link to /etc/shadow reads
// ROOT/etc/shadow, never the machine's own; stat and sha256sum then get a path with no link left in it.
//
// Framing (see script.ts):
//   Q <probe>  body: per path named: what was found, the path as named (no leading `-`), and where it was read
//              (empty for `loop`), each NUL-ended; found is `found`, `absent`, `loop` (a link loop, or a link
//              target with a newline: not followed) or `hidden` (a directory on the way the host may not search)
//   QS         body: stat of each path found, as the `S` frame (owners as ids, named by the `I` frames)
//   QH         body: `sha256sum -z` of each one that is a readable regular file, as the `H` frame
import type {FileRecord, Probe, ProbeResult, ReferencedProbe} from '../collectors/types.js'
import {shQuote} from './script.js'
import {appendToList, FLUSH_LIST, runOnList, START_LIST} from './script-list.js'

/** What the host found at a path named. */
export const LOOKUPS = ['found', 'absent', 'loop', 'hidden'] as const

export type Lookup = (typeof LOOKUPS)[number]

/** Only these reach sed's expression: a directive name is a word. */
const DIRECTIVE = /^[A-Za-z][A-Za-z0-9]*$/

/**
 * `Directive=PATH` lines, whitespace around `=` and at the end dropped, an optional leading `-` dropped, PATH
 * absolute; an empty assignment (a reset) names nothing. sed prints each PATH on a line of its own.
 */
function sedExpression(directive: string): string {
  return `s/^[[:space:]]*${directive}[[:space:]]*=[[:space:]]*-\\{0,1\\}\\(\\/.*[^[:space:]]\\)[[:space:]]*$/\\1/p`
}

/**
 * The script parts of the referenced probes: `scan` runs where the list ("$@", script-list.ts) holds the files
 * their `in` probes read, and sets `q<i>` to the paths sed found named there; `report` prints their frames.
 *
 * sed reads the list the files probes gathered for cat: no walk of its own. The paths it prints go to stat and
 * sha256sum as a list too, each resolved once. The loop reads a here-document, so it runs in the script's own
 * shell: no process per path. A specifier or a wildcard means the path is not literal: it is not looked up (the
 * collector says so). A path that a link's target gives a newline is not followed (reported as `loop`).
 */
export function compileReferenced(probes: ReferencedProbe[], limit?: number): {scan: string; report: string} {
  if (probes.length === 0) return {scan: '', report: ''}
  const usable = 'have sed && [ -z "$nostat$noxargs$nosha" ]'
  const scan = probes.map((probe, i) => {
    if (!DIRECTIVE.test(probe.directive)) throw new Error(`not a directive name: ${probe.directive}`)
    return `q${i}=; if ${usable}; then q${i}=$(${runOnList(`sed -n ${shQuote(sedExpression(probe.directive))}`, limit)}); fi`
  })
  const report = probes.map((probe, i) => {
    const id = shQuote(probe.id)
    return `# ${probe.id}: the files named by ${probe.directive}= (script-referenced.ts)
if ${usable}; then
  t "Q "${id}
  ${START_LIST}
  while IFS= read -r p; do
    case $p in '' | *%* | *'*'* | *'?'* | *'['*) continue ;; esac
    if inroot "$p" && case $r in *"$nl"*) false ;; esac; then
      x=$R$r
      if [ -e "$x" ]; then s=found; ${appendToList('x')}
      else
        # absent, unless the deepest directory there is on the way may not be searched: then it is unknown
        d=\${x%/*}; while [ -n "$d" ] && [ ! -e "$d" ]; do d=\${d%/*}; done
        if [ -d "\${d:-/}" ] && [ ! -x "\${d:-/}" ]; then s=hidden; else s=absent; fi
      fi
    else x=; s=loop; fi
    printf '%s\\0%s\\0%s\\0' "$s" "$p" "$x"
  done <<VMDRIFT_PATHS
$q${i}
VMDRIFT_PATHS
  ${FLUSH_LIST}
  t QS
  ${runOnList(`stat --printf '%f %a %u %g %s %Y\\0%n\\0%N\\0'`, limit)}
  t QH
  nb=0; for x do shift; if [ -f "$x" ] && [ -r "$x" ]; then ${appendToList('x')}; fi; done; ${FLUSH_LIST}
  ${runOnList('sha256sum -z', limit)}
else t "U "${id}; printf 'not found on the host:%s' "$(have sed || printf ' sed')\${nostat:+ stat}\${noxargs:+ xargs}\${nosha:+ sha256sum}"; fi`
  })
  return {scan: scan.join('\n'), report: report.join('\n')}
}

/** True for the tags this part prints: frames.ts hands those frames here. */
export function isReferencedTag(kind: string): boolean {
  return kind === 'Q' || kind === 'QS' || kind === 'QH'
}

export interface ReferencedFrame {
  tag: string
  body: Buffer
}

/** How frames.ts reads an `S` and an `H` body, which QS and QH repeat. */
export interface BodyParsers {
  stats(body: Buffer): Map<string, Omit<FileRecord, 'path'>>
  hashes(body: Buffer): Map<string, string>
}

/**
 * The results of the referenced probes: a record per path found, under the path as named (and under each name,
 * when two name one file), with its sha256 or `not readable`; and `output`, one `<lookup> <path>` line per path.
 */
export function parseReferenced(frames: ReferencedFrame[], parsers: BodyParsers): Record<string, ProbeResult> {
  const results: Record<string, ProbeResult> = {}
  let current: {probe: string; lookups: [Lookup, string, string][]} | undefined
  let stats = new Map<string, Omit<FileRecord, 'path'>>()
  const finish = (hashes: Map<string, string>) => {
    if (!current) return
    const records: FileRecord[] = []
    const seen = new Set<string>()
    for (const [lookup, named, read] of current.lookups) {
      const stat = stats.get(read)
      if (lookup !== 'found' || !stat || seen.has(named)) continue
      seen.add(named)
      const hash = hashes.get(read)
      records.push({...stat, path: named, ...(stat.type !== 'file' ? {} : hash ? {sha256: hash} : {error: 'not readable'})})
    }
    results[current.probe] = {records, output: current.lookups.map(([lookup, named]) => `${lookup} ${named}\n`).join('')}
    current = undefined
  }
  for (const {tag, body} of frames) {
    const [kind, probe] = tag.split(' ')
    if (kind === 'Q') {
      finish(new Map())
      current = {probe: probe ?? '', lookups: lookups(body)}
      stats = new Map()
    } else if (kind === 'QS') {
      stats = parsers.stats(body)
    } else if (kind === 'QH') {
      finish(parsers.hashes(body))
    }
  }
  finish(new Map())
  return results
}

function lookups(body: Buffer): [Lookup, string, string][] {
  const fields = body.toString('utf8').split('\0')
  const out: [Lookup, string, string][] = []
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const lookup = LOOKUPS.find((l) => l === fields[i])
    if (lookup) out.push([lookup, fields[i + 1]!, fields[i + 2]!])
  }
  return out
}

/**
 * The paths the referenced probes found a file at, as named: secrets wherever else they are read (a file in a unit
 * directory, a --keep-content glob), so the engine redacts them there too.
 */
export function referencedPaths(results: Record<string, ProbeResult>, probes: Probe[]): Set<string> {
  return new Set(probes.flatMap((probe) => (probe.kind === 'referenced' ? (results[probe.id]?.records ?? []).map((record) => record.path) : [])))
}
