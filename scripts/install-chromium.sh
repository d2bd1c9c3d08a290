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

# fonts-dejavu-core: readable glyphs (æøå included) in screenshots.
bash "$(dirname "$0")/apt-install.sh" install-chromium chromium fonts-dejavu-core
test -x "$CHROMIUM"
echo "install-chromium: $("$CHROMIUM" --version)"
