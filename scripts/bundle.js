#!/usr/bin/env node
// Bundles dist/main.js (after tsc) into dist/bundle/main.js with esbuild: oclif and our commands in one file,
// dynamic imports split into chunks loaded on use. See src/main.ts for why. Only oclif (start-up: help, parsing)
// and chalk are bundled; the packages a command loads when it runs stay in node_modules as they are, so a package
// that finds its files at run time (ssh2's native add-ons, jsonc-parser's UMD build) works unchanged.
import {readFileSync, rmSync} from 'node:fs'
import {build} from 'esbuild'

const {dependencies} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const bundled = new Set(['@oclif/core', 'chalk'])

// Chunk names carry a content hash: without a clean directory every build would leave the last one's chunks behind.
rmSync(new URL('../dist/bundle', import.meta.url), {recursive: true, force: true})

await build({
  entryPoints: [new URL('../dist/main.js', import.meta.url).pathname],
  outdir: new URL('../dist/bundle', import.meta.url).pathname,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // oclif requires typescript/ts-node only to run a plugin from .ts sources, which vmdrift never does.
  external: [...Object.keys(dependencies).filter((name) => !bundled.has(name)), 'typescript', 'ts-node'],
  // CommonJS dependencies inside an ES module bundle still call require() for Node's built-ins.
  banner: {js: "import {createRequire as __vmdriftRequire} from 'node:module'; const require = __vmdriftRequire(import.meta.url);"},
  logLevel: 'warning',
})
