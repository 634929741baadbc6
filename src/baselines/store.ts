// Reading and writing baseline files. A write is atomic (src/files.ts): a capture that fails half-way never leaves
// a half-written baseline.
import {readFile} from 'node:fs/promises'
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
  await writeFileAtomic(file, formatBaseline(baseline))
}
