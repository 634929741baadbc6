// dockerd(8) daemon.json compared by JSON key path (`log-opts.max-size`), not by its text.

import {compareFileBacked, fromTo, keyedChanges, lineChange} from '../shared.js'
import type {Change, Item, Json} from '../types.js'
import {type DaemonSettings, readDaemonJson} from './parse.js'

export function compareDaemonJsonItems(before: Item, after: Item): Change[] {
  const changes = compareFileBacked(before, after, compareDaemonJson, ['invalid'])
  if (before.invalid !== after.invalid) {
    changes.unshift(fromTo('json', displayValidity(before.invalid), displayValidity(after.invalid)))
  }
  return changes
}

function displayValidity(invalid: Json | undefined): string {
  return typeof invalid === 'string' ? invalid : 'valid'
}

/**
 * One from/to Change per key path whose value differs, values as compact JSON, a key only one side has
 * with the other side absent. Arrays are values: their order can matter to dockerd. When either side is
 * not valid JSON there are no key paths to compare, only lines.
 */
export function compareDaemonJson(before: string, after: string): Change[] {
  const beforeRead = readDaemonJson(before)
  const afterRead = readDaemonJson(after)
  // Invalid, or too deeply nested to walk by key path: lines are all there is to compare.
  if (!('settings' in beforeRead) || !('settings' in afterRead)) return [lineChange('content', before, after)]
  return keyedChanges(keyPaths(beforeRead.settings), keyPaths(afterRead.settings), (path, fromValue, toValue) => {
    const from = compactJson(fromValue)
    const to = compactJson(toValue)
    return from === to ? undefined : fromTo(path, from, to)
  })
}

/** Every leaf of the settings by its dotted key path; an empty object is a leaf, so it is not lost. */
function keyPaths(settings: DaemonSettings, prefix = '', paths = new Map<string, Json>()): Map<string, Json> {
  for (const [key, value] of Object.entries(settings)) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    if (isObject(value) && Object.keys(value).length > 0) keyPaths(value, path, paths)
    else paths.set(path, value)
  }
  return paths
}

function isObject(value: Json): value is DaemonSettings {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function compactJson(value: Json | undefined): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value)
}
