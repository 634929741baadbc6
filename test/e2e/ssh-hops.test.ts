// SSH like OpenSSH, with the built CLI against real sshds on 127.0.0.1: a two-hop ProxyJump (A, then B through A,
// then the host through B), errors that name the hop that failed, and accept-new for an unknown host key.
import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {repo, vmdrift} from '../support/cli.js'
import {freePort, startSshd} from '../support/sshd.js'

describe('vmdrift through ProxyJump hops and with accept-new', () => {
  let a: Awaited<ReturnType<typeof startSshd>>
  let b: Awaited<ReturnType<typeof startSshd>>
  let work: string
  let root: string
  let sshConfig: string
  let knownHosts: string
  let deadPort: number

  beforeAll(async () => {
    ;[a, b] = await Promise.all([startSshd({alias: 'a'}), startSshd({alias: 'b'})])
    work = await mkdtemp(join(tmpdir(), 'vmdrift-hops-'))
    root = join(work, 'root')
    await cp(join(repo, 'test/fixtures/helix-vm'), root, {recursive: true, verbatimSymlinks: true})
    deadPort = await freePort()
    const host = (alias: string, port: number, identity: string, jump?: string) =>
      [`Host ${alias}`, '  HostName 127.0.0.1', `  Port ${port}`, `  User ${a.user}`, `  IdentityFile ${identity}`, '  IdentitiesOnly yes', ...(jump ? [`  ProxyJump ${jump}`] : []), ''].join('\n')
    sshConfig = join(work, 'ssh_config')
    await writeFile(
      sshConfig,
      [
        host('jump-a', a.port, a.identityFile),
        host('jump-b', b.port, b.identityFile),
        // the host is sshd A again, reached A -> B -> A
        host('far', a.port, a.identityFile, 'jump-a,jump-b'),
        host('jump-dead', deadPort, a.identityFile),
        host('behind-dead', a.port, a.identityFile, 'jump-dead'),
      ].join('\n'),
    )
    knownHosts = join(work, 'known_hosts')
    await writeFile(knownHosts, (await readFile(a.knownHostsFile, 'utf8')) + (await readFile(b.knownHostsFile, 'utf8')))
  })

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()])
    if (work) await rm(work, {recursive: true, force: true})
  })

  it('captures and checks a host two hops away, each hop forwarding exactly once', async () => {
    const [markA, markB] = [a.mark(), b.mark()]
    const flags = ['--ssh-config', sshConfig, '--known-hosts', knownHosts, '--root', root, '--baseline', join(work, 'far.yaml')]
    const captured = await vmdrift(['capture', 'far', ...flags])
    expect(captured.stderr).toBe('')
    expect(captured.code).toBe(0)
    expect(captured.stdout).toMatch(/^captured \d+ items of far /)
    const direct = (log: string) => (log.match(/server_request_direct_tcpip: originator 127\.0\.0\.1 port \d+, target 127\.0\.0\.1 port (\d+)/g) ?? []).map((line) => Number(line.split(' ').pop()))
    // A forwarded to B (hop 1 -> hop 2), B forwarded to A (hop 2 -> the host), and A ran the one script.
    expect(direct(a.readLog().slice(markA))).toEqual([b.port])
    expect(direct(b.readLog().slice(markB))).toEqual([a.port])
    expect(a.countConnections({since: markA})).toBe(2)
    expect(b.countConnections({since: markB})).toBe(1)
    expect(a.countExecRequests({since: markA})).toBe(1)
    expect(b.countExecRequests({since: markB})).toBe(0)
    const checked = await vmdrift(['check', 'far', ...flags])
    expect(checked.code).toBe(0)
    expect(checked.stdout).toMatch(/^in sync: far against /)
  })

  it('names the hop and the step that failed', async () => {
    const run = await vmdrift(['check', 'behind-dead', '--ssh-config', sshConfig, '--known-hosts', knownHosts, '--baseline', join(work, 'far.yaml'), '--allow-other-target'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(`vmdrift: behind-dead: through jump host jump-dead: cannot connect to 127.0.0.1:${deadPort}: ECONNREFUSED (is the host up and sshd running?)\n`)
  })

  it('records an unknown host key with --accept-new-host-key, then trusts it; a changed key is still refused', async () => {
    const fresh = join(work, 'fresh_known_hosts')
    await writeFile(fresh, '')
    const flags = [b.target, '--identity', b.identityFile, '--known-hosts', fresh, '--root', root, '--baseline', join(work, 'b.yaml')]
    const refused = await vmdrift(['capture', ...flags])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/is not known/)
    const accepted = await vmdrift(['capture', ...flags, '--accept-new-host-key'])
    expect(accepted.stderr).toBe('')
    expect(accepted.code).toBe(0)
    const hostKey = (await readFile(b.hostKeyFile, 'utf8')).trim().split(' ').slice(0, 2).join(' ')
    expect(await readFile(fresh, 'utf8')).toBe(`[127.0.0.1]:${b.port} ${hostKey}\n`)
    expect((await vmdrift(['check', ...flags])).code).toBe(0)

    // The same file now holding another key for B: accept-new does not make a changed key acceptable.
    await writeFile(fresh, `[127.0.0.1]:${b.port} ${(await readFile(a.hostKeyFile, 'utf8')).trim().split(' ').slice(0, 2).join(' ')}\n`)
    const changed = await vmdrift(['check', ...flags, '--accept-new-host-key'])
    expect(changed.code).toBe(2)
    expect(changed.stderr).toMatch(/HOST KEY CHANGED/)
  })
})
