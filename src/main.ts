// What bin/run.js loads: oclif's execute and our commands in one bundle (scripts/bundle.js), so start-up pays for
// one file read instead of Node resolving a few hundred modules. What a command needs only when it runs (the engine,
// SSH, YAML, ajv) stays behind dynamic imports, which the bundle runs on first use.
export {execute} from '@oclif/core/execute'
export {COMMANDS} from './command-list.js'
import type {Hook} from '@oclif/core/hooks'

// oclif takes its hooks from the bundle too (package.json oclif.hooks), so a mistyped command does not load a
// second copy of oclif; the hook's own code loads only when a command is mistyped.
export const NOT_FOUND_HOOK: Hook.CommandNotFound = async function (options) {
  const {default: hook} = await import('./hooks/not-found.js')
  return hook.call(this, options)
}
