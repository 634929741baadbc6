// A baseline read in pieces, so that a check can read the host while it parses: the header (format, target,
// options) first, then the items a few hundred at a time, each piece a YAML document of its own. Only the layout
// vmdrift writes is cut (format.ts: `collectors:` at the margin, a collector per line at two spaces, an item per
// key at four); any other layout gets no sketch and is parsed whole, as before. Pure: text in, pieces out.

/** Items per piece: a couple of milliseconds of parsing, so the host's output is drained often meanwhile. */
export const ITEMS_PER_PIECE = 500

export interface Piece {
  /** the collector the items belong to */
  collector: string
  /** lines of items at four spaces: a YAML mapping of its own */
  text: string
  /** the keys read off its lines; the parse of the piece must give exactly these */
  keys: string[]
}

export interface Sketch {
  /** everything above `collectors:` */
  header: string
  /** collector id → the keys of its items, read off the lines (what a check asks the host about) */
  keys: Map<string, string[]>
  pieces: Piece[]
}

const COLLECTORS = /^collectors:[ \t]*$/m
const COLLECTOR = /^ {2}([\w-]+):[ \t]*(\{\})?[ \t]*$/
/**
 * An item's key alone on its line, plain: no quotes, no character that starts something else in YAML, not a
 * number, boolean or null, no `: ` or ` #` inside. A key that is not plain means no sketch.
 */
const PLAIN_ITEM = /^ {4}([^\s#'"?:\-[\]{},&*!|>%@`~+.\d](?:[^#:]|:(?! ))*?):[ \t]*$/
const SPECIAL = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$|\s$/
const SPACE = 0x20

/**
 * The pieces of `text`, or undefined when it is not laid out as vmdrift writes baselines. Lines are walked by
 * offset: the fields of items (most lines) are skipped on their first five characters, never cut out.
 */
export function sketchBaseline(text: string): Sketch | undefined {
  const found = COLLECTORS.exec(text)
  if (!found) return undefined
  const keys = new Map<string, string[]>()
  const pieces: Piece[] = []
  let collector: string | undefined
  let piece: Piece | undefined
  let from = -1
  const flush = (end: number) => {
    if (piece) {
      piece.text = text.slice(from, end)
      pieces.push(piece)
    }
    piece = undefined
  }
  let at = text.indexOf('\n', found.index) + 1
  while (at > 0 && at < text.length) {
    const newline = text.indexOf('\n', at)
    const end = newline < 0 ? text.length : newline
    const next = newline < 0 ? -1 : newline + 1
    if (text.charCodeAt(at) === SPACE && text.charCodeAt(at + 1) === SPACE && text.charCodeAt(at + 2) === SPACE && text.charCodeAt(at + 3) === SPACE) {
      const fifth = text.charCodeAt(at + 4)
      // the fields of an item, or a comment
      if (fifth === SPACE || fifth === 0x23) {
        at = next
        continue
      }
      const item = PLAIN_ITEM.exec(text.slice(at, end))
      if (!collector || !item || SPECIAL.test(item[1]!)) return undefined
      if (piece?.keys.length === ITEMS_PER_PIECE) flush(at)
      if (!piece) {
        piece = {collector, text: '', keys: []}
        from = at
      }
      piece.keys.push(item[1]!)
      keys.get(collector)!.push(item[1]!)
      at = next
      continue
    }
    const line = text.slice(at, end)
    const trimmed = line.trim()
    if (trimmed !== '' && !trimmed.startsWith('#')) {
      const started = COLLECTOR.exec(line)
      if (!started || keys.has(started[1]!)) return undefined
      flush(at)
      // A collector written `id:` with no item below it is null, which only the whole parse reports rightly.
      if (collector && keys.get(collector)!.length === 0) return undefined
      keys.set(started[1]!, [])
      collector = started[2] ? undefined : started[1]!
    }
    at = next
  }
  flush(text.length)
  if (collector && keys.get(collector)!.length === 0) return undefined
  return {header: text.slice(0, found.index), keys, pieces}
}
