import * as Flags from '@oclif/core/flags'
import {BaseCommand} from '../cli/base.js'

export default class Init extends BaseCommand {
  static override summary = 'Write a commented starter vmdrift.yaml; never overwrites one.'
  static override description =
    'The starter file names every key of the config (hosts, collectors, watched files, ignore and redaction rules, baseline directory) with a comment saying what it does. It is valid as written: edit the hosts and go.'
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init --config ci/vmdrift.yaml']
  static override flags = {
    config: Flags.string({char: 'c', helpValue: 'FILE', description: 'where to write it', default: 'vmdrift.yaml'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Init)
    const [{writeFile}, {STARTER_CONFIG}, {InputError}] = await Promise.all([import('node:fs/promises'), import('../config/starter.js'), import('../errors.js')])
    try {
      // 'wx': fails if the file exists, atomically; a config someone wrote is never replaced.
      await writeFile(flags.config, STARTER_CONFIG, {flag: 'wx'})
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') throw new InputError(`${flags.config} exists; init never overwrites a config`, 'edit it, or remove it first')
      throw new InputError(`cannot write ${flags.config}: ${code ?? String(error)}`)
    }
    process.stdout.write(`wrote ${flags.config}: edit its hosts, then run vmdrift capture --all\n`)
  }
}
