// What the running Docker daemon uses: it reads daemon.json once, when its process starts
// (https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file), so a daemon.json written after
// that start is armed until `systemctl restart docker`. `docker info` shows some settings as the daemon runs
// them (https://docs.docker.com/reference/cli/docker/system/info/): those are compared too.
import type {Effect, EffectInput, Json} from '../types.js'
import {DAEMON_JSON, readDaemonJson} from './parse.js'

/** `systemctl show` of docker.service: when its main process started, on the monotonic clock. */
export const DAEMON_SHOW = 'systemctl show -p ActiveState,MainPID,ExecMainStartTimestampMonotonic docker.service'

/** daemon.json keys that `docker info --format '{{json .}}'` shows as the daemon runs them, with dockerd's defaults. */
const INFO_FIELDS: Record<string, {field: string; default?: Json}> = {
  'log-driver': {field: 'LoggingDriver', default: 'json-file'},
  'live-restore': {field: 'LiveRestoreEnabled', default: false},
  debug: {field: 'Debug', default: false},
  'storage-driver': {field: 'Driver'},
  'data-root': {field: 'DockerRootDir', default: '/var/lib/docker'},
  'default-runtime': {field: 'DefaultRuntime', default: 'runc'},
}

function keyValues(output: string): Map<string, string> {
  return new Map(output.split('\n').flatMap((line) => (line.includes('=') ? [[line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]] : [])))
}

function settingsOf(content: Json | undefined): Record<string, Json> | undefined {
  if (typeof content !== 'string') return undefined
  const read = readDaemonJson(content)
  return 'settings' in read ? read.settings : undefined
}

/** The settings docker info shows that differ from what `settings` asks for: `debug: true (daemon.json) ≠ false (running)`. */
function runningDiffers(settings: Record<string, Json>, info: Record<string, Json>): string[] {
  return Object.entries(INFO_FIELDS).flatMap(([key, {field, default: fallback}]) => {
    const wanted = settings[key] ?? fallback
    const running = info[field]
    if (wanted === undefined || running === undefined || JSON.stringify(wanted) === JSON.stringify(running)) return []
    return [`${key}: ${JSON.stringify(running)} running`]
  })
}

export function dockerEffect({baseline, disk, meta, live, host}: EffectInput): Record<string, Effect> {
  const daemon = keyValues(live.started?.output ?? '')
  const startedTicks = Number(daemon.get('ExecMainStartTimestampMonotonic') ?? 0)
  if (daemon.get('ActiveState') !== 'active' || !(startedTicks > 0) || host.bootTime === undefined) return {}
  const started = host.bootTime + Math.floor(startedTicks / 1e6)
  const when = {since: started, sinceWhat: 'daemon started'}
  let info: Record<string, Json> = {}
  try {
    const parsed = JSON.parse(live.info?.output ?? '') as Json
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) info = parsed
  } catch {
    // docker info failed (no permission to its socket without --sudo): the start time alone decides.
  }
  const onDisk = disk[DAEMON_JSON]
  const inBaseline = baseline[DAEMON_JSON]
  const same = JSON.stringify(onDisk?.content) === JSON.stringify(inBaseline?.content)
  const mtime = meta[DAEMON_JSON]?.mtime
  const restart = 'systemctl restart docker'
  const writtenAfterStart = mtime !== undefined && mtime > started
  const baselineSettings = settingsOf(inBaseline?.content)
  const differsFromBaseline = baselineSettings ? runningDiffers(baselineSettings, info) : []
  if (same) {
    if (differsFromBaseline.length) return {[DAEMON_JSON]: {state: 'other', detail: `dockerd runs other settings (${differsFromBaseline.join(', ')})`, pending: restart, ...when}}
    return {[DAEMON_JSON]: {state: 'disk', detail: 'dockerd runs these settings', ...when}}
  }
  if (writtenAfterStart) {
    return {[DAEMON_JSON]: {state: 'baseline', detail: 'dockerd started before daemon.json was written and still runs what it read then', pending: restart, ...when}}
  }
  return {[DAEMON_JSON]: {state: 'disk', detail: 'dockerd started after daemon.json was written', ...when}}
}
