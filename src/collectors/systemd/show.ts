// systemctl(1) `show`: one `Key=Value` per line, one block per unit, blocks separated by a blank line.
// https://www.freedesktop.org/software/systemd/man/latest/systemctl.html#show%20PATTERN%E2%80%A6%7CJOB%E2%80%A6

/** The properties vmdrift asks for: what systemd has loaded of a unit, and whether it runs. */
export const SHOW_PROPERTIES = [
  'Id', 'Names', 'LoadState', 'NeedDaemonReload', 'FragmentPath', 'DropInPaths', 'UnitFileState', 'ActiveState',
  'ActiveEnterTimestampMonotonic', 'ExecMainPID', 'After', 'Requires', 'Wants',
]

/** One unit as systemd has it loaded. */
export type LoadedUnit = Map<string, string>

/** The blocks of `systemctl show`, by every name of the unit (its Id and its aliases in Names). */
export function parseShow(output: string): Map<string, LoadedUnit> {
  const units = new Map<string, LoadedUnit>()
  for (const block of output.split(/\n\s*\n/)) {
    const unit: LoadedUnit = new Map()
    for (const line of block.split('\n')) {
      const equals = line.indexOf('=')
      if (equals > 0) unit.set(line.slice(0, equals), line.slice(equals + 1))
    }
    const id = unit.get('Id')
    if (!id) continue
    for (const name of [id, ...(unit.get('Names') ?? '').split(/\s+/)]) if (name) units.set(name, unit)
  }
  return units
}

/** A space-separated list property as its members. */
export function members(unit: LoadedUnit, property: string): string[] {
  return (unit.get(property) ?? '').split(/\s+/).filter(Boolean)
}
