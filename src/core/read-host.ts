// Reads a host once: every collector's probes in one script, one exec, then pure parsing per collector.
import {createHash, randomBytes} from 'node:crypto'
import type {CaptureOptions, Collector, Probe, ProbeResult} from '../collectors/types.js'
import {TargetError} from '../errors.js'
import type {Target} from '../transport/types.js'
import {FrameError, parseStream, type ParsedStream} from './frames.js'
import {compileScript} from './script.js'
import {redactionMatcher} from '../collectors/redact.js'
import type {Snapshot} from './types.js'

export interface ReadOptions {
  collectors: Collector[]
  capture: CaptureOptions
  /** read every path under this directory on the target instead of / */
  root?: string
  sudo?: boolean
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

/** Probe ids are namespaced by collector in the script, so two collectors may both call a probe `files`. */
const scriptId = (collector: Collector, probe: Probe) => `${collector.id}/${probe.id}`

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}

/**
 * Text files whose path matches a redaction rule keep only the sha256 of their content: from here on, nothing
 * (collector, baseline, report) ever sees the text.
 */
function redactPaths(results: Record<string, ProbeResult>, probes: Probe[], isSecret: (path: string) => boolean): void {
  for (const probe of probes) {
    if (probe.content !== 'text') continue
    for (const record of results[probe.id]?.records ?? []) {
      if (record.content === undefined || !isSecret(record.path)) continue
      record.sha256 = sha256(Buffer.from(record.content, 'utf8'))
      delete record.content
      record.redacted = true
    }
  }
}

export async function readHost(target: Target, options: ReadOptions): Promise<Snapshot> {
  const boundary = `vmdrift-${randomBytes(16).toString('hex')}`
  const declared = options.collectors.map((collector) => ({collector, probes: collector.probes(options.capture)}))
  const probes = declared.flatMap(({collector, probes}) => probes.map((probe) => ({...probe, id: scriptId(collector, probe)})))
  const script = compileScript(probes, {boundary, root: options.root})
  const result = await target.runScript(script, {sudo: options.sudo})
  let parsed: ParsedStream
  try {
    const content = Object.fromEntries(probes.map((probe) => [probe.id, probe.content]))
    parsed = parseStream(result.stdout, boundary, {content, root: options.root, sha256})
  } catch (error) {
    if (!(error instanceof FrameError)) throw error
    const stderr = firstLine(result.stderr)
    throw new TargetError(
      `${target.name}: the capture script failed (exit ${result.exitCode ?? 'signal'})${stderr ? `: ${stderr}` : ''}`,
      target.name,
      {
        exitCode: result.exitCode,
        stderr: result.stderr,
        // What the host said on stderr is the reason; the framing's own complaint only when it said nothing.
        hint: /sudo/.test(stderr) ? '--sudo needs passwordless sudo (sudo -n) on the host' : stderr ? undefined : error.message,
      },
    )
  }

  const snapshot: Snapshot = {
    target: target.name,
    options: {...options.capture, collectors: options.collectors.map((c) => c.id)},
    collectors: {},
    meta: {},
    directories: parsed.directories,
    unavailable: {},
    unreadable: [...parsed.unreadable],
    warnings: [],
  }
  const {results} = parsed
  redactPaths(results, probes, redactionMatcher(options.capture.redact))
  for (const {collector, probes} of declared) {
    const own: Record<string, ProbeResult> = {}
    for (const probe of probes) {
      // A probe that matched nothing printed nothing: that is an empty result, not an unavailable one.
      const probeResult = results[scriptId(collector, probe)] ?? {records: []}
      if (probeResult.unavailable) snapshot.unavailable[collector.id] ??= probeResult.unavailable
      own[probe.id] = probeResult
    }
    const output = collector.parse(own, options.capture)
    snapshot.collectors[collector.id] = output.items
    // An item the host listed but could not read (`error`) is unknown, as a directory it could not list is.
    for (const [key, item] of Object.entries(output.items)) if (item.error !== undefined && key.startsWith('/')) snapshot.unreadable.push(key)
    snapshot.meta[collector.id] = output.meta
    snapshot.warnings.push(...(output.warnings ?? []).map((w) => `${collector.id}: ${w}`))
  }
  return snapshot
}
