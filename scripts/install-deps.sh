#!/usr/bin/env bash
# Installs the Debian packages that building, testing, the demo or the benchmark need, only where they
# are missing. Every package the project uses is named here, once, and is detected by its installed
# state (dpkg-query), never by a path or a command that some other package may also provide.
#   usage: scripts/install-deps.sh [--list] GROUP...   (groups below; --list prints the names only)
set -euo pipefail

declare -A groups=(
  # gcc links the NativeAOT binary and compiles rebind.so; NativeAOT links the system zlib;
  # SslStream loads libssl3 at run time; openssl makes the tests' certificates.
  [build]="gcc make zlib1g-dev libssl3 openssl"
  # Real programs the tests drive: targets, wrapped programs, systemd's tools (systemd-analyze needs
  # man-db for Documentation=), the packaging tests' builders and linters, and redis-server for the
  # TokenRedis tests (each test starts its own on loopback); nftables black-holes a client in a network
  # namespace a fault test creates; haproxy balances three daemons in the scale-out test.
  [test]="@build @deb @rpm socat tigervnc-standalone-server inetutils-telnetd systemd man-db lintian rpmlint groff-base redis-server nftables haproxy"
  # make deb and make rpm.
  [deb]="dpkg-dev debhelper fakeroot"
  [rpm]="rpm"
  # make demo: a wrapped Xvnc with something on it (xsetroot, xmessage), noVNC served by --web.
  [demo]="@build novnc tigervnc-standalone-server x11-xserver-utils x11-utils"
  [demo-echo]="@build socat"
  # The browser end-to-end tests (tests/Browser): Debian's noVNC served by our --web, in Debian's
  # headless Chromium (driven by playwright-core from npm, with the machine's Node.js), against a real
  # Xvnc painted by xsetroot; systemd-socket-activate for the activation case. novnc pulls in Debian's
  # Python websockify: the tests run ours by its full path. fonts-liberation: noVNC's text is legible
  # in the screenshots.
  [browser]="@build chromium novnc tigervnc-standalone-server x11-xserver-utils systemd fonts-liberation"
  # The container tests (tests/Container): a Debian minbase tree made by debootstrap, booted with
  # systemd-nspawn (systemd-container) as a real systemd, the .deb installed inside (make deb: @deb).
  [container]="@build @deb debootstrap systemd-container"
  # make fuzz and the fuzz tests (tests/Fuzz): Debian's AFL++ drives the SharpFuzz-instrumented
  # assembly; SharpFuzz itself comes from NuGet (the package, and the sharpfuzz tool in .config/).
  [fuzz]="afl++"
  # The benchmark compares us with Debian's Python websockify, socat (also with OPENSSL-LISTEN) and the
  # npm peer; its TLS client links OpenSSL; systemd-socket-activate times socket activation.
  [bench]="@build websockify socat libssl-dev systemd"
)
groupnames="${!groups[*]}"

installed() { [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]; }

list=0
wanted=()
add_group() {
  [ -n "${groups[$1]+set}" ] || { echo "install-deps: unknown group '$1' (one of: $groupnames)" >&2; exit 2; }
  local name
  for name in ${groups[$1]}; do
    case "$name" in
      @*) add_group "${name#@}" ;;
      *) wanted+=("$name") ;;
    esac
  done
}
for arg in "$@"; do
  case "$arg" in
    --list) list=1 ;;
    *) add_group "$arg" ;;
  esac
done
[ ${#wanted[@]} -gt 0 ] || { echo "install-deps: name at least one group (one of: $groupnames)" >&2; exit 2; }

if [ "$list" -eq 1 ]; then
  printf '%s\n' "${wanted[@]}" | sort -u
  exit 0
fi

need=()
for pkg in $(printf '%s\n' "${wanted[@]}" | sort -u); do
  installed "$pkg" || need+=("$pkg")
done

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${need[*]}; run as root or install them" >&2
    exit 1
  fi
  echo "install-deps: installing ${need[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi
command -v dotnet >/dev/null || { echo "install-deps: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
# Node.js comes with the machine (not from Debian's archive, whose nodejs is too old for playwright-core).
if [[ " ${wanted[*]} " == *" chromium "* || " $* " == *" bench "* ]]; then
  command -v node >/dev/null && command -v npm >/dev/null \
    || { echo "install-deps: the browser tests and the benchmark's node peer need Node.js 20 or later (node and npm)" >&2; exit 1; }
fi
