// A real OpenSSH sshd on 127.0.0.1 for tests and benchmarks.
//
// Installs nothing: `npm test` and `npm run bench` run scripts/host-tools.sh first, which installs openssh-server.
// Everything it makes (host key, user key, authorized_keys, sshd_config, known_hosts, ssh_config, pid file, log)
// lives in one temp dir that stop() removes.
// It only ever listens on, and writes client config for, 127.0.0.1.
//
// The daemon runs with `LogLevel DEBUG1 -E logFile`, so a test can count what a client did on the wire:
// connections, authenticated logins, session channels and exec requests (see the count* helpers). Use mark() to
// take a log offset before an operation and pass it as `since` to count only what that operation did.
//
// Plain ESM JavaScript with JSDoc types so vitest and a plain `node` bench script can both import it unbuilt.

import {spawn, spawnSync, execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync, readSync, closeSync} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export const SSHD_PATH = '/usr/sbin/sshd'
const HOST = '127.0.0.1'

/**
 * @typedef {object} SshdOptions
 * @property {string} [user]            login user (default: the current user; sshd run by a non-root user can only log that user in)
 * @property {string} [alias]           Host alias written to sshConfigFile (default 'vmdrift-test')
 * @property {string} [sshdPath]        default /usr/sbin/sshd
 * @property {string} [tmpDir]          parent of the temp dir (default os.tmpdir())
 * @property {string} [logLevel]        sshd LogLevel (default DEBUG1; the count* helpers need at least DEBUG1)
 * @property {string[]} [extraConfig]   extra sshd_config lines, appended (first value wins in sshd_config, so
 *                                      these cannot override the defaults below except where noted by sshd)
 * @property {number} [startTimeoutMs]  default 10000
 * @property {number} [port]            a fixed port instead of a free one
 */

/**
 * @typedef {object} CountOptions
 * @property {number} [since]  byte offset in the log (from mark()); count only lines after it
 */

/**
 * @typedef {object} Sshd
 * @property {'127.0.0.1'} host
 * @property {number} port
 * @property {string} user
 * @property {string} identityFile       private ed25519 key authorised for `user`
 * @property {string} knownHostsFile     holds `[127.0.0.1]:PORT ssh-ed25519 …`
 * @property {string} sshConfigFile      ssh_config with `Host <alias>`
 * @property {string} alias
 * @property {string} target             `user@127.0.0.1:PORT`
 * @property {string} hostKeyFile        the daemon's public host key (.pub)
 * @property {string} logFile
 * @property {string} dir
 * @property {number} pid
 * @property {string[]} sshArgs          argv for the OpenSSH client: ['-F', sshConfigFile, alias]
 * @property {() => string} readLog
 * @property {() => number} mark                         current log size, for `since`
 * @property {(o?: CountOptions) => number} countConnections       TCP connections accepted (incl. banner probes)
 * @property {(o?: CountOptions) => number} countAuthenticated      successful logins ("Accepted publickey")
 * @property {(o?: CountOptions) => number} countSessionChannels    `session` channels opened
 * @property {(o?: CountOptions) => number} countChannels           channels of any type opened
 * @property {(o?: CountOptions) => number} countExecRequests       `exec` requests
 * @property {(type: string, o?: CountOptions) => number} countChannelRequests  requests of a type (exec, shell, subsystem, env, pty-req …)
 * @property {(predicate: (text: string) => boolean, timeoutMs?: number) => Promise<void>} waitForLog
 * @property {() => Promise<void>} stop   kills the daemon and removes the temp dir (idempotent)
 */

/** @type {Set<{killSync: () => void}>} */
const live = new Set()
let exitHookInstalled = false

function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // 'exit' handlers must be synchronous. Signals are the embedding program's business (bench/run.js traps them
  // and exits, which lands here); the daemon also gets SIGTERM from the kernel if this process dies (pdeathsig).
  process.on('exit', stopAllSshdSync)
}

/** Kills every daemon started by this process and removes their temp dirs, synchronously. */
export function stopAllSshdSync() {
  for (const d of [...live]) d.killSync()
}

/** @returns {Promise<number>} a port free on 127.0.0.1 right now */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, HOST, () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/**
 * Resolves once a TCP connection to host:port receives an SSH banner.
 * @param {number} port
 * @param {number} timeoutMs
 * @param {() => string | undefined} [failed]  returns a reason to stop waiting (e.g. the daemon exited)
 */
