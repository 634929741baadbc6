import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {Probe} from '../collectors/types.js'
import {LocalTarget} from '../transport/local.js'
import {parseStream} from './frames.js'
import {compileScript} from './script.js'

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const BOUNDARY = 'vmdrift-0123456789abcdef'

async function run(probes: Probe[], root: string) {
  const out = await new LocalTarget().runScript(compileScript(probes, {boundary: BOUNDARY, root}))
  expect(out.stderr).toBe('')
  const content = Object.fromEntries(probes.flatMap((p) => (p.kind === 'files' ? [[p.id, p.content]] : [])))
  return parseStream(out.stdout, BOUNDARY, {root, sha256, content}).results
}

describe('command probes', () => {
  let root: string
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'vmdrift-commands-'))
  })
  afterEach(async () => {
    await rm(root, {recursive: true, force: true})
  })

  it('runs an each-probe ONCE with every match of its files probe as operands, named as the collector says', async () => {
    const dir = join(root, 'etc/units')
    await mkdir(join(dir, 'b.service.d'), {recursive: true})
    await mkdir(join(dir, 'multi-user.target.wants'), {recursive: true})
    const names = ['a.service', "it's $(touch PWNED).service", 'with space.service', 'notes.txt', 'getty@tty1.service', 'dev-disk-by\\x2dlabel-data.swap']
    for (const name of names) await writeFile(join(dir, name), 'x')
    const probes: Probe[] = [
      {kind: 'files', id: 'units', globs: ['/etc/units/*'], content: 'none'},
      {
        kind: 'each', id: 'show', reads: 'live', of: 'units', tools: ['sh'],
        strip: ['.d', '.wants'], suffixes: ['.service', '.target', '.swap'], args: ['known.service'],
        // One external process for all operands: the count of runs goes to a file, the operands to the stream.
        script: `printf x >> "$R/runs"; printf '%s\\n' "$@"`,
      },
    ]
    const results = await run(probes, root)
    expect(results.show).toEqual({
      records: [],
      // No unit name holds a quote, `$`, a space: such a file is no unit, and systemctl would refuse the whole call.
      output: ['known.service', 'a.service', 'b.service', 'dev-disk-by\\x2dlabel-data.swap', 'getty@tty1.service', 'multi-user.target', ''].join('\n'),
      exitCode: 0,
    })
    expect(existsSync(join(root, 'runs'))).toBe(true)
    expect(existsSync(join(dir, 'PWNED')) || existsSync('PWNED')).toBe(false)
  })

  it('gathers thousands of operands for one run, every one of them, in order', async () => {
    const dir = join(root, 'etc/units')
    await mkdir(dir, {recursive: true})
    const names = Array.from({length: 3000}, (_, i) => `unit-${String(i).padStart(4, '0')}.service`)
    await Promise.all(names.map((name) => writeFile(join(dir, name), '')))
    const probes: Probe[] = [
      {kind: 'files', id: 'units', globs: ['/etc/units/*'], content: 'none'},
      {kind: 'each', id: 'show', reads: 'live', of: 'units', tools: ['sh'], strip: [], suffixes: ['.service'], args: [], script: `printf '%s\\n' "$@"`},
    ]
    const results = await run(probes, root)
    expect(results.show!.output!.split('\n').slice(0, -1)).toEqual(names)
  })

  it('passes args as data, never as code, and returns the exit status', async () => {
    const results = await run([{kind: 'command', id: 'c', reads: 'live', tools: [], args: ['$(touch PWNED)', "a'b"], script: `printf '%s|' "$@"; false`}], root)
    expect(results.c).toEqual({records: [], output: "$(touch PWNED)|a'b|", exitCode: 1})
    expect(existsSync('PWNED')).toBe(false)
  })

  it('reports a probe whose tool is missing as unavailable, and the script goes on', async () => {
    const results = await run(
      [
        {kind: 'command', id: 'gone', reads: 'live', tools: ['sh', 'vmdrift-no-such-tool'], script: 'vmdrift-no-such-tool'},
        {kind: 'command', id: 'after', reads: 'live', tools: ['sh'], script: 'printf ok'},
      ],
      root,
    )
    expect(results.gone).toEqual({records: [], unavailable: 'not found on the host: vmdrift-no-such-tool'})
    expect(results.after?.output).toBe('ok')
  })

  it('runs a concurrent probe alongside the rest of the script and frames its output at the end; a missing tool is said', async () => {
    await mkdir(join(root, 'etc'), {recursive: true})
    await writeFile(join(root, 'etc/f'), 'content\n')
    const probes: Probe[] = [
      {kind: 'files', id: 'f', globs: ['/etc/f'], content: 'text'},
      // Reads its stdin: it must get /dev/null, not the script or another command's output.
      {kind: 'command', id: 'slow', reads: 'live', tools: ['cat'], script: "cat; printf 'slow output'", concurrent: true},
      {kind: 'command', id: 'gone', reads: 'live', tools: ['vmdrift-no-such-tool'], script: 'vmdrift-no-such-tool', concurrent: true},
      {kind: 'command', id: 'after', reads: 'live', tools: ['sh'], script: 'cat; printf still-here'},
    ]
    const script = compileScript(probes, {boundary: BOUNDARY, root})
    expect(script.indexOf("printf 'slow output'")).toBeLessThan(script.indexOf("t S"))
    const results = await run(probes, root)
    expect(results.f?.records[0]?.content).toBe('content\n')
    expect(results.slow).toEqual({records: [], output: 'slow output'})
    expect(results.gone).toEqual({records: [], unavailable: 'not found on the host: vmdrift-no-such-tool'})
    expect(results.after?.output).toBe('still-here')
  })

  it('gives a command no stdin: one that reads it cannot swallow the rest of the script (sh -s)', async () => {
    const results = await run(
      [
        {kind: 'command', id: 'reader', reads: 'live', tools: ['cat'], script: 'cat'},
        {kind: 'command', id: 'after', reads: 'live', tools: ['sh'], script: 'printf still-here'},
      ],
      root,
    )
    expect(results.reader?.output).toBe('')
    expect(results.after?.output).toBe('still-here')
  })
})
