#!/usr/bin/env bash
# Puts the browser files into build/www (what `--web build/www` serves, and what make install copies to
# share/websockify/www): websock.js and its classic build, websock-compat.js, the wstelnet page, and
# xterm.js from npm (installed as src/Browser/package-lock.json pins it, never committed).
#   usage: scripts/build-www.sh [OUT]   (default build/www)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/src/Browser
out=${1:-$root/build/www}

version() { node -p "require('$1').$2" 2>/dev/null || true; }
want=$(version "$src/package-lock.json" 'packages["node_modules/@xterm/xterm"].version')
have=$(version "$src/node_modules/@xterm/xterm/package.json" version)
if [ -z "$want" ] || [ "$want" != "$have" ]; then
  (cd "$src" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Built next to the old tree and swapped in, so a failed build never leaves half a web root.
tmp=$(mktemp -d "$(dirname "$out")/.www.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
install -m 0644 "$src/websock.js" "$src/websock-compat.js" "$src/telnet.js" \
  "$src/wstelnet.html" "$src/wstelnet.js" "$src/wstelnet.css" "$tmp/"
node "$src/build-classic.mjs" "$src/websock.js" "$tmp/websock.classic.js"
chmod 0644 "$tmp/websock.classic.js"
xterm=$src/node_modules/@xterm/xterm
install -d "$tmp/vendor/xterm"
# Without the source map line: the map is not shipped (it is 1.7 MB and only for debugging xterm itself).
sed '/^\/\/# sourceMappingURL=/d' "$xterm/lib/xterm.mjs" > "$tmp/vendor/xterm/xterm.mjs"
install -m 0644 "$xterm/css/xterm.css" "$xterm/LICENSE" "$tmp/vendor/xterm/"
chmod 0644 "$tmp/vendor/xterm/xterm.mjs"
chmod 0755 "$tmp" "$tmp/vendor" "$tmp/vendor/xterm"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
