// What check and capture share over one host or many: which hosts (arguments, --all, --inventory, --shard, the
// config), how many at once, and the line a host and the line for the run. The work per host is the command's.
import * as Flags from '@oclif/core/flags'
import type {Config} from '../config/config.js'
import type {HostFlags, HostPlan} from '../config/hosts.js'
import type {FleetResult, HostJob, HostOutcome} from '../core/fleet.js'
import type {CaptureResult} from '../core/capture.js'
import type {CheckResult} from '../core/check.js'
import type {Target} from '../transport/types.js'
import {BaseCommand} from './base.js'

export const hostFlags = {
  config: Flags.string({char: 'c', helpValue: 'FILE', description: 'config file [default: ./vmdrift.yaml if there is one]', helpGroup: 'HOSTS'}),
  all: Flags.boolean({char: 'a', description: 'every host of the config (and of --inventory)', helpGroup: 'HOSTS'}),
  inventory: Flags.string({helpValue: 'FILE', description: 'hosts from an Ansible inventory in YAML (groups; ansible_host, ansible_user, ansible_port); name hosts or groups, or none for all', helpGroup: 'HOSTS'}),
  shard: Flags.string({helpValue: 'K/N', description: 'only the K-th of N shares of the hosts (sorted by name, every N-th): one per CI matrix job', helpGroup: 'HOSTS'}),
  concurrency: Flags.integer({char: 'j', helpValue: 'N', description: 'hosts read at once [default: 8, or concurrency: in the config]', min: 1, max: 256, helpGroup: 'HOSTS'}),
  quiet: Flags.boolean({char: 'q', description: 'print only the one summary line', helpGroup: 'OUTPUT'}),
}

/** What the hosts flags parse to. */
export interface HostFlagValues extends HostFlags {
  config?: string
  all: boolean
  inventory?: string
  shard?: string
  concurrency?: number
  quiet: boolean
}

export interface Planned {
  config: Config
  plans: HostPlan[]
  /** more than one host, or hosts picked by the config, an inventory or a shard: a per-host line and a total */
  many: boolean
}

export abstract class HostsCommand extends BaseCommand {
  protected async planHosts(names: string[], flags: HostFlagValues): Promise<Planned> {
    const [{loadConfig}, {planHosts, parseShard}, {readFile}, {parseInventory}, {InputError}] = await Promise.all([
      import('../config/load.js'),
      import('../config/hosts.js'),
      import('node:fs/promises'),
      import('../config/inventory.js'),
      import('../errors.js'),
    ])
    const config = await loadConfig(flags.config)
    let inventory
    if (flags.inventory) {
      const text = await readFile(flags.inventory, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new InputError(`cannot read --inventory ${flags.inventory}: ${error.code ?? error.message}`)
      })
      inventory = parseInventory(text, flags.inventory)
    }
    const shard = flags.shard ? parseShard(flags.shard) : undefined
    const plans = planHosts(config, {names, all: flags.all, inventory, shard}, flags)
    return {config, plans, many: plans.length > 1 || flags.all || Boolean(flags.inventory || flags.shard)}
  }

  /** A host's target, connecting; a deadline that passes closes it. */
  protected openHost(host: HostPlan, signal: AbortSignal): Promise<Target> {
    const flags = {
      identity: host.identity,
      'known-hosts': host.knownHosts,
      'ssh-config': host.sshConfig,
      'accept-new-host-key': host.acceptNewHostKey,
      timeout: host.timeout,
    }
    return this.openTarget(host.target, flags, signal)
  }

  /** Runs `job` on every host, a line for each as it finishes (live on a terminal), then the total. */
  protected async runHosts<R extends CheckResult | CaptureResult>(
    command: FleetResult<R>['command'],
    planned: Planned,
    job: HostJob<R>,
    flags: HostFlagValues,
  ): Promise<FleetResult<R>> {
    const [{runFleet, fleetResult}, {renderHostLine, renderFleetSummary}, {hostLines}] = await Promise.all([
      import('../core/fleet.js'),
      import('../report/fleet.js'),
      import('./progress.js'),
    ])
    const c = this.colors
    const quiet = flags.quiet || this.jsonEnabled()
    const width = Math.min(32, Math.max(...planned.plans.map((p) => p.name.length)))
    const lines = quiet ? undefined : await hostLines(process.stdout, planned.plans.length, c)
    const started = Date.now()
    let outcomes: HostOutcome<R>[]
    try {
      outcomes = await runFleet(planned.plans, job, {
        concurrency: flags.concurrency ?? planned.config.concurrency,
        onEvent: (event) => {
          if (event.type === 'start') lines?.started(event.host.name)
          else lines?.finished(event.host.name, renderHostLine(event.outcome, c, width))
        },
      })
    } finally {
      lines?.close()
    }
    const result = fleetResult(command, outcomes, Date.now() - started)
    if (!this.jsonEnabled()) process.stdout.write(`${renderFleetSummary(result, c)}\n`)
    this.setExitCode(result.exitCode)
    return result
  }
}
