// Which hosts a command runs on, each with its options settled: flags beat the host's own options in
// vmdrift.yaml, which beat the config's defaults. Pure.
import {defaultBaselinePath} from '../baselines/paths.js'
import {DEFAULT_TIMEOUT_SECONDS} from '../defaults.js'
import {InputError} from '../errors.js'
import type {Config, HostOptions} from './config.js'
import type {Inventory} from './inventory.js'

/** What the target flags of the command line say; absent means "not given", so the config decides. */
export interface HostFlags {
  identity?: string
  'known-hosts'?: string
  'ssh-config'?: string
  sudo?: boolean
  root?: string
  timeout?: number
  'accept-new-host-key'?: boolean
  baseline?: string
  watch?: string[]
}

export interface HostPlan {
  name: string
  target: string
  baselineFile: string
  watch: string[]
  sudo: boolean
  root?: string
  identity?: string
  knownHosts?: string
  sshConfig?: string
  timeout: number
  acceptNewHostKey: boolean
}

export interface Shard {
  index: number
  count: number
}

/** `K/N`, 1 ≤ K ≤ N. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text)
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (!match || count < 1 || index < 1 || index > count) throw new InputError(`--shard ${text}: give K/N with 1 ≤ K ≤ N, e.g. 2/4`)
  return {index, count}
}

/**
 * The K-th of N shards: hosts sorted by name, every N-th from the K-th. Every runner of a CI matrix computes the
 * same split from the same list, and each host lands in exactly one shard.
 */
export function shardHosts<T extends {name: string}>(hosts: T[], shard: Shard): T[] {
  return [...hosts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).filter((_, i) => i % shard.count === shard.index - 1)
}

export interface Selection {
  /** hosts (or inventory groups) named on the command line */
  names: string[]
  /** every host of the config (and of the inventory) */
  all: boolean
  inventory?: Inventory
  shard?: Shard
}

/** The names to run on, in the order given; groups of the inventory expand to their hosts. */
function selectNames(config: Config, selection: Selection): string[] {
  const inventory = selection.inventory
  if (selection.all || (inventory && selection.names.length === 0)) {
    return [...new Set([...Object.keys(config.hosts), ...Object.keys(inventory?.hosts ?? {})])]
  }
  if (selection.names.length === 0) {
    throw new InputError('name a host, or use --all for every host in the config', Object.keys(config.hosts).length ? `hosts: ${Object.keys(config.hosts).join(', ')}` : 'vmdrift init writes a config')
  }
  return [...new Set(selection.names.flatMap((name) => inventory?.groups[name] ?? [name]))]
}

export function planHosts(config: Config, selection: Selection, flags: HostFlags): HostPlan[] {
  const names = selectNames(config, selection)
  if (!names.length) {
    if (!config.file && !selection.inventory) throw new InputError('--all: there is no vmdrift.yaml here to name hosts', 'vmdrift init writes one, or use --config FILE')
    throw new InputError(`no hosts: ${[config.file, selection.inventory && 'the inventory'].filter(Boolean).join(' and ')} name none`)
  }
  const plans = names.map((name) => {
    const own = config.hosts[name] ?? {}
    const settled = <K extends keyof HostOptions>(key: K): HostOptions[K] => flags[key] ?? own[key] ?? config.defaults[key]
    return {
      name,
      target: own.target ?? selection.inventory?.hosts[name] ?? name,
      baselineFile: flags.baseline ?? own.baseline ?? defaultBaselinePath(name, config.baselines),
      watch: flags.watch?.length ? flags.watch : [...config.watch, ...(own.watch ?? [])],
      sudo: settled('sudo') ?? false,
      root: settled('root'),
      identity: settled('identity'),
      knownHosts: settled('known-hosts'),
      sshConfig: settled('ssh-config'),
      timeout: settled('timeout') ?? DEFAULT_TIMEOUT_SECONDS,
      acceptNewHostKey: settled('accept-new-host-key') ?? false,
    } satisfies HostPlan
  })
  if (flags.baseline && plans.length > 1) throw new InputError('--baseline names one file: give it for one host only', 'set baseline per host in vmdrift.yaml')
  return selection.shard ? shardHosts(plans, selection.shard) : plans
}
