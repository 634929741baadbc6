// Loads dist/bundle/main.cjs (scripts/bundle.js) with V8's code cache of it, written at build. Node 20 has no
// compile cache for modules (module.enableCompileCache is Node 22), and compiling the 800 KB bundle was a third of
// `vmdrift check --help`; vm.Script takes a cache, for a CommonJS script only: hence a CommonJS bundle. Without
// the cache file, or with one V8 rejects (another node, other V8 flags), it compiles as require() would.
import {readFileSync} from 'node:fs'
import Module, {createRequire} from 'node:module'
import {dirname} from 'node:path'
import {fileURLToPath} from 'node:url'
import vm from 'node:vm'

export const BUNDLE = fileURLToPath(new URL('../dist/bundle/main.cjs', import.meta.url))
export const CODE_CACHE = `${BUNDLE}.cache`

/** The bundle's exports, and its script (for scripts/code-cache.js, which makes the cache from it). */
export function loadBundle({codeCache = true} = {}) {
  let cachedData
  if (codeCache) {
    try {
      cachedData = readFileSync(CODE_CACHE)
    } catch {
      // not built with one: compile
    }
  }
  const script = new vm.Script(Module.wrap(readFileSync(BUNDLE, 'utf8')), {
    filename: BUNDLE,
    cachedData,
  })
  const require = createRequire(BUNDLE)
  const module = new Module(BUNDLE)
  module.filename = BUNDLE
  // oclif require()s the bundle for its command list (package.json oclif.commands.target): it must get this very
  // instance, not load and compile the file a second time.
  require.cache[BUNDLE] = module
  script.runInThisContext()(module.exports, require, module, BUNDLE, dirname(BUNDLE))
  module.loaded = true
  return {execute: module.exports.execute, script}
}
