// Turns what the user typed into a target: `local`, `user@host[:port]`, or an ssh_config alias resolved the way
// OpenSSH resolves it (first value wins; HostName, User, Port, IdentityFile, UserKnownHostsFile, IdentitiesOnly,
// ProxyJump, StrictHostKeyChecking accept-new; Include expanded where it stands).
import {readdirSync, readFileSync} from 'node:fs'
import {homedir, userInfo} from 'node:os'
import {isDeepStrictEqual} from 'node:util'
import {createRequire} from 'node:module'
import type Picomatch from 'picomatch'
import {basename, dirname, isAbsolute, join} from 'node:path'
// Named, not the default: Node's ES module loader and a CommonJS bundle (scripts/bundle.js) disagree on what the
// default of this dual package is.
import {SSHConfig} from 'ssh-config'
import {InputError} from '../errors.js'
import {LocalTarget} from './local.js'
import {SshTarget, type SshSettings} from './ssh.js'
import type {Target} from './types.js'

export interface TargetFlags {
  identity?: string
  knownHosts?: string
  sshConfig?: string
  timeout: number
  /** record the key of a host not in known_hosts yet (a changed key is still refused) */
  acceptNewHostKey?: boolean
}

interface Direct {
  user?: string
  host: string
  port?: number
}

/** `user@host`, `host:port`, `user@host:port`, `user@[::1]:port`; undefined for a bare name (an alias). */
export function parseDirect(spec: string): Direct | undefined {
  const match = /^(?:([^@\s]+)@)?(\[[0-9a-fA-F:.]+\]|[^@:\s[\]]+)(?::(\d+))?$/.exec(spec)
  if (!match) throw new InputError(`target '${spec}' is not an ssh_config alias, user@host[:port] or local`)
  const [, user, rawHost, rawPort] = match
  if (!user && !rawPort) return undefined
  const port = rawPort === undefined ? undefined : Number(rawPort)
  if (port !== undefined && (port < 1 || port > 65535)) throw new InputError(`target '${spec}': port ${rawPort} is out of range`)
  return {user, host: rawHost!.replace(/^\[|\]$/g, ''), port}
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/\s+/)).filter(Boolean)
}

type ConfigLine = SSHConfig[number]

/**
 * Include, as ssh_config(5) has it: paths relative to ~/.ssh (the user's config), `*` and `?` in the file name,
 * files spliced in where the directive stands, in lexical order, nested up to 16 deep. The ssh-config package
 * parses Include but leaves it unexpanded.
 */
function expandIncludes(lines: ConfigLine[], depth: number): ConfigLine[] {
  if (depth > 16) throw new InputError('ssh_config: Include nested more than 16 deep')
  return lines.flatMap((line): ConfigLine[] => {
    if ('config' in line) return [{...line, config: expandIncludes(line.config as unknown as ConfigLine[], depth) as never}]
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'include') return [line]
    const patterns = Array.isArray(line.value) ? line.value.map((v) => (typeof v === 'string' ? v : v.val)) : String(line.value).split(/\s+/)
    return patterns.flatMap((pattern) => includedFiles(pattern).flatMap((file) => expandIncludes(parsed(readFileSync(file, 'utf8')), depth + 1)))
  })
}

/** Each ssh_config text parsed once a process: `check --all` of 100 hosts from one 1,500-line config parsed it 100 times. */
const parses = new Map<string, ConfigLine[]>()

/** The lines of an ssh_config text, read only (expandIncludes copies what it changes). */
function parsed(text: string): ConfigLine[] {
  let lines = parses.get(text)
  if (!lines) parses.set(text, (lines = [...SSHConfig.parse(text)]))
  return lines
}

function includedFiles(pattern: string): string[] {
  const path = expandHome(pattern)
  const absolute = isAbsolute(path) ? path : join(homedir(), '.ssh', path)
  const dir = dirname(absolute)
  const name = basename(absolute)
  // Loaded only for an Include: resolving a target is on the way to the first byte on the wire.
  const picomatch = createRequire(import.meta.url)('picomatch') as typeof Picomatch
  if (!picomatch.scan(name).isGlob) return [absolute].filter((file) => readable(file))
  const matches = picomatch(name)
  try {
    return readdirSync(dir)
      .filter((entry) => matches(entry))
      .sort()
      .map((entry) => join(dir, entry))
  } catch {
    return []
  }
}

function readable(file: string): boolean {
  try {
    readFileSync(file)
    return true
  } catch {
    return false
  }
}

function readSshConfig(file: string | undefined): SSHConfig {
  const path = file ?? join(homedir(), '.ssh', 'config')
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if (file) throw new InputError(`cannot read --ssh-config ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`)
    return new SSHConfig()
  }
  const config = new SSHConfig()
  config.push(...expandIncludes(parsed(text), 0))
  return config
}

/** Hops deeper than this are a loop in the config, not a network. */
const MAX_JUMPS = 8

