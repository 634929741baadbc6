// What bin/run.js loads: oclif's execute and our commands in one bundle (scripts/bundle.js), so start-up pays for
// one file read instead of Node resolving a few hundred modules. What a command needs only when it runs (the engine,
// SSH, YAML, ajv) stays behind dynamic imports, which the bundle runs on first use. So does oclif itself, with the
// commands (they extend its Command), which load only in execute.
import type {Hook} from '@oclif/core/hooks'
import type * as Oclif from '@oclif/core/execute'
import type * as CommandList from './command-list.js'

/** The commands, for oclif's explicit command strategy (package.json oclif.commands): set by loadCommands. */
export let COMMANDS: typeof CommandList.COMMANDS | undefined

/** Loads the commands (and with them oclif): before oclif reads COMMANDS. */
export async function loadCommands(): Promise<void> {
  ;({COMMANDS} = await import('./command-list.js'))
}

/** oclif's execute, once the commands are loaded. */
export async function execute(options: Parameters<typeof Oclif.execute>[0]): ReturnType<typeof Oclif.execute> {
  await loadCommands()
  const oclif = await import('@oclif/core/execute')
  return oclif.execute(options)
}

// oclif takes its hooks from the bundle too (package.json oclif.hooks), so a mistyped command does not load a
// second copy of oclif; the hook's own code loads only when a command is mistyped.
export const NOT_FOUND_HOOK: Hook.CommandNotFound = async function (options) {
  const {default: hook} = await import('./hooks/not-found.js')
  return hook.call(this, options)
}
