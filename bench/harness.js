// Reusable bench plumbing: hosts behind a latency relay, timed child processes that are always cleaned up,
// temp dirs that go away even on Ctrl-C, and small statistics. Used by bench/run.js; meant for the many-hosts
// benchmark too (startLatencyHost() N times, or addRelayHost() N times on one sshd).
//
// Every address used is 127.0.0.1.

import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {startRelay} from './relay.js'
import {startSshd, stopAllSshdSync} from '../test/support/sshd.js'

// ---------------------------------------------------------------------------------------------------------------
// Cleanup: child processes (each in its own process group), async cleanups, temp dirs.

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set()
/** @type {(() => Promise<unknown> | unknown)[]} */
const cleanups = []
/** @type {Set<string>} */
const tempDirs = new Set()
let signalsInstalled = false
let cleaningUp = false

/** Registers an async cleanup, run (last registered first) on normal end, on a signal, or on an error. @param {() => Promise<unknown> | unknown} fn */
export function onCleanup(fn) {
  cleanups.push(fn)
}

function killChildrenSync() {
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL') // its whole process group
    } catch {}
  }
  children.clear()
}

function removeTempDirsSync() {
  for (const d of tempDirs) rmSync(d, {recursive: true, force: true})
  tempDirs.clear()
}

/** Runs every cleanup once: children killed, async cleanups, sshds stopped, temp dirs removed. */
export async function cleanupAll() {
  if (cleaningUp) return
  cleaningUp = true
  killChildrenSync()
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await Promise.race([fn(), new Promise((r) => setTimeout(r, 5000))])
    } catch {}
  }
  stopAllSshdSync()
  removeTempDirsSync()
  cleaningUp = false
}

/** Installs SIGINT/SIGTERM/SIGHUP handlers and an exit hook so nothing outlives the bench. */
export function installCleanupHandlers() {
  if (signalsInstalled) return
  signalsInstalled = true
  process.on('exit', () => {
    killChildrenSync()
    stopAllSshdSync()
    removeTempDirsSync()
  })
  for (const [sig, code] of /** @type {const} */ ([['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]])) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, cleaning up…\n`)
      // a second signal while cleaning up: go now (the exit hook still kills and removes synchronously)
      process.once(sig, () => process.exit(code))
      cleanupAll().finally(() => process.exit(code))
    })
  }
}

/**
 * A temp dir removed at cleanup. A `pid` file inside lets a later run sweep dirs whose process died (SIGKILL).
 * @param {string} prefix e.g. 'vmdrift-bench-'
 */
export function makeTempDir(prefix) {
  sweepStaleTempDirs(prefix)
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  writeFileSync(path.join(dir, '.owner-pid'), String(process.pid))
  tempDirs.add(dir)
  return dir
}

/** Removes temp dirs of this prefix left by a bench process that no longer exists. @param {string} prefix */
export function sweepStaleTempDirs(prefix) {
  for (const name of readdirSync(os.tmpdir())) {
    if (!name.startsWith(prefix)) continue
    const dir = path.join(os.tmpdir(), name)
    const pidFile = path.join(dir, '.owner-pid')
    if (!existsSync(pidFile)) continue
    const pid = Number(readFileSync(pidFile, 'utf8'))
    let alive = false
    try {
      process.kill(pid, 0)
      alive = true
    } catch {}
    if (!alive) rmSync(dir, {recursive: true, force: true})
  }
}

/**
 * @typedef {object} RunResult
 * @property {number | null} code
 * @property {string | null} signal
 * @property {number} ms        wall time from spawn to exit
 * @property {string} stdout    (kept up to keepBytes)
 * @property {string} stderr    (kept up to keepBytes)
 * @property {number} stdoutBytes
 * @property {boolean} timedOut
 */

/**
 * Runs a command, timed, in its own process group (killed at cleanup or timeout). Never uses a shell.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{timeoutMs?: number, env?: NodeJS.ProcessEnv, cwd?: string, keepBytes?: number}} [opts]
 * @returns {Promise<RunResult>}
 */
export function runTimed(cmd, args, opts = {}) {
  const keep = opts.keepBytes ?? 64 * 1024
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    children.add(child)
    let stdout = ''
    let stderr = ''
    let stdoutBytes = 0
    let timedOut = false
    child.stdout.on('data', (d) => {
      stdoutBytes += d.length
      if (stdout.length < keep) stdout += d.toString('utf8')
    })
    child.stderr.on('data', (d) => {
      if (stderr.length < keep) stderr += d.toString('utf8')
    })
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL')
          } catch {}
        }, opts.timeoutMs)
      : undefined
    child.on('error', (e) => {
      children.delete(child)
      if (timer) clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      const ms = performance.now() - t0
      children.delete(child)
      if (timer) clearTimeout(timer)
      resolve({code, signal, ms, stdout, stderr, stdoutBytes, timedOut})
    })
  })
}

