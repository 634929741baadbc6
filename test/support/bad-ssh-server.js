// A TCP server on 127.0.0.1 that misbehaves like a broken or hostile SSH server, to prove a client never hangs.
//
// Each behaviour is what a real host has been seen to do (a half-dead daemon, a port that is not SSH, a
// middlebox that accepts and stalls). Plain ESM JavaScript so vitest and `node` scripts can import it unbuilt.
//
//   'malformed-packet'  SSH banner, then ONE malformed binary packet (length 20, padding length 4, bogus bytes),
//                       then silence with the connection held open
//   'garbage'           SSH banner, then endless garbage as fast as the client reads it
//   'silent'            accepts the connection and never sends a byte
//   'close-mid-handshake'  SSH banner, reads the client's banner, then closes
//   'banner-then-silence'  SSH banner, then nothing (the key exchange never starts)

import net from 'node:net'

const HOST = '127.0.0.1'
const BANNER = 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n'

/** @typedef {'malformed-packet' | 'garbage' | 'silent' | 'close-mid-handshake' | 'banner-then-silence'} Misbehaviour */
export const MISBEHAVIOURS = /** @type {const} */ (['malformed-packet', 'garbage', 'silent', 'close-mid-handshake', 'banner-then-silence'])

/**
 * @param {Misbehaviour} behaviour
 * @returns {Promise<{host: string, port: number, connections: () => number, stop: () => Promise<void>}>}
 */
export async function startBadSshServer(behaviour) {
  /** @type {Set<net.Socket>} */
  const sockets = new Set()
  let connections = 0
  const server = net.createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    // A client that gives up resets the connection: not this server's problem.
    socket.on('error', () => {})
    switch (behaviour) {
      case 'malformed-packet':
        socket.write(BANNER)
        socket.write(Buffer.from([0, 0, 0, 20, 4, 99, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]))
        break
      case 'garbage': {
        socket.write(BANNER)
        const chunk = Buffer.alloc(64 * 1024, 0xa5)
        const pump = () => {
          while (!socket.destroyed && socket.write(chunk));
        }
        socket.on('drain', pump)
        pump()
        break
      }
      case 'silent':
        break
      case 'close-mid-handshake':
        socket.write(BANNER)
        socket.once('data', () => socket.end())
        break
      case 'banner-then-silence':
        socket.write(BANNER)
        break
    }
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, HOST, () => resolve(undefined))
  })
  const address = /** @type {net.AddressInfo} */ (server.address())
  return {
    host: HOST,
    port: address.port,
    connections: () => connections,
    stop: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
