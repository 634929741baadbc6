import {execFileSync} from 'node:child_process'
import {chown, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {Baseline} from '../model.js'
import {MAX_BASELINE_BYTES} from './format.js'
import {readBaselineFile, writeBaselineFile} from './store.js'

const baseline: Baseline = {vmdrift: 2, target: 'helix-vm', options: {collectors: ['docker'], watch: []}, collectors: {docker: {}}}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a failure')
}

describe('writeBaselineFile', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vmdrift-store-'))
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('writes through a symlink to its target, and the link stays a link', async () => {
    await mkdir(join(dir, 'elsewhere'))
    await writeFile(join(dir, 'elsewhere/real.yaml'), 'old')
    await symlink('elsewhere/real.yaml', join(dir, 'link.yaml'))
    await writeBaselineFile(join(dir, 'link.yaml'), baseline)
    expect((await lstat(join(dir, 'link.yaml'))).isSymbolicLink()).toBe(true)
    expect(await readlink(join(dir, 'link.yaml'))).toBe('elsewhere/real.yaml')
    expect(await readFile(join(dir, 'elsewhere/real.yaml'), 'utf8')).toContain('target: helix-vm')
  })

  it("keeps an existing file's mode and owner", async () => {
    const file = join(dir, 'b.yaml')
    await writeFile(file, 'old', {mode: 0o600})
    const isRoot = process.getuid?.() === 0
    if (isRoot) await chown(file, 65534, 65534)
    await writeBaselineFile(file, baseline)
    const after = await stat(file)
    expect(after.mode & 0o7777).toBe(0o600)
    if (isRoot) expect([after.uid, after.gid]).toEqual([65534, 65534])
    expect(await readFile(file, 'utf8')).toContain('target: helix-vm')
  })

  it('refuses anything that is not a regular file, and leaves it as it was', async () => {
    // A device node of our own, the same as /dev/full (1, 7): a broken writer must not replace the machine's.
    const full = join(dir, 'full')
    execFileSync('mknod', [full, 'c', '1', '7'])
    const device = await failure(writeBaselineFile(full, baseline))
    expect(device.name).toBe('InputError')
    expect(device.message).toBe(`cannot write baseline ${full}: it is a device`)
    expect((await stat(full)).isCharacterDevice()).toBe(true)
    const directory = await failure(writeBaselineFile(dir, baseline))
    expect(directory.message).toBe(`cannot write baseline ${dir}: it is a directory`)
  })

  it('turns file system errors into one plain line', async () => {
    await writeFile(join(dir, 'file'), '')
    const cases: [string, RegExp][] = [
      [join(dir, 'file/sub/b.yaml'), /^cannot write baseline .*: ENOTDIR \(a part of the path is not a directory\)$/],
      ['/proc/vmdrift-baseline.yaml', /^cannot write baseline \/proc\/vmdrift-baseline\.yaml: (ENOENT|EACCES|EROFS) \(/],
    ]
    for (const [file, message] of cases) {
      const error = await failure(writeBaselineFile(file, baseline))
      expect(error.name).toBe('InputError')
      expect(error.message).toMatch(message)
    }
  })

  // A full disk and a read-only one need a tmpfs mount, so this needs root, as `npm test` already does (host-tools.sh).
  it('says ENOSPC and EROFS in one line, and leaves the old baseline whole', async () => {
    const mnt = join(dir, 'mnt')
    await mkdir(mnt)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', mnt])
    try {
      const file = join(mnt, 'b.yaml')
      await writeFile(file, 'old')
      const big: Baseline = {...baseline, collectors: {docker: {'/etc/docker/daemon.json': {type: 'daemon-json', content: 'x'.repeat(64 * 1024)}}}}
      const full = await failure(writeBaselineFile(file, big))
      expect(full.message).toBe(`cannot write baseline ${file}: ENOSPC (no space left on the device)`)
      expect(await readFile(file, 'utf8')).toBe('old')
      execFileSync('mount', ['-o', 'remount,ro', mnt])
      const readOnly = await failure(writeBaselineFile(file, baseline))
      expect(readOnly.message).toBe(`cannot write baseline ${file}: EROFS (read-only file system)`)
    } finally {
      execFileSync('umount', [mnt])
    }
  })

  it('refuses a baseline too large to be one, unread and unwritten', async () => {
    const huge = join(dir, 'huge.yaml')
    await writeFile(huge, `vmdrift: 2\n# ${'x'.repeat(MAX_BASELINE_BYTES)}\n`)
    const read = await failure(readBaselineFile(huge))
    expect(read.name).toBe('InputError')
    expect(read.message).toBe(`${huge}: 32 MB is more than a baseline may be (32 MB)`)
    const unit: Baseline = {...baseline, collectors: {docker: {'/etc/docker/daemon.json': {type: 'daemon-json', mode: '0644', owner: 'root', group: 'root', content: 'y'.repeat(MAX_BASELINE_BYTES)}}}}
    const written = await failure(writeBaselineFile(join(dir, 'unit.yaml'), unit))
    expect(written.message).toMatch(/^cannot write baseline .*unit\.yaml: \d+ MB is more than a baseline may be \(32 MB\)$/)
  })
})
