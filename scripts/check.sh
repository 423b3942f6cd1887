#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs every test and counts the results:
#   host      host unit tests (kselftest harness, TAP)
#   style     checkpatch --strict, W=1 + sparse on the module, -Werror
#             builds of userspace and the guest
#   kunit     KUnit suites, run inside the QEMU-booted VTL2 kernel (KTAP)
#   uapi      in-VM UAPI tests against /dev/hcl (kselftest harness, TAP)
#   dmesg     the VTL2 kernel log after all in-VM tests
#   e2e       end-to-end boots: the guest's output and exit status
# Ends with one line "N passed, N failed"; exits non-zero on any failure.
#
#   scripts/check.sh BUILD KDIR [GROUP...]
#
# GROUP is host, style, vm or e2e (default: all).  For the vm group,
# HCL_UAPI_ARGS=-r,fixture.test selects UAPI tests and HCL_NO_KUNIT=1
# skips the KUnit suites.
set -u

build=$1 kdir=$2
shift 2
groups=${*:-host style vm e2e}
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$build/check
mkdir -p "$logs"
pass=0 fail=0
failed_names=()

result() {	# result 0|1 name
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok - $2"
	else
		fail=$((fail + 1))
		failed_names+=("$2")
		echo "not ok - $2"
	fi
}

