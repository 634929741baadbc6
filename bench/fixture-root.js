// Generates the root file system of a realistic dev VM in a temp dir, deterministically from a seed:
//   etc/systemd/system   local units, *.d drop-ins, *.wants/ enablement links, aliases, masks (→ /dev/null)
//   usr/lib/systemd/system  vendor units (lib → usr/lib, relative, as on merged-/usr Debian)
//   etc/default/grub, etc/default/grub.d/*.cfg, boot/grub/grub.cfg, etc/docker/daemon.json
//   usr/local/bin        20 "binaries" of 1–50 MB of pseudo-random bytes (AES-CTR keystream of the seed)
//
// The manifest it returns lists exactly what an audit of this root reads, so the bench's floor (one ssh that cats
// and hashes) and naive (one ssh per file) commands read the same set as `vmdrift capture --root`:
//   textFiles  regular files whose content is read   (paths relative to the root, no leading slash)
//   symlinks   links whose target is read (enablement links, aliases, masks)
//   binaries   files that are hashed (sha256), never read back
// Vendor units are in the set only where something in /etc refers to them by name (the unit a drop-in dir, an
// override, an alias, a mask or an enablement link is for, or its template): other vendor units are there for
// realism, unread.
//
//   const fx = await createFixtureRoot({seed: 1})      // fx.root, fx.textFiles, fx.symlinks, fx.binaries
//   await fx.cleanup()

import {createCipheriv, createHash} from 'node:crypto'
import {createWriteStream} from 'node:fs'
import {mkdir, mkdtemp, readFile, rm, symlink, writeFile, chmod} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

const MiB = 1024 * 1024

/**
 * @typedef {object} FixtureOptions
 * @property {number} [seed]            default 1
 * @property {string} [dir]             parent dir (default os.tmpdir()); the fixture is made in a new subdir
 * @property {number} [binaries]        number of binaries in usr/local/bin (default 20)
 * @property {number} [minBinaryBytes]  default 1 MiB
 * @property {number} [maxBinaryBytes]  default 50 MiB
 */

/**
 * @typedef {object} FixtureManifest
 * @property {number} seed
 * @property {string[]} textFiles     relative to the root
 * @property {string[]} symlinks      relative to the root
 * @property {{path: string, size: number}[]} binaries   relative to the root
 * @property {string[]} unreadVendorUnits  vendor unit files present but not in the audit set
 * @property {number} binaryBytes     total size of the binaries
 * @property {number} textBytes       total size of the text files
 * @property {Record<string, number>} counts  units, drop-ins, links, masks, vendor units read
 */

/**
 * @typedef {FixtureManifest & {dir: string, root: string, manifestFile: string, cleanup: () => Promise<void>}} Fixture
 */

/** mulberry32: a small deterministic PRNG. @param {number} seed */
export function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The model of the VM: which units exist where, and what refers to what.

