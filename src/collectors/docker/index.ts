// dockerd(8) daemon configuration file: https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file

import {itemText} from '../shared.js'
import type {Collector} from '../types.js'
import {DAEMON_SHOW, dockerEffect} from './effect.js'
import {DAEMON_JSON, parseDocker} from './parse.js'
import {restoreFile} from '../restore.js'
import {dockerCommands} from './restore.js'
import {compareDaemonJsonItems} from './semantic.js'

// docker.service's and containerd.service's unit files and drop-ins are the systemd collector's.
export const docker: Collector = {
  id: 'docker',
  title: 'Docker daemon configuration: /etc/docker/daemon.json',
  probes: () => [
    {kind: 'files', id: 'daemon', globs: [DAEMON_JSON], content: 'text'},
    // The running daemon: when it read daemon.json (its process start), and the settings it runs with.
    {kind: 'command', id: 'started', reads: 'live', tools: ['systemctl'], script: DAEMON_SHOW},
    // The docker client alone takes about a second to start on an emulated VM: run it alongside the rest.
    {kind: 'command', id: 'info', reads: 'live', tools: ['docker'], script: `docker info --format '{{json .}}'`, concurrent: true},
  ],
  parse: (results) => parseDocker(results),
  compare: (_key, before, after) => compareDaemonJsonItems(before, after),
  text: itemText,
  effect: dockerEffect,
  restore: (key, wanted, _found, context) => restoreFile(key, wanted, context),
  restoreCommands: dockerCommands,
}
