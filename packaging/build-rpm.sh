#!/usr/bin/env bash
# `make rpm`: an RPM built with rpmbuild (on Debian too) into build/packages/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh" rpm
top="$root/build/rpm"
rm -rf "$top"
mkdir -p "$top"/{BUILD,RPMS,SRPMS,SPECS,BUILDROOT} "$root/build/packages"
rpmbuild --define "_topdir $top" --define "_sourcedir $root" -bb "$root/packaging/rpm/websockify.spec" \
  >"$top/build.log" 2>&1 || { tail -40 "$top/build.log" >&2; exit 1; }
find "$top/RPMS" -name '*.rpm' -exec mv {} "$root/build/packages/" \;
ls "$root/build/packages/"*.rpm
