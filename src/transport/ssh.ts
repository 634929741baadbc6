// A host over SSH (ssh2, pure JavaScript). One connection, and one exec channel per script.
// fs.promises, not node:fs/promises: the getter loads it on first use (recording a host key), not before connecting
import {promises as fsp, readFileSync} from 'node:fs'
import {Socket, connect as tcpConnect} from 'node:net'
import type {Duplex} from 'node:stream'
import type {AuthenticationType, Client, ClientChannel, ConnectConfig} from 'ssh2'
import {TargetError} from '../errors.js'
import {shQuote} from '../sh.js'
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
import type {ExecResult, RunOptions, Target} from './types.js'

/**
 * ssh2, loaded once a connection is asked for (after its TCP connect is under way: loading it costs ~20 ms). It is
 * CommonJS: its named exports are reachable only through the default import under Node's ESM loader.
 */
async function loadSsh2() {
  return (await import('ssh2')).default
}

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
  /** StrictHostKeyChecking accept-new: a host not in known_hosts has its key recorded; a changed key is refused */
  acceptNewHostKey: boolean
  /** the last ProxyJump hop: this host is reached through a channel of that one */
  via?: SshSettings
}

/** What vmdrift calls itself in its SSH identification line, and that line. */
const IDENT = 'vmdrift'
const IDENT_LINE = Buffer.from(`SSH-2.0-${IDENT}\r\n`)

/** The longest command that carries its script (MAX_ARG_STRLEN is 128 KiB; the rest is headroom). */
const MAX_INLINE_COMMAND = 100_000

/** How long open() waits for the TCP connection before it lets the caller go on anyway. */
const OPEN_PATIENCE_MS = 100

type AuthMethod = {type: 'publickey'; username: string; key: Buffer} | {type: 'agent'; username: string; agent: string}

/** A missing file reads as nothing. */
function readOrNothing(file: string): Buffer | undefined {
  try {
    return readFileSync(file)
  } catch {
    return undefined
  }
}

// known_hosts and the keys are read at once, not through the thread pool: a few small files, read while the host's
// greeting is on its way, when each event loop turn a read waited for was a turn the greeting waited for too.
function readKnownKeys(files: string[], entryName: string): KnownKey[] {
  const keys: KnownKey[] = []
  for (const file of files) {
    const text = readOrNothing(file)?.toString('utf8') ?? ''
    keys.push(...keysFor(text, entryName))
  }
  return keys
}

