#!/usr/bin/env node
// `npm run bench` (after `tsc` has built dist/): measures what a drift check costs, side by side with the
// alternatives, in one run, as ratios. Prints a Markdown table (each figure with its target and whether it is met)
// and writes it to bench/results.md. See bench/README.md.
//
//   node bench/run.js [--runs N] [--naive-runs N] [--fleet-runs N] [--only 1,2,3,4,5,6,7] [--no-vm] [--out FILE]
//   env: BENCH_RUNS, BENCH_NAIVE_RUNS, BENCH_NAIVE_BUDGET_S, BENCH_DELAY_MS, BENCH_NO_VM=1;
//        VMDRIFT_VM_DIR and SSH_PORT pick the VM of case 7 (restore), as ../shared/vm's scripts read them
//
// Every connection goes to 127.0.0.1. Processes and temp files are cleaned up on exit, error, SIGINT/SIGTERM.

import {spawn} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {createFixtureRoot, floorCommand, naiveCommands} from './fixture-root.js'
import {
  cleanupAll,
  fmtMs,
  fmtSummary,
  installCleanupHandlers,
  makeTempDir,
  median,
  onCleanup,
  runTimed,
  startLatencyHost,
} from './harness.js'
import {startSshd} from '../test/support/sshd.js'
import {startRelay} from './relay.js'
import {INCIDENT_EDITS, PRISTINE} from '../test/support/vm-incident.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '..')
const CLI = path.join(repo, 'bin', 'run.js')
const VM_DIR = process.env.VMDRIFT_VM_DIR ?? '/var/tmp/vmdrift-vm'
const VM_SCRIPTS = path.resolve(repo, '..', 'shared', 'vm')

// ---------------------------------------------------------------------------------------------------------------
// Options

const argv = process.argv.slice(2)
/** @param {string} name */
const flag = (name) => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : undefined
}
const RUNS = Number(flag('--runs') ?? process.env.BENCH_RUNS ?? 7)
const NAIVE_RUNS = Number(flag('--naive-runs') ?? process.env.BENCH_NAIVE_RUNS ?? 3)
const NAIVE_BUDGET_MS = Number(process.env.BENCH_NAIVE_BUDGET_S ?? 200) * 1000
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 25)
const VM_RUNS = Number(flag('--vm-runs') ?? 3)
const ONLY = new Set((flag('--only') ?? '1,2,3,4,5,6,7').split(',').map((s) => s.trim()))
/** case 6 runs a fleet of hosts per run (tens of seconds each): fewer runs */
const FLEET_RUNS = Math.min(RUNS, Number(flag('--fleet-runs') ?? 2))
const FLEET_HOSTS = Number(process.env.BENCH_FLEET_HOSTS ?? 100)
const FLEET_JOBS = 32
if (argv.includes('--no-vm') || process.env.BENCH_NO_VM === '1') {
  ONLY.delete('5')
  ONLY.delete('7')
}
const OUT = flag('--out') ?? path.join(here, 'results.md')

// ---------------------------------------------------------------------------------------------------------------
// The table

/** @typedef {{id: string, measure: string, result: string, target: string, met: boolean | null, note?: string}} Row */
/** @type {Row[]} */
const rows = []
/** @type {string[]} */
const notes = []
/** key exchange algorithms seen in case 2 (case 5 gives the floor vmdrift's, for a like-for-like row) */
const kex = /** @type {{vmdrift?: string, openssh?: string}} */ ({})

/** @param {Row} r */
function row(r) {
  rows.push(r)
  const mark = r.met === null ? '—' : r.met ? 'yes' : 'NO'
  process.stderr.write(`  ${r.id.padEnd(4)} ${r.measure}: ${r.result}  [target ${r.target}: ${mark}]\n`)
}
/** @param {string} s */
function log(s) {
  process.stderr.write(`${s}\n`)
}
/** @param {string} s */
function note(s) {
  notes.push(s)
  log(`  note: ${s}`)
}

/** @param {Row[]} rs */
function markdownTable(rs) {
  const esc = (/** @type {string} */ s) => s.replaceAll('|', '\\|')
  const lines = ['| # | measure | result | target | met |', '|---|---|---|---|---|']
  // by case, whatever order they ran in (a stable sort keeps each case's rows in order)
  for (const r of rs.toSorted((a, b) => parseInt(a.id) - parseInt(b.id))) {
    const met = r.met === null ? '—' : r.met ? '✅ yes' : '❌ no'
    lines.push(`| ${r.id} | ${esc(r.measure)} | ${esc(r.result)} | ${esc(r.target)} | ${met} |`)
  }
  return lines.join('\n')
}

