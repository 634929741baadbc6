#!/usr/bin/env bash
# Installs the Debian packages the tests and the bench need, if they are missing: a real OpenSSH sshd and client
# (the end-to-end tests and the bench run one on 127.0.0.1). Idempotent; does nothing when all are there.
# The VM group's own needs (QEMU, debootstrap) are installed by ../shared/vm/build.sh and up.sh.
set -euo pipefail
missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
{ command -v ssh && command -v ssh-keygen && command -v ssh-agent; } >/dev/null || missing+=(openssh-client)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "vmdrift tests need: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "installing ${missing[*]} ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
