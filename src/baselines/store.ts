// Reading and writing baseline files. A write goes to a temporary file in the same directory, is flushed, then
// renamed over the old one: a capture that fails half-way never leaves a half-written baseline.
import {randomBytes} from 'node:crypto'
import {mkdir, open, readFile, rename, rm} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
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

export async function writeBaselineFile(file: string, baseline: Baseline): Promise<void> {
  const text = formatBaseline(baseline)
  await mkdir(dirname(file), {recursive: true})
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx', 0o644)
    try {
      await handle.writeFile(text)
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
