// Kernel parameters compare as a set (their order on the command line does not matter to the kernel for
// the parameters in use here); everything else in these items compares value by value.

import {compareFileBacked, fromTo, keyedChanges, setChange} from '../shared.js'
import type {Change, Item, Json} from '../types.js'
import {splitKernelParams} from './kernel-params.js'
import {CMDLINE_VARIABLES} from './parse.js'
import {evaluateAssignments, parseShellAssignments} from './shell-assignments.js'

export function compareKernelItems(before: Item, after: Item): Change[] {
  const changes = compareFileBacked(before, after, compareDefaults, ['cmdline', 'entries'])
  const cmdline = paramsChange('cmdline', asString(before.cmdline), asString(after.cmdline))
  if (cmdline) changes.push(cmdline)
  changes.push(...entriesChanges(asStrings(before.entries), asStrings(after.entries)))
  return changes
}

/**
 * Two versions of one defaults file, variable by variable, each read on its own: a reference to a variable
 * the file does not set stays as written (`$GRUB_CMDLINE_LINUX_DEFAULT`), since it comes from an earlier file.
 */
export function compareDefaults(before: string, after: string): Change[] {
  const read = (text: string) => evaluateAssignments([parseShellAssignments(text)], {unsetStays: true})
  return keyedChanges(read(before), read(after), (name, from, to) => {
    if (CMDLINE_VARIABLES.includes(name)) return paramsChange(name, from, to)
    return from === to ? undefined : fromTo(name, from, to)
  })
}

/** grub.cfg's kernel lines by position in the menu: `entries[0]` is the default entry of a stock config. */
function entriesChanges(before: string[], after: string[]): Change[] {
  const changes: Change[] = []
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    const field = `entries[${i}]`
    // An entry only one side has is a whole menu entry more or less, not parameters of one.
    const change = before[i] === undefined || after[i] === undefined ? fromTo(field, before[i], after[i]) : paramsChange(field, before[i], after[i])
    if (change) changes.push(change)
  }
  return changes
}

/**
 * Parameters added and removed, a parameter whose value changed (`video=…`) as from/to; a change of spacing
 * or quoting only, as plain from/to of the whole.
 */
function paramsChange(field: string, from: string | undefined, to: string | undefined): Change | undefined {
  if (from === to) return undefined
  const sameParam = (removed: string, added: string) => paramName(removed) === paramName(added)
  return setChange(field, splitKernelParams(from ?? ''), splitKernelParams(to ?? ''), sameParam) ?? fromTo(field, from, to)
}

/** `video` of `video=Virtual-1:1920x1080`; the kernel image path stands for itself. */
function paramName(param: string): string {
  return param.startsWith('/') ? '(kernel image)' : param.split('=')[0] ?? param
}

function asString(value: Json | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function asStrings(value: Json | undefined): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : []
}
