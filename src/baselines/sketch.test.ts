import {describe, expect, it} from 'vitest'
import type {Baseline} from '../model.js'
import {formatBaseline, parseBaseline, parseSketched, readHeader} from './format.js'
import {ITEMS_PER_PIECE, sketchBaseline} from './sketch.js'

const now = async () => undefined

function bigBaseline(n: number): Baseline {
  const files = Object.fromEntries(
    Array.from({length: n}, (_, i) => [`/opt/app/lib-${Math.floor(i / 100)}/module-${i % 100}.so`, {type: 'file', mode: '0644', owner: 'root', group: 'root', size: i, sha256: 'a'.repeat(64)}]),
  )
  return {
    vmdrift: 2,
    target: 'helix-vm',
    options: {collectors: ['systemd', 'kernel-cmdline', 'files', 'docker'], watch: ['/opt/app/*/*']},
    collectors: {
      systemd: {
        '/etc/systemd/system/a.service': {type: 'unit', mode: '0644', owner: 'root', group: 'root', content: '[Unit]\nAfter=x.service\n\n    indented: like a key\n#comment\n'},
        '/etc/systemd/system/b.service': {type: 'mask', target: '/dev/null'},
        '/etc/systemd/system/we ird.service': {type: 'unit', mode: '0644', owner: 'root', group: 'root', content: 'x'},
      },
      'kernel-cmdline': {},
      files,
      docker: {'/etc/docker/daemon.json': {type: 'config', mode: '0644', owner: 'root', group: 'root', content: '{}\n'}},
    },
  }
}

describe('a baseline read in pieces', () => {
  it('cuts what vmdrift writes into pieces of items, with every key read off the lines', () => {
    const baseline = bigBaseline(1234)
    // a key with a space is plain YAML too
    const sketch = sketchBaseline(formatBaseline(baseline))!
    expect(sketch).toBeDefined()
    expect([...sketch.keys.keys()]).toEqual(['systemd', 'kernel-cmdline', 'files', 'docker'])
    for (const [id, keys] of sketch.keys) expect(keys.sort()).toEqual(Object.keys(baseline.collectors[id]!).sort())
    expect(Math.max(...sketch.pieces.map((piece) => piece.keys.length))).toBe(ITEMS_PER_PIECE)
    expect(readHeader(sketch)).toEqual({vmdrift: 2, target: 'helix-vm', options: baseline.options})
  })

  it('parses to exactly what the whole parse gives', async () => {
    const text = formatBaseline(bigBaseline(1234))
    const sketch = sketchBaseline(text)!
    expect(await parseSketched(text, 'b.yaml', sketch, now)).toEqual(parseBaseline(text, 'b.yaml'))
  })

  it('gives no sketch for a layout vmdrift does not write, so the file is parsed whole', () => {
    const text = formatBaseline(bigBaseline(3))
    const flow = text.replace(/ {2}docker:\n[\s\S]*?(?=# end)/, '  docker: {"/etc/docker/daemon.json": {type: config}}\n')
    expect(flow).not.toBe(text)
    expect(sketchBaseline(flow)).toBeUndefined()
    expect(sketchBaseline(text.replace('    /etc/systemd/system/b.service:', '    "/etc/systemd/system/b.service":'))).toBeUndefined()
    expect(sketchBaseline(text.replace('    /etc/systemd/system/b.service:', '    true:'))).toBeUndefined()
    expect(sketchBaseline(text.replace('collectors:\n', 'collectors: \n  # a comment\n'))).toBeDefined()
    expect(sketchBaseline(text.replace('\ncollectors:\n', '\n'))).toBeUndefined()
  })

  it('leaves to the whole parse what only it can judge: a key twice in two pieces, an alias, YAML that is not', async () => {
    const text = formatBaseline(bigBaseline(1200))
    const first = '    /opt/app/lib-0/module-0.so:\n'
    const twice = text.replace('    /opt/app/lib-9/module-99.so:\n', first)
    expect(await parseSketched(twice, 'b.yaml', sketchBaseline(twice)!, now)).toBeUndefined()
    expect(() => parseBaseline(twice, 'b.yaml')).toThrow(/duplicated mapping key/)
    const alias = text.replace('      sha256: ' + 'a'.repeat(64), '      sha256: &x ' + 'a'.repeat(64))
    expect(await parseSketched(alias, 'b.yaml', sketchBaseline(alias)!, now)).toBeUndefined()
    const broken = text.replace('      type: mask\n', '      type: [mask\n')
    expect(await parseSketched(broken, 'b.yaml', sketchBaseline(broken)!, now)).toBeUndefined()
  })

  it('reports a schema error the way the whole parse does, at its line', async () => {
    const text = formatBaseline(bigBaseline(1200)).replace('      mode: "0644"\n      owner: root\n      sha256', '      mode: "0644"\n      owner: root\n      surprise: 1\n      sha256')
    const whole = (() => {
      try {
        parseBaseline(text, 'b.yaml')
      } catch (error) {
        return (error as Error).message
      }
    })()
    expect(whole).toMatch(/^b\.yaml:\d+:\d+: .*unknown field 'surprise'/)
    await expect(parseSketched(text, 'b.yaml', sketchBaseline(text)!, now)).rejects.toThrow(whole!)
  })
})
