// Reading and writing baseline files. A write goes to a temporary file in the same directory, is flushed, then
// renamed over the old one: a capture that fails half-way never leaves a half-written baseline.
import {randomBytes} from 'node:crypto'
import {mkdir, open, readdir, readFile, rename, rm} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import type {Baseline} from '../core/types.js'
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

/** baselines/helix-vm.yaml → baselines/helix-vm.blobs: the bytes capture --keep-content keeps, by sha256 */
export function blobsDir(baselineFile: string): string {
  return `${baselineFile.replace(/\.ya?ml$/, '')}.blobs`
}

/** Each blob under its sha256, written once: content-addressed, a blob already there is already right. */
export async function writeBlobs(dir: string, blobs: Map<string, Buffer>): Promise<void> {
  await mkdir(dir, {recursive: true})
  const present = new Set(await readdir(dir))
  for (const [sha256, bytes] of blobs) {
    if (!present.has(sha256)) await writeAtomically(join(dir, sha256), bytes, 0o644)
  }
}

export async function writeBaselineFile(file: string, baseline: Baseline): Promise<void> {
  await mkdir(dirname(file), {recursive: true})
  await writeAtomically(file, formatBaseline(baseline), 0o644)
}

async function writeAtomically(file: string, data: string | Buffer, mode: number): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, file)
  } catch (error) {
    await rm(temp, {force: true})
    throw error
  }
}
