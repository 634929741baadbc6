// Baseline files: deterministic YAML out, validated YAML in. Pure: text in, data out, and back.
import {Document, visit} from 'yaml'
import {BASELINE_FORMAT, type Baseline, type Item} from '../model.js'
import {InputError} from '../errors.js'
import {describeProblem, readYaml, schemaProblems} from '../yaml-validate.js'

/** The last line of every baseline: a file without it was cut short. */
export const END_MARKER = '# end of vmdrift baseline'

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** `type` first, `content` last (it is the long part), the rest alphabetically. */
function orderItem(item: Item): Item {
  const rank = (key: string) => (key === 'type' ? 0 : key === 'content' ? 2 : 1)
  const keys = Object.keys(item).sort((a, b) => rank(a) - rank(b) || byteOrder(a, b))
  return Object.fromEntries(keys.map((key) => [key, item[key]])) as Item
}

export function formatBaseline(baseline: Baseline): string {
  const collectors = Object.fromEntries(
    baseline.options.collectors
      .filter((id) => baseline.collectors[id])
      .map((id) => {
        const items = baseline.collectors[id]!
        const keys = Object.keys(items).sort(byteOrder)
        return [id, Object.fromEntries(keys.map((key) => [key, orderItem(items[key]!)]))]
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
  visit(doc, {
    Scalar(_key, node) {
      // yaml 2.9 writes a text of only blank lines ("   \n") as a `|+` block it reads back as "\n": a restore
      // would write the wrong bytes. Double quotes keep it exact.
      if (typeof node.value === 'string' && /^[ \t\r\n]*[ \t][ \t\r\n]*$/.test(node.value) && node.value.includes('\n')) node.type = 'QUOTE_DOUBLE'
    },
  })
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

/** Parses and validates a baseline; any problem is one InputError naming the file, line and column. */
export function parseBaseline(text: string, file: string): Baseline {
  if (!text.trim()) throw new InputError(`${file}: the baseline is empty`, 'capture it again with vmdrift capture')
  if (text.length > MAX_BASELINE_BYTES) {
    throw new InputError(`${file}: ${(text.length / 1024 / 1024).toFixed(0)} MB is more than a baseline may be (${MAX_BASELINE_BYTES / 1024 / 1024} MB)`)
  }
  const read = readYaml(text, file)
  if ('errors' in read) throw new InputError(describeProblem(read.errors[0]!), 'a baseline uses no YAML aliases')
  checkFormat(read.data, file)
  const problem = schemaProblems(read, file, 'baseline')[0]
  if (problem) throw new InputError(describeProblem(problem))
  if (!text.trimEnd().endsWith(END_MARKER)) {
    throw new InputError(`${file}: the baseline is truncated (its last line '${END_MARKER}' is missing)`, 'capture it again, or restore it from git')
  }
  return read.data as Baseline
}