async function machineInfo() {
  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m) ?? [])[1] ?? os.cpus()[0]?.model ?? '?'
  const ssh = await runTimed('ssh', ['-V']).catch(() => undefined)
  return {
    cpu: cpu.trim(),
    cores: os.cpus().length,
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    node: process.version,
    openssh: (ssh?.stderr ?? '').trim().split(',')[0] || '?',
    load: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** True when `bin/run.js --version`, run as a user runs it, works (dist/ built). */
async function cliWorks() {
  if (!existsSync(path.join(repo, 'dist', 'commands'))) return false
  const r = await runTimed(CLI, ['--version'], {timeoutMs: 30_000})
  return r.code === 0
}

/** @param {import('./harness.js').RunResult} r */
function failure(r) {
  const tail = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')
  return `exit ${r.code ?? r.signal}${r.timedOut ? ' (timeout)' : ''}: ${tail.slice(0, 300)}`
}

/** Measures the round trip through a relay with a TCP echo server on 127.0.0.1. @param {number} delayMs */
async function relayRoundTrip(delayMs) {
  const echo = net.createServer((s) => s.pipe(s))
  await new Promise((r) => echo.listen(0, '127.0.0.1', () => r(undefined)))
  const port = /** @type {net.AddressInfo} */ (echo.address()).port
  const relay = await startRelay({targetPort: port, delayMs})
  const sock = net.connect({host: '127.0.0.1', port: relay.port, noDelay: true})
  await new Promise((r) => sock.once('connect', r))
  const times = []
  for (let i = 0; i < 10; i++) {
    const t = performance.now()
    sock.write('x')
    await new Promise((r) => sock.once('data', r))
    times.push(performance.now() - t)
  }
  sock.destroy()
  await relay.close()
  echo.close()
  return times
}

/** Waits until the sshd log shows every connection since `since` disconnected (or a short timeout). */
async function settledCounts(/** @type {import('../test/support/sshd.js').Sshd} */ sshd, /** @type {number} */ since) {
  const deadline = Date.now() + 3000
  let log = ''
  for (;;) {
    log = sshd.readLog().slice(since)
    const opened = (log.match(/^Connection from /gm) ?? []).length
    const closed = (log.match(/^(Disconnected from|Connection closed by|Received disconnect from) /gm) ?? []).length
    if (opened > 0 && closed >= opened) break
    if (Date.now() > deadline) break
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    kex: (log.match(/kex: algorithm: (\S+)/) ?? [])[1],
    connections: sshd.countConnections({since}),
    logins: sshd.countAuthenticated({since}),
    sessions: sshd.countSessionChannels({since}),
    channels: sshd.countChannels({since}),
    execs: sshd.countExecRequests({since}),
  }
}

/** Every string (keys and values) in a parsed YAML/JSON document. @param {unknown} v @param {Set<string>} out */
function allStrings(v, out = new Set()) {
  if (typeof v === 'string') out.add(v)
  else if (Array.isArray(v)) for (const x of v) allStrings(x, out)
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.add(k)
      allStrings(x, out)
    }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Cases

/** @param {string} work */
async function case1and2(work, haveCli) {
  log('\n[1] capture at 50 ms round-trip time (sshd on 127.0.0.1 behind a latency relay)')
  const rtt = await relayRoundTrip(DELAY_MS)
  row({id: '1.0', measure: `relay round trip (TCP echo through the relay, ${DELAY_MS} ms each way)`, result: fmtSummary(rtt), target: `${2 * DELAY_MS}–${2 * DELAY_MS + 5} ms`, met: median(rtt) >= 2 * DELAY_MS && median(rtt) <= 2 * DELAY_MS + 5})

  log('  generating the fixture root …')
  const fx = await createFixtureRoot({dir: work, seed: 1})
  onCleanup(() => fx.cleanup())
  const c = fx.counts
  note(
    `fixture root (seed 1): ${c.localUnits} local units, ${c.fullOverrides} full overrides, ${c.dropIns} drop-ins in ${c.dropInDirs} dirs, ` +
      `${c.wantsLinks} enablement links, ${c.aliases} aliases, ${c.masks} masks, ${c.vendorUnitsRead} vendor units read ` +
      `(+${c.vendorUnitsUnread} present, unread), grub, grub.d, grub.cfg, daemon.json; ${fx.binaries.length} binaries of ` +
      `${(Math.min(...fx.binaries.map((b) => b.size)) / 2 ** 20).toFixed(1)}–${(Math.max(...fx.binaries.map((b) => b.size)) / 2 ** 20).toFixed(1)} MiB ` +
      `(${(fx.binaryBytes / 2 ** 20).toFixed(0)} MiB in all). Audit set: ${fx.textFiles.length} text files, ${fx.symlinks.length} links, ${fx.binaries.length} binaries.`,
  )

  /** @type {((e: {dir: string, t: number}) => void) | undefined} */
  let chunkHook
  const host = await startLatencyHost({delayMs: DELAY_MS, dir: work, alias: 'vmdrift-bench', onChunk: (e) => chunkHook?.(e)})
  onCleanup(() => host.stop())
  const ssh = (/** @type {string} */ cmd) => runTimed('ssh', [...host.sshArgs, cmd], {timeoutMs: 120_000, keepBytes: 4096})
  const floorCmd = floorCommand(fx.root, fx)
  const besideCmd = floorCommand(fx.root, fx, {beside: true})
  const baselineFile = path.join(work, 'bench-host.yaml')
  const targetFlags = ['--root', fx.root, '--ssh-config', host.sshConfigFile, '--known-hosts', host.knownHostsFile, '--identity', host.identityFile]
  const capture = () =>
    runTimed(CLI, ['capture', host.alias, '--baseline', baselineFile, ...targetFlags], {timeoutMs: 180_000})
  const check = () => runTimed(CLI, ['check', host.alias, '--baseline', baselineFile, ...targetFlags], {timeoutMs: 180_000})

  // warm up (page cache, node's compile cache, sshd) — not counted
  const wb = await ssh(floorCmd)
  if (wb.code !== 0) throw new Error(`floor command failed: ${failure(wb)}`)
  let captureOk = false
  if (haveCli) {
    const wa = await capture()
    captureOk = wa.code === 0
    if (!captureOk) note(`vmdrift capture failed, so 1a, 2 and the ratios are not measured: ${failure(wa)}`)
  }

  /** @type {number[]} */ const a = []
  /** @type {number[]} */ const b = []
  /** @type {number[]} */ const b2 = []
  /** @type {number[]} */ const k = []
  /** @type {(number | null)[]} */ const kCodes = []
  // Twice the runs of other cases, plus one: on the machine this bench was tuned on, about one run in three of
  // either side (capture or floor, at random) takes 0.3–0.5 s longer, the host's hashing slowed; with 7 runs a side,
  // a median often landed in that mode on one side only (30 interleaved pairs, 2026-12-04: 10 captures and 9 floors).
  const pairs = 2 * RUNS + 1
  log(`  a, b and check: ${pairs} runs each, interleaved …`)
  for (let i = 0; i < pairs; i++) {
    if (captureOk) {
      const r = await capture()
      if (r.code !== 0) {
        note(`a capture run failed: ${failure(r)}`)
        captureOk = false
      } else a.push(r.ms)
    }
    const r = await ssh(floorCmd)
    if (r.code !== 0) throw new Error(`floor command failed: ${failure(r)}`)
    b.push(r.ms)
    const r2 = await ssh(besideCmd)
    if (r2.code !== 0) throw new Error(`floor command (hashing beside) failed: ${failure(r2)}`)
    b2.push(r2.ms)
    if (captureOk) {
      const c = await check()
      kCodes.push(c.code)
      if (c.code === 0 || c.code === 1) k.push(c.ms)
    }
  }

  // Where a − b goes: the same work with no network at all (vmdrift reading the root locally vs sh running the
  // floor command locally).
  /** @type {number[]} */ const la = []
  /** @type {number[]} */ const lb = []
  if (captureOk) {
    log(`  breakdown without SSH: ${RUNS} runs each …`)
    const localBaseline = path.join(work, 'local.yaml')
    for (let i = 0; i <= RUNS; i++) {
      const r = await runTimed(CLI, ['capture', 'local', '--root', fx.root, '--baseline', localBaseline], {timeoutMs: 180_000})
      const f = await runTimed('sh', ['-c', floorCmd], {timeoutMs: 180_000})
      if (r.code !== 0) {
        note(`\`vmdrift capture local --root\` failed: ${failure(r)}`)
        break
      }
      if (i > 0) {
        la.push(r.ms)
        lb.push(f.ms)
      }
    }
  }

  // naive: one ssh per item, sequential; as many full runs as fit in the budget (at least one)
  const cmds = naiveCommands(fx.root, fx)
  /** @type {number[]} */ const cc = []
  log(`  c: ${cmds.length} ssh commands per run, up to ${NAIVE_RUNS} runs within ${NAIVE_BUDGET_MS / 1000} s …`)
  const naiveStart = performance.now()
  for (let i = 0; i < (ONLY.has('1') ? NAIVE_RUNS : 0); i++) {
    const t0 = performance.now()
    for (const cmd of cmds) {
      const r = await ssh(cmd)
      if (r.code !== 0) throw new Error(`naive command failed (${cmd}): ${failure(r)}`)
    }
    cc.push(performance.now() - t0)
    const spent = performance.now() - naiveStart
    if (spent + spent / cc.length > NAIVE_BUDGET_MS) break
  }

  row({id: '1a', measure: '`vmdrift capture` of the fixture host (median, min–max)', result: captureOk || a.length ? fmtSummary(a) : 'not measured (CLI not working yet)', target: '—', met: null})
  row({id: '1b', measure: 'floor: one `ssh` that cats the same files and sha256sums the same binaries', result: fmtSummary(b), target: '—', met: null})
  row({id: '1b′', measure: 'the floor with sha256sum beside the reading, as vmdrift\'s script runs it (`sha256sum … | { cat …; readlink …; cat; }`)', result: fmtSummary(b2), target: '—', met: null})
  row({id: '1c', measure: `naive: one \`ssh\` per file (${cmds.length} commands a run)`, result: fmtSummary(cc), target: '—', met: null})
  if (a.length) {
    const ab = median(a) / median(b)
    const ca = median(cc) / median(a)
    // ≤ 1.25 was the first target; the fleet issue's start-up part asks ≤ 1.10.
    row({id: '1', measure: 'a/b: capture vs the floor (ratio of medians)', result: `${ab.toFixed(2)} (a − b = ${fmtMs(median(a) - median(b))})`, target: '≤ 1.10', met: ab <= 1.1})
    row({id: '1', measure: 'a/b′: capture vs the floor with the hashing beside (ratio of medians)', result: `${(median(a) / median(b2)).toFixed(2)} (a − b′ = ${fmtMs(median(a) - median(b2))})`, target: '—', met: null})
    row({id: '1', measure: 'c/a: naive vs capture (ratio of medians)', result: cc.length ? ca.toFixed(1) : 'not run', target: '≥ 10', met: cc.length ? ca >= 10 : null})
    if (k.length) {
      row({id: '1', measure: '`vmdrift check` of the same host (in sync), and check/b', result: `${fmtSummary(k)}; check/b = ${(median(k) / median(b)).toFixed(2)}; exit codes ${[...new Set(kCodes)].join(',')}`, target: '—', met: null})
    }
    if (la.length) {
      row({
        id: '1',
        measure: 'without SSH: `vmdrift capture local --root` vs `sh -c <floor command>` on this machine',
        result: `${fmtMs(median(la))} vs ${fmtMs(median(lb))} (ratio ${(median(la) / median(lb)).toFixed(2)}, difference ${fmtMs(median(la) - median(lb))})`,
        target: '—',
        met: null,
      })
    }
  } else {
    row({id: '1', measure: 'a/b: capture vs the floor', result: 'not measured', target: '≤ 1.10', met: false})
    row({id: '1', measure: 'c/a: naive vs capture', result: `not measured (c/b = ${(median(cc) / median(b)).toFixed(1)})`, target: '≥ 10', met: false})
  }

  // [2] round trips, from the sshd's own log
  log('\n[2] SSH channels per capture and per check (counted in the sshd log)')
  if (!captureOk) {
    row({id: '2', measure: 'SSH connections / session channels / exec requests per capture and per check', result: 'not measured (capture not working)', target: '1 / 1 / 1', met: false})
    return
  }
  /** @type {Record<string, number>} */
  const turns = {}
  /** @type {Record<string, {first: number, tail: number, total: number}>} */
  const wire = {}
  /** Runs fn while recording when its first byte reached the wire and when the last byte came back. */
  const traced = async (/** @type {string} */ what, /** @type {() => Promise<import('./harness.js').RunResult>} */ fn) => {
    let first = NaN
    let last = NaN
    chunkHook = (e) => {
      if (e.dir === 'up' && Number.isNaN(first)) first = e.t
      if (e.dir === 'down') last = e.t
    }
    const t0 = performance.now()
    const r = await fn()
    chunkHook = undefined
    wire[what] = {first: first - t0, tail: t0 + r.ms - last, total: r.ms}
    return r
  }
  for (const [what, fn] of /** @type {const} */ ([['capture', capture], ['check', check]])) {
    const since = host.sshd.mark()
    const t0 = host.relay.stats.turns
    const r = await traced(what, fn)
    const n = await settledCounts(host.sshd, since)
    turns[what] = host.relay.stats.turns - t0
    if (n.kex) kex.vmdrift = n.kex
    const ok = n.connections === 1 && n.logins === 1 && n.sessions === 1 && n.channels === 1 && n.execs === 1
    const exitNote = what === 'check' ? `, exit ${r.code}${r.code === 0 ? ' (in sync)' : ''}` : r.code === 0 ? '' : `, exit ${r.code}`
    row({
      id: '2',
      measure: `per \`${what}\`: SSH connections / channels opened / exec requests (sshd log)`,
      result: `${n.connections} / ${n.channels} / ${n.execs}${exitNote}`,
      target: '1 / 1 / 1',
      met: ok && (what !== 'check' || r.code === 0),
    })
    if (what === 'check' && r.code !== 0) note(`check right after capture did not exit 0: ${failure(r)}`)
  }
  for (const [what, cmd] of [['floor', floorCmd], ['ssh true', 'true']]) {
    const t0 = host.relay.stats.turns
    const since = host.sshd.mark()
    await traced(what, () => ssh(cmd))
    const n = await settledCounts(host.sshd, since)
    if (n.kex) kex.openssh = n.kex
    turns[what] = host.relay.stats.turns - t0
  }
  const w = (/** @type {string} */ k) => (wire[k] ? `${fmtMs(wire[k].first)} / ${fmtMs(wire[k].tail)}` : '?')
  row({
    id: '2',
    measure: 'from spawn to the first byte on the wire / from the last byte back to exit: capture, check, floor `ssh`',
    result: `${w('capture')}; ${w('check')}; ${w('floor')}`,
    target: '—',
    met: null,
  })
  note(`key exchange negotiated: vmdrift (ssh2) ${kex.vmdrift ?? '?'}, OpenSSH client ${kex.openssh ?? '?'}`)
  row({
    id: '2',
    measure: 'network round trips waited for, counted at the relay: capture / check / floor `ssh` / `ssh true`',
    result: `${turns.capture} / ${turns.check} / ${turns.floor} / ${turns['ssh true']}`,
    target: '—',
    met: null,
  })

  // Does vmdrift read the same set as the floor? Every fixture path should appear in the baseline.
  try {
    const {parse} = await import('yaml')
    const strings = allStrings(parse(readFileSync(baselineFile, 'utf8')))
    const wanted = [...fx.textFiles, ...fx.symlinks, ...fx.binaries.map((x) => x.path)].map((p) => '/' + p)
    const alt = (/** @type {string} */ p) => [p, p.replace(/^\/lib\//, '/usr/lib/'), p.replace(/^\/usr\/lib\//, '/lib/')]
    const missing = wanted.filter((p) => !alt(p).some((x) => strings.has(x)))
    const unreadShown = fx.unreadVendorUnits.map((p) => '/' + p).filter((p) => alt(p).some((x) => strings.has(x)))
    note(
      `same set check: ${wanted.length - missing.length}/${wanted.length} paths of the floor's set appear in vmdrift's baseline` +
        (missing.length ? ` (missing e.g. ${missing.slice(0, 4).join(', ')})` : '') +
        (unreadShown.length ? `; vmdrift also stored ${unreadShown.length} vendor units the floor does not read (e.g. ${unreadShown.slice(0, 3).join(', ')})` : ''),
    )
  } catch (e) {
    note(`same set check skipped: ${/** @type {Error} */ (e).message}`)
  }
}

/** One whole-check size: prepared once (not timed), then `runs` fresh processes each timing check(). */
async function wholeCheck(items, runs, target) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `vmdrift-bench-check-${items}-`))
  const label = items.toLocaleString('en-US')
  try {
    const prepared = await runTimed(process.execPath, [path.join(here, 'whole-check.js'), 'prepare', dir, String(items)], {timeoutMs: 600_000})
    const ready = parseLast(prepared)
    if (ready.error) {
      row({id: '3', measure: `whole check, ${label} items`, result: `not measured: ${String(ready.error).split('\n')[0]}`, target: target.text, met: false})
      return
    }
    /** @type {{ms: number, maxRssMB: number, findings: number, bytes: number}[]} */
    const res = []
    for (let i = 0; i < runs; i++) {
      const out = parseLast(await runTimed(process.execPath, [path.join(here, 'whole-check.js'), 'run', dir], {timeoutMs: 300_000}))
      if (out.error) {
        row({id: '3', measure: `whole check, ${label} items`, result: `not measured: ${String(out.error).split('\n')[0]}`, target: target.text, met: false})
        return
      }
      res.push(out)
    }
    const ms = res.map((x) => x.ms)
    const rss = res.map((x) => x.maxRssMB)
    const mb = (res[0].bytes / 1024 / 1024).toFixed(1)
    row({
      id: '3',
      measure: `whole \`check\` from the file, ${label} items (${mb} MB baseline), 1% changed (${res[0].findings} findings): parse, validate, read the host (--root, one script), diff, render`,
      result: fmtSummary(ms),
      target: `≤ ${target.seconds} s`,
      met: median(ms) <= target.seconds * 1000,
    })
    row({id: '3', measure: `peak memory of that process (maxRSS: node + data), ${label} items`, result: `${median(rss).toFixed(0)} MB (${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)})`, target: target.mb ? `≤ ${target.mb} MB` : '—', met: target.mb ? median(rss) <= target.mb : null})
  } finally {
    await fs.rm(dir, {recursive: true, force: true})
  }
}

