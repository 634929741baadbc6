// Reading and writing baseline files. A write is atomic (src/files.ts): a capture that fails half-way never leaves
// a half-written baseline.
import {mkdir, readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {Baseline} from '../model.js'
import {InputError} from '../errors.js'
import {writeFileAtomic} from '../files.js'
import {formatBaseline, parseBaseline} from './format.js'

/** <dir>/<target>.yaml (dir: baselines, or the config's), the target made safe as a file name. */
export function defaultBaselinePath(target: string, dir = 'baselines'): string {
  return join(dir, `${target.replace(/[^\w.@-]+/g, '_')}.yaml`)
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

export async function writeBaselineFile(file: string, baseline: Baseline): Promise<void> {
  await writeFileAtomic(file, formatBaseline(baseline), 'baseline')
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