const VENDOR_UNITS = [
  'ssh.service', 'ssh@.service', 'ssh.socket', 'docker.service', 'docker.socket', 'containerd.service',
  'cron.service', 'rsyslog.service', 'systemd-journald.service', 'systemd-logind.service',
  'systemd-networkd.service', 'systemd-networkd-wait-online.service', 'systemd-resolved.service',
  'systemd-timesyncd.service', 'systemd-udevd.service', 'systemd-udev-settle.service',
  'systemd-tmpfiles-setup.service', 'systemd-tmpfiles-clean.service', 'systemd-tmpfiles-clean.timer',
  'getty@.service', 'serial-getty@.service', 'getty.target', 'multi-user.target', 'graphical.target',
  'network-online.target', 'network.target', 'sockets.target', 'timers.target', 'basic.target',
  'apt-daily.service', 'apt-daily.timer', 'apt-daily-upgrade.service', 'apt-daily-upgrade.timer',
  'man-db.service', 'man-db.timer', 'logrotate.service', 'logrotate.timer', 'e2scrub_all.service',
  'e2scrub_all.timer', 'fstrim.service', 'fstrim.timer', 'dbus.service', 'dbus.socket', 'networking.service',
  'unattended-upgrades.service', 'apparmor.service', 'keyboard-setup.service', 'console-setup.service',
  'systemd-fsck@.service', 'systemd-random-seed.service', 'systemd-update-utmp.service',
  'systemd-user-sessions.service', 'user@.service', 'polkit.service', 'packagekit.service',
  'ModemManager.service', 'wpa_supplicant.service', 'avahi-daemon.service', 'avahi-daemon.socket',
  'bluetooth.service', 'cups.service', 'cups.socket', 'cups.path', 'qemu-guest-agent.service',
  'chrony.service', 'rpcbind.service', 'rpcbind.socket', 'remote-fs.target', 'local-fs.target',
  'swap.target', 'sysinit.target', 'emergency.service', 'rescue.service', 'systemd-binfmt.service',
  'proc-sys-fs-binfmt_misc.automount', 'tmp.mount', 'sleep.target', 'suspend.target', 'hibernate.target',
  'hybrid-sleep.target', 'systemd-suspend.service', 'systemd-hibernate.service', 'ctrl-alt-del.target',
  'anacron.service', 'anacron.timer', 'atd.service', 'smartmontools.service', 'lvm2-monitor.service',
  'lvm2-lvmpolld.socket', 'blk-availability.service', 'mdmonitor.service',
]

/** Local units in /etc/systemd/system (the dev VM's own services). */
const LOCAL_UNITS = [
  'helix-drm-manager.service', 'helix-api.service', 'helix-worker@.service', 'helix-scheduler.service',
  'helix-scheduler.timer', 'helix-metrics.service', 'helix-metrics.socket', 'helix-gc.service', 'helix-gc.timer',
  'dev-postgres.service', 'dev-redis.service', 'dev-minio.service', 'node-exporter.service', 'cadvisor.service',
  'registry-mirror.service', 'buildkitd.service', 'buildkitd.socket', 'gpu-fan-control.service',
  'vm-tune.service', 'swapfile.swap', 'mnt-data.mount', 'mnt-data.automount', 'mnt-cache.mount',
  'ci-runner.service', 'ci-runner-cleanup.service', 'ci-runner-cleanup.timer', 'log-shipper.service',
  'log-shipper.path', 'dnsmasq-dev.service', 'vmdrift-canary.service', 'sshd-keygen-once.service',
  'docker-prune.service', 'docker-prune.timer',
]

/** Drop-in dirs and their .conf files. */
const DROP_INS = {
  'docker.service.d': ['helix-drm.conf', 'override.conf', 'limits.conf'],
  'containerd.service.d': ['override.conf', 'snapshotter.conf'],
  'getty@tty1.service.d': ['autologin.conf'],
  'serial-getty@ttyS0.service.d': ['autologin.conf'],
  'ssh.service.d': ['override.conf'],
  'systemd-journald.service.d': ['ratelimit.conf'],
  'systemd-networkd-wait-online.service.d': ['any.conf'],
  'user@.service.d': ['delegate.conf'],
  'cron.service.d': ['nice.conf'],
  'helix-api.service.d': ['10-env.conf', '20-limits.conf', '50-debug.conf'],
  'helix-worker@.service.d': ['resources.conf'],
  'systemd-udevd.service.d': ['timeout.conf'],
  'fstrim.timer.d': ['weekly.conf'],
  'logrotate.timer.d': ['hourly.conf'],
  'rsyslog.service.d': ['oom.conf'],
  'systemd-resolved.service.d': ['dns.conf'],
  'dev-postgres.service.d': ['memory.conf', 'override.conf'],
  'node-exporter.service.d': ['collectors.conf'],
  'ci-runner.service.d': ['env.conf', 'restart.conf'],
}

