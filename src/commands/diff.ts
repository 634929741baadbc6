import * as Args from '@oclif/core/args'
import {BaseCommand} from '../cli/base.js'
import type {CheckResult} from '../core/check.js'

export default class Diff extends BaseCommand {
  static override summary = 'Compare two baseline files offline; exit 0 same, 1 different, 2 error.'
  static override examples = ['<%= config.bin %> diff baselines/helix-vm.yaml /tmp/helix-vm-now.yaml', 'git show HEAD~3:baselines/helix-vm.yaml > /tmp/old.yaml && <%= config.bin %> diff /tmp/old.yaml baselines/helix-vm.yaml']
  static override enableJsonFlag = true
  static override args = {
    baseline: Args.string({description: 'the baseline to compare against', required: true}),
    other: Args.string({description: 'the capture that stands for the host', required: true}),
  }

  async run(): Promise<CheckResult> {
    const {args} = await this.parse(Diff)
    const [{diffFiles, checkExitCode}, {renderCheck}] = await Promise.all([import('../core/check.js'), import('../report/text.js')])
    const result = await diffFiles(args.baseline, args.other)
    if (!this.jsonEnabled()) process.stdout.write(renderCheck(result, this.colors))
    this.setExitCode(checkExitCode(result))
    return result
  }
}
