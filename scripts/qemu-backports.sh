#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A second QEMU beside the distribution's, without installing it: Debian
# bookworm-backports' qemu-system-x86 (QEMU 10.0), unpacked into the cache
# with the packages it needs that bookworm's are too old for (its data
# files and SeaBIOS).  Its shared libraries are bookworm's (the script
# checks them with ldd).  Prints nothing on stdout but the binary's path:
#
#   QEMU=$(scripts/qemu-backports.sh) make check
#
# qemu-run.sh then passes -L for the unpacked data and firmware.
#
# The cache is ${XDG_CACHE_HOME:-$HOME/.cache}/hcl/qemu-<version>/ and is
# reused once complete; the network is used only to fill it.  Every .deb
# is checked against the SHA256 in the archive's Packages index.
# QEMU_BPO_VERSION=<Debian version> insists on one version (default: the
# one the index lists); QEMU_BPO_MIRROR replaces http://deb.debian.org/debian.
set -euo pipefail

mirror=${QEMU_BPO_MIRROR:-http://deb.debian.org/debian}
suite=bookworm-backports
cache=${XDG_CACHE_HOME:-$HOME/.cache}/hcl
pkgs=(qemu-system-x86 qemu-system-common qemu-system-data seabios)

log() { echo "qemu-backports: $*" >&2; }
die() { log "$*"; exit 1; }

# the cache already holds a complete unpacked version: no network
want=${QEMU_BPO_VERSION:-}
if [ -z "$want" ]; then
	for stamp in "$cache"/qemu-*/stamp; do
		[ -f "$stamp" ] || continue
		dir=$(dirname "$stamp")
		if [ -x "$dir/root/usr/bin/qemu-system-x86_64" ]; then
			echo "$dir/root/usr/bin/qemu-system-x86_64"
			exit 0
		fi
	done
else
	dir=$cache/qemu-$(printf '%s' "$want" | tr ':~' '__')
	if [ -f "$dir/stamp" ] && [ -x "$dir/root/usr/bin/qemu-system-x86_64" ]; then
		echo "$dir/root/usr/bin/qemu-system-x86_64"
		exit 0
	fi
fi

for tool in curl xz dpkg-deb sha256sum; do
	command -v "$tool" > /dev/null || die "needs $tool"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

log "reading $mirror/dists/$suite/main/binary-amd64/Packages.xz"
curl -fsS -o "$tmp/Packages.xz" \
	"$mirror/dists/$suite/main/binary-amd64/Packages.xz" ||
	die "cannot fetch the $suite index"
xz -dc "$tmp/Packages.xz" > "$tmp/Packages"

# field FIELD of package PKG's stanza (the first one listed)
field() {
	awk -v pkg="$1" -v fld="$2" '
		/^$/ { inpkg = 0 }
		$0 == "Package: " pkg { inpkg = 1; next }
		inpkg && index($0, fld ": ") == 1 {
			print substr($0, length(fld) + 3); exit
		}' "$tmp/Packages"
}

ver=$(field qemu-system-x86 Version)
[ -n "$ver" ] || die "$suite lists no qemu-system-x86"
if [ -n "$want" ] && [ "$ver" != "$want" ]; then
	die "$suite has qemu-system-x86 $ver, not $want"
fi
dir=$cache/qemu-$(printf '%s' "$ver" | tr ':~' '__')
bin=$dir/root/usr/bin/qemu-system-x86_64
if [ -f "$dir/stamp" ] && [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$dir/debs"
rm -rf "$dir/root.tmp"
mkdir -p "$dir/root.tmp"
for p in "${pkgs[@]}"; do
	file=$(field "$p" Filename)
	sum=$(field "$p" SHA256)
	if [ -z "$file" ] || [ -z "$sum" ]; then
		die "$suite lists no $p"
	fi
	deb=$dir/debs/$(basename "$file")
	if ! echo "$sum  $deb" | sha256sum -c --status 2> /dev/null; then
		log "fetching $file"
		curl -fsS -o "$deb.part" "$mirror/$file" || die "cannot fetch $file"
		echo "$sum  $deb.part" | sha256sum -c --status ||
			die "$file: SHA256 differs from the index"
		mv "$deb.part" "$deb"
	fi
	dpkg-deb -x "$deb" "$dir/root.tmp"
	echo "$p $(field "$p" Version) $sum" >> "$dir/root.tmp/.packages"
done

# bookworm's libraries must do: the binary is used in place
missing=$(ldd "$dir/root.tmp/usr/bin/qemu-system-x86_64" | grep "not found" || true)
[ -z "$missing" ] || die "libraries missing for QEMU $ver:
$missing"
"$dir/root.tmp/usr/bin/qemu-system-x86_64" --version > /dev/null ||
	die "QEMU $ver does not run here"

rm -rf "$dir/root"
mv "$dir/root.tmp" "$dir/root"
mv "$dir/root/.packages" "$dir/stamp"
log "QEMU $ver in $dir/root"
echo "$bin"
