#!/usr/bin/env bash
# `make demo`: a real VNC desktop in the browser. Our websockify wraps Xvnc (rebind.so moves Xvnc's
# bind of the port to loopback) and serves Debian's noVNC with --web on the same port:
#   http://localhost:${DEMO_PORT:-6080}/vnc.html?autoconnect=1
# No password, loopback only (the listen address is 127.0.0.1 unless DEMO_LISTEN says otherwise).
# Checks itself, then runs until Ctrl-C, and stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${DEMO_PORT:-6080}
listen=${DEMO_LISTEN:-127.0.0.1}
scripts/install-deps.sh demo

# A display number nobody uses.
display=
for n in $(seq 50 99); do
  if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then display=$n; break; fi
done
[ -n "$display" ] || { echo "demo: no free X display between :50 and :99" >&2; exit 1; }

log=$(mktemp /tmp/websockify-demo.XXXXXX.log)
bridge_pid=
cleanup() {
  [ -n "$bridge_pid" ] && kill "$bridge_pid" 2>/dev/null && wait "$bridge_pid" 2>/dev/null
  rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The daemon starts Xvnc, which binds the demo port; rebind.so moves that bind to a free loopback port.
build/bin/websockify --web /usr/share/novnc "$listen:$port" -- \
  Xvnc ":$display" -SecurityTypes None -localhost -rfbport "$port" -geometry 1024x768 -depth 24 \
  -desktop "websockify-unix demo" >"$log" 2>&1 &
bridge_pid=$!

for _ in $(seq 100); do grep -q "is listening on" "$log" && break; sleep 0.1; done
grep -q "is listening on" "$log" || { echo "demo: Xvnc did not start; log:" >&2; cat "$log" >&2; exit 1; }

# Something to see: a coloured desktop with a line of text.
DISPLAY=":$display" xsetroot -solid '#2e86c1'
DISPLAY=":$display" xmessage -center -buttons "" "websockify-unix: this desktop reached you through the bridge" &

# Self-check with nothing but bash: the page over HTTP, then the RFB greeting through the WebSocket.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /vnc.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
page=$(timeout 5 cat <&3 || true)
exec 3<&-
grep -q "^HTTP/1.1 200" <<<"$page" && grep -q "noVNC" <<<"$page" \
  || { echo "demo: self-check FAILED: vnc.html was not served" >&2; exit 1; }
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /websockify HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n\r\n' >&3
reply=$(timeout 2 cat <&3 | tr -d '\000' || true)
exec 3<&-
grep -q "101 Switching Protocols" <<<"$reply" && grep -q "RFB 003.008" <<<"$reply" \
  || { echo "demo: self-check FAILED: no RFB greeting through the WebSocket; reply was: $reply" >&2; exit 1; }
echo "demo: self-check passed (vnc.html served; RFB 003.008 greeting through the WebSocket)"

# A picture of what a browser shows, only where Chromium is installed already (the demo installs none).
if [ "$(dpkg-query -W -f='${db:Status-Abbrev}' chromium 2>/dev/null)" = "ii " ]; then
  mkdir -p build
  profile=$(mktemp -d)
  if timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
      --window-size=1100,850 --virtual-time-budget=8000 --screenshot="$PWD/build/demo.png" \
      "http://127.0.0.1:$port/vnc.html?autoconnect=1&host=127.0.0.1&port=$port" >/dev/null 2>&1; then
    echo "demo: headless Chromium's view saved to build/demo.png"
  fi
  rm -rf "$profile"
fi

cat <<MSG

  The desktop is up:   http://localhost:$port/vnc.html?autoconnect=1
  (noVNC from /usr/share/novnc, served by websockify-unix, which also runs Xvnc :$display)
  Ctrl-C stops the bridge, Xvnc and everything they started.

MSG
wait "$bridge_pid"
