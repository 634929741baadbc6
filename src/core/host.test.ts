import {describe, expect, it} from 'vitest'
import {parseHostFacts} from './host.js'

// /proc/sys/kernel/random/boot_id and the btime line of /proc/stat as the test VM printed them (fixtures in
// src/collectors/docker/__fixtures__/README.md say when): the rest of /proc/stat is ignored.
const record = (path: string, content: string) => ({path, type: 'file' as const, mode: '0444', owner: 'root', group: 'root', size: 0, mtime: 0, content})

describe('host facts', () => {
  it('reads the boot id and the boot time', () => {
    const facts = parseHostFacts({
      records: [
        record('/proc/sys/kernel/random/boot_id', 'c979cca5-6916-4334-b92d-34831eae7815\n'),
        record('/proc/stat', 'cpu  1 2 3\nintr 5\nctxt 9\nbtime 1795863518\nprocesses 700\n'),
      ],
    })
    expect(facts).toEqual({bootId: 'c979cca5-6916-4334-b92d-34831eae7815', bootTime: 1795863518})
  })

  it('knows nothing of a host it could not read', () => {
    expect(parseHostFacts(undefined)).toEqual({})
  })
})
