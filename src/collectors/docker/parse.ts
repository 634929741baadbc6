// dockerd(8), "Daemon configuration file": https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file

import {addItem, expectedFileItem, newOutput, probeRecords} from '../shared.js'
import type {CollectorOutput, Json, ProbeResult} from '../types.js'
import {jsonSyntaxError} from './json-syntax.js'

export const DAEMON_JSON = '/etc/docker/daemon.json'

export type DaemonSettings = {[key: string]: Json}

/**
 * The settings of a daemon.json as dockerd reads them (moby daemon/config: a UTF-8 BOM and surrounding
 * whitespace are ignored, an empty file means no settings), or why dockerd would refuse to start with it.
 */
export function readDaemonJson(content: string): {settings: DaemonSettings} | {invalid: string} {
  const text = content.replace(/^\uFEFF/, '')
  if (text.trim() === '') return {settings: {}}
  const syntaxError = jsonSyntaxError(text)
  if (syntaxError !== undefined) return {invalid: `invalid JSON at ${syntaxError}`}
  const value = JSON.parse(text) as Json
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {invalid: 'not a JSON object'}
  return {settings: value}
}

export function parseDocker(results: Record<string, ProbeResult>): CollectorOutput {
  const output = newOutput()
  for (const record of probeRecords(results, 'daemon', output.warnings)) {
    const item = expectedFileItem(record, 'daemon-json')
    // Invalid JSON on the host is a finding, not a failure of the capture: dockerd will not start with it.
    if (typeof record.content === 'string') {
      const read = readDaemonJson(record.content)
      if ('invalid' in read) {
        item.invalid = read.invalid
        output.warnings.push(`${record.path}: ${read.invalid}`)
      }
    } else if (record.sha256 !== undefined) {
      output.warnings.push(`${record.path}: not UTF-8 text, compared by its sha256 only`)
    }
    addItem(output, record.path, item, record.mtime)
  }
  return output
}
