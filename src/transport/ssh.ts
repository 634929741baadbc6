// A host over SSH (ssh2, pure JavaScript). One connection, and one exec channel per script.
import {readFile} from 'node:fs/promises'
import {connect as tcpConnect, type Socket} from 'node:net'
import ssh2, {type AuthenticationType, type ClientChannel, type ConnectConfig} from 'ssh2'
import {TargetError} from '../errors.js'
import {
  fingerprint,
  hostEntryName,
  keysFor,
  keyTypeOf,
  preferredHostKeyAlgorithms,
  verifyHostKey,
  type HostKeyVerdict,
  type KnownKey,
} from './known-hosts.js'
import type {ExecResult, Target} from './types.js'

// ssh2 is CommonJS: its named exports are reachable only through the default import under Node's ESM loader.
const {Client, utils} = ssh2
type Client = InstanceType<typeof Client>

export interface SshSettings {
  /** what the user typed, for messages */
  name: string
  host: string
  port: number
  user: string
  identityFiles: string[]
  /** try only identityFiles, not the agent (IdentitiesOnly) */
  identitiesOnly: boolean
  knownHostsFiles: string[]
  timeoutSeconds: number
  agentSocket?: string
}

type AuthMethod = {type: 'publickey'; username: string; key: Buffer} | {type: 'agent'; username: string; agent: string}

async function readKnownKeys(files: string[], entryName: string): Promise<KnownKey[]> {
  const keys: KnownKey[] = []
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '')
    keys.push(...keysFor(text, entryName))
  }
  return keys
}

async function authMethods(settings: SshSettings): Promise<{methods: AuthMethod[]; skipped: string[]}> {
  const methods: AuthMethod[] = []
  const skipped: string[] = []
  for (const file of settings.identityFiles) {
    const key = await readFile(file).catch(() => undefined)
    if (!key) continue
    const parsed = utils.parseKey(key)
    if (parsed instanceof Error) {
      // An encrypted key needs a passphrase, which is never taken on the command line: use the agent.
      skipped.push(`${file}: ${parsed.message}`)
      continue
    }
    methods.push({type: 'publickey', username: settings.user, key})
  }
  if (settings.agentSocket && !settings.identitiesOnly) {
    methods.push({type: 'agent', username: settings.user, agent: settings.agentSocket})
  }
  return {methods, skipped}
}

function hostKeyError(settings: SshSettings, verdict: HostKeyVerdict, presented: Buffer): TargetError {
  const entry = hostEntryName(settings.host, settings.port)
  const fp = `${keyTypeOf(presented)} ${fingerprint(presented)}`
  const file = settings.knownHostsFiles[0] ?? '~/.ssh/known_hosts'
  const scan = `ssh-keyscan ${settings.port === 22 ? '' : `-p ${settings.port} `}${settings.host}`
  switch (verdict.status) {
    case 'unknown':
      return new TargetError(`${settings.name}: host key of ${entry} is not known (${fp})`, settings.name, {
        hint: `check the fingerprint, then accept it with: ${scan} >> ${file}`,
      })
    case 'changed':
      return new TargetError(
        `${settings.name}: HOST KEY CHANGED for ${entry}: it presented ${fp}, known_hosts has another ${verdict.knownTypes.join('/')} key`,
        settings.name,
        {hint: `if the host was really reinstalled: ssh-keygen -R '${entry}' -f ${file}, then ${scan} >> ${file}`},
      )
    case 'revoked':
      return new TargetError(`${settings.name}: host key of ${entry} is marked @revoked (${fp})`, settings.name)
    case 'trusted':
      throw new Error('a trusted key is not an error')
  }
}

export class SshTarget implements Target {
  private session?: Promise<Client>
  private client?: {instance: Client; socket: Socket; ready: boolean}
  /** set by close(): a handshake still reading keys must not connect afterwards */
  private closed = false

  constructor(private readonly settings: SshSettings) {}

  get name(): string {
    return this.settings.name
  }

  /** Starts the connection (once); a command calls it early so the handshake overlaps loading the rest. */
  open(): Promise<void> {
    return this.connect().then(() => undefined)
  }

  private connect(): Promise<Client> {
    this.session ??= this.handshake()
    return this.session
  }

