// `vmdrift restore` against the real Debian 12 VM of ../shared/vm: the incident's edits made in the guest and loaded
// by systemd, restored, checked with systemd's own view (`systemctl show`), undone. In CI this file runs after
// vm.test.ts on the same VM, so it leaves the guest as it found it.
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {stepLine, type Step} from '../../src/restore/plan.js'
import {bootTestVm, guest} from '../support/vm.js'
import {vmdrift} from '../support/cli.js'

const UNIT = '/etc/systemd/system/helix-drm-manager.service'
const OVERRIDE = '/etc/systemd/system/docker.service.d/override.conf'
const STRAY = '/run/systemd/system/helix-stray.service'
const UNITS = ['helix-drm-manager.service', 'docker.service', 'fstrim.timer', 'e2scrub_reap.service', 'helix-stray.service']
/** What systemd has loaded, per unit: the properties a unit file, a drop-in, a link or a mask decide. */
const PROPERTIES = 'Id,LoadState,UnitFileState,FragmentPath,DropInPaths,After,Requires,Wants,NeedDaemonReload'

/** `systemctl show` of the units, list-valued properties as sorted sets (systemd prints them in hash order). */
function loaded(): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {}
  for (const block of guest(`systemctl show -p ${PROPERTIES} ${UNITS.join(' ')}`).trim().split(/\n\n+/)) {
    const fields = Object.fromEntries(
      block.split('\n').map((line) => {
        const [key, ...value] = line.split('=')
        return [key!, value.join('=').split(' ').filter(Boolean).sort().join(' ')]
      }),
    )
    out[fields.Id!] = fields
  }
  return out
}

// The edits of the incident, and then some, all loaded by systemd (daemon-reload) as they would be by a reboot.
const EDITS = [
  `sed -i 's/^After=systemd-udev-settle.service$/After=multi-user.target/' ${UNIT}`,
  `printf '[Service]\\nEnvironment=HELIX_BISECT=1\\n' > ${OVERRIDE}`,
  'systemctl --no-reload mask fstrim.timer',
  'systemctl --no-reload disable e2scrub_reap.service',
  `printf '[Service]\\nExecStart=/bin/true\\n' > ${STRAY}`,
  'systemctl daemon-reload',
].join(' && ')

// Back to the pristine guest by hand, whatever a failed run left: vm.test.ts runs on this guest too.
const PRISTINE = [
  `sed -i 's/^After=multi-user.target$/After=systemd-udev-settle.service/' ${UNIT}`,
  `rm -f ${OVERRIDE} ${STRAY}`,
  'systemctl --no-reload unmask fstrim.timer',
  'systemctl --no-reload enable e2scrub_reap.service',
  'rm -rf /var/lib/vmdrift',
  'systemctl daemon-reload',
].join('; ')

describe('vmdrift restore against the real VM', () => {
  let work: string
  let flags: string[]
  let pristine: Record<string, Record<string, string>>

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmdrift-vm-restore-'))
    flags = ['--ssh-config', await bootTestVm(work), '--baseline', join(work, 'helix-vm.yaml'), '--sudo']
    guest(`sudo sh -c '${PRISTINE.replaceAll("'", `'\\''`)}' >/dev/null 2>&1`)
    pristine = loaded()
    const captured = await vmdrift(['capture', 'helix-vm', ...flags])
    expect(captured.code, captured.stderr).toBe(0)
  })

  afterAll(async () => {
    guest(`sudo sh -c '${PRISTINE.replaceAll("'", `'\\''`)}' >/dev/null 2>&1`)
    if (work) await rm(work, {recursive: true, force: true})
  })

  it("restores the incident's edits as planned: systemd loads the baseline again and check exits 0; undo brings the edits back", async () => {
    guest(`sudo sh -c '${EDITS.replaceAll("'", `'\\''`)}' >/dev/null 2>&1`)
    const edited = loaded()
    expect(edited['helix-drm-manager.service']!.After).toContain('multi-user.target')
    expect(edited['fstrim.timer']!.LoadState).toBe('masked')
    expect(edited['helix-stray.service']!.LoadState).toBe('loaded')

    const dry = await vmdrift(['restore', 'helix-vm', ...flags, '--dry-run', '--json'])
    expect(dry.code, dry.stderr).toBe(1)
    const planned = (JSON.parse(dry.stdout).plan.steps as Step[]).map(stepLine)
    expect(planned).toEqual([
      `move aside ${OVERRIDE}`,
      'move aside /etc/systemd/system/fstrim.timer',
      `write ${UNIT}`,
      'link /etc/systemd/system/multi-user.target.wants/e2scrub_reap.service -> /lib/systemd/system/e2scrub_reap.service',
      `move aside ${STRAY}`,
      'run systemctl daemon-reload',
    ])

    const restored = await vmdrift(['restore', 'helix-vm', ...flags, '--yes', '--json'])
    expect(restored.code, restored.stderr).toBe(0)
    const result = JSON.parse(restored.stdout)
    expect(result.applied).toEqual(planned)
    expect(result.verified.inSync).toBe(true)
    expect(loaded()).toEqual(pristine)
    expect((await vmdrift(['check', 'helix-vm', ...flags])).code).toBe(0)

    const undone = await vmdrift(['restore', 'helix-vm', ...flags, '--undo', '--yes'])
    expect(undone.code, undone.stderr).toBe(0)
    expect(undone.stdout).toContain(`undone: ${result.backup} on helix-vm (5 paths put back)`)
    expect(undone.stdout).toContain('ran systemctl daemon-reload')
    expect(loaded()).toEqual(edited)
    expect(guest(`grep ^After= ${UNIT}; cat ${OVERRIDE} ${STRAY}; readlink /etc/systemd/system/fstrim.timer; ls /etc/systemd/system/multi-user.target.wants`)).toBe(
      [
        'After=multi-user.target',
        '[Service]',
        'Environment=HELIX_BISECT=1',
        '[Service]',
        'ExecStart=/bin/true',
        '/dev/null',
        'containerd.service',
        'docker.service',
        'helix-drm-manager.service',
        'remote-fs.target',
        'ssh.service',
        'systemd-networkd.service',
        '',
      ].join('\n'),
    )
  })
})
