#!/usr/bin/env node
// Many latency hosts in a process of their own: N relays (bench/relay.js, via harness addRelayHost) in front of
// one sshd, so that the relays' work is not charged to the process that times the commands (bench/run.js case 6).
// Writes one ssh_config with a Host block per relay and one known_hosts, prints one JSON line when ready, and
// exits when its stdin closes (the bench ended or died) or on SIGTERM.
//
//   node bench/relay-hosts.js SPEC_JSON   SPEC: {sshdPort, hostKeyFile, user, identityFile, count, delayMs, dir, prefix}
//
// Every address used is 127.0.0.1.

import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {addRelayHost} from './harness.js'

const spec = JSON.parse(process.argv[2] ?? '{}')
const sshd = /** @type {import('../test/support/sshd.js').Sshd} */ (
  /** @type {unknown} */ ({port: spec.sshdPort, hostKeyFile: spec.hostKeyFile, user: spec.user, identityFile: spec.identityFile})
)
/** @type {Awaited<ReturnType<typeof addRelayHost>>[]} */
const hosts = []
const stop = async () => {
  await Promise.all(hosts.map((h) => h.stop()))
  process.exit(0)
}
process.on('SIGTERM', stop)
process.stdin.on('end', stop)
process.stdin.resume()

for (let i = 1; i <= spec.count; i++) {
  const alias = `${spec.prefix}${String(i).padStart(3, '0')}`
  hosts.push(await addRelayHost(sshd, {delayMs: spec.delayMs, alias, dir: spec.dir}))
}
const sshConfigFile = path.join(spec.dir, 'hosts.ssh_config')
const knownHostsFile = path.join(spec.dir, 'hosts.known_hosts')
// One file each for all hosts, with each host's block pointing at the one known_hosts.
writeFileSync(sshConfigFile, hosts.map((h) => readFileSync(h.sshConfigFile, 'utf8').replace(h.knownHostsFile, knownHostsFile)).join('\n'))
writeFileSync(knownHostsFile, hosts.map((h) => readFileSync(h.knownHostsFile, 'utf8')).join(''))
process.stdout.write(`${JSON.stringify({aliases: hosts.map((h) => h.alias), sshConfigFile, knownHostsFile})}\n`)
