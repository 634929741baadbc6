// Secrets stay out, on the real VM: secret strings planted where a real host keeps them (Environment= in a unit,
// the file its EnvironmentFile= names, a SetCredential= in a drop-in, a token file in a unit directory, a watched
// and --keep-content file named like a key) never appear in a baseline, a report, JSON, JUnit, a kept blob or any
// other file written; their change is still reported. Everything planted is removed again, so the guest ends as
// it began (the VM group shares one guest).
import {randomBytes} from 'node:crypto'
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {vmdrift, type Run} from '../support/cli.js'
import {bootTestVm, guest} from '../support/vm.js'

const UNIT = '/etc/systemd/system/vmdrift-helix-api.service'
const DROPIN_DIR = `${UNIT}.d`
const DROPIN = `${DROPIN_DIR}/db.conf`
const ENV_FILE = '/etc/default/vmdrift-helix-api'
const TOKEN_FILE = '/etc/systemd/system/vmdrift-api.token'
const WATCHED_DIR = '/etc/vmdrift-keys'
const WATCHED = `${WATCHED_DIR}/id_ed25519`

/** A fresh secret per run and per place, so a leak names where it came from. */
const secret = (place: string) => `VMDRIFT-SECRET-${place}-${randomBytes(12).toString('hex')}`

/** Writes `content` to `path` in the guest as root, mode 0600 (the shell quoting of ssh.sh is avoided by base64). */
function put(path: string, content: string): void {
  guest(`printf '%s' ${Buffer.from(content).toString('base64')} | base64 -d | sudo tee ${path} >/dev/null && sudo chmod 600 ${path}`)
}

function removePlanted(): void {
  guest(`sudo rm -rf ${UNIT} ${DROPIN_DIR} ${ENV_FILE} ${TOKEN_FILE} ${WATCHED_DIR} && sudo systemctl daemon-reload`)
}

/** Every file under `dir`, with its content. */
async function filesUnder(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {}
  for (const entry of await readdir(dir, {recursive: true, withFileTypes: true})) {
    if (entry.isFile()) files[join(entry.parentPath, entry.name)] = await readFile(join(entry.parentPath, entry.name), 'latin1')
  }
  return files
}

