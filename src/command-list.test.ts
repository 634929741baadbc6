import {readdirSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {COMMANDS} from './command-list.js'

describe('command list', () => {
  it('names every file of src/commands, by its name (oclif finds commands only through this list)', () => {
    const files = readdirSync(new URL('./commands/', import.meta.url))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
      .map((name) => name.replace(/\.ts$/, ''))
    expect(Object.keys(COMMANDS).sort()).toEqual(files.sort())
  })
})
