// SshTarget against a real sshd on loopback: when open() returns, and what close() leaves keeping the process alive.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startBadSshServer} from '../support/bad-ssh-server.js'
import {freePort, startSshd} from '../support/sshd.js'
import {TargetError} from '../../src/errors.js'
import {type SshSettings, SshTarget} from '../../src/transport/ssh.js'

const settings = (over: Partial<SshSettings>): SshSettings => ({
  name: 'test-host',
  host: '127.0.0.1',
  port: 22,
  user: 'nobody',
  identityFiles: [],
  identitiesOnly: true,
  knownHostsFiles: [],
  timeoutSeconds: 30,
  acceptNewHostKey: false,
  ...over,
})

/** Sockets that keep this process alive now. */
const liveSockets = () => process.getActiveResourcesInfo().filter((type) => type === 'TCPSocketWrap').length

describe('SshTarget', () => {
  let sshd: Awaited<ReturnType<typeof startSshd>>
  beforeAll(async () => {
    sshd = await startSshd()
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  const real = () =>
    new SshTarget(settings({port: sshd.port, user: sshd.user, identityFiles: [sshd.identityFile], knownHostsFiles: [sshd.knownHostsFile]}))

  it('open() returns once the connection is under way, without waiting for the handshake', async () => {
    // A host that accepts and never speaks: the handshake cannot end before its 30 s timeout.
    const silent = await startBadSshServer('silent')
    const target = new SshTarget(settings({port: silent.port, identityFiles: [sshd.identityFile]}))
    try {
      const opened = await Promise.race([target.open().then(() => 'open'), new Promise((resolve) => setTimeout(resolve, 5000, 'still waiting'))])
      expect(opened).toBe('open')
      expect(silent.connections()).toBe(1)
    } finally {
      await target.close()
      await silent.stop()
    }
  })

  it('open() never rejects: a host that refuses is the first run\'s error', async () => {
    const target = new SshTarget(settings({port: await freePort(), identityFiles: [sshd.identityFile]}))
    await expect(target.open()).resolves.toBeUndefined()
    const run = target.runScript('true')
    await expect(run).rejects.toThrow(TargetError)
    await expect(run).rejects.toThrow(/cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED/)
    await target.close()
  })

  it('sends a script in the exec request (no round trip for stdin), and one too long for that on stdin', async () => {
    const target = real()
    try {
      // The host's sh shows how it got the script: `sh -c <script>`, or `sh -s` reading it from stdin.
      const how = "tr '\\0' ' ' < /proc/$$/cmdline | head -c 6; echo\n"
      const small = await target.runScript(`echo 'it''s' "quoted"\n${how}`)
      expect(small.stdout.toString()).toBe("its quoted\nsh -c \n")
      const big = await target.runScript(`#${'x'.repeat(150_000)}\necho big\n${how}`)
      expect(big.stdout.toString()).toBe('big\nsh -s \n')
    } finally {
      await target.close()
    }
  })

  it('runs a script, and after close() no longer keeps the process alive waiting for the host to hang up', async () => {
    const target = real()
    await target.open()
    const result = await target.runScript('echo hello; exit 3')
    expect(result).toEqual({stdout: Buffer.from('hello\n'), stderr: '', exitCode: 3})
    const connected = liveSockets()
    expect(connected).toBeGreaterThan(0)
    await target.close()
    // The goodbye is on its way; the host's own hang-up, a round trip later, is not waited for.
    expect(liveSockets()).toBe(connected - 1)
  })
})
