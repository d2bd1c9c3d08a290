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

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo -n)
else
  echo "install-container-tools: missing ${missing[*]} and this user cannot run apt-get" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-container-tools: missing ${missing[*]} and there is no apt-get" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-container-tools: installed ${missing[*]}; $(podman --version)"
