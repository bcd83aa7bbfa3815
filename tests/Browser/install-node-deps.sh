#!/usr/bin/env bash
# Installs playwright-core exactly as package-lock.json pins it (npm ci), unless node_modules already
# holds that version. No browser is downloaded: the tests drive Debian's /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")"
version() { node -p "require('$1').$2" 2>/dev/null || true; }
want=$(version ./package-lock.json 'packages["node_modules/playwright-core"].version')
have=$(version ./node_modules/playwright-core/package.json version)
if [ -z "$want" ] || [ "$want" != "$have" ]; then
  npm ci --no-audit --no-fund
fi
