// The error taxonomy. Every known error prints as one line with a hint and exits 2; a stack only with --debug.

/** Bad input from the user: a flag, a target spec, a baseline or config file. */
export class InputError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message)
    this.name = 'InputError'
  }
}

/** The target could not be reached or could not run the script. */
export class TargetError extends Error {
  constructor(
    message: string,
    readonly target: string,
    readonly details: {hint?: string; exitCode?: number | null; stderr?: string} = {},
  ) {
    super(message)
    this.name = 'TargetError'
  }

  get hint(): string | undefined {
    return this.details.hint
  }
}

/** One line for a person: the message, then the hint if there is one. */
export function describeError(error: unknown): string {
  if (error instanceof InputError || error instanceof TargetError) {
    return error.hint ? `${error.message} (${error.hint})` : error.message
  }
  if (error instanceof Error) return `internal error: ${error.message} (run with --debug for the stack)`
  return `internal error: ${String(error)}`
}
