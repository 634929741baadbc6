// The pure half of a restore: baseline and host in, the steps that put the host back out. No I/O: `--dry-run`
// prints exactly this, and the apply script (apply-script.ts) runs exactly this.
import picomatch from 'picomatch'
import {collectorById} from '../collectors/index.js'
import type {FileState, RestoreCommand, RestoreContext, RestoredItem} from '../collectors/types.js'
import type {Baseline, Snapshot} from '../core/types.js'
import {diffStates} from '../drift/diff.js'

interface StepOf {
  /** the finding it puts right: collector and item key (commands: the collectors that asked for it) */
  collector: string
  key: string
  /** one line: what differs now */
  why: string
}

export type Step =
  | (StepOf & {kind: 'write'; path: string; file: FileState})
  | (StepOf & {kind: 'link'; path: string; target: string})
  /** into the backup directory: never deleted */
  | (StepOf & {kind: 'move-aside'; path: string})
  | {kind: 'command'; collector: string; run: string[][]; why: string}

export type FileStep = Exclude<Step, {kind: 'command'}>

export interface Unrestorable {
  collector: string
  key: string
  reason: string
}

export interface RestorePlan {
  steps: Step[]
  /** what differs and cannot be put back: it keeps the exit code at 1 */
  cannot: Unrestorable[]
  /** what differs and comes back by itself after the steps (grub.cfg after update-grub) or after a reboot */
  follows: {collector: string; key: string; after: string}[]
  /** what is still needed after the steps: a reboot, a restart not asked for, commands not run on an offline root */
  notes: string[]
  /** collector id → why it could not read the host: nothing of it is planned */
  unavailable: Record<string, string>
}

export interface PlanOptions {
  /** restart the units and daemons whose files are restored */
  restart?: boolean
  /** only items whose key (or, for a pattern without '/', whose file name) matches this glob */
  only?: string
  /** the host is an offline root (--root): files only, no command can run there */
  offline?: boolean
  /** sha256 of the bytes kept beside the baseline */
  blobs?: ReadonlySet<string>
}

export function isFileStep(step: Step): step is FileStep {
  return step.kind !== 'command'
}

function matcher(pattern: string | undefined): (key: string) => boolean {
  if (pattern === undefined) return () => true
  const matches = picomatch(pattern, {dot: true, basename: !pattern.includes('/')})
  return (key) => matches(key)
}

export function planRestore(baseline: Baseline, snapshot: Snapshot, options: PlanOptions = {}): RestorePlan {
  const context: RestoreContext = {restart: options.restart ?? false, hasBlob: (sha256) => options.blobs?.has(sha256) ?? false}
  const selected = matcher(options.only)
  const plan: RestorePlan = {steps: [], cannot: [], follows: [], notes: [], unavailable: snapshot.unavailable}
  const commands: {collector: string; command: RestoreCommand}[] = []

  const findings = diffStates(baseline, snapshot).filter((finding) => selected(finding.key))
  for (const id of baseline.options.collectors) {
    const collector = collectorById(id)
    const own = findings.filter((finding) => finding.collector === id)
    if (!collector || own.length === 0) continue
    const restored: RestoredItem[] = []
    for (const finding of own) {
      const wanted = baseline.collectors[id]?.[finding.key]
      const found = snapshot.collectors[id]?.[finding.key]
      const action = collector.restore
        ? collector.restore(finding.key, wanted, found, context)
        : {kind: 'cannot' as const, reason: `the ${id} collector does not restore`}
      restored.push({key: finding.key, ...(wanted ? {wanted} : {}), ...(found ? {found} : {}), action})
      const of = {collector: id, key: finding.key, why: finding.summary}
      switch (action.kind) {
        case 'write':
          plan.steps.push({...of, kind: 'write', path: action.path, file: action.file})
          break
        case 'link':
          plan.steps.push({...of, kind: 'link', path: action.path, target: action.target})
          break
        case 'move-aside':
          plan.steps.push({...of, kind: 'move-aside', path: action.path})
          break
        case 'cannot':
          plan.cannot.push({collector: id, key: finding.key, reason: action.reason})
          break
        case 'follows':
          plan.follows.push({collector: id, key: finding.key, after: action.after})
          break
      }
    }
    const after = collector.restoreCommands?.(restored, context)
    for (const command of after?.commands ?? []) commands.push({collector: id, command})
    plan.notes.push(...(after?.notes ?? []))
  }

  // One of each command, in the order first asked for: the daemon-reload before any restart.
  const seen = new Set<string>()
  for (const {collector, command} of commands) {
    const text = JSON.stringify(command.run)
    if (seen.has(text)) continue
    seen.add(text)
    if (options.offline) plan.notes.push(`not run on an offline root: ${commandText(command.run)}`)
    else plan.steps.push({kind: 'command', collector, run: command.run, why: command.why})
  }
  return plan
}

/** `update-grub (or grub-mkconfig -o /boot/grub/grub.cfg)` */
export function commandText(run: string[][]): string {
  const [first, ...others] = run.map((argv) => argv.filter((word) => word !== '--').join(' '))
  return others.length ? `${first} (or ${others.join(', or ')})` : (first ?? '')
}

/** The steps as the apply script reports them back, so a test can compare plan and apply one for one. */
export function stepLine(step: Step): string {
  switch (step.kind) {
    case 'write':
      return `write ${step.path}`
    case 'link':
      return `link ${step.path} -> ${step.target}`
    case 'move-aside':
      return `move aside ${step.path}`
    case 'command':
      return `run ${commandText(step.run)}`
  }
}
