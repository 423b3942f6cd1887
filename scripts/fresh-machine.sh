#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The README's promise, tested: on a fresh Debian 12 machine, a clone of
# hcl followed by `make run` and `make check` works the first time.
#
# Builds a minimal Debian 12 root with debootstrap (make and git only: what
# a user needs to clone and type make), clones the committed HEAD of this
# repository into it, mounts /proc, /sys and /dev, and runs, as root inside
# the root:
#
#   make run      must exit 0
#   make check    must exit 0 and end with "N passed, 0 failed"
#
# Nothing of this machine's build cache or packages is visible inside, so a
# dependency that only the developer's machine has shows up here.
#
#   scripts/fresh-machine.sh [-d DIR] [-k] [-r REV] [-- TARGET...]
#
#   -d DIR   where the root goes (default: a new directory under /var/tmp);
#            an existing root made by this script is reused when -k kept it
#   -k       keep the root afterwards (default: removed on success)
#   -r REV   the commit to test (default: HEAD)
#   TARGET   make targets to run in order (default: run check)
#
# Needs root and network access to a Debian mirror.  HCL_FRESH_MIRROR and
# HCL_FRESH_SECURITY pick other mirrors (default deb.debian.org); APT
# Acquire settings (proxies) of this machine are copied in.  Takes about as
# long as a cold make check plus the kernel build (30-40 minutes on 2
# cores).  Logs: DIR.log, and the console logs under the clone's build/.
set -euo pipefail

mirror=${HCL_FRESH_MIRROR:-http://deb.debian.org/debian}
security=${HCL_FRESH_SECURITY:-http://deb.debian.org/debian-security}
dir="" keep=0 rev=HEAD
while getopts "d:kr:" o; do
	case $o in
	d) dir=$OPTARG ;;
	k) keep=1 ;;
	r) rev=$OPTARG ;;
	*) sed -n '3,30p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -gt 0 ]; then targets=("$@"); else targets=(run check); fi

top=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "fresh-machine: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, namespaces, mounts)"
sha=$(git -C "$top" rev-parse --verify "$rev^{commit}") ||
	die "no commit $rev in $top"
[ -n "$dir" ] || dir=$(mktemp -d /var/tmp/hcl-fresh.XXXXXX)
dir=$(realpath -m "$dir")
mkdir -p "$dir"
out=$dir.log
: > "$out"

if ! command -v debootstrap > /dev/null; then
	log "installing debootstrap on this machine"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		debootstrap >> "$out" 2>&1 || die "apt-get install debootstrap failed"
fi

# Runs a command as root of the new machine: in a mount namespace of its
# own whose root is $dir (pivot_root, not chroot: a chrooted process may
# not create user namespaces, which the device-worker sandbox tests do),
# with /proc, /sys and /dev mounted.  The mounts go with the namespace.
in_root() {
	unshare --mount --propagation private --fork -- /bin/bash -c '
		set -e
		dir=$1; shift
		mount --rbind "$dir" "$dir"
		mount -t proc proc "$dir/proc"
		mount --rbind /sys "$dir/sys"
		mount --rbind /dev "$dir/dev"
		mkdir -p "$dir/.oldroot"
		cd "$dir"
		pivot_root . .oldroot
		umount -l /.oldroot
		cd /
		exec /usr/bin/env -i HOME=/root TERM=dumb \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"' in_root "$dir" "$@"
}

if [ ! -x "$dir/usr/bin/make" ]; then
	log "debootstrap bookworm into $dir (log: $out)"
	debootstrap --variant=minbase --include=make,git,ca-certificates \
		bookworm "$dir" "$mirror" >> "$out" 2>&1 ||
		die "debootstrap failed (see $out)"
	cat > "$dir/etc/apt/sources.list" <<-EOF
	deb $mirror bookworm main
	deb $mirror bookworm-updates main
	deb $security bookworm-security main
	EOF
	# this machine's Acquire settings (proxies, snapshot validity)
	for f in /etc/apt/apt.conf.d/*; do
		[ -f "$f" ] && grep -q '^[[:space:]]*Acquire::' "$f" &&
			cp "$f" "$dir/etc/apt/apt.conf.d/"
	done
	in_root apt-get update >> "$out" 2>&1 || die "apt-get update failed"
fi
cp /etc/resolv.conf "$dir/etc/resolv.conf" 2> /dev/null || true

log "cloning $sha into $dir/root/hcl"
rm -rf "$dir/root/hcl"
git clone -q --no-local "$top" "$dir/root/hcl"
git -C "$dir/root/hcl" checkout -q "$sha"


status=0
for t in "${targets[@]}"; do
	log "make $t (log: $out)"
	t0=$SECONDS
	set +e
	in_root bash -c "cd /root/hcl && make $t" >> "$out" 2>&1
	rc=$?
	set -e
	if [ $rc = 0 ]; then
		log "make $t: ok ($((SECONDS - t0)) s)"
	else
		log "make $t: FAILED with status $rc ($((SECONDS - t0)) s)"
		tail -n 20 "$out" >&2
		status=1
		break
	fi
done
if [ $status = 0 ] && [[ " ${targets[*]} " == *" check "* ]]; then
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	log "make check: $line"
	[[ $line == *" 0 failed" ]] || status=1
fi

if [ $status = 0 ] && [ $keep = 0 ]; then
	# never delete through a mount that is still there
	if findmnt -rn -o TARGET | grep -q "^$dir/"; then
		die "mounts left under $dir; not removing it"
	fi
	rm -rf --one-file-system "$dir"
	log "passed; removed $dir"
else
	log "root kept in $dir"
fi
exit $status
