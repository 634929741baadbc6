// The commands, listed: oclif's explicit command strategy reads this instead of scanning dist/commands, and the
// bundle (scripts/bundle.js) starts from it. command-list.test.ts fails when a command file is missing here.
import Capture from './commands/capture.js'
import Check from './commands/check.js'
import Demo from './commands/demo.js'
import Diff from './commands/diff.js'
import Init from './commands/init.js'
import Restore from './commands/restore.js'
import Schema from './commands/schema.js'

export const COMMANDS = {capture: Capture, check: Check, demo: Demo, diff: Diff, init: Init, restore: Restore, schema: Schema}
