// systemd.unit(5): https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html
// Compares two versions of a unit file or drop-in by what systemd reads from them, not by their text.

import {compareFileBacked, contentLines, fromTo, keyedChanges, setChange} from '../shared.js'
import type {Change, Item} from '../types.js'
import {parseUnitSyntax} from './syntax.js'

/**
 * The directives whose value is a space-separated list of units (or paths, URLs) that accumulates over
 * assignments and is emptied by an empty one: their order means nothing, so they compare as sets.
 */
const LIST_DIRECTIVES: Record<string, readonly string[]> = {
  Unit: [
    'Documentation', 'Wants', 'Requires', 'Requisite', 'BindsTo', 'PartOf', 'Upholds', 'Conflicts', 'Before',
    'After', 'OnFailure', 'OnSuccess', 'PropagatesReloadTo', 'ReloadPropagatedFrom', 'PropagatesStopTo',
    'StopPropagatedFrom', 'JoinsNamespaceOf', 'RequiresMountsFor', 'WantsMountsFor',
  ],
  Install: ['Alias', 'WantedBy', 'RequiredBy', 'UpheldBy', 'Also'],
}

const SET_FIELDS = new Set(
  Object.entries(LIST_DIRECTIVES).flatMap(([section, keys]) => keys.map((key) => `[${section}] ${key}`)),
)

/**
 * How an empty assignment shows. It empties the list so far, which in a drop-in includes what the unit file
 * and earlier drop-ins set: a real change, so it is a member of the set and a value of the list.
 */
export const RESET = '(reset)'

/** The item types whose content is unit file syntax. */
const UNIT_SYNTAX_TYPES = new Set(['unit', 'dropin', 'vendor-unit'])

export function compareSystemdItems(before: Item, after: Item): Change[] {
  const bothUnitSyntax = UNIT_SYNTAX_TYPES.has(before.type) && UNIT_SYNTAX_TYPES.has(after.type)
  return compareFileBacked(before, after, bothUnitSyntax ? compareUnitContent : contentLines)
}

/**
 * The directive changes between two unit files, one Change per `[Section] Key` in file order. Dependency
 * lists give added/removed members (one out and one in: from/to); every other key gives the list of its
 * assignments, joined by " ; ", as from/to (absent when not set).
 */
export function compareUnitContent(before: string, after: string): Change[] {
  return keyedChanges(parseUnitSyntax(before), parseUnitSyntax(after), (field, beforeValues, afterValues) =>
    SET_FIELDS.has(field)
      ? setChange(field, listMembers(beforeValues ?? []), listMembers(afterValues ?? []))
      : assignmentsChange(field, beforeValues, afterValues),
  )
}

/** The members a list directive ends up with: an empty assignment drops the ones before it. */
function listMembers(values: string[]): string[] {
  let members = new Set<string>()
  for (const value of values) {
    if (value === '') members = new Set([RESET])
    else for (const member of value.split(/\s+/)) members.add(member)
  }
  return [...members]
}

function assignmentsChange(field: string, before: string[] | undefined, after: string[] | undefined): Change | undefined {
  const join = (values: string[] | undefined) => values?.map((value) => (value === '' ? RESET : value)).join(' ; ')
  const from = join(before)
  const to = join(after)
  return from === to ? undefined : fromTo(field, from, to)
}
