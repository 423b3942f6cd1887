#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The sidecar benchmark (make bench, BENCH=sidecar), two parts:
#
# 1. Boot scaling: hcl.igvm (the test guest, one CPUID check per VP)
#    booted at 1, 2, 4 and 8 CPUs with the sidecar on and off (off: Linux
#    brings every CPU up itself).  From each boot's timeline: the
#    kernel's stage, the sidecar's, and the start of the VTL0 guest (the
#    first VTL0 instruction, on VP 0) and of guest_done (every VP ran its
#    check), in ms since the host loader started.
# 2. Cost per exit of a VP on a sidecar CPU against the same VP on
#    Linux's CPU: hcl-bench.igvm at -smp 2, where hcl-bench
#    (HCL_BENCH_SIDECAR=1) runs the run-loop cases on VP 1 with
#    hcl.sidecar_vps=0 ("local") and =1 ("remote"), alternating in rounds,
#    and the multi-VP cases with VP 1 local or remote.
#
# Prints both tables and writes them, with every boot's and round's
# values, as JSON to BUILD/bench/sidecar.json; console logs in
# BUILD/bench/sidecar-*.log.  Builds nothing.  Timing never fails it:
# only a boot or a side that did not run.
#
#   scripts/bench-sidecar.sh BUILD [qemu-run.sh options...]
#
# From the environment: BENCH_ROUNDS (rounds of part 2, default 5),
# BENCH_N (iterations per case, default 2000), BENCH_BOOTS (boots per
# configuration in part 1, default 1, median taken), BENCH_CPU_LIST
# (default "1 2 4 8"), QEMU_ACCEL (as for qemu-run.sh).
set -u

[ $# -ge 1 ] || {
	echo "usage: $0 BUILD [qemu-run.sh options...]" >&2
	exit 2
}
build=$1
shift
top=$(cd "$(dirname "$0")/.." && pwd)
out=$build/bench
json=$out/sidecar.json
loader=$build/loader/hcl-loader.elf
for f in "$build/hcl.igvm" "$build/hcl-bench.igvm" "$loader"; do
	[ -r "$f" ] || {
		echo "bench: $f is missing (make bench builds it)" >&2
		exit 2
	}
done
mkdir -p "$out"
rm -f "$json" "$out"/sidecar-*.log

rounds=${BENCH_ROUNDS:-5}
iters=${BENCH_N:-2000}
boots=${BENCH_BOOTS:-1}
cpus=${BENCH_CPU_LIST:-1 2 4 8}
case "$rounds$iters$boots" in
*[!0-9]*) echo "bench: BENCH_ROUNDS, BENCH_N and BENCH_BOOTS are numbers" >&2; exit 2 ;;
esac

failed=0
echo "bench: sidecar boot scaling: $cpus CPUs, sidecar on and off, $boots boot(s) each" >&2
for n in $cpus; do
	for mode in on off; do
		for b in $(seq 1 "$boots"); do
			log=$out/sidecar-boot-$n-$mode-$b.log
			"$top/scripts/qemu-run.sh" -g "$build/hcl.igvm" -L "$loader" \
				-l "$log" -t 300 -s "$n" -m 1G \
				-a "openhcl_boot.sidecar=$mode" "$@" > /dev/null ||
				{ echo "bench: boot at $n CPUs, sidecar $mode failed (see $log)" >&2; failed=1; }
		done
	done
done

log=$out/sidecar-exits.log
echo "bench: $rounds rounds of VP 1 local and remote; console log in $log" >&2
"$top/scripts/qemu-run.sh" -g "$build/hcl-bench.igvm" -L "$loader" -l "$log" \
	-t $((300 + rounds * (60 + iters / 20))) -s 2 -m 1G \
	-a "HCL_EXEC=/bin/hcl-bench HCL_BENCH_SIDECAR=1 HCL_BENCH_N=$iters HCL_BENCH_ROUNDS=$rounds" \
	"$@" > /dev/null || { echo "bench: the exit benchmark's boot failed (see $log)" >&2; failed=1; }

python3 - "$out" "$json" "${QEMU_ACCEL:-tcg,thread=single}" "$boots" \
	"$cpus" <<'PY' || failed=1
