#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs every test and counts the results:
#   host      host unit tests (kselftest harness, TAP)
#   style     checkpatch --strict, W=1 + sparse on the module, -Werror
#             builds of userspace and the guest
#   kunit     KUnit suites, run inside the QEMU-booted VTL2 kernel (KTAP)
#   uapi      in-VM UAPI tests against /dev/hcl (kselftest harness, TAP)
#   nl        in-VM tests of the generic netlink family (TAP)
#   dmesg     the VTL2 kernel log after all in-VM tests
#   e2e       end-to-end boots: the guest's output and exit status (also
#             Debian's kernel in VTL0, hcl-linux.igvm)
#   debug     make check-debug: the in-VM groups and the fuzzers on the
#             debug kernel (KASAN, lockdep, kmemleak, ...: BUILD and KDIR
#             are the debug build's); any report fails it
# Ends with one line "N passed, N failed"; exits non-zero on any failure.
#
#   scripts/check.sh BUILD KDIR [GROUP...]
#
# GROUP is host, style, vm or e2e (default: all; hostchan runs the
# host channel's part of e2e alone).  For the vm group,
# HCL_UAPI_ARGS=-r,fixture.test selects UAPI tests, HCL_NL_ARGS the
# netlink tests, and HCL_NO_KUNIT=1 skips the KUnit suites.
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
loader=$build/loader/hcl-loader.elf
# One QEMU run: the console in log, qemu-run.sh's own lines in log.status.
qemu_log() {	# qemu_log log qemu-run args...
	local log=$1
	shift
	rm -f "$log.status"
	"$top/scripts/qemu-run.sh" -l "$log" "$@" > /dev/null 2>> "$log.status"
}

# Boots an IGVM image through the host loader, as make run does.
qemu() {	# qemu log image [qemu-run args...]
	qemu_log "$1" -g "$2" -L "$loader" "${@:3}"
}

