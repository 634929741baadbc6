import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import type {Item} from '../types.js'
import {filesEffect, parseRunning} from './effect.js'

const readFixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')

const BINARY = '/usr/local/bin/helix-drm-manager'
const OLD = '075e4c1e2988a55af53716d524338322c0e710bfec252503408a176011998c3e'
const NEW = /^([0-9a-f]{64}) /.exec(readFixture('replaced-sha256sum.txt'))![1]!
const binary = (sha256: string): Item => ({type: 'file', mode: '0755', owner: 'root', group: 'root', size: 1, sha256})
const host = {bootTime: 1795863518}
const running = (name: string) => ({running: {records: [], output: readFixture(name), exitCode: 0}})

describe('files: running processes', () => {
  it('reads the daemon of the VM: its pid, what it runs, its hash, its start and its unit', () => {
    expect(parseRunning(readFixture('running-clean.txt'))).toEqual([
      {pid: 255, path: BINARY, deleted: false, sha256: OLD, startTicks: 3532, unit: 'helix-drm-manager.service'},
    ])
  })

  it('sees through a binary replaced by rename: exe reads "(deleted)" and still hashes to the old content', () => {
    expect(parseRunning(readFixture('running-binary-replaced.txt'))).toEqual([
      {pid: 255, path: BINARY, deleted: true, sha256: OLD, startTicks: 3532, unit: 'helix-drm-manager.service'},
    ])
  })

  it('finds the replaced binary not in effect until the unit restarts, since the process started', () => {
    const effects = filesEffect({baseline: {[BINARY]: binary(OLD)}, disk: {[BINARY]: binary(NEW)}, meta: {}, live: running('running-binary-replaced.txt'), host})
    expect(effects[BINARY]).toMatchObject({
      state: 'baseline',
      pending: 'systemctl restart helix-drm-manager.service',
      since: host.bootTime + 35,
      sinceWhat: 'process started',
    })
    expect(effects[BINARY]!.detail).toContain('pid 255 (helix-drm-manager.service) runs 075e4c1e2988…')
  })

  it('finds a binary put back while the process still runs another one stale, and the clean VM in effect', () => {
    const stale = filesEffect({baseline: {[BINARY]: binary(NEW)}, disk: {[BINARY]: binary(NEW)}, meta: {}, live: running('running-clean.txt'), host})
    expect(stale[BINARY]).toMatchObject({state: 'other', pending: 'systemctl restart helix-drm-manager.service'})
    const clean = filesEffect({baseline: {[BINARY]: binary(OLD)}, disk: {[BINARY]: binary(OLD)}, meta: {}, live: running('running-clean.txt'), host})
    expect(clean[BINARY]).toMatchObject({state: 'disk'})
    expect(clean[BINARY]!.pending).toBeUndefined()
  })

  it('knows nothing of a file no process runs', () => {
    expect(filesEffect({baseline: {}, disk: {'/usr/local/bin/other': binary(OLD)}, meta: {}, live: running('running-clean.txt'), host})['/usr/local/bin/other']).toBeUndefined()
  })
})
