// Orchestration only: read the baseline, read the host, compare. Parsing and comparing live below.
import {readBaselineFile} from '../baselines/store.js'
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
export function checkOptions(baseline: Baseline): {watch: string[]} {
  return {watch: [...new Set([...baseline.options.watch, ...(baseline.options.keepContent ?? [])])]}
}

export async function check(
  target: Target,
  options: HostOptions & {baselineFile: string; ignore?: IgnoreOptions; collectorsOff?: string[]; allowOtherTarget?: boolean},
): Promise<CheckResult> {
  const baseline = await readBaselineFile(options.baselineFile)
  // A baseline of another host would report that host's differences as this one's drift.
  if (baseline.target !== target.name && !options.allowOtherTarget) {
    throw new InputError(
      `${options.baselineFile} was captured from ${JSON.stringify(baseline.target)}, not ${JSON.stringify(target.name)}`,
      'name the target it was captured from, or pass --allow-other-target to compare them anyway',
    )
  }
  // A collector turned off in the config is not read, and its part of the baseline is not compared.
  const off = new Set(options.collectorsOff ?? [])
  for (const id of off) delete baseline.collectors[id]
  const snapshot = await readHost(target, {
    collectors: collectorsNamed(baseline.options.collectors.filter((id) => !off.has(id))),
    capture: checkOptions(baseline),
    known: Object.fromEntries(Object.entries(baseline.collectors).map(([id, items]) => [id, Object.keys(items)])),
    root: options.root,
    sudo: options.sudo,
  })
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
