// Splits the framed stream that a compiled script prints (see script.ts) back into results per probe.
import type {EntryType, FileRecord, ProbeResult} from '../collectors/types.js'
import {printedRoot} from './script.js'
import {isReferencedTag, parseReferenced, type ReferencedFrame} from './script-referenced.js'

export class FrameError extends Error {}

export interface Frame {
  tag: string
  body: Buffer
}

export function* frames(stream: Buffer, boundary: string): Generator<Frame> {
  const marker = Buffer.from(`\n${boundary} `)
  let at = stream.indexOf(marker)
  while (at >= 0) {
    const tagStart = at + marker.length
    const tagEnd = stream.indexOf(0x0a, tagStart)
    if (tagEnd < 0) return
    const next = stream.indexOf(marker, tagEnd)
    yield {
      tag: stream.subarray(tagStart, tagEnd).toString('utf8'),
      body: stream.subarray(tagEnd + 1, next < 0 ? stream.length : next),
    }
    at = next
  }
}

/** NUL-ended fields as Buffers (a trailing NUL ends the last one, it does not start another). */
function nulFields(body: Buffer): Buffer[] {
  const fields: Buffer[] = []
  let start = 0
  for (let end = body.indexOf(0); end >= 0; end = body.indexOf(0, start)) {
    fields.push(body.subarray(start, end))
    start = end + 1
  }
  return fields
}

/**
 * A NUL-separated list of paths, decoded once as a whole (a NUL never sits inside a UTF-8 sequence, so this is
 * what decoding each name would give, at a fraction of the cost for 100,000 names).
 */
function nulNames(body: Buffer): string[] {
  if (body.length === 0) return []
  const names = body.toString('utf8').split('\0')
  // a trailing NUL ends the last name, it does not start another
  if (names.at(-1) === '') names.pop()
  return names
}

const utf8 = new TextDecoder('utf-8', {fatal: true})

function decodeText(body: Buffer): string | undefined {
  try {
    return utf8.decode(body)
  } catch {
    return undefined
  }
}

// stat's %f is the raw st_mode in hex; the file type is in its top bits (S_IFMT).
function entryType(rawMode: number): EntryType {
  switch (rawMode & 0o170000) {
    case 0o100000:
      return 'file'
    case 0o120000:
      return 'link'
    case 0o040000:
      return 'dir'
    default:
      return 'other'
  }
}

type Stat = Omit<FileRecord, 'path' | 'vendor' | 'content' | 'sha256' | 'error'>

/** Owner and group names by id, from the host's /etc/passwd and /etc/group (`I passwd`, `I group`). */
export interface Ids {
  users: Map<string, string>
  groups: Map<string, string>
}

/** `name:x:id:…` lines → id → name; the first line of an id wins, as getpwuid's file lookup does. */
function parseIds(body: Buffer, into: Map<string, string>): void {
  for (const line of body.toString('utf8').split('\n')) {
    const [name, , id] = line.split(':', 3)
    if (name && id && /^\d+$/.test(id) && !into.has(id)) into.set(id, name)
  }
}

const STAT = /^([0-9a-f]+) ([0-7]+) (\d+) (\d+) (\d+) (\d+)$/

/**
 * `%f %a %u %g %s %Y`, `%n`, `%N` per entry; `%N` of a link is `NAME -> TARGET` (QUOTING_STYLE=literal). Owners
 * are named from `ids`; an id the host's files do not name stays a number.
 */
function parseStats(body: Buffer, ids: Ids): Map<string, Stat> {
  const stats = new Map<string, Stat>()
  const fields = nulNames(body)
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const match = STAT.exec(fields[i]!)
    if (!match) throw new FrameError(`unexpected stat output from the host: ${fields[i]!.slice(0, 60)}`)
    const name = fields[i + 1]!
    const stat: Stat = {
      type: entryType(Number.parseInt(match[1]!, 16)),
      mode: match[2]!.padStart(4, '0'),
      owner: ids.users.get(match[3]!) ?? match[3]!,
      group: ids.groups.get(match[4]!) ?? match[4]!,
      size: Number(match[5]),
      mtime: Number(match[6]),
    }
    if (stat.type === 'link') {
      const quoted = fields[i + 2]!
      if (quoted.startsWith(`${name} -> `)) stat.target = quoted.slice(name.length + 4)
    }
    stats.set(name, stat)
  }
  return stats
}

