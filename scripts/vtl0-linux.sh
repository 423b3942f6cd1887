#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The VTL0 Linux payload: Debian's own kernel and an initramfs we build.
#
#   scripts/vtl0-linux.sh OUT KDIR
#
# writes OUT/bzImage, OUT/initrd and OUT/cmdline (rewritten only when
# their content changes, so make rebuilds only what follows them).
#
# The kernel: the package linux-image-amd64 depends on (linux-image-6.1.0-N-
# amd64), fetched with apt-get download and only its /boot/vmlinuz-* taken
# out, into ${XDG_CACHE_HOME:-$HOME/.cache}/hcl/vtl0/<package>/ (nothing is
# installed into /boot); VTL0_KERNEL=path takes another bzImage instead.
# The initramfs (a gzip-compressed cpio): busybox-static's /bin/busybox,
# Debian's tpm2-tools (/bin/tpm2 and its tpm2_* names, every library
# they load, the device TCTI; TPM2TOOLS_TCTI points at /dev/tpmrm0),
# /bin/hcl-tpm-check (tests/guest/linux-tpm-check.sh), the checks of
# tests/guest/linux-vtl0-checks.sh (hcl-sleep-check, hcl-panic,
# hcl-triple-fault, hcl-ipi-load) and an /init that mounts
# devtmpfs, proc and sysfs, prints "vtl0-linux: userspace reached", then
# runs the command the kernel command line gives as hcl.cmd="..." and
# powers off with its exit status, or else runs an interactive shell on
# ttyS0 and powers off with 0 when it exits.  Powering off: the status
# byte is written to port 0xf4 (underhill_vm's power-off port, through
# /dev/port), then poweroff -f.  VTL0_INITRD=path takes another initramfs.
# The command line: VTL0_CMDLINE (default below), plus hcl.cmd="$VTL0_CMD"
# when VTL0_CMD is set.
set -eu

out=$1 kdir=$2
cache=${XDG_CACHE_HOME:-$HOME/.cache}/hcl/vtl0
mkdir -p "$out" "$cache"

# write $2 into $1 unless it holds that already
update() {
	if ! cmp -s "$2" "$1" 2>/dev/null; then
		cp "$2" "$1.tmp"
		mv "$1.tmp" "$1"
	fi
}

# ---- the kernel -------------------------------------------------------------
if [ -n "${VTL0_KERNEL:-}" ]; then
	kernel=$VTL0_KERNEL
