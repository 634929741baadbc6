// Compiles the command probes of a capture (see collectors/types.ts: CommandProbe, EachProbe) into the one
// script, after the files part. A command probe costs the processes its own script runs, once per capture:
// an each-probe gets every match of its files probe as operands of ONE command, never one command per match.
//
// Framing (see script.ts):
//   O <probe>   body: the command's stdout
//   E <status>  the exit status of the command printed just before
//   U <probe>   body: why the probe cannot run here (a tool it needs is missing)
import type {CommandProbe, EachProbe, FilesProbe} from '../collectors/types.js'
import {shGlob, shQuote} from './script.js'
import {appendToList, FLUSH_LIST} from './script-list.js'

/** `case` patterns that match a name ending in one of `suffixes`, every character but the `*` quoted. */
function endsInOneOf(suffixes: string[]): string {
  return suffixes.map((suffix) => `*${shQuote(suffix)}`).join('|')
}

/** A character an operand may not hold: what a unit name cannot (systemd.unit(5); `\\` is its escape). */
const NOT_A_NAME = '*[!-A-Za-z0-9:_.@\\\\]*'

/**
 * Appends to "$@" the name of each match of `files`, less the first of `strip` it ends in, if it ends in one of
 * `suffixes`, as script-list.ts gathers a list (appending one by one copied the whole list each time: 2 s for
 * 5,000 units). An operand is a plain name: one with a space, a glob character or a byte outside ASCII (no unit
 * name has one; systemctl would refuse the whole call) is left out, and so is a glob that matched nothing, left as
 * itself.
 */
function operandsFrom(probe: EachProbe, files: FilesProbe): string {
  const words = files.globs.map((glob) => `"$R"${shGlob(glob)}`).join(' ')
  const strip = probe.strip.map((suffix) => `*${shQuote(suffix)}) n=\${n%${shQuote(suffix)}} ;;`).join(' ')
  const add = appendToList('n')
  const keep = probe.suffixes.length ? `case $n in ${endsInOneOf(probe.suffixes)}) ${add} ;; esac` : add
  return `o=; k=0; for f in ${words}; do n=\${f##*/}; case $n in ${NOT_A_NAME}) continue ;; esac; ${strip ? `case $n in ${strip} esac; ` : ''}${keep}; done; ${FLUSH_LIST}`
}

function compileCommand(probe: CommandProbe | EachProbe, filesById: Map<string, FilesProbe>): string {
  const id = shQuote(probe.id)
  const tools = probe.tools.map((tool) => `have ${shQuote(tool)}`).join(' && ') || 'true'
  const missing = probe.tools.map((tool) => `have ${shQuote(tool)} || printf ' %s' ${shQuote(tool)}`).join('; ')
  let operands = ''
  if (probe.kind === 'each') {
    const files = filesById.get(probe.of)
    if (!files) throw new Error(`probe ${probe.id} runs over ${probe.of}, which is not a files probe of the capture`)
    operands = `\n  ${operandsFrom(probe, files)}`
  }
  // stdin is the script itself (sh -s): a command that read it would swallow the rest of the capture.
  return `if ${tools}; then
  set -- ${(probe.args ?? []).map(shQuote).join(' ')}${operands}
  t "O "${id}
  { ${probe.script.trim()}
  } </dev/null 2>/dev/null
  t "E $?"
else t "U "${id}; printf 'not found on the host:'; ${missing || 'true'}; fi`
}

export function compileCommands(probes: (CommandProbe | EachProbe)[], files: FilesProbe[]): string {
  const filesById = new Map(files.map((probe) => [probe.id, probe]))
  return probes
    .filter((probe) => probe.kind === 'each' || !probe.concurrent)
    .map((probe) => `# ${probe.id}\n${compileCommand(probe, filesById)}`)
    .join('\n')
}

/**
 * Runs the concurrent command probes alongside `body` (the rest of the script, up to but not including its END tag):
 * each is the left side of a pipeline whose right side is everything else, so no temporary file is written. The
 * right side keeps the pipe on a descriptor of its own (3, 4, …), gives the rest of the script /dev/null as stdin,
 * and prints each command's output in its frame at the end: by then the command has long finished, or is waited for.
 * `last`: what the script prints after those frames, just before END.
 */
export function runConcurrently(body: string, probes: (CommandProbe | EachProbe)[], last: string[] = []): string {
  const concurrent = probes.filter((probe): probe is CommandProbe => probe.kind === 'command' && probe.concurrent === true)
  if (concurrent.length > 6) throw new Error('at most 6 concurrent command probes (descriptors 3 to 8)')
  const tools = (probe: CommandProbe) => probe.tools.map((tool) => `command -v ${shQuote(tool)} >/dev/null 2>&1`).join(' && ') || 'true'
  const opened = concurrent.map((probe, i) => `{ if ${tools(probe)}; then ${probe.script.trim()}\nfi; } </dev/null 2>/dev/null | {\nexec ${i + 3}<&0 </dev/null`)
  const read = concurrent.map((probe, i) => {
    const id = shQuote(probe.id)
    const missing = probe.tools.map((tool) => `have ${shQuote(tool)} || printf ' %s' ${shQuote(tool)}`).join('; ')
    return `if ${tools(probe)}; then t "O "${id}; cat <&${i + 3}; else t "U "${id}; printf 'not found on the host:'; ${missing}; fi`
  })
  return [...opened, body, ...read, ...last, 't END', ...concurrent.map(() => '}')].join('\n') + '\n'
}