/** `sha256sum -z`: `<64 hex>  <path>` per file, NUL-ended; the path is not escaped in this mode. */
export function parseHashes(body: Buffer): Map<string, string> {
  const hashes = new Map<string, string>()
  for (const line of nulNames(body)) {
    // `<hash>  <path>` (text mode) or `<hash> *<path>` (binary mode)
    if (line.length > 66 && line.charCodeAt(64) === 0x20 && (line[65] === ' ' || line[65] === '*') && /^[0-9a-f]{64}/.test(line)) {
      hashes.set(line.slice(66), line.slice(0, 64))
    }
  }
  return hashes
}

interface Listing {
  probe: string
  vendor: boolean
  names: string[]
}

export interface StreamOptions {
  /** what each probe reads of its regular files */
  content: Record<string, 'text' | 'sha256' | 'bytes' | 'none'>
  /** the --root prefix the script ran with: removed from every path */
  root?: string
  sha256: (data: Buffer) => string
  /**
   * What a file the host should have hashed gets when the stream holds no hash for it: read-host.ts reads the
   * stream before its hashes came, with a placeholder for each (unset: the file could not be read).
   */
  placeholder?: (name: string) => string
}

export interface ParsedStream {
  results: Record<string, ProbeResult>
  /** directories whose entries the host could not list (permissions): what is in them is unknown */
  unreadable: string[]
  /** mtime (seconds) of every directory seen: those the probes list, and any entry that is a directory */
  directories: Record<string, number>
}

/**
 * Parses the whole stream. Throws FrameError when the stream did not reach its END tag (the connection or the
 * script was cut short) or its parts disagree, so a partial read can never become a baseline.
 */
export function parseStream(stream: Buffer, boundary: string, options: StreamOptions): ParsedStream {
  const listings: Listing[] = []
  const unavailable = new Map<string, string>()
  let statBody: Buffer | undefined
  const ids: Ids = {users: new Map(), groups: new Map()}
  const contents = new Map<string, Buffer>()
  let hashes = new Map<string, string>()
  let batch: string[] = []
  // split by the sizes stat saw, once stat's output is parsed
  const batches: {names: string[]; body: Buffer}[] = []
  let batchBody: Buffer | undefined
  let single: string | undefined
  let ended = false
  let unreadable: string[] = []
  const outputs = new Map<string, {output: string; exitCode?: number}>()
  let command: string | undefined
  const moved: [string, string][] = []
  const referenced: ReferencedFrame[] = []

  for (const {tag, body} of frames(stream, boundary)) {
    const [kind, ...args] = tag.split(' ')
    if (isReferencedTag(kind!)) {
      referenced.push({tag, body})
      continue
    }
    switch (kind) {
      case 'P':
        listings.push({probe: args[0] ?? '', vendor: args[1] === 'v', names: nulNames(body)})
        break
      case 'U':
        unavailable.set(args[0] ?? '', body.toString('utf8').replace(/\s+/g, ' ').trim())
        break
      case 'S':
        // parsed once the names of owners and groups (`I`, after it) are known
        statBody = body
        break
      case 'I':
        parseIds(body, args[0] === 'group' ? ids.groups : ids.users)
        break
      case 'N':
        batch = nulNames(body)
        break
      case 'C':
        batchBody = body
        break
      case 'C1':
        single = body.toString('utf8')
        break
      case 'D':
        batchBody = body
        break
      case 'Z':
        if (single !== undefined) {
          if (args[0] === '0' && batchBody) contents.set(single, batchBody)
        } else if (batchBody) {
          batches.push({names: batch, body: batchBody})
        }
        single = undefined
        batchBody = undefined
        break
      case 'H':
        hashes = parseHashes(body)
        break
      case 'X':
        unreadable = nulNames(body)
        break
      case 'O':
        command = args[0] ?? ''
        outputs.set(command, {output: body.toString('utf8')})
        break
      case 'E': {
        const output = command === undefined ? undefined : outputs.get(command)
        if (output) output.exitCode = Number(args[0])
        command = undefined
        break
      }
      case 'M': {
        const pairs = nulNames(body)
        for (let i = 0; i + 1 < pairs.length; i += 2) moved.push([pairs[i]!, pairs[i + 1]!])
        break
      }
      case 'END':
        ended = true
        break
      default:
        throw new FrameError(`unexpected tag in the host's output: ${tag.slice(0, 40)}`)
    }
  }
  if (!ended) throw new FrameError("the host's output ended before the script finished")
  const stats = statBody ? parseStats(statBody, ids) : new Map<string, Stat>()
  for (const {names, body} of batches) splitBatch(names, body, stats, contents)
  const listed = listings.reduce((sum, l) => sum + l.names.length, 0)
  if (listed > 0 && stats.size === 0) throw new FrameError('stat on the host printed nothing (GNU coreutils stat --printf is needed)')
  const hostPath = hostPaths(printedRoot(options.root), moved)
  const directories: Record<string, number> = {}
  for (const [name, stat] of stats) if (stat.type === 'dir') directories[hostPath(name)] = stat.mtime
  const results = assemble(listings, unavailable, stats, contents, hashes, options, hostPath)
  Object.assign(results, parseReferenced(referenced, {stats: (body) => parseStats(body, ids), hashes: parseHashes}))
  for (const [probe, {output, exitCode}] of outputs) {
    results[probe] = {records: [], output, ...(exitCode === undefined ? {} : {exitCode})}
  }
  return {results, unreadable: [...new Set(unreadable.map(hostPath))], directories}
}

