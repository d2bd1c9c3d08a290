#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser test (tests/demo/): Playwright drives it through
# executable_path, because Playwright's own browser download cannot reach its servers from
# here. Does nothing when /usr/bin/chromium is there already. Non-interactive; sudo only
# when not root.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo -n)
else
  echo "install-chromium: $CHROMIUM is missing and this user cannot run apt-get (no sudo)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: $CHROMIUM is missing and there is no apt-get to install it" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
# fonts-dejavu-core: readable glyphs (æøå included) in screenshots.
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
test -x "$CHROMIUM"
echo "install-chromium: $("$CHROMIUM" --version)"
