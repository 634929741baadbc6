// dockerd reads daemon.json only when it starts: https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file

import type {RestoreCommand, RestoreContext, RestoredItem} from '../types.js'

/** dockerd is restarted only when asked (--restart): a restart stops every container without live-restore. */
export function dockerCommands(restored: RestoredItem[], context: RestoreContext): {commands: RestoreCommand[]; notes?: string[]} {
  const written = restored.some(({action}) => action.kind === 'write' || action.kind === 'move-aside')
  if (!written) return {commands: []}
  if (!context.restart) return {commands: [], notes: ['dockerd keeps the daemon.json it started with until it restarts (--restart does it)']}
  return {commands: [{run: [['systemctl', 'restart', '--', 'docker.service']], why: '--restart: dockerd reads daemon.json when it starts'}]}
}
