// node_exporter textfile-collector metrics (https://github.com/prometheus/node_exporter#textfile-collector), for
// teams that run vmdrift from a timer and alert on drift. Pure: outcomes and the time in, exposition text out.
import type {CheckResult} from '../core/check.js'
import type {HostOutcome} from '../core/fleet.js'
import {DRIFT_CLASSES} from '../model.js'

/** Label values escape backslash, double quote and newline (the text exposition format). */
function label(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')
}

interface Metric {
  name: string
  help: string
  samples: {labels: Record<string, string>; value: number}[]
}

function line(name: string, labels: Record<string, string>, value: number): string {
  const set = Object.entries(labels).map(([key, v]) => `${key}="${label(v)}"`).join(',')
  return `${name}{${set}} ${value}`
}

export function renderPrometheus(outcomes: HostOutcome<CheckResult>[]): string {
  const checked = outcomes.filter((o): o is HostOutcome<CheckResult> & {result: CheckResult} => o.result !== undefined)
  const host = (o: HostOutcome<CheckResult>) => ({host: o.host})
  const metrics: Metric[] = [
    {
      name: 'vmdrift_findings',
      help: 'Drift findings of the last check, by host and drift class (ignored findings not counted).',
      samples: checked.flatMap((o) => DRIFT_CLASSES.map((klass) => ({labels: {...host(o), class: klass}, value: o.result.findings.filter((f) => f.class === klass).length}))),
    },
    {name: 'vmdrift_ignored_findings', help: 'Findings of the last check that an ignore rule matched.', samples: checked.map((o) => ({labels: host(o), value: o.result.ignored.length}))},
    {name: 'vmdrift_items', help: 'Items read from the host by the last check.', samples: checked.map((o) => ({labels: host(o), value: o.result.counts.items}))},
    {name: 'vmdrift_in_sync', help: '1 if the host matched its baseline at the last check, else 0.', samples: outcomes.map((o) => ({labels: host(o), value: o.status === 'in-sync' ? 1 : 0}))},
    {
      name: 'vmdrift_check_error',
      help: '1 if the last check of the host failed (unreachable, refused, bad baseline, a collector that could not read it), else 0.',
      samples: outcomes.map((o) => ({labels: host(o), value: o.exitCode === 2 ? 1 : 0})),
    },
    {
      name: 'vmdrift_last_check_timestamp_seconds',
      help: 'When the last check of the host started, seconds since the epoch.',
      samples: outcomes.map((o) => ({labels: host(o), value: Date.parse(o.startedAt) / 1000})),
    },
    {name: 'vmdrift_check_duration_seconds', help: 'How long the last check of the host took.', samples: outcomes.map((o) => ({labels: host(o), value: o.durationMs / 1000}))},
  ]
  const out: string[] = []
  for (const metric of metrics) {
    out.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} gauge`)
    for (const sample of metric.samples) out.push(line(metric.name, sample.labels, sample.value))
  }
  return `${out.join('\n')}\n`
}
