#!/usr/bin/env node
const {loadBundle, loadEarly} = require('./load-bundle.js')
// A capture or check of one SSH host starts connecting before the rest of vmdrift is even read (src/early.ts).
loadEarly()
  .connectEarly(process.argv.slice(2))
  // The package's root for oclif, not this directory: bin/package.json (which makes bin/ CommonJS) would be taken for
  // it. With its package.json given, read here at once, oclif neither looks for the root nor reads the file itself.
  .then(() => loadBundle().execute({loadOptions: {root: require('node:path').join(__dirname, '..'), pjson: require('../package.json')}}))
  // Done: exit now rather than when the event loop drains, which also tears the heap down (~10 ms after a
  // capture). Every write is out by then: a command awaits its files, and stdout and stderr are synchronous on
  // Linux (files, pipes, terminals); what is left is a host's hang-up, which vmdrift never waits for anyway.
  .then(() => process.exit())
