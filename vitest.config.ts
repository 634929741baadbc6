import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    // CI also writes a JSON report, from which .ci/run prints one plain 'N passed, N failed' line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: {json: '.test-results/unit.json'},
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/vm/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
})
