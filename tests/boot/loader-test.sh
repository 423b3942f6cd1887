#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot tests of hcl-loader under QEMU, with a probe in place of the shim
# (tests/boot/probe_shim.S).  Prints TAP; exits non-zero on any failure.
#
#   tests/boot/loader-test.sh BUILD [KERNEL]
#
# Uses BUILD/loader/hcl-loader.elf, BUILD/loader/probe_shim.bin and
# BUILD/bin/igvmtool (`make loader-test` builds them).  KERNEL is any
# file to stand in for the kernel in the image (default: the loader).
set -u

build=$1
kernel=${2:-$build/loader/hcl-loader.elf}
[ -f "$kernel" ] || kernel=$build/loader/hcl-loader.elf
loader=$build/loader/hcl-loader.elf
probe=$build/loader/probe_shim.bin
igvmtool=$build/bin/igvmtool
for f in "$loader" "$probe" "$igvmtool"; do
	[ -f "$f" ] || { echo "loader-test: $f is missing (make loader-test)"; exit 1; }
done
work=$build/loader/test
rm -rf "$work"
mkdir -p "$work"
n=0 failed=0
QEMU_TIMEOUT=${QEMU_TIMEOUT:-20}

tap() {	# tap 0|1 name [log]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && sed 's/^/#   /' "$3"
	fi
}

# a boot's verdict from the status of its checks: on a failure, QEMU's
# status and the log are shown
boot_tap() {	# boot_tap STATUS NAME LOG
	if [ "$1" = 0 ]; then
		tap 0 "$2"
	else
		tap 1 "$2 (status $rc)" "$3"
	fi
}

# boot LOG SMP MEM IGVM APPEND -> QEMU's exit status in $rc, output in LOG
boot() {
	local log=$1 smp=$2 mem=$3 igvm=$4 append=$5
	local initrd=()

	[ -n "$igvm" ] && initrd=(-initrd "$igvm")
	timeout "$QEMU_TIMEOUT" qemu-system-x86_64 -nodefaults \
		-accel tcg,thread=single -cpu max -smp "$smp" -m "$mem" \
		-kernel "$loader" "${initrd[@]}" -append "$append" \
		-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-display none -no-reboot < /dev/null 2>&1 | tr -d '\r' > "$log"
	rc=${PIPESTATUS[0]}
}

head -c 8192 /dev/urandom > "$work/small.bin"
if ! "$igvmtool" build -o "$work/probe.igvm" --shim "$probe" \
		--kernel "$kernel" --initrd "$work/small.bin" \
		--vtl0 "$work/small.bin" > "$work/build.log" 2>&1; then
	tap 1 "igvmtool builds the probe image" "$work/build.log"
	echo "# $failed of $n failed"
	exit 1
fi
tap 0 "igvmtool builds the probe image"

# ---- good boots: the probe sees the parameter block, VP count and DT
for smp in 1 4; do
	for mem in 512M 2G; do
		log=$work/boot-$smp-$mem.log
		boot "$log" "$smp" "$mem" "$work/probe.igvm" "hcl.loader.exit_port=0xf4"
		[ "$rc" = 1 ] &&
			grep -q "^hcl-loader: IGVM .* $smp CPUs\$" "$log" &&
			grep -q "^hcl-loader: starting shim at 0x" "$log" &&
			grep -qx "probe: params ok vps=$smp dt=ok" "$log"
		boot_tap $? "probe boots, -smp $smp -m $mem" "$log"
	done
done

# the module lands inside VTL2 with little RAM: the loader moves it
log=$work/boot-move.log
boot "$log" 2 260M "$work/probe.igvm" "hcl.loader.exit_port=0xf4"
[ "$rc" = 1 ] && grep -q "^hcl-loader: moving the IGVM module" "$log" &&
	grep -qx "probe: params ok vps=2 dt=ok" "$log"
boot_tap $? "module overlapping VTL2 is moved, -m 260M" "$log"

# ---- failures: exit status 3 and exactly one error line
expect_error() {	# name log pattern
	local name=$1 log=$2 pattern=$3

	[ "$rc" = 3 ] &&
		[ "$(grep -c '^hcl-loader: error: ' "$log")" = 1 ] &&
		grep -q "^hcl-loader: error: .*$pattern" "$log"
	boot_tap $? "$name" "$log"
}

size=$(stat -c %s "$work/probe.igvm")
head -c $((size / 2)) "$work/probe.igvm" > "$work/truncated.igvm"
boot "$work/truncated.log" 1 512M "$work/truncated.igvm" "hcl.loader.exit_port=0xf4"
expect_error "truncated image is rejected" "$work/truncated.log" \
	"igvm: .*total_file_size"

