import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {Item} from '../types.js'
import {dockerEffect} from './effect.js'

const readFixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')

const DAEMON_JSON = '/etc/docker/daemon.json'
const content = readFixture('daemon.json')
const withDebug = content.replace('"live-restore": true', '"live-restore": true,\n  "debug": true')
const item = (text: string): Item => ({type: 'daemon-json', mode: '0644', owner: 'root', content: text})
// The VM's boot (btime) when these were captured; dockerd's process started 47 s later (ExecMainStartTimestampMonotonic).
const host = {bootTime: 1795863518}
const started = host.bootTime + Math.floor(Number(/ExecMainStartTimestampMonotonic=(\d+)/.exec(readFixture('systemctl-show-docker-started.txt'))![1]) / 1e6)
const live = (info = readFixture('docker-info.json')) => ({
  started: {records: [], output: readFixture('systemctl-show-docker-started.txt'), exitCode: 0},
  info: {records: [], output: info, exitCode: 0},
})

describe('docker effect', () => {
  it('reads the daemon start from the real systemctl show and docker info', () => {
    expect(JSON.parse(readFixture('docker-info.json'))).toMatchObject({LoggingDriver: 'json-file', LiveRestoreEnabled: true, Debug: false})
    expect(started).toBeGreaterThan(host.bootTime)
  })

  it('finds a daemon.json written after dockerd started armed until docker restarts', () => {
    const effects = dockerEffect({baseline: {[DAEMON_JSON]: item(content)}, disk: {[DAEMON_JSON]: item(withDebug)}, meta: {[DAEMON_JSON]: {mtime: started + 60}}, live: live(), host})
    expect(effects[DAEMON_JSON]).toMatchObject({state: 'baseline', pending: 'systemctl restart docker', since: started, sinceWhat: 'daemon started'})
  })

  it('finds one written before dockerd started in effect', () => {
    const effects = dockerEffect({baseline: {[DAEMON_JSON]: item(content)}, disk: {[DAEMON_JSON]: item(withDebug)}, meta: {[DAEMON_JSON]: {mtime: started - 60}}, live: live(), host})
    expect(effects[DAEMON_JSON]).toMatchObject({state: 'disk'})
  })

  it('finds daemon.json put back while dockerd still runs with debug stale, and a mere touch not', () => {
    const debugRunning = readFixture('docker-info.json').replace('"Debug":false', '"Debug":true')
    expect(debugRunning).not.toBe(readFixture('docker-info.json'))
    const input = {baseline: {[DAEMON_JSON]: item(content)}, disk: {[DAEMON_JSON]: item(content)}, meta: {[DAEMON_JSON]: {mtime: started + 60}}, host}
    expect(dockerEffect({...input, live: live(debugRunning)})[DAEMON_JSON]).toMatchObject({state: 'other', pending: 'systemctl restart docker'})
    expect(dockerEffect({...input, live: live(debugRunning)})[DAEMON_JSON]!.detail).toContain('debug: true running')
    expect(dockerEffect({...input, live: live()})[DAEMON_JSON]).toMatchObject({state: 'disk'})
  })

  it('knows nothing when dockerd does not run', () => {
    const stopped = {started: {records: [], output: 'MainPID=0\nActiveState=inactive\nExecMainStartTimestampMonotonic=0\n'}}
    expect(dockerEffect({baseline: {}, disk: {[DAEMON_JSON]: item(content)}, meta: {}, live: stopped, host})).toEqual({})
  })
})
