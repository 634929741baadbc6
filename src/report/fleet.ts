// Pure rendering of a run over many hosts: one line a host, then one line for the run.
import type {ChalkInstance} from 'chalk'
import type {CaptureResult} from '../core/capture.js'
import type {CheckResult} from '../core/check.js'
import type {FleetResult, HostOutcome, HostStatus} from '../core/fleet.js'
import {DRIFT_CLASSES} from '../model.js'
import {plural} from './text.js'

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** `3 findings (2 modified, 1 added; 1 ignored)`, counted by the code's one list of classes. */
export function findingsSummary(result: CheckResult): string {
  const parts = DRIFT_CLASSES.map((klass) => [klass, result.findings.filter((f) => f.class === klass).length] as const)
    .filter(([, n]) => n)
    .map(([klass, n]) => `${n} ${klass}`)
  const ignored = result.ignored.length ? `; ${result.ignored.length} ignored` : ''
  const unavailable = Object.keys(result.unavailable)
  const notChecked = unavailable.length ? `; not checked: ${unavailable.join(', ')}` : ''
  if (!result.findings.length) return `${plural(result.counts.items, 'item')}${ignored}${notChecked}`
  return `${plural(result.findings.length, 'finding')} (${parts.join(', ')}${ignored})${notChecked}`
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

const statusColour = {'in-sync': 'green', captured: 'green', drift: 'red', error: 'red'} as const satisfies Record<HostStatus, string>
const statusLabel = {'in-sync': 'in sync', captured: 'captured', drift: 'drift', error: 'error'} as const satisfies Record<HostStatus, string>

function what(outcome: HostOutcome<CheckResult | CaptureResult>): string {
  // The line names the host already; a message that starts with its name (or target) need not say it again.
  if (outcome.error) return outcome.error.message.replace(new RegExp(`^(${escape(outcome.host)}|${escape(outcome.target)}): `), '')
  const result = outcome.result
  if (!result) return ''
  if ('findings' in result) return findingsSummary(result)
  const unavailable = Object.keys(result.unavailable)
  return `${plural(result.items, 'item')} into ${result.baseline}${unavailable.length ? `; not captured: ${unavailable.join(', ')}` : ''}`
}

/** One line for one host, names padded to `width` so a column of them lines up. */
export function renderHostLine(outcome: HostOutcome<CheckResult | CaptureResult>, c: ChalkInstance, width = 0): string {
  const label = c[statusColour[outcome.status]](statusLabel[outcome.status].padEnd(8))
  return `${label} ${outcome.host.padEnd(width)}  ${what(outcome)}  ${c.dim(seconds(outcome.durationMs))}`
}

/** `12 hosts in 3.4 s: 9 in sync, 2 drift, 1 error` */
export function renderFleetSummary(result: FleetResult<unknown>, c: ChalkInstance): string {
  const order: HostStatus[] = ['in-sync', 'captured', 'drift', 'error']
  const parts = order.filter((status) => result.counts[status]).map((status) => c[statusColour[status]](`${result.counts[status]} ${statusLabel[status]}`))
  return `${plural(result.counts.hosts, 'host')} in ${seconds(result.durationMs)}: ${parts.join(', ')}`
}