/** Enablement links: dir → unit names (target is the unit in /etc if local, else the vendor unit). */
const WANTS = {
  'multi-user.target.wants': [
    'ssh.service', 'docker.service', 'containerd.service', 'cron.service', 'rsyslog.service',
    'helix-drm-manager.service', 'helix-api.service', 'helix-worker@1.service', 'helix-worker@2.service',
    'helix-worker@3.service', 'helix-scheduler.service', 'helix-metrics.service', 'dev-postgres.service',
    'dev-redis.service', 'dev-minio.service', 'node-exporter.service', 'cadvisor.service',
    'registry-mirror.service', 'buildkitd.service', 'gpu-fan-control.service', 'vm-tune.service',
    'ci-runner.service', 'log-shipper.service', 'dnsmasq-dev.service', 'qemu-guest-agent.service',
    'chrony.service', 'networking.service', 'systemd-networkd.service', 'systemd-resolved.service',
    'vmdrift-canary.service',
  ],
  'timers.target.wants': [
    'helix-gc.timer', 'helix-scheduler.timer', 'ci-runner-cleanup.timer', 'docker-prune.timer', 'fstrim.timer',
    'logrotate.timer', 'man-db.timer', 'e2scrub_all.timer', 'systemd-tmpfiles-clean.timer',
  ],
  'sockets.target.wants': ['docker.socket', 'helix-metrics.socket', 'buildkitd.socket'],
  'getty.target.wants': ['getty@tty1.service', 'serial-getty@ttyS0.service'],
  'network-online.target.wants': ['systemd-networkd-wait-online.service'],
  'sysinit.target.wants': ['apparmor.service', 'keyboard-setup.service', 'systemd-timesyncd.service'],
  'remote-fs.target.wants': ['mnt-data.automount'],
  'local-fs.target.wants': ['mnt-cache.mount'],
  'swap.target.wants': ['swapfile.swap'],
  'paths.target.wants': ['log-shipper.path'],
}

/** Top-level aliases (name → vendor unit). */
const ALIASES = {
  'sshd.service': 'ssh.service',
  'dbus-org.freedesktop.resolve1.service': 'systemd-resolved.service',
  'dbus-org.freedesktop.timesync1.service': 'systemd-timesyncd.service',
}

const MASKS = [
  'apt-daily.service', 'apt-daily.timer', 'apt-daily-upgrade.service', 'apt-daily-upgrade.timer',
  'unattended-upgrades.service', 'ModemManager.service', 'packagekit.service', 'bluetooth.service',
  'cups.service', 'cups.socket', 'cups.path', 'avahi-daemon.service', 'avahi-daemon.socket', 'sleep.target',
  'suspend.target', 'hibernate.target', 'hybrid-sleep.target',
]

/** Vendor units overridden by a full copy in /etc (the classic `systemctl edit --full`). */
const FULL_OVERRIDES = ['systemd-timesyncd.service', 'smartmontools.service']

const BINARIES = [
  'helix-drm-manager', 'helix-api', 'helix-worker', 'helix-scheduler', 'helix-gc', 'helix-metrics', 'helixctl',
  'node-exporter', 'cadvisor', 'buildkitd', 'buildctl', 'registry', 'minio', 'mc', 'k9s', 'kubectl', 'helm', 'yq',
  'dnsmasq-dev', 'ci-runner',
]

// ---------------------------------------------------------------------------------------------------------------
// Content generators (plausible, varied by the PRNG).

/** @param {() => number} rnd @param {readonly any[]} list */
const pick = (rnd, list) => list[Math.floor(rnd() * list.length)]

/** @param {string} name */
function unitType(name) {
  return name.slice(name.lastIndexOf('.') + 1)
}

/** @param {string} name */
function describe(name) {
  const base = name.replace(/@?\.[a-z]+$/, '').replace(/[-_@]/g, ' ')
  return base.replace(/\b\w/g, (c) => c.toUpperCase())
}

/**
 * @param {string} name
 * @param {() => number} rnd
 * @param {'vendor' | 'local'} origin
 */
