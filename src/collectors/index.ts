// The collectors vmdrift runs, in report order. A list written out by hand, so adding one is a reviewed
// change; index.test.ts fails when a collector folder exists that this list does not name.

import {docker} from './docker/index.js'
import {files} from './files/index.js'
import {kernelCmdline} from './kernel-cmdline/index.js'
import {systemd} from './systemd/index.js'
import type {Collector} from './types.js'

export const collectors: Collector[] = [systemd, kernelCmdline, files, docker]

export function collectorById(id: string): Collector | undefined {
  return collectors.find((collector) => collector.id === id)
}
