// Orchestration only: read the host, plan (pure), apply the plan in one script, read the host again and verify.
// Undo and the list of backups read the backups the apply left on the host.
import {randomBytes} from 'node:crypto'
import {readFile, readdir} from 'node:fs/promises'
import {blobsDir} from '../baselines/store.js'
import {InputError, TargetError} from '../errors.js'
import {compileApplyScript, type Fault, type Manifest} from '../restore/apply-script.js'
import {planRestore, stepLine, type RestorePlan} from '../restore/plan.js'
import {compileListScript, compileUndoScript} from '../restore/undo-script.js'
import type {Target} from '../transport/types.js'
import type {HostOptions} from './capture.js'
import {baselineFor, checkExitCode, compare, readAsBaseline, type CheckResult} from './check.js'
import {frames} from './frames.js'
import type {Baseline} from '../model.js'

export interface RestoreOptions extends HostOptions {
  baselineFile: string
  only?: string
  restart?: boolean
  dryRun?: boolean
  /** asked with the plan before anything is written; false: nothing is written */
  confirm?: (plan: RestorePlan) => Promise<boolean>
  /** reboot the host after the apply and wait for it: connects again through this */
  reboot?: {reconnect: () => Promise<Target>; timeoutSeconds: number}
  /** tests of interruption only: the apply script kills itself there */
  fault?: Fault
}

export interface RestoreResult {
  target: string
  baseline: string
  dryRun: boolean
  plan: RestorePlan
  /** the backup on the host (absent: nothing was applied) */
  backup?: string
  /** the cut-short restore this one finished */
  resumed?: string
  /** each step the host reported done, as stepLine prints it */
  applied: string[]
  failed: {step: string; message: string}[]
  /** the user said no at the prompt */
  declined?: boolean
  rebooted?: {bootBefore: string; bootAfter: string}
  /** the host read again after the apply */
  verified?: CheckResult
}

async function keptBlobs(baselineFile: string): Promise<Set<string>> {
  const names = await readdir(blobsDir(baselineFile)).catch(() => [] as string[])
  return new Set(names.filter((name) => /^[0-9a-f]{64}$/.test(name)))
}

