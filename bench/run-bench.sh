#!/usr/bin/env bash
# `make bench`: our binary side by side with direct TCP, socat, Debian's Python websockify and the npm
# peer, in one run of the shared harness (../shared/bench); then wss:// beside socat OPENSSL-LISTEN
# (bench/tls) and socket activation to the first 101 (bench/activation.py). Writes bench/RESULTS.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${SHARED_DIR:-$root/../shared}"
[ -x "$shared/bench/run.sh" ] || { echo "bench: $shared/bench/run.sh not found (set SHARED_DIR)" >&2; exit 1; }
"$root/scripts/install-deps.sh" bench

# The shared harness folder is read-only: its C tools and the npm peer live under build/bench here.
export BENCH_BIN="$root/build/bench/bin"
make -s -C "$shared/bench" all BIN="$BENCH_BIN" >&2
gcc -O2 -g -Wall -Wextra -Wno-unused-parameter -msse4.2 -I"$shared/bench/src" -o "$BENCH_BIN/tlsload" \
  "$root/bench/tls/tlsload.c" "$shared/bench/src/common.c" -lssl -lcrypto -pthread

# The node peer (npm websockify 0.7.1, ws pinned by the shared manifest and lockfile), installed once.
node_peer="$root/build/bench/peers/node"
if ! cmp -s "$shared/bench/peer-manifests/node/package-lock.json" "$node_peer/package-lock.json" ||
   [ ! -f "$node_peer/node_modules/websockify/websockify.js" ]; then
  rm -rf "$node_peer" && mkdir -p "$node_peer"
  cp "$shared/bench/peer-manifests/node/package.json" "$shared/bench/peer-manifests/node/package-lock.json" "$node_peer/"
  (cd "$node_peer" && npm ci --no-audit --no-fund --loglevel=error)
fi

# BENCH_BEFORE=/path/to/an/older/websockify adds that binary to the same run ("no worse" checks).
before=()
if [ -n "${BENCH_BEFORE:-}" ]; then
  [ -x "$BENCH_BEFORE" ] || { echo "bench: BENCH_BEFORE=$BENCH_BEFORE is not executable" >&2; exit 1; }
  before=(--proxy "websockify-unix-before=$BENCH_BEFORE {listen} {target}")
fi

# BENCH_VARIANTS='NAME=OPTIONS;…' adds our binary again with those options, under the name
# websockify-unix-NAME, to the same run (the cost of a feature, side by side). It defaults to our binary
# with --heartbeat too: S6 has a goal for it (we ping, the client's pongs keep the session); set it
# empty (BENCH_VARIANTS=) to leave that out.
BENCH_VARIANTS="${BENCH_VARIANTS-heartbeat=--heartbeat 30}"
variants=()
if [ -n "$BENCH_VARIANTS" ]; then
  IFS=';' read -r -a specs <<< "$BENCH_VARIANTS"
  for spec in "${specs[@]}"; do
    [ -n "$spec" ] || continue
    variants+=(--proxy "websockify-unix-${spec%%=*}=$root/build/bin/websockify ${spec#*=} {listen} {target}")
  done
fi
out="$root/build/bench/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

# BENCH_RESULTS=bench/OTHER.md writes the table there instead (a partial run keeps the full one).
# BENCH_TOKENS=1 adds our binary with token plugins to the same run: TokenFile with 10,000 tokens in one
# file, and TokenRedis against a redis-server started here (loopback, stopped by PID at the end) with
# 10,000 keys. Every client then asks for /websockify?token=bench (the other proxies ignore the query).
target_port=17100
tokens=()
path=()
redis_pid=""
stop_redis() { if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi; }
trap stop_redis EXIT
if [ -n "${BENCH_TOKENS:-}" ]; then
  "$root/scripts/install-deps.sh" test # redis-server
  token_file="$out/tokens.cfg"
  { for i in $(seq 1 9999); do echo "desk$i: 127.0.0.1:$((20000 + i % 1000))"; done; echo "bench: 127.0.0.1:$target_port"; } > "$token_file"
  redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no > "$out/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  { for i in $(seq 1 9999); do echo "SET desk$i 127.0.0.1:$((20000 + i % 1000))"; done; echo "SET bench '{\"host\": \"127.0.0.1:$target_port\"}'"; } |
    redis-cli -p "$redis_port" > /dev/null
  tokens=(--proxy "websockify-unix-tokenfile=$root/build/bin/websockify --token-plugin TokenFile --token-source $token_file {listen}"
          --proxy "websockify-unix-redis=$root/build/bin/websockify --token-plugin TokenRedis --token-source 127.0.0.1:$redis_port {listen}")
  path=(--path "/websockify?token=bench")
