#!/usr/bin/env node
// Writes dist/bundle/*.cjs.cache: V8's code cache of each file of the bundle after a run of `vmdrift check --help`
// and of `vmdrift demo` (a capture and a check, on a copy of a root: no SSH), so that it holds the functions
// start-up, help, reading a host and writing a baseline compile, not only the top level; and of ssh2's bundle
// once loaded. Run by scripts/bundle.js in a fresh node with default flags: V8 rejects a cache made under other
// flags or another V8 (then it only compiles).
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BUNDLE_DIR, codeCacheOf, loadBundle, ran, runBundleFile} from '../bin/load-bundle.js'

const {execute} = loadBundle({codeCache: false})
const root = new URL('..', import.meta.url).pathname
await execute({loadOptions: {root}, args: ['check', '--help']})
await execute({loadOptions: {root}, args: ['demo']})
runBundleFile(join(BUNDLE_DIR, 'ssh2.cjs'), {codeCache: false})
for (const [file, script] of ran) writeFileSync(codeCacheOf(file), script.createCachedData())