function unitText(name, rnd, origin) {
  const type = unitType(name)
  const bin = name.replace(/@?\.[a-z]+$/, '')
  const lines = [`# ${origin === 'vendor' ? 'Shipped by the distribution package' : 'Managed by the dev VM provisioning'}`, '[Unit]', `Description=${describe(name)}`]
  if (rnd() < 0.4) lines.push(`Documentation=man:${bin}(8)`)
  const afters = ['network-online.target', 'local-fs.target', 'systemd-udev-settle.service', 'docker.service', 'containerd.service', 'time-sync.target']
  if (type !== 'target') lines.push(`After=${pick(rnd, afters)}${rnd() < 0.5 ? ' ' + pick(rnd, afters) : ''}`)
  if (rnd() < 0.3) lines.push(`Wants=${pick(rnd, ['network-online.target', 'time-sync.target'])}`)
  if (name === 'helix-drm-manager.service') lines.splice(3, 1, 'After=systemd-udev-settle.service')
  if (rnd() < 0.2) lines.push(`ConditionPathExists=/etc/${bin}/config.yaml`)
  lines.push('')
  switch (type) {
    case 'service': {
      lines.push('[Service]')
      lines.push(`Type=${pick(rnd, ['simple', 'notify', 'exec', 'forking', 'oneshot'])}`)
      if (rnd() < 0.5) lines.push(`EnvironmentFile=-/etc/default/${bin}`)
      const exe = origin === 'local' ? `/usr/local/bin/${bin}` : `/usr/sbin/${bin}`
      lines.push(`ExecStart=${exe}${rnd() < 0.6 ? ` --config /etc/${bin}/config.yaml` : ''}${rnd() < 0.3 ? ' --log-level=info' : ''}`)
      if (rnd() < 0.4) lines.push('ExecReload=/bin/kill -HUP $MAINPID')
      lines.push(`Restart=${pick(rnd, ['on-failure', 'always', 'no'])}`)
      if (rnd() < 0.5) lines.push(`RestartSec=${1 + Math.floor(rnd() * 10)}`)
      if (rnd() < 0.3) lines.push(`LimitNOFILE=${pick(rnd, [65536, 1048576, 524288])}`)
      if (rnd() < 0.3) lines.push('ProtectSystem=full', 'PrivateTmp=yes')
      if (rnd() < 0.2) lines.push(`User=${pick(rnd, ['helix', 'nobody', 'postgres', 'redis'])}`)
      break
    }
    case 'timer':
      lines.push('[Timer]', `OnCalendar=${pick(rnd, ['daily', 'hourly', 'weekly', '*-*-* 03:00:00', 'Mon *-*-* 04:30'])}`)
      lines.push(`RandomizedDelaySec=${pick(rnd, [0, 60, 600, 3600])}`, 'Persistent=true')
      break
    case 'socket':
      lines.push('[Socket]', `ListenStream=${pick(rnd, [`/run/${bin}.sock`, '127.0.0.1:9100', '127.0.0.1:2375'])}`, 'SocketMode=0660')
      break
    case 'mount':
      lines.push('[Mount]', `What=/dev/disk/by-label/${bin.split('-').pop()}`, `Where=/${bin.replace(/-/g, '/')}`, 'Type=ext4', 'Options=defaults,noatime')
      break
    case 'automount':
      lines.push('[Automount]', `Where=/${bin.replace(/-/g, '/')}`, 'TimeoutIdleSec=600')
      break
    case 'swap':
      lines.push('[Swap]', 'What=/swapfile', 'Priority=10')
      break
    case 'path':
      lines.push('[Path]', `PathChanged=/var/log/${bin}`, `Unit=${bin}.service`)
      break
    default:
      if (rnd() < 0.5) lines.push(`Requires=${pick(rnd, ['basic.target', 'sysinit.target'])}`)
  }
  if (type !== 'target' && !name.includes('@.')) {
    lines.push('', '[Install]', `WantedBy=${{timer: 'timers.target', socket: 'sockets.target', mount: 'local-fs.target', automount: 'remote-fs.target', swap: 'swap.target', path: 'paths.target'}[type] ?? 'multi-user.target'}`)
  } else if (name.includes('@.')) {
    lines.push('', '[Install]', 'WantedBy=multi-user.target')
  }
  return lines.join('\n') + '\n'
}

