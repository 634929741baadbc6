// RFC 8259 JSON, checked by jsonc-parser (VS Code's JSON scanner) in strict mode. JSON.parse's own messages change
// wording between Node versions and some carry no position; this text is stored in a baseline, so it must not.
import {parse, printParseErrorCode, type ParseError} from 'jsonc-parser'

/**
 * How deep objects and arrays nest in a JSON text, by one linear scan (strings and escapes skipped): the parsers
 * and the key-path compare recurse, so a text nested thousands deep must be known before any of them sees it.
 */
export function jsonDepth(text: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (inString) {
      if (ch === 0x5c) i++
      else if (ch === 0x22) inString = false
    } else if (ch === 0x22) {
      inString = true
    } else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > max) max = depth
    } else if (ch === 0x7d || ch === 0x5d) {
      depth--
    }
  }
  return max
}

/** The first syntax error of a JSON text as one line: `line 2, column 16: property name expected`. */
export function jsonSyntaxError(text: string): string | undefined {
  const errors: ParseError[] = []
  parse(text, errors, {disallowComments: true, allowTrailingComma: false, allowEmptyContent: false})
  const first = errors[0]
  if (!first) return undefined
  const before = text.slice(0, first.offset).split('\n')
  const words = printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
  return `line ${before.length}, column ${before.at(-1)!.length + 1}: ${words}`
}
