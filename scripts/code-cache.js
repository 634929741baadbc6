#!/usr/bin/env node
// Writes dist/bundle/main.cjs.cache: V8's code cache of the bundle after a run of `vmdrift check --help`, so that
// it holds the functions start-up and help compile, not only the top level. Run by scripts/bundle.js in a fresh
// node with default flags: V8 rejects a cache made under other flags or another V8 (then it only compiles).
import {writeFileSync} from 'node:fs'
import {CODE_CACHE, loadBundle} from '../bin/load-bundle.js'

const {execute, script} = loadBundle({codeCache: false})
await execute({dir: new URL('../bin/run.js', import.meta.url).href, args: ['check', '--help']})
writeFileSync(CODE_CACHE, script.createCachedData())