export async function waitForBanner(port, timeoutMs, failed) {
  const deadline = Date.now() + timeoutMs
  let lastErr = ''
  while (Date.now() < deadline) {
    const why = failed?.()
    if (why) throw new Error(why)
    const got = await new Promise((resolve) => {
      const sock = net.connect({host: HOST, port})
      let buf = ''
      const done = (/** @type {boolean} */ ok, /** @type {string} */ err = '') => {
        lastErr = err
        sock.destroy()
        resolve(ok)
      }
      sock.setTimeout(Math.max(200, Math.min(2000, deadline - Date.now())), () => done(false, 'timeout'))
      sock.on('data', (d) => {
        buf += d.toString('latin1')
        if (buf.includes('SSH-2.0')) done(true)
      })
      sock.on('error', (e) => done(false, e.message))
      sock.on('close', () => done(false, 'closed before banner'))
    })
    if (got) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`no SSH banner on ${HOST}:${port} within ${timeoutMs} ms (${lastErr})`)
}

/** @param {string} file @param {number} since */
function readFrom(file, since) {
  if (!since) return readFileSync(file, 'utf8')
  const size = statSync(file).size
  if (size <= since) return ''
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.alloc(size - since)
    readSync(fd, buf, 0, buf.length, since)
    return buf.toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/** @param {string} text @param {RegExp} re */
function countMatches(text, re) {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'gm')
  return (text.match(g) ?? []).length
}

/** @param {string} s */
function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** @param {string} cmd */
function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], {stdio: 'ignore'}).status === 0
}

/**
 * Starts a real OpenSSH sshd on 127.0.0.1 with fresh keys and client config for it.
 * @param {SshdOptions} [opts]
 * @returns {Promise<Sshd>}
 */
