// Pure helpers the collectors' restore hooks share: how an item of a baseline becomes a file written back.
import type {Item, RestoreAction, RestoreContext} from './types.js'

export function cannot(reason: string): RestoreAction {
  return {kind: 'cannot', reason}
}

/** The text every restore prints for what the baseline holds only the hash of. */
export const CONTENT_NOT_IN_BASELINE = 'content not in baseline'

/**
 * The file or link at `path` as the baseline has it: its text, its kept bytes, or where it points. What the
 * baseline holds no content of (a hash only, or the error that kept the capture from reading it) cannot be
 * written back.
 */
export function writeBack(path: string, wanted: Item, context: RestoreContext): RestoreAction {
  if (typeof wanted.target === 'string') return {kind: 'link', path, target: wanted.target}
  const {mode, owner, group} = wanted
  if (typeof mode !== 'string' || typeof owner !== 'string' || typeof group !== 'string') {
    return cannot(`a ${wanted.type} that is neither a file nor a link`)
  }
  if (typeof wanted.error === 'string') return cannot(`${CONTENT_NOT_IN_BASELINE} (not readable at capture: ${wanted.error})`)
  if (typeof wanted.content === 'string') return {kind: 'write', path, file: {mode, owner, group, content: wanted.content}}
  if (typeof wanted.sha256 === 'string') {
    if (context.hasBlob(wanted.sha256)) return {kind: 'write', path, file: {mode, owner, group, blob: wanted.sha256}}
    return cannot(`${CONTENT_NOT_IN_BASELINE} (sha256 only; capture --keep-content GLOB keeps it)`)
  }
  return cannot(`a ${wanted.type} holds no content to write`)
}

/** The common case: what the baseline has is written back; what it lacks goes into the backup. */
export function restoreFile(key: string, wanted: Item | undefined, context: RestoreContext): RestoreAction {
  return wanted ? writeBack(key, wanted, context) : {kind: 'move-aside', path: key}
}
