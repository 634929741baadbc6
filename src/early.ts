// `vmdrift capture HOST` and `vmdrift check HOST` wait on the SSH handshake's round trips first. bin/run.js starts
// that handshake here, before oclif loads its config and parses the command line, so the two overlap. It is a
// guess at the target the command will resolve: the command adopts the connection only if it resolves the very
// same SSH settings (transport/resolve.ts), and closes it otherwise. Anything this does not read the way oclif
// would (a config file, several hosts, a flag it does not know) starts nothing, and the command connects itself.
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {DEFAULT_CONFIG_FILE, DEFAULT_TIMEOUT_SECONDS} from './defaults.js'
import {packageRoot} from './package-root.js'
import type {TargetFlags} from './transport/resolve.js'

/** A flag as oclif.manifest.json describes it. */
export interface ManifestFlag {
  name: string
  char?: string
  type: 'boolean' | 'option'
  allowNo?: boolean
  multiple?: boolean
}

/** Flags after which the host is not simply the one name on the command line: the command plans it. */
const PLANNED = new Set(['config', 'all', 'inventory', 'shard', 'help', 'version'])

/**
 * The one SSH host that `argv` (after the command's name) names, with the flags that shape its connection; or
 * undefined when the command line is anything but that plainly.
 */
export function earlyTarget(argv: string[], flags: ManifestFlag[]): {spec: string; flags: TargetFlags} | undefined {
  const byName = new Map(flags.map((flag) => [flag.name, flag]))
  const byChar = new Map(flags.flatMap((flag) => (flag.char ? [[flag.char, flag] as const] : [])))
  const values = new Map<string, string | boolean>()
  const hosts: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') return undefined
    let flag: ManifestFlag | undefined
    let value: string | boolean | undefined
    if (arg.startsWith('--')) {
      const equals = arg.indexOf('=')
      const name = arg.slice(2, equals < 0 ? undefined : equals)
      flag = byName.get(name)
      if (!flag && name.startsWith('no-') && equals < 0 && byName.get(name.slice(3))?.allowNo) {
        flag = byName.get(name.slice(3))!
        value = false
      }
      if (equals >= 0) value = arg.slice(equals + 1)
    } else if (arg.startsWith('-') && arg.length > 1) {
      // -iFILE and -qd: oclif's to read
      if (arg.length !== 2) return undefined
      flag = byChar.get(arg[1]!)
    } else {
      hosts.push(arg)
      continue
    }
    // oclif takes the words after a repeatable option as more of its values: the host may be among them
    if (!flag || flag.multiple || PLANNED.has(flag.name)) return undefined
    if (flag.type === 'boolean') {
      if (typeof value === 'string') return undefined
      values.set(flag.name, value ?? true)
    } else {
      value ??= argv[++i]
      if (typeof value !== 'string') return undefined
      values.set(flag.name, value)
    }
  }
  const spec = hosts[0]
  if (hosts.length !== 1 || spec === undefined || spec === 'local') return undefined
  const text = (name: string) => values.get(name) as string | undefined
  const timeout = text('timeout') === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(text('timeout'))
  if (!Number.isInteger(timeout) || timeout < 1) return undefined
  return {
    spec,
    flags: {identity: text('identity'), knownHosts: text('known-hosts'), sshConfig: text('ssh-config'), timeout, acceptNewHostKey: values.get('accept-new-host-key') === true},
  }
}

/**
 * Starts the connection of `vmdrift capture|check HOST` (argv: the process's arguments after the script);
 * resolves once it is on the wire, or at once when there is nothing to start. Never rejects: a problem is the
 * command's to find and report.
 */
export async function connectEarly(argv: string[]): Promise<void> {
  try {
    const [command, ...rest] = argv
    // help is what a command line with --help is for: not even the manifest is read for it
    if ((command !== 'capture' && command !== 'check') || rest.includes('--help') || rest.includes('-h') || existsSync(DEFAULT_CONFIG_FILE)) return
    const manifest = JSON.parse(readFileSync(join(packageRoot(), 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, ManifestFlag>}>}
    const early = earlyTarget(rest, Object.values(manifest.commands[command]?.flags ?? {}))
    if (!early) return
    const {startEarly} = await import('./transport/resolve.js')
    await startEarly(early.spec, early.flags)
  } catch {
    // the command reads it all again, and says what is wrong
  }
}
