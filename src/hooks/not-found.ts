// A mistyped command. On a terminal, @oclif/plugin-not-found asks "Did you mean check?" and runs it if so;
// anywhere else (CI, scripts) there is no one to ask: one line with the suggestion, exit 2 like any bad input.
import type {Hook} from '@oclif/core/hooks'
import levenshtein from 'fast-levenshtein'

const hook: Hook.CommandNotFound = async function (options) {
  if (process.stdin.isTTY && process.stdout.isTTY) {
    const {default: ask} = await import('@oclif/plugin-not-found')
    return ask.call(this, options)
  }
  const typed = options.id.split(':')[0] ?? options.id
  const commands = options.config.commands.filter((command) => !command.hidden).map((command) => command.id)
  const closest = commands
    .map((id) => ({id, distance: levenshtein.get(typed, id)}))
    .sort((a, b) => a.distance - b.distance)[0]
  const suggestion = closest && closest.distance <= Math.max(2, typed.length / 2) ? ` (did you mean '${closest.id}'?)` : ''
  process.stderr.write(`vmdrift: '${typed}' is not a vmdrift command${suggestion}; see: vmdrift --help\n`)
  this.exit(2)
}

export default hook
