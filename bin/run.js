#!/usr/bin/env node
// The package's root for oclif, not this directory: bin/package.json (which makes bin/ CommonJS) would be taken for it.
require('./load-bundle.js')
  .loadBundle()
  .execute({loadOptions: {root: require('node:path').join(__dirname, '..')}})