# Boots the VTL2 kernel directly, without loader and shim.
qemu_direct() {	# qemu_direct log initrd [qemu-run args...]
	qemu_log "$1" -k "$kernel" -i "$2" "${@:3}"
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
	for f in $(cd "$top" && ls kmod/*.[chS] kmod/svm/*.[chS] include/uapi/linux/*.h \
			tests/kunit/*.[ch] tests/kunit/svm/*.[ch]); do
		out=$logs/checkpatch-$(echo "$f" | tr / _).log
		(cd "$top" && perl "$kdir/scripts/checkpatch.pl" --no-tree --strict \
			--quiet --show-types -f "$f") > "$out" 2>&1
		result $? "style: checkpatch --strict $f"
	done

	# the netlink spec against the kernel's schema, and the files
	# generated from it (scripts/ynl-gen.sh) as the generator makes them
	out=$logs/ynl-gen.log
	"$top/scripts/ynl-gen.sh" "$kdir" --check > "$out" 2>&1
	result $? "style: netlink/specs/hcl.yaml passes the kernel's schema and the generated files match it"

	# the module with W=1 and sparse, in a scratch copy with the config
	# suite's trees generated as the module's build does (kmod/kmod.mk)
	rm -rf "$dir"
	mkdir -p "$dir/tests"
	cp -a "$top/Kbuild" "$top/kmod" "$top/include" "$dir/"
	cp -a "$top/tests/kunit" "$dir/tests/"
	f=tests/kunit/config_kunit_trees.h
	out=$logs/checkpatch-$(echo "$f" | tr / _).log
	"$build/tests/openhcl_dt" --write "$dir/$f" > "$out" 2>&1 &&
		(cd "$dir" && perl "$kdir/scripts/checkpatch.pl" --no-tree \
			--strict --quiet --show-types -f "$f") >> "$out" 2>&1
	result $? "style: checkpatch --strict $f"
	out=$logs/kmod-w1-sparse.log
	# CHECK= names the checker: make check CHECK="host style" would
	# otherwise hand Kbuild our group list through MAKEFLAGS
	make -C "$kdir" M="$dir" W=1 C=2 CHECK=sparse modules > "$out" 2>&1
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
	[ -n "${HCL_NL_ARGS:-}" ] && extra="$extra HCL_NL_ARGS=$HCL_NL_ARGS"
	[ -n "${HCL_NO_KUNIT:-}" ] && extra="$extra HCL_NO_KUNIT=1"
	[ -n "${HCL_FUZZ_ARGS:-}" ] && extra="$extra HCL_FUZZ_ARGS=$HCL_FUZZ_ARGS"
	# the hostile VTL0 guest: 15 s on 4 VPs (hcl-vmtest's default)
	[ -n "${HCL_HOSTILE_ARGS:-}" ] &&
		extra="$extra HCL_HOSTILE_ARGS=$HCL_HOSTILE_ARGS"
	# all CPUs to Linux: the UAPI tests move VPs between CPUs and take
	# CPUs offline; 512M keeps VTL0 under the 1 GiB the tests' guest
	# page tables map
	# every entry of every test checked for host state left changed
	qemu "$log" "$build/hcl-test.igvm" -t 600 -m 512M \
		-a "HCL_EXEC=/bin/hcl-vmtest openhcl_boot.sidecar=off hcl.max_vps=4 hcl.check_host_state=1$extra"
	grep -q '^HCL-TEST-DONE' <(tr -d '\r' < "$log")
	result $? "vm: test runner completed (see $log)"
	if [ -z "${HCL_NO_KUNIT:-}" ]; then
		f=$(section "$log" kunit)
		tap_count "$f" "kunit" "    "
	fi
	f=$(section "$log" dt)
	tap_count "$f" "dt"
	f=$(section "$log" fdt-blob)
	python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).read()))' \
		"$f" > "$logs/vtl2.dtb" 2> /dev/null &&
		dtc -I dtb -O dts -o "$logs/vtl2.dts" "$logs/vtl2.dtb" \
			> "$logs/dtc.log" 2>&1 && ! grep -q . "$logs/dtc.log"
	result $? "dt: dtc decompiles /sys/firmware/fdt without warnings"
	f=$(section "$log" uapi)
	tap_count "$f" "uapi"
	f=$(section "$log" nl)
	tap_count "$f" "nl"
	f=$(section "$log" sandbox)
	tap_count "$f" "vm/sandbox"
	f=$(section "$log" sandbox-tpm)
	tap_count "$f" "vm/sandbox-tpm"
	f=$(section "$log" fuzz)
	tap_count "$f" "vm/fuzz"
	f=$(section "$log" hostile)
	tap_count "$f" "vm/hostile"
	f=$(section "$log" dmesg)
	tap_count "$f" "dmesg"

	# the sidecar on (the boot above gives Linux every CPU): at the vm
	# group's -smp 2, the tree as Linux sees it and the sidecar's CPU
	log=$logs/vm-sidecar.log
	qemu "$log" "$build/hcl-test.igvm" -t 300 -m 512M \
		-a "HCL_EXEC=/bin/hcl-vmtest HCL_VMTEST_ONLY=dt,sidecar"
	grep -q '^HCL-TEST-DONE' <(tr -d '\r' < "$log")
	result $? "vm: sidecar runner completed (see $log)"
	f=$(section "$log" dt)
	tap_count "$f" "vm/sidecar/dt"
	f=$(section "$log" sidecar)
	tap_count "$f" "vm/sidecar"
	grep -q "SKIP.*gives the sidecar no CPU" "$f"
	result $((! $?)) "vm/sidecar: the sidecar tests ran (not skipped)"
	f=$(section "$log" dmesg)
	tap_count "$f" "vm/sidecar/dmesg"

	# every UAPI test again with the fixture's VP on a sidecar CPU (VP 2
	# on Linux's CPU 2, which the sidecar holds at -smp 4; the
	# multi-VP tests put VPs 1-3 there too), host state checked; the
	# netlink tests (a sidecar CPU's event); then the fuzzer, whose VPs
	# run there
	log=$logs/vm-remote.log
	qemu "$log" "$build/hcl-test.igvm" -t 600 -s 4 -m 512M \
		-a "HCL_EXEC=/bin/hcl-vmtest HCL_VMTEST_ONLY=uapi,nl,fuzz HCL_UAPI_VP=2 hcl.max_vps=4 hcl.check_host_state=1$extra"
	grep -q '^HCL-TEST-DONE' <(tr -d '\r' < "$log")
	result $? "vm: remote-VP runner completed (see $log)"
	f=$(section "$log" uapi)
	tap_count "$f" "vm/remote/uapi"
	grep -q "VP 2 ran on sidecar CPU 1 " "$f"
	result $? "vm/remote: the fixture's VP ran on a sidecar CPU"
	f=$(section "$log" nl)
	tap_count "$f" "vm/remote/nl"
	grep -q "sidecar-cpu cpu=[0-9]* change=to-linux" "$f"
	result $? "vm/remote/nl: a sidecar CPU handed to Linux raised its event"
	f=$(section "$log" fuzz)
	tap_count "$f" "vm/remote/fuzz"
	f=$(section "$log" dmesg)
	tap_count "$f" "vm/remote/dmesg"
}

# make check-debug: on the debug kernel (scripts/vtl2-debug.config), the
# KUnit suites, the UAPI and netlink tests and the fuzzer with every
# entry's host state checked, the fuzzer again with slab allocations
# failing in its tasks, kmemleak's scan and the kernel log; then the
# UAPI tests and the fuzzer with VPs on sidecar CPUs.  The hostile guest
# runs until its VPs made 10^6 exits to userspace or for 600 s
# (HCL_HOSTILE_ARGS replaces that); how far it got is printed.  Longer
# timeouts: KASAN and lockdep slow everything down several times.
#
# no5lvl: Linux 6.12 rebuilds the boot CPU's feature bits in
# identify_cpu(), and an interrupt taken meanwhile finds LA57 (5-level
# paging, which QEMU's -cpu max has) off for a moment; KASAN then takes
# the direct map's 5-level addresses for wild accesses ("BUG: KASAN:
# wild-memory-access in do_raw_spin_lock", at 0.03 s, in handle_level_irq).
# A false report of the kernel's; 4-level paging has no such moment.
# The main kernel runs with 5-level paging in make check.
run_debug() {
	local log f extra=""
	echo "# in-VM tests on the debug kernel"
	# the fuzzer's watchdog (a wedged epoch, a killed process not reaped)
	# at 60 s instead of 15: a process's exit takes several times longer
	# under KASAN and lockdep, and the remote boot shares one Linux CPU
	extra="$extra HCL_FUZZ_ARGS=${HCL_FUZZ_ARGS:---seconds,20,--threads,4,--watchdog,60}"
	extra="$extra HCL_FAILSLAB_ARGS=${HCL_FAILSLAB_ARGS:---seconds,30,--threads,4,--fail-alloc,1,--watchdog,60}"
	extra="$extra HCL_HOSTILE_ARGS=${HCL_HOSTILE_ARGS:---seconds,600,--exits,1000000,--vps,4}"
	grep -q "^CONFIG_KASAN=y" "$kdir/.config"
	result $? "debug: the kernel is the debug flavour (KASAN on)"
	log=$logs/debug.log
	qemu "$log" "$build/hcl-test.igvm" -t 3600 -m 1536M \
		-a "no5lvl HCL_EXEC=/bin/hcl-vmtest openhcl_boot.sidecar=off hcl.max_vps=4 hcl.check_host_state=1 HCL_FAIL_ALLOC=${HCL_FAIL_ALLOC:-2}$extra"
	grep -q '^HCL-TEST-DONE' <(tr -d '\r' < "$log")
	result $? "debug: test runner completed (see $log)"
	f=$(section "$log" kunit)
	tap_count "$f" "debug/kunit" "    "
	for g in uapi nl fuzz hostile fuzz-failslab kmemleak dmesg; do
		f=$(section "$log" $g)
		tap_count "$f" "debug/$g"
	done
	grep "^# failslab: " <(tr -d '\r' < "$log")
	grep -q "^# failslab: [1-9][0-9]* slab allocations failed" <(tr -d '\r' < "$log")
	result $? "debug: slab allocations failed on purpose under the fuzzer"
	# how far the hostile guest got (10^6 exits or 600 s, whichever first)
	grep "^# summary: \|^# hcl.ko exits" "$logs/hostile.tap"

	log=$logs/debug-remote.log
	qemu "$log" "$build/hcl-test.igvm" -t 1800 -s 4 -m 1536M \
		-a "no5lvl HCL_EXEC=/bin/hcl-vmtest HCL_VMTEST_ONLY=uapi,fuzz,kmemleak HCL_UAPI_VP=2 hcl.max_vps=4 hcl.check_host_state=1$extra"
	grep -q '^HCL-TEST-DONE' <(tr -d '\r' < "$log")
	result $? "debug: remote-VP runner completed (see $log)"
	for g in uapi fuzz kmemleak dmesg; do
		f=$(section "$log" $g)
		tap_count "$f" "debug/remote/$g"
	done
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
names = ["host_loader", "openhcl_boot", "sidecar", "kernel", "underhill_init",
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

# A boot that must fail fast with its one error line.
expect_fail() {	# name log pattern image qemu-run-args...
	local name=$1 log=$2 pattern=$3 image=$4 t0=$SECONDS
	shift 4
	qemu "$log" "$image" -t 60 "$@"
	[ $? != 0 ] && [ $((SECONDS - t0)) -lt 60 ] &&
		grep -q -- "$pattern" <(tr -d '\r' < "$log")
	result $? "e2e: $name fails fast with '$pattern'"
}

# The keyboard of an interactive VTL0 shell: once the shell is up in log,
# a command and then exit 3; then waits until the run has ended (qemu_log
# writes log.status last) so that the pipe stays open until then.
linux_typist() {	# linux_typist log
	local i
	# the shell's banner: ash reads the console from here on
	for i in $(seq 300); do
		grep -q "^Enter 'help' for a list" "$1" 2>/dev/null && break
		sleep 1
	done
	# a line typed while the shell set its terminal up may be flushed:
	# again until it ran (a loaded host can be slow to get there)
	for i in $(seq 10); do
		printf 'echo typed-$((6*7))\n'
		sleep 3
		tr -d '\r' < "$1" | grep -q "^typed-42$" && break
	done
	printf 'exit 3\n'
	for i in $(seq 300); do
		[ -s "$1.status" ] && break
		sleep 1
	done
}

# The host channel (docs/hostchan.md): hclctl serve beside QEMU, the CLI
# against the running paravisor.  Debian's kernel in VTL0 keeps VTL0
# running (a shell waiting on COM1) for as long as the test needs.
hclctl=$build/bin/hclctl

# (HC_STDIN=FILE: the console's input comes from FILE)
hostchan_boot() {	# hostchan_boot name image vmgs [qemu-run args...]
	local name=$1 image=$2 vmgs=$3
	shift 3
	rm -f "$logs/$name".* "$logs/$name-chan".*
	if [ -n "${HC_STDIN:-}" ]; then
		QEMU_STDIN=1 qemu "$logs/$name.log" "$image" -t 300 -H "$hclctl" \
			-S "$logs/$name-chan.sock" -V "$vmgs" "$@" < "$HC_STDIN" &
	else
		qemu "$logs/$name.log" "$image" -t 300 -H "$hclctl" \
			-S "$logs/$name-chan.sock" -V "$vmgs" "$@" &
	fi
	hc_pid=$!
	hc="timeout 60 $hclctl -s $logs/$name-chan.sock"
}

# waits for the Linux guest's shell: VTL0 is up and stays up
hostchan_shell() {	# hostchan_shell log
	local i
	$hc wait vtl0-running 240 > /dev/null 2>&1 || return 1
	for i in $(seq 240); do
		grep -q "^vtl0-linux: shell on ttyS0" "$1" 2>/dev/null && return 0
		sleep 1
	done
	return 1
}

# types into the Linux guest's shell: an NV index defined and written
# with tpm2-tools, which the next boot's test guest reads back
NV_TEXT='kept in the host store by boot 1'	# 32 bytes, the index's size
nv_typist() {	# nv_typist log
	local i
	for i in $(seq 300); do
		grep -q "^vtl0-linux: shell on ttyS0" "$1" 2>/dev/null && break
		sleep 1
	done
	sleep 2
	printf '%s\n' "cd /tmp 2>/dev/null || cd /; tpm2_nvdefine -C o -s 32 -a 'authread|authwrite|no_da' 0x1500016 > /dev/null && printf '$NV_TEXT' > nv && tpm2_nvwrite -i nv 0x1500016 && echo nv-written-\$((40+2))"
	# QEMU ends when the boot does
	for i in $(seq 300); do
		[ -s "$1.status" ] && break
		sleep 1
	done
}

run_hostchan() {
	local log out vmgs=$logs/hostchan-vmgs.bin follow_pid nv_hex
	echo "# host channel and hclctl"
	rm -f "$vmgs" "$logs/nv-typist.fifo" "$logs/hostchan1.log" "$logs/hostchan1.log.status"
	mkfifo "$logs/nv-typist.fifo"

	# 1: status, stats, timeline, log, hostile input, workers, VTL0 off;
	# an NV index written through the vTPM, its state in the store
	nv_typist "$logs/hostchan1.log" > "$logs/nv-typist.fifo" &
	HC_STDIN=$logs/nv-typist.fifo hostchan_boot hostchan1 \
		"$build/hcl-linux.igvm" "$vmgs" -a "HCL_VPS=1"
	log=$logs/hostchan1.log
	hostchan_shell "$log"
	result $? "e2e: hclctl: the paravisor reports VTL0 running (Linux's shell up)"
	expect_in "$log" "^openvmm_hcl: host channel: the host answered in [0-9]* ms" \
		"e2e: hclctl: the host answered openvmm_hcl's HELLO at boot"
	# a follower for the rest of the run: it ends when the VM does
	$hclctl -s "$logs/hostchan1-chan.sock" log -f > "$logs/hostchan1-follow.log" 2>&1 &
	follow_pid=$!
	out=$($hc status 2>&1)
	grep -q "^paravisor: vtl0-running, up [0-9.]* s, underhill_vm pid [0-9]" <<< "$out" &&
		grep -q "^  vp0   running  *[1-9][0-9]* exits" <<< "$out"
	result $? "e2e: hclctl status: stage, uptime, VP 0 running with exits"
	$hc status --json 2>&1 | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["stage"] == "vtl0-running" and s["vm_pid"] > 0
assert len(s["vps"]) == 2 and s["vps"][0]["exits"] > 0
assert s["channel"]["frames_in"] > 0
'
	result $? "e2e: hclctl status --json parses, with the VPs and the channel's counters"
	$hc stats --json 2>&1 | python3 -c '
import json, sys
s = json.load(sys.stdin)
c = s["vps"][0]["counters"]
assert c["exits"] > 0 and c["user_exits"] > 0 and "guest_ns" in c
'
	result $? "e2e: hclctl stats --json: hcl.ko's counters of VP 0"
	$hc timeline --json 2>&1 | python3 -c '
import json, sys
t = json.load(sys.stdin)
st = {s["name"]: s for s in t["stages"]}
for n in ["host_loader", "openhcl_boot", "kernel", "underhill_init", "openvmm_hcl", "underhill_vm"]:
    assert st[n]["start_ms"] is not None, n
'
	result $? "e2e: hclctl timeline --json: the stages up to underhill_vm"
	out=$($hc log 2>&1)
	grep -q "\] kernel: " <<< "$out" &&
		grep -q "^\[host\] openvmm_hcl said HELLO: protocol 2" <<< "$out" &&
		grep -q "\] underhill_vm: " <<< "$out"
	result $? "e2e: hclctl log: VTL2's kernel log and underhill_vm's stderr, tagged"
	expect_in "$log" "^openvmm_hcl: guest-state store: boot 1 recorded" \
		"e2e: hclctl: the guest-state store took the first boot's blob"
	$hc inject garbage 20000 > /dev/null && $hc inject truncated > /dev/null &&
		sleep 2 && $hc inject flood 300 > /dev/null
	result $? "e2e: hclctl: garbage, a truncated frame and a flood of requests sent"
	out=$($hc status --json 2>&1)
	python3 -c '
import json, sys
s = json.loads(sys.argv[1])
assert s["stage"] == "vtl0-running", s["stage"]
assert s["channel"]["bad_frames"] > 0 and s["channel"]["bytes_skipped"] >= 20000
' "$out"
	result $? "e2e: hclctl: after hostile input the paravisor still answers, VTL0 still runs"
	$hc host --json 2>&1 | python3 -c '
import json, sys
h = json.load(sys.stdin)
assert h["hello"] and h["error_frames"] > 0
'
	result $? "e2e: hclctl: the hostile frames got error replies"
	$hc workers 2>&1 | grep -q "^underhill_vm  *[0-9]* up "
	result $? "e2e: hclctl workers lists underhill_vm"
	$hc policy get 2>&1 | grep -q "^run-loop policy: events=.* rate=100 burst=20 forward_io=0 log=info$"
	result $? "e2e: hclctl policy get: the run loop's policy over netlink"
	out=$($hc --json policy set "rate=7,burst=3" 2>&1)
	grep -q '"policy":"events=.* rate=7 burst=3 forward_io=0 log=info"' <<< "$out"
	result $? "e2e: hclctl policy set: applied in hcl.ko and read back"
	out=$($hc policy set "rate=banana" 2>&1)
	[ $? != 0 ] && grep -q "rate" <<< "$out" &&
		$hc policy get 2>&1 | grep -q " rate=7 burst=3 "
	result $? "e2e: hclctl policy set: a bad policy refused with its reason, nothing changed"
	# tpm2-tools under TCG take tens of seconds on a loaded host: wait
	# up to 200 s (the boot's own timeout is 300 s)
	for _ in $(seq 400); do
		grep -q "^nv-written-42" "$log" 2> /dev/null && break
		sleep 0.5
	done
	expect_in "$log" "^nv-written-42" \
		"e2e: vTPM: tpm2_nvdefine and tpm2_nvwrite in VTL0 (Linux)"
	$hc vtl0 poweroff > /dev/null 2>&1
	result $? "e2e: hclctl vtl0 poweroff accepted while VTL0 runs"
	wait "$hc_pid"
	result $? "e2e: hclctl vtl0 poweroff: the boot ends with status 0"
	expect_in "$log" "^openvmm_hcl: vTPM: no state in the guest-state store yet: a new TPM, stored from now on" \
		"e2e: vTPM: a first boot starts a new TPM and says so"
	expect_in "$log" "^openvmm_hcl: vTPM: [0-9]* state updates\? stored on the host this boot" \
		"e2e: vTPM: the state stored on the host before the power-off"
	expect_in "$log" "^underhill_vm: VTL0 powered off by the host" \
		"e2e: hclctl vtl0 poweroff: underhill_vm stopped VTL0"
	expect_in "$log" "^openvmm_hcl: VTL0 powered off by the host (1 VP, [0-9]* exits to userspace); 0 other processes left" \
		"e2e: hclctl vtl0 poweroff: openvmm_hcl reports it, nothing left"
	wait "$follow_pid" &&
		grep -q "^\[host\] openvmm_hcl said HELLO" "$logs/hostchan1-follow.log" &&
		grep -q "^\[event\] poweroff openvmm_hcl pid [0-9]*: exit status 0" \
			"$logs/hostchan1-follow.log"
	result $? "e2e: hclctl log -f: the log so far, then new records up to the power-off"

	# 2: the store survived the power-off: the boot counter, and the
	# TPM's state (the test guest reads the index back without defining
	# it); blobs in chunks of a 512-byte payload; an orderly shutdown of
	# the test guest's VM once it wrote the index anew (the TPM worker up)
	HCLCTL_MAX_PAYLOAD=512 hostchan_boot hostchan2 "$build/hcl.igvm" "$vmgs"
	log=$logs/hostchan2.log
	for _ in $(seq 1200); do
		grep -q "^vtl0: VP 0: TPM \(Startup.*ok\|check failed\)" "$log" 2> /dev/null &&
			break
		sleep 0.1
	done
	expect_in "$log" "^openvmm_hcl: guest-state store: boot 2 recorded" \
		"e2e: the guest-state store kept its blob across a power-off"
	expect_in "$log" "^openvmm_hcl: vTPM: permanent state restored from the guest-state store ([0-9]\{4,\} bytes)" \
		"e2e: vTPM: its state restored from the store (several 512-byte chunks) before the TPM started"
	nv_hex=$(printf '%s' "$NV_TEXT" | od -An -tx1 | tr -d ' \n')
	expect_in "$log" "^vtl0: VP 0: TPM NV index 0x01500016 kept from an earlier boot: $nv_hex" \
		"e2e: vTPM: the NV index VTL0 wrote in the last boot read back (test guest)"
	expect_in "$logs/hostchan2-chan.log" "^\[host\] openvmm_hcl said HELLO: protocol 2, payloads up to 512 bytes" \
		"e2e: hclctl serve offered 512-byte payloads (HCLCTL_MAX_PAYLOAD)"
	$hc shutdown > /dev/null 2>&1
	result $? "e2e: hclctl shutdown accepted"
	wait "$hc_pid"
	result $? "e2e: hclctl shutdown: the boot ends with status 0"
	expect_in "$log" "^openvmm_hcl: VTL0 powered off by the host (2 VPs, [0-9]* exits to userspace); 0 other processes left" \
		"e2e: hclctl shutdown: VTL0 off, underhill_vm and the TPM worker gone, no zombie"
	expect_in "$log" "^openvmm_hcl: shutdown complete" \
		"e2e: hclctl shutdown: openvmm_hcl reports a complete shutdown"
	expect_in "$logs/hostchan2-chan.log" "^\[host\] store: tpm.permall written ([0-9]\{4,\} bytes)" \
		"e2e: vTPM: the index written anew reached the store in 512-byte chunks"

	# 3: a damaged store is refused, reported and left alone; the
	# test guest's worker crashes reach the host with their cause
	printf 'X' | dd of="$vmgs" bs=1 seek=70 conv=notrunc 2> /dev/null
	cp "$vmgs" "$vmgs.damaged"
	hostchan_boot hostchan3 "$build/hcl.igvm" "$vmgs"
	log=$logs/hostchan3.log
	$hc wait vtl0-running 240 > /dev/null 2>&1 &&
		$hc workers --json 2>&1 | python3 -c '
import json, sys
w = {x["name"]: x for x in json.load(sys.stdin)["workers"]}
assert w["underhill_vm"]["state"] == "up" and w["tpm"]["pid"] > 0
'
	result $? "e2e: hclctl workers --json lists underhill_vm and its TPM worker"
	wait "$hc_pid"
	result $? "e2e: a boot with a damaged guest-state store still succeeds"
	expect_in "$log" "^openvmm_hcl: guest-state store refused by the host: .*checksum mismatch; this boot keeps no state" \
		"e2e: the damaged store is reported by openvmm_hcl"
	expect_in "$log" "^openvmm_hcl: vTPM: the guest-state store is refused (.*checksum mismatch): a new TPM, whose state is not kept" \
		"e2e: vTPM: with the damaged store a new TPM, said once"
	! grep -q "kept from an earlier boot" "$log" &&
		expect_in "$log" "^vtl0: VP 0: TPM checks passed" \
			"e2e: vTPM: the new TPM passes the test guest's checks"
	cmp -s "$vmgs" "$vmgs.damaged"
	result $? "e2e: the damaged store is left as it was, not reset"
	expect_in "$logs/hostchan3-chan.log" "^\[host\] store .* REFUSED: .*checksum mismatch" \
		"e2e: hclctl serve refuses the damaged store"
	expect_in "$logs/hostchan3-chan.log" "^\[event\] worker-exit tpm pid [0-9]*: killed by signal 9 (Killed)" \
		"e2e: a killed device worker is reported to the host with its signal"

	# 4: the host resets VTL0 while Linux runs there on two VPs, VP 1 on
	# the sidecar's CPU: the run ends at once, like a guest's reset
	hostchan_boot hostchan4 "$build/hcl-linux.igvm" "$logs/hostchan4-vmgs.bin"
	log=$logs/hostchan4.log
	hostchan_shell "$log"
	result $? "e2e: hclctl: Linux in VTL0 reached its shell (reset boot)"
	$hc policy set log=debug 2>&1 | grep -q " log=debug$"
	result $? "e2e: hclctl policy set log=debug: hcl.ko's log level over netlink"
	$hc vtl0 reset > /dev/null 2>&1
	result $? "e2e: hclctl vtl0 reset accepted while VTL0 runs"
	wait "$hc_pid"
	result $? "e2e: hclctl vtl0 reset: the boot ends with status 0"
	expect_in "$log" "^underhill_vm: on sidecar CPUs: VP 1 on 0$" \
		"e2e: hclctl vtl0 reset: VP 1 ran on the sidecar's CPU"
	expect_in "$log" "^underhill_vm: VTL0 reset by the host" \
		"e2e: hclctl vtl0 reset: underhill_vm stopped VTL0"
	expect_in "$log" "^openvmm_hcl: VTL0 reset by the host (2 VPs, [0-9]* exits to userspace); 0 other processes left" \
		"e2e: hclctl vtl0 reset: openvmm_hcl reports it, nothing left"
	expect_in "$logs/hostchan4-chan.log" "\] kernel: hcl: vp: VP 1 released after [0-9]* exits" \
		"e2e: at log=debug hcl.ko's VP lifetimes reach the host's log"

	# 5: a host channel nobody answers (COM2 on QEMU's null chardev):
	# the boot waits HCL_HOST_WAIT_MS for HELLO, says so, and VTL0 runs
	# with a new TPM whose state is not kept
	log=$logs/hostchan5.log
	QEMU_EXTRA="-chardev null,id=nohost -device isa-serial,chardev=nohost,iobase=0x2f8,irq=3" \
		qemu "$log" "$build/hcl.igvm" -t 300 -a "HCL_HOST_WAIT_MS=1500"
	result $? "e2e: a host channel nobody answers: the boot still succeeds"
	expect_in "$log" "^openvmm_hcl: host channel: no HELLO from the host within 1500 ms (HCL_HOST_WAIT_MS): VTL0 starts without it" \
		"e2e: a host channel nobody answers: openvmm_hcl says so after HCL_HOST_WAIT_MS"
	expect_in "$log" "^openvmm_hcl: vTPM: no answer from the host: a new TPM, whose state is not kept" \
		"e2e: a host channel nobody answers: a new TPM, said once"
	sed -n 's/^openvmm_hcl: timeline-json //p' <(tr -d '\r' < "$log") | python3 -c '
import json, sys
st = {s["name"]: s for s in json.load(sys.stdin)["stages"]}
assert 1500 <= st["openvmm_hcl"]["ms"] < 6000, st["openvmm_hcl"]
'
	result $? "e2e: a host channel nobody answers: VTL0 waited about HCL_HOST_WAIT_MS, no more"
}

run_e2e() {
	local log rc want t0 img=$build/hcl.igvm bad=$logs/bad
	echo "# end-to-end boots"
	log=$logs/e2e-default.log
	qemu "$log" "$img" -t 300
	result $? "e2e: default IGVM boot exits 0"
	expect_in "$log" "^hcl-loader: starting shim at" "e2e: the host loader started the shim"
	expect_in "$log" "^openhcl_boot: starting Linux at" "e2e: the shim started Linux"
	# (no ^: the serial driver leaves a stray byte before the first line)
	expect_in "$log" "underhill_init: 64 bytes of host entropy" "e2e: underhill_init credited the host's entropy"
	expect_in "$log" "^openvmm_hcl: device tree: 2 VPs (1 Linux CPU, 1 sidecar)" "e2e: openvmm_hcl read the shim's tree"
	expect_in "$log" "^vtl0: Hello from VTL0" "e2e: guest greeting on the console"
	expect_in "$log" "^underhill_vm: 2 VPs via io_uring" "e2e: two VPs served by one io_uring thread"
	expect_in "$log" "^underhill_vm: on sidecar CPUs: VP 1 on 0$" "e2e: VP 1 runs on the sidecar's CPU"
	expect_in "$log" "^vtl0: VP 0: CPUID check passed" "e2e: VP 0 CPUID check passed"
	expect_in "$log" "^vtl0: VP 1: CPUID check passed" "e2e: VP 1 CPUID check passed"
	# the vTPM: a sandboxed worker spawned by underhill_vm, driven by VP 0
	expect_in "$log" "^underhill_vm: tpm worker pid [0-9]*: uid 65534, Seccomp 2, NoNewPrivs 1, CapEff 0000000000000000" \
		"e2e: the tpm worker runs as nobody, seccomp-filtered, no_new_privs, no capabilities"
	expect_in "$log" "^vtl0: VP 0: TPM Startup, GetRandom, PCR_Extend/Read, NV_Define/Write/Read ok" \
		"e2e: the test guest's TPM commands through the TIS registers"
	expect_in "$log" "^underhill_vm: tpm worker: pid [0-9]* killed by signal 9 (crash 1); restarting in 0 ms" \
		"e2e: a killed tpm worker is logged and restarted at once"
	expect_in "$log" "^hcl-tpm-worker: TPM 2.0 up: permanent state restored, volatile state resumed" \
		"e2e: the restarted tpm worker resumed its state"
	expect_in "$log" "^vtl0: VP 0: TPM state kept across a worker kill between commands" \
		"e2e: PCR and NV kept across a kill between commands"
	expect_in "$log" "^vtl0: VP 0: TPM state kept across a worker kill in the middle of a command" \
		"e2e: PCR and NV kept across a kill in the middle of a command"
	expect_in "$log" "^underhill_vm: tpm worker: pid [0-9]* killed by signal 9 (crash 4); restarting in 400 ms" \
		"e2e: repeated tpm worker crashes back off (0, 100, 200, 400 ms)"
	expect_in "$log" "^underhill_vm: tpm bench: 32 x GetRandom(32) in" "e2e: the TPM benchmark ran"
	expect_in "$log" "^vtl0: VP 0: TPM checks passed" "e2e: VP 0 TPM checks passed"
	expect_in "$log" "^openvmm_hcl: VTL0 guest succeeded" "e2e: openvmm_hcl reports success"
	expect_in "$log" "^openvmm_hcl: run-loop policy: events=hlt+shutdown+fail_entry+unhandled+vtl_violation rate=100 burst=20 forward_io=0" \
		"e2e: openvmm_hcl resolved the netlink family and read the default policy"
	for stage in "host loader" "openhcl_boot (shim)" "Linux kernel" "underhill_init" "openvmm_hcl" "underhill_vm" "VTL0 guest" "guest done"; do
		expect_in "$log" "^  $stage  *[0-9]" "e2e: timeline has '$stage'"
	done
	timeline_ok "$log" host_loader openhcl_boot kernel underhill_init openvmm_hcl underhill_vm vtl0_guest guest_done
	result $? "e2e: timeline JSON has every stage, in order"

	for cfg in "1 512M" "2 2G" "4 1G" "4 2G" "8 1G"; do
		set -- $cfg
		log=$logs/e2e-smp$1-$2.log
		qemu "$log" "$img" -t 300 -s "$1" -m "$2"
		result $? "e2e: IGVM boot with -smp $1 -m $2 exits 0"
		expect_in "$log" "^openvmm_hcl: device tree: $1 VPs\? (1 Linux CPU, $(( $1 - 1 )) sidecar)" \
			"e2e: -smp $1 -m $2: the tree has $1 VPs, $(( $1 - 1 )) for the sidecar"
		expect_in "$log" "^vtl0: VP $(( $1 - 1 )): CPUID check passed" \
			"e2e: -smp $1 -m $2: all $1 VPs ran"
		if [ "$1" -gt 1 ]; then
			want=$(for ((i = 1; i < $1; i++)); do
				printf '%sVP %d on %d' "$([ $i -gt 1 ] && echo ', ')" $i $((i - 1))
			done)
			expect_in "$log" "^underhill_vm: on sidecar CPUs: $want\$" \
				"e2e: -smp $1 -m $2: VPs 1-$(( $1 - 1 )) run on the sidecar's CPUs"
		fi
		timeline_ok "$log" host_loader openhcl_boot kernel underhill_init openvmm_hcl underhill_vm vtl0_guest guest_done
		result $? "e2e: -smp $1 -m $2: timeline complete and in order"
		if [ "$1" -gt 1 ]; then
			expect_in "$log" "^openhcl_boot: sidecar: $(( $1 - 1 )) of $(( $1 - 1 )) CPUs idle in the dispatch loop" \
				"e2e: -smp $1 -m $2: every sidecar CPU reached the dispatch loop"
			timeline_ok "$log" sidecar
			result $? "e2e: -smp $1 -m $2: the timeline has the sidecar's start"
		fi
	done

	# the sidecar at 5 CPUs, from inside: 4 CPUs idle, offline in Linux,
	# answering hcl.ko's PING, running VPs; one each for REMOVE by hand,
	# hot-plug under a running VP, the hot-plug policy and a fault
	log=$logs/e2e-sidecar-smp5.log
	qemu "$log" "$build/hcl-test.igvm" -t 300 -s 5 -m 512M \
		-a "HCL_EXEC=/bin/hcl-vmtest HCL_VMTEST_ONLY=sidecar"
	result $? "e2e: sidecar test boot with -smp 5 exits 0"
	expect_in "$log" "^openhcl_boot: VTL2 .* 5 CPUs (1 Linux, 4 sidecar), command line \".* maxcpus=1\"" \
		"e2e: -smp 5: the shim keeps 4 CPUs from Linux (maxcpus=1)"
	expect_in "$log" "^openhcl_boot: sidecar: 4 of 4 CPUs idle in the dispatch loop" \
		"e2e: -smp 5: the shim saw 4 sidecar CPUs reach the dispatch loop"
	f=$(section "$log" sidecar)
	tap_count "$f" "e2e/sidecar-smp5"
	grep -q "SKIP" "$f"
	result $((! $?)) "e2e: -smp 5: the sidecar tests ran (none skipped)"

	# underhill_vm crashes while VTL0 runs (a helper execs it and sends
	# it SIGSEGV once VP 0 made 20 exits to userspace): openvmm_hcl says
	# so with the cause, hcl.ko frees the partition, the TPM worker goes
	# too, and the VM powers off with failure, quickly
	log=$logs/e2e-vm-crash.log
	t0=$SECONDS
	qemu "$log" "$build/hcl-test.igvm" -t 300 -m 512M \
		-a "HCL_VM_WORKER=/bin/hcl-vm-crash"
	[ $? != 0 ] && [ $((SECONDS - t0)) -lt 120 ]
	result $? "e2e: underhill_vm crash: the boot fails, at once"
	expect_in "$log" "^hcl-vm-crash: VP 0 made [0-9]* exits to userspace: SIGSEGV to underhill_vm" \
		"e2e: underhill_vm crash: the helper crashed it while VTL0 ran"
	expect_in "$log" "^openvmm_hcl: underhill_vm killed by signal 11 (Segmentation fault)" \
		"e2e: underhill_vm crash: openvmm_hcl names the signal"
	expect_in "$log" "^openvmm_hcl: VTL0 ended: underhill_vm was killed by signal 11 (Segmentation fault); VTL0's state is lost (hcl.ko's partition released, 0 other processes left)" \
		"e2e: underhill_vm crash: VTL0 ended, partition released, no process left"
	! grep -q "VTL0 guest succeeded\|TPM checks passed" "$log" &&
		grep -q "^openvmm_hcl: VTL2 kernel log while the paravisor ran: no warning or error" <(tr -d '\r' < "$log")
	result $? "e2e: underhill_vm crash: the guest did not finish, the kernel logged no warning"

	# a fault on a sidecar CPU: reported by the shim and by hcl.ko, and
	# the boot goes on without that CPU
	log=$logs/e2e-sidecar-fault.log
	qemu "$log" "$img" -t 300 -a "openhcl_boot.sidecar_fault=ud"
	result $? "e2e: boot with a faulting sidecar CPU exits 0"
	expect_in "$log" "^openhcl_boot: sidecar: CPU 0 (APIC id 1) fault: vector 6 error 0x0 at RIP 0x804[0-9a-f]* CR2 0x0" \
		"e2e: the shim reports the sidecar CPU's #UD"
	expect_in "$log" "hcl: sidecar CPU 0 (APIC id 1): fault: vector 0x6 error 0x0 at RIP 0x804[0-9a-f]* CR2 0x0" \
		"e2e: hcl.ko reports the sidecar CPU's #UD"
	expect_in "$log" "^openvmm_hcl: VTL0 guest succeeded" \
		"e2e: a faulting sidecar CPU: the VTL0 guest still succeeds"

	# the sidecar off: Linux gets every CPU
	log=$logs/e2e-sidecar-off.log
	qemu "$log" "$img" -t 300 -a "openhcl_boot.sidecar=off"
	result $? "e2e: boot with openhcl_boot.sidecar=off exits 0"
	expect_in "$log" "^openvmm_hcl: device tree: 2 VPs (2 Linux CPUs, 0 sidecar)" \
		"e2e: sidecar=off: Linux has both CPUs"
	expect_in "$log" "^openvmm_hcl: VTL0 guest succeeded" \
		"e2e: sidecar=off: the VTL0 guest succeeds"

	log=$logs/e2e-ioctl.log
	qemu "$log" "$img" -t 300 -a "HCL_VM_ARGS=--ioctl HCL_POLICY=events=shutdown+vtl_violation,rate=50"
	result $? "e2e: boot with the ioctl run path exits 0"
	expect_in "$log" "^openvmm_hcl: run-loop policy (HCL_POLICY): events=shutdown+vtl_violation rate=50 burst=20 forward_io=0" \
		"e2e: openvmm_hcl applied HCL_POLICY over netlink"
	expect_in "$log" "^underhill_vm: 2 VPs via ioctl" "e2e: underhill_vm used a thread per VP"
	expect_in "$log" "^vtl0: VP 0: TPM checks passed" "e2e: ioctl path: VP 0 TPM checks passed (a parked VP thread)"

	# the VP count comes from the partition; HCL_VPS=N runs N of its VPs
	log=$logs/e2e-vps1.log
	qemu "$log" "$img" -t 300 -a "HCL_VPS=1"
	result $? "e2e: boot with HCL_VPS=1 exits 0"
	expect_in "$log" "^underhill_vm: 1 VP via io_uring" "e2e: HCL_VPS=1 runs one of the partition's two VPs"
	expect_in "$log" "^openvmm_hcl: VTL0 guest succeeded (1 VP," "e2e: HCL_VPS=1: openvmm_hcl reports one VP"

	log=$logs/e2e-bad-cpuid.log
	qemu "$log" "$img" -t 300 -a "HCL_GUEST_CPUID_BAD=1"
	rc=$?
	[ $rc != 0 ]
	result $? "e2e: a guest failing its CPUID check fails the boot"
	expect_in "$log" "^vtl0: VP 0: CPUID check failed" "e2e: guest reports the CPUID mismatch"
	expect_in "$log" "^openvmm_hcl: VTL0 guest FAILED" "e2e: openvmm_hcl reports the failure"

	# the kernel booted without loader and shim: module parameters
	log=$logs/e2e-direct.log
	qemu_direct "$log" "$build/initramfs.cpio" -t 300
	result $? "e2e: direct kernel boot (no shim) exits 0"
	expect_in "$log" "^openvmm_hcl: no device tree" "e2e: direct boot runs without a device tree"

	# malformed images: the loader stops with one line
	mkdir -p "$bad"
	head -c 100000 "$img" > "$bad/truncated.igvm"
	expect_fail "a truncated image" "$logs/e2e-truncated.log" \
		"^hcl-loader: error: .*" "$bad/truncated.igvm"
	python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[100] ^= 0x40
open(sys.argv[2], "wb").write(b)' "$img" "$bad/checksum.igvm"
	expect_fail "an image with a bad checksum" "$logs/e2e-checksum.log" \
		"^hcl-loader: error: .*checksum" "$bad/checksum.igvm"
	expect_fail "an image larger than RAM" "$logs/e2e-small.log" \
		"^hcl-loader: error: .*" "$img" -m 200M

	# malformed host device trees: the shim stops with one line
	for f in "dt-truncate:openhcl_boot: error: " \
		 "dt-bad-magic:openhcl_boot: error: " \
		 "dt-overlap:openhcl_boot: error: .*overlap" \
		 "dt-no-cpus:openhcl_boot: error: .*cpus" \
		 "dt-dup-apic:openhcl_boot: error: .*APIC" \
		 "dt-no-openhcl:openhcl_boot: error: .*openhcl" \
		 "dt-chan-console:openhcl_boot: error: .*host-channel.*overlap the console" \
		 "dt-chan-size:openhcl_boot: error: .*host-channel: 4 bytes"; do
		expect_fail "host tree fault ${f%%:*}" "$logs/e2e-${f%%:*}.log" \
			"^${f#*:}" "$img" -a "hcl.loader.fault=${f%%:*}"
	done

	# the shim's exception handlers report and stop
	expect_fail "an invalid opcode in the shim" "$logs/e2e-shim-ud.log" \
		"^openhcl_boot: exception 6 at RIP 0x81[0-9a-f]* error 0x0" \
		"$img" -a "openhcl_boot.test_exception=ud"
	expect_fail "a page fault in the shim" "$logs/e2e-shim-pf.log" \
		"^openhcl_boot: exception 14 at RIP 0x81[0-9a-f]* error 0x2" \
		"$img" -a "openhcl_boot.test_exception=pf"
	expect_fail "a bad sidecar fault option" "$logs/e2e-sidecar-opt.log" \
		"^openhcl_boot: error: command line: openhcl_boot.sidecar_fault= at offset [0-9]*: expected none, ud, pf or de" \
		"$img" -a "openhcl_boot.sidecar_fault=gp"
	expect_fail "a bad shim option" "$logs/e2e-shim-opt.log" \
		"^openhcl_boot: error: command line: openhcl_boot.test_exception= at offset [0-9]*: expected none, ud, pf or de" \
		"$img" -a "openhcl_boot.test_exception=gp"

	# underhill_vm refuses a kernel that is not a bzImage with one line
	expect_fail "a VTL0 kernel that is not a bzImage" "$logs/e2e-not-bzimage.log" \
		"^underhill_vm: /bin/underhill_vm: kernel: not a bzImage" \
		"$img" -a "HCL_VM_ARGS=--kernel=/bin/underhill_vm"

	# a staged VTL0 Linux bundle whose header lies about its size: the
	# image is valid IGVM (the bundle is just page data), underhill_vm
	# refuses the bundle with one line
	local bundle=$logs/bad-vtl0.bundle
	{ printf 'HCLVTL0L\001\000\000\000\150\000\000\000'
	  head -c 4080 /dev/zero; } > "$bundle"
	"$build/bin/igvmtool" build -o "$logs/bad-vtl0.igvm" \
		--shim "$build/shim/openhcl_boot.bin" \
		--sidecar "$build/sidecar/sidecar.bin" --kernel "$kernel" \
		--initrd "$build/initramfs.cpio" --vtl0 "$bundle" \
		--cmdline "$(cat "$build/igvm-cmdline")" > /dev/null
	expect_fail "a malformed VTL0 Linux bundle" "$logs/e2e-bad-bundle.log" \
		"^underhill_vm: /sys/class/misc/hcl/vtl0_image: bundle: size 0x0, but 0x1000 bytes are there" \
		"$logs/bad-vtl0.igvm"

	# Debian's kernel in VTL0 (hcl-linux.igvm) on the partition's two VPs:
	# what underhill_vm gave it, then SMP up to userspace and power-off
	log=$logs/e2e-linux.log
	qemu "$log" "$build/hcl-linux.igvm" -t 300 \
		-a "HCL_VM_ARGS=--append=hcl.cmd=nproc"
	result $? "e2e: linux: nproc in VTL0 powers off with status 0, the boot exits 0"
	expect_in "$log" "^underhill_vm: 2 VPs via io_uring, Linux (boot protocol 2.15) at 16 MiB" \
		"e2e: linux: underhill_vm loaded Debian's bzImage"
	expect_in "$log" "Linux version 6\.1\." "e2e: linux: Debian's kernel runs in VTL0 (banner on COM1)"
	expect_in "$log" "BIOS-e820: \[mem 0x0000000000000000-0x000000000009fbff\] usable" \
		"e2e: linux: e820 has the RAM below 1 MiB"
	expect_in "$log" "BIOS-e820: \[mem 0x00000000000f0000-0x00000000000fffff\] reserved" \
		"e2e: linux: e820 reserves the MP table's area"
	expect_in "$log" "BIOS-e820: \[mem 0x0000000000100000-0x[0-9a-f]*\] usable" \
		"e2e: linux: e820 has VTL0 RAM from 1 MiB"
	expect_in "$log" "Hypervisor detected: KVM" "e2e: linux: the guest sees KVM's CPUID signature"
	expect_in "$log" "x2apic enabled" "e2e: linux: the guest enabled the x2APIC"
	expect_in "$log" "smp: Brought up 1 node, 2 CPUs" "e2e: linux: the BSP started the AP (INIT, SIPI)"
	expect_in "$log" "^vtl0-linux: userspace reached (2 CPUs," \
		"e2e: linux: userspace reached on 2 VPs"
	tr -d '\r' < "$log" | grep -A1 -- "^vtl0-linux: running: nproc$" | tail -n 1 | grep -qx 2
	result $? "e2e: linux: nproc in VTL0 says 2"
	! grep -q -- "unchecked MSR access\|Call Trace:" <(tr -d '\r' < "$log")
	result $? "e2e: linux: no unchecked MSR access, no call trace"
	expect_in "$log" "^underhill_vm: VTL0 powered off with status 0" \
		"e2e: linux: the guest's power-off ends the run"

	# four VPs: sleep against the host's clock, 10 s of fork/exec and
	# short sleeps on every VP (timers, IPIs), then Debian's tpm2-tools
	# in VTL0 against the sandboxed vTPM through Linux's own tpm_tis
	# driver (tests/guest/linux-vtl0-checks.sh, linux-tpm-check.sh)
	log=$logs/e2e-linux-tpm.log
	qemu "$log" "$build/hcl-linux.igvm" -t 400 -s 4 -m 2G \
		-a "hcl.check_host_state=1 HCL_VM_ARGS=--append=hcl.cmd=hcl-sleep-check&&hcl-ipi-load&&hcl-tpm-check"
	result $? "e2e: linux: sleep, load and tpm2-tools in VTL0 pass, the boot exits 0"
	expect_in "$log" "^vtl0-check: 4 CPUs loaded for 10 s" \
		"e2e: linux: 10 s of fork/exec and timers on 4 VPs, no hang"
	expect_in "$log" "^openvmm_hcl: VTL2 kernel log while the paravisor ran: no warning or error" \
		"e2e: linux: VTL2's kernel logged no warning or error while Linux ran on 4 VPs"
	expect_in "$log" "smp: Brought up 1 node, 4 CPUs" "e2e: linux: 4 VPs brought up"
	expect_in "$log" "^underhill_vm: on sidecar CPUs: VP 1 on 0, VP 2 on 1, VP 3 on 2$" \
		"e2e: linux: VTL0 Linux's APs run on the sidecar's CPUs"
	expect_in "$log" "^vtl0-linux: userspace reached (4 CPUs," \
		"e2e: linux: userspace reached on 4 VPs"
	expect_in "$log" "^vtl0-check: sleep accurate" \
		"e2e: linux: sleep 20 in VTL0 takes 20 s +-5% of host time"
	expect_in "$log" "tpm_tis tpm_tis: 2.0 TPM (device-id 0x1" \
		"e2e: linux: tpm_tis found the vTPM at 0xfed40000"
	expect_in "$log" "^vtl0-tpm: /dev/tpm0 and /dev/tpmrm0 present, TPM 2" \
		"e2e: linux: /dev/tpm0 and /dev/tpmrm0 in VTL0"
	expect_in "$log" "^vtl0-tpm: getrandom ok" "e2e: linux: tpm2_getrandom"
	expect_in "$log" "^vtl0-tpm: pcrextend and pcrread ok" \
		"e2e: linux: tpm2_pcrextend, tpm2_pcrread (value recomputed in VTL0)"
	expect_in "$log" "^vtl0-tpm: createprimary, create, load, sign, verifysignature ok" \
		"e2e: linux: tpm2_createprimary/create/load/sign/verifysignature"
	expect_in "$log" "^vtl0-tpm: nvdefine, nvwrite, nvread, nvundefine ok" \
		"e2e: linux: tpm2_nvdefine/nvwrite/nvread"
	expect_in "$log" "^hcl-tpm-worker: [0-9]* commands" \
		"e2e: linux: the commands ran in the sandboxed worker"
	! grep -q -- "unchecked MSR access\|Call Trace:\|genirq: Flags mismatch" <(tr -d '\r' < "$log")
	result $? "e2e: linux: no call trace, no interrupt line taken from another device"

	# a guest that panics, and one that reboots by triple fault: each a
	# line from underhill_vm and a failed boot, never a hang
	log=$logs/e2e-linux-panic.log
	qemu "$log" "$build/hcl-linux.igvm" -t 300 \
		-a "HCL_VM_ARGS=--append=hcl.cmd=hcl-panic"
	[ $? != 0 ]
	result $? "e2e: linux: a panic in VTL0 fails the boot"
	expect_in "$log" "Kernel panic - not syncing: sysrq triggered crash" \
		"e2e: linux: the guest panicked"
	expect_in "$log" "^underhill_vm: VTL0 reset by VP [0-9]*: keyboard controller reset" \
		"e2e: linux: its reboot after the panic is reported in one line"
	# a guest that never reaches userspace (no init where it looks): its
	# panic and reboot are reported, the run fails instead of hanging
	log=$logs/e2e-linux-noinit.log
	qemu "$log" "$build/hcl-linux.igvm" -t 300 \
		-a "HCL_VM_ARGS=--append=rdinit=/no-such-init"
	[ $? != 0 ]
	result $? "e2e: linux: a guest that never reaches userspace fails the boot"
	! grep -q "^vtl0-linux: userspace reached" <(tr -d '\r' < "$log") &&
		grep -q "^underhill_vm: VTL0 reset by VP [0-9]*: " <(tr -d '\r' < "$log")
	result $? "e2e: linux: its panic's reboot is reported in one line, no userspace"
	log=$logs/e2e-linux-triple.log
	qemu "$log" "$build/hcl-linux.igvm" -t 300 \
		-a "HCL_VM_ARGS=--append=hcl.cmd=hcl-triple-fault"
	[ $? != 0 ]
	result $? "e2e: linux: a triple fault in VTL0 fails the boot"
	expect_in "$log" "^vtl0-check: rebooting by triple fault" \
		"e2e: linux: the guest asked for a triple-fault reboot"
	expect_in "$log" "^underhill_vm: VTL0 reset by VP [0-9]*: triple fault; VTL0 is not restarted" \
		"e2e: linux: the triple fault is reported in one line"

	# one VP and the interactive shell: a line typed on the console runs
	# in VTL0, and the status of its exit is the run's
	log=$logs/e2e-linux-tty.log
	rm -f "$log"
	linux_typist "$log" | QEMU_STDIN=1 qemu "$log" "$build/hcl-linux.igvm" \
		-t 300 -a "HCL_VPS=1"
	[ $? != 0 ]
	result $? "e2e: linux: exit 3 in VTL0's shell fails the boot"
	expect_in "$log" "^vtl0-linux: userspace reached (1 CPUs," \
		"e2e: linux: userspace reached on 1 VP"
	expect_in "$log" "^typed-42$" \
		"e2e: linux: a line typed on the console ran in VTL0's shell"
	expect_in "$log" "^underhill_vm: VTL0 powered off with status 3" \
		"e2e: linux: the shell's exit status 3 is the guest's result"
	expect_in "$log" "^openvmm_hcl: underhill_vm exited with status 1" \
		"e2e: linux: underhill_vm exits with status 1 (no hang)"

	run_hostchan

	# the loader alone, with a probe in place of the shim
	log=$logs/loader-test.tap
	"$top/tests/boot/loader-test.sh" "$build" "$kernel" > "$log" 2>&1
	tap_count "$log" "loader"
}

start=$SECONDS
for g in $groups; do
	case $g in
	host) run_host ;;
	style) run_style ;;
	vm) run_vm ;;
	e2e) run_e2e ;;
	hostchan) run_hostchan ;;	# e2e's host channel part alone
	debug) run_debug ;;		# make check-debug
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