import glob
import json
import re
import statistics
import sys

out, path, accel, boots, cpus = sys.argv[1:6]
cpus = [int(c) for c in cpus.split()]
errors = []


def timeline(log):
    text = open(log, errors="replace").read().replace("\r", "")
    m = re.search(r"^openvmm_hcl: timeline-json (\{.*\})$", text, re.M)
    if not m or "VTL0 guest succeeded" not in text:
        return None
    st = {s["name"]: s for s in json.loads(m.group(1))["stages"]}

    def start(name):
        return st.get(name, {}).get("start_ms")

    def dur(name):
        return st.get(name, {}).get("ms")
    return {"kernel_ms": dur("kernel"), "sidecar_ms": dur("sidecar"),
            "vtl0_start_ms": start("vtl0_guest"),
            "all_vps_done_ms": start("guest_done")}


def med(vals):
    v = [x for x in vals if x is not None]
    return round(statistics.median(v), 1) if v else None


boot = []
for n in cpus:
    row = {"cpus": n}
    for mode in ("on", "off"):
        runs = [timeline(f) for f in sorted(
            glob.glob("%s/sidecar-boot-%d-%s-*.log" % (out, n, mode)))]
        if not runs or None in runs:
            errors.append("boot at %d CPUs, sidecar %s: no timeline" % (n, mode))
        runs = [r for r in runs if r]
        row[mode] = {k: med([r[k] for r in runs]) for k in
                     ("kernel_ms", "sidecar_ms", "vtl0_start_ms",
                      "all_vps_done_ms")}
        row[mode]["boots"] = runs
    boot.append(row)

text = open(out + "/sidecar-exits.log", errors="replace").read().replace("\r", "")
res, order = {}, []
for line in text.split("\n"):
    if not line.startswith("{"):
        continue
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if "error" in o:
        errors.append("round %s, %s/%s: %s" % (o.get("round"), o.get("side"),
                                             o.get("name"), o["error"]))
    elif o.get("side") in ("local", "remote") and "name" in o:
        res[(o["side"], o["round"], o["name"])] = o
        if o["name"] not in order:
            order.append(o["name"])
if "HCL-BENCH-END" not in text:
    errors.append("the exit benchmark did not finish")
rounds = 1 + max([k[1] for k in res], default=-1)
exits = []
for name in order:
    loc = [res.get(("local", r, name), {}).get("ns") for r in range(rounds)]
    rem = [res.get(("remote", r, name), {}).get("ns") for r in range(rounds)]
    ratios = [b / a for a, b in zip(loc, rem) if a and b]
    exits.append({"name": name, "local_ns": med(loc), "remote_ns": med(rem),
                  "remote_over_local": round(statistics.median(ratios), 2)
                  if ratios else None, "local_rounds": loc,
                  "remote_rounds": rem})

print("sidecar boot scaling (ms since the host loader; %s)" % accel)
print("%5s  %-8s %9s %9s %12s %14s" % ("cpus", "sidecar", "kernel",
                                       "sidecar", "vtl0 start", "all VPs done"))
for row in boot:
    for mode in ("on", "off"):
        r = row[mode]
        print("%5d  %-8s %9s %9s %12s %14s" % (
            row["cpus"], mode, r["kernel_ms"], r["sidecar_ms"],
            r["vtl0_start_ms"], r["all_vps_done_ms"]))
print()
print("cost per exit, VP 1 on Linux's CPU (local) and on its sidecar CPU "
      "(remote); median of %d rounds" % rounds)
print("%-22s %12s %12s %8s" % ("case", "local ns", "remote ns", "ratio"))
for e in exits:
    print("%-22s %12s %12s %8s" % (e["name"], e["local_ns"], e["remote_ns"],
                                   e["remote_over_local"]))
for e in errors:
    print("bench: " + e, file=sys.stderr)
json.dump({"accel": accel, "boots_per_config": int(boots), "boot": boot,
           "rounds": rounds, "exits": exits, "errors": errors},
          open(path, "w"), indent=1)
print("bench: JSON in " + path)
sys.exit(1 if errors else 0)
PY
exit $failed
