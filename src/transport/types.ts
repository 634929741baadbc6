export interface ExecResult {
  stdout: Buffer
  stderr: string
  exitCode: number | null
}

/** Where a script runs: this machine, or a host over SSH. The only code that touches a shell or the network. */
export interface Target {
  /** as the user named it: an ssh_config alias, user@host:port, or local */
  readonly name: string
  /** runs one POSIX sh script (fed on stdin) in one process: over SSH, one exec channel */
  /** starts connecting, so that a caller can overlap the handshake with other work; runScript waits for it */
  open(): Promise<void>
  runScript(script: string, options?: {sudo?: boolean}): Promise<ExecResult>
  close(): Promise<void>
}