# Counts TAP results in a file: top-level "ok N"/"not ok N" lines, or with
# $2 = indent, the lines at exactly that indentation (KTAP test cases).
tap_count() {	# file prefix [indent]
	local file=$1 prefix=$2 indent=${3:-} line name
	local n=0
	while IFS= read -r line; do
		line=${line%$'\r'}
		if [[ $line =~ ^${indent}(not )?ok\ [0-9]+\ (.*)$ ]]; then
			name=${BASH_REMATCH[2]}
			name=${name#- }
			if [ -n "${BASH_REMATCH[1]}" ]; then
				result 1 "$prefix: $name"
			else
				result 0 "$prefix: $name"
			fi
			n=$((n + 1))
		fi
	done < "$file"
	[ "$n" -gt 0 ] || result 1 "$prefix: no results found (see $file)"
}

section() {	# section log group -> file with the lines between the markers
	local log=$1 group=$2 out=$logs/$2.tap
	tr -d '\r' < "$log" | sed -n "/^HCL-TEST-BEGIN $group\$/,/^HCL-TEST-END $group\$/p" \
		| sed '1d;$d' > "$out"
	echo "$out"
}

kernel=$kdir/arch/x86/boot/bzImage
qemu() {	# qemu log initrd [qemu-run args...]
	local log=$1 initrd=$2
	shift 2
	"$top/scripts/qemu-run.sh" -k "$kernel" -i "$initrd" -l "$log" "$@" \
		> /dev/null 2>> "$log.status"
}

run_host() {
	local t log
	echo "# host unit tests"
	for t in "$build"/tests/*; do
		[ -x "$t" ] || continue
		log=$logs/host-$(basename "$t").tap
		"$t" > "$log" 2>&1
		tap_count "$log" "host/$(basename "$t")"
	done
	"$top/scripts/fuzz-smoke.sh" "$build" > "$logs/host-fuzz.tap" 2>&1
	tap_count "$logs/host-fuzz.tap" "host/fuzz"
}

run_style() {
	local f out dir=$build/style-kbuild
	echo "# style"
	for f in $(cd "$top" && ls kmod/*.[chS] include/uapi/linux/*.h tests/kunit/*.c); do
		out=$logs/checkpatch-$(echo "$f" | tr / _).log
		(cd "$top" && perl "$kdir/scripts/checkpatch.pl" --no-tree --strict \
			--quiet --show-types -f "$f") > "$out" 2>&1
		result $? "style: checkpatch --strict $f"
	done

	# the module with W=1 and sparse, in a scratch copy
	rm -rf "$dir"
	mkdir -p "$dir/tests"
	cp -a "$top/Kbuild" "$top/kmod" "$top/include" "$dir/"
	cp -a "$top/tests/kunit" "$dir/tests/"
	out=$logs/kmod-w1-sparse.log
	make -C "$kdir" M="$dir" W=1 C=2 modules > "$out" 2>&1
	local rc=$?
	if [ $rc = 0 ] && ! grep -q "warning:\|error:" "$out"; then
		result 0 "style: hcl.ko builds clean with W=1 and sparse"
	else
		grep "warning:\|error:" "$out" | head -20
		result 1 "style: hcl.ko builds clean with W=1 and sparse"
	fi

	# userspace, tests and the guest with -Wall -Wextra -Werror, from scratch
	out=$logs/userspace-werror.log
	make -C "$top" --no-print-directory BUILD="$build/werror" KDIR="$kdir" \
		userspace guest host-tests > "$out" 2>&1
	result $? "style: userspace builds with -Wall -Wextra -Werror"
}

run_vm() {
	local log=$logs/vm.log f
	echo "# in-VM tests (KUnit, UAPI, kernel log)"
	rm -f "$log.status"
	local extra=""
	[ -n "${HCL_UAPI_ARGS:-}" ] && extra="$extra HCL_UAPI_ARGS=$HCL_UAPI_ARGS"
	[ -n "${HCL_NO_KUNIT:-}" ] && extra="$extra HCL_NO_KUNIT=1"
	qemu "$log" "$build/initramfs-test.cpio" -t 600 \
		-a "HCL_EXEC=/bin/hcl-vmtest hcl.max_vps=4$extra"
	grep -q '^HCL-TEST-DONE' <(tr -d '\r' < "$log")
	result $? "vm: test runner completed (see $log)"
	if [ -z "${HCL_NO_KUNIT:-}" ]; then
		f=$(section "$log" kunit)
		tap_count "$f" "kunit" "    "
	fi
	f=$(section "$log" uapi)
	tap_count "$f" "uapi"
	f=$(section "$log" dmesg)
	tap_count "$f" "dmesg"
}

# The timeline JSON of a boot: every stage of the seed listed, in order;
# the stages given must have a start, and the starts never go backwards.
timeline_ok() {	# log stage...
	local log=$1
	shift
	tr -d '\r' < "$log" | sed -n 's/^openvmm_hcl: timeline-json //p' | head -1 |
		python3 -c '
import json, sys
t = json.load(sys.stdin)
names = ["host_loader", "openhcl_boot", "kernel", "underhill_init",
         "openvmm_hcl", "underhill_vm", "vtl0_guest", "guest_done"]
st = t["stages"]
assert [s["name"] for s in st] == names, "stage names"
need = sys.argv[1:]
starts = [s["start_ms"] for s in st if s["start_ms"] is not None]
assert all(st[names.index(n)]["start_ms"] is not None for n in need), "missing"
assert starts == sorted(starts), "order"
assert t["tsc_mhz"] > 0
' "$@"
}

expect_in() {	# log pattern name
	grep -q -- "$2" <(tr -d '\r' < "$1")
	result $? "$3"
}

run_e2e() {
	local log rc
	echo "# end-to-end boots"
	log=$logs/e2e-default.log
	rm -f "$log.status"
	qemu "$log" "$build/initramfs.cpio" -t 300
	result $? "e2e: default boot exits 0"
	expect_in "$log" "^vtl0: Hello from VTL0" "e2e: guest greeting on the console"
	expect_in "$log" "^underhill_vm: 2 VPs via io_uring" "e2e: two VPs served by one io_uring thread"
	expect_in "$log" "^vtl0: VP 0: CPUID check passed" "e2e: VP 0 CPUID check passed"
	expect_in "$log" "^vtl0: VP 1: CPUID check passed" "e2e: VP 1 CPUID check passed"
	expect_in "$log" "^openvmm_hcl: VTL0 guest succeeded" "e2e: openvmm_hcl reports success"
	for stage in "underhill_init" "openvmm_hcl" "underhill_vm" "VTL0 guest" "guest done"; do
		expect_in "$log" "^  $stage  *[0-9]" "e2e: timeline has '$stage'"
	done
	timeline_ok "$log" kernel underhill_init openvmm_hcl underhill_vm vtl0_guest guest_done
	result $? "e2e: timeline JSON has every stage, in order"

	log=$logs/e2e-smp1.log
	rm -f "$log.status"
	qemu "$log" "$build/initramfs.cpio" -t 300 -s 1 -m 512M
	result $? "e2e: boot with -smp 1 -m 512M exits 0"

	log=$logs/e2e-smp4.log
	rm -f "$log.status"
	qemu "$log" "$build/initramfs.cpio" -t 300 -s 4 -m 2G
	result $? "e2e: boot with -smp 4 -m 2G exits 0"
	expect_in "$log" "^vtl0: VP 3: CPUID check passed" "e2e: all four VPs ran"

	log=$logs/e2e-ioctl.log
	rm -f "$log.status"
	qemu "$log" "$build/initramfs.cpio" -t 300 -a "HCL_VM_ARGS=--ioctl"
	result $? "e2e: boot with the ioctl run path exits 0"
	expect_in "$log" "^underhill_vm: 2 VPs via ioctl" "e2e: underhill_vm used a thread per VP"

	log=$logs/e2e-bad-cpuid.log
	rm -f "$log.status"
	qemu "$log" "$build/initramfs.cpio" -t 300 -a "HCL_GUEST_CPUID_BAD=1"
	rc=$?
	[ $rc != 0 ]
	result $? "e2e: a guest failing its CPUID check fails the boot"
	expect_in "$log" "^vtl0: VP 0: CPUID check failed" "e2e: guest reports the CPUID mismatch"
	expect_in "$log" "^openvmm_hcl: VTL0 guest FAILED" "e2e: openvmm_hcl reports the failure"
}

start=$SECONDS
for g in $groups; do
	case $g in
	host) run_host ;;
	style) run_style ;;
	vm) run_vm ;;
	e2e) run_e2e ;;
	*) echo "check: unknown group $g" >&2; exit 2 ;;
	esac
done
if [ ${#failed_names[@]} -gt 0 ]; then
	echo "# failed:"
	printf '#   %s\n' "${failed_names[@]}"
fi
echo "# logs in $logs, $((SECONDS - start)) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
