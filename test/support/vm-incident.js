// The incident's edits as shell scripts to run as root in the test VM (../shared/vm), and the way back: shared by
// test/vm/restore.test.ts and the bench's restore row. Plain ESM JavaScript so a plain `node` bench can import it.
//
// All are loaded by systemd (one daemon-reload), as a reboot would load them. fstrim.service is masked while it is
// inactive (the timer starts it weekly): masking a running unit would leave it failed after a restore.

export const UNIT = '/etc/systemd/system/helix-drm-manager.service'
export const OVERRIDE = '/etc/systemd/system/docker.service.d/override.conf'
export const STRAY = '/run/systemd/system/helix-stray.service'

/** After= changed, a docker.service drop-in added, a unit masked, a unit disabled, a stray unit in /run. */
export const INCIDENT_EDITS = [
  `sed -i 's/^After=systemd-udev-settle.service$/After=multi-user.target/' ${UNIT}`,
  `printf '[Service]\\nEnvironment=HELIX_BISECT=1\\n' > ${OVERRIDE}`,
  'systemctl --no-reload mask fstrim.service',
  'systemctl --no-reload disable e2scrub_reap.service',
  `printf '[Service]\\nExecStart=/bin/true\\n' > ${STRAY}`,
  'systemctl daemon-reload',
].join(' && ')

/** Back to the pristine guest by hand, whatever a failed run left (restore backups included). */
export const PRISTINE = [
  `sed -i 's/^After=multi-user.target$/After=systemd-udev-settle.service/' ${UNIT}`,
  `rm -f ${OVERRIDE} ${STRAY}`,
  'systemctl --no-reload unmask fstrim.service',
  'systemctl --no-reload enable e2scrub_reap.service',
  'rm -rf /var/lib/vmdrift',
  'systemctl daemon-reload',
].join('; ')
