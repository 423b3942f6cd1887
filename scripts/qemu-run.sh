#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The host VMM stand-in: boots the paravisor under QEMU (TCG, -cpu max:
# SVM with nested paging), serial console on stdout, with a hard timeout.
# The VM reports its outcome through isa-debug-exit; this script exits 0
# when VTL2 reported success and 1 otherwise.
#
#   scripts/qemu-run.sh -g IGVM -L LOADER [-s SMP] [-m MEM] [-t SEC]
#                       [-a "host command line"] [-l LOGFILE] [-v]
#                       [-H HCLCTL -S SOCK [-V VMGS] [-C "CMD;CMD..."]]
#   scripts/qemu-run.sh -k BZIMAGE -i INITRD [same options]
#
# With -g (how make run and make check boot): QEMU starts the host loader
# (LOADER, a PVH kernel) with the IGVM image as its module; the loader
# does the host VMM's part of the IGVM contract and starts the shim.  -a
# is the host command line: the shim appends it to the image's measured
# one when that allows it (openhcl_boot.host_cmdline=append).
#
# With -k/-i the VTL2 kernel boots directly, without loader and shim: VTL0
# RAM is then reserved with memmap= and handed to hcl.ko as module
# parameters (VTL0_BASE, VTL0_SIZE in the environment override the
# defaults).
#
# With -H, the host channel (docs/hostchan.md): a second 16550 (COM2,
# 0x2f8, IRQ 3) on a Unix socket, and `HCLCTL serve` beside QEMU on it,
# with its CLI socket SOCK, its log SOCK with .log for .sock and the
# guest-state store VMGS (default: beside SOCK, vmgs.bin).  -C runs the
# hclctl commands against the VM once VTL0 runs (make run HCLCTL=...).
#
# QEMU_ACCEL replaces the accelerator: the default is single-threaded
# TCG, which is faster on a 2-core host and avoids two bugs of
# multi-threaded TCG: QEMU 7.2 and 10.0 now and then translate the first
# instruction after a world switch in the wrong world (a triple fault of
# the VM, or of the nested guest; docs/runloop.md), and QEMU 7.2 loses
# cross-CPU code patching (the guest kernel then oopses on a stale int3
# while flipping a static key); QEMU_ACCEL=tcg runs a host thread per
# vCPU.  QEMU= runs another QEMU binary (QEMU=$(scripts/qemu-backports.sh)
# for QEMU 10.0).  QEMU_EXTRA adds QEMU options (for debugging, e.g.
# QEMU_EXTRA="-d cpu_reset -D qemu.log").
set -u

usage() {
	echo "usage: $0 {-g IGVM -L LOADER | -k BZIMAGE -i INITRD} [-s SMP] [-m MEM] [-t SEC] [-a ARGS] [-l LOG] [-v]" >&2
	exit 2
}

smp=2 mem=1G timeout=300 append="" log="" verbose=0 kernel="" initrd=""
igvm="" loader="" hclctl="" sock="" vmgs="" ctl_cmds=""
while getopts "g:L:k:i:s:m:t:a:l:vH:S:V:C:" o; do
	case $o in
	g) igvm=$OPTARG ;;
	L) loader=$OPTARG ;;
	k) kernel=$OPTARG ;;
	i) initrd=$OPTARG ;;
	s) smp=$OPTARG ;;
	m) mem=$OPTARG ;;
	t) timeout=$OPTARG ;;
	a) append=$OPTARG ;;
	l) log=$OPTARG ;;
	v) verbose=1 ;;
	H) hclctl=$OPTARG ;;
	S) sock=$OPTARG ;;
	V) vmgs=$OPTARG ;;
	C) ctl_cmds=$OPTARG ;;
	*) usage ;;
	esac
done
if [ -n "$igvm" ]; then
	[ -r "$igvm" ] && [ -r "$loader" ] || {
		echo "qemu-run: need a readable IGVM image (-g) and loader (-L)" >&2
		exit 2
	}
else
	[ -r "$kernel" ] && [ -r "$initrd" ] || usage
fi

# a direct boot reserves VTL0 at 256 MiB; through IGVM the loader checks
# the size against the image (and says so when it is too small)
mem_mb=$(numfmt --from=iec "${mem}" 2>/dev/null || echo 0)
mem_mb=$((mem_mb / 1048576))
min_mb=512
[ -n "$igvm" ] && min_mb=64
if [ "$mem_mb" -lt "$min_mb" ]; then
	echo "qemu-run: -m $mem is too small (need at least ${min_mb}M)" >&2
	exit 2
fi
if [ -n "$igvm" ]; then
	# the measured line in the image says quiet; the host may say more
	# the exit port travels in the host tree to the shim and to VTL2
	cmdline="hcl.loader.exit_port=0xf4"
	[ "$verbose" = 1 ] && cmdline="$cmdline loglevel=7"
	boot=(-kernel "$loader" -initrd "$igvm" -append "$cmdline $append")
