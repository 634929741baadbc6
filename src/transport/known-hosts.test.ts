import {createHmac} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {fingerprint, hostEntryName, keysFor, keyTypeOf, preferredHostKeyAlgorithms, verifyHostKey} from './known-hosts.js'

// A real ed25519 public key blob (from ssh-keygen), and a second one.
const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'
const OTHER = 'AAAAC3NzaC1lZDI1NTE5AAAAIB4hJ0Z2c0o9Ol3yqVfX8n6w2fJ9c1GhJxYb2Wb0S9iK'

function hashed(name: string, salt = Buffer.from('0123456789abcdefghij')): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`
}

describe('known-hosts', () => {
  it('files a host under [host]:port unless the port is 22', () => {
    expect(hostEntryName('127.0.0.1', 22)).toBe('127.0.0.1')
    expect(hostEntryName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222')
  })

  it('finds plain, bracketed, wildcard and hashed entries, and honours negation', () => {
    const file = [
      '# comment',
      `vm1,vm2 ssh-ed25519 ${ED}`,
      `[127.0.0.1]:2222 ssh-ed25519 ${ED} comment here`,
      `*.lab,!bad.lab ssh-ed25519 ${ED}`,
      `${hashed('[localhost]:2200')} ssh-ed25519 ${ED}`,
      `@cert-authority *.lab ssh-ed25519 ${OTHER}`,
    ].join('\n')
    expect(keysFor(file, 'vm2')).toHaveLength(1)
    expect(keysFor(file, '[127.0.0.1]:2222')).toHaveLength(1)
    expect(keysFor(file, '127.0.0.1')).toHaveLength(0)
    expect(keysFor(file, 'a.lab')).toHaveLength(1)
    expect(keysFor(file, 'bad.lab')).toHaveLength(0)
    expect(keysFor(file, '[localhost]:2200')).toHaveLength(1)
    expect(keysFor(file, '[localhost]:2201')).toHaveLength(0)
  })

  it('trusts a listed key, calls an unlisted one unknown or changed, and refuses a revoked one', () => {
    const blob = Buffer.from(ED, 'base64')
    const other = Buffer.from(OTHER, 'base64')
    const listed = keysFor(`vm ssh-ed25519 ${ED}`, 'vm')
    expect(verifyHostKey(listed, blob)).toEqual({status: 'trusted'})
    expect(verifyHostKey(listed, other)).toEqual({status: 'changed', knownTypes: ['ssh-ed25519']})
    expect(verifyHostKey([], blob)).toEqual({status: 'unknown'})
    const revoked = keysFor(`@revoked vm ssh-ed25519 ${ED}\nvm ssh-ed25519 ${ED}`, 'vm')
    expect(verifyHostKey(revoked, blob)).toEqual({status: 'revoked'})
  })

  it('reads the key type and fingerprint of a blob as ssh-keygen prints them', () => {
    const blob = Buffer.from(ED, 'base64')
    expect(keyTypeOf(blob)).toBe('ssh-ed25519')
    expect(fingerprint(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
  })

  it('offers the algorithms of known keys first', () => {
    const known = keysFor(`vm ssh-rsa AAAA`, 'vm')
    expect(preferredHostKeyAlgorithms(known).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'])
    expect(preferredHostKeyAlgorithms([])[0]).toBe('ssh-ed25519')
  })
})
