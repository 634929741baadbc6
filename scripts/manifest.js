#!/usr/bin/env node
// Writes oclif.manifest.json after a build, as `oclif manifest` would (without that package's weight): with it,
// oclif reads the commands' flags and help from one JSON file instead of importing every command at start-up.
import {rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {Config} from '@oclif/core'

const root = new URL('..', import.meta.url)
// oclif reads the command classes from the bundle's COMMANDS, which the bundle sets once they are loaded.
await createRequire(import.meta.url)('../dist/bundle/main.cjs').loadCommands()
// oclif reads an existing manifest even with ignoreManifest: a command added since would be left out of the new one.
rmSync(new URL('oclif.manifest.json', root), {force: true})
const config = await Config.load({root: root.pathname, ignoreManifest: true})
const manifest = config.getPluginsList().find((plugin) => plugin.isRoot)?.manifest
if (!manifest || !Object.keys(manifest.commands).length) throw new Error('no commands found: run tsc first')
writeFileSync(new URL('oclif.manifest.json', root), `${JSON.stringify(manifest, null, 2)}\n`)
