// The layers import downwards only: the model is a leaf; drift/ and baselines/ never reach up into core/;
// collectors never reach into the engine. Read from the sources, like the no-I/O test of the collectors.
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

const src = fileURLToPath(new URL('.', import.meta.url))

function sources(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : []
  })
}

/** The files of src/ that `file` imports (type-only imports too: they tie the layers as much). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from '(\.[^']+)'/gm)].map((m) => relative(src, join(file, '..', m[1]!)))
}

const layer = (path: string) => path.split('/')[0]!.replace(/\.ts$/, '')

describe('layers', () => {
  it('finds the imports it checks', () => {
    expect(importsOf(join(src, 'drift/diff.ts'))).toContain('model.ts'.replace('.ts', '.js'))
  })

  it('keeps the model a leaf: it imports nothing of ours', () => {
    expect(importsOf(join(src, 'model.ts'))).toEqual([])
  })

  it.each([
    ['drift', ['core', 'commands', 'cli', 'transport', 'report', 'baselines']],
    ['baselines', ['core', 'commands', 'cli', 'transport', 'report', 'drift', 'collectors']],
    ['collectors', ['core', 'commands', 'cli', 'transport', 'report', 'drift', 'baselines']],
    ['report', ['commands', 'cli', 'transport']],
    ['transport', ['core', 'commands', 'cli', 'report', 'drift', 'baselines', 'collectors']],
    ['config', ['core', 'commands', 'cli', 'transport', 'report', 'collectors']],
  ])('%s/ imports none of %j', (from, forbidden) => {
    for (const file of sources(join(src, from))) {
      const bad = importsOf(file).filter((target) => forbidden.includes(layer(target)))
      expect(bad, relative(src, file)).toEqual([])
    }
  })
})
