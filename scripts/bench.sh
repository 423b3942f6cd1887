#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The run-loop benchmark (make bench): boots the bench initramfs under
# QEMU once; inside, hcl-bench times the same VTL0 guest loops under
# hcl.ko and under KVM, alternating in rounds (hcl, KVM, hcl, KVM, ...)
# so that both halves of a round see the same host load.  For each case it
# prints the per-side median over the rounds (ns per exit), the median of
# the per-round ratios hcl/KVM (below 1 means hcl is faster) with their
# spread (min-max and interquartile range), and writes the same, with
# every round's values and the run's parameters, as JSON to
# BUILD/bench/runloop.json; the console log is BUILD/bench/vm.log.
# Builds nothing.  Timing never fails it: only a side that did not run.
#
#   scripts/bench.sh BUILD KDIR [qemu-run.sh options...]
#
# From the environment: BENCH_N=<timed iterations per case and round>,
# BENCH_REPS=<repetitions per case and round, median taken>,
# BENCH_ROUNDS=<rounds, default 5>, BENCH_TIMEOUT=<seconds for the VM>,
# QEMU_ACCEL (as for qemu-run.sh; recorded in the JSON).
set -u

[ $# -ge 2 ] || {
	echo "usage: $0 BUILD KDIR [qemu-run.sh options...]" >&2
	exit 2
}
build=$1 kdir=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
out=$build/bench
log=$out/vm.log
json=$out/runloop.json
initrd=$build/initramfs-bench.cpio
[ -r "$initrd" ] || {
	echo "bench: $initrd is missing (make bench builds it)" >&2
	exit 2
}
mkdir -p "$out"
rm -f "$json"

rounds=${BENCH_ROUNDS:-5}
iters=${BENCH_N:-2000}
case "$rounds$iters" in
*[!0-9]*) echo "bench: BENCH_ROUNDS and BENCH_N are numbers" >&2; exit 2 ;;
esac
# a guard against a hung VM, far above a normal run (README: Benchmarks)
timeout=${BENCH_TIMEOUT:-$((300 + rounds * (60 + iters / 20)))}

args="HCL_EXEC=/bin/hcl-bench HCL_BENCH_N=$iters HCL_BENCH_ROUNDS=$rounds"
[ -n "${BENCH_REPS:-}" ] && args="$args HCL_BENCH_REPS=$BENCH_REPS"
echo "bench: booting QEMU for $rounds rounds of hcl and KVM; console log in $log" >&2
load0=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
"$top/scripts/qemu-run.sh" -k "$kdir/arch/x86/boot/bzImage" -i "$initrd" \
	-l "$log" -t "$timeout" -a "$args" "$@" > /dev/null
vm_rc=$?
secs=$(($(date +%s) - start))
load1=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$log" "$json" "${QEMU_ACCEL:-tcg,thread=single}" "$secs" \
	"$load0" "$load1" "$@" <<'PY'
import json
import statistics
import sys

log, out, accel, secs, load0, load1 = sys.argv[1:7]
qemu_args = sys.argv[7:]
text = open(log, errors="replace").read().replace("\r", "")
cfg, res, errors, remarks, netlink = {}, {}, [], [], None
order, inside, ended = [], False, False
for line in text.split("\n"):
    if line == "HCL-BENCH-BEGIN":
        inside = True
        continue
    if line == "HCL-BENCH-END":
        inside, ended = False, True
        continue
    if not inside:
        continue
    try:
        o = json.loads(line) if line.startswith("{") else None
    except ValueError:
        o = None
    if not isinstance(o, dict):
        if line.strip() and not line.startswith(("# round ", "# netlink")):
            remarks.append(line)
        continue
    if "tsc_hz" in o:
        cfg = o
    elif "netlink" in o:
        if "error" in o["netlink"]:
            errors.append("netlink: " + o["netlink"]["error"])
        else:
            netlink = o["netlink"]
    elif "error" in o:
        errors.append("round %s, %s/%s: %s" % (o.get("round"), o.get("side"),
                                             o.get("name"), o["error"]))
    elif o.get("side") in ("hcl", "kvm") and "name" in o:
        res[(o["side"], o.get("round", 0), o["name"])] = o
        if o["side"] == "hcl" and o["name"] not in order:
            order.append(o["name"])

