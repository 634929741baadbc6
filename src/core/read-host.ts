// Reads a host once: every collector's probes in one script, one exec, then pure parsing per collector.
import {createHash, randomBytes} from 'node:crypto'
import type {CaptureOptions, Collector, Probe, ProbeResult} from '../collectors/types.js'
import {TargetError} from '../errors.js'
import type {Target} from '../transport/types.js'
import {FrameError, parseStream, type ParsedStream} from './frames.js'
import {compileScript} from './script.js'
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
    warnings: [],
  }
  const {results} = parsed
  for (const {collector, probes} of declared) {
    const own: Record<string, ProbeResult> = {}
    for (const probe of probes) {
      // A probe that matched nothing printed nothing: that is an empty result, not an unavailable one.
      const probeResult = results[scriptId(collector, probe)] ?? {records: []}
      for (const record of probeResult.records) {
        if (record.bytes && record.sha256) (snapshot.blobs ??= new Map()).set(record.sha256, record.bytes)
      }
      if (probeResult.unavailable) snapshot.unavailable[collector.id] ??= probeResult.unavailable
      own[probe.id] = probeResult
    }
    const output = collector.parse(own, options.capture)
    snapshot.collectors[collector.id] = output.items
    snapshot.meta[collector.id] = output.meta
    snapshot.warnings.push(...(output.warnings ?? []).map((w) => `${collector.id}: ${w}`))
  }
  return snapshot
}
