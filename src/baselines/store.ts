// Reading and writing baseline files. A write is atomic (src/files.ts): a capture that fails half-way never leaves
// a half-written baseline.
import {mkdir, readdir, readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'
import type {Baseline} from '../model.js'
import {InputError} from '../errors.js'
import {writeFileAtomic} from '../files.js'
import {formatBaseline, MAX_BASELINE_BYTES, parseBaseline} from './format.js'

export async function readBaselineFile(file: string): Promise<Baseline> {
  return parseBaseline(await readBaselineText(file), file)
}

/** A baseline file's text, refused when it is too big to be one; any failure is one InputError. */
export async function readBaselineText(file: string): Promise<string> {
  let text: string
  try {
    // Refused before it is read: an absurd file must not cost its size in memory first.
    const {size} = await stat(file)
    if (size > MAX_BASELINE_BYTES) throw new InputError(`${file}: ${(size / 1024 / 1024).toFixed(0)} MB is more than a baseline may be (${MAX_BASELINE_BYTES / 1024 / 1024} MB)`)
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (error instanceof InputError) throw error
    const code = (error as NodeJS.ErrnoException).code
    const hint = code === 'ENOENT' ? 'capture one first: vmdrift capture TARGET' : undefined
    throw new InputError(`cannot read baseline ${file}: ${code ?? String(error)}`, hint)
  }
  return text
}

/** Writes `baseline` (already formatted as `text`, if given: it must be formatBaseline's). */
export async function writeBaselineFile(file: string, baseline: Baseline, text = formatBaseline(baseline)): Promise<void> {
  // A baseline that could not be read back is refused now, not at the next check.
  if (text.length > MAX_BASELINE_BYTES) {
    throw new InputError(`cannot write baseline ${file}: ${(text.length / 1024 / 1024).toFixed(0)} MB is more than a baseline may be (${MAX_BASELINE_BYTES / 1024 / 1024} MB)`, 'leave the huge files out (--watch fewer paths)')
  }
  await writeFileAtomic(file, text, 'baseline')
}

/** baselines/helix-vm.yaml → baselines/helix-vm.blobs: the bytes capture --keep-content keeps, by sha256 */
export function blobsDir(baselineFile: string): string {
  return `${baselineFile.replace(/\.ya?ml$/, '')}.blobs`
}

/** Each blob under its sha256, written once: content-addressed, a blob already there is already right. */
export async function writeBlobs(dir: string, blobs: Map<string, Buffer>): Promise<void> {
  await mkdir(dir, {recursive: true}).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot write blobs ${dir}: ${error.code ?? error.message}`)
  })
  const present = new Set(await readdir(dir))
  for (const [sha256, bytes] of blobs) {
    if (!present.has(sha256)) await writeFileAtomic(join(dir, sha256), bytes, 'blob')
  }
}
