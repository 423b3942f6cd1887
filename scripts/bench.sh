#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The run-loop benchmark (make bench): boots the bench initramfs under
# QEMU once; inside, hcl-bench times the same VTL0 guest loops under
# hcl.ko and then under KVM.  Prints a table (name, N, hcl_ns, kvm_ns,
# ratio hcl/KVM: below 1 means hcl is faster) and writes it as a JSON
# array to BUILD/bench/runloop.json; the console log is BUILD/bench/vm.log.
# Builds nothing.  Timing never fails it: only a side that did not run.
#
#   scripts/bench.sh BUILD KDIR [qemu-run.sh options...]
#
# BENCH_N=<iterations per case> and BENCH_REPS=<repetitions, median
# reported> in the environment go to the runner.
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

args="HCL_EXEC=/bin/hcl-bench"
[ -n "${BENCH_N:-}" ] && args="$args HCL_BENCH_N=$BENCH_N"
[ -n "${BENCH_REPS:-}" ] && args="$args HCL_BENCH_REPS=$BENCH_REPS"
echo "bench: booting QEMU; console log in $log" >&2
"$top/scripts/qemu-run.sh" -k "$kdir/arch/x86/boot/bzImage" -i "$initrd" \
	-l "$log" -t 600 -a "$args" "$@" > /dev/null
vm_rc=$?

python3 - "$log" "$json" "$*" <<'PY'
import json
import sys

log, out, qemu_args = sys.argv[1:4]
text = open(log, errors="replace").read().replace("\r", "")
cfg, res, errors, remarks = {}, {"hcl": {}, "kvm": {}}, [], []
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
        if line.strip():
            remarks.append(line)
        continue
    if "tsc_hz" in o:
        cfg = o
    elif "error" in o:
        errors.append("%s/%s: %s" % (o.get("side"), o.get("name"), o["error"]))
    elif o.get("side") in res and "name" in o:
        res[o["side"]][o["name"]] = o
        if o["name"] not in order:
            order.append(o["name"])

if not ended:
    errors.append("the runner did not finish (no HCL-BENCH-END in %s)" % log)

rows = []
for name in order:
    h = res["hcl"].get(name)
    ref = (h or {}).get("compare", name)
    k = res["kvm"].get(ref)
    hns = h["ns"] if h else None
    kns = k["ns"] if k else None
    row = {
        "name": name,
        "iterations": (h or k)["iterations"],
        "hcl_ns": hns,
        "kvm_ns": kns,
        "ratio": round(hns / kns, 3) if hns and kns else None,
    }
    if (h or {}).get("exits_per_sec") or (k or {}).get("exits_per_sec"):
        row["vps"] = (h or k).get("vps")
        row["hcl_exits_per_sec"] = h.get("exits_per_sec") if h else None
        row["kvm_exits_per_sec"] = k.get("exits_per_sec") if k else None
    if k and ref != name:
        row["kvm_ref"] = ref
    notes = [x["note"] for x in (h, k) if x and x.get("note")]
    if notes:
        row["note"] = "; ".join(notes)
    rows.append(row)

with open(out, "w") as f:
    json.dump(rows, f, indent=1)
    f.write("\n")

def num(v, fmt):
    return fmt % v if v is not None else "-"

if cfg:
    print("# TSC %.1f MHz (measured in the VM against CLOCK_MONOTONIC), "
          "N iterations per case, median of %d runs, QEMU %s"
          % (cfg["tsc_hz"] / 1e6, cfg.get("reps", 0), qemu_args or "defaults"))
print("%-22s %6s %11s %11s %7s" % ("name", "N", "hcl_ns", "kvm_ns", "ratio"))
for r in rows:
    print("%-22s %6d %11s %11s %7s" % (
        r["name"], r["iterations"], num(r["hcl_ns"], "%.1f"),
        num(r["kvm_ns"], "%.1f"), num(r["ratio"], "%.2f")))
for r in rows:
    parts = [r["note"]] if r.get("note") else []
    if "kvm_ref" in r:
        parts.append("KVM column: %s" % r["kvm_ref"])
    if "hcl_exits_per_sec" in r:
        parts.append("%s VPs, hcl %s exits/s, KVM %s exits/s (ns = 1e9 / rate)"
                     % (r["vps"], num(r["hcl_exits_per_sec"], "%.0f"),
                        num(r["kvm_exits_per_sec"], "%.0f")))
    if parts:
        print("# %s: %s" % (r["name"], "; ".join(parts)))
for line in remarks:
    print("# vm: " + line.lstrip("# "), file=sys.stderr)
for e in errors:
    print("bench: error: " + e, file=sys.stderr)
print("# JSON: " + out)
sys.exit(1 if errors or not rows else 0)
PY
py_rc=$?
[ "$vm_rc" = 0 ] && [ "$py_rc" = 0 ]
