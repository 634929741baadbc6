import {describe, expect, it} from 'vitest'
import {colorLevel, palette} from './colors.js'

describe('colors', () => {
  it('colours a TTY only, never with NO_COLOR, always with FORCE_COLOR', () => {
    expect(colorLevel(true, {})).toBe(1)
    expect(colorLevel(false, {})).toBe(0)
    expect(colorLevel(undefined, {})).toBe(0)
    expect(colorLevel(true, {TERM: 'dumb'})).toBe(0)
    expect(colorLevel(true, {NO_COLOR: '1'})).toBe(0)
    expect(colorLevel(true, {NO_COLOR: '1', FORCE_COLOR: '1'})).toBe(0)
    expect(colorLevel(false, {FORCE_COLOR: '1'})).toBe(1)
    expect(colorLevel(false, {FORCE_COLOR: '3'})).toBe(3)
    expect(colorLevel(true, {FORCE_COLOR: '0'})).toBe(0)
    // NO_COLOR set but empty means "not set" (no-color.org).
    expect(colorLevel(true, {NO_COLOR: ''})).toBe(1)
  })

  it('gives plain text at level 0 and ANSI codes above', () => {
    expect(palette(0).red('x')).toBe('x')
    expect(palette(1).red('x')).toBe('\u001B[31mx\u001B[39m')
  })
})
