#!/usr/bin/env bash
# A Debian bookworm base image made from Debian's own packages (debootstrap, minbase, with
# python3 3.11, python3-venv and ca-certificates), imported into podman as
# localhost/bufetat-base:bookworm. For machines that reach Debian's packages and PyPI but no
# container registry: `make image BASE_IMAGE=localhost/bufetat-base:bookworm` builds on it
# (the Dockerfile's default base stays the public python image).
#
# The certificate authorities this host added itself (/usr/local/share/ca-certificates, e.g.
# a proxy's) are trusted in the base too, so the image's build reaches PyPI as the host does.
# Does nothing when the image exists already (BASE_IMAGE_REBUILD=1 makes it again).
#   scripts/build-base-image.sh [IMAGE]      (default localhost/bufetat-base:bookworm)
set -euo pipefail

IMAGE=${1:-localhost/bufetat-base:bookworm}
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ENGINE=${CONTAINER_ENGINE:-podman}

if [ "${BASE_IMAGE_REBUILD:-0}" != 1 ] && "$ENGINE" image exists "$IMAGE" 2>/dev/null; then
  echo "build-base-image: $IMAGE exists"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "build-base-image: debootstrap needs root" >&2
  exit 1
fi
command -v debootstrap >/dev/null 2>&1 || {
  echo "build-base-image: debootstrap is missing (scripts/install-container-tools.sh)" >&2
  exit 1
}

ROOTFS=$(mktemp -d /var/tmp/bufetat-base.XXXXXX)
cleanup() {
  # Never follow into a mount left behind by an interrupted debootstrap.
  for mount in proc sys dev/pts dev; do
    if mountpoint -q "$ROOTFS/$mount" 2>/dev/null; then umount -l "$ROOTFS/$mount" || true; fi
  done
  rm -rf --one-file-system "$ROOTFS"
}
trap cleanup EXIT

echo "build-base-image: debootstrap $SUITE from $MIRROR (a few minutes)"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  "$SUITE" "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1 || {
  tail -30 "$ROOTFS.log" >&2
  rm -f "$ROOTFS.log"
  exit 1
}
rm -f "$ROOTFS.log"

shopt -s nullglob
local_cas=(/usr/local/share/ca-certificates/*.crt)
if [ "${#local_cas[@]}" -gt 0 ]; then
  mkdir -p "$ROOTFS/usr/local/share/ca-certificates"
  cp "${local_cas[@]}" "$ROOTFS/usr/local/share/ca-certificates/"
  chroot "$ROOTFS" update-ca-certificates >/dev/null 2>&1
fi

# What an image does not need: package lists and archives, logs, caches, docs.
chroot "$ROOTFS" apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/log/* \
  "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
  "$ROOTFS"/tmp/* "$ROOTFS"/root/.cache
python_version=$(chroot "$ROOTFS" python3 -c 'import sys; print(sys.version.split()[0])')

tar --numeric-owner -C "$ROOTFS" -c . | "$ENGINE" import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  - "$IMAGE" >/dev/null
echo "build-base-image: $IMAGE (Debian $SUITE, Python $python_version)"
