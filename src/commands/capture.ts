import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {BaseCommand, baselineFlag, targetFlags} from '../cli/base.js'
import {InputError} from '../errors.js'
import type {CaptureResult} from '../core/capture.js'

export default class Capture extends BaseCommand {
  static override summary = 'Snapshot a host into a baseline file, to review and commit.'
  static override description =
    'Reads unit files, drop-ins, enablement links and masks, the kernel command line, watched binaries and the Docker daemon configuration in one SSH round trip, and writes them as deterministic YAML. The old baseline is replaced only when the capture succeeds.'
  static override examples = [
    '<%= config.bin %> capture helix-vm',
    '<%= config.bin %> capture auditor@127.0.0.1:2222 --identity ~/.ssh/vm_key --sudo',
    "<%= config.bin %> capture local --root /mnt/vm-disk --watch '/opt/helix/bin/*'",
  ]
  static override enableJsonFlag = true
  static override args = {
    target: Args.string({description: 'ssh_config alias, user@host[:port], or local', required: true}),
  }
  static override flags = {
    ...targetFlags,
    baseline: baselineFlag,
    watch: Flags.string({
      char: 'w',
      helpValue: 'GLOB',
      description: 'also watch these files (path or shell glob on the host; repeatable) besides /usr/local/bin/* and /usr/local/sbin/*',
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

  async run(): Promise<CaptureResult> {
    const {args, flags} = await this.parse(Capture)
    for (const glob of flags.watch) {
      if (!glob.startsWith('/')) throw new InputError(`--watch ${glob}: give an absolute path or glob`)
      if (glob.split('/').includes('..')) throw new InputError(`--watch ${glob}: '..' is not allowed (it could leave --root)`)
    }
    for (const glob of flags['keep-content']) {
      if (!glob.startsWith('/')) throw new InputError(`--keep-content ${glob}: give an absolute path or glob`)
      if (glob.split('/').includes('..')) throw new InputError(`--keep-content ${glob}: '..' is not allowed (it could leave --root)`)
    }
    const target = await this.openTarget(args.target, flags)
    const [{capture}, {defaultBaselinePath}, {renderCapture}] = await Promise.all([
      import('../core/capture.js'),
      import('../baselines/store.js'),
      import('../report/text.js'),
    ])
    try {
      const result = await capture(target, {
        baselineFile: flags.baseline ?? defaultBaselinePath(args.target),
        watch: flags.watch,
        keepContent: flags['keep-content'],
        root: flags.root,
        sudo: flags.sudo,
        allowUnreadable: flags['allow-unreadable'],
      })
      if (!this.jsonEnabled()) process.stdout.write(renderCapture(result, this.colors))
      return result
    } finally {
      await target.close()
    }
  }
}
