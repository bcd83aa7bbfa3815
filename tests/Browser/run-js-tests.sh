#!/usr/bin/env bash
# The JavaScript tests (node's own test runner): websock.js against the real daemon in node and in
# headless Chromium, telnet.js, and wstelnet.html from build/www against a wrapped telnetd.
#   tests/Browser/run-js-tests.sh JUNIT_XML
# WEBSOCKIFY_BIN selects the daemon (default build/bin/websockify). Exit status: node's.
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: $0 JUNIT_XML" >&2; exit 2; }
case "$1" in
  /*) report=$1 ;;
  *) report=$PWD/$1 ;;
esac
cd "$(dirname "$0")" || exit 2
# One file at a time: the Chromium files would fight over the 2 cores.
exec node --experimental-websocket --no-warnings=ExperimentalWarning --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=junit --test-reporter-destination="$report" \
  websock/websock.node.test.mjs websock/websock.chromium.test.mjs \
  wstelnet/telnet.test.mjs wstelnet/wstelnet.chromium.test.mjs
