import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {BaseCommand, baselineFlag, targetFlags} from '../cli/base.js'
import type {BackupInfo, RestoreResult, UndoResult} from '../core/restore.js'
import {DEFAULT_TIMEOUT_SECONDS} from '../defaults.js'
import {InputError} from '../errors.js'

export default class Restore extends BaseCommand {
  static override summary = 'Put unit files, drop-ins, enablement, GRUB defaults and daemon.json back as the baseline has them.'
  static override description =
    'Plans from one read of the host, backs up every path it will touch on the host, applies the plan in one script (each file written to a temporary name and renamed into place), runs systemctl daemon-reload (and update-grub when the GRUB defaults changed), then reads the host again: exit 0 only when nothing is left, 1 when drift remains, 2 on error. Nothing is deleted: what the baseline lacks is moved into the backup. Backups: /var/lib/vmdrift/backups/<id>/ on the host.'
  static override examples = [
    '<%= config.bin %> restore helix-vm --dry-run',
    '<%= config.bin %> restore helix-vm --yes',
    "git bisect run sh -c '<%= config.bin %> restore helix-vm --yes --reboot && ./test.sh'",
    '<%= config.bin %> restore helix-vm --undo --yes',
    '<%= config.bin %> restore helix-vm --list',
  ]
  static override enableJsonFlag = true
  static override args = {
    target: Args.string({description: 'ssh_config alias, user@host[:port], or local', required: true}),
    backup: Args.string({description: 'with --undo: the backup to undo [default: the latest not undone]'}),
  }
  static override flags = {
    ...targetFlags,
    baseline: baselineFlag,
    'dry-run': Flags.boolean({char: 'n', description: 'print the plan and change nothing'}),
    yes: Flags.boolean({char: 'y', description: 'apply without asking (needed where there is no terminal to ask on)'}),
    only: Flags.string({helpValue: 'GLOB', description: "restore only items whose path matches (a pattern without '/' matches file names: 'docker.service*')"}),
    restart: Flags.boolean({description: 'also restart the units whose files were restored, and dockerd when daemon.json was'}),
    reboot: Flags.boolean({description: 'reboot the host after the restore and wait for SSH to come back with a new boot'}),
    'reboot-timeout': Flags.integer({helpValue: 'SECONDS', description: 'how long to wait for the host after --reboot', default: 300, min: 10}),
    undo: Flags.boolean({description: 'put back what a restore replaced (the latest, or BACKUP), including removing what it created', exclusive: ['dry-run', 'only', 'restart', 'reboot', 'list']}),
    list: Flags.boolean({description: 'list the restore backups on the host', exclusive: ['dry-run', 'only', 'restart', 'reboot', 'undo']}),
  }

  async run(): Promise<RestoreResult | UndoResult | BackupInfo[]> {
    const {args, flags} = await this.parse(Restore)
    if (args.backup !== undefined && !flags.undo) throw new InputError(`unexpected argument ${args.backup}`, 'a backup id goes with --undo')
    if (flags.reboot && flags.root !== undefined) throw new InputError('--reboot with --root: an offline root has nothing to reboot')
    const changes = !flags['dry-run'] && !flags.list
    // Refused before connecting: a script or CI job without --yes must fail fast, not hang on a prompt.
    if (changes && !flags.yes && !process.stdin.isTTY) {
      throw new InputError(`refusing to change ${args.target} without --yes: no terminal to ask on`, 'see the plan with --dry-run, apply it with --yes')
    }
    // A question on stdout would break the JSON document that --json promises there.
    if (changes && !flags.yes && this.jsonEnabled()) throw new InputError(`refusing to change ${args.target} without --yes in --json mode`, 'add --yes')
    // restore works on one host named on the command line; vmdrift.yaml's hosts are check's and capture's.
    const hostFlags = {...flags, timeout: flags.timeout ?? DEFAULT_TIMEOUT_SECONDS}
    const target = await this.openTarget(args.target, hostFlags)
    const [core, {defaultBaselinePath}, report, {parseFault}] = await Promise.all([
      import('../core/restore.js'),
      import('../baselines/paths.js'),
      import('../report/restore.js'),
      import('../restore/apply-script.js'),
    ])
    const json = this.jsonEnabled()
    try {
      const host = {root: flags.root, sudo: flags.sudo}
      if (flags.list) {
        const backups = await core.listBackups(target, host)
        if (!json) process.stdout.write(report.renderBackups(backups, args.target, this.colors))
        return backups
      }
      if (flags.undo) {
        if (!flags.yes && !(await this.ask(`undo ${args.backup ?? 'the latest restore'} on ${args.target}?`))) throw new InputError('not undone: declined')
        const result = await core.undo(target, {...host, id: args.backup})
        if (!json) process.stdout.write(report.renderUndo(result, this.colors))
        if (result.failed.length) this.setExitCode(2)
        return result
      }
      const result = await core.restore(target, {
        ...host,
        baselineFile: flags.baseline ?? defaultBaselinePath(args.target),
        only: flags.only,
        restart: flags.restart,
        dryRun: flags['dry-run'],
        confirm: flags.yes
          ? undefined
          : async (plan) => {
              process.stdout.write(report.renderPlan(plan, args.target, this.colors))
              return plan.steps.length === 0 || this.ask(`apply these ${plan.steps.length} steps to ${args.target}?`)
            },
        reboot: flags.reboot ? {reconnect: () => this.openTarget(args.target, hostFlags), timeoutSeconds: flags['reboot-timeout']} : undefined,
        // Hidden, for the end-to-end tests of interruption: the apply script kills itself at this point.
        fault: parseFault(process.env.VMDRIFT_FAULT),
      })
      if (!json) process.stdout.write(report.renderRestore(result, this.colors))
      this.setExitCode(core.restoreExitCode(result))
      return result
    } finally {
      await target.close()
    }
  }

  private async ask(question: string): Promise<boolean> {
    const {createInterface} = await import('node:readline/promises')
    const prompt = createInterface({input: process.stdin, output: process.stdout})
    try {
      return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim())
    } finally {
      prompt.close()
    }
  }
}