/** @param {string} dir @param {string} conf @param {() => number} rnd */
function dropInText(dir, conf, rnd) {
  if (dir === 'docker.service.d' && conf === 'helix-drm.conf') {
    return '[Unit]\nAfter=helix-drm-manager.service\nRequires=helix-drm-manager.service\n'
  }
  const opts = [
    ['Service', `Environment=${pick(rnd, ['GOMAXPROCS', 'RUST_LOG', 'HTTP_PROXY', 'NO_PROXY', 'HELIX_ENV'])}=${pick(rnd, ['2', 'info', 'debug', 'dev', 'localhost,127.0.0.1'])}`],
    ['Service', `LimitNOFILE=${pick(rnd, [65536, 1048576])}`],
    ['Service', `MemoryMax=${pick(rnd, ['512M', '2G', '4G', 'infinity'])}`],
    ['Service', `CPUWeight=${pick(rnd, [50, 100, 200])}`],
    ['Service', `TimeoutStartSec=${pick(rnd, ['90s', '5min', 'infinity'])}`],
    ['Service', `Nice=${pick(rnd, [-5, 5, 10])}`],
    ['Service', 'ExecStart=\nExecStart=-/sbin/agetty --autologin root --noclear %I $TERM'],
    ['Unit', `After=${pick(rnd, ['network-online.target', 'docker.service', 'mnt-data.mount'])}`],
    ['Service', `RateLimitIntervalSec=${pick(rnd, ['30s', '0'])}`],
    ['Timer', `OnCalendar=\nOnCalendar=${pick(rnd, ['weekly', 'hourly'])}`],
  ]
  const chosen = /** @type {Record<string, string[]>} */ ({})
  const n = 1 + Math.floor(rnd() * 3)
  for (let i = 0; i < n; i++) {
    let [section, line] = pick(rnd, opts)
    if (dir.includes('.timer.d')) [section, line] = opts[9]
    ;(chosen[section] ??= []).includes(line) || chosen[section].push(line)
  }
  const out = [`# ${dir}/${conf}`]
  for (const [section, lines] of Object.entries(chosen)) out.push(`[${section}]`, ...lines, '')
  return out.join('\n')
}

const GRUB = `# If you change this file, run 'update-grub' afterwards to update
# /boot/grub/grub.cfg.
# For full documentation of the options in this file, see:
#   info -f grub -n 'Simple configuration'

GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=\`lsb_release -i -s 2> /dev/null || echo Debian\`
GRUB_CMDLINE_LINUX_DEFAULT="video=Virtual-1:1920x1080"
GRUB_CMDLINE_LINUX="console=ttyS0,115200"

# Uncomment to disable graphical terminal (grub-pc only)
#GRUB_TERMINAL=console
#GRUB_GFXMODE=640x480
#GRUB_DISABLE_LINUX_UUID=true
#GRUB_DISABLE_RECOVERY="true"
`

const GRUB_D = `# Set by the dev VM provisioning: cgroup v2 only, deterministic NIC names
GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX systemd.unified_cgroup_hierarchy=1 net.ifnames=0"
`

