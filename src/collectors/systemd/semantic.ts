// systemd.unit(5): https://www.freedesktop.org/software/systemd/man/latest/systemd.unit.html
// Compares two versions of a unit file or drop-in by what systemd reads from them, not by their text.

import {compareFileBacked, contentLines, fromTo, keyedChanges, setChange, unionKeys} from '../shared.js'
import type {Change, Item} from '../types.js'
import {UNIT_SYNTAX_TYPES} from './parse.js'
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
  const beforeDirectives = parseUnitSyntax(before)
  const afterDirectives = parseUnitSyntax(after)
  return unionKeys(beforeDirectives.keys(), afterDirectives.keys()).flatMap((field) => {
    const beforeValues = beforeDirectives.get(field)
    const afterValues = afterDirectives.get(field)
    if (field.endsWith(' Environment') || field === 'Environment') return environmentChanges(field, beforeValues ?? [], afterValues ?? [])
    const change = SET_FIELDS.has(field)
      ? setChange(field, listMembers(beforeValues ?? []), listMembers(afterValues ?? []))
      : assignmentsChange(field, beforeValues, afterValues)
    return change ?? []
  })
}

/**
 * One Change per variable whose (hashed) value differs: `[Service] Environment API_TOKEN` from/to the hashes,
 * which a report shows as "value changed". An empty assignment resets every variable set before it.
 */
function environmentChanges(field: string, before: string[], after: string[]): Change[] {
  const variables = (values: string[]) => {
    let vars = new Map<string, string>()
    for (const value of values) {
      if (value === '') vars = new Map()
      for (const word of value.split(/\s+/).filter(Boolean)) {
        const equals = word.indexOf('=')
        vars.set(equals < 0 ? word : word.slice(0, equals), equals < 0 ? '' : word.slice(equals + 1))
      }
    }
    return vars
  }
  return keyedChanges(variables(before), variables(after), (name, from, to) => (from === to ? undefined : fromTo(`${field} ${name}`, from, to)))
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
