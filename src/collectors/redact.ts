// Secrets stay out of baselines, reports, JSON and JUnit: a baseline is meant to be committed to git. What could
// hold one is stored as a sha256 instead, so a change is still seen ("Environment API_TOKEN: value changed")
// but the value never leaves the host. Pure: the engine and the collectors call these on what the host sent.
//
// Two kinds of rule:
// - paths: any file a text probe reads whose path matches a redaction glob (the defaults below, plus the
//   `--redact GLOB`s of the capture) is stored as the sha256 of its content;
// - values: in unit files and drop-ins, every `Environment=` assignment's value and every `SetCredential=`
//   value, whatever the file's name (systemd.exec(5): https://www.freedesktop.org/software/systemd/man/latest/systemd.exec.html).
import {createHash} from 'node:crypto'
import picomatch from 'picomatch'

/**
 * Names that usually hold a secret. A glob without a slash matches a file's base name, one with a slash the whole
 * path; case does not matter. A key or token inside an innocently named file needs its own `--redact`.
 */
export const DEFAULT_REDACT = [
  '*secret*', '*token*', '*credential*', '*password*', '*passwd*', '*apikey*', '*api_key*', '*api-key*',
  '*.key', '*.pem', '*.p12', '*.pfx', 'id_rsa*', 'id_ecdsa*', 'id_ed25519*', 'shadow', 'gshadow', '*.env',
] as const

/** `sha256:<hex>`: how a redacted value is stored and shown. */
export function secretHash(value: string | Buffer): string {
  return `sha256:${createHash('sha256').update(value).digest('hex')}`
}

export const REDACTED_VALUE = /^sha256:[0-9a-f]{64}$/

/**
 * True for a path that the default rules or the given ones say may hold a secret. A rule without a slash is
 * matched against the base name, one with a slash against the whole path (picomatch's `basename` option would
 * match a path glob such as `/etc/app/*.conf` against the base name too: never). The base-name rules make one
 * regular expression, tested once per path: a capture asks about every file it reads.
 */
export function redactionMatcher(rules: readonly string[] = []): (path: string) => boolean {
  const options = {nocase: true, dot: true}
  const all = [...DEFAULT_REDACT, ...rules]
  const names = all.filter((glob) => !glob.includes('/'))
  const paths = all.filter((glob) => glob.includes('/'))
  const byName = new RegExp(names.map((glob) => `(?:${picomatch.makeRe(glob, options).source})`).join('|'), 'i')
  const byPath = paths.length ? picomatch(paths, options) : () => false
  return (path) => byName.test(path.slice(path.lastIndexOf('/') + 1)) || byPath(path)
}

/** Directives whose values are secrets wherever they appear: each assignment's value is hashed. */
const SECRET_DIRECTIVES = /^(Environment|SetCredential|SetCredentialEncrypted)\s*=/

/**
 * A unit file or drop-in with the value of every `Environment=` assignment (`NAME=sha256:…`) and every
 * `SetCredential=` (`ID:sha256:…`) hashed. A continued line (ending in `\`) is rewritten as one line; the rest of
 * the file is left byte for byte as it was.
 */
export function redactUnitValues(content: string): string {
  if (!/(Environment|SetCredential)/.test(content)) return content
  const lines = content.split('\n')
  const out: string[] = []
  for (let i = 0; i < lines.length; i++) {
    const match = SECRET_DIRECTIVES.exec(lines[i]!.trimStart())
    if (!match) {
      out.push(lines[i]!)
      continue
    }
    // The logical line: physical lines joined while they end in a backslash (systemd.syntax(7)).
    let logical = lines[i]!.replace(/\r$/, '')
    while (logical.endsWith('\\') && i + 1 < lines.length) logical = `${logical.slice(0, -1)} ${lines[++i]!.replace(/\r$/, '')}`
    const key = match[1]!
    const value = logical.trimStart().slice(match[0].length)
    out.push(`${key}=${key === 'Environment' ? redactAssignments(value) : redactCredential(value)}`)
  }
  return out.join('\n')
}

/** True for unit text in which redactUnitValues hashed a value: it can no longer be written back as it was. */
export function holdsRedactedValues(content: string): boolean {
  return /^(Environment|SetCredential|SetCredentialEncrypted)=.*sha256:[0-9a-f]{64}/m.test(content)
}

function redactAssignments(value: string): string {
  return unitWords(value)
    .map((word) => {
      const name = /^[A-Za-z_][A-Za-z0-9_]*=/.exec(word)?.[0]
      return name ? `${name}${secretHash(word.slice(name.length))}` : secretHash(word)
    })
    .join(' ')
}

function redactCredential(value: string): string {
  const colon = value.indexOf(':')
  return colon < 0 ? secretHash(value.trim()) : `${value.slice(0, colon).trim()}:${secretHash(value.slice(colon + 1))}`
}

/** Space-separated words with "double" and 'single' quotes and backslash escapes removed, as systemd splits them. */
function unitWords(value: string): string[] {
  const words: string[] = []
  let word = ''
  let quote: string | undefined
  let inWord = false
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!
    if (ch === '\\' && i + 1 < value.length) {
      word += value[++i]
      inWord = true
    } else if (quote) {
      if (ch === quote) quote = undefined
      else word += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += ch
      inWord = true
    }
  }
  if (inWord) words.push(word)
  return words
}
