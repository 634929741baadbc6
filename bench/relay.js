// A TCP latency relay on 127.0.0.1: every chunk is delivered `delayMs` after it arrived, in order, in both
// directions, so a round trip through it costs 2 × delayMs (the kernels here have no netem). Connects to
// 127.0.0.1 only: it refuses any other target.
//
//   const relay = await startRelay({targetPort: sshd.port, delayMs: 25})
//   … connect to 127.0.0.1:relay.port …
//   await relay.close()
//
// Bandwidth is not limited; a direction that has more than `highWaterBytes` queued pauses its source until the
// queue drains, so a bulk transfer cannot make the relay buffer without bound. Reusable for many hosts: one relay
// per host (each has its own port), or several relays to one sshd.

import net from 'node:net'

const HOST = '127.0.0.1'

/**
 * @typedef {object} RelayOptions
 * @property {number} targetPort          port of the server on 127.0.0.1
 * @property {number} [delayMs]           one-way delay added to every chunk (default 25: a 50 ms round trip)
 * @property {number} [listenPort]        default 0: a free port
 * @property {number} [highWaterBytes]    per direction and connection, default 8 MiB
 * @property {(event: {conn: number, dir: 'up' | 'down', bytes: number, t: number}) => void} [onChunk]
 *           called as each chunk arrives (t: performance.now()), to see where a protocol spends its round trips
 */

/**
 * @typedef {object} RelayStats
 * @property {number} connections        connections accepted so far
 * @property {number} open               connections open now
 * @property {number} bytesUp            client → server bytes delivered
 * @property {number} bytesDown          server → client bytes delivered
 * @property {number} turns              times the client sent after hearing from the server (or first): the
 *                                       round trips a protocol waits for, counted on the wire (≈ RTTs paid)
 */

/**
 * @typedef {object} Relay
 * @property {'127.0.0.1'} host
 * @property {number} port
 * @property {number} delayMs
 * @property {RelayStats} stats
 * @property {() => Promise<void>} close  stops listening and destroys every open connection (idempotent)
 */

/**
 * One direction of one connection: a FIFO of chunks, each with the time it is due, drained by a single timer.
 * @param {net.Socket} from
 * @param {net.Socket} to
 * @param {number} delayMs
 * @param {number} highWater
 * @param {(n: number) => void} count
 */
function pipeDelayed(from, to, delayMs, highWater, count) {
  /** @type {{due: number, chunk: Buffer | null}[]} */
  const queue = [] // chunk null: the source ended (half-close), deliver the FIN in order too
  let queued = 0
  /** @type {NodeJS.Timeout | undefined} */
  let timer
  let paused = false

  const flush = () => {
    timer = undefined
    const now = performance.now()
    while (queue.length && queue[0].due <= now + 0.5) {
      const {chunk} = /** @type {{due: number, chunk: Buffer | null}} */ (queue.shift())
      if (to.destroyed) {
        queue.length = 0
        return
      }
      if (chunk === null) {
        to.end()
        continue
      }
      queued -= chunk.length
      count(chunk.length)
      to.write(chunk)
    }
    if (paused && queued < highWater / 2 && to.writableLength < highWater) {
      paused = false
      from.resume()
    }
    schedule()
  }
  const schedule = () => {
    if (timer || !queue.length) return
    timer = setTimeout(flush, Math.max(0, queue[0].due - performance.now()))
  }

  from.on('data', (chunk) => {
    queue.push({due: performance.now() + delayMs, chunk})
    queued += chunk.length
    if (!paused && (queued >= highWater || to.writableLength >= highWater)) {
      paused = true
      from.pause()
    }
    schedule()
  })
  from.on('end', () => {
    queue.push({due: performance.now() + delayMs, chunk: null})
    schedule()
  })
  to.on('drain', () => {
    if (paused && queued < highWater / 2 && to.writableLength < highWater) {
      paused = false
      from.resume()
    }
  })
  return () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    queue.length = 0
  }
}

/**
 * Starts a latency relay listening on 127.0.0.1.
 * @param {RelayOptions} opts
 * @returns {Promise<Relay>}
 */
export async function startRelay(opts) {
  const {targetPort, delayMs = 25, listenPort = 0, highWaterBytes = 8 * 1024 * 1024} = opts
  if (!Number.isInteger(targetPort) || targetPort <= 0 || targetPort > 65535) {
    throw new Error(`startRelay: bad targetPort ${targetPort}`)
  }
  if (/** @type {any} */ (opts).targetHost && /** @type {any} */ (opts).targetHost !== HOST) {
    throw new Error('startRelay: the relay only ever connects to 127.0.0.1')
  }
  /** @type {RelayStats} */
  const stats = {connections: 0, open: 0, bytesUp: 0, bytesDown: 0, turns: 0}
  /** @type {Set<net.Socket>} */
  const sockets = new Set()

  const server = net.createServer({allowHalfOpen: true, noDelay: true}, (client) => {
    stats.connections++
    stats.open++
    const upstream = net.connect({host: HOST, port: targetPort, allowHalfOpen: true, noDelay: true})
    sockets.add(client)
    sockets.add(upstream)
    client.setNoDelay(true)
    // Round trips on the wire: a client chunk that arrives after server data (or is the first) starts a new turn.
    let serverSpokeLast = true
    const conn = stats.connections
    client.on('data', (d) => {
      if (serverSpokeLast) stats.turns++
      serverSpokeLast = false
      opts.onChunk?.({conn, dir: 'up', bytes: d.length, t: performance.now()})
    })
    upstream.on('data', (d) => {
      serverSpokeLast = true
      opts.onChunk?.({conn, dir: 'down', bytes: d.length, t: performance.now()})
    })
    // The upstream connect itself takes no extra delay: the client's SYN already paid none either, and the
    // first data each way is delayed like every other chunk (so a TCP handshake costs what it costs on loopback,
    // while every SSH round trip costs 2 × delayMs).
    const stopUp = pipeDelayed(client, upstream, delayMs, highWaterBytes, (n) => (stats.bytesUp += n))
    const stopDown = pipeDelayed(upstream, client, delayMs, highWaterBytes, (n) => (stats.bytesDown += n))
    let closed = 0
    const onClose = () => {
      if (++closed !== 2) return
      stats.open--
    }
    const teardown = () => {
      stopUp()
      stopDown()
      client.destroy()
      upstream.destroy()
    }
    client.on('error', teardown)
    upstream.on('error', teardown)
    // A clean close needs nothing here: each side's FIN is queued behind its data and delivered in order
    // (pipeDelayed), so a socket closes once both directions are ended. An error on either side ends both.
    client.on('close', (hadError) => {
      sockets.delete(client)
      onClose()
      if (hadError) teardown()
    })
    upstream.on('close', (hadError) => {
      sockets.delete(upstream)
      onClose()
      if (hadError) teardown()
    })
  })
  server.on('error', () => {})

  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(listenPort, HOST, () => {
      server.off('error', reject)
      resolve(undefined)
    })
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  let closing = /** @type {Promise<void> | undefined} */ (undefined)

  return {
    host: HOST,
    port,
    delayMs,
    stats,
    close() {
      closing ??= new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        sockets.clear()
        server.close(() => resolve())
      })
      return closing
    },
  }
}
