// Pure rendering of restore plans, results and backups for people.
import type {ChalkInstance} from 'chalk'
import type {BackupInfo, RestoreResult, UndoResult} from '../core/restore.js'
import {stepLine, type RestorePlan, type Step} from '../restore/plan.js'
import {renderCheck} from './text.js'

function stepDetail(step: Step): string {
  switch (step.kind) {
    case 'write':
      return `${step.file.mode} ${step.file.owner}:${step.file.group}${step.file.blob ? `, kept blob ${step.file.blob.slice(0, 12)}…` : ''}; undoes ${step.why}`
    case 'link':
    case 'move-aside':
      return `undoes ${step.why}`
    case 'command':
      return step.why
  }
}

export function renderPlan(plan: RestorePlan, target: string, c: ChalkInstance): string {
  const out: string[] = []
  if (plan.steps.length === 0) out.push(`nothing to restore on ${target}`)
  else out.push(`${c.bold(`restore plan for ${target}`)}: ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}`)
  plan.steps.forEach((step, i) => {
    out.push(`  ${String(i + 1).padStart(2)}. ${stepLine(step)}`, `        ${c.dim(stepDetail(step))}`)
  })
  for (const item of plan.cannot) out.push(`${c.red('cannot restore')}: ${item.key}: ${item.reason}`)
  for (const item of plan.follows) out.push(`${c.dim('follows')}: ${item.key} comes back after ${item.after}`)
  for (const note of plan.notes) out.push(`${c.yellow('still needed')}: ${note}`)
  return out.join('\n') + '\n'
}

export function renderRestore(result: RestoreResult, c: ChalkInstance): string {
  const out = [renderPlan(result.plan, result.target, c).trimEnd()]
  if (result.dryRun) {
    out.push(c.dim('dry run: nothing was changed'))
    return out.join('\n') + '\n'
  }
  if (result.declined) {
    out.push('not applied: declined')
    return out.join('\n') + '\n'
  }
  if (result.backup) {
    out.push('', `backup: ${result.backup}${result.resumed ? ` (finishes the restore ${result.resumed}, which was cut short)` : ''}`)
    for (const line of result.applied) out.push(`  ${c.green('done')} ${line}`)
    for (const {step, message} of result.failed) out.push(`  ${c.red('failed')} ${step}: ${message}`)
  }
  if (result.rebooted) out.push(`rebooted: boot ${result.rebooted.bootBefore.slice(0, 8)}… → ${result.rebooted.bootAfter.slice(0, 8)}…`)
  if (result.verified) out.push('', renderCheck(result.verified, c).trimEnd())
  if (result.backup) out.push('', c.dim(`undo: vmdrift restore ${result.target} --undo ${result.backup}`))
  return out.join('\n') + '\n'
}

export function renderBackups(backups: BackupInfo[], target: string, c: ChalkInstance): string {
  if (backups.length === 0) return `no restore backups on ${target}\n`
  const out = [`${backups.length} restore backup${backups.length === 1 ? '' : 's'} on ${target} (latest last):`]
  for (const backup of backups) {
    const state = backup.state.includes('undone')
      ? c.dim('undone')
      : backup.state.includes('applied')
        ? c.green('applied')
        : backup.state.includes('backed-up')
          ? c.yellow('cut short')
          : c.dim('not started')
    out.push(`  ${backup.id}  ${state}  ${backup.paths} path${backup.paths === 1 ? '' : 's'}, ${backup.steps.length} steps${backup.resumes ? `, finishes ${backup.resumes}` : ''}`)
  }
  return out.join('\n') + '\n'
}

export function renderUndo(result: UndoResult, c: ChalkInstance): string {
  const out = [`${c.green('undone')}: ${result.undone.join(', then ')} on ${result.target} (${result.paths} path${result.paths === 1 ? '' : 's'} put back)`]
  for (const line of result.ran) out.push(`  ${c.green('ran')} ${line}`)
  for (const line of result.failed) out.push(`  ${c.red('failed')} ${line}`)
  return out.join('\n') + '\n'
}