export async function startSshd(opts = {}) {
  const sshdPath = opts.sshdPath ?? SSHD_PATH
  if (!existsSync(sshdPath)) {
    throw new Error(
      `${sshdPath} not found: the tests and the bench need a real OpenSSH server. ` +
        'Install it first: `apt-get install -y openssh-server` (CI does this before running the tests).',
    )
  }
  if (!hasCommand('ssh-keygen')) {
    throw new Error('ssh-keygen not found: install openssh-client (`apt-get install -y openssh-client`).')
  }
  const user = opts.user ?? os.userInfo().username
  const alias = opts.alias ?? 'vmdrift-test'
  const isRoot = process.getuid?.() === 0

  // Privilege separation dir: sshd refuses to start without it (a fresh container has no /run/sshd).
  if (!existsSync('/run/sshd')) {
    try {
      mkdirSync('/run/sshd', {recursive: true, mode: 0o755})
    } catch (e) {
      if (isRoot) throw e
    }
  }

  const dir = mkdtempSync(path.join(opts.tmpDir ?? os.tmpdir(), 'vmdrift-sshd-'))
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child
  let stopped = false
  const entry = {
    killSync() {
      live.delete(entry)
      if (child && child.exitCode === null && child.signalCode === null) {
        try {
          child.kill('SIGKILL')
        } catch {}
      }
      stopped = true
      rmSync(dir, {recursive: true, force: true})
    },
  }
  live.add(entry)
  installExitHook()

  try {
    const p = (/** @type {string} */ name) => path.join(dir, name)
    const hostKey = p('ssh_host_ed25519_key')
    const identityFile = p('id_ed25519')
    for (const [file, comment] of [
      [hostKey, 'vmdrift-test-host'],
      [identityFile, `vmdrift-test-${user}`],
    ]) {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], {stdio: 'pipe'})
    }
    const authorizedKeys = p('authorized_keys')
    writeFileSync(authorizedKeys, readFileSync(identityFile + '.pub'), {mode: 0o600})
    const logFile = p('sshd.log')
    writeFileSync(logFile, '')
    const pidFile = p('sshd.pid')
    const configFile = p('sshd_config')
    // The sessions' home (SetEnv below): empty, so the user's own dotfiles on this machine stay out of every session.
    const home = p('home')
    mkdirSync(home, {recursive: true})

    let lastError = ''
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = opts.port ?? (await freePort())
      const config = [
        `Port ${port}`,
        `ListenAddress ${HOST}`,
        `HostKey ${hostKey}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        `PidFile ${pidFile}`,
        `LogLevel ${opts.logLevel ?? 'DEBUG1'}`,
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'UseDNS no',
        'PrintMotd no',
        'PrintLastLog no',
        'X11Forwarding no',
        'PermitUserEnvironment no',
        // bash reads ~/.bashrc for each command sshd runs; a developer's (root's `pyenv init` on one machine) made
        // every session ~0.5 s slower and queued a hundred concurrent ones on a lock, for vmdrift and the bench's
        // `ssh` floor alike. A host's dotfiles are not what the tests and the bench measure.
        `SetEnv HOME=${home}`,
        // many concurrent connections (a many-hosts benchmark) must not be dropped by the pre-auth throttle
        'MaxStartups 1000',
        'MaxSessions 100',
        'LoginGraceTime 60',
        'Subsystem sftp internal-sftp',
        ...(opts.extraConfig ?? []),
        '',
      ].join('\n')
      writeFileSync(configFile, config)

      const mark = existsSync(logFile) ? statSync(logFile).size : 0
      const argv = [sshdPath, '-D', '-e', '-f', configFile, '-E', logFile]
      // setpriv --pdeathsig: the daemon is told to go if this process dies without running its exit hooks.
      const usePdeath = hasCommand('setpriv')
      child = usePdeath
        ? spawn('setpriv', ['--pdeathsig', 'TERM', '--', ...argv], {stdio: ['ignore', 'ignore', 'pipe']})
        : spawn(argv[0], argv.slice(1), {stdio: ['ignore', 'ignore', 'pipe']})
      let stderr = ''
      child.stderr?.on('data', (d) => (stderr += d))
      /** @type {Error | undefined} */
      let spawnError
      child.on('error', (e) => (spawnError = e))
      const proc = child
      // Don't keep the event loop alive for the daemon (stop() or the exit hook ends it).
      proc.unref()
      const errStream = /** @type {any} */ (proc.stderr)
      errStream?.unref?.()

      try {
        await waitForBanner(port, opts.startTimeoutMs ?? 10_000, () => {
          if (spawnError) return `cannot start sshd: ${spawnError.message}`
          if (proc.exitCode !== null || proc.signalCode !== null) {
            const log = readFrom(logFile, mark)
            return `sshd exited (${proc.exitCode ?? proc.signalCode}): ${(stderr + log).trim().slice(-2000)}`
          }
          return undefined
        })
      } catch (e) {
        lastError = /** @type {Error} */ (e).message
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
        // Another process took the port between freePort() and bind(): try a new one.
        if (!opts.port && /Bind to port|Cannot bind|Address already in use/i.test(lastError)) continue
        throw e
      }

      const hostPub = readFileSync(hostKey + '.pub', 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')
      const knownHostsFile = p('known_hosts')
      writeFileSync(knownHostsFile, `[${HOST}]:${port} ${hostPub}\n`)
      const sshConfigFile = p('ssh_config')
      writeFileSync(
        sshConfigFile,
        [
          `Host ${alias}`,
          `  HostName ${HOST}`,
          `  Port ${port}`,
          `  User ${user}`,
          `  IdentityFile ${identityFile}`,
          `  IdentitiesOnly yes`,
          `  UserKnownHostsFile ${knownHostsFile}`,
          `  GlobalKnownHostsFile /dev/null`,
          `  StrictHostKeyChecking yes`,
          `  UpdateHostKeys no`,
          `  BatchMode yes`,
          `  PasswordAuthentication no`,
          `  ControlMaster no`,
          `  ControlPath none`,
          `  LogLevel ERROR`,
          '',
        ].join('\n'),
      )

      const since = (/** @type {CountOptions | undefined} */ o) => readFrom(logFile, o?.since ?? 0)
      /** @type {Sshd} */
      const sshd = {
        host: HOST,
        port,
        user,
        identityFile,
        knownHostsFile,
        sshConfigFile,
        alias,
        target: `${user}@${HOST}:${port}`,
        hostKeyFile: hostKey + '.pub',
        logFile,
        dir,
        pid: proc.pid ?? -1,
        sshArgs: ['-F', sshConfigFile, alias],
        readLog: () => readFileSync(logFile, 'utf8'),
        mark: () => statSync(logFile).size,
        countConnections: (o) => countMatches(since(o), /^Connection from \S+ port \d+ on /),
        countAuthenticated: (o) => countMatches(since(o), /^Accepted publickey for /),
        countSessionChannels: (o) => countMatches(since(o), /server_input_channel_open: ctype session /),
        countChannels: (o) => countMatches(since(o), /server_input_channel_open: ctype \S+ /),
        countExecRequests: (o) => countMatches(since(o), /session_input_channel_req: session \d+ req exec$/),
        countChannelRequests: (type, o) =>
          countMatches(since(o), new RegExp(`session_input_channel_req: session \\d+ req ${escapeRe(type)}$`)),
        async waitForLog(predicate, timeoutMs = 5000) {
          const deadline = Date.now() + timeoutMs
          while (!predicate(readFileSync(logFile, 'utf8'))) {
            if (Date.now() > deadline) throw new Error(`sshd log: condition not met within ${timeoutMs} ms`)
            await new Promise((r) => setTimeout(r, 20))
          }
        },
        async stop() {
          if (stopped) return
          stopped = true
          live.delete(entry)
          if (proc.exitCode === null && proc.signalCode === null) {
            const exited = new Promise((r) => proc.once('exit', r))
            proc.kill('SIGTERM')
            const t = setTimeout(() => proc.kill('SIGKILL'), 3000)
            await exited
            clearTimeout(t)
          }
          rmSync(dir, {recursive: true, force: true})
        },
      }
      return sshd
    }
    throw new Error(`could not start sshd on a free port: ${lastError}`)
  } catch (e) {
    entry.killSync()
    throw e
  }
}
