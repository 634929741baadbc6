// Reading and writing baseline files. A write goes to a temporary file in the same directory, is flushed, then
// renamed over the old one: a capture that fails half-way never leaves a half-written baseline.
import {randomBytes} from 'node:crypto'
import type {Stats} from 'node:fs'
import {lstat, mkdir, open, readdir, readFile, readlink, rename, rm} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'
import type {Baseline} from '../model.js'
import {InputError} from '../errors.js'
import {formatBaseline, parseBaseline} from './format.js'

/** baselines/<target>.yaml, the target made safe as a file name. */
export function defaultBaselinePath(target: string): string {
  return join('baselines', `${target.replace(/[^\w.@-]+/g, '_')}.yaml`)
}

export async function readBaselineFile(file: string): Promise<Baseline> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const hint = code === 'ENOENT' ? 'capture one first: vmdrift capture TARGET' : undefined
    throw new InputError(`cannot read baseline ${file}: ${code ?? String(error)}`, hint)
  }
  return parseBaseline(text, file)
}

/** Plain words for the file system errors a write can meet, so they read as one line, not an internal error. */
const WRITE_ERRORS: Record<string, string> = {
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a directory',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
}

function writeError(file: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code
  if (!code) throw error
  return new InputError(`cannot write baseline ${file}: ${code}${WRITE_ERRORS[code] ? ` (${WRITE_ERRORS[code]})` : ''}`)
}

/**
 * Where a write to `file` must land: through a symlink to its target (a baseline may be a link into another
 * checkout), and only ever onto a regular file or a new one. Returns the path and what is there now.
 */
async function destination(file: string): Promise<{path: string; existing?: Stats}> {
  let path = file
  for (let links = 0; ; links++) {
    const entry = await lstat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw writeError(file, error)
    })
    if (!entry) return {path}
    if (entry.isSymbolicLink()) {
      if (links >= 40) throw writeError(file, Object.assign(new Error('loop'), {code: 'ELOOP'}))
      path = resolve(dirname(path), await readlink(path))
      continue
    }
    if (!entry.isFile()) {
      const what = entry.isDirectory() ? 'a directory' : entry.isCharacterDevice() || entry.isBlockDevice() ? 'a device' : 'not a regular file'
      throw new InputError(`cannot write baseline ${file}: it is ${what}`, 'give the path of a baseline file (--baseline FILE)')
    }
    return {path, existing: entry}
  }
}

/**
 * Writes atomically (temp file, fsync, rename) onto the link target if `file` is a symlink, keeping an existing
 * file's mode and owner. File system errors are InputErrors: one line, exit 2.
 */
export async function writeBaselineFile(file: string, baseline: Baseline): Promise<void> {
  await writeSafely(file, formatBaseline(baseline))
}

/** baselines/helix-vm.yaml → baselines/helix-vm.blobs: the bytes capture --keep-content keeps, by sha256 */
export function blobsDir(baselineFile: string): string {
  return `${baselineFile.replace(/\.ya?ml$/, '')}.blobs`
}

/** Each blob under its sha256, written once: content-addressed, a blob already there is already right. */
export async function writeBlobs(dir: string, blobs: Map<string, Buffer>): Promise<void> {
  await mkdir(dir, {recursive: true}).catch((error) => {
    throw writeError(dir, error)
  })
  const present = new Set(await readdir(dir))
  for (const [sha256, bytes] of blobs) {
    if (!present.has(sha256)) await writeSafely(join(dir, sha256), bytes)
  }
}

async function writeSafely(file: string, text: string | Buffer): Promise<void> {
  const {path, existing} = await destination(file)
  await mkdir(dirname(path), {recursive: true}).catch((error) => {
    throw writeError(file, error)
  })
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx', existing ? existing.mode & 0o7777 : 0o644)
    try {
      // The mode given to open is cut by the umask: set it exactly, as the old file had it.
      if (existing) await handle.chmod(existing.mode & 0o7777)
      if (existing && (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.())) {
        await handle.chown(existing.uid, existing.gid).catch((error: NodeJS.ErrnoException) => {
          throw new InputError(
            `cannot write baseline ${file}: it belongs to uid ${existing.uid}, and a new copy could not keep that owner (${error.code})`,
            'write it as its owner, or as root',
          )
        })
      }
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, {force: true})
    throw error instanceof InputError ? error : writeError(file, error)
  }
}
