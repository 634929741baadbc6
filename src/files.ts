// Files written whole or not at all: to a temporary name in the same directory, flushed, then renamed over the
// old one, so a reader (git, node_exporter's textfile collector) never sees half a file. Through a symlink to its
// target, keeping an existing file's mode and owner, and never onto a device or a directory; file system errors
// are one plain line (InputError, exit 2).
import {randomBytes} from 'node:crypto'
import type {Stats} from 'node:fs'
import {lstat, mkdir, open, readlink, rename, rm} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'
import {InputError} from './errors.js'

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

function writeError(what: string, file: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code
  if (!code) throw error
  return new InputError(`cannot write ${what} ${file}: ${code}${WRITE_ERRORS[code] ? ` (${WRITE_ERRORS[code]})` : ''}`)
}

/**
 * Where a write to `file` must land: through a symlink to its target (a baseline may be a link into another
 * checkout), and only ever onto a regular file or a new one. Returns the path and what is there now.
 */
async function destination(what: string, file: string): Promise<{path: string; existing?: Stats}> {
  let path = file
  for (let links = 0; ; links++) {
    const entry = await lstat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw writeError(what, file, error)
    })
    if (!entry) return {path}
    if (entry.isSymbolicLink()) {
      if (links >= 40) throw writeError(what, file, Object.assign(new Error('loop'), {code: 'ELOOP'}))
      path = resolve(dirname(path), await readlink(path))
      continue
    }
    if (!entry.isFile()) {
      const kind = entry.isDirectory() ? 'a directory' : entry.isCharacterDevice() || entry.isBlockDevice() ? 'a device' : 'not a regular file'
      throw new InputError(`cannot write ${what} ${file}: it is ${kind}`, `give the path of a ${what} file`)
    }
    return {path, existing: entry}
  }
}

/** `what` names the file in errors: "baseline", "JUnit report", … */
export async function writeFileAtomic(file: string, data: string | Buffer, what = 'file'): Promise<void> {
  const {path, existing} = await destination(what, file)
  await mkdir(dirname(path), {recursive: true}).catch((error) => {
    throw writeError(what, file, error)
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
            `cannot write ${what} ${file}: it belongs to uid ${existing.uid}, and a new copy could not keep that owner (${error.code})`,
            'write it as its owner, or as root',
          )
        })
      }
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, {force: true})
    throw error instanceof InputError ? error : writeError(what, file, error)
  }
}
