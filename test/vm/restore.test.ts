// `vmdrift restore` against the real Debian 12 VM of ../shared/vm: the incident's edits made in the guest and loaded
// by systemd, restored, checked with systemd's own view (`systemctl show`), undone. In CI this file runs after
// vm.test.ts on the same VM, so it leaves the guest as it found it.
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {shQuote} from '../../src/core/script.js'
import {stepLine, type Step} from '../../src/restore/plan.js'
import {bootTestVm, guest} from '../support/vm.js'
import {INCIDENT_EDITS, OVERRIDE, PRISTINE, STRAY, UNIT} from '../support/vm-incident.js'
import {vmdrift} from '../support/cli.js'

const UNITS = ['helix-drm-manager.service', 'docker.service', 'fstrim.service', 'e2scrub_reap.service', 'helix-stray.service']
/** What systemd has loaded, per unit: the properties a unit file, a drop-in, a link or a mask decide. */
const PROPERTIES = 'Id,LoadState,UnitFileState,FragmentPath,DropInPaths,After,Requires,Wants,NeedDaemonReload'

/** A script run as root in the guest, its output dropped (systemctl says what it links). */
const asRoot = (script: string) => guest(`sudo sh -c ${shQuote(script)} >/dev/null 2>&1`)

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

describe('vmdrift restore against the real VM', () => {
  let work: string
  let flags: string[]
  let pristine: Record<string, Record<string, string>>

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmdrift-vm-restore-'))
    flags = ['--ssh-config', await bootTestVm(work), '--baseline', join(work, 'helix-vm.yaml'), '--sudo']
    asRoot(PRISTINE)
    pristine = loaded()
    const captured = await vmdrift(['capture', 'helix-vm', ...flags])
    expect(captured.code, captured.stderr).toBe(0)
  })

  afterAll(async () => {
    asRoot(PRISTINE)
    if (work) await rm(work, {recursive: true, force: true})
  })

  it("restores the incident's edits as planned: systemd loads the baseline again and check exits 0; undo brings the edits back", async () => {
    asRoot(INCIDENT_EDITS)
    const edited = loaded()
    expect(edited['helix-drm-manager.service']!.After).toContain('multi-user.target')
    expect(edited['fstrim.service']!.LoadState).toBe('masked')
    expect(edited['helix-stray.service']!.LoadState).toBe('loaded')

    const dry = await vmdrift(['restore', 'helix-vm', ...flags, '--dry-run', '--json'])
    expect(dry.code, dry.stderr).toBe(1)
    const planned = (JSON.parse(dry.stdout).plan.steps as Step[]).map(stepLine)
    expect(planned).toEqual([
      `move aside ${OVERRIDE}`,
      'move aside /etc/systemd/system/fstrim.service',
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
    expect(guest('systemctl --failed --no-legend')).toBe('')
    expect((await vmdrift(['check', 'helix-vm', ...flags])).code).toBe(0)

    const undone = await vmdrift(['restore', 'helix-vm', ...flags, '--undo', '--yes'])
    expect(undone.code, undone.stderr).toBe(0)
    expect(undone.stdout).toContain(`undone: ${result.backup} on helix-vm (5 paths put back)`)
    expect(undone.stdout).toContain('ran systemctl daemon-reload')
    expect(loaded()).toEqual(edited)
    expect(guest(`grep ^After= ${UNIT}; cat ${OVERRIDE} ${STRAY}; readlink /etc/systemd/system/fstrim.service; ls /etc/systemd/system/multi-user.target.wants`)).toBe(
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

  it('--reboot: restores the GRUB defaults, runs update-grub, reboots, waits for the new boot and verifies it', async () => {
    asRoot(PRISTINE)
    const grub = guest('cat /etc/default/grub')
    guest(`sudo sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT="\\(.*\\)"$/GRUB_CMDLINE_LINUX_DEFAULT="\\1 quiet"/' /etc/default/grub`)
    expect(guest('grep ^GRUB_CMDLINE_LINUX_DEFAULT= /etc/default/grub')).toBe('GRUB_CMDLINE_LINUX_DEFAULT="video=Virtual-1:1920x1080 quiet"\n')
    const bootBefore = guest('cat /proc/sys/kernel/random/boot_id').trim()

    const run = await vmdrift(['restore', 'helix-vm', ...flags, '--yes', '--reboot', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout)
    expect(result.applied).toEqual(['write /etc/default/grub', 'run update-grub (or grub-mkconfig -o /boot/grub/grub.cfg)'])
    expect(result.rebooted.bootBefore).toBe(bootBefore)
    expect(guest('cat /proc/sys/kernel/random/boot_id').trim()).toBe(result.rebooted.bootAfter)
    expect(result.rebooted.bootAfter).not.toBe(bootBefore)
    expect(result.verified.inSync).toBe(true)
    expect(guest('cat /etc/default/grub')).toBe(grub)
  }, 420_000)
})
