// The built CLI against hosts, files and flags that are broken or hostile: it must never hang, never lie, never
// leak a secret and never read outside --root. Each case is one that misled or hung an earlier version.
import {execFile, execFileSync} from 'node:child_process'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MISBEHAVIOURS, startBadSshServer} from '../support/bad-ssh-server.js'

const repo = fileURLToPath(new URL('../..', import.meta.url))
const cli = join(repo, 'bin/run.js')

interface Run {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

/** Runs the CLI; a run still alive after `killAfterMs` is killed and reported with code null (a hang). */
function vmdrift(args: string[], options: {env?: NodeJS.ProcessEnv; killAfterMs?: number} = {}): Promise<Run> {
  const started = Date.now()
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      {env: {...process.env, NO_COLOR: '1', SSH_AUTH_SOCK: '', ...options.env}, timeout: options.killAfterMs ?? 20_000, killSignal: 'SIGKILL'},
      (error, stdout, stderr) => {
        const killed = (error as {killed?: boolean} | null)?.killed
        resolve({code: killed ? null : error ? Number(error.code ?? 1) : 0, stdout, stderr, ms: Date.now() - started})
      },
    )
  })
}

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vmdrift-hostile-'))
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'id')])
  await writeFile(join(work, 'known_hosts'), '')
  // A valid baseline, so a check gets as far as the host.
  const captured = await vmdrift(['capture', 'local', '--root', join(repo, 'test/fixtures/helix-vm'), '--baseline', join(work, 'b.yaml')])
  expect(captured.code).toBe(0)
})
afterAll(async () => {
  if (work) await rm(work, {recursive: true, force: true})
})

describe('a misbehaving SSH server never hangs vmdrift', () => {
  // A long --timeout: an exit that waits for it is a hang. Only the servers that never speak may use it, and then
  // a short one is given.
  const waitsForTimeout = new Set(['silent', 'banner-then-silence'])
  for (const behaviour of MISBEHAVIOURS) {
    it(`${behaviour}: one line, exit 2, ${waitsForTimeout.has(behaviour) ? 'when --timeout ends' : 'at once'}`, async () => {
      const server = await startBadSshServer(behaviour)
      try {
        const timeout = waitsForTimeout.has(behaviour) ? 2 : 60
        for (const command of ['check', 'capture']) {
          const run = await vmdrift([
            command, `me@127.0.0.1:${server.port}`, '--identity', join(work, 'id'), '--known-hosts', join(work, 'known_hosts'),
            '--timeout', String(timeout), '--baseline', join(work, command === 'check' ? 'b.yaml' : 'never-written.yaml'),
          ])
          expect(run.code, `${command} hung`).toBe(2)
          expect(run.stderr.trimEnd().split('\n')).toHaveLength(1)
          expect(run.stderr).toMatch(/^vmdrift: me@127\.0\.0\.1:\d+: /)
          expect(run.ms).toBeLessThan(waitsForTimeout.has(behaviour) ? timeout * 1000 + 4000 : 8000)
        }
        expect(server.connections()).toBe(2)
      } finally {
        await server.stop()
      }
    })
  }

  it('a check that fails before it needs the host does not wait on the handshake', async () => {
    const server = await startBadSshServer('malformed-packet')
    try {
      const run = await vmdrift([
        'check', `me@127.0.0.1:${server.port}`, '--identity', join(work, 'id'), '--known-hosts', join(work, 'known_hosts'),
        '--timeout', '60', '--baseline', join(work, 'missing.yaml'),
      ])
      expect(run.code).toBe(2)
      expect(run.stderr).toMatch(/cannot read baseline .*missing\.yaml: ENOENT/)
      expect(run.ms).toBeLessThan(8000)
    } finally {
      await server.stop()
    }
  })

  it('bounds --timeout with a clear message', async () => {
    const run = await vmdrift(['check', 'local', '--timeout', '2200000', '--baseline', join(work, 'b.yaml')])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^vmdrift: .*less than or equal to 86400/)
    expect(run.stderr).not.toMatch(/TimeoutOverflowWarning/)
  })
})