export function resolveSshSettings(spec: string, given: TargetFlags, env: NodeJS.ProcessEnv = process.env): SshSettings {
  // Paths from vmdrift.yaml have not been through a shell: `~/` is the home there too.
  const home = (path: string | undefined) => (path === undefined ? undefined : expandHome(path))
  const flags = {...given, identity: home(given.identity), knownHosts: home(given.knownHosts), sshConfig: home(given.sshConfig)}
  return resolveWith(spec, flags, env, readSshConfig(flags.sshConfig), [])
}

function resolveWith(spec: string, flags: TargetFlags, env: NodeJS.ProcessEnv, config: SSHConfig, chain: string[]): SshSettings {
  const direct = parseDirect(spec)
  const alias = direct?.host ?? spec
  // Match exec would run commands from the config; vmdrift does not.
  const computed = config.compute(alias, {ignoreCase: true, matchExec: false}) as Record<string, string | string[]>
  const jump = first(computed.proxyjump)
  const via = jump && jump.toLowerCase() !== 'none' ? jumpChain(spec, jump, flags, env, config, chain) : undefined
  const host = (first(computed.hostname) ?? alias).replaceAll('%h', alias)
  const user = direct?.user ?? first(computed.user) ?? userInfo().username
  const port = direct?.port ?? Number(first(computed.port) ?? 22)
  const tokens = (path: string) =>
    expandHome(path).replaceAll('%d', homedir()).replaceAll('%u', userInfo().username).replaceAll('%h', host).replaceAll('%r', user)
  const configured = list(computed.identityfile).map(tokens)
  const defaults = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(homedir(), '.ssh', name))
  const identityFiles = flags.identity ? [flags.identity] : configured.length ? configured : defaults
  const configuredKnownHosts = list(computed.userknownhostsfile).map(tokens)
  const knownHostsFiles = flags.knownHosts
    ? [flags.knownHosts]
    : configuredKnownHosts.length
      ? configuredKnownHosts
      : [join(homedir(), '.ssh', 'known_hosts')]
  // accept-new records an unknown key and refuses a changed one; vmdrift reads `no` as that too, never as "anything".
  const strict = (first(computed.stricthostkeychecking) ?? '').toLowerCase()
  return {
    name: spec,
    host,
    port,
    user,
    identityFiles,
    identitiesOnly: Boolean(flags.identity) || /^yes$/i.test(first(computed.identitiesonly) ?? ''),
    knownHostsFiles,
    timeoutSeconds: flags.timeout,
    agentSocket: env.SSH_AUTH_SOCK || undefined,
    acceptNewHostKey: Boolean(flags.acceptNewHostKey) || ['accept-new', 'no', 'off'].includes(strict),
    ...(via ? {via} : {}),
  }
}

/**
 * `ProxyJump a,b`: a first, then b through a, then the host through b. Each hop is resolved like a host of its own
 * (its HostName, User, Port, keys and its own ProxyJump), with the flags' known_hosts, timeout and host-key
 * policy but not their --identity, which is the target's.
 */
function jumpChain(spec: string, jump: string, flags: TargetFlags, env: NodeJS.ProcessEnv, config: SSHConfig, chain: string[]): SshSettings {
  let via: SshSettings | undefined
  for (const hop of jump.split(',').map((h) => h.trim()).filter(Boolean)) {
    // ssh://user@host:port, as OpenSSH also takes it
    const name = hop.replace(/^ssh:\/\//, '')
    if (chain.includes(name) || chain.length >= MAX_JUMPS) throw new InputError(`${spec}: ProxyJump loops through ${[...chain, spec, name].join(' -> ')}`)
    const settings = resolveWith(name, {knownHosts: flags.knownHosts, timeout: flags.timeout, acceptNewHostKey: flags.acceptNewHostKey}, env, config, [...chain, spec])
    // A hop named later goes through the ones before it (unless its own ProxyJump says otherwise).
    via = via && !settings.via ? {...settings, via} : settings
  }
  return via!
}

/** Connections started before the command that names them had loaded (early.ts), by what the user typed. */
const startedEarly = new Map<string, SshTarget>()

/** Starts connecting to `spec` now, for resolveTarget to hand out; resolves once it is on the wire. */
export function startEarly(spec: string, flags: TargetFlags): Promise<void> {
  const target = new SshTarget(resolveSshSettings(spec, flags))
  startedEarly.set(spec, target)
  return target.open()
}

export function resolveTarget(spec: string, flags: TargetFlags): Target {
  if (spec === 'local') return new LocalTarget()
  const settings = resolveSshSettings(spec, flags)
  // The connection started early is this one only if it was started with the very same settings.
  const early = startedEarly.get(spec)
  startedEarly.delete(spec)
  if (early && isDeepStrictEqual(early.settings, settings)) return early
  void early?.close()
  return new SshTarget(settings)
}
