// `vmdrift restore` end to end: the built CLI over a real OpenSSH sshd on 127.0.0.1, restoring a --root copy of the
// helix-vm fixture that carries hostile file names, a symlink planted at a destination, and the incident's edits.
import {cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, unlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {stepLine, type Step} from '../../src/restore/plan.js'
import {startSshd} from '../support/sshd.js'
import {repo, vmdrift} from '../support/cli.js'

const SYSTEM = 'etc/systemd/system'
const UNIT = `${SYSTEM}/helix-drm-manager.service`
/** Names that break any script that interpolates them: quotes, $(...), backticks, ;, a newline, a leading dash. */
const HOSTILE = [`we ird;$(touch PWNED)'q".service`, '-dash `id`.service', 'new\nline.service']
const HOSTILE_DROPIN = `${SYSTEM}/x y's.service.d/it's $(x).conf`
const STRAY = `run/systemd/system/str ay$(touch PWNED2).service`

/** Every entry under root (the backups left out) as one line: type, mode, owner, content or link target. */
async function treeState(root: string): Promise<Map<string, string>> {
  const state = new Map<string, string>()
  async function walk(dir: string): Promise<void> {
    for (const name of (await readdir(join(root, dir))).sort()) {
      const rel = dir ? `${dir}/${name}` : name
      if (rel === 'var/lib/vmdrift') continue
      const stat = await lstat(join(root, rel))
      const who = `${(stat.mode & 0o7777).toString(8)} ${stat.uid}:${stat.gid}`
      if (stat.isSymbolicLink()) state.set(rel, `link -> ${await readlink(join(root, rel))}`)
      else if (stat.isDirectory()) {
        state.set(rel, `dir ${who}`)
        await walk(rel)
      } else state.set(rel, `file ${who} ${JSON.stringify(await readFile(join(root, rel), 'utf8'))}`)
    }
  }
  await walk('')
  return state
}

const withoutTemps = (state: Map<string, string>) => new Map([...state].filter(([path]) => !path.includes('.vmdrift-tmp.')))

describe('vmdrift restore over a real sshd', () => {
  let sshd: Awaited<ReturnType<typeof startSshd>>
  let work: string
  let template: string
  let outside: string
  let baseline: string
  let edited: Map<string, string>
  let restored: Map<string, string>
  let cases = 0

  /** A fresh copy of the host with the edits made after the baseline, and the flags to restore it. */
  async function editedHost(): Promise<{root: string; flags: string[]}> {
    const root = join(work, `host-${++cases}`)
    await cp(template, root, {recursive: true, verbatimSymlinks: true})
    return {root, flags: ['--ssh-config', sshd.sshConfigFile, '--root', root, '--baseline', baseline]}
  }

  beforeAll(async () => {
    sshd = await startSshd()
    work = await mkdtemp(join(tmpdir(), 'vmdrift-restore-'))
    template = join(work, 'template')
    await cp(join(repo, 'test/fixtures/helix-vm'), template, {recursive: true, verbatimSymlinks: true})
    // As on a real root, where the backups go (/var/lib/vmdrift/backups) exists up to /var/lib.
    await mkdir(join(template, 'var/lib'), {recursive: true})
    for (const name of HOSTILE) await writeFile(join(template, SYSTEM, name), `[Service]\nExecStart=/bin/echo ${JSON.stringify(name)}\n`)
    await mkdir(join(template, HOSTILE_DROPIN, '..'))
    await writeFile(join(template, HOSTILE_DROPIN), '[Unit]\nAfter=network.target\n')
    await symlink(`/etc/systemd/system/${HOSTILE[0]}`, join(template, SYSTEM, 'multi-user.target.wants', HOSTILE[0]!))
    baseline = join(work, 'baselines/helix-vm.yaml')
    expect((await vmdrift(['capture', sshd.alias, '--ssh-config', sshd.sshConfigFile, '--root', template, '--baseline', baseline])).code).toBe(0)

    // The edits: every hostile file changed, an enablement link removed, a stray unit in /run, the incident's After=
    // edit, and the unit file itself replaced by a symlink to a file outside the root.
    for (const name of HOSTILE) await writeFile(join(template, SYSTEM, name), '[Service]\nExecStart=/bin/false\n')
    await writeFile(join(template, HOSTILE_DROPIN), '[Unit]\nAfter=multi-user.target\n')
    await unlink(join(template, SYSTEM, 'multi-user.target.wants', HOSTILE[0]!))
    await mkdir(join(template, STRAY, '..'), {recursive: true})
    await writeFile(join(template, STRAY), '[Service]\nExecStart=/bin/true\n')
    outside = join(work, 'outside-victim.service')
    await writeFile(outside, (await readFile(join(template, UNIT), 'utf8')).replace('After=systemd-udev-settle.service', 'After=multi-user.target'))
    await rm(join(template, UNIT))
    await symlink(outside, join(template, UNIT))
    edited = await treeState(template)

    const {root, flags} = await editedHost()
    expect((await vmdrift(['restore', sshd.alias, ...flags, '--yes'])).code).toBe(0)
    restored = await treeState(root)
  })

  afterAll(async () => {
    await sshd?.stop()
    if (work) await rm(work, {recursive: true, force: true})
  })

  it('refuses to change anything without --yes when there is no terminal to ask on, exit 2', async () => {
    const {root, flags} = await editedHost()
    const run = await vmdrift(['restore', sshd.alias, ...flags])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('vmdrift: refusing to change vmdrift-test without --yes: no terminal to ask on (see the plan with --dry-run, apply it with --yes)\n')
    expect(await treeState(root)).toEqual(edited)
  })

  it('applies exactly the --dry-run plan in one exec, replaces the planted symlink without following it, and verifies', async () => {
    const {root, flags} = await editedHost()
    const dry = await vmdrift(['restore', sshd.alias, ...flags, '--dry-run', '--json'])
    expect(dry.code).toBe(1)
    const planned = (JSON.parse(dry.stdout).plan.steps as Step[]).map(stepLine)
    expect(await treeState(root)).toEqual(edited)
    expect(planned).toContain(`write /${UNIT}`)
    expect(planned).toContain(`move aside /${STRAY}`)
    expect(planned).toContain(`link /${SYSTEM}/multi-user.target.wants/${HOSTILE[0]} -> /etc/systemd/system/${HOSTILE[0]}`)

    const mark = sshd.mark()
    const run = await vmdrift(['restore', sshd.alias, ...flags, '--yes', '--json'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const result = JSON.parse(run.stdout)
    expect(result.applied).toEqual(planned)
    expect(result.verified.inSync).toBe(true)
    // read to plan, the apply, read to verify: one exec each
    expect(sshd.countExecRequests({since: mark})).toBe(3)

    expect((await lstat(join(root, UNIT))).isFile()).toBe(true)
    expect(await readFile(outside, 'utf8')).toContain('After=multi-user.target')
    expect(await readFile(join(root, UNIT), 'utf8')).toContain('After=systemd-udev-settle.service')
    for (const name of HOSTILE) expect(await readFile(join(root, SYSTEM, name), 'utf8')).toBe(`[Service]\nExecStart=/bin/echo ${JSON.stringify(name)}\n`)
    expect(await treeState(root)).toEqual(restored)
    for (const planted of ['PWNED', 'PWNED2']) expect(JSON.stringify([...(await treeState(root)).keys()])).not.toContain(`"${planted}`)

    // The stray unit went into the backup, not away.
    const backup = join(root, 'var/lib/vmdrift/backups', result.backup)
    const aside = (await readdir(backup)).filter((name) => name.endsWith('.aside'))
    expect(await Promise.all(aside.map((name) => readFile(join(backup, name), 'utf8')))).toContain('[Service]\nExecStart=/bin/true\n')
    expect((await vmdrift(['check', sshd.alias, ...flags])).code).toBe(0)
  })

  it('lists the backup, and --undo puts back exactly what was there, removing what the restore created', async () => {
    const {root, flags} = await editedHost()
    const run = await vmdrift(['restore', sshd.alias, ...flags, '--yes', '--json'])
    expect(run.code).toBe(0)
    const {backup} = JSON.parse(run.stdout)
    const list = await vmdrift(['restore', sshd.alias, ...flags, '--list'])
    expect(list.stdout).toContain(`${backup}  applied  `)
    const undone = await vmdrift(['restore', sshd.alias, ...flags, '--undo', '--yes'])
    expect(undone.stderr).toBe('')
    expect(undone.stdout).toMatch(new RegExp(`^undone: ${backup} on vmdrift-test \\(\\d+ paths put back\\)`))
    expect(await treeState(root)).toEqual(edited)
    expect(await readlink(join(root, UNIT))).toBe(outside)
    expect((await vmdrift(['restore', sshd.alias, ...flags, '--list'])).stdout).toContain(`${backup}  undone  `)
    expect((await vmdrift(['restore', sshd.alias, ...flags, '--undo', '--yes'])).stderr).toMatch(/no restore to undo on vmdrift-test/)
  })

  it('refuses to write through a directory that is a symlink, exit 2, and leaves the outside alone', async () => {
    const {root, flags} = await editedHost()
    const dropins = join(root, HOSTILE_DROPIN, '..')
    const elsewhere = join(work, `elsewhere-${cases}`)
    await cp(dropins, elsewhere, {recursive: true})
    await rm(dropins, {recursive: true})
    await symlink(elsewhere, dropins)
    const before = await readFile(join(elsewhere, "it's $(x).conf"), 'utf8')
    const run = await vmdrift(['restore', sshd.alias, ...flags, '--yes', '--only', `/${HOSTILE_DROPIN}`])
    // Read through the link the drop-in differs; the write must not go there.
    expect(run.code).toBe(2)
    expect(run.stdout).toMatch(/failed write .*it's \$\(x\)\.conf: .*its directory is a symlink/)
    expect(await readFile(join(elsewhere, "it's $(x).conf"), 'utf8')).toBe(before)
  })

  it('puts a binary back only from bytes kept at capture (--keep-content); without them: cannot restore, exit 1', async () => {
    const root = join(work, 'binaries')
    await cp(join(repo, 'test/fixtures/helix-vm'), root, {recursive: true, verbatimSymlinks: true})
    const bin = join(root, 'usr/local/bin/helix-drm-manager')
    const original = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff, 0xfe, 0x27, 0x0a, 0, 0x24, 0x28])
    await writeFile(bin, original, {mode: 0o755})
    const flags = ['--ssh-config', sshd.sshConfigFile, '--root', root]
    const plain = join(work, 'plain/helix-vm.yaml')
    const kept = join(work, 'kept/helix-vm.yaml')
    expect((await vmdrift(['capture', sshd.alias, ...flags, '--baseline', plain])).code).toBe(0)
    expect((await vmdrift(['capture', sshd.alias, ...flags, '--baseline', kept, '--keep-content', '/usr/local/bin/*'])).code).toBe(0)
    expect(await readdir(join(work, 'kept/helix-vm.blobs'))).toHaveLength(1)
    expect(await readFile(kept, 'utf8')).toContain('keepContent:\n    - /usr/local/bin/*\n')
    await writeFile(bin, 'rebuilt at 11:40\n')

    const without = await vmdrift(['restore', sshd.alias, ...flags, '--baseline', plain, '--yes'])
    expect(without.code).toBe(1)
    expect(without.stdout).toContain('cannot restore: /usr/local/bin/helix-drm-manager: content not in baseline (sha256 only; capture --keep-content GLOB keeps it)')
    expect(await readFile(bin, 'utf8')).toBe('rebuilt at 11:40\n')

    const restored = await vmdrift(['restore', sshd.alias, ...flags, '--baseline', kept, '--yes'])
    expect(restored.stderr).toBe('')
    expect(restored.code).toBe(0)
    expect(await readFile(bin)).toEqual(original)
    expect((await lstat(bin)).mode & 0o777).toBe(0o755)
  })

  // Interruption at every point: after backing up the first and the second path, after the whole backup, after each temporary file is
  // written (before its rename), after each step. Whatever the point, every path is as it was or as restored,
  // never half-written; a second restore finishes the job, and --undo then goes back past both.
  describe('cut short', () => {
    const points: string[] = []
    beforeAll(async () => {
      const {flags} = await editedHost()
      const dry = JSON.parse((await vmdrift(['restore', sshd.alias, ...flags, '--dry-run', '--json'])).stdout)
      const steps = dry.plan.steps as Step[]
      points.push('backup:1', 'backup:2', 'step:0')
      steps.forEach((step, i) => {
        if (step.kind === 'write' || step.kind === 'link') points.push(`temp:${i + 1}`)
        points.push(`step:${i + 1}`)
      })
    })

    it('at every point: nothing lost or half-written; restore again finishes it, undo recovers', async () => {
      expect(points.length).toBeGreaterThan(10)
      for (const [i, point] of points.entries()) {
        const {root, flags} = await editedHost()
        const cut = await vmdrift(['restore', sshd.alias, ...flags, '--yes'], {env: {VMDRIFT_FAULT: point}})
        expect(cut.code, point).toBe(2)
        expect(cut.stderr, point).toMatch(/the restore was cut short (while backing up into|after \d+ of \d+ steps)/)
        const state = await treeState(root)
        for (const path of new Set([...edited.keys(), ...restored.keys(), ...state.keys()])) {
          if (path.includes('.vmdrift-tmp.')) continue
          expect([edited.get(path), restored.get(path)], `${point}: ${JSON.stringify(path)}`).toContain(state.get(path))
        }
        expect([...state.keys()].filter((path) => path.includes('.vmdrift-tmp.')).length, point).toBeLessThanOrEqual(point.startsWith('temp:') ? 1 : 0)
        expect(await readFile(outside, 'utf8'), point).toContain('After=multi-user.target')

        if (i % 2 === 0) {
          // Run again: it finishes the job; undo then returns to the state before the first, cut-short, restore.
          const again = await vmdrift(['restore', sshd.alias, ...flags, '--yes'])
          expect(again.code, `${point}: ${again.stdout}${again.stderr}`).toBe(0)
          expect(await treeState(root), point).toEqual(restored)
        }
        const undone = await vmdrift(['restore', sshd.alias, ...flags, '--undo', '--yes'])
        expect(undone.code, `${point}: ${undone.stderr}`).toBe(0)
        expect(withoutTemps(await treeState(root)), point).toEqual(edited)
        expect([...(await treeState(root)).keys()].filter((path) => path.includes('.vmdrift-tmp.')), point).toEqual([])
        await rm(root, {recursive: true, force: true})
      }
    }, 300_000)
  })
})
