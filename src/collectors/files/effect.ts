// What running processes execute of the watched files. proc(5), /proc/PID/exe and /proc/PID/stat:
// https://man7.org/linux/man-pages/man5/proc.5.html. A binary replaced by rename leaves the process on the old
// inode: its exe link reads `PATH (deleted)` and hashes to the old content, which is what is in effect.
import type {Effect, EffectInput} from '../types.js'

/**
 * ONE find over every process's exe link (the watched globs, and the same followed by ` (deleted)`), then ONE
 * sha256sum, ONE cat of their stat and cgroup files: three processes whatever the number of files or processes.
 * Prints `exe /proc/PID TARGET` lines, then sha256sum's, then per process its stat line and its cgroup line.
 */
export const RUNNING_SCRIPT = String.raw`
n=$#
for g do set -- "$@" -o -lname "$g" -o -lname "$g (deleted)"; done
shift $n
if [ $# -gt 0 ]; then
  shift
  x=$(find /proc/[0-9]*/exe -maxdepth 0 \( "$@" \) -printf 'exe %h %l\n' 2>/dev/null)
  printf '%s\n' "$x"
  set -f; set --
  for w in $x; do case $w in /proc/*/*) ;; /proc/[0-9]*) set -- "$@" "$w" ;; esac; done
  set +f
  if [ $# -gt 0 ]; then
    for d do set -- "$@" "$d/exe"; done; sha256sum -- "$@" 2>/dev/null
    shift $(($# / 2)); for d do set -- "$@" "${'$'}{d%/exe}/stat" "${'$'}{d%/exe}/cgroup"; shift; done
    cat -- "$@"
  fi
fi`

/** Linux reports process times in USER_HZ ticks, which is 100 on every architecture it runs on. */
const USER_HZ = 100

export interface RunningProcess {
  pid: number
  /** the watched path it runs */
  path: string
  /** its exe is no longer the file at `path` (replaced or removed since it started) */
  deleted: boolean
  sha256?: string
  /** ticks after boot (field 22 of /proc/PID/stat) */
  startTicks?: number
  /** the systemd unit whose cgroup it is in */
  unit?: string
}

/** Pure: the output of RUNNING_SCRIPT as the processes it found. */
export function parseRunning(output: string): RunningProcess[] {
  const byPid = new Map<number, RunningProcess>()
  // A cgroup line says no pid: it belongs to the stat line just before it.
  let last: RunningProcess | undefined
  for (const line of output.split('\n')) {
    const exe = /^exe \/proc\/(\d+) (.+)$/.exec(line)
    if (exe) {
      const deleted = exe[2]!.endsWith(' (deleted)')
      byPid.set(Number(exe[1]), {pid: Number(exe[1]), path: deleted ? exe[2]!.slice(0, -' (deleted)'.length) : exe[2]!, deleted})
      continue
    }
    const hash = /^([0-9a-f]{64}) [ *]\/proc\/(\d+)\/exe$/.exec(line)
    if (hash) {
      const process = byPid.get(Number(hash[2]))
      if (process) process.sha256 = hash[1]
      continue
    }
    const cgroup = /^0::(.*)$/.exec(line)
    if (cgroup) {
      const unit = /\/([^/]+\.service)$/.exec(cgroup[1]!)?.[1]
      if (last && unit) last.unit = unit
      continue
    }
    const stat = /^(\d+) \(.*\) (.+)$/.exec(line)
    if (stat) {
      const process = byPid.get(Number(stat[1]))
      last = process
      // After the command name: field 3 (state) is the first, so field 22 (starttime) is the 20th.
      const start = stat[2]!.split(' ')[19]
      if (process && start !== undefined) process.startTicks = Number(start)
    }
  }
  return [...byPid.values()]
}

function restartOf(processes: RunningProcess[]): string {
  const units = [...new Set(processes.flatMap((p) => p.unit ?? []))]
  return units.length ? `systemctl restart ${units.join(' ')}` : `restart of pid ${processes.map((p) => p.pid).join(', ')}`
}

const short = (hash: string | undefined) => (hash ? `${hash.slice(0, 12)}…` : 'unreadable')

export function filesEffect({baseline, disk, live, host}: EffectInput): Record<string, Effect> {
  const output = live.running?.output
  if (output === undefined) return {}
  const byPath = new Map<string, RunningProcess[]>()
  for (const process of parseRunning(output)) byPath.set(process.path, [...(byPath.get(process.path) ?? []), process])
  const effects: Record<string, Effect> = {}
  for (const [path, processes] of byPath) {
    const hashOf = (value: unknown) => (typeof value === 'string' ? value : undefined)
    const diskHash = hashOf(disk[path]?.sha256)
    const baselineHash = hashOf(baseline[path]?.sha256)
    const hashes = new Set(processes.map((p) => p.sha256))
    const earliest = Math.min(...processes.map((p) => p.startTicks ?? Number.POSITIVE_INFINITY))
    const since = host.bootTime === undefined
      ? {}
      : Number.isFinite(earliest)
        ? {since: host.bootTime + Math.floor(earliest / USER_HZ), sinceWhat: 'process started'}
        : {since: host.bootTime, sinceWhat: 'booted'}
    const runs = `${processes.map((p) => `pid ${p.pid}${p.unit ? ` (${p.unit})` : ''}`).join(', ')} runs ${[...hashes].map(short).join(', ')}${processes.some((p) => p.deleted) ? ' (its file was replaced: exe reads "(deleted)")' : ''}`
    const state = hashes.size === 1 && hashes.has(diskHash) ? 'disk' : hashes.size === 1 && hashes.has(baselineHash) ? 'baseline' : 'other'
    effects[path] = {
      state,
      detail: runs,
      ...(state === 'disk' ? {} : {pending: restartOf(processes)}),
      ...since,
    }
  }
  return effects
}
