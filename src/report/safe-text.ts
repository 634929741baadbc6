// Text from the host (file names, contents, values) is data: printed raw, a newline or an ESC in it could forge a
// report line ("in sync: …") or drive the terminal. Every text report passes host data through `escapeControl`;
// `--json` needs nothing of this (JSON escapes control characters itself).

// C0 controls but tab, DEL, C1 controls, and the Unicode bidirectional overrides that reorder what a terminal shows.
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g

/** `\n` → `\\n`, ESC → `\\x1b`, …: one visible, inert sequence per control character. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (ch) => {
    if (ch === '\n') return '\\n'
    if (ch === '\r') return '\\r'
    const code = ch.codePointAt(0)!
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
  })
}

/** How much of one finding a text report prints; --json keeps everything. */
export const LIMITS = {
  /** characters of one line (a change, a diff line) */
  lineChars: 400,
  /** change lines per finding */
  changes: 20,
  /** diff lines per finding */
  diffLines: 80,
  /** members of one set change (added/removed lines or parameters) */
  members: 10,
} as const

/** One line cut to `max` characters, saying how many more there were. */
export function clipLine(line: string, max: number = LIMITS.lineChars): string {
  return line.length <= max ? line : `${line.slice(0, max)}… (${line.length - max} more characters)`
}

/** The first `max` lines, then one `… N more lines` marker. */
export function clipLines(lines: string[], max: number, marker: (more: number) => string = (more) => `… ${more} more line${more === 1 ? '' : 's'} (--json has them all)`): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), marker(lines.length - max)]
}
