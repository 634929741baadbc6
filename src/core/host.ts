// The running host itself: which boot this is and when it began, so that every "in effect since" can be said.
// proc(5): https://man7.org/linux/man-pages/man5/proc.5.html (/proc/stat btime, /proc/sys/kernel/random/boot_id)
import type {FilesProbe, ProbeResult} from '../collectors/types.js'
import type {HostFacts} from '../model.js'

export const HOST_PROBES: FilesProbe[] = [
  {kind: 'files', id: 'host/boot', globs: ['/proc/sys/kernel/random/boot_id', '/proc/stat'], content: 'text', reads: 'live'},
]

/** Pure: the boot id and boot time out of what the host probes read (absent where they could not be read). */
export function parseHostFacts(result: ProbeResult | undefined): HostFacts {
  const facts: HostFacts = {}
  for (const record of result?.records ?? []) {
    if (typeof record.content !== 'string') continue
    if (record.path === '/proc/sys/kernel/random/boot_id') facts.bootId = record.content.trim()
    const btime = /^btime (\d+)$/m.exec(record.content)
    if (record.path === '/proc/stat' && btime) facts.bootTime = Number(btime[1])
  }
  return facts
}
