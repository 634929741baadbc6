// The kernel's command-line parameters: https://www.kernel.org/doc/html/latest/admin-guide/kernel-parameters.html
// "Double-quotes can be used to protect spaces in values", so a parameter ends at whitespace outside quotes.

export function splitKernelParams(cmdline: string): string[] {
  const params: string[] = []
  let current = ''
  let quoted = false
  for (const c of cmdline) {
    if (c === '"') quoted = !quoted
    if (!quoted && /\s/.test(c)) {
      if (current !== '') params.push(current)
      current = ''
    } else current += c
  }
  if (current !== '') params.push(current)
  return params
}

/** The parameters one space apart: how the same command line reads whatever the spacing it was written with. */
export function normalizeCmdline(cmdline: string): string {
  return splitKernelParams(cmdline).join(' ')
}
