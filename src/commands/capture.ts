import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {baselineFlag, targetFlags} from '../cli/base.js'
import {hostFlags, HostsCommand} from '../cli/hosts.js'
import {InputError} from '../errors.js'
import type {CaptureResult} from '../core/capture.js'
import type {FleetResult, HostJob} from '../core/fleet.js'

export default class Capture extends HostsCommand {
  static override summary = 'Snapshot hosts into baseline files, to review and commit.'
  static override description =
    'Reads unit files, drop-ins, enablement links and masks, the kernel command line, watched binaries and the Docker daemon configuration in one SSH round trip, and writes them as deterministic YAML. The old baseline is replaced only when the capture succeeds. Over several hosts (names, --all, --inventory), one line a host and a total.'
  static override examples = [
    '<%= config.bin %> capture helix-vm',
    '<%= config.bin %> capture auditor@127.0.0.1:2222 --identity ~/.ssh/vm_key --sudo',
    "<%= config.bin %> capture local --root /mnt/vm-disk --watch '/opt/helix/bin/*'",
    '<%= config.bin %> capture --all -j 16',
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
    watch: Flags.string({
      char: 'w',
      helpValue: 'GLOB',
      description: 'also watch these files (path or shell glob on the host; repeatable) besides /usr/local/bin/* and /usr/local/sbin/*; given, they replace the watch: of vmdrift.yaml',
      multiple: true,
    }),
    redact: Flags.string({
      helpValue: 'GLOB',
      description: 'also store files matching GLOB only as a sha256 (a base name, or a path if it has a /; repeatable) besides the defaults (*secret*, *token*, *credential*, *password*, *.key, …)',
      multiple: true,
      default: [],
    }),
    'allow-unreadable': Flags.boolean({description: 'write the baseline even when some paths could not be read (they are recorded as not readable)'}),
    'keep-content': Flags.string({
      helpValue: 'GLOB',
      description: 'also keep the bytes of these watched files in baselines/<TARGET>.blobs/ (by sha256), so restore can put them back (repeatable)',
      multiple: true,
      default: [],
    }),
  }

  async run(): Promise<CaptureResult | FleetResult<CaptureResult>> {
    const {argv, flags} = await this.parse(Capture)
    const planned = await this.planHosts(argv as string[], flags)
    // Globs from the flags and from vmdrift.yaml alike: '..' could leave --root.
    const globs = [['--watch', planned.plans.flatMap((host) => host.watch)], ['--keep-content', flags['keep-content']]] as const
    for (const [what, list] of globs) {
      for (const glob of new Set(list)) {
        if (!glob.startsWith('/')) throw new InputError(`${what} ${glob}: give an absolute path or glob`)
        if (glob.split('/').includes('..')) throw new InputError(`${what} ${glob}: '..' is not allowed (it could leave --root)`)
      }
    }
    const {runHost} = await import('../core/fleet.js')
    // The config's redaction rules and --redact: stored in each baseline, so a check redacts the same.
    const redact = [...new Set([...planned.config.redact, ...flags.redact])]
    const job: HostJob<CaptureResult> = async (host, signal) => {
      const target = await this.openHost(host, signal)
      try {
        // Loaded once the host is connecting: the handshake's round trips cover it (the report's code too, or it
        // would load after the host's last byte).
        const [{capture, collectorIds}] = await Promise.all([import('../core/capture.js'), import('../report/text.js')])
        const collectors = collectorIds().filter((id) => planned.config.collectors[id] !== false)
        const result = await capture(target, {
          baselineFile: host.baselineFile,
          watch: host.watch,
          keepContent: flags['keep-content'],
          redact,
          root: host.root,
          sudo: host.sudo,
          collectors,
          allowUnreadable: flags['allow-unreadable'],
        })
        // A collector that could not read the host is left out of the baseline and named in the line, as for one host.
        return {result, exitCode: 0, status: 'captured'}
      } finally {
        await target.close()
      }
    }

    if (!planned.many) {
      const {outcome, error} = await runHost(planned.plans[0]!, job)
      if (error !== undefined || !outcome.result) throw error
      const {renderCapture} = await import('../report/text.js')
      if (!this.jsonEnabled()) process.stdout.write(flags.quiet ? `${renderCapture(outcome.result, this.colors).split('\n')[0]}\n` : renderCapture(outcome.result, this.colors))
      return outcome.result
    }
    return this.runHosts('capture', planned, job, flags)
  }
}