fi

# BENCH_RECORD=1 adds our binary with --record to the same run (recordings in $out/record/).
record=()
if [ -n "${BENCH_RECORD:-}" ]; then
  mkdir -p "$out/record"
  record=(--proxy "websockify-unix-record=$root/build/bin/websockify --record $out/record/session {listen} {target}")
fi
# S6 holds up to 9,000 sessions (two fds each in our process): run.sh raises the soft fd limit to the hard one.
"$shared/bench/run.sh" --scenarios "${BENCH_SCENARIOS:-S0,S1,S2,S3,S4,S5,S6}" --reps "${BENCH_REPS:-3}" \
  --s6-levels "${BENCH_S6_LEVELS:-100,1000,9000}" --direct \
  --raw-proxy 'socat=socat -b65536 TCP-LISTEN:{listen_port},bind=127.0.0.1,fork,reuseaddr,backlog=4096 TCP:{target}' \
  --proxy 'websockify-py=websockify {listen} {target}' \
  --proxy "websockify-node=node $node_peer/node_modules/websockify/websockify.js {listen} {target}" \
  "${before[@]}" \
  --proxy "websockify-unix=$root/build/bin/websockify {listen} {target}" \
  "${variants[@]}" \
  "${record[@]}" \
  "${tokens[@]}" \
  "${path[@]}" --base-port "$target_port" \
  --out "$out" | tee "$out/stdout.txt"

# What the recordings came to: files, bytes, how many are complete, and why any stopped.
record_note() {
  local files complete bytes
  files=$(find "$out/record" -type f | wc -l)
  complete=$(for f in "$out/record"/*; do [ -f "$f" ] && tail -c 8 "$f" | grep -qF "'EOF'];" && echo; done | wc -l)
  bytes=$(du -cb "$out/record" | tail -1 | cut -f1)
  echo "Recordings (websockify-unix-record): $files files, $bytes bytes, $complete ending with 'EOF'];."
  cat "$out"/proxy-websockify-unix-record.*.log 2>/dev/null | sed -n 's/.*stopped, the session goes on: //p' | sort | uniq -c |
    sed 's/^ *\([0-9]*\) /- \1 stopped: /' || true
}

# wss:// beside socat OPENSSL-LISTEN (our own TLS client), and socket activation to the first 101.
# BENCH_EXTRA lists which of the two run (default both; empty: neither).
extra="${BENCH_EXTRA-tls,activation}"
if [[ ",$extra," == *",tls,"* ]]; then
  python3 "$root/bench/tls/tls-bench.py" --ours "$root/build/bin/websockify" --tlsload "$BENCH_BIN/tlsload" \
    --target "$BENCH_BIN/target" --reps "${BENCH_REPS:-3}" --out "$out/tls" | tee -a "$out/stdout.txt"
fi
if [[ ",$extra," == *",activation,"* ]]; then
  python3 "$root/bench/activation.py" --target "$BENCH_BIN/target" --out "$out/activation" \
    websockify-unix="$root/build/bin/websockify" ${BENCH_BEFORE:+websockify-unix-before="$BENCH_BEFORE"} |
    tee -a "$out/stdout.txt"
fi

{
  echo "# Benchmark results"
  echo
  echo "Written by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC') ($(nproc) cores, $(uname -r))."
  echo "All proxies were measured side by side in this one run by ../shared/bench (medians of ${BENCH_REPS:-3} reps);"
  echo "compare ratios, not absolute numbers: the machine is a shared VM."
  echo
  cat "$out/report.md"
  for part in tls/tls-report.md activation/activation-report.md; do
    if [ -f "$out/$part" ]; then echo; cat "$out/$part"; fi
  done
  if [ -n "${BENCH_RECORD:-}" ]; then echo; record_note; fi
} > "$root/${BENCH_RESULTS:-bench/RESULTS.md}"
echo "bench: wrote ${BENCH_RESULTS:-bench/RESULTS.md} (raw data in $out)"
