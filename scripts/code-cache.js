#!/usr/bin/env node
// Writes dist/bundle/*.cjs.cache: V8's code cache of the bundle after a run of `vmdrift check --help`, so that it
// holds the functions start-up and help compile, not only the top level; and of ssh2's bundle once loaded. Run by
// scripts/bundle.js in a fresh node with default flags: V8 rejects a cache made under other flags or another V8
// (then it only compiles).
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BUNDLE, BUNDLE_DIR, codeCacheOf, loadBundle, runBundleFile} from '../bin/load-bundle.js'

const {execute, script} = loadBundle({codeCache: false})
await execute({loadOptions: {root: new URL('..', import.meta.url).pathname}, args: ['check', '--help']})
await execute({loadOptions: {root: new URL('..', import.meta.url).pathname}, args: ['demo']})
writeFileSync(codeCacheOf(BUNDLE), script.createCachedData())

const ssh2 = join(BUNDLE_DIR, 'ssh2.cjs')
writeFileSync(codeCacheOf(ssh2), runBundleFile(ssh2, {codeCache: false}).script.createCachedData())
