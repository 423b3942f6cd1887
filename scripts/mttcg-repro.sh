#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The multi-threaded TCG failure of docs/runloop.md ("Known limits"),
# reproduced without hcl.ko: the VTL2 kernel boots directly (no loader,
# no shim), hcl.ko is never loaded, Linux's own kvm_amd runs the run-loop
# benchmark's guest on four vCPUs, one host thread each (hcl-bench-kvm -v
# 4: port I/O exits to userspace, 20000 per vCPU), in a QEMU VM with
# -smp 4 and a host thread per vCPU.  RUNS boots; each ends clean, in a
# guest shutdown (KVM_EXIT_SHUTDOWN: the guest's first instruction after
# a VMRUN faulted) or with the whole VM gone (a triple fault of the VTL2
# kernel right after a #VMEXIT).  Prints one line per run and the counts;
# exits 1 if any run failed.
#
#   scripts/mttcg-repro.sh BUILD KDIR [RUNS]     (make mttcg-repro)
#
# QEMU= picks the QEMU (QEMU=$(scripts/qemu-backports.sh) for 10.0);
# QEMU_ACCEL (default here: tcg, multi-threaded) the accelerator:
# QEMU_ACCEL=tcg,thread=single runs the same clean.
set -u

build=$1 kdir=$2 runs=${3:-40}
top=$(cd "$(dirname "$0")/.." && pwd)
base=$build/initramfs-bench.cpio
out=$build/mttcg-repro
gen=$kdir/usr/gen_init_cpio
[ -x "$gen" ] || gen=$build/bin/gen_init_cpio
for f in "$base" "$kdir/arch/x86/boot/bzImage" "$gen"; do
	[ -e "$f" ] || { echo "mttcg-repro: missing $f" >&2; exit 2; }
done
mkdir -p "$out"

# The benchmark's initramfs with a second archive after it: hcl.ko's
# place taken by an empty directory, the KVM modules loaded at boot
# instead, in order.
{
	echo "dir /lib/modules/000/hcl.ko 0755 0 0"
	n=1
	for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-amd; do
		echo "dir /lib/modules/00$n 0755 0 0"
		echo "file /lib/modules/00$n/${m##*/}.ko $kdir/$m.ko 0644 0 0"
		n=$((n + 1))
	done
} > "$out/overlay.list"
"$gen" "$out/overlay.list" > "$out/overlay.cpio" || exit 2
cat "$base" "$out/overlay.cpio" > "$out/initramfs.cpio"

export QEMU_ACCEL=${QEMU_ACCEL:-tcg}
args="HCL_EXEC=/bin/hcl-bench-kvm HCL_EXEC_ARGS=-t,1000000000,-n,20000,-r,1,-v,4"
clean=0 shutdown=0 gone=0
for ((i = 1; i <= runs; i++)); do
	log=$out/run-$i.log
	"$top/scripts/qemu-run.sh" -k "$kdir/arch/x86/boot/bzImage" \
		-i "$out/initramfs.cpio" -s 4 -m 1G -t 300 -l "$log" \
		-a "$args" > /dev/null 2>&1
	if grep -q "unexpected exit 8\b" <(tr -d '\r' < "$log"); then
		what="guest shutdown (KVM_EXIT_SHUTDOWN)"
		shutdown=$((shutdown + 1))
	elif grep -q "hcl-bench-kvm exited with status 0" <(tr -d '\r' < "$log"); then
		what="clean"
		clean=$((clean + 1))
	else
		what="VM gone (reset or hang; see $log)"
		gone=$((gone + 1))
	fi
	echo "run $i: $what"
done
echo "mttcg-repro: $runs runs with ${QEMU:-qemu-system-x86_64} -accel $QEMU_ACCEL: $clean clean, $shutdown guest shutdowns, $gone VMs gone"
[ $((shutdown + gone)) = 0 ]
