// The built CLI against the real Debian 12 VM of ../shared/vm (systemd 252, OpenSSH, Docker), booted once for the
// group. Run with `npm run test:vm` (as root: building and booting the VM needs it; see ../shared/vm/README.md).
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {bootTestVm, guest} from '../support/vm.js'
import {vmdrift} from '../support/vmdrift.js'

const UNIT = '/etc/systemd/system/helix-drm-manager.service'

const timings: Record<string, number> = {}

describe('vmdrift against the real VM', () => {
  let work: string
  let flags: string[]

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'vmdrift-vm-'))
    flags = ['--ssh-config', await bootTestVm(work), '--baseline', join(work, 'helix-vm.yaml'), '--sudo']
    // A clean unit whatever an earlier run left behind.
    guest(`sudo sed -i 's/^After=multi-user.target$/After=systemd-udev-settle.service/' ${UNIT}`)
  })

  afterAll(async () => {
    guest(`sudo sed -i 's/^After=multi-user.target$/After=systemd-udev-settle.service/' ${UNIT}`)
    if (work) await rm(work, {recursive: true, force: true})
    console.log(`VM timings (ms): ${JSON.stringify(timings)}`)
  })

  it('captures the VM under sudo and finds it in sync', async () => {
    const captured = await vmdrift(['capture', 'helix-vm', ...flags])
    expect(captured.stderr).toBe('')
    expect(captured.code).toBe(0)
    timings.capture = captured.ms
    const baseline = await readFile(flags[3]!, 'utf8')
    expect(baseline).toContain('/etc/systemd/system/docker.service.d/helix-drm.conf:')
    expect(baseline).toContain('/lib/systemd/system/docker.service:')
    expect(baseline).toContain('After=systemd-udev-settle.service')
    expect(baseline).toContain('/usr/local/bin/helix-drm-manager:')
    // What the VM booted, as GRUB passes it: assert the parameters that matter, not the whole line, so a kernel
    // update in the image (BOOT_IMAGE=/boot/vmlinuz-6.1.0-NN-amd64) or a new root UUID does not break the test.
    const booted = /cmdline: (BOOT_IMAGE=.*)$/m.exec(baseline)?.[1]?.split(' ') ?? []
    expect(booted).toContain('console=ttyS0,115200')
    expect(booted).toContain('video=Virtual-1:1920x1080')
    expect(booted.some((param) => param.startsWith('root='))).toBe(true)
    expect(baseline).toContain('/etc/docker/daemon.json:')

    const checked = await vmdrift(['check', 'helix-vm', ...flags])
    expect(checked.stdout).toMatch(/^in sync: helix-vm against/)
    expect(checked.code).toBe(0)
    timings.checkInSync = checked.ms
  })

  it('finds the After= edit made in the guest, armed (no daemon-reload), with its time of writing', async () => {
    guest(`sudo sed -i 's/^After=systemd-udev-settle.service$/After=multi-user.target/' ${UNIT}`)
    expect(guest('systemctl show -p NeedDaemonReload helix-drm-manager.service').trim()).toBe('NeedDaemonReload=yes')
    const written = Number(guest(`stat -c %Y ${UNIT}`).trim())

    const checked = await vmdrift(['check', 'helix-vm', ...flags, '--json'])
    expect(checked.code).toBe(1)
    timings.checkDrift = checked.ms
    const result = JSON.parse(checked.stdout)
    expect(result.findings).toHaveLength(1)
    expect(result.findings[0]).toMatchObject({
      collector: 'systemd',
      key: UNIT,
      class: 'modified',
      changes: [{field: '[Unit] After', from: 'systemd-udev-settle.service', to: 'multi-user.target'}],
      written: new Date(written * 1000).toISOString().replace('.000Z', 'Z'),
    })
  })

  it('takes the edit into a new baseline, then finds the VM in sync again', async () => {
    expect((await vmdrift(['capture', 'helix-vm', ...flags])).code).toBe(0)
    const checked = await vmdrift(['check', 'helix-vm', ...flags])
    expect(checked.code).toBe(0)
  })

  it('reads the VM without sudo too, as the login user', async () => {
    const plain = flags.filter((f) => f !== '--sudo')
    plain[3] = join(work, 'as-auditor.yaml')
    const captured = await vmdrift(['capture', 'helix-vm', ...plain])
    expect(captured.code).toBe(0)
    expect((await vmdrift(['check', 'helix-vm', ...plain])).code).toBe(0)
  })
})
