// The built CLI (bin/run.js) as a user runs it: no colour, no ssh-agent unless a test gives one.
import {execFile} from 'node:child_process'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const repo = fileURLToPath(new URL('../..', import.meta.url))
const cli = join(repo, 'bin/run.js')

export interface Run {
  code: number
  stdout: string
  stderr: string
  /** wall time from spawn to exit */
  ms: number
}

export function vmdrift(args: string[], options: {env?: NodeJS.ProcessEnv; cwd?: string} = {}): Promise<Run> {
  const started = Date.now()
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], {cwd: options.cwd, env: {...process.env, NO_COLOR: '1', SSH_AUTH_SOCK: '', ...options.env}, maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) =>
      resolve({code: error ? Number(error.code ?? 1) : 0, stdout, stderr, ms: Date.now() - started}),
    )
  })
}
