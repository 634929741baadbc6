// Runs the built CLI (bin/run.js) as a user would, without colour and without an ssh-agent unless given one.
import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const repo = fileURLToPath(new URL('../..', import.meta.url))
const cli = join(repo, 'bin/run.js')

export interface Run {
  code: number
  stdout: string
  stderr: string
  /** wall time, milliseconds */
  ms: number
}

export function vmdrift(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const started = performance.now()
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], {env: {...process.env, NO_COLOR: '1', SSH_AUTH_SOCK: '', ...env}, maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) =>
      resolve({code: error ? Number(error.code ?? 1) : 0, stdout, stderr, ms: Math.round(performance.now() - started)}),
    )
  })
}
