import {describe, expect, it} from 'vitest'
import {compareUnitContent} from './systemd/semantic.js'
import {describeChange} from '../drift/diff.js'
import {redactionMatcher, redactUnitValues, secretHash} from './redact.js'
import {writeBack} from './restore.js'

describe('redact', () => {
  it('hashes every Environment= value and SetCredential= value, keeping the names', () => {
    const unit = [
      '[Service]',
      'Environment=API_TOKEN=tok-SECRET-1',
      'Environment="DB_URL=postgres://u:SECRET-2@db/x" PLAIN=1',
      "  Environment='QUOTED=a SECRET-3 b' \\",
      '    CONT=SECRET-4',
      'SetCredential=db.pass:SECRET-5',
      'ExecStart=/usr/bin/app',
      '',
    ].join('\n')
    const redacted = redactUnitValues(unit)
    expect(redacted).not.toMatch(/SECRET|tok-|postgres/)
    expect(redacted).toContain(`Environment=API_TOKEN=${secretHash('tok-SECRET-1')}\n`)
    expect(redacted).toContain(`Environment=DB_URL=${secretHash('postgres://u:SECRET-2@db/x')} PLAIN=${secretHash('1')}\n`)
    expect(redacted).toContain(`Environment=QUOTED=${secretHash('a SECRET-3 b')} CONT=${secretHash('SECRET-4')}\n`)
    expect(redacted).toContain(`SetCredential=db.pass:${secretHash('SECRET-5')}\n`)
    expect(redacted).toContain('[Service]\n')
    expect(redacted.endsWith('ExecStart=/usr/bin/app\n')).toBe(true)
  })

  it('reports a changed, set or removed variable by name, never by value', () => {
    const before = redactUnitValues('[Service]\nEnvironment=API_TOKEN=old KEEP=1 GONE=x\n')
    const after = redactUnitValues('[Service]\nEnvironment=API_TOKEN=new KEEP=1 NEW=y\n')
    const described = compareUnitContent(before, after).map((change) => describeChange(change))
    expect(described).toEqual([
      '[Service] Environment API_TOKEN: value changed',
      '[Service] Environment GONE: value removed',
      '[Service] Environment NEW: value set',
    ])
  })

  it('matches the default rules on base names, and added rules on names or whole paths', () => {
    const defaults = redactionMatcher()
    for (const path of ['/etc/app/api-token', '/etc/ssl/private/site.KEY', '/etc/shadow', '/opt/x/Credentials.json', '/etc/app/.env', '/root/.ssh/id_ed25519']) {
      expect(defaults(path), path).toBe(true)
    }
    for (const path of ['/etc/systemd/system/docker.service', '/etc/docker/daemon.json', '/etc/passwd.d/x.conf', '/etc/default/grub']) {
      expect(defaults(path), path).toBe(false)
    }
    const mine = redactionMatcher(['/etc/docker/daemon.json', '*.conf', '/etc/app/*.ini', '/srv/**/vault-*'])
    expect(mine('/etc/docker/daemon.json')).toBe(true)
    expect(mine('/etc/systemd/system/x.service.d/override.conf')).toBe(true)
    // a path glob matches whole paths (it once never matched: it was tested against the base name)
    for (const path of ['/etc/app/db.ini', '/etc/app/.hidden.INI', '/srv/a/b/vault-1']) expect(mine(path), path).toBe(true)
    for (const path of ['/etc/app/sub/db.ini', '/etc/other/db.ini', '/srv/vault-x/file']) expect(mine(path), path).toBe(false)
  })

  it('keeps restore from writing hashes over a unit\'s secrets', () => {
    const content = redactUnitValues('[Service]\nEnvironment=API_TOKEN=tok\nExecStart=/x\n')
    const action = writeBack('/etc/systemd/system/api.service', {type: 'unit', mode: '0644', owner: 'root', group: 'root', content}, {restart: false, hasBlob: () => false})
    expect(action).toMatchObject({kind: 'cannot', reason: expect.stringMatching(/Environment=\/SetCredential= values are redacted/)})
    const plain = writeBack('/etc/systemd/system/plain.service', {type: 'unit', mode: '0644', owner: 'root', group: 'root', content: '[Service]\nExecStart=/x\n'}, {restart: false, hasBlob: () => false})
    expect(plain.kind).toBe('write')
  })
})