/**
 * A path as the script read it → the path on the host: the --root prefix (`.`, printedRoot) removed, and a
 * directory the script found elsewhere inside the root (through a link, `M`) named as the probe named it, so keys
 * do not depend on how the root lays out its links. The first directory named wins where two resolve to the same place.
 */
function hostPaths(root: string, moved: [string, string][]): (name: string) => string {
  // Longest physical directory first, so a nested one wins over its parent.
  const byPhysical = [...new Map(moved.map(([logical, physical]) => [physical, logical] as const).reverse())].sort(([a], [b]) => b.length - a.length)
  const below = `${root}/`
  return (name) => {
    const path = root && name.startsWith(below) ? name.slice(root.length) : root && name === root ? '/' : name
    for (const [physical, logical] of byPhysical) {
      if (path === physical) return logical
      if (path.startsWith(physical === '/' ? '/' : `${physical}/`)) return `${logical === '/' ? '' : logical}${path.slice(physical === '/' ? 0 : physical.length)}`
    }
    return path
  }
}

/** One cat printed every file of the batch back to back: cut it by the sizes stat saw just before. */
function splitBatch(names: string[], body: Buffer, stats: Map<string, Stat>, contents: Map<string, Buffer>): void {
  const sizes = names.map((name) => stats.get(name)?.size)
  const total = sizes.reduce<number>((sum, size) => sum + (size ?? Number.NaN), 0)
  if (total !== body.length) {
    throw new FrameError('files changed on the host while they were read; run again')
  }
  let at = 0
  names.forEach((name, i) => {
    contents.set(name, body.subarray(at, at + sizes[i]!))
    at += sizes[i]!
  })
}

function assemble(
  listings: Listing[],
  unavailable: Map<string, string>,
  stats: Map<string, Stat>,
  contents: Map<string, Buffer>,
  hashes: Map<string, string>,
  options: StreamOptions,
  hostPath: (name: string) => string,
): Record<string, ProbeResult> {
  const results: Record<string, ProbeResult> = {}
  for (const [probe, why] of unavailable) results[probe] = {records: [], unavailable: why}
  for (const {probe, vendor, names} of listings) {
    const result = (results[probe] ??= {records: []})
    const seen = new Set(result.records.map((r) => r.path))
    const mode = options.content[probe] ?? 'none'
    for (const name of names) {
      const stat = stats.get(name)
      // Gone between the glob and stat: no match.
      if (!stat) continue
      const path = hostPath(name)
      // Read twice (a vendor unit behind two overrides): once is enough.
      if (seen.has(path)) continue
      seen.add(path)
      // One shape for every record (no spread): 100,000 of them are made per check of a big host.
      const record: FileRecord = {path, type: stat.type, mode: stat.mode, owner: stat.owner, group: stat.group, size: stat.size, mtime: stat.mtime}
      if (stat.target !== undefined) record.target = stat.target
      if (vendor) record.vendor = true
      if (stat.type === 'file' && mode === 'bytes') keepBytes(record, contents.get(name), options.sha256)
      else if (stat.type === 'file' && mode !== 'none') fillContent(record, mode === 'text' ? contents.get(name) : (hashes.get(name) ?? options.placeholder?.(name)), options.sha256)
      result.records.push(record)
    }
  }
  return results
}

function keepBytes(record: FileRecord, read: Buffer | undefined, sha256: (data: Buffer) => string): void {
  if (!read) {
    record.error = 'not readable'
    return
  }
  record.bytes = read
  record.sha256 = sha256(read)
}

function fillContent(record: FileRecord, read: Buffer | string | undefined, sha256: (data: Buffer) => string): void {
  if (typeof read === 'string') {
    record.sha256 = read
  } else if (read) {
    const text = decodeText(read)
    if (text === undefined) record.sha256 = sha256(read)
    else record.content = text
  } else {
    // The host listed the file but could not read it (permissions): say so rather than omit it.
    record.error = 'not readable'
  }
}
