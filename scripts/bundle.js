#!/usr/bin/env node
// Bundles dist/main.js (after tsc) into one CommonJS file, dist/bundle/main.cjs, with esbuild: oclif and our
// commands, and behind lazy initialisers what a command needs only when it runs. Then writes V8's code cache of
// it (scripts/code-cache.js); bin/load-bundle.js says why CommonJS and why the cache. Only oclif (start-up: help,
// parsing), chalk, picomatch (oclif's globbing loads it for every command), and p-limit and log-update (ES modules
// only, which Node 20 cannot require()) are bundled, and ssh2 and yaml apart (below); the other packages a command
// loads when it runs stay in node_modules as they are, so a package that finds its files at run time (jsonc-parser's
// UMD build) works unchanged.
import {execFileSync} from 'node:child_process'
import {readFileSync, rmSync} from 'node:fs'
import {isBuiltin} from 'node:module'
import {resolve as resolvePath} from 'node:path'
import {fileURLToPath} from 'node:url'
import {build} from 'esbuild'

const {dependencies} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const bundled = new Set(['@oclif/core', 'chalk', 'p-limit', 'log-update', 'picomatch'])

rmSync(new URL('../dist/bundle', import.meta.url), {recursive: true, force: true})

/**
 * Packages bundled apart, each into dist/bundle/<file> that the main bundle require()s when it needs the package.
 * ssh2 (with its code cache, scripts/code-cache.js): only a connection needs it, and from its ~25 files in
 * node_modules it took ~45 ms to load, before the first byte could go out; bundled and cached, ~20 ms. Inside
 * main.cjs it made --help slower. @oclif/plugin-not-found: an ES module only, needed only for a mistyped command on
 * a terminal; inside main.cjs its prompts library doubled the bundle. `entry` is what the file exports.
 */
const apart = [
  {name: 'ssh2', file: 'ssh2.cjs', entry: "module.exports = require('ssh2')", external: ['*.node', 'cpu-features']},
  // yaml writes every baseline: from node_modules (~80 files) it took ~25 ms to load, and its functions compiled
  // on first use, after the host's last byte (a first format ~30 ms, a second ~10 ms). Bundled, its code cache is
  // written after a demo run (scripts/code-cache.js), so it holds them compiled.
  {name: 'yaml', file: 'yaml.cjs', entry: "module.exports = require('yaml')", external: []},
  // Its @oclif/core is node_modules' own, as when it was loaded from there; the default export is the hook.
  {name: '@oclif/plugin-not-found', file: 'plugin-not-found.cjs', entry: "module.exports = require('@oclif/plugin-not-found').default", external: ['@oclif/core']},
]
const requireApart = {
  name: 'require-apart',
  setup(esbuild) {
    for (const {name, file} of apart) esbuild.onResolve({filter: new RegExp(`^${name}$`)}, () => ({path: `./${file}`, external: true}))
  },
}

/**
 * Edits to oclif's code as it goes into the bundle, each of one exact piece of its source: the build fails when oclif
 * no longer has it, rather than bundling oclif unedited. None changes what a person sees (test/e2e/help.test.ts
 * compares every --help with node_modules' unedited oclif, byte for byte).
 */
