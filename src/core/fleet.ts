// Many hosts at once: a bounded number in flight (p-limit), a deadline per host so one that hangs or drops cannot
// hold up the run, and every host's outcome kept — an error is a result of that host, never the end of the run.
import pLimit from 'p-limit'
import type {HostPlan} from '../config/hosts.js'
import {describeError, InputError, TargetError} from '../errors.js'

export const HOST_STATUSES = ['in-sync', 'drift', 'captured', 'error'] as const
export type HostStatus = (typeof HOST_STATUSES)[number]

export interface HostOutcome<R> {
  host: string
  target: string
  status: HostStatus
  exitCode: 0 | 1 | 2
  /** when reading the host started, ISO 8601 UTC */
  startedAt: string
  durationMs: number
  result?: R
  error?: {kind: 'InputError' | 'TargetError' | 'InternalError'; message: string}
}

export interface HostJobResult<R> {
  result: R
  /** 'error' with a result: the host answered, but part of it could not be read */
  status: HostStatus
  exitCode: 0 | 1 | 2
}

/** One host's work; it must give up what it holds (close its connection) when `signal` aborts. */
export type HostJob<R> = (host: HostPlan, signal: AbortSignal) => Promise<HostJobResult<R>>

export type FleetEvent<R> = {type: 'start'; host: HostPlan} | {type: 'done'; host: HostPlan; outcome: HostOutcome<R>}

export interface FleetOptions<R> {
  concurrency: number
  onEvent?: (event: FleetEvent<R>) => void
}

/**
 * Past a host's own timeouts (connect, then the script: each `timeout` seconds, with their own precise messages),
 * this is the backstop for what they do not cover; it leaves those a moment to speak first.
 */
export function hostDeadlineMs(host: HostPlan): number {
  return host.timeout * 1000 + 2000
}

function errorOutcome(error: unknown): Pick<HostOutcome<never>, 'error'> {
  const kind = error instanceof InputError ? 'InputError' : error instanceof TargetError ? 'TargetError' : 'InternalError'
  return {error: {kind, message: describeError(error)}}
}

/** One host under its deadline; `error` is what went wrong, as thrown, for a caller that reports it itself. */
export async function runHost<R>(host: HostPlan, job: HostJob<R>): Promise<{outcome: HostOutcome<R>; error?: unknown}> {
  const started = Date.now()
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new TargetError(`${host.name}: no result within ${Math.round(hostDeadlineMs(host) / 1000)}s; gave up on it`, host.name, {hint: 'is the host up? raise --timeout for a slow host'}))
      controller.abort()
    }, hostDeadlineMs(host))
  })
  const base = {host: host.name, target: host.target, startedAt: new Date(started).toISOString()}
  try {
    const done = await Promise.race([job(host, controller.signal), deadline])
    return {outcome: {...base, status: done.status, exitCode: done.exitCode, durationMs: Date.now() - started, result: done.result}}
  } catch (error) {
    return {outcome: {...base, status: 'error', exitCode: 2, durationMs: Date.now() - started, ...errorOutcome(error)}, error}
  } finally {
    clearTimeout(timer)
  }
}

/** Outcomes in the order the hosts were given, whatever order they finished in. */
export async function runFleet<R>(hosts: HostPlan[], job: HostJob<R>, options: FleetOptions<R>): Promise<HostOutcome<R>[]> {
  const limit = pLimit(options.concurrency)
  return Promise.all(
    hosts.map((host) =>
      limit(async () => {
        options.onEvent?.({type: 'start', host})
        const {outcome} = await runHost(host, job)
        options.onEvent?.({type: 'done', host, outcome})
        return outcome
      }),
    ),
  )
}

/** The worst wins: 2 if any host errored, else 1 if any drifted, else 0. */
export function fleetExitCode(outcomes: HostOutcome<unknown>[]): 0 | 1 | 2 {
  return outcomes.reduce<0 | 1 | 2>((worst, outcome) => (outcome.exitCode > worst ? outcome.exitCode : worst), 0)
}

/** `--json` of check or capture over many hosts: one document, one entry per host (schemas/fleet-result.schema.json). */
export interface FleetResult<R> {
  command: 'check' | 'capture'
  exitCode: 0 | 1 | 2
  durationMs: number
  counts: {hosts: number} & Record<HostStatus, number>
  hosts: HostOutcome<R>[]
}

export function fleetResult<R>(command: FleetResult<R>['command'], outcomes: HostOutcome<R>[], durationMs: number): FleetResult<R> {
  const count = (status: HostStatus) => outcomes.filter((outcome) => outcome.status === status).length
  return {
    command,
    exitCode: fleetExitCode(outcomes),
    durationMs,
    counts: {hosts: outcomes.length, ...(Object.fromEntries(HOST_STATUSES.map((status) => [status, count(status)])) as Record<HostStatus, number>)},
    hosts: outcomes,
  }
}
