import {execFile} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startSshd, type Sshd} from './sshd.js'

const run = promisify(execFile)

describe('test/support/sshd: a real OpenSSH sshd on 127.0.0.1', () => {
  let sshd: Sshd

  beforeAll(async () => {
    sshd = await startSshd()
  }, 20_000)

  afterAll(async () => {
    await sshd?.stop()
  })

  it('serves the real ssh client through the Host alias, strict host key checking on', async () => {
    expect(sshd.host).toBe('127.0.0.1')
    expect(readFileSync(sshd.knownHostsFile, 'utf8')).toMatch(
      new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 AAAA`),
    )
    const since = sshd.mark()
    const {stdout} = await run('ssh', ['-F', sshd.sshConfigFile, 'vmdrift-test', 'echo ok'], {timeout: 15_000})
    expect(stdout).toBe('ok\n')
    await sshd.waitForLog((log) => log.slice(since).includes('Disconnected from user'))
    expect(sshd.countAuthenticated({since})).toBe(1)
    expect(sshd.countSessionChannels({since})).toBe(1)
    expect(sshd.countExecRequests({since})).toBe(1)
  })

  it('counts one exec per ssh command, across connections', async () => {
    const since = sshd.mark()
    for (let i = 0; i < 2; i++) await run('ssh', [...sshd.sshArgs, 'true'], {timeout: 15_000})
    await sshd.waitForLog((log) => log.slice(since).split('Disconnected from user').length === 3)
    expect(sshd.countExecRequests({since})).toBe(2)
    expect(sshd.countSessionChannels({since})).toBe(2)
    expect(sshd.countExecRequests()).toBe(3)
  })

  it("runs each command with an empty home of its own, not the user's dotfiles on this machine", async () => {
    const {stdout} = await run('ssh', [...sshd.sshArgs, 'echo "$HOME"; ls -A "$HOME" | wc -l'], {timeout: 15_000})
    expect(stdout).toBe(`${sshd.dir}/home\n0\n`)
  })

  it('rejects a host key that is not in known_hosts', async () => {
    await expect(
      run('ssh', ['-F', sshd.sshConfigFile, '-o', 'UserKnownHostsFile=/dev/null', 'vmdrift-test', 'true'], {
        timeout: 15_000,
      }),
    ).rejects.toThrow(/Host key verification failed/)
  })

  it('stop() kills the daemon and removes its temp dir', async () => {
    const other = await startSshd({alias: 'other'})
    expect(existsSync(other.dir)).toBe(true)
    await other.stop()
    expect(existsSync(other.dir)).toBe(false)
    expect(() => process.kill(other.pid, 0)).toThrow()
    await other.stop() // idempotent
  }, 20_000)
})
