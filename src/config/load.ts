// Finds and reads vmdrift.yaml (the working directory's, or --config FILE). The only I/O of the config.
import {readFile} from 'node:fs/promises'
import {resolve} from 'node:path'
import {InputError} from '../errors.js'
import {describeProblem} from '../yaml-validate.js'
import {type Config, DEFAULT_CONFIG_FILE, defaultConfig, parseConfig} from './config.js'

/** The config in force: --config FILE (which must exist), else ./vmdrift.yaml if there is one, else defaults. */
export async function loadConfig(explicit: string | undefined, cwd = process.cwd()): Promise<Config> {
  const file = explicit ?? DEFAULT_CONFIG_FILE
  let text: string
  try {
    text = await readFile(resolve(cwd, file), 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (!explicit && code === 'ENOENT') return defaultConfig()
    throw new InputError(`cannot read config ${file}: ${code ?? String(error)}`, explicit ? undefined : 'vmdrift init writes a starter file')
  }
  const parsed = parseConfig(text, file)
  // Every problem, one line each: fixing a config one error per run would be a chore.
  if ('errors' in parsed) throw new InputError(parsed.errors.map(describeProblem).join('\n'))
  return parsed.config
}
