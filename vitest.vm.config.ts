import {defineConfig} from 'vitest/config'

// The end-to-end group against the real Debian VM (../shared/vm): one boot for the whole group.
export default defineConfig({
  test: {
    include: ['test/vm/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
})
