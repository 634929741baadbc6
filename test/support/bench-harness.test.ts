// The bench harness (bench/) itself: the latency relay, the fixture root, a host behind the relay. Fast (small binaries).
import {execFile} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, readlinkSync, rmSync, statSync} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterAll, describe, expect, it} from 'vitest'
import {createFixtureRoot, floorCommand, naiveCommands} from '../../bench/fixture-root.js'
import {median, startLatencyHost} from '../../bench/harness.js'
import {startRelay} from '../../bench/relay.js'

const run = promisify(execFile)
const work = mkdtempSync(path.join(os.tmpdir(), 'vmdrift-bench-test-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

async function echoServer() {
  const server = net.createServer({allowHalfOpen: true}, (s) => s.pipe(s))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {server, port: (server.address() as net.AddressInfo).port}
}

describe('bench/relay', () => {
  it('adds delayMs each way: a round trip costs ~2 × delayMs', async () => {
    const echo = await echoServer()
    const relay = await startRelay({targetPort: echo.port, delayMs: 25})
    const sock = net.connect({host: '127.0.0.1', port: relay.port, noDelay: true})
    await new Promise((r) => sock.once('connect', r))
    const times: number[] = []
    for (let i = 0; i < 8; i++) {
      const t = performance.now()
      sock.write('x')
      await new Promise((r) => sock.once('data', r))
      times.push(performance.now() - t)
    }
    expect(Math.min(...times)).toBeGreaterThanOrEqual(49)
    expect(median(times)).toBeLessThan(65)
    expect(relay.stats.turns).toBe(8)
    sock.destroy()
    await relay.close()
    echo.server.close()
  })

  it('keeps order and every byte in both directions, and passes a half-close on', async () => {
    const echo = await echoServer()
    const relay = await startRelay({targetPort: echo.port, delayMs: 5, highWaterBytes: 256 * 1024})
    const sock = net.connect({host: '127.0.0.1', port: relay.port, allowHalfOpen: true})
    const data = createHash('sha256').update('x').digest()
    const big = Buffer.concat(Array.from({length: 150_000}, (_, i) => data.subarray(i % 32, (i % 32) + 1 + (i % 7))))
    const chunks: Buffer[] = []
    const ended = new Promise<void>((r) => sock.on('end', () => r()))
    sock.on('data', (d) => chunks.push(d))
    for (let i = 0; i < big.length; i += 65536) sock.write(big.subarray(i, i + 65536))
    sock.end() // the echo server sees end, ends its side: that FIN must come back through the relay
    await ended
    expect(Buffer.concat(chunks).equals(big)).toBe(true)
    sock.destroy()
    await relay.close()
    echo.server.close()
  })

  it('refuses any target but 127.0.0.1', async () => {
    await expect(startRelay({targetPort: 22, targetHost: '10.0.0.1'} as never)).rejects.toThrow(/127\.0\.0\.1/)
  })
})

describe('bench/fixture-root', () => {
  it('is deterministic by seed and lists the audit set', async () => {
    const opts = {dir: work, seed: 7, binaries: 3, minBinaryBytes: 10_000, maxBinaryBytes: 200_000}
    const a = await createFixtureRoot(opts)
    const b = await createFixtureRoot(opts)
    const c = await createFixtureRoot({...opts, seed: 8})
    const digest = (fx: typeof a) => {
      const h = createHash('sha256')
      for (const f of [...fx.textFiles, ...fx.binaries.map((x) => x.path)]) h.update(f).update(readFileSync(path.join(fx.root, f)))
      for (const l of fx.symlinks) h.update(l).update(readlinkSync(path.join(fx.root, l)))
      return h.digest('hex')
    }
    expect(digest(a)).toBe(digest(b))
    expect(digest(a)).not.toBe(digest(c))
    expect(a.textFiles).toEqual(b.textFiles)
    expect(a.textFiles).toContain('etc/systemd/system/docker.service.d/helix-drm.conf')
    expect(a.textFiles).toContain('lib/systemd/system/docker.service')
    expect(a.textFiles).toContain('etc/default/grub')
    expect(a.textFiles).toContain('etc/docker/daemon.json')
    expect(a.symlinks).toContain('etc/systemd/system/multi-user.target.wants/helix-drm-manager.service')
    expect(readlinkSync(path.join(a.root, 'etc/systemd/system/apt-daily.timer'))).toBe('/dev/null')
    expect(readlinkSync(path.join(a.root, 'lib'))).toBe('usr/lib')
    const units = a.counts.localUnits + a.counts.fullOverrides + a.counts.dropIns + a.counts.wantsLinks + a.counts.aliases + a.counts.masks + a.counts.vendorUnitsRead
    expect(units).toBeGreaterThanOrEqual(140)
    expect(units).toBeLessThanOrEqual(180)
    for (const bin of a.binaries) {
      expect(statSync(path.join(a.root, bin.path)).size).toBe(bin.size)
      expect(statSync(path.join(a.root, bin.path)).mode & 0o777).toBe(0o755)
    }
    // the floor command reads the whole set; the naive way has one command per item
    const {stdout} = await run('sh', ['-c', floorCommand(a.root, a)], {maxBuffer: 64 * 1024 * 1024})
    expect(stdout.match(/^[0-9a-f]{64} {2}/gm)).toHaveLength(3)
    expect(naiveCommands(a.root, a)).toHaveLength(a.textFiles.length + a.symlinks.length + a.binaries.length)
    await Promise.all([a.cleanup(), b.cleanup(), c.cleanup()])
  })
})

describe('bench/harness', () => {
  it('serves a real sshd through the relay under its own alias and known_hosts', async () => {
    const host = await startLatencyHost({delayMs: 25, dir: work, alias: 'bench-test'})
    try {
      const t = performance.now()
      const {stdout} = await run('ssh', [...host.sshArgs, 'echo ok'], {timeout: 20_000})
      const ms = performance.now() - t
      expect(stdout).toBe('ok\n')
      expect(ms).toBeGreaterThan(5 * 50) // an ssh login is several round trips
      expect(host.relay.stats.connections).toBe(1)
      expect(host.relay.stats.turns).toBeGreaterThanOrEqual(5)
      expect(readFileSync(host.knownHostsFile, 'utf8')).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${host.port} ssh-ed25519 `))
    } finally {
      await host.stop()
    }
  }, 30_000)
})
