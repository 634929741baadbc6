import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parseHostFacts} from './host.js'

const readFixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')
const record = (path: string, content: string) => ({path, type: 'file' as const, mode: '0444', owner: 'root', group: 'root', size: 0, mtime: 0, content})

describe('host facts', () => {
  it('reads the boot id and the boot time', () => {
    const facts = parseHostFacts({
      records: [
        record('/proc/sys/kernel/random/boot_id', readFixture('boot_id')),
        record('/proc/stat', readFixture('proc-stat.txt')),
      ],
    })
    expect(facts).toEqual({bootId: '7e17cdcf-58e6-4433-a4fd-16da802dbac2', bootTime: 1795864397})
  })

  it('knows nothing of a host it could not read', () => {
    expect(parseHostFacts(undefined)).toEqual({})
  })
})
