// POSIX sh quoting, shared by the scripts vmdrift compiles (core/, restore/) and the command the transport sends.
// A leaf: it imports nothing.

/** Single-quotes a string for sh: nothing inside is ever expanded. */
export function shQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}
