#!/usr/bin/env bash
# Debian packages for the project's own scripts: `scripts/apt-install.sh WHO PACKAGE...`
# installs them with apt-get, non-interactively, with sudo only when not root. WHO names the
# asking script in the messages.
set -euo pipefail

who=${1:?usage: apt-install.sh WHO PACKAGE...}
shift
[ "$#" -gt 0 ] || exit 0
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo -n)
else
  echo "$who: missing $* and this user cannot run apt-get (no sudo)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$who: missing $* and there is no apt-get to install it" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
