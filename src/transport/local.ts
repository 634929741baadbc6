import {spawn} from 'node:child_process'
import type {ExecResult, Target} from './types.js'

/** This machine, no SSH: `sh -s` with the script on stdin. */
export class LocalTarget implements Target {
  /** `name` is what reports call it: `local`, or what a demo stands in for */
  constructor(readonly name = 'local') {}

  async open(): Promise<void> {}

  runScript(script: string, options: {sudo?: boolean} = {}): Promise<ExecResult> {
    const [cmd, ...args] = options.sudo ? ['sudo', '-n', 'sh', '-s'] : ['sh', '-s']
    return new Promise((resolve, reject) => {
      const child = spawn(cmd!, args, {stdio: ['pipe', 'pipe', 'pipe']})
      const out: Buffer[] = []
      const err: Buffer[] = []
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
      child.on('error', reject)
      child.on('close', (exitCode) =>
        resolve({stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), exitCode}),
      )
      child.stdin.end(script)
    })
  }

  async close(): Promise<void> {}
}
