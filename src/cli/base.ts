// What every vmdrift command shares: exit code 2 and one line for any error, and the flags that name a target.
import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'
import type {Input, OutputArgs, OutputFlags, ParserOutput} from '@oclif/core/parser'
import {describeError, InputError, TargetError} from '../errors.js'
import type {Target} from '../transport/types.js'
import {colorLevel, palette} from '../report/colors.js'
import {escapeControl} from '../report/safe-text.js'

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({description: 'print the stack of an internal error', helpGroup: 'GLOBAL'}),
  }

  protected get colors() {
    return palette(colorLevel(process.stdout.isTTY))
  }

  /**
   * The target the user named, its connection under way: the SSH handshake runs while the rest of the command
   * loads, and its errors surface in the first run on it. An abort of `signal` closes it.
   */
  protected async openTarget(spec: string, flags: TargetFlagValues, signal?: AbortSignal): Promise<Target> {
    const {resolveTarget} = await import('../transport/resolve.js')
    const target = resolveTarget(spec, {
      ...flags,
      knownHosts: flags['known-hosts'],
      sshConfig: flags['ssh-config'],
      acceptNewHostKey: flags['accept-new-host-key'],
    })
    signal?.addEventListener('abort', () => void target.close(), {once: true})
    await target.open()
    return target
  }

  /** 0 in sync, 1 drift, 2 error: set, never thrown, so --json output stays the command's result. */
  protected setExitCode(code: 0 | 1 | 2): void {
    process.exitCode = Math.max(Number(process.exitCode ?? 0), code)
  }

  // oclif's own parse errors (unknown flag, missing argument, bad value) are input errors like any other.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the signature oclif declares
  protected override async parse<F extends OutputFlags<any>, B extends OutputFlags<any>, A extends OutputArgs<any>>(
    options?: Input<F, B, A>,
    argv?: string[],
  ): Promise<ParserOutput<F, B, A>> {
    try {
      return await super.parse(options, argv)
    } catch (error) {
      // Parsing was attempted; without this oclif warns "did not parse its arguments" outside production.
      this.parsed = true
      // oclif spreads one problem over several lines and ends with its own hint; say it on one.
      const message = (error as Error).message
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('See more help'))
        .join(' ')
      throw new InputError(message || 'bad arguments', `see: vmdrift ${this.id ?? ''} --help`.replace(/ +--/, ' --'))
    }
  }

  protected override async catch(error: Interfaces.CommandError): Promise<void> {
    process.exitCode = 2
    const known = error instanceof InputError || error instanceof TargetError
    // An error can quote host data (a path, a line of stderr): inert lines on the terminal. Only our own input
    // errors may span lines (every problem of a config file, one line each); what a host said stays one line.
    const described = describeError(error)
    const lines = (error instanceof InputError ? described.split('\n') : [described]).map(escapeControl)
    if (this.jsonEnabled()) this.logJson({error: {kind: known ? error.name : 'InternalError', message: lines.join('\n')}})
    for (const line of lines) process.stderr.write(`vmdrift: ${line}\n`)
    if (!known && process.argv.includes('--debug')) process.stderr.write(`${error.stack}\n`)
  }
}

/** A day: more is a mistake, and Node's timers cannot wait beyond about 24.8 days anyway. */
export const MAX_TIMEOUT_SECONDS = 86_400

export const targetFlags = {
  identity: Flags.string({char: 'i', helpValue: 'FILE', description: 'private key file to log in with (instead of ssh_config, the agent and ~/.ssh/id_*)', helpGroup: 'TARGET'}),
  'known-hosts': Flags.string({helpValue: 'FILE', description: 'known_hosts file that must hold the host key [default: ~/.ssh/known_hosts]', helpGroup: 'TARGET'}),
  'ssh-config': Flags.string({helpValue: 'FILE', description: 'ssh_config file to resolve the target alias in [default: ~/.ssh/config]', helpGroup: 'TARGET'}),
  sudo: Flags.boolean({description: 'run the read script under sudo -n on the host (--no-sudo: not, whatever the config says)', allowNo: true, helpGroup: 'TARGET'}),
  root: Flags.string({helpValue: 'DIR', description: 'read every path under DIR instead of / (an offline root such as a mounted VM disk)', helpGroup: 'TARGET'}),
  'accept-new-host-key': Flags.boolean({
    description: 'record the key of a host not yet in known_hosts (like StrictHostKeyChecking accept-new); a changed key is still refused',
    helpGroup: 'TARGET',
  }),
  timeout: Flags.integer({helpValue: 'SECONDS', description: 'seconds to wait for a host to connect, and again to answer; past both, it is given up [default: 60]', min: 1, max: MAX_TIMEOUT_SECONDS, helpGroup: 'TARGET'}),
}

/** What targetFlags parse to. */
export interface TargetFlagValues {
  identity?: string
  'known-hosts'?: string
  'ssh-config'?: string
  'accept-new-host-key'?: boolean
  timeout: number
}

export const baselineFlag = Flags.string({char: 'b', helpValue: 'FILE', description: 'baseline file, for one host [default: <baselines: of the config>/<HOST>.yaml, baselines/<HOST>.yaml]'})
