// The built CLI against the real Debian 12 VM of ../shared/vm (systemd 252, OpenSSH, Docker), booted once for the
// group. Run with `npm run test:vm` (as root: building and booting the VM needs it; see ../shared/vm/README.md).
//
// The tests run in order and walk the VM through every drift class: each change is made the way people make it
// (an edit without a reload, update-grub, a binary replaced by rename, a daemon.json key), checked, then taken a
// step further (reload, restart, a REAL reboot) and checked again. Three reboots in all (~80 s each under TCG).
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Ajv} from 'ajv'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {repo, vmdrift} from '../support/cli.js'
import {bootTestVm, guest} from '../support/vm.js'

const UNIT = '/etc/systemd/system/helix-drm-manager.service'
const DROPIN_DIR = '/etc/systemd/system/containerd.service.d'
const DROPIN = `${DROPIN_DIR}/order-after-helix.conf`
const BINARY = '/usr/local/bin/helix-drm-manager'
const DAEMON_JSON = '/etc/docker/daemon.json'
const GRUB_CFG = '/boot/grub/grub.cfg'
const PARAM = 'vmdrift.test=1'
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

const bootId = () => guest('cat /proc/sys/kernel/random/boot_id').trim()

/**
 * A real reboot from inside the guest: the VM comes back by itself with what its grub.cfg says. Waits for a new
 * boot id (sshd answers for a few seconds after `systemctl reboot` returns), then for systemd to finish booting.
 */
async function reboot(): Promise<void> {
  const before = bootId()
  try {
    guest('sudo systemctl reboot', 30_000)
  } catch {
    // the connection may drop while the guest goes down
  }
  const deadline = Date.now() + 240_000
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 5000))
    let now = ''
    try {
      now = guest('cat /proc/sys/kernel/random/boot_id', 25_000).trim()
    } catch {
      // down, or not up yet
    }
    if (now && now !== before) break
    if (Date.now() > deadline) throw new Error('the VM did not come back within 240 s of its reboot')
  }
  guest('systemctl is-system-running --wait || true', 180_000)
}

/** Puts back what these tests change, whatever an earlier run left behind (no reboot: the boot is checked below). */
function putBack(): void {
  guest(
    [
      `sudo sed -i 's/^After=multi-user.target$/After=systemd-udev-settle.service/' ${UNIT}`,
      `sudo rm -rf ${DROPIN_DIR}`,
      `sudo sed -i 's/ ${PARAM}//' /etc/default/grub`,
      `sudo sed -i '/"debug": true/d; s/"live-restore": true,$/"live-restore": true/' ${DAEMON_JSON}`,
      'sudo systemctl daemon-reload',
    ].join(' && '),
  )
}

const timings: Record<string, number> = {}