function newBackupId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`
}

const boundary = () => `vmdrift-${randomBytes(16).toString('hex')}`

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}

async function readAgain(target: Target, baseline: Baseline, options: HostOptions, baselineFile: string): Promise<CheckResult> {
  return compare(baseline, await readAsBaseline(target, baseline, options), {baseline: baselineFile})
}

export async function restore(target: Target, options: RestoreOptions): Promise<RestoreResult> {
  const baseline = await baselineFor(target, options.baselineFile)
  const snapshot = await readAsBaseline(target, baseline, options)
  // What a collector could not read cannot be planned: a restore would move aside what it never saw.
  const [unreadable, why] = Object.entries(snapshot.unavailable)[0] ?? []
  if (unreadable) throw new TargetError(`${target.name}: cannot plan a restore: the ${unreadable} collector could not read the host (${why})`, target.name)
  const blobs = await keptBlobs(options.baselineFile)
  const plan = planRestore(baseline, snapshot, {only: options.only, restart: options.restart, offline: options.root !== undefined, blobs})
  const result: RestoreResult = {target: target.name, baseline: options.baselineFile, dryRun: options.dryRun ?? false, plan, applied: [], failed: []}
  if (options.dryRun) return result
  if (plan.steps.length === 0 && !options.reboot) {
    result.verified = compare(baseline, snapshot, {baseline: options.baselineFile})
    return result
  }
  if (options.confirm && !(await options.confirm(plan))) return {...result, declined: true}

  if (plan.steps.length > 0) await apply(target, plan, options, result)
  if (options.reboot && result.failed.length === 0) result.rebooted = await rebootAndWait(target, options)
  const reader = result.rebooted ? await options.reboot!.reconnect() : target
  try {
    result.verified = await readAgain(reader, baseline, options, options.baselineFile)
  } finally {
    if (reader !== target) await reader.close()
  }
  return result
}

async function apply(target: Target, plan: RestorePlan, options: RestoreOptions, result: RestoreResult): Promise<void> {
  const id = newBackupId(new Date())
  const frameBoundary = boundary()
  const blobs = blobsDir(options.baselineFile)
  const contents = new Map<string, Buffer>()
  for (const step of plan.steps) {
    if (step.kind === 'write' && step.file.blob) contents.set(step.file.blob, await readFile(`${blobs}/${step.file.blob}`))
  }
  const script = compileApplyScript(plan.steps, {
    boundary: frameBoundary,
    id,
    target: target.name,
    created: new Date().toISOString(),
    root: options.root,
    blob: (sha256) => contents.get(sha256)!,
    fault: options.fault,
  })
  const run = await target.runScript(script, {sudo: options.sudo})
  let ended = false
  let backedUp = false
  for (const {tag, body} of frames(run.stdout, frameBoundary)) {
    const [kind, arg] = tag.split(' ')
    const text = body.toString('utf8')
    if (kind === 'BACKUP') {
      result.backup = arg
      if (text) result.resumed = text
    } else if (kind === 'BACKED-UP') backedUp = true
    else if (kind === 'DONE') result.applied.push(text)
    else if (kind === 'FAIL') {
      const step = plan.steps[Number(arg) - 1]
      result.failed.push({step: step ? stepLine(step) : 'backup', message: text})
    } else if (kind === 'END') ended = true
  }
  if (ended) return
  // Cut short: the connection or the script died. What was done is done whole (every write is a rename).
  const stderr = firstLine(run.stderr)
  const where = !result.backup ? 'before its backup' : !backedUp ? `while backing up into ${result.backup}` : `after ${result.applied.length} of ${plan.steps.length} steps`
  throw new TargetError(`${target.name}: the restore was cut short ${where} (exit ${run.exitCode ?? 'signal'})${stderr ? `: ${stderr}` : ''}`, target.name, {
    hint: result.backup && backedUp ? `run restore again to finish it, or restore --undo ${result.backup}` : 'nothing was changed; run restore again',
    exitCode: run.exitCode,
    stderr: run.stderr,
  })
}

/** The boot id changes at every boot: the way to tell the host came back, rather than never went down. */
const BOOT_ID = 'cat /proc/sys/kernel/random/boot_id\n'

async function bootId(target: Target, sudo?: boolean): Promise<string> {
  const run = await target.runScript(BOOT_ID, {sudo})
  const id = run.stdout.toString('utf8').trim()
  if (run.exitCode !== 0 || !id) throw new TargetError(`${target.name}: cannot read the boot id`, target.name)
  return id
}

async function rebootAndWait(target: Target, options: RestoreOptions): Promise<{bootBefore: string; bootAfter: string}> {
  const {reconnect, timeoutSeconds} = options.reboot!
  const bootBefore = await bootId(target, options.sudo)
  // The connection goes down with the host: the answer may never come, and that is the expected outcome.
  await Promise.race([
    target.runScript('systemctl reboot || reboot\n', {sudo: options.sudo}).catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, 10_000)),
  ])
  await target.close()
  const deadline = Date.now() + timeoutSeconds * 1000
  let last = ''
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const next = await reconnect()
    try {
      const id = await bootId(next, options.sudo)
      if (id !== bootBefore) return {bootBefore, bootAfter: id}
      last = 'the host answers with the same boot id (still shutting down)'
    } catch (error) {
      last = (error as Error).message
    } finally {
      await next.close()
    }
  }
  throw new TargetError(`${target.name}: not back from the reboot within ${timeoutSeconds}s (${last})`, target.name, {hint: 'raise --reboot-timeout'})
}

/** 2 on an error (a step failed, part of the host unreadable), 1 when drift is left (or a dry run finds some), else 0. */
export function restoreExitCode(result: RestoreResult): 0 | 1 | 2 {
  if (result.failed.length) return 2
  if (result.declined) return 2
  if (result.dryRun) return result.plan.steps.length || result.plan.cannot.length || result.plan.follows.length ? 1 : 0
  return result.verified ? checkExitCode(result.verified) : 2
}

// --- backups on the host: list and undo -------------------------------------------------------------------

export interface BackupInfo {
  id: string
  created: string
  target: string
  /** backed-up: every path was backed up; applied: every step ran; undone: put back since */
  state: ('backed-up' | 'applied' | 'undone')[]
  resumes?: string
  paths: number
  steps: string[]
  manifest: Manifest
}

export async function listBackups(target: Target, options: HostOptions): Promise<BackupInfo[]> {
  const frameBoundary = boundary()
  const run = await target.runScript(compileListScript({boundary: frameBoundary, root: options.root}), {sudo: options.sudo})
  const backups: BackupInfo[] = []
  let current: {id: string; state: string} | undefined
  let ended = false
  for (const {tag, body} of frames(run.stdout, frameBoundary)) {
    const [kind, arg] = tag.split(' ')
    if (kind === 'BACKUP') current = {id: arg ?? '', state: body.toString('utf8')}
    else if (kind === 'MANIFEST' && current) {
      let manifest: Manifest
      try {
        manifest = JSON.parse(body.toString('utf8')) as Manifest
      } catch {
        continue // a manifest cut short while it was written: that restore never started
      }
      const words = current.state.trim().split(/\s+/)
      backups.push({
        id: current.id,
        created: manifest.created,
        target: manifest.target,
        state: words.filter((w): w is BackupInfo['state'][number] => w === 'backed-up' || w === 'applied' || w === 'undone'),
        ...(words.find((w) => w.startsWith('resumes=')) ? {resumes: words.find((w) => w.startsWith('resumes='))!.slice(8)} : {}),
        paths: manifest.entries.filter((e) => e.kind === 'file').length,
        steps: manifest.steps,
        manifest,
      })
    } else if (kind === 'END') ended = true
  }
  if (!ended) {
    throw new TargetError(`${target.name}: could not list the backups (exit ${run.exitCode ?? 'signal'})${run.stderr ? `: ${firstLine(run.stderr)}` : ''}`, target.name, {
      hint: /sudo/.test(run.stderr) ? '--sudo needs passwordless sudo (sudo -n) on the host' : undefined,
    })
  }
  return backups
}

export interface UndoResult {
  target: string
  /** the backups put back, latest first */
  undone: string[]
  paths: number
  /** the commands run again after the files (daemon-reload, update-grub) */
  ran: string[]
  /** a command that failed: its line and why (the files are back all the same) */
  failed: string[]
}

/**
 * Puts back what a restore (default: the latest not yet undone) replaced, and, when it finished a restore that
 * had been cut short, what that one replaced too.
 */
export async function undo(target: Target, options: HostOptions & {id?: string}): Promise<UndoResult> {
  const backups = await listBackups(target, options)
  const byId = new Map(backups.map((backup) => [backup.id, backup]))
  const chosen = options.id !== undefined ? byId.get(options.id) : backups.filter((b) => !b.state.includes('undone')).at(-1)
  if (!chosen) {
    throw new InputError(
      options.id !== undefined ? `no backup ${options.id} on ${target.name}` : `no restore to undo on ${target.name}`,
      'vmdrift restore TARGET --list shows the backups',
    )
  }
  const chain: BackupInfo[] = [chosen]
  for (let next = chosen.resumes; next !== undefined; ) {
    const resumed = byId.get(next)
    if (!resumed || resumed.state.includes('undone') || chain.includes(resumed)) break
    chain.push(resumed)
    next = resumed.resumes
  }
  const frameBoundary = boundary()
  const script = compileUndoScript(chain.map((b) => b.manifest), {boundary: frameBoundary, root: options.root})
  const run = await target.runScript(script, {sudo: options.sudo})
  const undone: string[] = []
  const ran: string[] = []
  const failed: string[] = []
  let paths = 0
  let failure: string | undefined
  let ended = false
  for (const {tag, body} of frames(run.stdout, frameBoundary)) {
    const [kind, id] = tag.split(' ')
    if (kind === 'DONE') paths++
    else if (kind === 'UNDONE' && id) undone.push(id)
    else if (kind === 'FAIL') failure = body.toString('utf8')
    else if (kind === 'RAN') ran.push(body.toString('utf8'))
    else if (kind === 'FAILED-COMMAND') failed.push(body.toString('utf8'))
    else if (kind === 'END') ended = true
  }
  if (failure !== undefined || !ended) {
    throw new TargetError(`${target.name}: undo of ${chosen.id} ${failure ? `failed: ${failure}` : 'was cut short'}`, target.name, {
      hint: `run restore --undo ${chosen.id} again: it starts over from the same backup`,
      exitCode: run.exitCode,
      stderr: run.stderr,
    })
  }
  return {target: target.name, undone, paths, ran, failed}
}
