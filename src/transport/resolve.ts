// Turns what the user typed into a target: `local`, `user@host[:port]`, or an ssh_config alias resolved the way
// OpenSSH resolves it (first value wins; HostName, User, Port, IdentityFile, UserKnownHostsFile, IdentitiesOnly).
import {readFileSync} from 'node:fs'
import {homedir, userInfo} from 'node:os'
import {join} from 'node:path'
import SSHConfig from 'ssh-config'
import {InputError} from '../errors.js'
import {LocalTarget} from './local.js'
import {SshTarget, type SshSettings} from './ssh.js'
import type {Target} from './types.js'

export interface TargetFlags {
  identity?: string
  knownHosts?: string
  sshConfig?: string
  timeout: number
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

function readSshConfig(file: string | undefined): SSHConfig {
  const path = file ?? join(homedir(), '.ssh', 'config')
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if (file) throw new InputError(`cannot read --ssh-config ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`)
    return new SSHConfig()
  }
  return SSHConfig.parse(text)
}

export function resolveSshSettings(spec: string, flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): SshSettings {
  const direct = parseDirect(spec)
  const config = readSshConfig(flags.sshConfig)
  const alias = direct?.host ?? spec
  // Match exec would run commands from the config; vmdrift does not.
  const computed = config.compute(alias, {ignoreCase: true, matchExec: false}) as Record<string, string | string[]>
  if (computed.proxyjump && first(computed.proxyjump) !== 'none') {
    throw new InputError(`${spec}: ProxyJump in ssh_config is not supported yet`, 'connect to a host vmdrift can reach directly')
  }
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
  }
}

export function resolveTarget(spec: string, flags: TargetFlags): Target {
  if (spec === 'local') return new LocalTarget()
  return new SshTarget(resolveSshSettings(spec, flags))
}
