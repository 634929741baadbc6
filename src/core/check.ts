// Orchestration only: read the baseline, read the host, compare. Parsing and comparing live below.
import {parseBaseline, parseSketched, readHeader} from '../baselines/format.js'
import {sketchBaseline} from '../baselines/sketch.js'
import {canonical} from '../collectors/shared.js'
import {readBaselineFile, readBaselineText} from '../baselines/store.js'
import {diffStates} from '../drift/diff.js'
import {InputError} from '../errors.js'
import {applyIgnoreRules, type IgnoredFinding, type IgnoreRule} from '../drift/ignore.js'
import type {Target} from '../transport/types.js'
import {collectorsNamed, countItems, type HostOptions} from './capture.js'
import {readHost} from './read-host.js'
import {DRIFT_CLASSES, type Baseline, type DriftClass, type Finding, type Snapshot} from '../model.js'

export interface CheckResult {
  target: string
  baseline: string
  /** the second baseline, when two files were compared offline */
  against?: string
  inSync: boolean
  counts: {items: number; findings: number; ignored: number} & Record<DriftClass, number>
  findings: Finding[]
  /** findings an ignore rule matched: not drift, but counted and shown with --show-ignored */
  ignored: IgnoredFinding[]
  /** collector id → why what is in effect is unknown (its findings are classified from the disk alone) */
  effectUnknown: Record<string, string>
  /** collector id → why it could not be checked */
  unavailable: Record<string, string>
  /** paths the host could not read, so not checked (exit 2): a directory's entries or a file's content */
  unreadable: string[]
  warnings: string[]
}

/** Ignore rules and the day to judge their expiry by (YYYY-MM-DD, UTC). */
export interface IgnoreOptions {
  rules: IgnoreRule[]
  today: string
}

export const noIgnores: IgnoreOptions = {rules: [], today: '0000-00-00'}

export function compare(baseline: Baseline, snapshot: Snapshot, names: {baseline: string; against?: string}, ignore: IgnoreOptions = noIgnores): CheckResult {
  const {kept: findings, ignored, expired} = applyIgnoreRules(diffStates(baseline, snapshot), ignore.rules, ignore.today)
  const byClass = (klass: Finding['class']) => findings.filter((f) => f.class === klass).length
  return {
    target: snapshot.target,
    baseline: names.baseline,
    ...(names.against ? {against: names.against} : {}),
    inSync: findings.length === 0 && Object.keys(snapshot.unavailable).length === 0 && snapshot.unreadable.length === 0,
    counts: {
      items: countItems(snapshot.collectors),
      findings: findings.length,
      ...(Object.fromEntries(DRIFT_CLASSES.map((klass) => [klass, byClass(klass)])) as Record<DriftClass, number>),
      ignored: ignored.length,
    },
    findings,
    ignored,
    effectUnknown: snapshot.effectUnknown,
    unavailable: snapshot.unavailable,
    unreadable: snapshot.unreadable,
    warnings: [...snapshot.warnings, ...expired],
  }
}

/** What a check reads: kept files too, but hashed on the host like any watched file; only a capture needs their bytes. */
export function checkOptions(captured: Baseline['options']): {watch: string[]; redact: string[]} {
  return {watch: [...new Set([...captured.watch, ...(captured.keepContent ?? [])])], redact: captured.redact ?? []}
}

/** The baseline of `file`, refused when it was captured from another target than this one (unless allowed). */
export async function baselineFor(target: Target, file: string, allowOtherTarget = false): Promise<Baseline> {
  const baseline = await readBaselineFile(file)
  refuseOtherTarget(baseline, target, file, allowOtherTarget)
  return baseline
}

function refuseOtherTarget(baseline: Baseline, target: Target, file: string, allowOtherTarget = false): void {
  // A baseline of another host would report that host's differences as this one's drift.
  if (baseline.target !== target.name && !allowOtherTarget) {
    throw new InputError(
      `${file} was captured from ${JSON.stringify(baseline.target)}, not ${JSON.stringify(target.name)}`,
      'name the target it was captured from, or pass --allow-other-target to compare them anyway',
    )
  }
}

/** Reads the host as the baseline was captured: its collectors and watched files, and the live state of its items. */
export function readAsBaseline(target: Target, baseline: Baseline, options: HostOptions): Promise<Snapshot> {
  const known = Object.fromEntries(Object.entries(baseline.collectors).map(([id, items]) => [id, Object.keys(items)]))
  return readByOptions(target, baseline.options, known, options)
}

