import * as Args from '@oclif/core/args'
import {BaseCommand} from '../cli/base.js'
import {SCHEMA_NAMES, type SchemaName} from '../schemas.js'

export default class Schema extends BaseCommand {
  static override summary = 'Print a JSON Schema: of a baseline file, of vmdrift.yaml, or of the --json output of check and diff.'
  static override examples = [
    '<%= config.bin %> schema > baseline.schema.json',
    '<%= config.bin %> schema config',
    '<%= config.bin %> schema check-result',
    '<%= config.bin %> schema fleet-result',
  ]
  static override args = {
    name: Args.string({description: 'which schema', options: [...SCHEMA_NAMES], default: 'baseline'}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Schema)
    const {loadSchema} = await import('../schemas.js')
    process.stdout.write(`${JSON.stringify(loadSchema(args.name as SchemaName), null, 2)}\n`)
  }
}
