// systemd.syntax(7): https://www.freedesktop.org/software/systemd/man/latest/systemd.syntax.html
// Reads a unit file or drop-in the way systemd's config parser does, keeping only what it means.

/** `[Section] Key` → the values assigned to it, in file order (an empty assignment is kept as ''). */
export type Directives = Map<string, string[]>

/** The field name a directive is reported under: `[Unit] After`, or just the key outside any section. */
export function directiveField(section: string | undefined, key: string): string {
  return section === undefined ? key : `[${section}] ${key}`
}

/**
 * Parses unit file syntax: sections, `Key=Value` with the whitespace around `=` and at either end dropped,
 * `#`/`;` comment lines and blank lines skipped, CRLF or LF line ends, and a line ending in an unescaped
 * backslash joined to the next with the backslash made a space (comment lines inside such a run are skipped,
 * as systemd does since v243). Lines without `=` are ignored, as systemd ignores them after a warning.
 */
export function parseUnitSyntax(text: string): Directives {
  const directives: Directives = new Map()
  let section: string | undefined
  for (const line of logicalLines(text)) {
    if (line.startsWith('[') && line.endsWith(']')) {
      section = line.slice(1, -1)
      continue
    }
    const equals = line.indexOf('=')
    if (equals < 0) continue
    const field = directiveField(section, line.slice(0, equals).trim())
    const values = directives.get(field) ?? []
    values.push(line.slice(equals + 1).trim())
    directives.set(field, values)
  }
  return directives
}

/** The file's logical lines: continuations joined, trimmed, comments and blank lines left out. */
function logicalLines(text: string): string[] {
  const lines: string[] = []
  let continued: string | undefined
  for (const physical of text.split(/\r\n|\r|\n/)) {
    // A comment line never continues, and inside a continued line it is skipped.
    if (isComment(physical.trim())) continue
    const line = (continued ?? '') + physical
    if (endsInContinuation(line)) {
      continued = line.slice(0, -1) + ' '
      continue
    }
    continued = undefined
    const logical = line.trim()
    if (logical !== '') lines.push(logical)
  }
  if (continued !== undefined && continued.trim() !== '') lines.push(continued.trim())
  return lines
}

function isComment(trimmedLine: string): boolean {
  return trimmedLine.startsWith('#') || trimmedLine.startsWith(';')
}

/** A trailing backslash continues the line unless it is itself escaped (`\\`). */
function endsInContinuation(line: string): boolean {
  let backslashes = 0
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) backslashes++
  return backslashes % 2 === 1
}
