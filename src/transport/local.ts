import {spawn} from 'node:child_process'
import {TargetError} from '../errors.js'
import type {ExecResult, RunOptions, Target} from './types.js'

/** This machine, no SSH: `sh -s` with the script on stdin. */
export class LocalTarget implements Target {
  /** `name` is what reports call it: `local`, or what a demo stands in for */
  constructor(readonly name = 'local') {}

  async open(): Promise<void> {}

  runScript(script: string, options: RunOptions = {}): Promise<ExecResult> {
    const [cmd, ...args] = options.sudo ? ['sudo', '-n', 'sh', '-s'] : ['sh', '-s']
    return new Promise((resolve, reject) => {
      const child = spawn(cmd!, args, {stdio: ['pipe', 'pipe', 'pipe']})
      const out: Buffer[] = []
      const err: Buffer[] = []
      child.stdout.on('data', (chunk: Buffer) => {
        out.push(chunk)
        options.onOutput?.(chunk)
      })
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT'
            ? new TargetError(`${this.name}: ${cmd} is not installed on this machine`, this.name, {hint: options.sudo ? 'install sudo, or run without --sudo' : undefined})
            : new TargetError(`${this.name}: cannot run ${cmd}: ${error.code ?? error.message}`, this.name),
        ),
      )
      // A child that exits before reading the whole script (sudo asking for a password) closes the pipe: that
      // EPIPE is not ours to crash on; the exit status and stderr say what happened.
      child.stdin.on('error', () => {})
      child.on('close', (exitCode) =>
        resolve({stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), exitCode}),
      )
      child.stdin.end(script)
    })
  }

  async close(): Promise<void> {}
}