const OCLIF_EDITS = [
  // import() of a plugin written as ES modules goes through bin/esm-import.cjs (see there).
  {file: 'module-loader.js', from: 'await import(', to: 'await __vmdriftImport(', all: true},
  // Every command, --help too, sorts each plugin's commands by id. The first localeCompare() of a process builds
  // ICU's collator, ~8 ms; the ids are ASCII, and compared by code unit they sort the same (help.test.ts).
  {file: 'config/plugin.js', from: '.sort((a, b) => a.id.localeCompare(b.id))', to: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'},
  // Help runs every string it prints through ejs (for `<%= config.bin %>`), compiling each into a function, ~5 ms
  // for `check --help`. A string without a '%' has no ejs tag (each of its delimiters has one) and renders as it is.
  {file: 'help/util.js', from: 'return ejs_1.default.render(t, context);', to: "return t.includes('%') ? ejs_1.default.render(t, context) : t;"},
  // Two of node's modules that oclif requires as it loads and uses only now and then: readline to read a flag's
  // value from stdin, perf_hooks when OCLIF_PERFORMANCE is set. Each loads a dozen of node's internal modules
  // (~3 ms together); required on first use instead (__vmdriftLazy, in the banner below).
  {file: 'parser/parse.js', from: 'const node_readline_1 = require("node:readline");', to: 'const node_readline_1 = __vmdriftLazy("node:readline");'},
  {file: 'performance.js', from: 'const node_perf_hooks_1 = require("node:perf_hooks");', to: 'const node_perf_hooks_1 = __vmdriftLazy("node:perf_hooks");'},
]
/** A module that loads when one of its exports is first read (oclif reads them as `module_1.name`). */
const lazyBanner = 'const __vmdriftLazy = (id) => { let loaded; return new Proxy({}, {get: (_, key) => (loaded ??= require(id))[key]}) };'
/** The edits made so far: after the build, each must be among them (a file oclif renamed is never loaded). */
const applied = new Set()
const oclifEdits = {
  name: 'oclif-edits',
  setup(esbuild) {
    esbuild.onLoad({filter: /@oclif[\\/]core[\\/]lib[\\/].+\.js$/}, ({path}) => {
      const edits = OCLIF_EDITS.filter(({file}) => path.replaceAll('\\', '/').endsWith(`/@oclif/core/lib/${file}`))
      if (!edits.length) return undefined
      let contents = readFileSync(path, 'utf8')
      for (const edit of edits) {
        const count = contents.split(edit.from).length - 1
        if (count === 0 || (!edit.all && count > 1)) throw new Error(`${path}: ${count} × ${JSON.stringify(edit.from)} where the build edits one: has oclif changed?`)
        contents = contents.replaceAll(edit.from, edit.to)
        applied.add(edit)
      }
      return {contents, loader: 'js'}
    })
  },
}

/**
 * What a capture or check of one host needs before its first byte goes out is bundled apart from main.cjs, in two
 * files of our own modules, each module in one file only (two copies of TargetError would fail an `instanceof`;
 * two tables of connections started early would lose one):
 * - dist/bundle/early.cjs: src/early.ts and the errors every part throws. bin/run.js runs it first, so a
 *   capture or check starts its handshake before main.cjs (oclif, the commands) is even read; it is small, as
 *   every command, --help too, loads it.
 * - dist/bundle/transport.cjs: the transport (target resolution, SSH, this machine) with ssh-config, loaded when a
 *   target is resolved: by early.cjs for a capture or check, or by main.cjs.
 */
const fileOf = (/** @type {string} */ module) => fileURLToPath(new URL(`../dist/${module}`, import.meta.url))
const OWN = {
  'early.cjs': ['errors.js', 'early.js'].map(fileOf),
  'transport.cjs': ['transport/resolve.js', 'transport/ssh.js', 'transport/local.js', 'transport/known-hosts.js'].map(fileOf),
}
/** Our modules that live in another of the files: imported from there. */
const fromOwnFiles = (/** @type {string} */ building) => ({
  name: 'from-own-files',
  setup(esbuild) {
    esbuild.onResolve({filter: /^\.\.?\//}, ({path, resolveDir}) => {
      const file = Object.entries(OWN).find(([name, modules]) => name !== building && modules.includes(resolvePath(resolveDir, path)))?.[0]
      return file ? {path: `./${file}`, external: true} : undefined
    })
  },
})

/** What every file of the bundle is built with. */
const common = {
  bundle: true,
  format: 'cjs',
  // A fifth smaller: less to read, and to parse for each function the code cache does not hold (names are kept).
  minifyWhitespace: true,
  platform: 'node',
  target: 'node20',
  // Every import() becomes a require(): an import() in a script that V8 restored from a code cache finds no
  // loader (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING). What would need import() (an ES module) is bundled instead.
  supported: {'dynamic-import': false},
  // Our modules find the package's files from their own URL; in the bundle that is the bundle's.
  define: {'import.meta.url': '__vmdriftBundleUrl'},
  logLevel: 'warning',
}
const bundleUrl = "const __vmdriftBundleUrl = require('node:url').pathToFileURL(__filename).href;"

const main = await build({
  ...common,
  entryPoints: [new URL('../dist/main.js', import.meta.url).pathname],
  outfile: new URL('../dist/bundle/main.cjs', import.meta.url).pathname,
  // oclif requires typescript/ts-node only to run a plugin from .ts sources, which vmdrift never does.
  external: [...Object.keys(dependencies).filter((name) => !bundled.has(name)), 'typescript', 'ts-node'],
  banner: {js: `${bundleUrl} ${lazyBanner} const __vmdriftImport = (specifier) => require('../../bin/esm-import.cjs')(specifier);`},
  plugins: [oclifEdits, requireApart, fromOwnFiles('main.cjs')],
  metafile: true,
})

for (const {file, from} of OCLIF_EDITS.filter((edit) => !applied.has(edit))) {
  throw new Error(`@oclif/core/lib/${file} was not bundled, so ${JSON.stringify(from)} was not edited: has oclif changed?`)
}

// Node 20 before 20.19 cannot require() an ES module: a package the bundle require()s must not be one, or vmdrift
// would work on a newer Node 20 and fail on an older one. Such a package goes into `bundled`.
for (const {path, kind, external} of Object.values(main.metafile.outputs).flatMap((output) => output.imports)) {
  if (!external || kind !== 'require-call' || isBuiltin(path) || path.startsWith('.')) continue
  const name = path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/')
  const pkg = JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8'))
  if (pkg.type === 'module' && !JSON.stringify(pkg.exports ?? '').includes('"require"')) {
    throw new Error(`${name} is an ES module only: add it to the bundled packages in scripts/bundle.js`)
  }
}

/**
 * ssh2's HTTP(S) agents (HTTP over an SSH tunnel), which vmdrift never uses: loading them loaded node's http,
 * https, tls and dns, ~5 ms before the first byte could go out. Their place in ssh2's exports is left empty.
 */
const withoutHttpAgents = {
  name: 'ssh2-without-http-agents',
  setup(esbuild) {
    esbuild.onResolve({filter: /^\.\/http-agents\.js$/}, ({importer}) => (/ssh2[\\/]lib[\\/]index\.js$/.test(importer) ? {path: 'http-agents', namespace: 'unused'} : undefined))
    esbuild.onLoad({filter: /.*/, namespace: 'unused'}, () => ({contents: 'module.exports = {HTTPAgent: undefined, HTTPSAgent: undefined}', loader: 'js'}))
  },
}

for (const [file, modules] of Object.entries(OWN)) {
  await build({
    ...common,
    stdin: {contents: modules.map((module) => `export * from ${JSON.stringify(module)}`).join('\n'), resolveDir: new URL('..', import.meta.url).pathname},
    outfile: new URL(`../dist/bundle/${file}`, import.meta.url).pathname,
    external: Object.keys(dependencies).filter((name) => name !== 'ssh-config'),
    banner: {js: bundleUrl},
    plugins: [requireApart, fromOwnFiles(file)],
  })
}

for (const {file, entry, external} of apart) {
  await build({
    plugins: [withoutHttpAgents],
    stdin: {contents: entry, resolveDir: new URL('..', import.meta.url).pathname},
    outfile: new URL(`../dist/bundle/${file}`, import.meta.url).pathname,
    bundle: true,
    format: 'cjs',
    minifyWhitespace: true,
    platform: 'node',
    target: 'node20',
    // ssh2's optional native add-ons: not built here (ignore-scripts), so ssh2 uses Node's crypto, as before.
    external,
    logLevel: 'warning',
  })
}

execFileSync(process.execPath, [new URL('code-cache.js', import.meta.url).pathname], {stdio: ['ignore', 'ignore', 'inherit']})
