import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {BaseCommand, baselineFlag, targetFlags} from '../cli/base.js'
import type {CheckResult} from '../core/check.js'
import {DRIFT_CLASSES, isDriftClass} from '../model.js'

export default class Check extends BaseCommand {
  static override summary = 'Compare a host with its baseline; exit 0 in sync, 1 drift, 2 error.'
  static override description =
    'Reads the host in one SSH round trip and reports every unit file, drop-in, enablement link, kernel parameter, watched file and Docker setting that differs from the baseline, with when it was written and a unified diff.'
  static override examples = [
    '<%= config.bin %> check helix-vm && ./run-tests',
    '<%= config.bin %> check helix-vm --json',
    '<%= config.bin %> check helix-vm --fail-on added,removed,modified,stale',
    '<%= config.bin %> check local --root /mnt/vm-disk --baseline baselines/helix-vm.yaml',
  ]
  static override enableJsonFlag = true
  static override args = {
    target: Args.string({description: 'ssh_config alias, user@host[:port], or local', required: true}),
  }
  static override flags = {
    ...targetFlags,
    baseline: baselineFlag,
    'fail-on': Flags.string({
      helpValue: 'CLASSES',
      description: `the drift classes that make the exit code 1, comma-separated: ${DRIFT_CLASSES.join(', ')} [default: all]`,
      options: [...DRIFT_CLASSES],
      multiple: true,
      delimiter: ',',
    }),
    'allow-other-target': Flags.boolean({description: 'compare with a baseline captured from another target'}),
  }

  async run(): Promise<CheckResult> {
    const {args, flags} = await this.parse(Check)
    const target = await this.openTarget(args.target, flags)
    const [{check, checkExitCode}, {defaultBaselinePath}, {renderCheck}] = await Promise.all([
      import('../core/check.js'),
      import('../baselines/store.js'),
      import('../report/text.js'),
    ])
    try {
      const result = await check(target, {baselineFile: flags.baseline ?? defaultBaselinePath(args.target), root: flags.root, sudo: flags.sudo, allowOtherTarget: flags['allow-other-target']})
      if (!this.jsonEnabled()) process.stdout.write(renderCheck(result, this.colors))
      this.setExitCode(checkExitCode(result, flags['fail-on']?.filter(isDriftClass) ?? DRIFT_CLASSES))
      return result
    } finally {
      await target.close()
    }
  }
}
