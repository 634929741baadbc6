// Baseline files: deterministic YAML out, validated YAML in. Pure: text in, data out, and back.
import {Document, Scalar} from 'yaml'
import {BASELINE_FORMAT, type Baseline, type Item} from '../model.js'
import {InputError} from '../errors.js'
import {describeProblem, loadQuietly, mayHoldAnchor, readYaml, schemaProblems} from '../yaml-validate.js'
import type {Sketch} from './sketch.js'

/** The last line of every baseline: a file without it was cut short. */
export const END_MARKER = '# end of vmdrift baseline'

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** `type` first, `content` last (it is the long part), the rest alphabetically. */
function orderItem(item: Item): Item {
  const rank = (key: string) => (key === 'type' ? 0 : key === 'content' ? 2 : 1)
  const keys = Object.keys(item).sort((a, b) => rank(a) - rank(b) || byteOrder(a, b))
  return Object.fromEntries(keys.map((key) => [key, item[key]])) as Item
}

/**
 * yaml 2.9 writes a text of only blank lines ("   \n") as a `|+` block it reads back as "\n": a restore would write
 * the wrong bytes. Such a text is written double-quoted, which keeps it exact.
 */
function blankLines(value: unknown): boolean {
  return typeof value === 'string' && value.includes('\n') && /^[ \t\r\n]*[ \t][ \t\r\n]*$/.test(value)
}

/** True when a string anywhere in `value` (an item: its fields, their lists) is such a text. */
function holdsBlankLines(value: unknown): boolean {
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsBlankLines)
  return blankLines(value)
}

/** `value` with each such text made a double-quoted scalar node, which the document takes as it is. */
function quoteBlankLines(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(quoteBlankLines)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, quoteBlankLines(v)]))
  if (!blankLines(value)) return value
  const node = new Scalar(value)
  node.type = 'QUOTE_DOUBLE'
  return node
}

export function formatBaseline(baseline: Baseline): string {
  const collectors = Object.fromEntries(
    baseline.options.collectors
      .filter((id) => baseline.collectors[id])
      .map((id) => {
        const items = baseline.collectors[id]!
        const keys = Object.keys(items).sort(byteOrder)
        // Typed as the items are laid out, not by a walk over every node of the document afterwards.
        return [id, Object.fromEntries(keys.map((key) => [key, holdsBlankLines(items[key]) ? quoteBlankLines(orderItem(items[key]!)) : orderItem(items[key]!)]))]
      }),
  )
  const ordered = {
    vmdrift: baseline.vmdrift,
    target: baseline.target,
    options: {
      collectors: baseline.options.collectors,
      watch: [...baseline.options.watch],
      ...(baseline.options.keepContent?.length ? {keepContent: [...baseline.options.keepContent]} : {}),
      ...(baseline.options.redact?.length ? {redact: [...baseline.options.redact]} : {}),
    },
    collectors,
  }
  const doc = new Document(ordered, {aliasDuplicateObjects: false})
  const body = doc.toString({lineWidth: 0, minContentWidth: 0, blockQuote: 'literal', indentSeq: true})
  return [
    `# vmdrift baseline of ${baseline.target.replace(/\s+/g, ' ')}: review it like code and commit it.`,
    '# File contents are block scalars, so `git diff` of this file reads like a diff of the files.',
    '# `vmdrift schema` prints its JSON Schema.',
    body + END_MARKER,
    '',
  ].join('\n')
}

/** A baseline of another format is refused before the schema would name the first field it does not know. */
function checkFormat(data: unknown, file: string): void {
  const format = data !== null && typeof data === 'object' ? (data as {vmdrift?: unknown}).vmdrift : undefined
  if (typeof format !== 'number' || format === BASELINE_FORMAT) return
  if (format < BASELINE_FORMAT) {
    throw new InputError(`${file}: baseline format ${format}: re-capture with this vmdrift`, 'vmdrift capture TARGET, then review and commit it')
  }
  throw new InputError(`${file}: baseline format ${format} is newer than this vmdrift reads (${BASELINE_FORMAT})`, 'upgrade vmdrift')
}

