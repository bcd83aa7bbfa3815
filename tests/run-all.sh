#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds the NativeAOT binary, runs the unit tests, then
# the integration tests, the browser tests, the JavaScript tests (node's runner: websock.js, telnet.js,
# wstelnet.html in Chromium) and the container tests (a booted systemd with the .deb installed) against
# build/bin/websockify, one after the other. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
results=build/test-results
rm -rf "$results"
mkdir -p "$results"

summary() { echo "$1 passed, $2 failed"; }

# Everything the build and the tests use (scripts/install-deps.sh names each package once).
# The container tests build their Debian tree themselves (tests/Container/rootfs.sh, cached under /var/cache).
# The browser tests' playwright-core comes from npm, exactly as tests/Browser/package-lock.json pins it.
if ! scripts/install-deps.sh test browser container fuzz || ! make build || ! tests/Browser/install-node-deps.sh; then
  echo "run-all: set-up or build failed" >&2
  summary 0 1
  exit 1
fi

status=0
dotnet_tests() {
  dotnet test "tests/$1" --nologo \
    --logger "trx;LogFileName=$1.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" --blame-hang-timeout 5m || status=1
}
# FuzzTests: the fuzz corpora replayed and a short afl-fuzz run per target (under 3 minutes).
for project in Unit FuzzTests Integration Browser; do
  dotnet_tests "$project"
done
# Bounded like dotnet's hang timeout: a stuck browser must not eat CI's 90 minutes.
timeout --kill-after=10s 15m tests/Browser/run-js-tests.sh "$results/javascript.xml" || status=1
dotnet_tests Container

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
# node's JUnit report: one <testcase> per test, a <failure> inside the failed ones.
js=$results/javascript.xml
if [ -s "$js" ]; then
  total=$(grep -c '<testcase ' "$js" || true)
  f=$(grep -c '<failure' "$js" || true)
  passed=$((passed + total - f)); failed=$((failed + f))
fi
# The failed tests' names last, just above the summary: a CI log shown only by its tail still names them.
if [ "$failed" -gt 0 ]; then
  echo "failed tests:"
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n 's/.* testName="\([^"]*\)".*/  \1/p' | sed 's/&quot;/"/g' | head -20
  done
  if [ -s "$js" ]; then
    node -e 'const x = require("fs").readFileSync(process.argv[1], "utf8");
      for (const m of x.matchAll(/<testcase name="([^"]*)"[^>]*[^\/]>\s*<failure/g)) console.log(`  javascript: ${m[1]}`);' "$js" | head -20
  fi
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # a test run broke before it could report (build error, crash)
fi
summary "$passed" "$failed"
[ "$failed" -eq 0 ]