if not ended:
    errors.append("the runner did not finish (no HCL-BENCH-END in %s)" % log)
rounds = cfg.get("rounds", 1)
flags = cfg.get("cpu_flags", {})
for side in ("hcl", "kvm"):
    if not any(k[0] == side for k in res):
        errors.append("the %s side did not run" % side)
for (side, r, name) in res:
    if side == "kvm" and name not in order and not any(
            res.get(("hcl", r, n), {}).get("compare") == name for n in order):
        order.append(name)


def opt(argv, flag, default):
    return argv[argv.index(flag) + 1] if flag in argv[:-1] else default


def stats(vals, nd):
    """median, min, max, quartiles (inclusive method) of the known values"""
    v = sorted(x for x in vals if x is not None)
    if not v:
        return {}
    q1, _, q3 = (statistics.quantiles(v, n=4, method="inclusive")
                 if len(v) > 1 else v * 3)
    return {k: round(x, nd) for k, x in (
        ("median", statistics.median(v)), ("min", v[0]), ("max", v[-1]),
        ("q1", q1), ("q3", q3), ("iqr", q3 - q1))}


rows = []
for name in order:
    hs = [res.get(("hcl", r, name)) for r in range(rounds)]
    h0 = next((h for h in hs if h), None)
    ref = (h0 or {}).get("compare", name)
    ks = [res.get(("kvm", r, ref)) for r in range(rounds)]
    k0 = next((k for k in ks if k), None)
    hns = [h["ns"] if h else None for h in hs]
    kns = [k["ns"] if k else None for k in ks]
    rat = [h / k if h and k else None for h, k in zip(hns, kns)]
    hst, kst, rst = stats(hns, 1), stats(kns, 1), stats(rat, 3)
    row = {
        "name": name,
        "iterations": (h0 or k0)["iterations"],
        "rounds": sum(x is not None for x in (rat if h0 and k0 else
                                              hns if h0 else kns)),
        "hcl_ns": hst.get("median"),
        "kvm_ns": kst.get("median"),
        "ratio": rst.get("median"),
    }
    for key in ("min", "max", "q1", "q3", "iqr"):
        row["ratio_" + key] = rst.get(key)
    for side, st in (("hcl", hst), ("kvm", kst)):
        row[side + "_ns_min"] = st.get("min")
        row[side + "_ns_max"] = st.get("max")
    row["per_round"] = {
        "hcl_ns": hns, "kvm_ns": kns,
        "ratio": [round(x, 4) if x is not None else None for x in rat],
    }
    if any(x and x.get("exits_per_sec") for x in hs + ks):
        row["vps"] = (h0 or k0).get("vps")
        for side, xs in (("hcl", hs), ("kvm", ks)):
            eps = [x.get("exits_per_sec") if x else None for x in xs]
            row[side + "_exits_per_sec"] = stats(eps, 0).get("median")
            row["per_round"][side + "_exits_per_sec"] = eps
    if k0 and ref != name:
        row["kvm_ref"] = ref
    notes = [x["note"] for x in (h0, k0) if x and x.get("note")]
    if notes:
        row["note"] = "; ".join(notes)
    needs = [{"side": side, "feature": x["needs"],
              "present": bool(flags.get(x["needs"])),
              "without": x.get("without", "")}
             for side, x in (("hcl", h0), ("kvm", k0)) if x and x.get("needs")]
    if needs:
        row["needs"] = needs
    rows.append(row)

svm_on = [f for f, v in flags.items() if v]
svm_off = [f for f, v in flags.items() if not v]
meta = {
    "method": "hcl and KVM alternate in one boot, hcl first in each round; "
              "*_ns: per-side median over the rounds of each round's "
              "median of reps runs; ratio: median of the per-round "
              "hcl/KVM ratios",
    "rounds": rounds,
    "iterations": cfg.get("iterations"),
    "warmup": cfg.get("iterations", 0) // 10,
    "reps": cfg.get("reps"),
    "vps": cfg.get("vps"),
    "smp": int(opt(qemu_args, "-s", "2")),
    "mem": opt(qemu_args, "-m", "1G"),
    "accel": accel,
    "qemu_args": " ".join(qemu_args),
    "tsc_mhz": round(cfg["tsc_hz"] / 1e6, 1) if cfg else None,
    "kernel": cfg.get("kernel"),
    "cpu_model": cfg.get("cpu_model"),
    "cpu_flags": flags,
    "host_loadavg_before": load0,
    "host_loadavg_after": load1,
    "seconds": int(secs),
}
with open(out, "w") as f:
    json.dump({"meta": meta, "cases": rows, "netlink": netlink}, f,
              indent=1)
    f.write("\n")


