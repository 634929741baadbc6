// POSIX sh "Shell Command Language", the subset /etc/default/grub is written in:
// https://pubs.opengroup.org/onlinepubs/9699919799/utilities/V3_chap02.html
// update-grub sources these files as shell; this reads their plain variable assignments without running
// anything, and says which lines it could not follow.

/** One piece of an assigned word: literal text, a `$VAR`/`${VAR}` reference, or something left as written. */
export type WordPart =
  | {kind: 'text'; text: string}
  | {kind: 'variable'; name: string; raw: string}
  /** command substitution or a parameter expansion with an operator: kept literally, never run */
  | {kind: 'literal'; raw: string}

export interface Assignment {
  name: string
  parts: WordPart[]
  line: number
}

export interface ShellScript {
  assignments: Assignment[]
  /** statements that are not plain assignments (conditionals, commands), by line: they are ignored */
  unsupported: {line: number; text: string}[]
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y
const ASSIGNMENT_START = /([A-Za-z_][A-Za-z0-9_]*)=/y
const BLANK = /[ \t]*/y

export function parseShellAssignments(text: string): ShellScript {
  return new Reader(text).script()
}

/**
 * The value of each variable after the assignments, in order, of every script. A reference to a variable
 * that is not set expands to '' as in sh, or, with `unsetStays`, stays as written (`$VAR`): how one file
 * reads on its own, where the value may come from a file sourced before it.
 */
export function evaluateAssignments(
  scripts: ShellScript[],
  options: {unsetStays?: boolean} = {},
): Map<string, string> {
  const variables = new Map<string, string>()
  for (const script of scripts) {
    for (const {name, parts} of script.assignments) variables.set(name, expandWord(parts, variables, options.unsetStays))
  }
  return variables
}

function expandWord(parts: WordPart[], variables: Map<string, string>, unsetStays = false): string {
  return parts
    .map((part) => {
      if (part.kind === 'text') return part.text
      if (part.kind === 'literal') return part.raw
      return variables.get(part.name) ?? (unsetStays ? part.raw : '')
    })
    .join('')
}

class Reader {
  private pos = 0

  constructor(private readonly text: string) {}

  script(): ShellScript {
    const script: ShellScript = {assignments: [], unsupported: []}
    for (;;) {
      this.skip(/[ \t\n;]*/y)
      if (this.pos >= this.text.length) return script
      if (this.peek() === '#') {
        this.restOfLine()
        continue
      }
      const line = this.lineNumber()
      const start = this.pos
      const assignments = this.assignmentStatement(line)
      if (assignments) script.assignments.push(...assignments)
      else {
        this.pos = start
        script.unsupported.push({line, text: this.restOfLine().trim()})
      }
    }
  }

  /** `[export] NAME=word [NAME=word…] [# comment]`, or undefined when the statement is anything else. */
  private assignmentStatement(line: number): Assignment[] | undefined {
    const exported = this.text.startsWith('export', this.pos) && /[ \t]/.test(this.text[this.pos + 6] ?? '')
    if (exported) {
      this.pos += 6
      this.skip(BLANK)
    }
    const assignments: Assignment[] = []
    for (;;) {
      const name = this.match(ASSIGNMENT_START)?.[1]
      if (name === undefined) {
        // `export NAME` without a value only marks it for export: nothing to read.
        if (exported && assignments.length === 0 && this.match(NAME) && this.atStatementEnd()) return []
        return undefined
      }
      assignments.push({name, parts: this.word(), line})
      this.skip(BLANK)
      if (this.atStatementEnd()) return assignments
    }
  }

  private atStatementEnd(): boolean {
    const next = this.peek()
    return next === undefined || next === '\n' || next === ';' || next === '#'
  }

  /** One shell word: unquoted, 'single', "double" quoted parts and expansions, up to an unquoted blank. */
  private word(): WordPart[] {
    const parts: WordPart[] = []
    for (let c = this.peek(); c !== undefined && !' \t\n;&|<>()'.includes(c); c = this.peek()) {
      if (c === '\\') {
        const escaped = this.text[this.pos + 1] ?? ''
        this.pos += 2
        if (escaped !== '\n') pushText(parts, escaped)
      } else if (c === "'") {
        const end = this.closing("'", this.pos + 1)
        pushText(parts, this.text.slice(this.pos + 1, end))
        this.pos = end + 1
      } else if (c === '"') {
        this.pos++
        parts.push(...this.doubleQuoted())
      } else if (c === '$' || c === '`') {
        parts.push(this.expansion())
      } else {
        pushText(parts, c)
        this.pos++
      }
    }
    return parts
  }

  private doubleQuoted(): WordPart[] {
    const parts: WordPart[] = []
    for (let c = this.peek(); c !== undefined && c !== '"'; c = this.peek()) {
      if (c === '\\' && '$`"\\\n'.includes(this.text[this.pos + 1] ?? '')) {
        const escaped = this.text[this.pos + 1] ?? ''
        this.pos += 2
        if (escaped !== '\n') pushText(parts, escaped)
      } else if (c === '$' || c === '`') {
        parts.push(this.expansion())
      } else {
        pushText(parts, c)
        this.pos++
      }
    }
    this.pos++
    return parts
  }

  /** `$NAME`, `${NAME}`; `${NAME:-x}`, `$(…)`, `` `…` `` and `$1` are kept literally. */
  private expansion(): WordPart {
    const start = this.pos
    const literal = (end: number): WordPart => {
      this.pos = end
      return {kind: 'literal', raw: this.text.slice(start, end)}
    }
    if (this.peek() === '`') return literal(this.closing('`', start + 1) + 1)
    this.pos++
    const next = this.peek()
    if (next === '(') return literal(this.closingParen(this.pos + 1) + 1)
    if (next === '{') {
      const end = this.closing('}', this.pos + 1)
      const inner = this.text.slice(this.pos + 1, end)
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(inner)) {
        this.pos = end + 1
        return {kind: 'variable', name: inner, raw: this.text.slice(start, this.pos)}
      }
      return literal(end + 1)
    }
    const name = this.match(NAME)?.[0]
    if (name !== undefined) return {kind: 'variable', name, raw: this.text.slice(start, this.pos)}
    if (next !== undefined && /[0-9?$#@*!-]/.test(next)) return literal(this.pos + 1)
    return {kind: 'text', text: '$'}
  }

  /** The index of the next `char` from `from`, or the end of the text for an unterminated quote. */
  private closing(char: string, from: number): number {
    const end = this.text.indexOf(char, from)
    return end < 0 ? this.text.length : end
  }

  private closingParen(from: number): number {
    let depth = 1
    for (let i = from; i < this.text.length; i++) {
      if (this.text[i] === '(') depth++
      else if (this.text[i] === ')' && --depth === 0) return i
    }
    return this.text.length
  }

  private restOfLine(): string {
    const end = this.closing('\n', this.pos)
    const line = this.text.slice(this.pos, end)
    this.pos = end
    return line
  }

  private peek(): string | undefined {
    return this.text[this.pos]
  }

  private skip(pattern: RegExp): void {
    this.match(pattern)
  }

  private match(pattern: RegExp): RegExpExecArray | undefined {
    pattern.lastIndex = this.pos
    const match = pattern.exec(this.text)
    if (!match) return undefined
    this.pos += match[0].length
    return match
  }

  private lineNumber(): number {
    return this.text.slice(0, this.pos).split('\n').length
  }
}

function pushText(parts: WordPart[], text: string): void {
  const last = parts.at(-1)
  if (last?.kind === 'text') last.text += text
  else parts.push({kind: 'text', text})
}
