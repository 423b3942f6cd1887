#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the fuzzers (clang, libFuzzer, ASan, UBSan) and runs each from a
# seed corpus: fuzz_igvm (the IGVM parser; seeds are images igvmtool
# builds from small dummy inputs), fuzz_host_dt (the shim's host device
# tree parser and Linux DT builder; seed tests/fuzz/host_dt_seed.dts when
# dtc is installed), fuzz_cmdline (the shim's command-line policy),
# fuzz_igvm_params (the parameter block, memory map and host command-line
# area) and fuzz_linux_boot (bzImage header, load check, e820 and
# boot_params); the last two write their own valid seed (--write-seed).
# Prints one TAP line per fuzzer, "ok N fuzz_x ..." or "not ok N fuzz_x ...".
#
#   scripts/fuzz-smoke.sh BUILD [SECONDS]
#
# Without SECONDS it is a smoke run (20 s for fuzz_igvm, 10 s each for
# fuzz_host_dt and fuzz_cmdline, 5 s each for the last two); with SECONDS
# each runs that long (make fuzz).  The logs are
# BUILD/fuzz/fuzz_*.log, crashing inputs land in BUILD/fuzz/.
set -u

build=$1
secs=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$build/fuzz
log=$dir/fuzz_igvm.log
mkdir -p "$dir/corpus" "$dir/seed-inputs"

echo "1..5"
status=0
if ! make -C "$top" --no-print-directory BUILD="$build" \
	"$build/fuzz/fuzz_igvm" "$build/bin/igvmtool" > "$log" 2>&1; then
	echo "not ok 1 fuzz_igvm: build failed (see $log)"
	status=1
fi

if [ $status = 0 ]; then
# seeds: one small image, and the same with a second, shifted input set
s=$dir/seed-inputs
printf 'shim\xf4' > "$s/shim"
head -c 5000 /dev/zero | tr '\0' 'k' > "$s/kernel"
printf 'initrd' > "$s/initrd"
printf 'vtl0' > "$s/vtl0"
"$build/bin/igvmtool" build -o "$dir/corpus/seed1.igvm" --shim "$s/shim" \
	--kernel "$s/kernel" --initrd "$s/initrd" --vtl0 "$s/vtl0" \
	--cmdline "console=ttyS0" >> "$log" 2>&1
"$build/bin/igvmtool" build -o "$dir/corpus/seed2.igvm" --shim "$s/vtl0" \
	--kernel "$s/shim" --initrd "$s/vtl0" --vtl0 "$s/initrd" \
	--vtl2-size 4M >> "$log" 2>&1
fi

run() {	# run N name corpus max_len default_seconds
	local n=$1 name=$2 corpus=$3 maxlen=$4 start rc runs
	local log=$dir/$name.log
	start=$SECONDS
	"$build/fuzz/$name" -max_total_time="${secs:-$5}" -max_len="$maxlen" \
		-timeout=10 -artifact_prefix="$dir/" "$corpus" >> "$log" 2>&1
	rc=$?
	runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1)
	if [ $rc = 0 ]; then
		echo "ok $n $name: ${runs:-done} in $((SECONDS - start)) s"
	else
		echo "not ok $n $name: exit $rc (see $log)"
		status=1
	fi
}

[ $status = 0 ] && run 1 fuzz_igvm "$dir/corpus" 65536 20

# the shim's parsers: host device tree, command line, IGVM parameters,
# boot protocol
n=2
for name in fuzz_host_dt fuzz_cmdline fuzz_igvm_params fuzz_linux_boot; do
	log=$dir/$name.log
	corpus=$dir/corpus-${name#fuzz_}
	mkdir -p "$corpus"
	if ! make -C "$top" --no-print-directory BUILD="$build" \
		"$build/fuzz/$name" > "$log" 2>&1; then
		echo "not ok $n $name: build failed (see $log)"
		status=1
		n=$((n + 1))
		continue
	fi
	if [ $name = fuzz_host_dt ]; then
		if command -v dtc > /dev/null; then
			dtc -q -I dts -O dtb -o "$corpus/seed.dtb" \
				"$top/tests/fuzz/host_dt_seed.dts" >> "$log" 2>&1
		fi
		run $n $name "$corpus" 65536 10
	elif [ $name = fuzz_cmdline ]; then
		printf 'console=ttyS0 openhcl_boot.host_cmdline=append\0quiet a="b c"' \
			> "$corpus/seed1"
		printf 'openhcl_boot.host_cmdline=ignore x=1\0y' > "$corpus/seed2"
		run $n $name "$corpus" 4096 10
	elif "$build/fuzz/$name" --write-seed "$corpus/seed" >> "$log" 2>&1
	then
		run $n $name "$corpus" 16384 5
	else
		echo "not ok $n $name: no seed (see $log)"
		status=1
	fi
	n=$((n + 1))
done
exit $status
