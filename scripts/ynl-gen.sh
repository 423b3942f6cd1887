#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Generates the netlink family's C files from netlink/specs/hcl.yaml
# with the kernel's own generator, tools/net/ynl/ynl-gen-c.py, which
# first validates the spec against the kernel's schema
# (Documentation/netlink/genetlink.yaml, with python3-jsonschema):
#
#   include/uapi/linux/hcl_nl.h   the UAPI header (--mode uapi)
#   kmod/netlink-gen.h            the ops' handlers and groups (kernel)
#   kmod/netlink-gen.c            ops table, attribute policies, family
#
#   scripts/ynl-gen.sh KDIR            rewrites the three files
#   scripts/ynl-gen.sh KDIR --check    exits 1 (with a diff) if one of
#                                      them is not what the spec gives
#
# The generator finds the schema two directories above the spec and
# names the spec by its path below the first directory with a
# MAINTAINERS file, so it runs in a scratch tree laid out like ours:
# netlink/specs/hcl.yaml, netlink/genetlink.yaml (the kernel's schema),
# MAINTAINERS.
set -eu

kdir=$1 mode=${2:-write}
top=$(cd "$(dirname "$0")/.." && pwd)
gen=$kdir/tools/net/ynl/ynl-gen-c.py
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/netlink/specs"
: > "$stage/MAINTAINERS"
cp "$kdir/Documentation/netlink/genetlink.yaml" "$stage/netlink/"
cp "$top/netlink/specs/hcl.yaml" "$stage/netlink/specs/"

rc=0
for f in "uapi --header include/uapi/linux/hcl_nl.h" \
	 "kernel --header kmod/netlink-gen.h" \
	 "kernel --source kmod/netlink-gen.c"; do
	set -- $f
	out=$stage/out/$3
	mkdir -p "$(dirname "$out")"
	(cd "$stage" && python3 "$gen" --spec netlink/specs/hcl.yaml \
		--mode "$1" "$2" -o "$out" > "$stage/gen.log" 2>&1) || {
		cat "$stage/gen.log" >&2
		echo "ynl-gen: $gen failed for $3" >&2
		exit 1
	}
	if [ "$mode" = --check ]; then
		if ! diff -u "$top/$3" "$out"; then
			echo "ynl-gen: $3 differs from what netlink/specs/hcl.yaml gives; run scripts/ynl-gen.sh" >&2
			rc=1
		fi
	elif ! cmp -s "$out" "$top/$3"; then
		cp "$out" "$top/$3"
		echo "ynl-gen: wrote $3"
	fi
done
exit $rc
