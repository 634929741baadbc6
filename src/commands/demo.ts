import * as Flags from '@oclif/core/flags'
import {BaseCommand} from '../cli/base.js'

export default class Demo extends BaseCommand {
  static override summary = 'Re-enact the helix-vm incident on a throwaway root and show the real report. No VM, no network.'
  static override description =
    'Copies a dev VM root shaped like helix-vm into a temporary directory, captures a baseline of it, applies the edits of the incident (a rebuilt daemon binary, an edited After=, a new Docker drop-in, a video= kernel parameter), and runs check on it: the same code paths as `vmdrift check local --root DIR`.'
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --keep']
  static override flags = {
    keep: Flags.boolean({description: 'keep the temporary root and baseline, to run vmdrift on them yourself'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Demo)
    const [{runDemo}, {renderCheck}] = await Promise.all([import('../core/demo.js'), import('../report/text.js')])
    const started = performance.now()
    const demo = await runDemo({keep: flags.keep})
    const c = this.colors
    const out: string[] = [
      c.bold('1. capture a golden baseline of helix-vm'),
      `   $ vmdrift capture helix-vm   ${c.dim(`(here: vmdrift capture local --root ${demo.root})`)}`,
      `   ${demo.captured.items} items: ${Object.entries(demo.captured.collectors).map(([id, n]) => `${id} ${n}`).join(', ')}`,
      '',
      c.bold('2. the day of the incident (none of it is in git)'),
      ...demo.edits.map((edit) => `   ${edit.at}  ${edit.what}`),
      '',
      c.bold('3. the pre-test drift check'),
      `   $ vmdrift check helix-vm && ./run-tests`,
      '',
      renderCheck(demo.result, c).trimEnd(),
      '',
      c.dim(`check would exit ${demo.result.findings.length ? 1 : 0}, so ./run-tests would not run. Demo took ${Math.round(performance.now() - started)} ms.`),
      flags.keep
        ? `kept: ${demo.dir} (try: vmdrift check local --root ${demo.root} --baseline ${demo.baselineFile})`
        : c.dim('The temporary root is gone; --keep keeps it.'),
    ]
    process.stdout.write(out.join('\n') + '\n')
  }
}
