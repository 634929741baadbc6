// What `vmdrift init` writes: every key of vmdrift.yaml, commented, so the file documents itself.
export const STARTER_CONFIG = `# vmdrift.yaml: what \`vmdrift check\` and \`vmdrift capture\` read from the working directory.
# Flags on the command line override it. Schema: \`vmdrift schema config\`. Docs: the README, "Config file".
vmdrift: 1

# Where baseline files live: <baselines>/<host>.yaml.
baselines: baselines

# Hosts read at once by \`check --all\` and \`capture --all\` (-j overrides it).
concurrency: 8

# Hosts by name: \`vmdrift check helix-vm\`, or all of them with --all.
# target: an ssh_config alias, user@host[:port], or local (default: the host's name).
hosts:
  helix-vm: {}
  # build-runner:
  #   target: ci@10.0.0.7:2222
  #   sudo: true
  #   identity: ~/.ssh/ci_key
  #   timeout: 30
  #   baseline: baselines/runner.yaml
  #   watch: [/opt/runner/bin/*]

# Options for every host (a host's own options win, and flags win over both).
defaults:
  sudo: false
  # ssh-config: ~/.ssh/config
  # known-hosts: ~/.ssh/known_hosts
  # accept-new-host-key: false   # like StrictHostKeyChecking accept-new

# Collectors on or off (all on unless turned off here).
collectors:
  systemd: true
  kernel-cmdline: true
  files: true
  docker: true

# Files to watch besides /usr/local/bin/* and /usr/local/sbin/*: sha256, size, mode, owner.
watch: []
#  - /opt/helix/bin/*

# Ignore rules: globs over \`collector:key\`; \`!\` re-includes; the last rule that matches decides.
# Ignored findings are still counted, and listed with --show-ignored. An expired rule stops ignoring.
ignore: []
#  - pattern: systemd:/etc/systemd/system/*.timer
#    reason: timers are rolled out by ansible, not baselined
#    expires: 2026-12-31
#  - "!systemd:/etc/systemd/system/backup.timer"
#  - kernel-cmdline:quiet

# Redaction: files whose content is stored as a hash, never as text.
redact: []
#  - /etc/helix/*.env
`
