// Orchestration only: read the host, write the baseline. Parsing and formatting live below.
import {blobsDir, writeBaselineFile, writeBlobs} from '../baselines/store.js'
import {collectorById, collectors as allCollectors} from '../collectors/index.js'
import type {Collector} from '../collectors/types.js'
import {InputError, TargetError} from '../errors.js'
import type {Target} from '../transport/types.js'
import {readHostAhead} from './read-host.js'
import {formatBaseline} from '../baselines/format.js'
import {BASELINE_FORMAT, type Baseline, type Snapshot} from '../model.js'

export interface HostOptions {
  root?: string
  sudo?: boolean
}

export interface CaptureResult {
  target: string
  baseline: string
  items: number
  collectors: Record<string, number>
  unavailable: Record<string, string>
  /** paths it could not read (only with allowUnreadable; without, the capture fails) */
  unreadable: string[]
  warnings: string[]
}

export function countItems(collected: Baseline['collectors']): number {
  return Object.values(collected).reduce((sum, items) => sum + Object.keys(items).length, 0)
}

export function collectorIds(): string[] {
  return allCollectors.map((c) => c.id)
}

export function collectorsNamed(ids: string[]): Collector[] {
  return ids.map((id) => {
    const collector = collectorById(id)
    if (!collector) throw new InputError(`unknown collector '${id}'`, `known: ${allCollectors.map((c) => c.id).join(', ')}`)
    return collector
  })
}

export async function capture(
  target: Target,
  options: HostOptions & {baselineFile: string; watch: string[]; redact?: string[]; keepContent?: string[]; collectors?: string[]; allowUnreadable?: boolean},
): Promise<CaptureResult> {
  const collectors = collectorsNamed(options.collectors ?? collectorIds())
  const keepContent = options.keepContent ?? []
  const redact = options.redact ?? []
  // A collector that could not read the host is left out of the baseline rather than recorded as empty.
  const layOut = (snapshot: Snapshot): Baseline => {
    const available = collectors.map((c) => c.id).filter((id) => snapshot.unavailable[id] === undefined)
    return {
      vmdrift: BASELINE_FORMAT,
      target: target.name,
      // The redaction rules travel with the baseline, so a check redacts exactly what the capture did.
      options: {collectors: available, watch: options.watch, ...(keepContent.length ? {keepContent} : {}), ...(redact.length ? {redact} : {})},
      collectors: Object.fromEntries(available.map((id) => [id, snapshot.collectors[id] ?? {}])),
    }
  }
  // The baseline is laid out and formatted while the host still hashes the watched files (read-host.ts).
  const {snapshot, ahead} = await readHostAhead(
    target,
    {collectors, capture: {watch: options.watch, keepContent, redact}, root: options.root, sudo: options.sudo},
    (provisional) => formatBaseline(layOut(provisional)),
  )
  // A golden baseline with holes would make every later check of a readable host report them as drift.
  if (snapshot.unreadable.length && !options.allowUnreadable) {
    const [first, ...more] = snapshot.unreadable
    throw new TargetError(
      `${target.name}: could not read ${first}${more.length ? ` and ${more.length} more path${more.length === 1 ? '' : 's'}` : ''}; no baseline written`,
      target.name,
      {hint: 'run with --sudo, or pass --allow-unreadable to record them as unreadable'},
    )
  }
  const baseline = layOut(snapshot)
  const available = baseline.options.collectors
  // The bytes first: a baseline must never name a blob that is not there.
  if (snapshot.blobs?.size) await writeBlobs(blobsDir(options.baselineFile), snapshot.blobs)
  await writeBaselineFile(options.baselineFile, baseline, ahead?.fill(ahead.value))
  return {
    target: target.name,
    baseline: options.baselineFile,
    items: countItems(baseline.collectors),
    collectors: Object.fromEntries(available.map((id) => [id, Object.keys(baseline.collectors[id] ?? {}).length])),
    unavailable: snapshot.unavailable,
    unreadable: snapshot.unreadable,
    warnings: snapshot.warnings,
  }
}
