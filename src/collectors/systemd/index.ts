// systemd.unit(5): https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html

import {itemText} from '../shared.js'
import type {Collector} from '../types.js'
import {systemdEffect, unitNames} from './effect.js'
import {compareEnvironmentFiles, ENVIRONMENT_FILE, ENVIRONMENT_FILES_PROBE} from './envfiles.js'
import {parseSystemd, UNIT_DIRS, UNIT_SUFFIXES, VENDOR_DIRS} from './parse.js'
import {restoreSystemdItem, systemdCommands} from './restore.js'
import {compareSystemdItems} from './semantic.js'
import {SHOW_PROPERTIES} from './show.js'

export const systemd: Collector = {
  id: 'systemd',
  title: 'systemd unit files, drop-ins, enablement links and masks in /etc and /run, and their vendor units',
  probes: (_options, known = []) => [
    {
      kind: 'files',
      id: 'units',
      globs: UNIT_DIRS.map((dir) => `${dir}/*`),
      content: 'text',
      // The vendor unit each override, drop-in directory or mask in /etc belongs to: what it changes.
      vendorDirs: VENDOR_DIRS,
    },
    {kind: 'files', id: 'entries', globs: UNIT_DIRS.map((dir) => `${dir}/*/*`), content: 'text'},
    // The sha256 of each file a unit or drop-in above names by EnvironmentFile=: its content is a secret.
    {...ENVIRONMENT_FILES_PROBE, in: [...ENVIRONMENT_FILES_PROBE.in]},
    // What systemd has loaded of every unit found above (and of those the baseline knows): ONE systemctl call.
    {
      kind: 'each',
      id: 'show',
      reads: 'live',
      of: 'units',
      strip: ['.d', '.wants', '.requires', '.upholds'],
      suffixes: UNIT_SUFFIXES,
      tools: ['systemctl'],
      args: unitNames(known),
      script: `[ $# -eq 0 ] || systemctl show -p ${SHOW_PROPERTIES.join(',')} -- "$@"`,
    },
  ],
  parse: (results) => parseSystemd(results),
  compare: (key, before, after) =>
    before.type === ENVIRONMENT_FILE && after.type === ENVIRONMENT_FILE ? compareEnvironmentFiles(key, before, after) : compareSystemdItems(before, after),
  text: itemText,
  // A vendor unit is read because an override or drop-in exists, an environment file because a unit names it:
  // it comes and goes with that, which is not drift by itself (a change to it still is: a package upgrade under
  // a drop-in, a new token in /etc/default/helix).
  isContext: (item) => item.type === 'vendor-unit' || item.type === 'vendor-link' || item.type === ENVIRONMENT_FILE,
  effect: systemdEffect,
  restore: restoreSystemdItem,
  restoreCommands: systemdCommands,
}
