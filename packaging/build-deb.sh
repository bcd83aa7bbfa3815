#!/usr/bin/env bash
# `make deb`: a Debian package with debhelper (dpkg-buildpackage -b) into build/packages/.
# Stages a source tree with the prebuilt NativeAOT binary, the built browser files and packaging/debian as debian/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh" deb
version=$(dpkg-parsechangelog -l "$root/packaging/debian/changelog" -S Version)
stage="$root/build/deb-src/websockify-unix-$version"
rm -rf "$root/build/deb-src"
mkdir -p "$stage/build/bin" "$root/build/packages"
cp -a "$root/Makefile" "$root/README.md" "$root/native" "$root/systemd" "$root/man" "$stage/"
cp -a "$root/build/bin/websockify" "$stage/build/bin/"
cp -a "$root/build/www" "$stage/build/"
cp -a "$root/packaging/debian" "$stage/debian"
(cd "$stage" && dpkg-buildpackage -us -uc -b >"$root/build/deb-src/build.log" 2>&1) \
  || { tail -40 "$root/build/deb-src/build.log" >&2; exit 1; }
mv "$root/build/deb-src/"*.deb "$root/build/packages/"
ls "$root/build/packages/"*.deb
