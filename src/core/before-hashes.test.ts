import {cp, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {formatBaseline} from '../baselines/format.js'
import {collectors} from '../collectors/index.js'
import {BASELINE_FORMAT, type Baseline, type Snapshot} from '../model.js'
import {LocalTarget} from '../transport/local.js'
import type {ExecResult, RunOptions, Target} from '../transport/types.js'
import {BeforeHashes} from './before-hashes.js'
import {FIXTURE_ROOT} from './demo.js'
import {readHost, readHostAhead} from './read-host.js'

const B = 'vmdrift-test'
const hash = (c: string) => c.repeat(64)
const tick = () => new Promise((resolve) => setImmediate(resolve))

/** BeforeHashes fed `pieces`, its read making a text with one placeholder per name; the settled text, or undefined. */
async function settle(pieces: string[], names: string[]): Promise<string | undefined> {
  const before = new BeforeHashes(B, (_stream, placeholder) => ({snapshot: {} as Snapshot, value: names.map((name) => `${name}: ${placeholder(name)}\n`).join('')}))
  for (const piece of pieces) before.onOutput(Buffer.from(piece))
  await tick()
  const settled = before.settle(Buffer.from(pieces.join('')))
  return settled?.fill(settled.value)
}

const head = `\n${B} S\nstat output`
const hashes = (pairs: [string, string][]) => `\n${B} H\n${pairs.map(([h, name]) => `${h}  ${name}\0`).join('')}`
const end = `\n${B} END\n`

describe('BeforeHashes', () => {
  it('puts each hash where its placeholder was, the marker found across pieces', async () => {
    const stream = head + hashes([[hash('a'), '/bin/a'], [hash('b'), '/bin/b']]) + end
    const at = stream.indexOf(`\n${B} H\n`) + 3
    expect(await settle([stream.slice(0, at), stream.slice(at)], ['/bin/a', '/bin/b'])).toBe(`/bin/a: ${hash('a')}\n/bin/b: ${hash('b')}\n`)
  })

  it('lets go when the hashes are not exactly the placeholders, or anything but END follows them', async () => {
    // a file the host could not hash, one more than expected, another frame after the hashes, no END
    expect(await settle([head + hashes([[hash('a'), '/bin/a']]) + end], ['/bin/a', '/bin/b'])).toBeUndefined()
    expect(await settle([head + hashes([[hash('a'), '/bin/a'], [hash('b'), '/bin/b']]) + end], ['/bin/a'])).toBeUndefined()
    expect(await settle([head + hashes([[hash('a'), '/bin/a']]) + `\n${B} O late\nx` + end], ['/bin/a'])).toBeUndefined()
    expect(await settle([head + hashes([[hash('a'), '/bin/a']])], ['/bin/a'])).toBeUndefined()
    // all digits and e: YAML would write it as a number, not as the placeholder was written
    expect(await settle([head + hashes([[`12e${'3'.repeat(61)}`, '/bin/a']]) + end], ['/bin/a'])).toBeUndefined()
  })
})

/** The baseline a capture lays out (capture.ts). */
const layOut = (snapshot: Snapshot, watch: string[]): Baseline => ({
  vmdrift: BASELINE_FORMAT,
  target: snapshot.target,
  options: {collectors: collectors.map((c) => c.id), watch},
  collectors: Object.fromEntries(collectors.map((c) => [c.id, snapshot.collectors[c.id] ?? {}])),
})

/** This machine, the answer handed over in small pieces as a network would. */
class InPieces implements Target {
  readonly name = 'local'
  async open(): Promise<void> {}
  async runScript(script: string, options: RunOptions = {}): Promise<ExecResult> {
    const result = await new LocalTarget().runScript(script)
    for (let at = 0; at < result.stdout.length; at += 1000) {
      options.onOutput?.(result.stdout.subarray(at, at + 1000))
      await tick()
    }
    return result
  }
  async close(): Promise<void> {}
}

describe('readHostAhead', () => {
  let dir: string
  let root: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vmdrift-ahead-'))
    root = join(dir, 'root')
    await cp(FIXTURE_ROOT, root, {recursive: true, verbatimSymlinks: true})
    for (let i = 0; i < 30; i++) await writeFile(join(root, `usr/local/bin/tool-${i}`), `#!/bin/sh\n# ${i}\n`, {mode: 0o755})
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  const options = (watch: string[]) => ({collectors, capture: {watch, keepContent: [], redact: []}, root})

  it('formats the baseline before the hashes come, byte for byte what formatting it after would give', async () => {
    const watch = ['/usr/local/bin/*']
    const {snapshot, ahead} = await readHostAhead(new InPieces(), options(watch), (provisional) => formatBaseline(layOut(provisional, watch)))
    expect(ahead).toBeDefined()
    const plain = await readHost(new LocalTarget(), options(watch))
    expect(snapshot.collectors).toEqual(plain.collectors)
    expect(ahead!.fill(ahead!.value)).toBe(formatBaseline(layOut(plain, watch)))
  })

  it('reads the whole answer instead when a watched file could not be hashed', async () => {
    // What a host answers when it cannot read a binary: no hash for it.
    class DropsAHash extends InPieces {
      override async runScript(script: string, options: RunOptions = {}): Promise<ExecResult> {
        const result = await super.runScript(script, {})
        const stdout = Buffer.from(result.stdout.toString('latin1').replace(/[0-9a-f]{64} {2}[^\0]*\/tool-3\0/, ''), 'latin1')
        for (let at = 0; at < stdout.length; at += 1000) options.onOutput?.(stdout.subarray(at, at + 1000))
        await tick()
        return {...result, stdout}
      }
    }
    const watch = ['/usr/local/bin/*']
    const {snapshot, ahead} = await readHostAhead(new DropsAHash(), options(watch), (provisional) => formatBaseline(layOut(provisional, watch)))
    expect(ahead).toBeUndefined()
    expect(snapshot.collectors.files!['/usr/local/bin/tool-3']).toMatchObject({error: 'not readable'})
    expect(snapshot.collectors.files!['/usr/local/bin/tool-4']).toMatchObject({sha256: expect.stringMatching(/^[0-9a-f]{64}$/)})
  })
})
