// Start-up, which every pre-test check pays: the built CLI runs from V8's code caches that the build wrote, and
// its launcher starts node without what vmdrift does not use.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdir, mkdtemp, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {repo} from '../support/cli.js'

describe('start-up', () => {
  it('runs the bundle and ssh2 from the code caches the build wrote, which this node accepts', () => {
    const loader = new URL('../../bin/load-bundle.js', import.meta.url).href
    const probe = [
      `import {join} from 'node:path'`,
      `import {BUNDLE_DIR, loadBundle, runBundleFile} from '${loader}'`,
      `const bundle = loadBundle().script`,
      `const ssh2 = runBundleFile(join(BUNDLE_DIR, 'ssh2.cjs')).script`,
      `console.log(JSON.stringify({bundle: bundle.cachedDataRejected, ssh2: ssh2.cachedDataRejected}))`,
    ].join('\n')
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {cwd: repo, encoding: 'utf8'})
    // undefined would mean no cache was given at all (none built); true, that V8 refused it.
    expect(JSON.parse(out)).toEqual({bundle: false, ssh2: false})
  })
})

describe('the launcher (bin/run.js run as a program, as npm links it)', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vmdrift-launcher-'))
    await symlink(join(repo, 'bin/run.js'), join(dir, 'vmdrift'))
    // the sh that `capture local` runs: it records the environment vmdrift hands on
    await writeFile(join(dir, 'sh'), `#!/bin/sh\nenv > "${dir}/env.txt"\nexec /bin/sh "$@"\n`, {mode: 0o755})
    await mkdir(join(dir, 'root/etc/systemd/system'), {recursive: true})
  })
  afterAll(() => rm(dir, {recursive: true, force: true}))

  const run = (args: string[], env: NodeJS.ProcessEnv, program = join(dir, 'vmdrift'), pre: string[] = []) => {
    const {NODE_EXTRA_CA_CERTS: _, ...rest} = process.env
    return spawnSync(program, [...pre, ...args], {encoding: 'utf8', env: {...rest, NO_COLOR: '1', PATH: `${dir}:${process.env.PATH}`, ...env}})
  }

  it('starts node without NODE_EXTRA_CA_CERTS, which node would read first (a missing file shows it)', () => {
    const missing = {NODE_EXTRA_CA_CERTS: join(dir, 'missing.pem')}
    // node started on the file directly reads it, and warns that it cannot
    const direct = run(['--version'], missing, process.execPath, [join(repo, 'bin/run.js')])
    expect(direct.status).toBe(0)
    expect(direct.stderr).toMatch(/Ignoring extra certs from/)
    const launched = run(['--version'], missing)
    expect(launched.status).toBe(0)
    expect(launched.stdout).toMatch(/^vmdrift\/\d/)
    expect(launched.stderr).toBe('')
  })

  it('hands NODE_EXTRA_CA_CERTS on to what vmdrift runs as it was given: a value, an empty one, or none', async () => {
    for (const value of ['/etc/some-proxy-ca.pem', '', undefined]) {
      const r = run(['capture', 'local', '--root', join(dir, 'root'), '--baseline', join(dir, 'b.yaml')], value === undefined ? {} : {NODE_EXTRA_CA_CERTS: value})
      expect(r.status, r.stderr).toBe(0)
      const env = (await readFile(join(dir, 'env.txt'), 'utf8')).split('\n')
      expect(env.filter((line) => /NODE_EXTRA_CA_CERTS/.test(line)), String(value)).toEqual(value === undefined ? [] : [`NODE_EXTRA_CA_CERTS=${value}`])
    }
  })
})
