// Loads dist/bundle/main.cjs (scripts/bundle.js) with V8's code cache of it, written at build. Node 20 has no
// compile cache for modules (module.enableCompileCache is Node 22), and compiling the 800 KB bundle was a third of
// `vmdrift check --help`; vm.Script takes a cache, for a CommonJS script only: hence a CommonJS bundle. Without
// the cache file, or with one V8 rejects (another node, other V8 flags), it compiles as require() would.
// CommonJS itself (bin/package.json), like bin/run.js: an ES module entry costs node's ES module loader, ~5 ms.
const {readFileSync} = require('node:fs')
const Module = require('node:module')
const {dirname, join} = require('node:path')
const vm = require('node:vm')

const BUNDLE_DIR = join(__dirname, '..', 'dist', 'bundle')
const BUNDLE = join(BUNDLE_DIR, 'main.cjs')
/** What starts a connection before the main bundle loads (scripts/bundle.js): src/early.ts and the transport. */
const EARLY = join(BUNDLE_DIR, 'early.cjs')

/** The code cache of a bundle file. */
const codeCacheOf = (file) => `${file}.cache`

/**
 * The bundle's own files that it require()s by a relative name (`./ssh2.cjs`: ssh2, bundled apart because only a
 * connection needs it) run from their code cache too; a plain require() (scripts/manifest.js) gets the same files.
 */
const BESIDE = /^\.\/[\w-]+\.cjs$/

/** The bundle's files run so far, with their scripts (scripts/code-cache.js writes the cache of each). */
const ran = new Map()

/** Runs one file of the bundle as a CommonJS module (once: a second call gets the same module). */
function runBundleFile(file, {codeCache = true} = {}) {
  const base = Module.createRequire(file)
  const loaded = base.cache[file]
  if (loaded) return {module: loaded}
  let cachedData
  if (codeCache) {
    try {
      cachedData = readFileSync(codeCacheOf(file))
    } catch {
      // not built with one: compile
    }
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {filename: file, cachedData})
  const require = Object.assign((id) => (BESIDE.test(id) ? runBundleFile(join(dirname(file), id)).module.exports : base(id)), {
    resolve: base.resolve,
    cache: base.cache,
  })
  const module = new Module(file)
  module.filename = file
  // oclif require()s the bundle for its command list (package.json oclif.commands.target): it must get this very
  // instance, not load and compile the file a second time.
  base.cache[file] = module
  ran.set(file, script)
  script.runInThisContext()(module.exports, require, module, file, dirname(file))
  module.loaded = true
  return {module, script}
}

/** The bundle's exports, and its script (for scripts/code-cache.js, which makes the cache from it). */
function loadBundle(options) {
  const {module, script} = runBundleFile(BUNDLE, options)
  return {execute: module.exports.execute, script}
}

/** early.cjs's exports: connectEarly (src/early.ts). */
function loadEarly() {
  return runBundleFile(EARLY).module.exports
}

module.exports = {BUNDLE_DIR, BUNDLE, codeCacheOf, runBundleFile, loadBundle, loadEarly, ran}
