#!/usr/bin/env bash
# Prints the path of a Debian bookworm minbase tree for the container tests, building it first when it
# is missing. The tree lives outside the checkout, under /var/cache, so fresh clones (CI) reuse it; its
# name carries a hash of what goes into it, so a change here builds a new one. Tests never boot this
# tree itself: they copy it (tests/Container/ContainerFixture.cs).
#   usage: tests/Container/rootfs.sh
set -euo pipefail

packages="systemd-sysv,dbus,libssl3,tigervnc-standalone-server,inetutils-telnetd,socat,x11-xserver-utils,procps"
suite=bookworm
cache=/var/cache/websockify-unix-tests
hash=$( (echo "$suite $packages"; sed -n '/^# --- tree ---/,$p' "$0") | sha256sum | cut -c1-12)
tree="$cache/$suite-minbase-$hash"

if [ -f "$tree/.complete" ]; then
  echo "$tree"
  exit 0
fi

# The mirror the machine's own apt sources name (deb822 or one-line format): no hard-coded mirror.
mirror=$( { grep -hs -E '^URIs:' /etc/apt/sources.list.d/*.sources || true;
            grep -hs -E '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) {print "URIs: " $i; break}}' || true; } \
          | awk '$2 !~ /security|nodesource|google/ {print $2; exit}')
[ -n "$mirror" ] || { echo "rootfs: no Debian mirror in the machine's apt sources" >&2; exit 1; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock -w 1800 9 || { echo "rootfs: another build of the tree holds $cache/.lock" >&2; exit 1; }
if [ -f "$tree/.complete" ]; then echo "$tree"; exit 0; fi

work="$tree.partial"
rm -rf "$work"
echo "rootfs: debootstrap $suite from $mirror into $work" >&2
debootstrap --variant=minbase --include="$packages" "$suite" "$work" "$mirror" >&2

# --- tree ---
# A minbase tree's /etc/hosts is empty: the units' examples say localhost, and vncserver wants its
# host name to resolve (the tests boot it with --hostname=websockify-test).
printf '127.0.0.1\tlocalhost\n127.0.1.1\twebsockify-test\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$work/etc/hosts"
echo websockify-test > "$work/etc/hostname"
# No getty on a console nobody reads; the machine shares the host's network, so no networkd either.
ln -sf /dev/null "$work/etc/systemd/system/console-getty.service"
ln -sf /dev/null "$work/etc/systemd/system/getty@.service"
# Every test copies the tree: leave out the downloaded .debs and the documentation.
rm -f "$work"/var/cache/apt/archives/*.deb
rm -rf "$work"/usr/share/doc/* "$work"/usr/share/locale/*
touch "$work/.complete"
rm -rf "$tree"
mv "$work" "$tree"
# Trees of earlier versions of this script are of no more use: keep the cache to one.
for old in "$cache/$suite"-minbase-*; do
  [ "$old" = "$tree" ] || rm -rf --one-file-system "$old"
done
echo "$tree"
