// stat(1) and sha256sum(1) of watched files: https://www.gnu.org/software/coreutils/manual/html_node/sha2-utilities.html
// The host hashes them itself, so a binary never crosses the wire and only its digest is stored.

import {addItem, linkItem, newOutput, probeRecords} from '../shared.js'
import type {CollectorOutput, FileRecord, Item, ProbeResult} from '../types.js'

/** Where hand-built binaries of a dev VM land (`make install` with the default prefix). */
export const DEFAULT_WATCH = ['/usr/local/bin/*', '/usr/local/sbin/*']

export function parseFiles(results: Record<string, ProbeResult>): CollectorOutput {
  const output = newOutput()
  for (const record of probeRecords(results, 'watched', output.warnings)) {
    addItem(output, record.path, watchedItem(record), record.mtime)
  }
  // A kept file is the same item (its sha256 from the bytes the host sent); only a capture with --keep-content has them.
  if (results.kept) {
    for (const record of probeRecords(results, 'kept', output.warnings)) addItem(output, record.path, watchedItem(record), record.mtime)
  }
  return output
}

function watchedItem(record: FileRecord): Item {
  if (record.type === 'link') return linkItem('link', record)
  const item: Item = {type: record.type, mode: record.mode, owner: record.owner, group: record.group}
  if (record.type === 'file') {
    item.size = record.size
    if (record.sha256 !== undefined) item.sha256 = record.sha256
  }
  if (record.error !== undefined) item.error = record.error
  return item
}