/** @param {() => number} rnd */
function grubCfg(rnd) {
  const kernels = ['6.1.0-28-amd64', '6.1.0-26-amd64', '6.1.0-25-amd64']
  const out = [
    '#',
    '# DO NOT EDIT THIS FILE',
    '#',
    '# It is automatically generated by grub-mkconfig using templates',
    '# from /etc/grub.d and settings from /etc/default/grub',
    '#',
    '',
    '### BEGIN /etc/grub.d/00_header ###',
    'if [ -s $prefix/grubenv ]; then',
    '  set have_grubenv=true',
    '  load_env',
    'fi',
    'set default="0"',
    'set timeout=5',
    '### END /etc/grub.d/00_header ###',
    '',
    '### BEGIN /etc/grub.d/10_linux ###',
  ]
  const uuid = Array.from({length: 4}, () => Math.floor(rnd() * 0xffffffff).toString(16).padStart(8, '0')).join('-')
  for (const k of kernels) {
    for (const recovery of [false, true]) {
      out.push(
        `menuentry 'Debian GNU/Linux, with Linux ${k}${recovery ? ' (recovery mode)' : ''}' --class debian --class gnu-linux --class os {`,
        '\tload_video',
        '\tinsmod gzio',
        '\tinsmod part_gpt',
        '\tinsmod ext2',
        `\tsearch --no-floppy --fs-uuid --set=root ${uuid}`,
        `\techo\t'Loading Linux ${k} ...'`,
        recovery
          ? `\tlinux\t/boot/vmlinuz-${k} root=UUID=${uuid} ro single console=ttyS0,115200 systemd.unified_cgroup_hierarchy=1 net.ifnames=0`
          : `\tlinux\t/boot/vmlinuz-${k} root=UUID=${uuid} ro console=ttyS0,115200 systemd.unified_cgroup_hierarchy=1 net.ifnames=0 video=Virtual-1:1920x1080`,
        `\techo\t'Loading initial ramdisk ...'`,
        `\tinitrd\t/boot/initrd.img-${k}`,
        '}',
      )
    }
  }
  out.push('### END /etc/grub.d/10_linux ###', '')
  return out.join('\n')
}

const DAEMON_JSON = {
  'log-driver': 'json-file',
  'log-opts': {'max-size': '50m', 'max-file': '3'},
  'live-restore': true,
  'storage-driver': 'overlay2',
  'exec-opts': ['native.cgroupdriver=systemd'],
  'registry-mirrors': ['http://127.0.0.1:5000'],
  'default-address-pools': [{base: '172.30.0.0/16', size: 24}],
  features: {buildkit: true},
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Deterministic pseudo-random bytes (AES-128-CTR keystream keyed by seed and name), written to a file.
 * @param {string} file @param {number} size @param {string} key
 */
async function writeRandomFile(file, size, key) {
  const k = createHash('sha256').update(key).digest()
  const cipher = createCipheriv('aes-128-ctr', k.subarray(0, 16), k.subarray(16, 32))
  const zero = Buffer.alloc(4 * MiB)
  const out = createWriteStream(file)
  let left = size
  await new Promise((resolve, reject) => {
    out.on('error', reject)
    const write = () => {
      while (left > 0) {
        const n = Math.min(left, zero.length)
        left -= n
        const chunk = cipher.update(n === zero.length ? zero : zero.subarray(0, n))
        if (!out.write(chunk)) return void out.once('drain', write)
      }
      out.end(resolve)
    }
    write()
  })
}

/** Sizes log-spaced from min to max, shuffled by the seed. @param {number} n @param {number} min @param {number} max @param {() => number} rnd */
function binarySizes(n, min, max, rnd) {
  const sizes = Array.from({length: n}, (_, i) => {
    const f = n === 1 ? 0 : i / (n - 1)
    const s = Math.round(min * Math.pow(max / min, f))
    return s - (s % 4096) + Math.floor(rnd() * 4096) // not page-aligned, like real binaries
  })
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1))
    ;[sizes[i], sizes[j]] = [sizes[j], sizes[i]]
  }
  return sizes.map((s) => Math.max(1, Math.min(max, s)))
}

/** The vendor unit that systemd would use for a name in /etc (itself, else its template). @param {string} name */
function vendorFor(name) {
  const unit = name.replace(/\.d$/, '')
  if (VENDOR_UNITS.includes(unit)) return unit
  const m = /^(.+@)[^.]+(\.[a-z]+)$/.exec(unit)
  if (m && VENDOR_UNITS.includes(m[1] + m[2])) return m[1] + m[2]
  return undefined
}

/**
 * Creates the fixture root.
 * @param {FixtureOptions} [opts]
 * @returns {Promise<Fixture>}
 */
