#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the VTL2 kernel: Debian's linux-source-6.12 with our
# config fragment, cached outside the tree.  Prints nothing on stdout but
# the path of the prepared kernel tree, so the Makefile can capture it.
#
#   scripts/kernel.sh [--debug] [--print-dir]
#
# The cache lives in ${XDG_CACHE_HOME:-$HOME/.cache}/hcl/linux-<version>/
# and is rebuilt only when the source package version or the fragment
# changes.  --debug builds the debug flavour (vtl2-debug.config on top of
# vtl2.config, KASAN, lockdep and the rest, for make check-debug) in
# linux-<version>-debug/ beside it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
frags=$here/vtl2.config
flavour=
if [ "${1:-}" = "--debug" ]; then
	frags="$frags $here/vtl2-debug.config"
	flavour=-debug
	shift
fi
tarball=/usr/src/linux-source-6.12.tar.xz
cache=${XDG_CACHE_HOME:-$HOME/.cache}/hcl

log() { echo "kernel: $*" >&2; }

[ -r "$tarball" ] || { log "missing $tarball (run scripts/deps.sh)"; exit 1; }
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null | tr "~:" "__" || echo unknown)
dir=$cache/linux-$ver$flavour
# shellcheck disable=SC2086 # $frags is a list of paths without blanks
want=$(printf '%s\n' "$ver" | cat - $frags | sha256sum | cut -d' ' -f1)

if [ "${1:-}" = "--print-dir" ]; then
	echo "$dir/linux-source-6.12"
	exit 0
fi

src=$dir/linux-source-6.12
if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$want" ] &&
   [ -f "$src/arch/x86/boot/bzImage" ]; then
	echo "$src"
	exit 0
fi

mkdir -p "$dir"
if [ ! -f "$src/Makefile" ]; then
	log "extracting $tarball into $dir"
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
fi

rm -f "$dir/stamp"
jobs=$(nproc)
log "configuring ($ver)"
make -s -C "$src" x86_64_defconfig >&2
# shellcheck disable=SC2086
"$src/scripts/kconfig/merge_config.sh" -m -O "$src" "$src/.config" $frags >/dev/null
make -s -C "$src" olddefconfig >&2

# Every =y/=m line of the fragments must have survived olddefconfig.
bad=0
# shellcheck disable=SC2086
cat $frags | grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' | while IFS= read -r line; do
	grep -qx "$line" "$src/.config" || { log "fragment option not applied: $line"; echo x; }
done > "$dir/missing"
if [ -s "$dir/missing" ]; then
	bad=1
fi
[ "$bad" = 0 ] || { log "config fragment did not apply cleanly"; exit 1; }

log "building bzImage and modules with $jobs jobs (takes several minutes)"
make -s -C "$src" -j"$jobs" bzImage modules >&2
echo "$want" > "$dir/stamp"
echo "$src"