function authMethods(settings: SshSettings, {utils}: Awaited<ReturnType<typeof loadSsh2>>): {methods: AuthMethod[]; skipped: string[]} {
  const methods: AuthMethod[] = []
  const skipped: string[] = []
  for (const file of settings.identityFiles) {
    const key = readOrNothing(file)
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

/** Appends the key to the first known_hosts file, as OpenSSH's accept-new does. */
async function recordHostKey(settings: SshSettings, key: Buffer): Promise<void> {
  const file = settings.knownHostsFiles[0]
  if (!file) throw new Error('no known_hosts file to record the key in')
  await fsp.appendFile(file, `${hostEntryName(settings.host, settings.port)} ${keyTypeOf(key)} ${key.toString('base64')}\n`, {mode: 0o600})
}

export class SshTarget implements Target {
  private session?: Promise<Client>
  /** resolved once the connection is under way (see open) */
  private underway!: () => void
  private readonly onTheWire = new Promise<void>((resolve) => (this.underway = resolve))
  /** the ProxyJump hop this host is reached through */
  private hop?: SshTarget
  private client?: {instance: Client; socket: Duplex; ready: boolean}
  /** set by close(): a handshake still reading keys must not connect afterwards */
  private closed = false
  /** the TCP socket, from the moment it is asked for: close() destroys it if no session is ready */
  private dialing?: Socket

  constructor(readonly settings: SshSettings) {}

  get name(): string {
    return this.settings.name
  }

  /** Starts the connection (once); a command calls it early so the handshake overlaps loading the rest. */
  open(): Promise<void> {
    const settled = this.connect().then(
      () => {},
      () => {},
    )
    // A host that takes longer than this to accept is far enough away that its round trips still cover what the
    // caller loads; and one that never accepts must not hold up an error the caller finds first (no baseline).
    const patience = new Promise<void>((resolve) => setTimeout(resolve, OPEN_PATIENCE_MS).unref())
    return Promise.race([this.onTheWire, settled, patience])
  }

  private connect(): Promise<Client> {
    this.session ??= this.handshake()
    return this.session
  }

  private async handshake(): Promise<Client> {
    const {settings} = this
    // The TCP connection first: the host accepts it (sshd forks, and its greeting crosses the network) while ssh2
    // loads and the keys are read. Until ssh2 takes the socket, nothing reads it, and an error is kept here.
    const dialed = settings.via ? undefined : this.dial()
    let socket: Duplex
    let client: Client
    let known: KnownKey[]
    let methods: AuthMethod[]
    try {
      // One turn of the event loop first: a nearby host's connection is up by then, and our identification line
      // leaves before ssh2's loading holds the loop.
      if (dialed) await new Promise((resolve) => setImmediate(resolve))
      const ssh2 = await loadSsh2()
      known = readKnownKeys(settings.knownHostsFiles, hostEntryName(settings.host, settings.port))
      const auth = authMethods(settings, ssh2)
      methods = auth.methods
      if (this.closed) throw new TargetError(`${settings.name}: closed before connecting`, settings.name)
      if (methods.length === 0) {
        throw new TargetError(`${settings.name}: no usable SSH key`, settings.name, {
          hint: auth.skipped.length
            ? `could not use ${auth.skipped.join('; ')}; load the key into ssh-agent`
            : 'pass --identity FILE, set IdentityFile in ssh_config, or start ssh-agent (SSH_AUTH_SOCK)',
        })
      }
      // Through a ProxyJump hop: the hop's forwarded channel is the socket.
      socket = dialed?.socket ?? (await this.throughHop(settings.via!))
      if (this.closed) throw new TargetError(`${settings.name}: closed before connecting`, settings.name)
      if (dialed?.failed()) throw this.connectError(dialed.failed()!)
      client = new ssh2.Client()
    } catch (error) {
      dialed?.socket.destroy()
      throw error
    }
    let verdict: HostKeyVerdict | undefined
    let presented: Buffer | undefined
    let recordError: Error | undefined
    const handle = {instance: client, socket, ready: false}
    this.client = handle
    const config: ConnectConfig = {
      sock: socket,
      ident: IDENT,
      username: settings.user,
      readyTimeout: settings.timeoutSeconds * 1000,
      algorithms: {serverHostKey: preferredHostKeyAlgorithms(known) as never},
      hostVerifier: (key: Buffer, accept: (ok: boolean) => void) => {
        presented = key
        verdict = verifyHostKey(known, key)
        if (verdict.status === 'unknown' && settings.acceptNewHostKey) {
          recordHostKey(settings, key).then(
            () => accept(true),
            (error: Error) => {
              recordError = error
              accept(false)
            },
          )
          return
        }
        accept(verdict.status === 'trusted')
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
        if (recordError) return reject(new TargetError(`${settings.name}: could not record the new host key: ${recordError.message}`, settings.name))
        const accepted = verdict?.status === 'trusted' || (verdict?.status === 'unknown' && settings.acceptNewHostKey)
        if (verdict && !accepted && presented) return reject(hostKeyError(settings, verdict, presented))
        reject(this.connectError(error))
      })
      // A host that hangs up before the handshake ends may do so without an 'error'.
      client.once('close', () =>
        reject(new TargetError(`${settings.name}: ${settings.host}:${settings.port} closed the connection during the SSH handshake`, settings.name, {
          hint: 'is it an SSH server? check its logs (MaxStartups, AllowUsers)',
        })),
      )
      client.connect(config)
      // ssh2 listens to the socket now (it sends its greeting on 'connect', or at once on a socket already
      // connected): our own listener goes.
      dialed?.handOver()
      // Under way once ssh2 has sent its greeting. setImmediate: after ssh2's own 'connect' work (a promise),
      // before what the caller does next.
      if (socket instanceof Socket && socket.connecting) socket.once('connect', () => setImmediate(this.underway))
      else setImmediate(this.underway)
    })
    return client
  }

  /**
   * Our own TCP socket, so that we can always destroy it: after a protocol error ssh2 only half-closes its socket
   * (end()), and its destroy() is a no-op on a socket that is no longer writable, so a host that keeps the
   * connection open would keep this process alive forever. An error before ssh2 listens is kept for handshake().
   */
  private dial(): {socket: Socket; failed: () => Error | undefined; handOver: () => void} {
    const socket = tcpConnect({host: this.settings.host, port: this.settings.port})
    // Our identification line (RFC 4253 4.2) goes out as soon as the connection is up, not once ssh2 has loaded:
    // OpenSSH's sshd sends its key exchange offer only after it has read it, so that offer is on its way back
    // while ssh2 loads. ssh2 sends the same line when it starts (its `ident` is ours): that copy goes no further,
    // and the line it puts in the exchange hash is the one the host got.
    socket.write(IDENT_LINE)
    const write = socket.write
    socket.write = function (this: Socket, chunk: unknown, ...rest: unknown[]) {
      if (Buffer.isBuffer(chunk) && chunk.equals(IDENT_LINE)) {
        socket.write = write
        const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined
        if (done) process.nextTick(done)
        return true
      }
      return write.apply(this, [chunk, ...rest] as Parameters<typeof write>)
    } as typeof write
    let failed: Error | undefined
    const onError = (error: Error) => void (failed ??= error)
    socket.on('error', onError)
    this.dialing = socket
    return {socket, failed: () => failed, handOver: () => socket.off('error', onError)}
  }

  /** A channel to this host through the hop (which connects first, through its own hops if it has any). */
  private async throughHop(hopSettings: SshSettings): Promise<ClientChannel> {
    const {name, host, port} = this.settings
    const hop = new SshTarget(hopSettings)
    this.hop = hop
    try {
      return await hop.forward(host, port)
    } catch (error) {
      // The hop's message names the hop and the step: say whose way it was on.
      const message = error instanceof Error ? error.message : String(error)
      throw new TargetError(`${name}: through jump host ${message}`, name, error instanceof TargetError ? {hint: error.hint} : {})
    }
  }

  /** A direct-tcpip channel from this host to host:port, for the next hop's SSH session to run over. */
  async forward(host: string, port: number): Promise<ClientChannel> {
    const client = await this.connect()
    return new Promise((resolve, reject) =>
      client.forwardOut('127.0.0.1', 0, host, port, (error, channel) =>
        error
          ? reject(new TargetError(`${this.name}: could not open a channel to ${host}:${port}: ${error.message}`, this.name, {hint: 'does its sshd allow TCP forwarding (AllowTcpForwarding)?'}))
          : resolve(channel),
      ),
    )
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
    if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
      return new TargetError(`${name}: cannot resolve ${host} (DNS: ${error.code})`, name, {hint: 'check HostName in ssh_config, or the name'})
    }
    const reason = error.code ?? error.message
    return new TargetError(`${name}: cannot connect to ${host}:${port}: ${reason}`, name, {hint: 'is the host up and sshd running?'})
  }

  async runScript(script: string, options: RunOptions = {}): Promise<ExecResult> {
    const client = await this.connect()
    // The script rides in the exec request itself, as `ssh host 'command'` sends it: the host starts on it at
    // once. On stdin it could only be sent once the host had confirmed the exec, a round trip later. A script
    // too long for one argument of the login shell's `-c` (Linux: 128 KiB) still goes on stdin.
    const inline = `sh -c ${shQuote(script)}`
    const inCommand = Buffer.byteLength(inline) <= MAX_INLINE_COMMAND
    const shell = inCommand ? inline : 'sh -s'
    const command = options.sudo ? `sudo -n ${shell}` : shell
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
      channel.on('data', (chunk: Buffer) => {
        out.push(chunk)
        options.onOutput?.(chunk)
      })
      channel.stderr.on('data', (chunk: Buffer) => err.push(chunk))
      channel.on('close', (exitCode: number | null) => {
        clearTimeout(timer)
        resolve({stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), exitCode: exitCode ?? null})
      })
      channel.end(inCommand ? undefined : script)
    })
  }

  private lostError(error: Error): TargetError {
    return new TargetError(`${this.name}: lost the SSH connection while the script ran: ${error.message}`, this.name)
  }

  /**
   * Ends the session. A handshake still under way (the command failed before it needed the host) is cut off; a
   * ready session is closed politely, and its socket destroyed if the host does not hang up within a second. The
   * goodbye is sent, but the process does not wait for the host's own hang-up (a round trip, 50 ms at 50 ms RTT):
   * the socket and the timer no longer keep it alive, only the writes still under way do.
   */
  async close(): Promise<void> {
    this.closed = true
    const handle = this.client
    this.client = undefined
    this.session = undefined
    if (!handle) this.dialing?.destroy()
    if (handle && !handle.ready) {
      handle.socket.destroy()
    } else if (handle) {
      const socket = handle.socket
      const grace = setTimeout(() => socket.destroy(), 1000).unref()
      socket.once('close', () => clearTimeout(grace))
      handle.instance.end()
      // Through a ProxyJump hop the socket is a channel: the hop's own socket is let go when the hop closes.
      if (socket instanceof Socket) socket.unref()
    }
    await this.hop?.close()
  }
}
