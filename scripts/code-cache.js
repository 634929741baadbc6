#!/usr/bin/env node
// Writes dist/bundle/*.cjs.cache: V8's code cache of each file of the bundle. Of main.cjs after a run of `vmdrift
// check --help`, so that it holds the functions start-up and help compile, not only the top level: what a
// capture compiles besides was measured to gain nothing there, and a bigger cache made --help ~3 ms slower. Of
// the files bundled apart (ssh2, yaml) after a run of `vmdrift demo` too (a capture and a check, on a copy of a
// root: no SSH), which help does not load. Run by scripts/bundle.js in a fresh node with default flags: V8
// rejects a cache made under other flags or another V8 (then it only compiles).
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BUNDLE, BUNDLE_DIR, codeCacheOf, loadBundle, ran, runBundleFile} from '../bin/load-bundle.js'

const {execute, script} = loadBundle({codeCache: false})
const root = new URL('..', import.meta.url).pathname
await execute({loadOptions: {root}, args: ['check', '--help']})
writeFileSync(codeCacheOf(BUNDLE), script.createCachedData())
await execute({loadOptions: {root}, args: ['demo']})
runBundleFile(join(BUNDLE_DIR, 'ssh2.cjs'), {codeCache: false})
for (const [file, apart] of ran) if (file !== BUNDLE) writeFileSync(codeCacheOf(file), apart.createCachedData())
