#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The host channel's costs (make bench, BENCH=hostchan): boots
# hcl-linux.igvm with its shell in VTL0 (the guest stays up, idle at its
# prompt while the commands run) and
# hclctl serving the channel, then times what an operator does from the
# host: N runs of `hclctl stats` (every VP's counters: the host asks
# openvmm_hcl over the second UART, openvmm_hcl dumps them over netlink)
# and of `hclctl status`, each a whole CLI run (start, connect to the
# daemon, request, reply).  Reports the median, p90, min and max in
# milliseconds and openvmm_hcl's resident set (from status), as a table
# and as JSON in BUILD/bench/hostchan.json; the console log is
# BUILD/bench/hostchan-vm.log.  Builds nothing.  Timing never fails it:
# only a boot or a command that does not work.
#
#   scripts/bench-hostchan.sh BUILD [qemu-run.sh options...]
#
# From the environment: BENCH_CHAN_N (round trips per command, default
# 50), BENCH_TIMEOUT (seconds for the VM, default 600).
set -u

[ $# -ge 1 ] || {
	echo "usage: $0 BUILD [qemu-run.sh options...]" >&2
	exit 2
}
build=$1
shift
top=$(cd "$(dirname "$0")/.." && pwd)
out=$build/bench
n=${BENCH_CHAN_N:-50}
hclctl=$build/bin/hclctl
sock=$out/hostchan.sock
json=$out/hostchan.json
log=$out/hostchan-vm.log
mkdir -p "$out"
for f in "$build/hcl-linux.igvm" "$build/loader/hcl-loader.elf" "$hclctl"; do
	[ -r "$f" ] || {
		echo "bench: $f is missing (make bench builds it)" >&2
		exit 1
	}
done
rm -f "$out/hostchan-vmgs.bin"

"$top/scripts/qemu-run.sh" -g "$build/hcl-linux.igvm" \
	-L "$build/loader/hcl-loader.elf" -t "${BENCH_TIMEOUT:-600}" \
	-H "$hclctl" -S "$sock" -V "$out/hostchan-vmgs.bin" -l "$log" "$@" \
	> /dev/null 2> "$out/hostchan-run.log" &
vm=$!
trap 'kill $vm 2> /dev/null' EXIT
sleep 1
if ! "$hclctl" -s "$sock" wait vtl0-running "${BENCH_TIMEOUT:-600}" > /dev/null; then
	echo "bench: hostchan: VTL0 never ran (see $log)" >&2
	exit 1
fi

# the guest at its shell prompt, idle: what is timed is the channel
for _ in $(seq "${BENCH_TIMEOUT:-600}"); do
	grep -q "^vtl0-linux: shell on ttyS0" <(tr -d '\r' < "$log") && break
	sleep 1
done
grep -q "^vtl0-linux: shell on ttyS0" <(tr -d '\r' < "$log") || {
	echo "bench: hostchan: VTL0's shell never came up (see $log)" >&2
	exit 1
}

now_ns() { date +%s%N; }

# times N runs of one hclctl command into the file $1; fails on an error
time_cmd() {	# out cmd...
	local f=$1 i t0 t1
	shift
	: > "$f"
	for i in $(seq "$n"); do
		t0=$(now_ns)
		"$hclctl" -s "$sock" "$@" > /dev/null || return 1
		t1=$(now_ns)
		echo $(((t1 - t0) / 1000)) >> "$f"
	done
}

# median p90 min max of the microsecond values in a file, in ms
summary() {
	sort -n "$1" | awk '{ v[NR] = $1 }
		END { printf "%.2f %.2f %.2f %.2f", v[int((NR + 1) / 2)] / 1000,
		      v[int(NR * 0.9 + 0.999)] / 1000, v[1] / 1000, v[NR] / 1000 }'
}

ok=0
# a few to warm up: the daemon's first reply, the guest settling
"$hclctl" -s "$sock" stats > /dev/null 2>&1
"$hclctl" -s "$sock" status > /dev/null 2>&1
if time_cmd "$out/hostchan-stats.us" stats --json &&
   time_cmd "$out/hostchan-status.us" status --json; then
	ok=1
	rss=$("$hclctl" -s "$sock" status --json |
	      sed -n 's/.*"openvmm_hcl_rss_kb":\([0-9]*\).*/\1/p')
	vps=$("$hclctl" -s "$sock" stats --json | grep -o '"vp":' | wc -l)
fi
"$hclctl" -s "$sock" shutdown > /dev/null 2>&1
wait $vm
trap - EXIT
if [ $ok != 1 ]; then
	echo "bench: hostchan: an hclctl command failed (see $log)" >&2
	exit 1
fi

read -r s_med s_p90 s_min s_max <<< "$(summary "$out/hostchan-stats.us")"
read -r t_med t_p90 t_min t_max <<< "$(summary "$out/hostchan-status.us")"
printf '# host channel: %s runs of each hclctl command against a running hcl-linux.igvm (%s VPs); a whole CLI run each\n' "$n" "${vps:-?}"
printf '%-22s %9s %9s %9s %9s\n' command median_ms p90_ms min_ms max_ms
printf '%-22s %9s %9s %9s %9s\n' "hclctl stats" "$s_med" "$s_p90" "$s_min" "$s_max"
printf '%-22s %9s %9s %9s %9s\n' "hclctl status" "$t_med" "$t_p90" "$t_min" "$t_max"
printf 'openvmm_hcl RSS: %s KiB\n' "${rss:-?}"
printf '{"n":%s,"vps":%s,"stats_ms":{"median":%s,"p90":%s,"min":%s,"max":%s},"status_ms":{"median":%s,"p90":%s,"min":%s,"max":%s},"openvmm_hcl_rss_kb":%s}\n' \
	"$n" "${vps:-0}" "$s_med" "$s_p90" "$s_min" "$s_max" \
	"$t_med" "$t_p90" "$t_min" "$t_max" "${rss:-0}" > "$json"
echo "# JSON: $json"
