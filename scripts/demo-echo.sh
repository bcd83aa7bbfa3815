#!/usr/bin/env bash
# `make demo-echo`: the bridge in front of a small echo server, so there is something to talk to.
# Listens on ws://localhost:${DEMO_PORT:-6080}/ ; every byte sent is echoed back. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${DEMO_PORT:-6080}
target_port=${DEMO_TARGET_PORT:-15900}
scripts/install-deps.sh demo-echo

wait_for_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

socat -T 600 "TCP-LISTEN:$target_port,bind=127.0.0.1,reuseaddr,fork" EXEC:/bin/cat &
echo_pid=$!
bridge_pid=
trap 'kill $bridge_pid "$echo_pid" 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
wait_for_port "$target_port" || { echo "demo: the echo server did not start" >&2; exit 1; }
build/bin/websockify "$port" "127.0.0.1:$target_port" &
bridge_pid=$!
wait_for_port "$port" || { echo "demo: the bridge did not start" >&2; exit 1; }

# Self-check with nothing but bash: upgrade, then one masked binary frame ("hello", all-zero mask key).
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n\x82\x85\x00\x00\x00\x00hello' >&3
reply=$(timeout 1 cat <&3 | tr -d '\000\202\005' || true)
exec 3<&-
if grep -q "101 Switching Protocols" <<<"$reply" && grep -q "hello" <<<"$reply"; then
  echo "demo: self-check passed (handshake 101, 'hello' echoed through the bridge)"
else
  echo "demo: self-check FAILED; reply was: $reply" >&2
  exit 1
fi

cat <<MSG

  The bridge is up:   ws://localhost:$port/   ->   echo server on 127.0.0.1:$target_port
  Try it from a browser's developer console (any page):
    ws = new WebSocket('ws://localhost:$port/'); ws.binaryType = 'arraybuffer';
    ws.onmessage = e => console.log(new TextDecoder().decode(e.data));
    ws.onopen = () => ws.send(new TextEncoder().encode('hello through websockify'));
  Ctrl-C stops the demo.

MSG
wait "$bridge_pid"
