// Colour is decided once, here: only on a TTY, never with NO_COLOR set, always with FORCE_COLOR (https://no-color.org).
import {Chalk, type ChalkInstance} from 'chalk'

export function colorLevel(isTTY: boolean | undefined, env: NodeJS.ProcessEnv = process.env): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR) return 0
  const force = env.FORCE_COLOR
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0
    return force === '2' ? 2 : force === '3' ? 3 : 1
  }
  return isTTY && env.TERM !== 'dumb' ? 1 : 0
}

export function palette(level: 0 | 1 | 2 | 3): ChalkInstance {
  return new Chalk({level})
}