/** The same from a baseline's options and `known`, collector id → the keys of its items (all a read needs of it). */
function readByOptions(target: Target, captured: Baseline['options'], known: Record<string, string[]>, options: HostOptions): Promise<Snapshot> {
  return readHost(target, {
    collectors: collectorsNamed(captured.collectors.filter((id) => known[id] !== undefined)),
    capture: checkOptions(captured),
    known,
    root: options.root,
    sudo: options.sudo,
  })
}

type CheckOptions = HostOptions & {baselineFile: string; ignore?: IgnoreOptions; collectorsOff?: string[]; allowOtherTarget?: boolean}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * The baseline and the host read side by side: the host's read starts as soon as the baseline's header and keys
 * are known (sketch.ts), and the items are parsed while the host works, a piece at a time so that what it sends
 * is taken in meanwhile. For 100,000 items each half costs about a second. Whenever the file is laid out otherwise,
 * or its parse disagrees with what the early read assumed, the host is read again after the whole parse: the early
 * start only ever saves time, it never decides anything.
 */
async function readSideBySide(target: Target, options: CheckOptions): Promise<{baseline: Baseline; snapshot: Snapshot}> {
  const file = options.baselineFile
  const text = await readBaselineText(file)
  const off = new Set(options.collectorsOff ?? [])
  const sketch = sketchBaseline(text)
  const head = sketch && readHeader(sketch)
  let early: {read: Promise<Snapshot>; captured: Baseline['options']; known: Record<string, string[]>} | undefined
  if (sketch && head && (head.target === target.name || options.allowOtherTarget)) {
    const known = Object.fromEntries([...sketch.keys].filter(([id]) => !off.has(id)))
    early = {read: readByOptions(target, head.options, known, options), captured: head.options, known}
    // Used below, or dropped when the baseline is refused: its failure must not count as unhandled then.
    early.read.catch(() => undefined)
  }
  const pieces = sketch && early ? await parseSketched(text, file, sketch, nextTurn) : undefined
  const baseline = checkedTarget(pieces ?? parseBaseline(text, file), target, file, options.allowOtherTarget, off)
  // Parsed whole (an anchor somewhere, say `a && b` in a unit): the early read still stands if it read what this
  // baseline asks for, which is all a read depends on.
  if (early && (pieces || readsAlike(baseline, early.captured, early.known))) return {baseline, snapshot: await early.read}
  return {baseline, snapshot: await readAsBaseline(target, baseline, options)}
}

/** The baseline asks the host for exactly what a read with these options and keys asked. */
function readsAlike(baseline: Baseline, captured: Baseline['options'], known: Record<string, string[]>): boolean {
  if (canonical(baseline.options) !== canonical(captured)) return false
  const ids = Object.keys(baseline.collectors)
  if (ids.length !== Object.keys(known).length) return false
  return ids.every((id) => {
    const keys = known[id]
    const items = baseline.collectors[id]!
    return keys !== undefined && keys.length === Object.keys(items).length && keys.every((key) => Object.hasOwn(items, key))
  })
}

/** The baseline, refused when it was captured from another target (unless allowed), less the collectors off. */
function checkedTarget(baseline: Baseline, target: Target, file: string, allowOtherTarget: boolean | undefined, off: Set<string>): Baseline {
  refuseOtherTarget(baseline, target, file, allowOtherTarget)
  // A collector turned off in the config is not read, and its part of the baseline is not compared.
  for (const id of off) delete baseline.collectors[id]
  return baseline
}

export async function check(target: Target, options: CheckOptions): Promise<CheckResult> {
  const {baseline, snapshot} = await readSideBySide(target, options)
  return compare(baseline, snapshot, {baseline: options.baselineFile}, options.ignore)
}

/** Two captures compared offline: the first is the baseline, the second stands for the host. */
export async function diffFiles(first: string, second: string): Promise<CheckResult> {
  const [a, b] = await Promise.all([readBaselineFile(first), readBaselineFile(second)])
  const snapshot: Snapshot = {
    target: b.target,
    options: b.options,
    collectors: b.collectors,
    meta: {},
    directories: {},
    live: {},
    host: {},
    effectUnknown: {},
    unavailable: {},
    unreadable: [],
    warnings: [],
  }
  return compare(a, snapshot, {baseline: first, against: second})
}

/** 2 when part of the host could not be checked, else 1 on a finding of a class in `failOn`, else 0. */
export function checkExitCode(result: CheckResult, failOn: readonly DriftClass[] = DRIFT_CLASSES): 0 | 1 | 2 {
  if (Object.keys(result.unavailable).length || result.unreadable.length) return 2
  return result.findings.some((finding) => failOn.includes(finding.class)) ? 1 : 0
}
