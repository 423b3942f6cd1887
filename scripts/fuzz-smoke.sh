#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the fuzzers (clang, libFuzzer, ASan, UBSan) and runs each from a
# seed corpus.  Every tests/fuzz/fuzz_*.c is a fuzzer; what it links, its
# seeds and its run come from lines in its leading comment:
#
#    * fuzz-build: COMPONENT...      what it links (tests/fuzz/fuzz.mk)
#    * fuzz-seed: self               it writes a valid input itself
#                                    (fuzz_x --write-seed FILE)
#    * fuzz-seed: dts FILE.dts       tests/fuzz/FILE.dts compiled by dtc
#                                    (skipped without dtc)
#    * fuzz-seed: igvm               images igvmtool builds from small
#                                    dummy inputs
#    * fuzz-seed: text BYTES         one seed file, printf %b escapes
#                                    (\0 for a NUL); the line may repeat
#    * fuzz-run: max_len=N seconds=S the longest input, the smoke run's
#                                    length (defaults 4096 and 5)
#
# Prints one TAP line per fuzzer, "ok N fuzz_x ..." or "not ok N fuzz_x ...".
#
#   scripts/fuzz-smoke.sh BUILD [SECONDS]
#
# Without SECONDS it is a smoke run (each fuzzer's seconds=); with SECONDS
# each runs that long (make fuzz).  The logs are BUILD/fuzz/fuzz_*.log,
# crashing inputs land in BUILD/fuzz/.
set -u

build=$1
secs=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$build/fuzz
mkdir -p "$dir"

fuzzers=()
for src in "$top"/tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] && fuzzers+=("$(basename "$src" .c)")
done
echo "1..${#fuzzers[@]}"

meta() {	# meta src key -> the values of " * fuzz-key: ..." lines
	sed -n "s/^ \* fuzz-$2: *//p" "$1"
}

# seed_igvm corpus log: two small images, the second with shifted inputs
seed_igvm() {
	local corpus=$1 log=$2 s=$dir/seed-inputs
	local tool=$build/bin/igvmtool

	make -C "$top" --no-print-directory BUILD="$build" "$tool" \
		>> "$log" 2>&1 || return 1
	mkdir -p "$s"
	printf 'shim\xf4' > "$s/shim"
	head -c 5000 /dev/zero | tr '\0' 'k' > "$s/kernel"
	printf 'initrd' > "$s/initrd"
	printf 'vtl0' > "$s/vtl0"
	"$tool" build -o "$corpus/seed1.igvm" --shim "$s/shim" \
		--kernel "$s/kernel" --initrd "$s/initrd" --vtl0 "$s/vtl0" \
		--cmdline "console=ttyS0" >> "$log" 2>&1 &&
	"$tool" build -o "$corpus/seed2.igvm" --shim "$s/vtl0" \
		--kernel "$s/shim" --initrd "$s/vtl0" --vtl0 "$s/initrd" \
		--vtl2-size 4M >> "$log" 2>&1
}

# seed name corpus log: fills the corpus as the fuzzer's comment says
seed() {
	local name=$1 corpus=$2 log=$3 src=$top/tests/fuzz/$1.c
	local line kind arg n=0

	while IFS= read -r line; do
		kind=${line%% *}
		arg=${line#"$kind"}
		arg=${arg# }
		case $kind in
		self)
			"$dir/$name" --write-seed "$corpus/seed" \
				>> "$log" 2>&1 || return 1 ;;
		dts)
			command -v dtc > /dev/null || continue
			dtc -q -I dts -O dtb -o "$corpus/seed.dtb" \
				"$top/tests/fuzz/$arg" >> "$log" 2>&1 ||
				return 1 ;;
		igvm)
			seed_igvm "$corpus" "$log" || return 1 ;;
		text)
			n=$((n + 1))
			printf '%b' "$arg" > "$corpus/seed$n" ;;
		*)
			echo "$src: unknown fuzz-seed kind '$kind'" >> "$log"
			return 1 ;;
		esac
	done < <(meta "$src" seed)
}

status=0
n=0
for name in "${fuzzers[@]}"; do
	n=$((n + 1))
	src=$top/tests/fuzz/$name.c
	log=$dir/$name.log
	corpus=$dir/corpus-${name#fuzz_}
	mkdir -p "$corpus"
	: > "$log"
	maxlen=4096 time=5
	for kv in $(meta "$src" run); do
		case $kv in
		max_len=*) maxlen=${kv#*=} ;;
		seconds=*) time=${kv#*=} ;;
		esac
	done
	if ! make -C "$top" --no-print-directory BUILD="$build" \
		"$build/fuzz/$name" >> "$log" 2>&1; then
		echo "not ok $n $name: build failed (see $log)"
		status=1
		continue
	fi
	if ! seed "$name" "$corpus" "$log"; then
		echo "not ok $n $name: no seed (see $log)"
		status=1
		continue
	fi
	start=$SECONDS
	"$dir/$name" -max_total_time="${secs:-$time}" -max_len="$maxlen" \
		-timeout=10 -artifact_prefix="$dir/" "$corpus" >> "$log" 2>&1
	rc=$?
	runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1)
	if [ $rc = 0 ]; then
		echo "ok $n $name: ${runs:-done} in $((SECONDS - start)) s"
	else
		echo "not ok $n $name: exit $rc (see $log)"
		status=1
	fi
done
exit $status
