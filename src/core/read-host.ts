// Reads a host once: every collector's probes in one script, one exec, then pure parsing per collector.
import {createHash, randomBytes} from 'node:crypto'
import {readsUnderRoot, type CaptureOptions, type Collector, type Probe, type ProbeResult} from '../collectors/types.js'
import {TargetError} from '../errors.js'
import type {ExecResult, Target} from '../transport/types.js'
import {FrameError, parseStream, type ParsedStream, type StreamOptions} from './frames.js'
import {BeforeHashes, fillSnapshot} from './before-hashes.js'
import {HOST_PROBES, parseHostFacts} from './host.js'
import {compileScript} from './script.js'
import {referencedPaths} from './script-referenced.js'
import {redactionMatcher} from '../collectors/redact.js'
import type {Snapshot} from '../model.js'

export interface ReadOptions {
  collectors: Collector[]
  capture: CaptureOptions
  /** collector id → the keys its baseline holds (a check): live probes also ask about those */
  known?: Record<string, string[]>
  /** read every path under this directory on the target instead of / */
  root?: string
  sudo?: boolean
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

/** Probe ids are namespaced by collector in the script, so two collectors may both call a probe `files`. */
const scriptId = (collector: Collector, probe: Probe) => `${collector.id}/${probe.id}`

/** A probe as the script knows it: its id (and an each-probe's files probe) namespaced by collector. */
function namespaced(collector: Collector, probe: Probe): Probe {
  const id = scriptId(collector, probe)
  if (probe.kind === 'referenced') return {...probe, id, in: probe.in.map((of) => `${collector.id}/${of}`)}
  return probe.kind === 'each' ? {...probe, id, of: `${collector.id}/${probe.of}`} : {...probe, id}
}

/** Said once per collector whose effect an offline root cannot tell. */
export const OFFLINE_ROOT = 'offline --root: what the running system uses is not read; classified from the disk alone'

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}

/**
 * Files whose path matches a redaction rule keep only the sha256 of their content: from here on, nothing
 * (collector, baseline, the blobs --keep-content writes, report) ever sees the text or the bytes.
 */
function redactPaths(results: Record<string, ProbeResult>, probes: Probe[], isSecret: (path: string) => boolean): void {
  for (const probe of probes) {
    if (probe.kind !== 'files' || (probe.content !== 'text' && probe.content !== 'bytes')) continue
    for (const record of results[probe.id]?.records ?? []) {
      if ((record.content === undefined && record.bytes === undefined) || !isSecret(record.path)) continue
      if (record.content !== undefined) record.sha256 = sha256(Buffer.from(record.content, 'utf8'))
      delete record.content
      delete record.bytes
      record.redacted = true
    }
  }
}

export async function readHost(target: Target, options: ReadOptions): Promise<Snapshot> {
  return (await readHostAhead(target, options)).snapshot
}

/**
 * readHost, and `prepare` (a capture laying out and formatting its baseline) run on the host's answer as soon as
 * all of it but the hashes has come: hashing the watched binaries is most of the host's time, and the hashes are
 * the last frame (script.ts). Each hash is then a placeholder; when the hashes come and are exactly the ones the
 * placeholders stand for, `ahead` holds what `prepare` made and how to put the hashes into a text of it.
 * Otherwise (no hashes, or any doubt) there is no `ahead`, and the snapshot is read from the whole answer.
 */
