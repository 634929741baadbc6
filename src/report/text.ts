// Pure rendering of results for people. Colour comes in as a chalk instance; level 0 gives plain text.
import type {ChalkInstance} from 'chalk'
import type {CaptureResult} from '../core/capture.js'
import type {CheckResult} from '../core/check.js'
import {describeChange} from '../drift/diff.js'
import {DRIFT_CLASSES, type DriftClass, type Finding} from '../model.js'

function when(finding: Finding): string {
  const time = (iso: string) => iso.replace('T', ' ').replace('Z', ' UTC')
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
  return diff
    .trimEnd()
    .split('\n')
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
  const time = (iso: string) => iso.replace('T', ' ').replace('Z', ' UTC')
  const since = effect.since ? ` (since ${time(effect.since)}${effect.sinceWhat ? `, ${effect.sinceWhat}` : ''})` : ''
  const lines = [`in effect: ${effect.detail}${since}`]
  if (effect.pending) lines.push(`takes effect at: ${effect.pending}`)
  return lines
}

function renderFinding(finding: Finding, c: ChalkInstance): string {
  const label = c[classColour[finding.class]](finding.class.padEnd(8))
  const time = when(finding)
  const lines = [`  ${label} ${c.bold(finding.key)}${time ? `  ${c.dim(`(${time})`)}` : ''}`]
  for (const change of finding.changes) lines.push(`    ${describeChange(change)}`)
  for (const line of effectLines(finding)) lines.push(`    ${c.dim(line)}`)
  if (finding.diff) lines.push(indent(colourDiff(finding.diff, c), '      '))
  return lines.join('\n')
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

export function renderCheck(result: CheckResult, c: ChalkInstance): string {
  const against = result.against ? `${result.against} against ${result.baseline}` : `${result.target} against ${result.baseline}`
  const out: string[] = []
  const unavailable = Object.entries(result.unavailable)
  if (result.findings.length === 0 && unavailable.length === 0) {
    out.push(`${c.green('in sync')}: ${against} (${plural(result.counts.items, 'item')})`)
  } else if (result.findings.length) {
    const parts = DRIFT_CLASSES.filter((klass) => result.counts[klass]).map((klass) => `${result.counts[klass]} ${klass}`)
    out.push(`${c.red('drift')}: ${against}: ${plural(result.findings.length, 'finding')} (${parts.join(', ')})`)
  }
  const byCollector = new Map<string, Finding[]>()
  for (const finding of result.findings) byCollector.set(finding.collector, [...(byCollector.get(finding.collector) ?? []), finding])
  for (const [collector, findings] of byCollector) {
    out.push('', c.bold.underline(collector))
    for (const finding of findings) out.push(renderFinding(finding, c))
  }
  if (unavailable.length) {
    out.push('')
    for (const [id, why] of unavailable) out.push(`${c.red('not checked')}: ${id}: ${why}`)
  }
  // Once per collector, and one line per reason: under --root every collector says the same.
  const unknown = new Map<string, string[]>()
  for (const [id, why] of Object.entries(result.effectUnknown)) unknown.set(why, [...(unknown.get(why) ?? []), id])
  for (const [why, ids] of unknown) out.push(`${c.yellow('effect unknown')}: ${ids.join(', ')}: ${why}`)
  for (const warning of result.warnings) out.push(`${c.yellow('warning')}: ${warning}`)
  return out.join('\n') + '\n'
}

export function renderCapture(result: CaptureResult, c: ChalkInstance): string {
  const per = Object.entries(result.collectors)
    .map(([id, n]) => `${id} ${n}`)
    .join(', ')
  const out = [`${c.green('captured')} ${plural(result.items, 'item')} of ${result.target} (${per}) into ${result.baseline}`]
  for (const [id, why] of Object.entries(result.unavailable)) out.push(`${c.red('not captured')}: ${id}: ${why}`)
  for (const warning of result.warnings) out.push(`${c.yellow('warning')}: ${warning}`)
  return out.join('\n') + '\n'
}