export async function createFixtureRoot(opts = {}) {
  const seed = opts.seed ?? 1
  const rnd = prng(seed)
  const dir = await mkdtemp(path.join(opts.dir ?? os.tmpdir(), 'vmdrift-fixture-'))
  const root = path.join(dir, 'root')
  const cleanup = () => rm(dir, {recursive: true, force: true})
  try {
    const manifest = await populate(root, seed, rnd, opts)
    const manifestFile = path.join(dir, 'manifest.json')
    await writeFile(manifestFile, JSON.stringify(manifest, null, 2) + '\n')
    return {...manifest, dir, root, manifestFile, cleanup}
  } catch (e) {
    await cleanup()
    throw e
  }
}

/** Reads the manifest of a fixture made earlier (e.g. by another process). @param {string} dir  the fixture's dir (parent of root) */
export async function readFixtureManifest(dir) {
  return /** @type {FixtureManifest} */ (JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')))
}

/**
 * @param {string} root @param {number} seed @param {() => number} rnd @param {FixtureOptions} opts
 * @returns {Promise<FixtureManifest>}
 */
async function populate(root, seed, rnd, opts) {
  /** @type {string[]} */ const textFiles = []
  /** @type {string[]} */ const symlinks = []
  let textBytes = 0
  const counts = {localUnits: 0, fullOverrides: 0, dropIns: 0, dropInDirs: 0, wantsLinks: 0, aliases: 0, masks: 0, vendorUnitsRead: 0, vendorUnitsUnread: 0}

  const text = async (/** @type {string} */ rel, /** @type {string} */ content, read = true) => {
    const abs = path.join(root, rel)
    await mkdir(path.dirname(abs), {recursive: true})
    await writeFile(abs, content, {mode: 0o644})
    if (read) {
      textFiles.push(rel)
      textBytes += Buffer.byteLength(content)
    }
  }
  const link = async (/** @type {string} */ rel, /** @type {string} */ target) => {
    const abs = path.join(root, rel)
    await mkdir(path.dirname(abs), {recursive: true})
    await symlink(target, abs)
    symlinks.push(rel)
  }

  // merged /usr: lib → usr/lib (relative, so it stays inside the root)
  await mkdir(path.join(root, 'usr/lib/systemd/system'), {recursive: true})
  await symlink('usr/lib', path.join(root, 'lib'))
  await mkdir(path.join(root, 'usr/local/sbin'), {recursive: true})
  await mkdir(path.join(root, 'run/systemd/system'), {recursive: true})

  const etc = 'etc/systemd/system'
  const vendorRel = (/** @type {string} */ u) => `lib/systemd/system/${u}`

  // Names in /etc that systemd resolves against the vendor dirs: their vendor unit is read too.
  /** @type {Set<string>} */
  const referenced = new Set()
  const wanted = Object.values(WANTS).flat()
  for (const name of [...Object.keys(DROP_INS), ...Object.keys(ALIASES), ...MASKS, ...FULL_OVERRIDES, ...wanted]) {
    const v = vendorFor(name)
    if (v) referenced.add(v)
  }

  // vendor units (content generated in a fixed order so the PRNG sequence, hence the content, is stable)
  /** @type {string[]} */ const unread = []
  for (const u of VENDOR_UNITS) {
    const content = unitText(u, rnd, 'vendor')
    const read = referenced.has(u)
    await text(vendorRel(u), content, read)
    if (read) counts.vendorUnitsRead++
    else {
      unread.push(vendorRel(u))
      counts.vendorUnitsUnread++
    }
  }
  for (const u of LOCAL_UNITS) {
    await text(`${etc}/${u}`, unitText(u, rnd, 'local'))
    counts.localUnits++
  }
  for (const u of FULL_OVERRIDES) {
    await text(`${etc}/${u}`, unitText(u, rnd, 'local').replace('# Managed', '# Full copy of the vendor unit, edited; managed'))
    counts.fullOverrides++
  }
  for (const [d, confs] of Object.entries(DROP_INS)) {
    counts.dropInDirs++
    for (const c of confs) {
      await text(`${etc}/${d}/${c}`, dropInText(d, c, rnd))
      counts.dropIns++
    }
  }
  for (const [d, units] of Object.entries(WANTS)) {
    for (const u of units) {
      const template = u.replace(/@[^.]+\./, '@.')
      const local = LOCAL_UNITS.includes(u) || LOCAL_UNITS.includes(template)
      const target = local ? `/${etc}/${LOCAL_UNITS.includes(u) ? u : template}` : `/lib/systemd/system/${vendorFor(u) ?? u}`
      await link(`${etc}/${d}/${u}`, target)
      counts.wantsLinks++
    }
  }
  for (const [alias, unit] of Object.entries(ALIASES)) {
    await link(`${etc}/${alias}`, `/lib/systemd/system/${unit}`)
    counts.aliases++
  }
  for (const m of MASKS) {
    await link(`${etc}/${m}`, '/dev/null')
    counts.masks++
  }

  await text('etc/default/grub', GRUB)
  await text('etc/default/grub.d/50-helix.cfg', GRUB_D)
  await text('boot/grub/grub.cfg', grubCfg(rnd))
  await text('etc/docker/daemon.json', JSON.stringify(DAEMON_JSON, null, 2) + '\n')

  const n = opts.binaries ?? BINARIES.length
  const sizes = binarySizes(n, opts.minBinaryBytes ?? 1 * MiB, opts.maxBinaryBytes ?? 50 * MiB, rnd)
  /** @type {{path: string, size: number}[]} */
  const binaries = []
  await mkdir(path.join(root, 'usr/local/bin'), {recursive: true})
  for (let i = 0; i < n; i++) {
    const name = BINARIES[i % BINARIES.length] + (i >= BINARIES.length ? `-${Math.floor(i / BINARIES.length)}` : '')
    const rel = `usr/local/bin/${name}`
    await writeRandomFile(path.join(root, rel), sizes[i], `vmdrift-fixture:${seed}:${rel}`)
    await chmod(path.join(root, rel), 0o755)
    binaries.push({path: rel, size: sizes[i]})
  }

  const byPath = (/** @type {string} */ a, /** @type {string} */ b) => (a < b ? -1 : a > b ? 1 : 0)
  return {
    seed,
    textFiles: textFiles.sort(byPath),
    symlinks: symlinks.sort(byPath),
    binaries: binaries.sort((a, b) => byPath(a.path, b.path)),
    unreadVendorUnits: unread.sort(byPath),
    binaryBytes: binaries.reduce((s, b) => s + b.size, 0),
    textBytes,
    counts,
  }
}

/**
 * The sh command that reads the fixture's audit set in one go (the bench's floor): cat every text file, read every
 * link, sha256sum every binary. Paths are quoted; the root is prepended. `beside`: sha256sum runs beside the rest,
 * its output printed after it, as vmdrift's script does it (`sha256sum … | { cat …; readlink …; cat; }`).
 * @param {string} root @param {FixtureManifest} m @param {{beside?: boolean}} [options]
 */
export function floorCommand(root, m, {beside = false} = {}) {
  const q = (/** @type {string} */ s) => `'${s.replaceAll("'", `'\\''`)}'`
  const abs = (/** @type {string} */ rel) => q(`${root}/${rel}`)
  const read = [`cat ${m.textFiles.map(abs).join(' ')}`, `readlink ${m.symlinks.map(abs).join(' ')}`]
  const hash = `sha256sum ${m.binaries.map((b) => abs(b.path)).join(' ')}`
  return beside ? `${hash} | { ${read.join(' && ')} && cat; }` : [...read, hash].join(' && ')
}

/**
 * The sh commands of the naive way, one per item: `cat FILE`, `readlink LINK`, `sha256sum BINARY`.
 * @param {string} root @param {FixtureManifest} m
 */
export function naiveCommands(root, m) {
  const q = (/** @type {string} */ s) => `'${s.replaceAll("'", `'\\''`)}'`
  return [
    ...m.textFiles.map((f) => `cat ${q(`${root}/${f}`)}`),
    ...m.symlinks.map((f) => `readlink ${q(`${root}/${f}`)}`),
    ...m.binaries.map((b) => `sha256sum ${q(`${root}/${b.path}`)}`),
  ]
}
