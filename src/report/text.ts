// Pure rendering of results for people. Colour comes in as a chalk instance; level 0 gives plain text.
import type {ChalkInstance} from 'chalk'
import type {CaptureResult} from '../core/capture.js'
import type {CheckResult} from '../core/check.js'
import type {IgnoredFinding} from '../drift/ignore.js'
import {describeChange} from '../drift/diff.js'
import {DRIFT_CLASSES, type DriftClass, type Finding} from '../model.js'
import {clipLine, clipLines, escapeControl, LIMITS} from './safe-text.js'

/** Host data made one inert line for a terminal: control characters escaped, then cut to a bounded length. */
const safe = (text: string) => clipLine(escapeControl(text))

/** An ISO 8601 UTC time as people read it: `2026-11-28 12:01:30 UTC`. */
const time = (iso: string) => iso.replace('T', ' ').replace('Z', ' UTC')

function when(finding: Finding): string {
  if (finding.written) return `written ${time(finding.written)}`
  if (finding.directoryChanged) return `its directory changed ${time(finding.directoryChanged)}`
  return ''
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => (line ? by + line : line))
    .join('\n')
}

function colourDiff(diff: string, c: ChalkInstance): string {
  return clipLines(diff.trimEnd().split('\n'), LIMITS.diffLines)
    .map(safe)
    .map((line) =>
      line.startsWith('+++') || line.startsWith('---')
        ? c.bold(line)
        : line.startsWith('+')
          ? c.green(line)
          : line.startsWith('-')
            ? c.red(line)
            : line.startsWith('@@')
              ? c.cyan(line)
              : line,
    )
    .join('\n')
}

const classColour = {added: 'green', removed: 'red', modified: 'yellow', armed: 'magenta', stale: 'cyan'} as const satisfies Record<DriftClass, string>

/** What is in effect, since when, and what makes the disk's version take effect. */
function effectLines(finding: Finding): string[] {
  const {effect} = finding
  if (!effect) return []
  const since = effect.since ? ` (since ${time(effect.since)}${effect.sinceWhat ? `, ${effect.sinceWhat}` : ''})` : ''
  const lines = [`in effect: ${effect.detail}${since}`]
  if (effect.pending) lines.push(`takes effect at: ${effect.pending}`)
  return lines
}

function renderFinding(finding: Finding, c: ChalkInstance): string {
  const label = c[classColour[finding.class]](finding.class.padEnd(8))
  const time = when(finding)
  const lines = [`  ${label} ${c.bold(safe(finding.key))}${time ? `  ${c.dim(`(${time})`)}` : ''}`]
  const changes = clipLines(finding.changes.map((change) => safe(describeChange(change, LIMITS.members))), LIMITS.changes, (more) => `… ${more} more change${more === 1 ? '' : 's'} (--json has them all)`)
  for (const change of changes) lines.push(`    ${change}`)
  for (const line of effectLines(finding)) lines.push(`    ${c.dim(safe(line))}`)
  if (finding.diff) lines.push(indent(colourDiff(finding.diff, c), '      '))
  return lines.join('\n')
}

/** Ignored findings are never dropped silently: the summary line counts them. */
function ignoredNote(result: CheckResult): string {
  const n = result.ignored.length
  return n ? `; ${n} ignored` : ''
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function ignoredLine(finding: IgnoredFinding, c: ChalkInstance): string {
  const {pattern, reason, expires} = finding.ignoredBy
  const why = [`rule ${pattern}`, reason, expires && `until ${expires}`].filter(Boolean).join('; ')
  return `  ${c.dim('ignored '.padEnd(9))}${safe(`${finding.collector}:${finding.key}: ${finding.summary}`)}  ${c.dim(`(${safe(why)})`)}`
}

export interface CheckRenderOptions {
  /** list the findings that ignore rules matched, not only their number */
  showIgnored?: boolean
}

export function renderCheck(result: CheckResult, c: ChalkInstance, options: CheckRenderOptions = {}): string {
  const against = safe(result.against ? `${result.against} against ${result.baseline}` : `${result.target} against ${result.baseline}`)
  const out: string[] = []
  const unavailable = Object.entries(result.unavailable)
  if (result.findings.length === 0 && unavailable.length === 0 && result.unreadable.length === 0) {
    out.push(`${c.green('in sync')}: ${against} (${plural(result.counts.items, 'item')}${ignoredNote(result)})`)
  } else if (result.findings.length) {
    const parts = DRIFT_CLASSES.filter((klass) => result.counts[klass]).map((klass) => `${result.counts[klass]} ${klass}`)
    out.push(`${c.red('drift')}: ${against}: ${plural(result.findings.length, 'finding')} (${parts.join(', ')}${ignoredNote(result)})`)
  }
  const byCollector = new Map<string, Finding[]>()
  for (const finding of result.findings) byCollector.set(finding.collector, [...(byCollector.get(finding.collector) ?? []), finding])
  for (const [collector, findings] of byCollector) {
    out.push('', c.bold.underline(collector))
    for (const finding of findings) out.push(renderFinding(finding, c))
  }
  if (options.showIgnored && result.ignored.length) {
    out.push('', c.bold.underline('ignored'))
    for (const finding of result.ignored) out.push(ignoredLine(finding, c))
  }
  if (unavailable.length) {
    out.push('')
    for (const [id, why] of unavailable) out.push(`${c.red('not checked')}: ${id}: ${safe(why)}`)
  }
  if (result.unreadable.length) {
    out.push('')
    for (const path of result.unreadable) out.push(`${c.red('not checked')}: ${safe(path)}: not readable; use --sudo`)
  }
  // Once per collector, and one line per reason: under --root every collector says the same.
  const unknown = new Map<string, string[]>()
  for (const [id, why] of Object.entries(result.effectUnknown)) unknown.set(why, [...(unknown.get(why) ?? []), id])
  for (const [why, ids] of unknown) out.push(`${c.yellow('effect unknown')}: ${ids.join(', ')}: ${safe(why)}`)
  for (const warning of result.warnings) out.push(`${c.yellow('warning')}: ${safe(warning)}`)
  return out.join('\n') + '\n'
}

export function renderCapture(result: CaptureResult, c: ChalkInstance): string {
  const per = Object.entries(result.collectors)
    .map(([id, n]) => `${id} ${n}`)
    .join(', ')
  const out = [`${c.green('captured')} ${plural(result.items, 'item')} of ${safe(result.target)} (${per}) into ${safe(result.baseline)}`]
  for (const [id, why] of Object.entries(result.unavailable)) out.push(`${c.red('not captured')}: ${id}: ${safe(why)}`)
  for (const path of result.unreadable) out.push(`${c.yellow('unreadable')}: ${safe(path)}: recorded as not readable (--allow-unreadable)`)
  for (const warning of result.warnings) out.push(`${c.yellow('warning')}: ${safe(warning)}`)
  return out.join('\n') + '\n'
}