def num(v, fmt):
    return fmt % v if v is not None else "-"


def span(a, b):
    return "%.2f-%.2f" % (a, b) if a is not None else "-"


if cfg:
    print("# hcl and KVM alternating in one boot: %d rounds; per case and "
          "round N=%d timed iterations, median of %d runs"
          % (rounds, cfg["iterations"], cfg["reps"]))
    print("# VM: QEMU -accel %s -smp %d -m %s; kernel %s; TSC %.1f MHz "
          "(measured in the VM); %d s; host load %s -> %s"
          % (accel, meta["smp"], meta["mem"], meta["kernel"],
             meta["tsc_mhz"], meta["seconds"], load0, load1))
    print("# CPU in the VM: %s; has %s; lacks %s"
          % (meta["cpu_model"], " ".join(svm_on) or "-",
             " ".join(svm_off) or "-"))
print("# hcl_ns, kvm_ns: per-side medians over the rounds (ns per exit); "
      "ratio: median of the per-round hcl/KVM ratios (below 1: hcl is "
      "faster), with their min-max and interquartile range")
print("%-21s %5s %6s %9s %9s %6s %11s %11s  %s" % (
    "name", "N", "rounds", "hcl_ns", "kvm_ns", "ratio", "min-max", "IQR",
    "lacks"))
for r in rows:
    lacks = ["%s (%s)" % (n["feature"], n["side"]) for n in r.get("needs", [])
             if not n["present"]]
    print("%-21s %5d %6s %9s %9s %6s %11s %11s  %s" % (
        r["name"], r["iterations"], "%d/%d" % (r["rounds"], rounds),
        num(r["hcl_ns"], "%.0f"), num(r["kvm_ns"], "%.0f"),
        num(r["ratio"], "%.2f"), span(r["ratio_min"], r["ratio_max"]),
        span(r["ratio_q1"], r["ratio_q3"]), " ".join(lacks) or "-"))
for r in rows:
    parts = [r["note"]] if r.get("note") else []
    if "kvm_ref" in r:
        parts.append("KVM column: %s" % r["kvm_ref"])
    if r.get("vps"):
        parts.append("%s VPs, hcl %s exits/s, KVM %s exits/s (ns = 1e9 / rate)"
                     % (r["vps"], num(r["hcl_exits_per_sec"], "%.0f"),
                        num(r["kvm_exits_per_sec"], "%.0f")))
    for n in r.get("needs", []):
        parts.append("%s side needs %s%s" % (
            "KVM" if n["side"] == "kvm" else "hcl", n["feature"],
            "" if n["present"] else
            ", not on this CPU: " + n["without"]))
    if parts:
        print("# %s: %s" % (r["name"], "; ".join(parts)))
if netlink:
    print("# netlink (hcl.ko's family, client library): a dump of %d VPs' "
          "counters (%d each) %.1f us, one VP's %.1f us; medians of %d "
          "(dump %.1f-%.1f, one VP %.1f-%.1f)"
          % (netlink["vps"], netlink["stats"], netlink["dump_us"],
             netlink["get_us"], netlink["n"], netlink["dump_us_min"],
             netlink["dump_us_max"], netlink["get_us_min"],
             netlink["get_us_max"]))
else:
    errors.append("the netlink timing did not run")
for line in remarks:
    print("# vm: " + line.lstrip("# "), file=sys.stderr)
for e in errors:
    print("bench: error: " + e, file=sys.stderr)
print("# JSON: " + out)
sys.exit(1 if errors or not rows else 0)
PY
py_rc=$?
[ "$vm_rc" = 0 ] && [ "$py_rc" = 0 ]
