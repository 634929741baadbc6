// Splits the framed stream that a compiled script prints (see script.ts) back into results per probe.
import type {EntryType, FileRecord, ProbeResult} from '../collectors/types.js'
import {rootPrefix} from './script.js'
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

/** A NUL-separated list of paths. */
function nulNames(body: Buffer): string[] {
  return nulFields(body).map((name) => name.toString('utf8'))
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

/** `%f %a %U %G %s %Y`, `%n`, `%N` per entry; `%N` of a link is `NAME -> TARGET` (QUOTING_STYLE=literal). */
function parseStats(body: Buffer): Map<string, Stat> {
  const stats = new Map<string, Stat>()
  const fields = nulFields(body)
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const match = /^([0-9a-f]+) ([0-7]+) (\S+) (\S+) (\d+) (\d+)$/.exec(fields[i]!.toString('utf8'))
    if (!match) throw new FrameError(`unexpected stat output from the host: ${fields[i]!.toString('utf8').slice(0, 60)}`)
    const name = fields[i + 1]!.toString('utf8')
    const stat: Stat = {
      type: entryType(Number.parseInt(match[1]!, 16)),
      mode: match[2]!.padStart(4, '0'),
      owner: match[3]!,
      group: match[4]!,
      size: Number(match[5]),
      mtime: Number(match[6]),
    }
    const quoted = fields[i + 2]!.toString('utf8')
    if (stat.type === 'link' && quoted.startsWith(`${name} -> `)) stat.target = quoted.slice(name.length + 4)
    stats.set(name, stat)
  }
  return stats
}

/** `sha256sum -z`: `<64 hex>  <path>` per file, NUL-ended; the path is not escaped in this mode. */
function parseHashes(body: Buffer): Map<string, string> {
  const hashes = new Map<string, string>()
  for (const field of nulFields(body)) {
    const line = field.toString('utf8')
    if (/^[0-9a-f]{64} [ *]/.test(line)) hashes.set(line.slice(66), line.slice(0, 64))
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
  let stats = new Map<string, Stat>()
  const contents = new Map<string, Buffer>()
  let hashes = new Map<string, string>()
  let batch: string[] = []
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
        stats = parseStats(body)
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
          splitBatch(batch, batchBody, stats, contents)
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
  const listed = listings.reduce((sum, l) => sum + l.names.length, 0)
  if (listed > 0 && stats.size === 0) throw new FrameError('stat on the host printed nothing (GNU coreutils stat --printf is needed)')
  const hostPath = hostPaths(rootPrefix(options.root), moved)
  const directories: Record<string, number> = {}
  for (const [name, stat] of stats) if (stat.type === 'dir') directories[hostPath(name)] = stat.mtime
  const results = assemble(listings, unavailable, stats, contents, hashes, options, hostPath)
  Object.assign(results, parseReferenced(referenced, {stats: parseStats, hashes: parseHashes}))
  for (const [probe, {output, exitCode}] of outputs) {
    results[probe] = {records: [], output, ...(exitCode === undefined ? {} : {exitCode})}
  }
  return {results, unreadable: [...new Set(unreadable.map(hostPath))], directories}
}

/**
 * A path as the script read it → the path on the host: the --root prefix removed, and a directory the script
 * found elsewhere inside the root (through a link, `M`) named as the probe named it, so keys do not depend on
 * how the root lays out its links. The first directory named wins where two resolve to the same place.
 */
function hostPaths(root: string, moved: [string, string][]): (name: string) => string {
  // Longest physical directory first, so a nested one wins over its parent.
  const byPhysical = [...new Map(moved.map(([logical, physical]) => [physical, logical] as const).reverse())].sort(([a], [b]) => b.length - a.length)
  return (name) => {
    const path = root && name.startsWith(`${root}/`) ? name.slice(root.length) : root && name === root ? '/' : name
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
    for (const name of names) {
      const stat = stats.get(name)
      const path = hostPath(name)
      // Gone between the glob and stat, or read twice (a vendor unit behind two overrides): once is enough.
      if (!stat || seen.has(path)) continue
      seen.add(path)
      const record: FileRecord = {path, ...stat, ...(vendor ? {vendor: true} : {})}
      const mode = options.content[probe] ?? 'none'
      if (stat.type === 'file' && mode === 'bytes') keepBytes(record, contents.get(name), options.sha256)
      else if (stat.type === 'file' && mode !== 'none') fillContent(record, mode === 'text' ? contents.get(name) : hashes.get(name), options.sha256)
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