else
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' |
		head -n 1)
	if [ -z "$pkg" ]; then
		echo "vtl0-linux: apt-cache knows no linux-image-amd64 (run apt-get update)" >&2
		exit 1
	fi
	kernel=$cache/$pkg/vmlinuz
	if [ ! -s "$kernel" ]; then
		echo "vtl0-linux: fetching $pkg" >&2
		tmp=$(mktemp -d "$cache/fetch.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		(cd "$tmp" && apt-get download "$pkg" >&2)
		mkdir -p "$tmp/root"
		dpkg-deb --fsys-tarfile "$tmp"/*.deb |
			tar -x -C "$tmp/root" --wildcards './boot/vmlinuz-*'
		mkdir -p "$cache/$pkg"
		mv "$tmp"/root/boot/vmlinuz-* "$kernel.tmp"
		mv "$kernel.tmp" "$kernel"
		rm -rf "$tmp"
		trap - EXIT
	fi
fi
[ -r "$kernel" ] || { echo "vtl0-linux: $kernel: not readable" >&2; exit 1; }
update "$out/bzImage" "$kernel"

# ---- the initramfs ----------------------------------------------------------
if [ -n "${VTL0_INITRD:-}" ]; then
	update "$out/initrd" "$VTL0_INITRD"
else
	busybox=/bin/busybox
	if [ ! -x "$busybox" ] || ! "$busybox" --list >/dev/null 2>&1 ||
	   readelf -l "$busybox" 2>/dev/null | grep -q 'program interpreter'; then
		echo "vtl0-linux: need a static /bin/busybox (package busybox-static)" >&2
		exit 1
	fi
	tpm2=/usr/bin/tpm2
	tcti=$(ldconfig -p | sed -n 's/^[[:space:]]*libtss2-tcti-device\.so\.0 (libc6,x86-64) => //p' | head -n 1)
	if [ ! -x "$tpm2" ] || [ -z "$tcti" ]; then
		echo "vtl0-linux: need $tpm2 and libtss2-tcti-device.so.0 (packages tpm2-tools, libtss2-tcti-device0)" >&2
		exit 1
	fi
	interp=$(readelf -l "$tpm2" | sed -n 's/.*interpreter: \(.*\)]$/\1/p')
	libs=$(ldd "$tpm2" "$tcti" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
	gen=$kdir/usr/gen_init_cpio
	if [ ! -x "$gen" ]; then
		gen=$out/gen_init_cpio
		cc -O2 -o "$gen" "$kdir/usr/gen_init_cpio.c"
	fi
	cat > "$out/init" <<'INIT'
#!/bin/busybox sh
# VTL0's init: markers on the console, then the command or a shell.
/bin/busybox --install -s /bin
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
export TPM2TOOLS_TCTI=device:/dev/tpmrm0
echo "vtl0-linux: userspace reached ($(nproc) CPUs, $(cut -d' ' -f1 /proc/uptime) s)"

# the status byte to underhill_vm's power-off port (0xf4), then off; the
# port ends the VM at once, so first wait for the console to send what
# it holds (stty sets its termios with TCSADRAIN)
power_off() {
	echo "vtl0-linux: powering off with status $1"
	stty -F /dev/console -echo 2>/dev/null
	printf "$(printf '\\%03o' "$1")" |
		dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
}

cmd=$(sed -n 's/.*hcl\.cmd="\([^"]*\)".*/\1/p' /proc/cmdline)
[ -n "$cmd" ] || cmd=$(sed -n 's/.*hcl\.cmd=\([^ "]*\).*/\1/p' /proc/cmdline)
if [ -n "$cmd" ]; then
	echo "vtl0-linux: running: $cmd"
	sh -c "$cmd"
	power_off $?
fi
echo "vtl0-linux: shell on ttyS0; exit powers off with its status"
setsid cttyhack sh -l
power_off $?
INIT
	cat > "$out/initrd.spec" <<SPEC
dir /bin 0755 0 0
dir /dev 0755 0 0
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /tmp 01777 0 0
nod /dev/console 0600 0 0 c 5 1
file /bin/busybox $busybox 0755 0 0
file /init $out/init 0755 0 0
file /bin/hcl-tpm-check $(dirname "$0")/../tests/guest/linux-tpm-check.sh 0755 0 0
file /bin/hcl-vtl0-check $(dirname "$0")/../tests/guest/linux-vtl0-checks.sh 0755 0 0
slink /bin/hcl-sleep-check hcl-vtl0-check 0777 0 0
slink /bin/hcl-panic hcl-vtl0-check 0777 0 0
slink /bin/hcl-triple-fault hcl-vtl0-check 0777 0 0
slink /bin/hcl-ipi-load hcl-vtl0-check 0777 0 0
file /bin/tpm2 $tpm2 0755 0 0
dir /lib 0755 0 0
dir /lib/x86_64-linux-gnu 0755 0 0
dir ${interp%/*} 0755 0 0
file $interp $(readlink -f "$interp") 0755 0 0
SPEC
	for l in /usr/bin/tpm2_*; do
		echo "slink /bin/${l##*/} tpm2 0777 0 0"
	done >> "$out/initrd.spec"
	for l in $libs "$tcti"; do
		echo "file /lib/x86_64-linux-gnu/${l##*/} $(readlink -f "$l") 0755 0 0"
	done | sort -u >> "$out/initrd.spec"
	"$gen" "$out/initrd.spec" | gzip -9n > "$out/initrd.new"
	update "$out/initrd" "$out/initrd.new"
	rm -f "$out/initrd.new"
fi

# ---- the command line -------------------------------------------------------
cmdline=${VTL0_CMDLINE:-"console=ttyS0 earlyprintk=serial,ttyS0,115200 acpi=off pci=off panic=-1 no_timer_check tpm_tis.force=1 tpm_tis.interrupts=0"}
if [ -n "${VTL0_CMD:-}" ]; then
	case $VTL0_CMD in
	*\"*) echo "vtl0-linux: VTL0_CMD may not hold a double quote" >&2; exit 1 ;;
	esac
	cmdline="$cmdline hcl.cmd=\"$VTL0_CMD\""
fi
printf '%s\n' "$cmdline" > "$out/cmdline.new"
update "$out/cmdline" "$out/cmdline.new"
rm -f "$out/cmdline.new"
