// sha256sum(1) and stat(1): https://www.gnu.org/software/coreutils/manual/html_node/sha2-utilities.html

import {itemText, scalarChanges} from '../shared.js'
import type {Collector} from '../types.js'
import {filesEffect, RUNNING_SCRIPT} from './effect.js'
import {DEFAULT_WATCH, parseFiles} from './parse.js'
import {restoreWatchedFile} from './restore.js'

export const files: Collector = {
  id: 'files',
  title: 'sha256, size, mode and owner of watched files (default: /usr/local/bin/*, /usr/local/sbin/*)',
  probes: (options) => {
    const globs = [...new Set([...DEFAULT_WATCH, ...options.watch])]
    return [
      {kind: 'files', id: 'watched', globs, content: 'sha256'},
      // Kept files are watched too, read whole so the engine can keep their bytes beside the baseline.
      ...(options.keepContent?.length ? [{kind: 'files' as const, id: 'kept', globs: options.keepContent, content: 'bytes' as const}] : []),
      // The running processes whose executable is a watched file, and the sha256 of what they run.
      {kind: 'command', id: 'running', reads: 'live', tools: ['find', 'sha256sum', 'cat'], args: globs, script: RUNNING_SCRIPT},
    ]
  },
  parse: (results) => parseFiles(results),
  // A watched file has nothing inside to compare: its fields are its state. sha256 stays whole in the
  // Change; shortening it is for the renderer.
  compare: (_key, before, after) => scalarChanges(before, after),
  text: itemText,
  effect: filesEffect,
  restore: restoreWatchedFile,
}
