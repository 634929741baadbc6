import {mkdtemp, writeFile} from 'node:fs/promises'
import {homedir, tmpdir, userInfo} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseDirect, resolveSshSettings} from './resolve.js'

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

  it('refuses ProxyJump rather than connecting somewhere else', async () => {
    const sshConfig = await configFile('Host vm\n  ProxyJump bastion\n')
    expect(() => resolveSshSettings('vm', {sshConfig, timeout: 5}, {})).toThrow(/ProxyJump/)
  })
})
