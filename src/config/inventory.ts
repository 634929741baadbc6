// Hosts from an Ansible inventory in YAML form (https://docs.ansible.com/ansible/latest/inventory_guide/intro_inventory.html):
// groups with `hosts`, `children` and `vars`; a host's target from ansible_host, ansible_user and ansible_port,
// its own vars beating its groups', a child group's beating its parent's. Pure: text in, hosts and groups out.
import {InputError} from '../errors.js'
import {describeProblem, readYaml} from '../yaml-validate.js'

export interface Inventory {
  /** host name → its target (user@host:port) */
  hosts: Record<string, string>
  /** group name → its hosts, children's included */
  groups: Record<string, string[]>
}

type Vars = Record<string, unknown>

interface Group {
  hosts?: Record<string, Vars | null> | null
  children?: Record<string, Group | null> | null
  vars?: Vars | null
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `user@host:port`, with brackets for an IPv6 address, as parseDirect reads it back. */
export function targetOf(name: string, vars: Vars): string {
  const host = String(vars.ansible_host ?? name)
  const user = vars.ansible_user === undefined ? '' : `${String(vars.ansible_user)}@`
  const port = vars.ansible_port === undefined ? '' : `:${String(vars.ansible_port)}`
  const bracketed = host.includes(':') && port ? `[${host}]` : host
  // user@host alone is a direct target too; a bare name stays an alias, resolved through ssh_config.
  return `${user}${bracketed}${port}`
}

export function parseInventory(text: string, file: string): Inventory {
  const read = readYaml(text, file)
  if ('errors' in read) throw new InputError(describeProblem(read.errors[0]!))
  if (!isMap(read.data)) throw new InputError(`${file}: not an Ansible YAML inventory (a mapping of groups)`)
  const hostVars = new Map<string, Vars>()
  const groups: Record<string, string[]> = {}

  const walk = (name: string, group: unknown, inherited: Vars, path: string[]): string[] => {
    if (group !== null && !isMap(group)) throw new InputError(`${file}: group ${path.join('.')} is not a mapping`)
    const {hosts, children, vars} = (group ?? {}) as Group
    const own = {...inherited, ...(isMap(vars) ? vars : {})}
    const members: string[] = []
    for (const [host, values] of Object.entries(isMap(hosts) ? hosts : {})) {
      // A host listed in several groups: the vars seen later fill in, its own always win.
      hostVars.set(host, {...own, ...hostVars.get(host), ...(isMap(values) ? values : {})})
      members.push(host)
    }
    for (const [child, body] of Object.entries(isMap(children) ? children : {})) members.push(...walk(child, body, own, [...path, 'children', child]))
    groups[name] = [...new Set([...(groups[name] ?? []), ...members])]
    return members
  }
  for (const [name, group] of Object.entries(read.data)) walk(name, group, {}, [name])
  return {
    hosts: Object.fromEntries([...hostVars].map(([name, vars]) => [name, targetOf(name, vars)])),
    groups,
  }
}
