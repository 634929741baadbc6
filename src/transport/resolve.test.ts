import {mkdtemp, writeFile} from 'node:fs/promises'
import {homedir, tmpdir, userInfo} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {createServer} from 'node:net'
import {parseDirect, resolveSshSettings, resolveTarget, startEarly} from './resolve.js'

async function configFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vmdrift-sshcfg-'))
  const file = join(dir, 'config')
  await writeFile(file, text)
  return file
}

describe('resolve', () => {
  it('parses user@host[:port] and leaves a bare name to ssh_config', () => {
    expect(parseDirect('auditor@127.0.0.1:2222')).toEqual({user: 'auditor', host: '127.0.0.1', port: 2222})
    expect(parseDirect('auditor@vm')).toEqual({user: 'auditor', host: 'vm', port: undefined})
    expect(parseDirect('root@[::1]:22')).toEqual({user: 'root', host: '::1', port: 22})
    expect(parseDirect('helix-vm')).toBeUndefined()
    expect(() => parseDirect('a@b@c')).toThrow(/not an ssh_config alias/)
    expect(() => parseDirect('vm:99999')).toThrow(/out of range/)
  })

  it('resolves an alias like OpenSSH: first value wins, Host * applies last', async () => {
    const sshConfig = await configFile(
      ['Host helix-vm', '  HostName 127.0.0.1', '  Port 2222', '  User auditor', '  IdentityFile ~/.ssh/helix', '  UserKnownHostsFile /tmp/kh', '  IdentitiesOnly yes', 'Host *', '  User nobody', '  Port 22'].join('\n'),
    )
    const settings = resolveSshSettings('helix-vm', {sshConfig, timeout: 5}, {})
    expect(settings).toMatchObject({
      host: '127.0.0.1',
      port: 2222,
      user: 'auditor',
      identityFiles: [join(homedir(), '.ssh/helix')],
      knownHostsFiles: ['/tmp/kh'],
      identitiesOnly: true,
      agentSocket: undefined,
    })
  })

  it('lets flags win over ssh_config and defaults the user and known_hosts like ssh', async () => {
    const sshConfig = await configFile('Host vm\n  HostName 127.0.0.1\n')
    const settings = resolveSshSettings('vm', {sshConfig, identity: '/k', knownHosts: '/kh', timeout: 5}, {SSH_AUTH_SOCK: '/agent'})
    expect(settings).toMatchObject({user: userInfo().username, port: 22, identityFiles: ['/k'], knownHostsFiles: ['/kh'], agentSocket: '/agent'})
    const plain = resolveSshSettings('me@10.0.0.9:2200', {sshConfig, timeout: 5}, {})
    expect(plain.knownHostsFiles).toEqual([join(homedir(), '.ssh/known_hosts')])
  })

  it('resolves ProxyJump hops in order, each like a host of its own, and refuses a loop', async () => {
    const sshConfig = await configFile(
      [
        'Host vm',
        '  HostName 10.1.0.5',
        '  ProxyJump bastion,inner',
        'Host bastion',
        '  HostName 127.0.0.1',
        '  Port 2201',
        '  User jumper',
        'Host inner',
        '  HostName 10.1.0.1',
        '  IdentityFile /keys/inner',
        'Host loop-a',
        '  ProxyJump loop-b',
        'Host loop-b',
        '  ProxyJump loop-a',
        '',
      ].join('\n'),
    )
    const settings = resolveSshSettings('vm', {sshConfig, timeout: 5}, {})
    expect(settings).toMatchObject({host: '10.1.0.5', via: {name: 'inner', host: '10.1.0.1', identityFiles: ['/keys/inner'], via: {name: 'bastion', host: '127.0.0.1', port: 2201, user: 'jumper'}}})
    expect(settings.via?.via?.via).toBeUndefined()
    const direct = resolveSshSettings('me@10.0.0.9', {sshConfig: await configFile('Host 10.*\n  ProxyJump ops@127.0.0.1:2202\n'), timeout: 5}, {})
    expect(direct.via).toMatchObject({user: 'ops', host: '127.0.0.1', port: 2202})
    expect(() => resolveSshSettings('loop-a', {sshConfig, timeout: 5}, {})).toThrow(/^loop-b: ProxyJump loops through loop-a -> loop-b -> loop-a$/)
  })

  it('expands Include where it stands: globs in lexical order, relative paths from ~/.ssh, inside a Host block too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vmdrift-include-'))
    await writeFile(join(dir, '20-vm.conf'), 'Host vm\n  HostName 127.0.0.20\n  Port 2020\n')
    await writeFile(join(dir, '10-vm.conf'), 'Host vm\n  HostName 127.0.0.10\n')
    await writeFile(join(dir, 'user.conf'), 'User included\n')
    const sshConfig = await configFile(`Include ${dir}/*.conf\nHost other\n  Include ${dir}/user.conf\n  HostName 127.0.0.30\n`)
    expect(resolveSshSettings('vm', {sshConfig, timeout: 5}, {})).toMatchObject({host: '127.0.0.10', port: 2020})
    expect(resolveSshSettings('other', {sshConfig, timeout: 5}, {})).toMatchObject({host: '127.0.0.30', user: 'included'})
  })

  it('takes StrictHostKeyChecking accept-new from ssh_config, or from the flag', async () => {
    const sshConfig = await configFile('Host new\n  StrictHostKeyChecking accept-new\nHost strict\n  StrictHostKeyChecking yes\n')
    expect(resolveSshSettings('new', {sshConfig, timeout: 5}, {}).acceptNewHostKey).toBe(true)
    expect(resolveSshSettings('strict', {sshConfig, timeout: 5}, {}).acceptNewHostKey).toBe(false)
    expect(resolveSshSettings('strict', {sshConfig, timeout: 5, acceptNewHostKey: true}, {}).acceptNewHostKey).toBe(true)
  })

  it('hands out a connection started early only to the same settings, and closes it otherwise', async () => {
    // A port that accepts and never speaks: the early connection stays mid-handshake.
    const sockets: import('node:net').Socket[] = []
    const server = createServer((socket) => sockets.push(socket))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const spec = `nobody@127.0.0.1:${(server.address() as {port: number}).port}`
    try {
      await startEarly(spec, {timeout: 5})
      const same = resolveTarget(spec, {timeout: 5})
      await startEarly(spec, {timeout: 5})
      const other = resolveTarget(spec, {timeout: 6})
      // the second early connection, not taken: closed by the host's side too
      await expect.poll(() => sockets.filter((socket) => !socket.closed).length).toBe(1)
      expect(other).not.toBe(same)
      expect(resolveTarget(spec, {timeout: 5})).not.toBe(same)
      await same.close()
      await other.close()
    } finally {
      for (const socket of sockets) socket.destroy()
      server.close()
    }
  })
})
