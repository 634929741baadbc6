// RFC 8259 JSON grammar: https://www.rfc-editor.org/rfc/rfc8259
// The first syntax error of a JSON text as one line with its line and column. JSON.parse's own messages
// change wording between Node versions (and some carry no position), and this one is stored in a baseline.

export function jsonSyntaxError(text: string): string | undefined {
  const checker = new Checker(text)
  try {
    checker.document()
    return undefined
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error
    return `${position(text, error.at)}: ${error.message}`
  }
}

class JsonSyntaxError extends Error {
  constructor(message: string, readonly at: number) {
    super(message)
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const WHITESPACE = /[ \t\n\r]*/y

class Checker {
  private pos = 0

  constructor(private readonly text: string) {}

  document(): void {
    this.value()
    this.skipWhitespace()
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describe()} after the JSON value`)
  }

  private value(): void {
    this.skipWhitespace()
    const c = this.text[this.pos]
    if (c === '{') return this.container('}', () => {
      if (this.text[this.pos] !== '"') this.fail(`expected a property name in double quotes, found ${this.describe()}`)
      this.string()
      this.skipWhitespace()
      this.expect(':')
      this.value()
    })
    if (c === '[') return this.container(']', () => this.value())
    if (c === '"') return this.string()
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.pos)) {
        this.pos += literal.length
        return
      }
    }
    NUMBER.lastIndex = this.pos
    const number = NUMBER.exec(this.text)
    if (number) this.pos += number[0].length
    else this.fail(`expected a value, found ${this.describe()}`)
  }

  /** An object or array: members separated by commas, and no comma before the closing bracket. */
  private container(close: string, member: () => void): void {
    this.pos++
    this.skipWhitespace()
    if (this.text[this.pos] === close) {
      this.pos++
      return
    }
    for (;;) {
      this.skipWhitespace()
      member()
      this.skipWhitespace()
      if (this.text[this.pos] === close) {
        this.pos++
        return
      }
      const comma = this.pos
      this.expect(',', close)
      this.skipWhitespace()
      if (this.text[this.pos] === close) throw new JsonSyntaxError(`trailing comma before '${close}'`, comma)
    }
  }

  private string(): void {
    const start = this.pos++
    for (;;) {
      const c = this.text[this.pos]
      if (c === undefined) throw new JsonSyntaxError('unterminated string', start)
      if (c === '"') break
      if (c < ' ') this.fail('control character in a string: escape it')
      if (c === '\\') {
        const escape = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y
        escape.lastIndex = this.pos
        if (!escape.test(this.text)) this.fail('invalid escape in a string')
        this.pos = escape.lastIndex
      } else this.pos++
    }
    this.pos++
  }

  private expect(char: string, orClose?: string): void {
    if (this.text[this.pos] === char) {
      this.pos++
      return
    }
    this.fail(`expected '${char}'${orClose ? ` or '${orClose}'` : ''}, found ${this.describe()}`)
  }

  private skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos
    WHITESPACE.exec(this.text)
    this.pos = WHITESPACE.lastIndex
  }

  private describe(): string {
    const c = this.text[this.pos]
    return c === undefined ? 'the end of the file' : JSON.stringify(c)
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(message, this.pos)
  }
}

/** "line L, column C", both counted from 1. */
function position(text: string, at: number): string {
  const before = text.slice(0, at).split('\n')
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`
}
