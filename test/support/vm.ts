// The real test VM of ../shared/vm for the end-to-end groups in test/vm/: booted once (build.sh --if-missing, up.sh),
// reached through an ssh_config alias `helix-vm`, and commanded through the VM scripts' own ssh wrapper.
// VMDRIFT_VM_DIR and SSH_PORT pick the VM, as the scripts themselves read them.
import {execFileSync} from 'node:child_process'
import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {repo} from './cli.js'

const vmScripts = process.env.VMDRIFT_VM_SCRIPTS ?? join(repo, '../shared/vm')
const vmDir = process.env.VMDRIFT_VM_DIR ?? '/var/tmp/vmdrift-vm'
const port = process.env.SSH_PORT ?? '2222'

/** A command in the guest, as the login user (given up after `timeout` ms: a reboot can leave ssh hanging). */
export function guest(command: string, timeout = 120_000): string {
  return execFileSync(join(vmScripts, 'ssh.sh'), [command], {encoding: 'utf8', timeout})
}

/** Builds the VM if it has never been built, boots it if it is down, and writes `dir/ssh_config`; returns its path. */
export async function bootTestVm(dir: string): Promise<string> {
  execFileSync(join(vmScripts, 'build.sh'), ['--if-missing'], {stdio: 'inherit'})
  execFileSync(join(vmScripts, 'up.sh'), [], {stdio: 'inherit'})
  const sshConfig = join(dir, 'ssh_config')
  await writeFile(
    sshConfig,
    ['Host helix-vm', '  HostName 127.0.0.1', `  Port ${port}`, '  User auditor', `  IdentityFile ${vmDir}/id_ed25519`, `  UserKnownHostsFile ${vmDir}/known_hosts`, '  IdentitiesOnly yes', ''].join('\n'),
  )
  return sshConfig
}
