#!/usr/bin/env bash
# Installs what building and testing need, from Debian's archive, only where missing. Idempotent.
set -euo pipefail
need=()
command -v gcc >/dev/null || need+=(gcc)
command -v openssl >/dev/null || need+=(openssl)
command -v make >/dev/null || need+=(make)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)              # NativeAOT links the system zlib
ls /usr/lib/*/libssl.so.3 >/dev/null 2>&1 || need+=(libssl3)  # SslStream loads it at run time
for pkg in "$@"; do need+=("$pkg"); done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${need[*]}; run as root or install them" >&2
    exit 1
  fi
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi
command -v dotnet >/dev/null || { echo "install-deps: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
