// Start-up, which every pre-test check pays: the built CLI runs from V8's code caches that the build wrote.
import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {repo} from '../support/cli.js'

describe('start-up', () => {
  it('runs the bundle and ssh2 from the code caches the build wrote, which this node accepts', () => {
    const loader = new URL('../../bin/load-bundle.js', import.meta.url).href
    const probe = [
      `import {join} from 'node:path'`,
      `import {BUNDLE_DIR, loadBundle, runBundleFile} from '${loader}'`,
      `const bundle = loadBundle().script`,
      `const ssh2 = runBundleFile(join(BUNDLE_DIR, 'ssh2.cjs')).script`,
      `console.log(JSON.stringify({bundle: bundle.cachedDataRejected, ssh2: ssh2.cachedDataRejected}))`,
    ].join('\n')
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {cwd: repo, encoding: 'utf8'})
    // undefined would mean no cache was given at all (none built); true, that V8 refused it.
    expect(JSON.parse(out)).toEqual({bundle: false, ssh2: false})
  })
})
