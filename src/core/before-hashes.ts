// A capture's host answers in frames, the hashes of the watched files last (script.ts): sha256sum of big binaries
// is most of the host's time, and the rest of the answer is there long before. BeforeHashes watches the answer
// come in; once the hashes' frame starts, it has the rest read (parsed, laid out, formatted: `ahead`) with a
// placeholder for each hash, while the host still hashes. When the answer is complete, `settle` checks that what
// came after is exactly the hashes and END, with a hash for each placeholder and for nothing else; only then may
// the placeholders be replaced. Anything else, and the caller reads the whole answer as it would have anyway.
import {randomBytes} from 'node:crypto'
import type {Snapshot} from '../model.js'
import {frames, parseHashes} from './frames.js'

/** What was made of the answer before its hashes came. */
export interface Ahead<T> {
  snapshot: Snapshot
  value: T
}

/** A settled ahead: placeholder → the host's hash, and a text of the value with them put in (undefined: no). */
export interface Settled<T> extends Ahead<T> {
  hashes: Map<string, string>
  fill: (text: string) => string | undefined
}

/** A hash YAML writes as a plain scalar, as it writes the placeholder: not all digits and e (`12e45` is a number). */
const PLAIN_HASH = /^(?=[0-9a-f]{64}$).*[a-df]/

export class BeforeHashes<T> {
  private readonly marker: Buffer
  private readonly chunks: Buffer[] = []
  private length = 0
  /** the end of what came so far, one byte shorter than the marker */
  private last = Buffer.alloc(0)
  /** where the hashes' frame starts in the answer, once seen */
  private at?: number
  private ahead?: Ahead<T>
  private readonly placeholders = new Map<string, string>()
  /** 32 hex characters (starting with a letter) that no placeholder's file could hold by chance */
  private readonly nonce = `f${randomBytes(16).toString('hex').slice(1)}`

  constructor(
    private readonly boundary: string,
    private readonly read: (stream: Buffer, placeholder: (name: string) => string) => Ahead<T>,
  ) {
    this.marker = Buffer.from(`\n${boundary} H\n`)
  }

  /** For runScript: each piece of the answer as it comes. */
  readonly onOutput = (chunk: Buffer): void => {
    if (this.at !== undefined) return
    this.chunks.push(chunk)
    // the marker may straddle two pieces: look at the end of the last one too
    const window = Buffer.concat([this.last, chunk])
    const found = window.indexOf(this.marker)
    if (found >= 0) {
      this.at = this.length - this.last.length + found
      // After the piece's other work (the channel's bookkeeping), before the next piece.
      setImmediate(() => this.readAhead())
    }
    this.length += chunk.length
    this.last = window.subarray(-(this.marker.length - 1))
  }

  private readAhead(): void {
    const stream = Buffer.concat([Buffer.concat(this.chunks).subarray(0, this.at), Buffer.from(`\n${this.boundary} END\n`)])
    const placeholder = (name: string) => {
      const made = `${this.nonce}${this.placeholders.size.toString(16).padStart(32, '0')}`
      this.placeholders.set(made, name)
      return made
    }
    try {
      this.ahead = this.read(stream, placeholder)
    } catch {
      // read again from the whole answer, which says what is wrong
      this.ahead = undefined
    }
  }

  /** With the whole answer: what was made ahead, if it stands. */
  settle(stdout: Buffer): Settled<T> | undefined {
    const {ahead, at} = this
    if (!ahead || at === undefined) return undefined
    const rest = [...frames(stdout.subarray(at), this.boundary)]
    if (rest.length !== 2 || rest[0]!.tag !== 'H' || rest[1]!.tag !== 'END' || rest[1]!.body.length !== 0) return undefined
    const byName = parseHashes(rest[0]!.body)
    if (byName.size !== this.placeholders.size) return undefined
    const hashes = new Map<string, string>()
    for (const [made, name] of this.placeholders) {
      const hash = byName.get(name)
      if (hash === undefined || !PLAIN_HASH.test(hash)) return undefined
      hashes.set(made, hash)
    }
    const pattern = new RegExp(`${this.nonce}[0-9a-f]{32}`, 'g')
    const fill = (text: string) => {
      let filled = 0
      const out = text.replace(pattern, (made) => {
        filled++
        return hashes.get(made) ?? made
      })
      // every placeholder once, and nothing else that looked like one
      return filled === hashes.size && out.search(pattern) < 0 ? out : undefined
    }
    return {...ahead, hashes, fill}
  }
}

/** The snapshot read ahead, with the host's hashes where the placeholders were. */
export function fillSnapshot(snapshot: Snapshot, hashes: Map<string, string>): Snapshot {
  for (const items of Object.values(snapshot.collectors)) {
    for (const item of Object.values(items)) {
      const hash = typeof item.sha256 === 'string' ? hashes.get(item.sha256) : undefined
      if (hash !== undefined) item.sha256 = hash
    }
  }
  return snapshot
}