function parseLast(r) {
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '')
  } catch {
    return {error: failure(r)}
  }
}

async function case3() {
  log('\n[3] big state: the whole check of 10,000 and 100,000 watched files, 1% changed, each in fresh processes')
  await wholeCheck(10_000, 5, {seconds: 0.5, mb: 200, text: '≤ 0.5 s, ≤ 200 MB'})
  await wholeCheck(100_000, 3, {seconds: 3, text: '≤ 3 s'})
}

/** A difference in ms with its sign: +12 ms, −3 ms. */
const signedMs = (/** @type {number} */ ms) => `${ms < 0 ? '−' : '+'}${fmtMs(Math.abs(ms))}`

async function case4(haveCli) {
  log('\n[4] start-up')
  // vmdrift runs as a user runs it: bin/run.js executed, its sh line starting node (without NODE_EXTRA_CA_CERTS,
  // which Node 20 loads before any script runs). node -e 0 is timed in this environment, the reference of the
  // target; where the environment sets NODE_EXTRA_CA_CERTS it is also timed without it, so the row shows what
  // vmdrift adds to a node that does not load those certificates either.
  const extraCerts = process.env.NODE_EXTRA_CA_CERTS !== undefined
  const {NODE_EXTRA_CA_CERTS: _, ...withoutCerts} = process.env
  /** @type {[string, string, string[], NodeJS.ProcessEnv?][]} */
  const cases = [
    ['`node -e 0`', process.execPath, ['-e', '0']],
    ['`vmdrift --version`', CLI, ['--version']],
    ['`vmdrift check --help`', CLI, ['check', '--help']],
  ]
  if (extraCerts) cases.push(['`node -e 0` without NODE_EXTRA_CA_CERTS', process.execPath, ['-e', '0'], withoutCerts])
  /** @type {number[][]} */
  const times = cases.map(() => [])
  for (let i = 0; i <= 2 * RUNS; i++) {
    for (let j = 0; j < cases.length; j++) {
      if (cases[j][1] === CLI && !haveCli) continue
      const r = await runTimed(cases[j][1], cases[j][2], {timeoutMs: 30_000, env: cases[j][3]})
      if (r.code !== 0) {
        row({id: '4', measure: `${cases[j][0]} wall time`, result: `fails: ${failure(r)}`, target: '≤ 300 ms', met: false})
        return
      }
      if (i > 0) times[j].push(r.ms) // first round is a warm-up
    }
  }
  const base = median(times[0])
  const bare = extraCerts ? median(times[3]) : undefined
  row({id: '4', measure: `${cases[0][0]} wall time (reference)`, result: fmtSummary(times[0]), target: '—', met: null})
  if (extraCerts) row({id: '4', measure: `${cases[3][0]} (this environment sets it; Node 20 reads the file at start-up)`, result: fmtSummary(times[3]), target: '—', met: null})
  for (let j = 1; j < 3; j++) {
    if (!haveCli) {
      row({id: '4', measure: `${cases[j][0]} wall time`, result: 'not measured (CLI not built)', target: '≤ 300 ms', met: false})
      continue
    }
    const m = median(times[j])
    // ≤ 300 ms in all was the first target; the fleet issue asks `check --help` ≤ node -e 0 + 80 ms, node -e 0 as
    // it starts here (the issue's own reference); the figure over a node that skips the certificates is shown too.
    const help = cases[j][0].includes('--help')
    row({
      id: '4',
      measure: `${cases[j][0]} wall time (node start-up included)`,
      result: `${fmtSummary(times[j])}; ${signedMs(m - base)} over node -e 0${bare === undefined ? '' : `, ${signedMs(m - bare)} over node -e 0 without NODE_EXTRA_CA_CERTS`}`,
      target: help ? '≤ 300 ms, and ≤ +80 ms over node -e 0' : '≤ 300 ms',
      met: m <= 300 && (!help || m - base <= 80),
    })
  }
}