// ---------------------------------------------------------------------------------------------------------------
// Hosts: a real sshd behind a latency relay, with client config (ssh_config alias + known_hosts) for the relay port.

/**
 * @typedef {object} LatencyHost
 * @property {import('../test/support/sshd.js').Sshd} sshd
 * @property {import('./relay.js').Relay} relay
 * @property {string} alias           Host alias in sshConfigFile, pointing at the relay
 * @property {string} sshConfigFile
 * @property {string} knownHostsFile  `[127.0.0.1]:RELAYPORT <host key>`
 * @property {string} identityFile
 * @property {string} user
 * @property {number} port            the relay's port
 * @property {string} target          `user@127.0.0.1:RELAYPORT`
 * @property {string[]} sshArgs       argv for the OpenSSH client: ['-F', sshConfigFile, alias]
 * @property {() => Promise<void>} stop
 */

/**
 * Puts a relay with `delayMs` in front of an existing sshd and writes client config for it into `dir`.
 * Several relay hosts can share one sshd (each gets its own port, alias and files).
 * @param {import('../test/support/sshd.js').Sshd} sshd
 * @param {{delayMs: number, alias: string, dir: string, onChunk?: import('./relay.js').RelayOptions['onChunk']}} opts
 * @returns {Promise<LatencyHost>}
 */
export async function addRelayHost(sshd, {delayMs, alias, dir, onChunk}) {
  const relay = await startRelay({targetPort: sshd.port, delayMs, onChunk})
  const hostKey = readFileSync(sshd.hostKeyFile, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')
  const knownHostsFile = path.join(dir, `${alias}.known_hosts`)
  writeFileSync(knownHostsFile, `[127.0.0.1]:${relay.port} ${hostKey}\n`)
  const sshConfigFile = path.join(dir, `${alias}.ssh_config`)
  writeFileSync(sshConfigFile, sshConfigBlock(alias, relay.port, sshd.user, sshd.identityFile, knownHostsFile))
  return {
    sshd,
    relay,
    alias,
    sshConfigFile,
    knownHostsFile,
    identityFile: sshd.identityFile,
    user: sshd.user,
    port: relay.port,
    target: `${sshd.user}@127.0.0.1:${relay.port}`,
    sshArgs: ['-F', sshConfigFile, alias],
    stop: () => relay.close(),
  }
}

/**
 * An ssh_config Host block for 127.0.0.1 (OpenSSH client and vmdrift both read it).
 * @param {string} alias @param {number} port @param {string} user @param {string} identityFile @param {string} knownHostsFile
 */
export function sshConfigBlock(alias, port, user, identityFile, knownHostsFile) {
  return [
    `Host ${alias}`,
    '  HostName 127.0.0.1',
    `  Port ${port}`,
    `  User ${user}`,
    `  IdentityFile ${identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHostsFile}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  UpdateHostKeys no',
    '  BatchMode yes',
    '  ControlMaster no',
    '  ControlPath none',
    '  LogLevel ERROR',
    '',
  ].join('\n')
}

/**
 * A fresh sshd (its files under `dir`) behind a relay of `delayMs`.
 * @param {{delayMs: number, alias?: string, dir: string, onChunk?: import('./relay.js').RelayOptions['onChunk']}} opts
 * @returns {Promise<LatencyHost>}
 */
export async function startLatencyHost({delayMs, alias = 'vmdrift-bench', dir, onChunk}) {
  const sshd = await startSshd({tmpDir: dir, alias: `${alias}-direct`})
  try {
    const host = await addRelayHost(sshd, {delayMs, alias, dir, onChunk})
    return {
      ...host,
      async stop() {
        await host.relay.close()
        await sshd.stop()
      },
    }
  } catch (e) {
    await sshd.stop()
    throw e
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics and formatting.

/** @param {number[]} xs */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  if (!s.length) return NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** @param {number[]} xs */
export function summary(xs) {
  return {median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length}
}

/** @param {number} ms */
export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '—'
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
  return `${ms.toFixed(0)} ms`
}

/** "1.23 s (1.20–1.31, n=7)" @param {number[]} xs */
export function fmtSummary(xs) {
  if (!xs.length) return '—'
  const s = summary(xs)
  return `${fmtMs(s.median)} (${fmtMs(s.min)}–${fmtMs(s.max)}, n=${s.n})`
}
