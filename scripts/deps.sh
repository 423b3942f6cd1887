#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Installs the Debian packages hcl needs to build, run and test.  As root
# it runs apt-get; otherwise it prints the one command to run.
set -eu

pkgs="build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils kmod
rsync perl python3 linux-source-6.12 qemu-system-x86 sparse
liburing-dev libfdt-dev libseccomp-dev clang libclang-rt-14-dev
device-tree-compiler libtpms-dev swtpm tpm2-tools libtss2-tcti-swtpm0
libtss2-tcti-device0 seabios
busybox-static python3-yaml python3-jsonschema libmnl-dev"

missing=""
for p in $pkgs; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# linux-source-6.12 lives in bookworm-security; refresh lists if stale
if ! apt-get install -y --no-install-recommends $missing >&2; then
	apt-get update >&2
	apt-get install -y --no-install-recommends $missing >&2
fi
