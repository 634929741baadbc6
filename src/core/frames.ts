// Splits the framed stream that a compiled script prints (see script.ts) back into results per probe.
import type {EntryType, FileRecord, ProbeResult} from '../collectors/types.js'

export class FrameError extends Error {}

interface Frame {
  tag: string
  body: Buffer
}

function* frames(stream: Buffer, boundary: string): Generator<Frame> {
  const marker = Buffer.from(`\n${boundary} `)
  let at = stream.indexOf(marker)
  if (at < 0) return
  while (at >= 0) {
    const tagStart = at + marker.length
    const tagEnd = stream.indexOf(0x0a, tagStart)
    if (tagEnd < 0) {
      yield {tag: stream.subarray(tagStart).toString('utf8'), body: Buffer.alloc(0)}
      return
    }
    const next = stream.indexOf(marker, tagEnd)
    yield {
      tag: stream.subarray(tagStart, tagEnd).toString('utf8'),
      body: stream.subarray(tagEnd + 1, next < 0 ? stream.length : next),
    }
    at = next
  }
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

function applyStat(record: FileRecord, body: Buffer): void {
  const line = body.toString('utf8').trim()
  const match = /^([0-9a-f]+) ([0-7]+) (\S+) (\S+) (\d+) (\d+)$/.exec(line)
  if (!match) {
    record.error = line.split('\n')[0] || 'stat failed'
    return
  }
  record.type = entryType(Number.parseInt(match[1]!, 16))
  record.mode = match[2]!.padStart(4, '0')
  record.owner = match[3]!
  record.group = match[4]!
  record.size = Number(match[5])
  record.mtime = Number(match[6])
}

function applyHash(record: FileRecord, body: Buffer): void {
  const match = /^\\?([0-9a-f]{64})\b/.exec(body.toString('utf8'))
  if (match) record.sha256 = match[1]!
  else record.error = body.toString('utf8').trim().split('\n')[0] || 'sha256sum failed'
}

function applyContent(record: FileRecord, body: Buffer, sha256: (data: Buffer) => string): void {
  const text = decodeText(body)
  if (text === undefined) record.sha256 = sha256(body)
  else record.content = text
}

export interface ParsedStream {
  results: Record<string, ProbeResult>
}

/**
 * Parses the whole stream. Throws FrameError when the stream did not reach its END tag (the connection or the
 * script was cut short), so a partial read can never become a baseline.
 */
export function parseStream(stream: Buffer, boundary: string, sha256: (data: Buffer) => string): ParsedStream {
  const results: Record<string, ProbeResult> = {}
  const seen = new Set<string>()
  let record: FileRecord | undefined
  let content: Buffer | undefined
  let ended = false
  const resultFor = (probe: string) => (results[probe] ??= {records: []})

  for (const {tag, body} of frames(stream, boundary)) {
    const [kind, ...args] = tag.split(' ')
    switch (kind) {
      case 'F': {
        const probe = args[0] ?? ''
        const path = body.toString('utf8')
        record = {path, type: 'other', mode: '0000', owner: '', group: '', size: 0, mtime: 0}
        if (args[1] === 'v') record.vendor = true
        content = undefined
        // A vendor unit reached from two overrides is reported twice; keep the first.
        const key = `${probe}\0${path}`
        if (seen.has(key)) record = undefined
        else {
          seen.add(key)
          resultFor(probe).records.push(record)
        }
        break
      }
      case 'S':
        if (record) applyStat(record, body)
        break
      case 'L':
        if (record) record.target = body.toString('utf8').replace(/\n$/, '')
        break
      case 'C':
        content = body
        break
      case 'Z':
        if (record && content) {
          if (args[0] === '0') applyContent(record, content, sha256)
          else record.error = 'not readable'
        }
        content = undefined
        break
      case 'H':
        if (record) applyHash(record, body)
        break
      case 'U':
        resultFor(args[0] ?? '').unavailable = body.toString('utf8').trim()
        break
      case 'END':
        ended = true
        break
      default:
        throw new FrameError(`unexpected tag in the host's output: ${tag.slice(0, 40)}`)
    }
  }
  if (!ended) throw new FrameError("the host's output ended before the script finished")
  return {results}
}
