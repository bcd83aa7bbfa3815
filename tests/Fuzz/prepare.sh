#!/usr/bin/env bash
# Builds the fuzz targets (JIT: SharpFuzz instruments IL, which NativeAOT compiles away) and instruments
# a copy of the daemon's assembly for afl-fuzz. Prints the directory to run Websockify.Fuzz.dll from.
#   usage: tests/Fuzz/prepare.sh [OUTDIR]    (default build/fuzz/app)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/fuzz/app}
plain=$out.plain
dotnet tool restore >/dev/null
dotnet build tests/Fuzz/Websockify.Fuzz.csproj -c Release -o "$plain" --nologo -v:q -nodeReuse:false >&2
# A fresh copy each time: instrumenting is in place, and an assembly instrumented twice is refused.
rm -rf "$out"
cp -a "$plain" "$out"
dotnet sharpfuzz "$out/websockify.dll" >&2
echo "$out"