/** @param {string} work */
async function case5(work, haveCli) {
  log('\n[5] the real VM (software-emulated): capture and check vs one ssh that reads the same files')
  const key = path.join(VM_DIR, 'id_ed25519')
  const kh = path.join(VM_DIR, 'known_hosts')
  const up = path.join(VM_SCRIPTS, 'up.sh')
  if (!existsSync(up) || !existsSync(key) || !existsSync(kh)) {
    row({id: '5', measure: 'real VM', result: `not run: ${existsSync(up) ? `${key} or ${kh} missing (build.sh not run)` : `${up} missing`}`, target: '—', met: null})
    return
  }
  log('  up.sh (boots the VM, or waits for it if it is already running) …')
  const u = await runTimed('bash', [up, '--timeout', '240'], {timeoutMs: 300_000})
  if (u.code !== 0) {
    row({id: '5', measure: 'real VM', result: `not run: up.sh ${failure(u)}`, target: '—', met: null})
    return
  }
  const sshArgs = ['-i', key, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${kh}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-p', '2222', 'auditor@127.0.0.1']
  const ssh = (/** @type {string} */ cmd) => runTimed('ssh', [...sshArgs, cmd], {timeoutMs: 180_000, keepBytes: 4096})
  // The same files a capture reads: units, drop-ins, links and masks in /etc and /run, the vendor unit of every
  // name there, grub, daemon.json; sha256 of the watched binaries. (Read as the same user vmdrift logs in as.)
  // Three processes in all (readlink, cat, sha256sum): the file lists are built with shell builtins, since every
  // fork costs ~80 ms in the emulated guest.
  const dirs = '/etc/systemd/system/* /etc/systemd/system/*/* /run/systemd/system/* /run/systemd/system/*/*'
  const floor = [
    'cd /',
    `set --; for f in ${dirs}; do [ -L "$f" ] && set -- "$@" "$f"; done; [ $# -gt 0 ] && readlink "$@"`,
    `set --; for f in ${dirs}; do [ -f "$f" ] && [ ! -L "$f" ] && set -- "$@" "$f"; done`,
    'for f in /etc/systemd/system/* /etc/systemd/system/*.wants/* /etc/systemd/system/*.requires/* /run/systemd/system/*; do n=${f##*/}; n=${n%.d}; for d in /lib/systemd/system /usr/lib/systemd/system; do if [ -f "$d/$n" ]; then set -- "$@" "$d/$n"; break; fi; done; done',
    'cat "$@" /etc/default/grub /etc/default/grub.d/*.cfg /boot/grub/grub.cfg /etc/docker/daemon.json 2>/dev/null',
    'sha256sum /usr/local/bin/* /usr/local/sbin/* 2>/dev/null',
    'true',
  ].join('; ')
  // What is in effect, read the plain way: what systemd has loaded of every unit, dockerd's settings, what the
  // running processes execute. vmdrift's check reads this too (its live probes); a capture reads only the disk.
  const effect = [
    "systemctl show -p Id,NeedDaemonReload,FragmentPath,DropInPaths,LoadState,UnitFileState,ActiveState,ActiveEnterTimestamp,ExecMainPID,After,Requires,Wants '*' >/dev/null",
    "docker info --format '{{json .}}' >/dev/null 2>&1",
    'sha256sum /proc/[0-9]*/exe >/dev/null 2>&1',
    'cat /proc/cmdline /proc/sys/kernel/random/boot_id /proc/stat >/dev/null',
    'true',
  ].join('; ')
  // As root, like vmdrift --sudo: grub.cfg is 0600, and vmdrift refuses to call an unreadable file anything.
  const bootId = async () => (await ssh('cat /proc/sys/kernel/random/boot_id')).stdout.trim()
  const boot0 = await bootId()
  const baselineFile = path.join(work, 'vm.yaml')
  const flags = ['--identity', key, '--known-hosts', kh, '--timeout', '180', '--sudo']
  const target = 'auditor@127.0.0.1:2222'
  const asRoot = (/** @type {string} */ script) => `sudo -n sh -c '${script.replaceAll("'", `'\\''`)}'`
  const capture = () => runTimed(CLI, ['capture', target, '--baseline', baselineFile, ...flags], {timeoutMs: 240_000})
  const check = () => runTimed(CLI, ['check', target, '--baseline', baselineFile, ...flags], {timeoutMs: 240_000})

  // warm-up
  const wf = await ssh(asRoot(floor))
  if (wf.code !== 0) note(`VM floor command: ${failure(wf)}`)
  let ok = haveCli
  if (ok) {
    const wc = await capture()
    if (wc.code !== 0) {
      ok = false
      note(`VM capture failed: ${failure(wc)}`)
    }
  }
  const sameKex = kex.vmdrift && kex.vmdrift !== kex.openssh ? kex.vmdrift : undefined
  /** @type {number[]} */ const f2 = []
  /** @type {number[]} */ const f = []
  /** @type {number[]} */ const cap = []
  /** @type {number[]} */ const chk = []
  /** @type {(number | null)[]} */ const chkCodes = []
  /** @type {number[]} */ const fe = []
  for (let i = 0; i < VM_RUNS; i++) {
    f.push((await ssh(asRoot(floor))).ms)
    fe.push((await ssh(asRoot(`${floor}; ${effect}`))).ms)
    if (sameKex) f2.push((await runTimed('ssh', ['-o', `KexAlgorithms=${sameKex}`, ...sshArgs, asRoot(floor)], {timeoutMs: 180_000, keepBytes: 4096})).ms)
    if (!ok) continue
    const c = await capture()
    if (c.code === 0) cap.push(c.ms)
    else note(`VM capture run failed: ${failure(c)}`)
    const k = await check()
    chkCodes.push(k.code)
    if (k.code === 0 || k.code === 1) chk.push(k.ms)
    else note(`VM check run failed: ${failure(k)}`)
  }
  const boot1 = await bootId()
  const sameBoot = boot0 !== '' && boot0 === boot1
  row({id: '5', measure: 'VM floor: one `ssh` that reads the same files and hashes the binaries (as root)', result: fmtSummary(f), target: '—', met: null})
  row({id: '5', measure: 'VM floor with what is in effect: the same, plus `systemctl show` of every unit, `docker info`, sha256 of /proc/*/exe', result: fmtSummary(fe), target: '—', met: null})
  if (f2.length) row({id: '5', measure: `VM floor with the key exchange vmdrift negotiates (\`-o KexAlgorithms=${sameKex}\`)`, result: fmtSummary(f2), target: '—', met: null})
  if (!ok) {
    row({id: '5', measure: 'VM `vmdrift capture` / `check`', result: 'not measured (CLI not working)', target: '—', met: null})
  } else {
    const vs = (/** @type {number[]} */ xs) =>
      `${(median(xs) / median(f)).toFixed(2)}× the floor` + (f2.length ? `, ${(median(xs) / median(f2)).toFixed(2)}× the same-kex floor` : '')
    row({id: '5', measure: 'VM `vmdrift capture`', result: `${fmtSummary(cap)}; ${vs(cap)}`, target: '—', met: null})
    row({id: '5', measure: 'VM `vmdrift check` (disk and in effect)', result: `${fmtSummary(chk)}; ${vs(chk)}; ${(median(chk) / median(fe)).toFixed(2)}× the floor with what is in effect; exit codes ${chkCodes.join(',')}`, target: '—', met: null})
  }
  note(`VM: same boot for every run: ${sameBoot ? 'yes' : 'NO'} (boot_id ${boot0.slice(0, 8)}…${sameBoot ? '' : ` → ${boot1.slice(0, 8)}…`}). The floor reads the same files as capture (the disk); check also reads what is in effect, hence the second floor.`)
}