/**
 * Beyond this a file is no baseline vmdrift wrote (100,000 items take about 20 MB): refused before it is parsed, so
 * an absurd input (a 50 MB unit took 12.7 s and 1.4 GB) costs neither minutes nor gigabytes.
 */
export const MAX_BASELINE_BYTES = 32 * 1024 * 1024

function refuseAbsurd(text: string, file: string): void {
  if (!text.trim()) throw new InputError(`${file}: the baseline is empty`, 'capture it again with vmdrift capture')
  if (text.length > MAX_BASELINE_BYTES) {
    throw new InputError(`${file}: ${(text.length / 1024 / 1024).toFixed(0)} MB is more than a baseline may be (${MAX_BASELINE_BYTES / 1024 / 1024} MB)`)
  }
}

/** What every baseline passes once it is data: its format, the schema, and the last line that says it is whole. */
function validated(data: unknown, text: string, file: string): Baseline {
  checkFormat(data, file)
  const problem = schemaProblems({data, text}, file, 'baseline')[0]
  if (problem) throw new InputError(describeProblem(problem))
  if (!text.trimEnd().endsWith(END_MARKER)) {
    throw new InputError(`${file}: the baseline is truncated (its last line '${END_MARKER}' is missing)`, 'capture it again, or restore it from git')
  }
  return data as Baseline
}

/** Parses and validates a baseline; any problem is one InputError naming the file, line and column. */
export function parseBaseline(text: string, file: string): Baseline {
  refuseAbsurd(text, file)
  const read = readYaml(text, file)
  if ('errors' in read) throw new InputError(describeProblem(read.errors[0]!), 'a baseline uses no YAML aliases')
  return validated(read.data, text, file)
}

const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value)

/**
 * The header of a sketched baseline (format, target, options), when it reads as one this vmdrift can read the
 * host by; undefined otherwise. The whole file is validated later: this only decides whether to start early.
 */
export function readHeader(sketch: Sketch): Pick<Baseline, 'vmdrift' | 'target' | 'options'> | undefined {
  const head = loadQuietly(sketch.header)
  if (!isMapping(head) || head.vmdrift !== BASELINE_FORMAT || typeof head.target !== 'string' || !isMapping(head.options)) return undefined
  const strings = (value: unknown) => value === undefined || (Array.isArray(value) && value.every((v) => typeof v === 'string'))
  const {collectors, watch, keepContent, redact} = head.options
  if (collectors === undefined || !strings(collectors) || watch === undefined || !strings(watch) || !strings(keepContent) || !strings(redact)) return undefined
  return head as unknown as Pick<Baseline, 'vmdrift' | 'target' | 'options'>
}

/**
 * The baseline parsed piece by piece (sketch.ts), awaiting `pause` between pieces so the event loop can drain
 * what the host sends meanwhile: the same Baseline parseBaseline gives, or undefined when the pieces do not add up
 * to it (a piece YAML reads otherwise than its lines said, a duplicate key, a possible alias): parse it whole then.
 */
export async function parseSketched(text: string, file: string, sketch: Sketch, pause: () => Promise<void>): Promise<Baseline | undefined> {
  refuseAbsurd(text, file)
  // An alias may point into another piece: only the whole parse can tell it.
  if (mayHoldAnchor(text)) return undefined
  const head = loadQuietly(sketch.header)
  if (!isMapping(head) || Object.hasOwn(head, 'collectors')) return undefined
  const collectors: Record<string, Record<string, unknown>> = {}
  for (const id of sketch.keys.keys()) collectors[id] = {}
  for (const piece of sketch.pieces) {
    await pause()
    const items = loadQuietly(piece.text)
    if (!isMapping(items) || Object.keys(items).length !== piece.keys.length) return undefined
    const into = collectors[piece.collector]!
    for (const key of piece.keys) {
      if (key === '__proto__' || !Object.hasOwn(items, key) || Object.hasOwn(into, key)) return undefined
      into[key] = items[key]
    }
  }
  return validated({...head, collectors}, text, file)
}
