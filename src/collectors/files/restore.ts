// Watched files are binaries: the baseline holds their sha256, and their bytes only with capture --keep-content.

import {cannot, writeBack} from '../restore.js'
import type {Item, RestoreAction, RestoreContext} from '../types.js'

/** A watched file not in the baseline is left where it is: vmdrift moves aside only what it knows the role of. */
export function restoreWatchedFile(key: string, wanted: Item | undefined, _found: Item | undefined, context: RestoreContext): RestoreAction {
  if (!wanted) return cannot('not in the baseline: left in place (remove it by hand, or capture it)')
  if (wanted.type === 'dir') return cannot('a directory: its mode and owner are not restored')
  return writeBack(key, wanted, context)
}