cp "$work/probe.igvm" "$work/badsum.igvm"
printf '\xff' | dd of="$work/badsum.igvm" bs=1 seek=20 conv=notrunc \
	status=none
boot "$work/badsum.log" 1 512M "$work/badsum.igvm" "hcl.loader.exit_port=0xf4"
expect_error "bad checksum is rejected" "$work/badsum.log" "igvm: .*checksum"

# one header byte flipped (a PAGE_DATA gpa made unaligned), checksum
# recomputed so the header check itself has to catch it
if python3 - "$work/probe.igvm" "$work/flip.igvm" <<'PY' 2> "$work/flip.err"
import struct, sys, zlib
d = bytearray(open(sys.argv[1], 'rb').read())
off, size = struct.unpack_from('<II', d, 8)
p = off
while p < off + size:
    t, n = struct.unpack_from('<II', d, p)
    if t == 0x302:
        d[p + 8] ^= 0x01
        break
    p += (8 + n + 7) & ~7
fixed = bytearray(d[:off])
fixed[20:24] = b'\0\0\0\0'
struct.pack_into('<I', d, 20, zlib.crc32(bytes(fixed) + bytes(d[off:off + size])))
open(sys.argv[2], 'wb').write(d)
PY
then
	boot "$work/flip.log" 1 512M "$work/flip.igvm" "hcl.loader.exit_port=0xf4"
	expect_error "flipped header byte is rejected" "$work/flip.log" \
		"PAGE_DATA.*not page aligned"
else
	tap 1 "flipped header byte is rejected (python3 failed)" \
		"$work/flip.err"
fi

boot "$work/small-ram.log" 1 200M "$work/probe.igvm" "hcl.loader.exit_port=0xf4"
expect_error "VTL2 larger than RAM is rejected, -m 200M" \
	"$work/small-ram.log" "REQUIRED_MEMORY.*not inside RAM"

boot "$work/no-module.log" 1 512M "" "hcl.loader.exit_port=0xf4"
expect_error "no IGVM module is rejected" "$work/no-module.log" \
	"no IGVM file"

boot "$work/bad-fault.log" 1 512M "$work/probe.igvm" \
	"hcl.loader.fault=dt-nonsense hcl.loader.exit_port=0xf4"
expect_error "unknown fault name is rejected" "$work/bad-fault.log" \
	"unknown fault 'dt-nonsense'"

boot "$work/bad-opt.log" 1 512M "$work/probe.igvm" \
	"hcl.loader.exit_port=0xf4 hcl.loader.bogus=1"
expect_error "unknown loader option is rejected" "$work/bad-opt.log" \
	"unknown loader option 'hcl.loader.bogus=1'"

# ---- faults: applied after the self-check, reported, the probe still runs
for fault in dt-truncate dt-bad-magic dt-overlap dt-no-cpus dt-dup-apic \
		dt-no-openhcl dt-chan-console dt-chan-size; do
	log=$work/fault-$fault.log
	boot "$log" 2 512M "$work/probe.igvm" \
		"hcl.loader.exit_port=0xf4 hcl.loader.fault=$fault"
	want="dt=ok" want_rc=1
	[ "$fault" = dt-bad-magic ] && want="dt=bad" want_rc=3
	[ "$rc" = "$want_rc" ] &&
		grep -q "^hcl-loader: fault $fault applied (host device tree: " \
			"$log" &&
		! grep -q "^hcl-loader: error:" "$log" &&
		grep -qx "probe: params ok vps=2 $want" "$log"
	boot_tap $? "fault $fault is applied" "$log"
done

# the loader's exception handlers: one line with the vector, then status 3
for ex in "ud:6" "pf:14"; do
	log=$work/exception-${ex%%:*}.log
	boot "$log" 1 512M "$work/probe.igvm" \
		"hcl.loader.exit_port=0xf4 hcl.loader.test_exception=${ex%%:*}"
	[ "$rc" = 3 ] &&
		grep -q "^hcl-loader: error: exception ${ex#*:} at RIP 0x" "$log"
	boot_tap $? "exception ${ex#*:} is reported" "$log"
done

# the command line the image gets: hcl.loader.* removed, the rest kept
log=$work/cmdline.log
boot "$log" 1 512M "$work/probe.igvm" \
	"hcl.loader.exit_port=0xf4  hcl.loader.fault=dt-no-cpus console=ttyS0 x=\"a\""
[ "$rc" = 1 ] && grep -qx 'probe: cmdline=console=ttyS0 x="a"' "$log"
boot_tap $? "command line parameter without hcl.loader.* options" "$log"

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
