import * as Args from '@oclif/core/args'
import {BaseCommand} from '../cli/base.js'
import type {SchemaName} from '../schemas.js'

export default class Schema extends BaseCommand {
  static override summary = 'Print the JSON Schema of a baseline file, or of the --json result of check and diff, or of restore.'
  static override examples = ['<%= config.bin %> schema > baseline.schema.json', '<%= config.bin %> schema check-result']
  static override args = {
    name: Args.string({description: 'which schema', options: ['baseline', 'check-result', 'restore-result'], default: 'baseline'}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Schema)
    const {loadSchema} = await import('../schemas.js')
    process.stdout.write(`${JSON.stringify(loadSchema(args.name as SchemaName), null, 2)}\n`)
  }
}