/**
 * Many hosts: FLEET_HOSTS latency hosts (relays in a child process of their own, in front of one sshd that serves a
 * small fixture root), `vmdrift check --all -j 32` against the floor of OpenSSH `ssh` to the same hosts with
 * `xargs -P 32` (each ssh reading the same files as vmdrift), and `check -j 1` (one host after another).
 * @param {string} work
 */
async function case6(work, haveCli) {
  log(`\n[6] ${FLEET_HOSTS} hosts at ${2 * DELAY_MS} ms RTT: \`vmdrift check --all -j ${FLEET_JOBS}\` vs \`xargs -P ${FLEET_JOBS} ssh\``)
  if (!haveCli) {
    row({id: '6', measure: 'many hosts', result: 'not measured (CLI not built)', target: '—', met: false})
    return
  }
  // Small binaries: 100 hosts share this machine's CPU, and what is measured is the fan-out, not hashing.
  const fx = await createFixtureRoot({dir: work, seed: 6, binaries: 4, minBinaryBytes: 64 * 1024, maxBinaryBytes: 1024 * 1024})
  onCleanup(() => fx.cleanup())
  const sshd = await startSshd({tmpDir: work, alias: 'fleet-direct', logLevel: 'INFO'})
  onCleanup(() => sshd.stop())
  const dir = path.join(work, 'fleet')
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, {recursive: true}))
  const spec = {sshdPort: sshd.port, hostKeyFile: sshd.hostKeyFile, user: sshd.user, identityFile: sshd.identityFile, count: FLEET_HOSTS, delayMs: DELAY_MS, dir, prefix: 'h'}
  const relays = spawn(process.execPath, [path.join(here, 'relay-hosts.js'), JSON.stringify(spec)], {stdio: ['pipe', 'pipe', 'inherit'], detached: true})
  onCleanup(() => {
    try {
      if (relays.pid) process.kill(-relays.pid, 'SIGKILL')
    } catch {}
  })
  const ready = await new Promise((resolve, reject) => {
    let out = ''
    relays.stdout.on('data', (d) => {
      out += d
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]))
    })
    relays.on('exit', (code) => reject(new Error(`relay process exited (${code}) before it was ready`)))
  })
  const {aliases, sshConfigFile, knownHostsFile} = /** @type {{aliases: string[], sshConfigFile: string, knownHostsFile: string}} */ (ready)
  writeFileSync(
    path.join(dir, 'vmdrift.yaml'),
    ['defaults:', `  ssh-config: ${sshConfigFile}`, `  known-hosts: ${knownHostsFile}`, `  root: ${fx.root}`, '  timeout: 300', 'hosts:', ...aliases.map((a) => `  ${a}: {}`), ''].join('\n'),
  )
  const hostsFile = path.join(dir, 'hosts.txt')
  writeFileSync(hostsFile, `${aliases.join('\n')}\n`)
  const vmdrift = (/** @type {string[]} */ args) => runTimed(CLI, [...args], {cwd: dir, timeoutMs: 900_000, env: {...process.env, SSH_AUTH_SOCK: ''}})
  // The floor: one OpenSSH ssh per host reading the same files, 32 at a time; its output is discarded as vmdrift's is parsed.
  const floor = () =>
    runTimed('sh', ['-c', `xargs -P ${FLEET_JOBS} -I{} ssh -F "$CFG" {} "$FLOOR" > /dev/null < "$HOSTS"`], {
      timeoutMs: 900_000,
      env: {...process.env, CFG: sshConfigFile, FLOOR: floorCommand(fx.root, fx), HOSTS: hostsFile},
    })

  log(`  capturing ${aliases.length} baselines (not timed) …`)
  const captured = await vmdrift(['capture', '--all', '-j', String(FLEET_JOBS), '--quiet'])
  if (captured.code !== 0) throw new Error(`capture --all failed: ${failure(captured)}`)
  log(`  ${FLEET_RUNS} run(s) each of check -j ${FLEET_JOBS} and the floor, interleaved, then check -j 1 once …`)
  /** @type {number[]} */ const a = []
  /** @type {number[]} */ const b = []
  const codes = new Set()
  for (let i = 0; i < FLEET_RUNS; i++) {
    const r = await vmdrift(['check', '--all', '-j', String(FLEET_JOBS), '--quiet'])
    codes.add(r.code)
    if (r.code !== 0) note(`check --all -j ${FLEET_JOBS}: ${failure(r)}`)
    a.push(r.ms)
    const f = await floor()
    if (f.code !== 0) throw new Error(`floor failed: ${failure(f)}`)
    b.push(f.ms)
  }
  const seq = await vmdrift(['check', '--all', '-j', '1', '--quiet'])
  codes.add(seq.code)
  const n = aliases.length
  row({id: '6a', measure: `${n} hosts, \`check --all -j ${FLEET_JOBS}\`, ${2 * DELAY_MS} ms RTT`, result: `${fmtSummary(a)}; exit codes ${[...codes].join(',')}`, target: '—', met: null})
  row({id: '6b', measure: `floor: OpenSSH \`ssh\` to the same ${n} hosts with \`xargs -P ${FLEET_JOBS}\`, each reading the same files`, result: fmtSummary(b), target: '—', met: null})
  row({id: '6c', measure: `${n} hosts, \`check --all -j 1\` (sequential)`, result: `${fmtMs(seq.ms)}; ${(seq.ms / median(a)).toFixed(1)}× the -j ${FLEET_JOBS} run`, target: '—', met: null})
  const ratio = median(a) / median(b)
  row({id: '6', measure: `a/b: check -j ${FLEET_JOBS} vs the floor (ratio of medians)`, result: `${ratio.toFixed(2)} (a − b = ${fmtMs(median(a) - median(b))})`, target: '≤ 1.25', met: ratio <= 1.25})
  note(`case 6: ${n} relays (${DELAY_MS} ms each way) in a child process of their own, in front of one sshd serving a fixture of ${fx.textFiles.length} text files, ${fx.symlinks.length} links and ${fx.binaries.length} binaries (${(fx.binaryBytes / 2 ** 20).toFixed(1)} MiB) per host; all share this machine's CPU.`)
  relays.stdin.end()
}