export async function readHostAhead<T>(
  target: Target,
  options: ReadOptions,
  prepare?: (provisional: Snapshot) => T,
): Promise<{snapshot: Snapshot; ahead?: {value: T; fill: (text: string) => string | undefined}}> {
  const boundary = `vmdrift-${randomBytes(16).toString('hex')}`
  // Under --root there is no running system to ask: its probes are not even sent.
  const runs = (probe: Probe) => !options.root || readsUnderRoot(probe)
  const declared = options.collectors.map((collector) => ({
    collector,
    probes: collector.probes(options.capture, options.known?.[collector.id] ?? []),
  }))
  const probes = [
    ...declared.flatMap(({collector, probes}) => probes.filter(runs).map((probe) => namespaced(collector, probe))),
    ...HOST_PROBES.filter(runs),
  ]
  const script = compileScript(probes, {boundary, root: options.root})
  // Made while the host works: nothing it answers changes the rules.
  const isSecret = redactionMatcher(options.capture.redact)
  const content = Object.fromEntries(probes.flatMap((probe) => (probe.kind === 'files' ? [[probe.id, probe.content]] : [])))
  const interpret = (result: ExecResult, placeholder?: (name: string) => string) =>
    snapshotOf(target, options, {declared, probes, boundary, isSecret, result, stream: {content, root: options.root, sha256, placeholder}})
  const before = prepare
    ? new BeforeHashes(boundary, (stream, placeholder) => {
        const snapshot = interpret({stdout: stream, stderr: '', exitCode: 0}, placeholder)
        return {snapshot, value: prepare(snapshot)}
      })
    : undefined
  const result = await target.runScript(script, {sudo: options.sudo, onOutput: before?.onOutput})
  const ahead = before?.settle(result.stdout)
  if (ahead) return {snapshot: fillSnapshot(ahead.snapshot, ahead.hashes), ahead: {value: ahead.value, fill: ahead.fill}}
  return {snapshot: interpret(result)}
}

interface Interpretation {
  declared: {collector: Collector; probes: Probe[]}[]
  probes: Probe[]
  boundary: string
  isSecret: (path: string) => boolean
  result: ExecResult
  stream: StreamOptions
}

/** The host's answer (all of it, or all but the hashes, each a placeholder), parsed into a snapshot. */
function snapshotOf(target: Target, options: ReadOptions, {declared, probes, boundary, isSecret, result, stream}: Interpretation): Snapshot {
  let parsed: ParsedStream
  try {
    parsed = parseStream(result.stdout, boundary, stream)
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
    live: {},
    host: parseHostFacts(parsed.results[HOST_PROBES[0]!.id]),
    effectUnknown: {},
    unavailable: {},
    unreadable: [...parsed.unreadable],
    warnings: [],
  }
  const {results} = parsed
  // A file a unit takes its environment from (EnvironmentFile=) is a secret wherever else it is read.
  const named = referencedPaths(results, probes)
  redactPaths(results, probes, (path) => isSecret(path) || named.has(path))
  for (const {collector, probes} of declared) {
    const own: Record<string, ProbeResult> = {}
    const live: Record<string, ProbeResult> = {}
    for (const probe of probes) {
      if (!readsUnderRoot(probe)) {
        // Under --root it was not sent (readHostAhead): what the running system uses is unknown.
        if (options.root) {
          snapshot.effectUnknown[collector.id] ??= OFFLINE_ROOT
          continue
        }
        const answer = results[scriptId(collector, probe)] ?? {records: []}
        // A running system without systemctl or docker is no error: what it uses is then unknown.
        if (answer.unavailable) snapshot.effectUnknown[collector.id] ??= answer.unavailable
        live[probe.id] = answer
        continue
      }
      // A probe that matched nothing printed nothing: that is an empty result, not an unavailable one.
      const probeResult = results[scriptId(collector, probe)] ?? {records: []}
      if (probe.kind === 'files' && probe.content === 'bytes') {
        for (const record of probeResult.records) if (record.bytes && record.sha256) (snapshot.blobs ??= new Map()).set(record.sha256, record.bytes)
      }
      if (probeResult.unavailable) snapshot.unavailable[collector.id] ??= probeResult.unavailable
      own[probe.id] = probeResult
    }
    if (Object.keys(live).length) snapshot.live[collector.id] = live
    const output = collector.parse(own, options.capture)
    snapshot.collectors[collector.id] = output.items
    // An item the host listed but could not read (`error`) is unknown, as a directory it could not list is.
    for (const key in output.items) if (output.items[key]!.error !== undefined && key.startsWith('/')) snapshot.unreadable.push(key)
    snapshot.meta[collector.id] = output.meta
    snapshot.warnings.push(...(output.warnings ?? []).map((w) => `${collector.id}: ${w}`))
  }
  return snapshot
}
