// Start-up, which every pre-test check pays: the built CLI runs from V8's code cache that the build wrote.
import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {repo} from '../support/cli.js'

describe('start-up', () => {
  it('runs the bundle from the code cache the build wrote, which this node accepts', () => {
    const loader = new URL('../../bin/load-bundle.js', import.meta.url).href
    const probe = `import {loadBundle} from '${loader}'; const {script} = loadBundle(); console.log(JSON.stringify({rejected: script.cachedDataRejected}))`
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {cwd: repo, encoding: 'utf8'})
    // undefined would mean no cache was given at all (none built); true, that V8 refused it.
    expect(JSON.parse(out)).toEqual({rejected: false})
  })
})