  private async handshake(): Promise<Client> {
    const {settings} = this
    const known = await readKnownKeys(settings.knownHostsFiles, hostEntryName(settings.host, settings.port))
    const {methods, skipped} = await authMethods(settings)
    if (methods.length === 0) {
      throw new TargetError(`${settings.name}: no usable SSH key`, settings.name, {
        hint: skipped.length
          ? `could not use ${skipped.join('; ')}; load the key into ssh-agent`
          : 'pass --identity FILE, set IdentityFile in ssh_config, or start ssh-agent (SSH_AUTH_SOCK)',
      })
    }
    if (this.closed) throw new TargetError(`${settings.name}: closed before connecting`, settings.name)
    let verdict: HostKeyVerdict | undefined
    let presented: Buffer | undefined
    const client = new Client()
    // Our own socket, so that we can always destroy it: after a protocol error ssh2 only half-closes its socket
    // (end()), and its destroy() is a no-op on a socket that is no longer writable, so a host that keeps the
    // connection open would keep this process alive forever.
    const socket = tcpConnect({host: settings.host, port: settings.port})
    const handle = {instance: client, socket, ready: false}
    this.client = handle
    const config: ConnectConfig = {
      sock: socket,
      username: settings.user,
      readyTimeout: settings.timeoutSeconds * 1000,
      algorithms: {serverHostKey: preferredHostKeyAlgorithms(known) as never},
      hostVerifier: (key: Buffer) => {
        presented = key
        verdict = verifyHostKey(known, key)
        return verdict.status === 'trusted'
      },
      authHandler: (_left: AuthenticationType[] | null, _partial: boolean | null, next: (method: AuthMethod | false) => void) => {
        next(methods.shift() ?? false)
      },
    } as ConnectConfig
    // `on`, not `once`: ssh2 can emit a second error (a timeout, then "connection lost"), and an 'error' event
    // with no listener would crash the process. Whatever the error, the connection is over: tear it down now.
    client.on('error', () => socket.destroy())
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => {
        handle.ready = true
        resolve()
      })
      // The first error decides what is reported.
      client.on('error', (error: Error & {level?: string; code?: string}) => {
        if (verdict && verdict.status !== 'trusted' && presented) return reject(hostKeyError(settings, verdict, presented))
        reject(this.connectError(error))
      })
      // A host that hangs up before the handshake ends may do so without an 'error'.
      client.once('close', () =>
        reject(new TargetError(`${settings.name}: ${settings.host}:${settings.port} closed the connection during the SSH handshake`, settings.name, {
          hint: 'is it an SSH server? check its logs (MaxStartups, AllowUsers)',
        })),
      )
      client.connect(config)
    })
    return client
  }

  private connectError(error: Error & {level?: string; code?: string}): TargetError {
    const {name, host, port, user} = this.settings
    if (error.level === 'client-authentication') {
      return new TargetError(`${name}: ${user}@${host}:${port} refused every key offered`, name, {
        hint: 'check --identity / IdentityFile, the user, and authorized_keys on the host',
      })
    }
    if (error.level === 'client-timeout' || /timed out/i.test(error.message)) {
      return new TargetError(`${name}: no SSH answer from ${host}:${port} within ${this.settings.timeoutSeconds}s`, name, {
        hint: 'is the host up? raise --timeout for a slow host',
      })
    }
    if (error.level === 'protocol' || error.level === 'handshake') {
      return new TargetError(`${name}: ${host}:${port} broke the SSH protocol: ${error.message}`, name, {
        hint: 'is it an SSH server? check its logs',
      })
    }
    const reason = error.code ?? error.message
    return new TargetError(`${name}: cannot connect to ${host}:${port}: ${reason}`, name, {hint: 'is the host up and sshd running?'})
  }

  async runScript(script: string, options: {sudo?: boolean} = {}): Promise<ExecResult> {
    const client = await this.connect()
    const command = options.sudo ? 'sudo -n sh -s' : 'sh -s'
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec(command, (error, stream) => (error ? reject(this.lostError(error)) : resolve(stream))),
    )
    return new Promise<ExecResult>((resolve, reject) => {
      const out: Buffer[] = []
      const err: Buffer[] = []
      const fail = (error: TargetError) => {
        clearTimeout(timer)
        this.client?.socket.destroy()
        reject(error)
      }
      const timer = setTimeout(
        () => fail(new TargetError(`${this.name}: the script did not finish within ${this.settings.timeoutSeconds}s`, this.name, {hint: 'raise --timeout'})),
        this.settings.timeoutSeconds * 1000,
      )
      // A connection that breaks mid-script (a protocol error, a reset) ends the run at once, never waits for the timeout.
      client.once('error', (error: Error) => fail(this.lostError(error)))
      client.once('close', () => fail(this.lostError(new Error('the connection closed'))))
      channel.on('data', (chunk: Buffer) => out.push(chunk))
      channel.stderr.on('data', (chunk: Buffer) => err.push(chunk))
      channel.on('close', (exitCode: number | null) => {
        clearTimeout(timer)
        resolve({stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), exitCode: exitCode ?? null})
      })
      channel.end(script)
    })
  }

  private lostError(error: Error): TargetError {
    return new TargetError(`${this.name}: lost the SSH connection while the script ran: ${error.message}`, this.name)
  }

  /**
   * Ends the session. A handshake still under way (the command failed before it needed the host) is cut off; a
   * ready session is closed politely, and its socket destroyed if the host does not hang up within a second.
   */
  async close(): Promise<void> {
    this.closed = true
    const handle = this.client
    this.client = undefined
    this.session = undefined
    if (!handle) return
    if (!handle.ready) {
      handle.socket.destroy()
      return
    }
    const socket = handle.socket
    const grace = setTimeout(() => socket.destroy(), 1000)
    socket.once('close', () => clearTimeout(grace))
    handle.instance.end()
  }
}
