import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {baselineFlag, targetFlags} from '../cli/base.js'
import {hostFlags, HostsCommand} from '../cli/hosts.js'
import type {CheckResult} from '../core/check.js'
import type {FleetResult, HostJob, HostOutcome} from '../core/fleet.js'
import {DRIFT_CLASSES, isDriftClass} from '../model.js'

export default class Check extends HostsCommand {
  static override summary = 'Compare hosts with their baselines; exit 0 in sync, 1 drift, 2 error.'
  static override description =
    'Reads each host in one SSH round trip and reports every unit file, drop-in, enablement link, kernel parameter, watched file and Docker setting that differs from its baseline, with when it was written and a unified diff. Over several hosts (names, --all, --inventory), one line a host and a total; the worst exit code wins. Ignore rules of vmdrift.yaml apply; what they ignore is counted, and listed with --show-ignored.'
  static override examples = [
    '<%= config.bin %> check helix-vm && ./run-tests',
    '<%= config.bin %> check helix-vm --json',
    '<%= config.bin %> check helix-vm --fail-on added,removed,modified,stale',
    '<%= config.bin %> check local --root /mnt/vm-disk --baseline baselines/helix-vm.yaml',
    '<%= config.bin %> check --all -j 32 --junit reports/drift.xml',
    '<%= config.bin %> check --inventory hosts.yml webservers --shard 2/4 --quiet',
    '<%= config.bin %> check --all --prometheus /var/lib/node_exporter/textfile/vmdrift.prom --quiet',
  ]
  static override enableJsonFlag = true
  // Hosts are a variadic argument list (set here: oclif's parse reads a command's own statics, not inherited ones).
  static override strict = false
  static override args = {
    hosts: Args.string({description: 'hosts (several allowed): names in vmdrift.yaml or the inventory, ssh_config aliases, user@host[:port], or local'}),
  }
  static override flags = {
    ...targetFlags,
    ...hostFlags,
    baseline: baselineFlag,
    'fail-on': Flags.string({
      helpValue: 'CLASSES',
      description: `the drift classes that make the exit code 1, comma-separated: ${DRIFT_CLASSES.join(', ')} [default: all]`,
      options: [...DRIFT_CLASSES],
      multiple: true,
      delimiter: ',',
    }),
    'allow-other-target': Flags.boolean({description: 'compare with a baseline captured from another target'}),
    'show-ignored': Flags.boolean({description: 'list the findings ignore rules matched, with the rule and its reason', helpGroup: 'OUTPUT'}),
    details: Flags.boolean({char: 'd', description: 'over several hosts: also the full report of each host that drifted', helpGroup: 'OUTPUT'}),
    junit: Flags.string({helpValue: 'FILE', description: 'also write a JUnit XML report: a suite per host, a case per drifted item (with its diff)', helpGroup: 'OUTPUT'}),
    prometheus: Flags.string({helpValue: 'FILE', description: 'also write node_exporter textfile metrics (findings per host and class, errors, last check time, duration), atomically', helpGroup: 'OUTPUT'}),
  }

  async run(): Promise<CheckResult | FleetResult<CheckResult>> {
    const {argv, flags} = await this.parse(Check)
    const planned = await this.planHosts(argv as string[], flags)
    const {runHost} = await import('../core/fleet.js')
    const failOn = flags['fail-on']?.filter(isDriftClass) ?? DRIFT_CLASSES
    const today = new Date().toISOString().slice(0, 10)
    const collectorsOff = Object.entries(planned.config.collectors).filter(([, on]) => !on).map(([id]) => id)
    const job: HostJob<CheckResult> = async (host, signal) => {
      const target = await this.openHost(host, signal)
      try {
        // Loaded once the host is connecting: the handshake's round trips cover it (the report's code too, or it
        // would load after the host's last byte).
        const [{check, checkExitCode}] = await Promise.all([import('../core/check.js'), import('../report/text.js')])
        const result = await check(target, {
          baselineFile: host.baselineFile,
          root: host.root,
          sudo: host.sudo,
          ignore: {rules: planned.config.ignore, today},
          collectorsOff,
          allowOtherTarget: flags['allow-other-target'],
        })
        const exitCode = checkExitCode(result, failOn)
        return {result, exitCode, status: exitCode === 2 ? 'error' : result.findings.length ? 'drift' : 'in-sync'}
      } finally {
        await target.close()
      }
    }
    const render = async (result: CheckResult) => {
      const {renderCheck} = await import('../report/text.js')
      return renderCheck(result, this.colors, {showIgnored: flags['show-ignored']})
    }

    if (!planned.many) {
      const started = Date.now()
      const {outcome, error} = await runHost(planned.plans[0]!, job)
      await this.writeReports([outcome], Date.now() - started, flags)
      if (error !== undefined || !outcome.result) throw error
      const text = await render(outcome.result)
      if (!this.jsonEnabled()) process.stdout.write(flags.quiet ? `${text.split('\n')[0]}\n` : text)
      this.setExitCode(outcome.exitCode)
      return outcome.result
    }

    const fleet = await this.runHosts('check', planned, job, flags)
    if (flags.details && !flags.quiet && !this.jsonEnabled()) {
      for (const outcome of fleet.hosts) if (outcome.result && outcome.exitCode) process.stdout.write(`\n${await render(outcome.result)}`)
    }
    await this.writeReports(fleet.hosts, fleet.durationMs, flags)
    return fleet
  }

  private async writeReports(outcomes: HostOutcome<CheckResult>[], durationMs: number, flags: {junit?: string; prometheus?: string}): Promise<void> {
    if (!flags.junit && !flags.prometheus) return
    const [{writeFileAtomic}, {renderJunit}, {renderPrometheus}] = await Promise.all([
      import('../files.js'),
      import('../report/junit.js'),
      import('../report/prometheus.js'),
    ])
    if (flags.junit) await writeFileAtomic(flags.junit, renderJunit(outcomes, {name: 'vmdrift check', durationMs}), 'JUnit report')
    if (flags.prometheus) await writeFileAtomic(flags.prometheus, renderPrometheus(outcomes), 'metrics file')
  }
}
