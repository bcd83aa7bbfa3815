#!/bin/sh
# Runs the websock.js tests (node, then headless Chromium) against the real daemon.
#   tests/Browser/websock/run.sh JUNIT_XML
# WEBSOCKIFY_BIN selects the daemon (default build/bin/websockify under the repository root).
# Exit status: node's (non-zero when a test failed).
set -u
if [ $# -ne 1 ]; then
  echo "usage: $0 JUNIT_XML" >&2
  exit 2
fi
# A relative report path is taken from the caller's directory, not from here.
case "$1" in
  /*) report=$1 ;;
  *) report=$PWD/$1 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 2
exec node --experimental-websocket --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=junit --test-reporter-destination="$report" \
  websock.node.test.mjs websock.chromium.test.mjs
