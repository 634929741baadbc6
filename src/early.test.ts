import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {DEFAULT_TIMEOUT_SECONDS} from './defaults.js'
import {earlyTarget, type ManifestFlag} from './early.js'
import {packageRoot} from './package-root.js'

// The flags as oclif reads them: the manifest the build writes (npm test builds first).
const manifest = JSON.parse(readFileSync(join(packageRoot(), 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, ManifestFlag>}>}
const flagsOf = (command: string) => Object.values(manifest.commands[command]!.flags)

describe('earlyTarget', () => {
  const plain = {identity: undefined, knownHosts: undefined, sshConfig: undefined, timeout: DEFAULT_TIMEOUT_SECONDS, acceptNewHostKey: false}

  it('reads the one host of a capture or check, and the flags that shape its connection', () => {
    expect(earlyTarget(['helix-vm'], flagsOf('check'))).toEqual({spec: 'helix-vm', flags: plain})
    expect(
      earlyTarget(['--ssh-config', 'cfg', 'auditor@10.0.2.2:2222', '-i', 'key', '--known-hosts=kh', '--timeout', '5', '--accept-new-host-key', '-b', 'base.yaml', '--root', '/mnt', '--no-sudo', '--json'], flagsOf('capture')),
    ).toEqual({spec: 'auditor@10.0.2.2:2222', flags: {identity: 'key', knownHosts: 'kh', sshConfig: 'cfg', timeout: 5, acceptNewHostKey: true}})
    // a flag's value is not the host
    expect(earlyTarget(['--baseline', 'helix-vm.yaml', 'helix-vm'], flagsOf('check'))?.spec).toBe('helix-vm')
  })

  it('starts nothing where the command plans its hosts, or where it might read the line otherwise than this would', () => {
    for (const argv of [
      [],
      ['a', 'b'],
      ['local', '--root', '/mnt'],
      ['--all'],
      ['helix-vm', '--config', 'other.yaml'],
      ['helix-vm', '--inventory', 'hosts.yml'],
      ['helix-vm', '--shard', '1/2'],
      ['helix-vm', '--help'],
      ['helix-vm', '--bogus'],
      ['helix-vm', '-qd'],
      ['-iKEY', 'helix-vm'],
      ['--', 'helix-vm'],
      ['helix-vm', '--timeout', 'soon'],
      ['helix-vm', '--timeout', '0'],
      ['helix-vm', '--json=yes'],
      ['helix-vm', '--identity'],
      // a repeatable option takes the words after it as more values: the host may be one of them
      ['--watch', '/opt/bin/*', 'helix-vm'],
    ]) {
      expect(earlyTarget(argv, flagsOf('capture')), argv.join(' ')).toBeUndefined()
    }
  })
})
