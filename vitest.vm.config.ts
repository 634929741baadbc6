import {defineConfig} from 'vitest/config'

// The end-to-end group against the real Debian VM (../shared/vm): one boot for the whole group.
export default defineConfig({
  test: {
    // CI also writes a JSON report, from which .ci/run prints one plain 'N passed, N failed' line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: {json: '.test-results/vm.json'},
    include: ['test/vm/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
})