else
	vtl0_base=${VTL0_BASE:-0x10000000}
	vtl0_size=${VTL0_SIZE:-64M}
	quiet="quiet loglevel=4"
	[ "$verbose" = 1 ] && quiet=""
	cmdline="console=ttyS0 $quiet panic=-1 memmap=$vtl0_size\$$vtl0_base"
	cmdline="$cmdline hcl.vtl0_base=$vtl0_base hcl.vtl0_size=$vtl0_size"
	cmdline="$cmdline HCL_EXIT_PORT=0xf4 $append"
	boot=(-kernel "$kernel" -initrd "$initrd" -append "$cmdline")
fi

# the host channel: QEMU's socket, hclctl serve on it
chan=()
serve_pid="" cmds_pid=""
if [ -n "$hclctl" ]; then
	[ -x "$hclctl" ] && [ -n "$sock" ] || {
		echo "qemu-run: -H needs an hclctl binary and -S SOCK" >&2
		exit 2
	}
	qsock=${sock%.sock}-qemu.sock
	hostlog=${sock%.sock}.log
	[ "$hostlog" = "$log" ] && hostlog=${sock%.sock}-channel.log
	vmgs=${vmgs:-$(dirname "$sock")/vmgs.bin}
	rm -f "$qsock"
	chan=(-chardev "socket,id=hostchan,path=$qsock,server=on,wait=off"
		-device "isa-serial,chardev=hostchan,iobase=0x2f8,irq=3")
	"$hclctl" serve --qemu "$qsock" --listen "$sock" --log "$hostlog" \
		--store "$vmgs" < /dev/null &
	serve_pid=$!
	echo "qemu-run: host channel: $hclctl -s $sock status|stats|timeline|log -f|workers|vtl0 poweroff|shutdown (log $hostlog, store $vmgs)" >&2
	if [ -n "$ctl_cmds" ]; then
		(
			"$hclctl" -s "$sock" wait vtl0-running "$timeout" || exit 1
			IFS=';'
			for c in $ctl_cmds; do
				echo "\$ hclctl $c"
				IFS=' '
				# shellcheck disable=SC2086
				"$hclctl" -s "$sock" $c
				IFS=';'
			done
		) < /dev/null &
		cmds_pid=$!
	fi
fi

# QEMU= runs another QEMU binary; one unpacked outside /usr (e.g. by
# scripts/qemu-backports.sh) gets its own data files and firmware with -L
# (QEMU otherwise takes the installed QEMU's, which may not fit it)
qemu=${QEMU:-qemu-system-x86_64}
datadirs=()
qroot=$(cd "$(dirname "$(command -v "$qemu" || echo "$qemu")")/.." 2>/dev/null && pwd)
if [ -n "$qroot" ] && [ "$qroot" != /usr ]; then
	for d in "$qroot/share/qemu" "$qroot/share/seabios"; do
		[ -d "$d" ] && datadirs+=(-L "$d")
	done
fi

start=$(date +%s.%N)
set -o pipefail
# --foreground: an interactive QEMU may read the terminal
fg=""
[ "${QEMU_STDIN:-0}" = 1 ] && fg=--foreground
cmd=(timeout $fg --kill-after=10 "$timeout"
	"$qemu" -nodefaults -no-user-config -display none "${datadirs[@]}"
	-accel "${QEMU_ACCEL:-tcg,thread=single}" -cpu max -smp "$smp" -m "$mem" -no-reboot
	"${boot[@]}"
	-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04
	"${chan[@]}"
	${QEMU_EXTRA:-})
# QEMU_STDIN=1: the terminal's input reaches the VM's serial port
stdin=/dev/null
[ "${QEMU_STDIN:-0}" = 1 ] && stdin=/dev/stdin
if [ -n "$log" ]; then
	"${cmd[@]}" < "$stdin" | tee "$log"
else
	"${cmd[@]}" < "$stdin"
fi
rc=$?
secs=$(echo "$(date +%s.%N) - $start" | bc)
# the daemon ends when QEMU closes its socket; the commands with the VM
for p in $cmds_pid $serve_pid; do
	for _ in $(seq 20); do
		kill -0 "$p" 2> /dev/null || break
		sleep 0.1
	done
	kill "$p" 2> /dev/null
	wait "$p" 2> /dev/null
done
case $rc in
1) printf 'qemu-run: VTL2 reported success (%.1f s)\n' "$secs" >&2; exit 0 ;;
3) printf 'qemu-run: VTL2 reported failure (%.1f s)\n' "$secs" >&2 ;;
124|137) printf 'qemu-run: timed out after %s s\n' "$timeout" >&2 ;;
0) printf 'qemu-run: VM stopped without a status (panic or power-off)\n' >&2 ;;
*) printf 'qemu-run: qemu exited with status %d\n' "$rc" >&2 ;;
esac
exit 1
