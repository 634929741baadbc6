// systemd.unit(5): https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html

import {itemText} from '../shared.js'
import type {Collector} from '../types.js'
import {parseSystemd, UNIT_DIRS, VENDOR_DIRS} from './parse.js'
import {restoreSystemdItem, systemdCommands} from './restore.js'
import {compareSystemdItems} from './semantic.js'

export const systemd: Collector = {
  id: 'systemd',
  title: 'systemd unit files, drop-ins, enablement links and masks in /etc and /run, and their vendor units',
  probes: () => [
    {
      kind: 'files',
      id: 'units',
      globs: UNIT_DIRS.map((dir) => `${dir}/*`),
      content: 'text',
      // The vendor unit each override, drop-in directory or mask in /etc belongs to: what it changes.
      vendorDirs: VENDOR_DIRS,
    },
    {kind: 'files', id: 'entries', globs: UNIT_DIRS.map((dir) => `${dir}/*/*`), content: 'text'},
  ],
  parse: (results) => parseSystemd(results),
  compare: (_key, before, after) => compareSystemdItems(before, after),
  text: itemText,
  // A vendor unit is read because an override or drop-in exists: it comes and goes with that, which is
  // not drift by itself (a change to it still is: a package upgrade under a drop-in).
  isContext: (item) => item.type === 'vendor-unit' || item.type === 'vendor-link',
  restore: restoreSystemdItem,
  restoreCommands: systemdCommands,
}
