// systemd.unit(5), "Unit File Load Path" and "Description": what each entry under /etc/systemd/system and
// /run/systemd/system is to systemd. https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html

import {addItem, entryItem, expectedFileItem, fileBackedItem, linkItem, newOutput, probeRecords} from '../shared.js'
import {redactUnitValues} from '../redact.js'
import {addEnvironmentFiles, ENVIRONMENT_FILES_PROBE} from './envfiles.js'
import type {CollectorOutput, FileRecord, Item, ProbeResult} from '../types.js'

/** The item types whose content is unit file syntax. */
export const UNIT_SYNTAX_TYPES = new Set(['unit', 'dropin', 'vendor-unit'])

export const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system']
export const VENDOR_DIRS = ['/usr/local/lib/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system']

/** Unit types systemd loads from a unit directory; a file with another suffix there is not a unit. */
export const UNIT_SUFFIXES = [
  '.service', '.socket', '.device', '.mount', '.automount', '.swap', '.target', '.path', '.timer', '.slice',
  '.scope',
]

/** Directories of symlinks that pull the units they point to in (`systemctl enable`). */
const DEPENDENCY_DIR_SUFFIXES = ['.wants', '.requires', '.upholds']

export function parseSystemd(results: Record<string, ProbeResult>): CollectorOutput {
  const output = newOutput()
  const records = [...probeRecords(results, 'units', output.warnings), ...probeRecords(results, 'entries', output.warnings)]
  const unitSyntax: string[] = []
  for (const record of records) {
    const item = systemdItem(record)
    // Environment= and SetCredential= values are secrets in any unit file: only their hashes are kept.
    if (item && typeof item.content === 'string' && UNIT_SYNTAX_TYPES.has(item.type)) {
      item.content = redactUnitValues(item.content)
      unitSyntax.push(record.path)
    }
    if (item) addItem(output, record.path, item, record.mtime)
  }
  // So are the files named by EnvironmentFile=: only their sha256.
  addEnvironmentFiles(output, unitSyntax, results[ENVIRONMENT_FILES_PROBE.id])
  return output
}

function systemdItem(record: FileRecord): Item | undefined {
  const {parent, name} = splitPath(record.path)
  const isUnitName = UNIT_SUFFIXES.some((suffix) => name.endsWith(suffix))
  if (record.vendor) {
    if (record.type === 'link') return linkItem('vendor-link', record)
    return isUnitName ? expectedFileItem(record, 'vendor-unit') : entryItem(record, 'vendor-unit')
  }
  if (UNIT_DIRS.includes(parent)) return topLevelItem(record, isUnitName)
  const dirName = splitPath(parent).name
  if (dirName.endsWith('.d')) return dropInDirItem(record, name)
  if (DEPENDENCY_DIR_SUFFIXES.some((suffix) => dirName.endsWith(suffix)) && record.type === 'link') {
    return linkItem('enablement', record)
  }
  return entryItem(record, 'file')
}

/**
 * An entry directly in a unit directory: a unit file, a mask (a symlink to /dev/null or an empty unit
 * file: systemd treats both as masked), or a symlink under another name: an alias or a linked unit file.
 */
function topLevelItem(record: FileRecord, isUnitName: boolean): Item | undefined {
  if (record.type === 'link') return linkItem(record.target === '/dev/null' ? 'mask' : 'alias', record)
  if (record.type === 'dir' && isUnitName) return expectedFileItem(record, 'unit')
  if (record.type !== 'file' || !isUnitName) return entryItem(record, 'file')
  return fileBackedItem(record.size === 0 ? 'mask' : 'unit', record)
}

/** An entry in `<unit>.d/`: only `*.conf` files are drop-ins; a /dev/null symlink masks a vendor drop-in. */
function dropInDirItem(record: FileRecord, name: string): Item | undefined {
  if (record.type === 'link' && record.target === '/dev/null') return linkItem('mask', record)
  if (record.type === 'file' && name.endsWith('.conf')) return fileBackedItem('dropin', record)
  return entryItem(record, 'file')
}

function splitPath(path: string): {parent: string; name: string} {
  const slash = path.lastIndexOf('/')
  return {parent: path.slice(0, slash), name: path.slice(slash + 1)}
}
