#!/usr/bin/env bash
# Debian's podman (with runc), debootstrap and what rootful podman needs here, for the image's
# smoke test (scripts/image-smoke.sh). Installs only what is missing; non-interactive; sudo
# only when not root.
set -euo pipefail

# command -> Debian package
declare -A WANTED=(
  [podman]=podman
  [runc]=runc
  [debootstrap]=debootstrap
  [newuidmap]=uidmap
  [slirp4netns]=slirp4netns
  [fuse-overlayfs]=fuse-overlayfs
  [iptables]=iptables
)
missing=()
for command in "${!WANTED[@]}"; do
  if ! command -v "$command" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$command" ]; then
    missing+=("${WANTED[$command]}")
  fi
done
# podman's network stack, which has no command on PATH.
if [ ! -x /usr/lib/podman/netavark ] && [ ! -d /usr/lib/cni ]; then
  missing+=(netavark aardvark-dns)
fi
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

bash "$(dirname "$0")/apt-install.sh" install-container-tools "${missing[@]}"
echo "install-container-tools: installed ${missing[*]}; $(podman --version)"
