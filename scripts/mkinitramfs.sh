#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds the VTL2 initramfs with the kernel's gen_init_cpio (device nodes
# and ownership without root).
#
#   scripts/mkinitramfs.sh OUT BUILD KDIR [test|bench|bootbench]
#
# "test" adds the in-VM test runner, UAPI tests, the KUnit module and a
# copy of hcl.ko the sidecar tests reload;
# "bench" the run-loop benchmark, its guest, KDIR's KVM modules and a
# copy of hcl.ko that the benchmark reloads between its rounds;
# "bootbench" the VTL0 boot benchmark: the VTL0 Linux payload from
# BUILD/vtl0-linux/ (bzImage, initrd: scripts/vtl0-linux.sh) in
# /lib/hcl/vtl0-linux/, the modules as for "bench", and the host's QEMU
# (qemu-system-x86_64, every library it loads, its firmware) to boot the
# same payload under KVM.
# underhill_init loads every module under /lib/modules at boot (000/ is
# hcl.ko); modules that tests load themselves live in /lib/hcl/modules.
set -eu

dirs=""
out=$1 build=$2 kdir=$3 mode=${4:-run}

gen=$kdir/usr/gen_init_cpio
if [ ! -x "$gen" ]; then
	gen=$build/bin/gen_init_cpio
	mkdir -p "$build/bin"
	cc -O2 -o "$gen" "$kdir/usr/gen_init_cpio.c"
fi

# A VTL2 program: the file, and for a dynamically linked one (the
# programs that use libmnl: userspace/control/control.mk) the shared
# libraries and the loader ldd names, at the paths it names.
libs=$out.libs
: > "$libs"
bin() {	# bin DEST SRC
	echo "file $1 $2 0755 0 0"
	ldd "$2" 2>/dev/null | sed -n 's|.*=> \(/[^ ]*\) .*|\1|p; s|^[[:space:]]*\(/[^ ]*\) .*|\1|p' \
		>> "$libs" || true
}

spec=$out.spec
{
	for d in /dev /bin /lib /lib/modules /lib/modules/000 /lib/hcl \
		 /lib/hcl/modules /proc /sys /run /tmp; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	echo "nod /dev/kmsg 0644 0 0 c 1 11"
	echo "file /init $build/vtl2/bin/underhill_init 0755 0 0"
	bin /bin/openvmm_hcl "$build/vtl2/bin/openvmm_hcl"
	bin /bin/hcl-nl "$build/vtl2/bin/hcl-nl"
	echo "file /bin/underhill_vm $build/vtl2/bin/underhill_vm 0755 0 0"
	echo "file /bin/hcl-tpm-worker $build/vtl2/bin/hcl-tpm-worker 0755 0 0"
	echo "file /lib/modules/000/hcl.ko $build/kbuild/hcl.ko 0644 0 0"
	echo "file /lib/hcl/vtl0-guest.bin $build/guest/vtl0-guest.bin 0644 0 0"
	if [ "$mode" = bootbench ]; then
		echo "dir /lib/hcl/vtl0-linux 0755 0 0"
		for f in bzImage initrd; do
			echo "file /lib/hcl/vtl0-linux/$f $build/vtl0-linux/$f 0644 0 0"
		done
	fi
	if [ "$mode" = test ]; then
		echo "file /bin/hcl-vmtest $build/vtl2/bin/hcl-vmtest 0755 0 0"
		echo "file /bin/hcl-uapi-test $build/vtl2/bin/hcl-uapi-test 0755 0 0"
		echo "file /bin/hcl-uapi-fuzz $build/vtl2/bin/hcl-uapi-fuzz 0755 0 0"
		echo "file /bin/hcl-hostile $build/vtl2/bin/hcl-hostile 0755 0 0"
		echo "file /bin/hcl-dt-test $build/vtl2/bin/hcl-dt-test 0755 0 0"
		echo "file /bin/hcl-vm-crash $build/vtl2/bin/hcl-vm-crash 0755 0 0"
		echo "file /bin/hcl-sidecar-test $build/vtl2/bin/hcl-sidecar-test 0755 0 0"
		bin /bin/hcl-nl-test "$build/vtl2/bin/hcl-nl-test"
		echo "file /bin/hcl-sandbox-test $build/vtl2/bin/hcl-sandbox-test 0755 0 0"
		echo "file /bin/hcl-sandbox-tpm-test $build/vtl2/bin/hcl-sandbox-tpm-test 0755 0 0"
		echo "file /lib/hcl/modules/hcl_kunit.ko $build/kbuild/hcl_kunit.ko 0644 0 0"
		# the sidecar tests unload hcl.ko and load it again
		echo "file /lib/hcl/modules/hcl.ko $build/kbuild/hcl.ko 0644 0 0"
		# the UAPI tests check that kvm_amd is refused beside hcl.ko
		for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-amd; do
			echo "file /lib/hcl/modules/${m##*/}.ko $kdir/$m.ko 0644 0 0"
		done
	fi
	if [ "$mode" = bench ]; then
		for b in hcl-bench hcl-bench-hcl hcl-bench-kvm hcl-bench-nl; do
			bin "/bin/$b" "$build/vtl2/bin/$b"
		done
		echo "file /lib/hcl/bench-guest.bin $build/guest/bench-guest.bin 0644 0 0"
	fi
	if [ "$mode" = bootbench ]; then
		echo "file /bin/hcl-boot-bench $build/vtl2/bin/hcl-boot-bench 0755 0 0"
		qemu=/usr/bin/qemu-system-x86_64
		interp=$(readelf -l "$qemu" | sed -n 's/.*interpreter: \(.*\)]$/\1/p')
		libs=$(ldd "$qemu" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
		for d in /usr /usr/bin /usr/share /usr/share/qemu \
			 /usr/share/seabios ${interp%/*} \
			 $(for l in $libs; do echo "${l%/*}"; done | sort -u); do
			echo "dir $d 0755 0 0"
		done | awk '!seen[$2]++'
		echo "file /usr/bin/qemu-system-x86_64 $qemu 0755 0 0"
		echo "file $interp $(readlink -f "$interp") 0755 0 0"
		for l in $libs; do
			echo "file $l $(readlink -f "$l") 0755 0 0"
		done
		# the firmware: microvm's qboot, and SeaBIOS for -M pc
		for f in qemu/bios-microvm.bin qemu/linuxboot_dma.bin \
			 qemu/kvmvapic.bin seabios/bios-256k.bin; do
			echo "file /usr/share/$f $(readlink -f /usr/share/$f) 0644 0 0"
		done
	fi
	if [ "$mode" = bench ] || [ "$mode" = bootbench ]; then
		# underhill_init empties /lib/modules; the runner reloads hcl.ko
		echo "file /lib/hcl/modules/hcl.ko $build/kbuild/hcl.ko 0644 0 0"
		for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-amd; do
			echo "file /lib/hcl/modules/${m##*/}.ko $kdir/$m.ko 0644 0 0"
		done
	fi
	for f in $(sort -u "$libs"); do
		d=$(dirname "$f")
		case " $dirs " in
		*" $d "*) ;;
		*)	[ "$d" = /lib ] || echo "dir $d 0755 0 0"
			dirs="$dirs $d" ;;
		esac
		echo "file $f $(readlink -f "$f") 0755 0 0"
	done
} > "$spec"
rm -f "$libs"
"$gen" "$spec" > "$out.tmp"
mv "$out.tmp" "$out"
