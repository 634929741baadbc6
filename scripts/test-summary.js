#!/usr/bin/env node
// Adds up vitest's JSON reports (written when CI is set) into the one plain line CI reads:
// "tests: N passed, N failed, N skipped".
import {readdirSync, readFileSync} from 'node:fs'

const dir = new URL('../.test-results/', import.meta.url)
let passed = 0
let failed = 0
let skipped = 0
for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(new URL(file, dir), 'utf8'))
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + report.numTodoTests
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = failed > 0 || passed === 0 ? 1 : 0