describe('secrets stay out, on the real VM', () => {
  let work: string
  let flags: string[]
  const runs: Record<string, Run> = {}
  const planted = {env: '', envFile: '', credential: '', token: '', key: ''}

  function plant(): void {
    for (const place of Object.keys(planted) as (keyof typeof planted)[]) planted[place] = secret(place)
    put(UNIT, `[Unit]\nDescription=vmdrift secrets test\n[Service]\nType=oneshot\nEnvironment=API_TOKEN=${planted.env} LOG_LEVEL=info\nEnvironmentFile=${ENV_FILE}\nEnvironmentFile=-/etc/default/vmdrift-helix-api-optional\nExecStart=/bin/true\n`)
    put(DROPIN, `[Service]\nSetCredential=db.pass:${planted.credential}\n`)
    put(ENV_FILE, `DB_PASSWORD=${planted.envFile}\n`)
    put(TOKEN_FILE, `${planted.token}\n`)
    put(WATCHED, `-----BEGIN OPENSSH PRIVATE KEY-----\n${planted.key}\n-----END OPENSSH PRIVATE KEY-----\n`)
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmdrift-vm-secrets-'))
    const sshConfig = await bootTestVm(work)
    flags = ['--ssh-config', sshConfig, '--baseline', join(work, 'helix-vm.yaml'), '--sudo']
    // Whatever an earlier run cut short left behind, then this run's secrets, loaded as a deployment would.
    guest(`sudo mkdir -p ${DROPIN_DIR} ${WATCHED_DIR}`)
    plant()
    guest('sudo systemctl daemon-reload')
  })

  afterAll(async () => {
    try {
      removePlanted()
    } finally {
      if (work) await rm(work, {recursive: true, force: true})
    }
  })

  it('captures the planted secrets as hashes only, and finds the VM in sync', async () => {
    runs.capture = await vmdrift(['capture', 'helix-vm', ...flags, '--watch', `${WATCHED_DIR}/*`, '--keep-content', `${WATCHED_DIR}/*`])
    expect(runs.capture.stderr).toBe('')
    expect(runs.capture.code).toBe(0)
    const baseline = await readFile(flags[3]!, 'utf8')
    for (const path of [UNIT, DROPIN, ENV_FILE, TOKEN_FILE, WATCHED]) expect(baseline).toContain(`${path}:`)
    expect(baseline).toMatch(/Environment=API_TOKEN=sha256:[0-9a-f]{64} LOG_LEVEL=sha256:[0-9a-f]{64}/)
    expect(baseline).toMatch(/SetCredential=db\.pass:sha256:[0-9a-f]{64}/)
    expect(baseline).toMatch(new RegExp(`${ENV_FILE}:\\n\\s+type: environment-file\\n(\\s+\\w+: .*\\n)*?\\s+sha256: [0-9a-f]{64}`))
    expect(baseline).toMatch(/\/etc\/default\/vmdrift-helix-api-optional:\n\s+type: environment-file\n\s+absent: true/)
    runs.inSync = await vmdrift(['check', 'helix-vm', ...flags])
    expect(runs.inSync.stdout).toMatch(/^in sync: helix-vm against/)
    expect(runs.inSync.code).toBe(0)
  })

  it('reports every changed secret by name, and prints none of them in text, JSON, JUnit or a restore plan', async () => {
    const before = {...planted}
    plant()
    const junit = join(work, 'report.xml')
    runs.text = await vmdrift(['check', 'helix-vm', ...flags])
    runs.json = await vmdrift(['check', 'helix-vm', ...flags, '--json', '--junit', junit])
    runs.plan = await vmdrift(['restore', 'helix-vm', ...flags, '--dry-run'])
    runs.recapture = await vmdrift(['capture', 'helix-vm', '--ssh-config', flags[1]!, '--sudo', '--baseline', join(work, 'after.yaml'), '--watch', `${WATCHED_DIR}/*`, '--keep-content', `${WATCHED_DIR}/*`])
    runs.diff = await vmdrift(['diff', flags[3]!, join(work, 'after.yaml')])

    expect(runs.text.code).toBe(1)
    expect(runs.text.stdout).toContain('[Service] Environment API_TOKEN: value changed')
    expect(runs.text.stdout).not.toContain('Environment LOG_LEVEL')
    expect(runs.text.stdout).toContain(`EnvironmentFile ${ENV_FILE}: value changed`)
    expect(runs.json.code).toBe(1)
    const findings = JSON.parse(runs.json.stdout).findings as {key: string}[]
    expect(findings.map((finding) => finding.key).sort()).toEqual([ENV_FILE, TOKEN_FILE, UNIT, DROPIN, WATCHED].sort())
    expect(await readFile(junit, 'utf8')).toContain(ENV_FILE)
    expect(runs.plan.stdout).toMatch(new RegExp(`${ENV_FILE}: .*EnvironmentFile= is stored as its sha256 only`))
    expect(runs.recapture.code).toBe(0)
    expect(runs.diff.code).toBe(1)

    // Every secret, old and new, against every output and every file written (baselines, JUnit, kept blobs).
    const secrets = [...Object.values(before), ...Object.values(planted)]
    const outputs = {
      ...Object.fromEntries(Object.entries(runs).flatMap(([name, run]) => [[`${name} stdout`, run.stdout], [`${name} stderr`, run.stderr]])),
      ...(await filesUnder(work)),
    }
    expect(Object.keys(outputs)).toContain(junit)
    for (const [name, text] of Object.entries(outputs)) {
      for (const value of secrets) expect(text.includes(value), `${value} in ${name}`).toBe(false)
      expect(text, name).not.toContain('VMDRIFT-SECRET')
    }
  })
})
