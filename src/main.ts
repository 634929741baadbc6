// What bin/run.js loads: oclif's execute and our commands in one bundle (scripts/bundle.js), so start-up pays for
// one file read instead of Node resolving a few hundred modules. What a command needs only when it runs (the engine,
// SSH, YAML, ajv) stays behind dynamic imports, in chunks of their own.
export {execute} from '@oclif/core/execute'
export {COMMANDS} from './command-list.js'
