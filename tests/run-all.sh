#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds the NativeAOT binary, runs the unit tests, then
# the integration tests, the browser tests and the container tests (a booted systemd with the .deb
# installed) against build/bin/websockify, one project after the other. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
results=build/test-results
rm -rf "$results"
mkdir -p "$results"

summary() { echo "$1 passed, $2 failed"; }

# Everything the build and the tests use (scripts/install-deps.sh names each package once).
# The container tests build their Debian tree themselves (tests/Container/rootfs.sh, cached under /var/cache).
# The browser tests' playwright-core comes from npm, exactly as tests/Browser/package-lock.json pins it.
if ! scripts/install-deps.sh test browser container || ! make build || ! tests/Browser/install-node-deps.sh; then
  echo "run-all: set-up or build failed" >&2
  summary 0 1
  exit 1
fi

status=0
for project in Unit Integration Browser Container; do
  dotnet test "tests/$project" --nologo \
    --logger "trx;LogFileName=$project.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" --blame-hang-timeout 5m || status=1
done

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
# The failed tests' names last, just above the summary: a CI log shown only by its tail still names them.
if [ "$failed" -gt 0 ]; then
  echo "failed tests:"
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n 's/.* testName="\([^"]*\)".*/  \1/p' | sed 's/&quot;/"/g' | head -20
  done
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # a test run broke before it could report (build error, crash)
fi
summary "$passed" "$failed"
[ "$failed" -eq 0 ]
