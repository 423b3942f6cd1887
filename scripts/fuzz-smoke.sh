#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the IGVM parser fuzzer (clang, libFuzzer, ASan, UBSan) and runs it
# from a seed corpus: an image igvmtool builds from small dummy inputs.
# Prints one TAP line, "ok 1 fuzz_igvm ..." or "not ok 1 fuzz_igvm ...".
#
#   scripts/fuzz-smoke.sh BUILD [SECONDS]
#
# Without SECONDS it is a 20-second smoke run; with SECONDS
# it runs that long (make fuzz).  The log is BUILD/fuzz/fuzz_igvm.log,
# crashing inputs land in BUILD/fuzz/.
set -u

build=$1
secs=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$build/fuzz
log=$dir/fuzz_igvm.log
mkdir -p "$dir/corpus" "$dir/seed-inputs"

echo "1..1"
if ! make -C "$top" --no-print-directory BUILD="$build" \
	"$build/fuzz/fuzz_igvm" "$build/bin/igvmtool" > "$log" 2>&1; then
	echo "not ok 1 fuzz_igvm: build failed (see $log)"
	exit 1
fi

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

if [ -n "$secs" ]; then
	limits="-max_total_time=$secs"
else
	limits="-max_total_time=20"
fi
start=$SECONDS
# shellcheck disable=SC2086
"$build/fuzz/fuzz_igvm" $limits -max_len=65536 -timeout=10 \
	-artifact_prefix="$dir/" "$dir/corpus" >> "$log" 2>&1
rc=$?
runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1)
if [ $rc = 0 ]; then
	echo "ok 1 fuzz_igvm: ${runs:-done} in $((SECONDS - start)) s"
else
	echo "not ok 1 fuzz_igvm: exit $rc (see $log)"
fi
[ $rc = 0 ]
