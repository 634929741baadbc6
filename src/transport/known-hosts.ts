// known_hosts lookup as OpenSSH does it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): comma-separated patterns with
// `*`/`?` and `!` negation, `[host]:port` for ports other than 22, hashed `|1|salt|hmac` entries, `@revoked`.
// `@cert-authority` lines are not supported and never match. No npm package does this lookup (ssh2 leaves host
// keys to the caller), so it lives here, small and tested.
import type * as Crypto from 'node:crypto'
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
let loadedCrypto: typeof Crypto | undefined
/**
 * node:crypto, loaded on first use (and once: hashedMatch runs per hashed known_hosts line): a capture's TCP
 * connection is asked for before any host key is looked at, and loading crypto first held it back by ~3 ms.
 */
const crypto = () => (loadedCrypto ??= require('node:crypto') as typeof Crypto)

export interface KnownKey {
  keyType: string
  /** the key blob, base64 as in the file */
  key: string
  revoked: boolean
}

export type HostKeyVerdict =
  | {status: 'trusted'}
  | {status: 'unknown'}
  | {status: 'changed'; knownTypes: string[]}
  | {status: 'revoked'}

/** The name under which OpenSSH files a host: `host` on port 22, `[host]:port` otherwise. */
export function hostEntryName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${crypto().createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`
}

function wildcardMatch(pattern: string, name: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${regex}$`, 'i').test(name)
}

function hashedMatch(entry: string, name: string): boolean {
  const [, magic, salt, hash] = entry.split('|')
  if (magic !== '1' || !salt || !hash) return false
  const mac = crypto().createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64')
  return mac === hash
}

function patternsMatch(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatch(field, name)
  let matched = false
  for (const pattern of field.split(',')) {
    if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false
    } else if (wildcardMatch(pattern, name)) {
      matched = true
    }
  }
  return matched
}

/** Every key the file lists for `name` (as made by hostEntryName). */
export function keysFor(knownHosts: string, name: string): KnownKey[] {
  const keys: KnownKey[] = []
  for (const raw of knownHosts.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const fields = line.split(/\s+/)
    let revoked = false
    if (fields[0]?.startsWith('@')) {
      const marker = fields.shift()
      if (marker === '@cert-authority') continue
      revoked = marker === '@revoked'
    }
    const [hosts, keyType, key] = fields
    if (!hosts || !keyType || !key) continue
    if (patternsMatch(hosts, name)) keys.push({keyType, key, revoked})
  }
  return keys
}

export function verifyHostKey(known: KnownKey[], presented: Buffer): HostKeyVerdict {
  const blob = presented.toString('base64')
  if (known.some((k) => k.revoked && k.key === blob)) return {status: 'revoked'}
  if (known.some((k) => !k.revoked && k.key === blob)) return {status: 'trusted'}
  const knownTypes = [...new Set(known.filter((k) => !k.revoked).map((k) => k.keyType))]
  return knownTypes.length === 0 ? {status: 'unknown'} : {status: 'changed', knownTypes}
}

/** The key type named inside an SSH public key blob (its first string field). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown'
  const length = keyBlob.readUInt32BE(0)
  return keyBlob.subarray(4, 4 + length).toString('latin1')
}

/**
 * The host key algorithms to offer, known types first, as OpenSSH orders them, so a host with several keys
 * shows the one known_hosts has.
 */
export function preferredHostKeyAlgorithms(known: KnownKey[]): string[] {
  const all = [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
    'ssh-rsa',
  ]
  const algorithmsOf = (keyType: string) => (keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType])
  const first = known.filter((k) => !k.revoked).flatMap((k) => algorithmsOf(k.keyType)).filter((a) => all.includes(a))
  return [...new Set([...first, ...all])]
}
