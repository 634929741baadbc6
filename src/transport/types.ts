export interface ExecResult {
  stdout: Buffer
  stderr: string
  exitCode: number | null
}

export interface RunOptions {
  sudo?: boolean
  /** each piece of stdout as it arrives (the result still holds all of it) */
  onOutput?: (chunk: Buffer) => void
}

/** Where a script runs: this machine, or a host over SSH. The only code that touches a shell or the network. */
export interface Target {
  /** as the user named it: an ssh_config alias, user@host:port, or local */
  readonly name: string
  /**
   * Starts connecting (once) and resolves as soon as the connection is under way (over SSH: the TCP connection up,
   * the greeting sent), so that a caller overlaps the handshake's round trips with its own work; runScript waits
   * for the handshake. It never rejects: a host that cannot be reached is the first runScript's error.
   */
  open(): Promise<void>
  /** Runs one POSIX sh script in one process (over SSH, one exec channel); `onOutput` sees stdout as it comes. */
  runScript(script: string, options?: RunOptions): Promise<ExecResult>
  close(): Promise<void>
}
