import {startLatencyHost} from './bench/harness.js'
import {execFileSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
const dir = mkdtempSync('/tmp/exp-')
const h = await startLatencyHost({delayMs: 25, dir})
const root = '/work/main/test/fixtures/helix-vm'
const t = (args) => { const a = performance.now(); execFileSync('node', ['bin/run.js', ...args]); return Math.round(performance.now() - a) }
const caps = [], floors = []
for (let i = 0; i < 7; i++) {
  caps.push(t(['capture', h.alias, '--ssh-config', h.sshConfigFile, '--root', root, '--baseline', dir + '/b.yaml']))
  const a = performance.now(); execFileSync('ssh', [...h.sshArgs, 'true']); floors.push(Math.round(performance.now() - a))
}
console.log('capture small root', caps.sort((a,b)=>a-b), 'ssh true', floors.sort((a,b)=>a-b))
await h.stop()