/**
 * The restore before a bisect step, on the real VM: the incident's edits made in the guest and loaded by systemd
 * (not timed), then `vmdrift restore --yes` timed whole: the read that plans, the one apply script (backup, writes,
 * daemon-reload) and the read that verifies. Also the --dry-run alone (read + plan). The guest ends as it began.
 * @param {string} work
 */
async function case7(work, haveCli) {
  log("\n[7] the real VM: restore of the incident's edits (read, plan, apply with daemon-reload, verify)")
  const key = path.join(VM_DIR, 'id_ed25519')
  const kh = path.join(VM_DIR, 'known_hosts')
  const up = path.join(VM_SCRIPTS, 'up.sh')
  const port = process.env.SSH_PORT ?? '2222'
  if (!haveCli || !existsSync(up) || !existsSync(key) || !existsSync(kh)) {
    row({id: '7', measure: 'VM restore', result: `not run: ${haveCli ? `${key}, ${kh} or ${up} missing` : 'CLI not working'}`, target: '—', met: null})
    return
  }
  const u = await runTimed('bash', [up, '--timeout', '240'], {timeoutMs: 300_000})
  if (u.code !== 0) {
    row({id: '7', measure: 'VM restore', result: `not run: up.sh ${failure(u)}`, target: '—', met: null})
    return
  }
  const sshArgs = ['-i', key, '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${kh}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-p', port, 'auditor@127.0.0.1']
  const asRoot = (/** @type {string} */ script) => runTimed('ssh', [...sshArgs, `sudo sh -c '${script.replaceAll("'", `'\\''`)}' >/dev/null 2>&1`], {timeoutMs: 180_000})
  const baselineFile = path.join(work, 'vm-restore.yaml')
  const flags = ['--identity', key, '--known-hosts', kh, '--timeout', '180', '--sudo', '--baseline', baselineFile]
  const target = `auditor@127.0.0.1:${port}`
  const vmdrift = (/** @type {string[]} */ args) => runTimed(CLI, [...args, target, ...flags], {timeoutMs: 300_000, keepBytes: 65536})
  await asRoot(PRISTINE)
  const captured = await vmdrift(['capture'])
  if (captured.code !== 0) {
    row({id: '7', measure: 'VM restore', result: `not run: capture ${failure(captured)}`, target: '—', met: null})
    return
  }
  /** @type {number[]} */ const dry = []
  /** @type {number[]} */ const restore = []
  /** @type {(number | null)[]} */ const codes = []
  let steps = ''
  try {
    for (let i = 0; i < VM_RUNS; i++) {
      await asRoot(INCIDENT_EDITS)
      const d = await vmdrift(['restore', '--dry-run'])
      if (d.code === 1) dry.push(d.ms)
      else note(`VM restore --dry-run exited ${d.code}: ${failure(d)}`)
      const r = await vmdrift(['restore', '--yes'])
      codes.push(r.code)
      if (r.code === 0) restore.push(r.ms)
      else note(`VM restore exited ${r.code}: ${failure(r)}`)
      steps ||= (/restore plan for \S+: (\d+ steps)/.exec(r.stdout) ?? [])[1] ?? ''
    }
  } finally {
    await asRoot(PRISTINE)
  }
  row({id: '7', measure: "VM `vmdrift restore --dry-run` with the incident's edits (read + plan)", result: fmtSummary(dry), target: '—', met: null})
  row({id: '7', measure: "restore of the VM with the incident's edits (`restore --yes`: read, one apply with backup and daemon-reload, verify)", result: `${fmtSummary(restore)}; ${steps}; exit codes ${codes.join(',')}`, target: '—', met: null})
  note("VM restore: the edits are After= changed, a docker.service drop-in added, fstrim.service masked, e2scrub_reap.service disabled, a stray unit in /run/systemd/system; all loaded by a daemon-reload before each restore (not timed).")
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  installCleanupHandlers()
  const t0 = performance.now()
  const work = makeTempDir('vmdrift-bench-')
  const m = await machineInfo()
  log(`vmdrift bench — ${new Date().toISOString()} — ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, Linux ${m.kernel}, node ${m.node}, ${m.openssh}; load ${m.load}`)
  const haveCli = await cliWorks()
  if (!haveCli) note('`bin/run.js --version` does not work (dist/ not built?): the vmdrift rows are not measured')

  const steps = /** @type {[string, () => Promise<void>][]} */ ([
    ['1', () => case1and2(work, haveCli)],
    ['3', () => case3()],
    ['4', () => case4(haveCli)],
    // Case 6 before the VM boots for 5 and 7: idle under software emulation, the VM keeps a core about half busy,
    // and case 6's hundred hosts are all on this machine's CPU (1.33 with the VM up, against 1.08 last time without).
    ['6', () => case6(work, haveCli)],
    ['5', () => case5(work, haveCli)],
    ['7', () => case7(work, haveCli)],
  ])
  for (const [id, fn] of steps) {
    if (!ONLY.has(id) && !(id === '1' && ONLY.has('2'))) continue
    try {
      await fn()
    } catch (e) {
      row({id, measure: 'case failed', result: String(/** @type {Error} */ (e).message).slice(0, 300), target: '—', met: false})
    }
  }

  const end = await machineInfo()
  const total = (performance.now() - t0) / 1000
  const md = [
    `### vmdrift bench results`,
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB RAM, Linux ${m.kernel}, node ${m.node}, ${m.openssh}. ` +
      `Load average at start ${m.load}, at end ${end.load}. Round trip ${2 * DELAY_MS} ms (relay on 127.0.0.1, ${DELAY_MS} ms each way). ` +
      `${RUNS} runs per case unless noted; figures are median (min–max). Bench took ${total.toFixed(0)} s.`,
    '',
    markdownTable(rows),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n')
  process.stdout.write('\n' + md)
  writeFileSync(OUT, md)
  log(`\nwritten to ${path.relative(process.cwd(), OUT) || OUT}`)
  const unmet = rows.filter((r) => r.met === false).length
  if (unmet) log(`${unmet} target(s) not met`)
  await cleanupAll()
  process.exit(0)
}

main().catch(async (e) => {
  console.error(e)
  await cleanupAll()
  process.exit(2)
})