describe('vmdrift against the real VM', () => {
  let work: string
  let flags: string[]
  let validate: ReturnType<Ajv['compile']>

  /** `check --json`, validated against the committed schema. */
  async function checkJson(extra: string[] = []) {
    const run = await vmdrift(['check', 'helix-vm', ...flags, '--json', ...extra])
    expect(run.stderr).toBe('')
    const result = JSON.parse(run.stdout)
    expect(validate(result), JSON.stringify(validate.errors)).toBe(true)
    return {code: run.code, result, ms: run.ms}
  }

  const findingOf = (result: {findings: {key: string}[]}, key: string) => result.findings.find((finding) => finding.key === key)

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmdrift-vm-'))
    const sshConfig = await bootTestVm(work)
    flags = ['--ssh-config', sshConfig, '--baseline', join(work, 'helix-vm.yaml'), '--sudo']
    validate = new Ajv({allowUnionTypes: true, strict: false}).compile(JSON.parse(await readFile(join(repo, 'schemas/check-result.schema.json'), 'utf8')))
    putBack()
    // A run cut short after update-grub leaves the parameter generated or booted: regenerate, and boot clean.
    if (/:[1-9]/.test(guest(`sudo grep -c '${PARAM}' ${GRUB_CFG} /proc/cmdline || true`))) {
      guest('sudo update-grub 2>/dev/null')
      await reboot()
    }
  })

  afterAll(async () => {
    try {
      putBack()
    } finally {
      if (work) await rm(work, {recursive: true, force: true})
      console.log(`VM timings (ms): ${JSON.stringify(timings)}`)
    }
  })

  it('captures the VM under sudo and finds it in sync; a re-capture writes the same file, with nothing volatile in it', async () => {
    const captured = await vmdrift(['capture', 'helix-vm', ...flags])
    expect(captured.stderr).toBe('')
    expect(captured.code).toBe(0)
    timings.capture = captured.ms
    const baseline = await readFile(flags[3]!, 'utf8')
    expect(baseline).toContain('/etc/systemd/system/docker.service.d/helix-drm.conf:')
    expect(baseline).toContain('/lib/systemd/system/docker.service:')
    expect(baseline).toContain('After=systemd-udev-settle.service')
    expect(baseline).toContain('/usr/local/bin/helix-drm-manager:')
    expect(baseline).toContain('/etc/docker/daemon.json:')
    // What the VM booted, as GRUB passes it, is in effect, not an item: the baseline holds grub.cfg's entries.
    const generated = /^\s+- (\/boot\/vmlinuz-\S+ .*)$/m.exec(baseline)?.[1]?.split(' ') ?? []
    expect(generated).toContain('console=ttyS0,115200')
    expect(generated).toContain('video=Virtual-1:1920x1080')
    expect(generated.some((param) => param.startsWith('root='))).toBe(true)
    expect(baseline).not.toContain('/proc/cmdline')
    // Nothing of the running system: no boot id, no PIDs, no start times.
    expect(baseline).not.toContain(bootId())
    expect(baseline).not.toMatch(/ExecMainPID|MainPID|Timestamp|boot_id|btime/)

    const checked = await vmdrift(['check', 'helix-vm', ...flags])
    expect(checked.stdout).toMatch(/^in sync: helix-vm against/)
    expect(checked.code).toBe(0)
    timings.checkInSync = checked.ms

    expect((await vmdrift(['capture', 'helix-vm', ...flags])).code).toBe(0)
    expect(await readFile(flags[3]!, 'utf8')).toBe(baseline)
  })

  it('finds the After= edit made in the guest armed (no daemon-reload), with its time of writing and what makes it take effect', async () => {
    guest(`sudo sed -i 's/^After=systemd-udev-settle.service$/After=multi-user.target/' ${UNIT}`)
    expect(guest('systemctl show -p NeedDaemonReload helix-drm-manager.service').trim()).toBe('NeedDaemonReload=yes')
    const written = Number(guest(`stat -c %Y ${UNIT}`).trim())

    const {code, result, ms} = await checkJson()
    expect(code).toBe(1)
    timings.checkArmed = ms
    expect(result.findings).toHaveLength(1)
    expect(result.counts).toMatchObject({findings: 1, armed: 1, modified: 0})
    expect(result.findings[0]).toMatchObject({
      collector: 'systemd',
      key: UNIT,
      class: 'armed',
      changes: [{field: '[Unit] After', from: 'systemd-udev-settle.service', to: 'multi-user.target'}],
      written: new Date(written * 1000).toISOString().replace('.000Z', 'Z'),
      effect: {pending: 'systemctl daemon-reload', sinceWhat: 'unit started'},
    })
    expect(result.findings[0].effect.detail).toContain('NeedDaemonReload=yes')
    expect(result.findings[0].effect.since).toMatch(ISO_TIME)
    expect(result.findings[0].effect.since < result.findings[0].written).toBe(true)

    // --fail-on leaves armed findings out of the exit code when asked to.
    expect((await checkJson(['--fail-on', 'added,removed,modified,stale'])).code).toBe(0)
  })

  it('finds it modified once systemd has reloaded it', async () => {
    guest('sudo systemctl daemon-reload')
    const {code, result} = await checkJson()
    expect(code).toBe(1)
    expect(result.findings).toHaveLength(1)
    expect(result.findings[0]).toMatchObject({key: UNIT, class: 'modified', effect: {sinceWhat: 'unit started'}})
    expect(result.findings[0].effect.pending).toBeUndefined()
  })

  it('finds a new drop-in for a loaded unit armed without a reload, although systemd 252 may say NeedDaemonReload=no', async () => {
    guest(`sudo mkdir -p ${DROPIN_DIR} && printf '[Unit]\\nAfter=helix-drm-manager.service\\n' | sudo tee ${DROPIN} >/dev/null`)
    const {code, result} = await checkJson()
    expect(code).toBe(1)
    expect(findingOf(result, DROPIN)).toMatchObject({
      collector: 'systemd',
      class: 'armed',
      changes: [{field: '[Unit] After', added: ['helix-drm-manager.service']}],
      effect: {pending: 'systemctl daemon-reload'},
    })
    expect(findingOf(result, DROPIN)!.effect.detail).toContain('DropInPaths lacks it')
    expect(findingOf(result, UNIT)).toMatchObject({class: 'modified'})
  })

  it('finds the unit stale when it is put back without a reload: on disk as in the baseline, the edit still loaded', async () => {
    guest(`sudo sed -i 's/^After=multi-user.target$/After=systemd-udev-settle.service/' ${UNIT} && sudo rm -rf ${DROPIN_DIR}`)
    const {code, result} = await checkJson()
    expect(code).toBe(1)
    expect(result.findings).toHaveLength(1)
    expect(result.findings[0]).toMatchObject({collector: 'systemd', key: UNIT, class: 'stale', effect: {pending: 'systemctl daemon-reload'}})
    expect(result.findings[0].effect.detail).toContain('After= on disk has systemd-udev-settle.service, not loaded')
    // Stale alone does not fail a check that only fails on what is on disk.
    expect((await checkJson(['--fail-on', 'added,removed,modified,armed'])).code).toBe(0)
  })

  it('finds nothing after a reload, nor after a touch and a reload', async () => {
    guest(`sudo systemctl daemon-reload && sudo touch ${UNIT} /etc/docker/daemon.json && sudo systemctl daemon-reload`)
    const {code, result} = await checkJson()
    expect(result.findings).toEqual([])
    expect(code).toBe(0)
  })

  it('finds a kernel parameter armed with "update-grub pending", then with "reboot pending" after update-grub; a replaced binary and a daemon.json key armed until their restart', async () => {
    guest(`sudo sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT="\\(.*\\)"$/GRUB_CMDLINE_LINUX_DEFAULT="\\1 ${PARAM}"/' /etc/default/grub`)
    let {code, result} = await checkJson()
    expect(code).toBe(1)
    expect(findingOf(result, 'configured')).toMatchObject({
      collector: 'kernel-cmdline',
      class: 'armed',
      changes: [{field: 'cmdline', added: [PARAM]}],
      effect: {pending: 'update-grub, then reboot', sinceWhat: 'booted'},
    })
    expect(findingOf(result, 'configured')!.effect.detail).toContain('update-grub pending')
    expect(findingOf(result, '/etc/default/grub')).toMatchObject({class: 'armed', effect: {pending: 'update-grub, then reboot'}})
    expect(findingOf(result, GRUB_CFG)).toBeUndefined()

    guest('sudo update-grub 2>/dev/null')
    // The daemon's binary replaced by rename (what `install` and most builds do), and a daemon.json key added.
    guest(`sudo cp -p ${BINARY} ${BINARY}.new && printf '\\n#rebuilt\\n' | sudo tee -a ${BINARY}.new >/dev/null && sudo mv ${BINARY}.new ${BINARY}`)
    guest(`sudo sed -i 's/"live-restore": true$/"live-restore": true,\\n  "debug": true/' ${DAEMON_JSON}`)
    ;({code, result} = await checkJson())
    expect(code).toBe(1)
    for (const key of ['configured', '/etc/default/grub']) {
      expect(findingOf(result, key)).toMatchObject({class: 'armed', effect: {pending: 'reboot'}})
      expect(findingOf(result, key)!.effect.detail).toContain('reboot pending')
    }
    expect(findingOf(result, GRUB_CFG)).toMatchObject({
      class: 'armed',
      changes: expect.arrayContaining([{field: 'entries[0]', added: [PARAM]}]),
      effect: {pending: 'reboot'},
    })
    expect(findingOf(result, BINARY)).toMatchObject({collector: 'files', class: 'armed', effect: {pending: 'systemctl restart helix-drm-manager.service', sinceWhat: 'process started'}})
    expect(findingOf(result, BINARY)!.effect.detail).toContain('(deleted)')
    expect(findingOf(result, DAEMON_JSON)).toMatchObject({
      collector: 'docker',
      class: 'armed',
      changes: [{field: 'debug', to: 'true'}],
      effect: {pending: 'systemctl restart docker', sinceWhat: 'daemon started'},
    })
    expect(result.counts).toMatchObject({armed: 5, findings: 5})

    guest('sudo systemctl restart helix-drm-manager.service docker.service', 180_000)
    ;({result} = await checkJson())
    expect(findingOf(result, BINARY)).toMatchObject({class: 'modified'})
    expect(findingOf(result, DAEMON_JSON)).toMatchObject({class: 'modified'})
    expect(findingOf(result, 'configured')).toMatchObject({class: 'armed'})
  }, 300_000)

  it('after a real reboot finds the kernel parameter in effect (modified)', async () => {
    await reboot()
    expect(guest('cat /proc/cmdline')).toContain(PARAM)
    const {code, result} = await checkJson()
    expect(code).toBe(1)
    for (const key of ['configured', '/etc/default/grub', GRUB_CFG]) {
      expect(findingOf(result, key)).toMatchObject({collector: 'kernel-cmdline', class: 'modified', effect: {sinceWhat: 'booted'}})
    }
    expect(result.counts).toMatchObject({modified: 5, armed: 0, stale: 0})
  }, 300_000)

  it('finds the kernel parameter, the binary and daemon.json stale when put back on disk but still in effect', async () => {
    putBack()
    guest('sudo update-grub 2>/dev/null')
    guest(`sudo cp -p ${BINARY} ${BINARY}.new && sudo truncate -s -10 ${BINARY}.new && sudo mv ${BINARY}.new ${BINARY}`)
    const {code, result} = await checkJson()
    expect(code).toBe(1)
    expect(result.findings.map((f: {key: string}) => f.key).sort()).toEqual([DAEMON_JSON, GRUB_CFG, BINARY].sort())
    expect(findingOf(result, GRUB_CFG)).toMatchObject({class: 'stale', changes: [{field: 'booted', added: [PARAM]}], effect: {pending: 'reboot'}})
    expect(findingOf(result, BINARY)).toMatchObject({class: 'stale', effect: {pending: 'systemctl restart helix-drm-manager.service'}})
    expect(findingOf(result, DAEMON_JSON)).toMatchObject({class: 'stale', effect: {pending: 'systemctl restart docker'}})
    expect(findingOf(result, DAEMON_JSON)!.effect.detail).toContain('debug: true running')
  })

  it('after another reboot finds nothing; after a reboot with no change, still nothing (exit 0)', async () => {
    await reboot()
    expect(guest('cat /proc/cmdline')).not.toContain(PARAM)
    let {code, result} = await checkJson()
    expect(result.findings).toEqual([])
    expect(code).toBe(0)

    await reboot()
    ;({code, result} = await checkJson())
    expect(result.findings).toEqual([])
    expect(code).toBe(0)
  }, 600_000)

  it('reads the VM without sudo too, as the login user: grub.cfg (mode 0600) is said to be unread, never taken as removed', async () => {
    const plain = flags.filter((f) => f !== '--sudo')
    plain[3] = join(work, 'as-auditor.yaml')
    const refused = await vmdrift(['capture', 'helix-vm', ...plain])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(`could not read ${GRUB_CFG}`)
    const captured = await vmdrift(['capture', 'helix-vm', ...plain, '--allow-unreadable'])
    expect(captured.code).toBe(0)
    const checked = await vmdrift(['check', 'helix-vm', ...plain])
    expect(checked.stdout).toContain(`not checked: ${GRUB_CFG}: not readable; use --sudo`)
    expect(checked.stdout).not.toMatch(/^drift/m)
    expect(checked.code).toBe(2)
  })
})
