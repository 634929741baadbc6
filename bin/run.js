#!/bin/sh
":" //; if [ "${NODE_EXTRA_CA_CERTS+set}" ]; then export VMDRIFT_NODE_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS"; unset NODE_EXTRA_CA_CERTS; fi; exec node "$0" "$@"
// The line above is sh, and a string and a comment to JavaScript: run as a program, this file starts node on
// itself (node follows npm's symlink to it). It starts node without NODE_EXTRA_CA_CERTS: Node 20 reads and parses
// that file before it runs any script (and builds its own root store to add it to), ~45 ms of start-up where an
// environment sets it (a proxy's CA, as on the machine the bench runs on), and vmdrift makes no TLS connection.
// The value is put back here, so what vmdrift runs (sh, sudo) gets the environment it was given.
// `node bin/run.js` skips the sh line and loads the certificates as any node would.
if (process.env.VMDRIFT_NODE_EXTRA_CA_CERTS !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = process.env.VMDRIFT_NODE_EXTRA_CA_CERTS
  delete process.env.VMDRIFT_NODE_EXTRA_CA_CERTS
}
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
