#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VTL0 boot benchmark (make bench, BENCH=boot): boots the bootbench
# initramfs under QEMU once; inside, hcl-boot-bench boots Debian's kernel
# with the VTL0 initramfs under hcl (underhill_vm) and under QEMU with KVM,
# alternating in rounds, each side twice: "boot" (to userspace and off)
# and "load" (then 10 s of fork/exec and 1 ms sleeps on every CPU).  It
# prints, per side, the median time from the VMM's start to the guest's
# userspace marker, the exits in all and those that reached the VMM's
# userspace (hcl: user_exits; KVM: io + mmio + signal exits, the returns
# from KVM_RUN), and the load's share (load run minus boot run); the
# same with every round's values is written as JSON to
# BUILD/bench/boot.json, the console log to BUILD/bench/boot-vm.log.
# Builds nothing.  Timing never fails it: only a side that did not run.
#
#   scripts/bench-boot.sh BUILD KDIR [qemu-run.sh options...]
#
# From the environment: BENCH_ROUNDS (default 3), BENCH_CPUS (CPUs of
# both guests, default: every CPU of the VM), BENCH_SIDES ("hcl,kvm";
# default hcl: QEMU+KVM's guest stalls in this nested setup, README
# "Benchmarks"), BENCH_MACHINE and BENCH_QEMU_CPU (QEMU's -M and -cpu for
# the KVM side, default microvm and host), BENCH_TIMEOUT (seconds for the
# VM), QEMU_ACCEL (as for qemu-run.sh), VTL0_SIZE (VTL0 RAM for both
# sides, default 512M).
set -u

[ $# -ge 2 ] || {
	echo "usage: $0 BUILD KDIR [qemu-run.sh options...]" >&2
	exit 2
}
build=$1 kdir=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
out=$build/bench
log=$out/boot-vm.log
json=$out/boot.json
initrd=$build/initramfs-bootbench.cpio
[ -r "$initrd" ] || {
	echo "bench: $initrd is missing (make bench builds it)" >&2
	exit 2
}
mkdir -p "$out"
rm -f "$json"

rounds=${BENCH_ROUNDS:-3}
case "$rounds" in
*[!0-9]*|"") echo "bench: BENCH_ROUNDS is a number" >&2; exit 2 ;;
esac
timeout=${BENCH_TIMEOUT:-$((600 + rounds * 1300))}
export VTL0_SIZE=${VTL0_SIZE:-512M}

echo "bench: booting QEMU for $rounds rounds of Linux under hcl and under QEMU+KVM; console log in $log" >&2
start=$(date +%s)
"$top/scripts/qemu-run.sh" -k "$kdir/arch/x86/boot/bzImage" -i "$initrd" \
	-l "$log" -t "$timeout" \
	-a "HCL_EXEC=/bin/hcl-boot-bench HCL_BENCH_ROUNDS=$rounds HCL_BENCH_CPUS=${BENCH_CPUS:-0} HCL_BENCH_SIDES=${BENCH_SIDES:-hcl} HCL_BENCH_MACHINE=${BENCH_MACHINE:-microvm} HCL_BENCH_CPU=${BENCH_QEMU_CPU:-host}" "$@" \
	> /dev/null
secs=$(($(date +%s) - start))

python3 - "$log" "$json" "${QEMU_ACCEL:-tcg,thread=single}" "$secs" "$@" <<'PY'
import json
import statistics
import sys

log, out, accel, secs = sys.argv[1:5]
qemu_args = sys.argv[5:]
text = open(log, errors="replace").read().replace("\r", "")
cfg, res, errors, inside, ended = {}, {}, [], False, False
for line in text.split("\n"):
    if line == "HCL-BOOT-BENCH-BEGIN":
        inside = True
        continue
    if line == "HCL-BOOT-BENCH-END":
        inside, ended = False, True
        continue
    if not inside or not line.startswith("{"):
        continue
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if "rounds" in o:
        cfg = o
    elif "error" in o:
        errors.append("round %s, %s %s: %s" % (o.get("round"), o.get("side"),
                                             o.get("run"), o["error"]))
    elif o.get("side") in ("hcl", "kvm"):
        res[(o["side"], o["round"], o["run"])] = o

if not ended:
    errors.append("the runner did not finish (no HCL-BOOT-BENCH-END in %s)"
                  % log)
rounds = cfg.get("rounds", 0)


def user(side, c):
    if side == "hcl":
        return c.get("user_exits", 0)
    return sum(c.get(k, 0) for k in ("io_exits", "mmio_exits",
                                     "signal_exits"))


# the exit kinds shown for both sides: (label, hcl counters, KVM counters)
KINDS = [
    ("halt", ("hlt_wait", "hlt_user"), ("halt_exits",)),
    ("port I/O", ("io_user", "io_kernel"), ("io_exits",)),
    ("MMIO", ("mmio_user", "apic_mmio", "ioapic_mmio"), ("mmio_exits",)),
    ("APIC/MSR", ("apic_msr", "msr_kernel", "msr_user"), ()),
    ("irq window", ("irq_window",), ("irq_window_exits",)),
    ("host irq", ("host_interrupt",), ("irq_exits",)),
    ("injections", ("injections",), ("irq_injections",)),
]


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


rows = {}
for side in ("hcl", "kvm"):
    for run in ("boot", "load"):
        rs = [res.get((side, r, run)) for r in range(rounds)]
        if not any(rs):
            if side in cfg.get("sides", "hcl,kvm"):
                errors.append("%s %s did not run" % (side, run))
            continue
        row = {
            "marker_ms": med([x["marker_ms"] if x else None for x in rs]),
            "done_ms": med([x["done_ms"] if x else None for x in rs]),
            "exits": med([x["counters"].get("exits") if x else None
                          for x in rs]),
            "user": med([user(side, x["counters"]) if x else None
                         for x in rs]),
            "kinds": {},
            "per_round": [x and {"marker_ms": x["marker_ms"],
                                 "done_ms": x["done_ms"],
                                 "counters": x["counters"]} for x in rs],
        }
        for label, hk, kk in KINDS:
            keys = hk if side == "hcl" else kk
            if keys:
                row["kinds"][label] = med([
                    sum(x["counters"].get(k, 0) for k in keys) if x else None
                    for x in rs])
        rows[(side, run)] = row


def fmt(v, nd=0):
    if v is None:
        return "-"
    return ("%%.%df" % nd) % v


print("\nLinux in VTL0: hcl vs QEMU+KVM in the same VTL2 (%d rounds, "
      "medians; %s CPUs, %s MiB)" % (rounds, cfg.get("vps"),
                                     cfg.get("mem_mb")))
hdr = "%-26s %14s %14s %8s" % ("", "hcl", "QEMU+KVM", "hcl/KVM")
print(hdr)
print("-" * len(hdr))


def line(label, h, k, nd=0):
    ratio = "%.2f" % (h / k) if h is not None and k else "-"
    print("%-26s %14s %14s %8s" % (label, fmt(h, nd), fmt(k, nd), ratio))


hb, kb = rows.get(("hcl", "boot"), {}), rows.get(("kvm", "boot"), {})
hl, kl = rows.get(("hcl", "load"), {}), rows.get(("kvm", "load"), {})
line("boot: to userspace (ms)", hb.get("marker_ms"), kb.get("marker_ms"), 1)
line("boot: to power-off (ms)", hb.get("done_ms"), kb.get("done_ms"), 1)
line("boot: exits", hb.get("exits"), kb.get("exits"))
line("boot: to VMM userspace", hb.get("user"), kb.get("user"))
for label, _, _ in KINDS:
    line("boot: " + label, hb.get("kinds", {}).get(label),
         kb.get("kinds", {}).get(label))


def diff(a, b, key):
    return a[key] - b[key] if a.get(key) is not None and \
        b.get(key) is not None else None


line("10 s load: exits", diff(hl, hb, "exits"), diff(kl, kb, "exits"))
line("10 s load: to VMM userspace", diff(hl, hb, "user"),
     diff(kl, kb, "user"))
for label, _, _ in KINDS:
    h = hl.get("kinds", {}).get(label)
    k = kl.get("kinds", {}).get(label)
    h0 = hb.get("kinds", {}).get(label)
    k0 = kb.get("kinds", {}).get(label)
    line("10 s load: " + label, h - h0 if None not in (h, h0) else None,
         k - k0 if None not in (k, k0) else None)
for e in errors:
    print("bench: " + e)

with open(out, "w") as f:
    json.dump({"meta": {"rounds": rounds, "vps": cfg.get("vps"),
                        "mem_mb": cfg.get("mem_mb"),
                        "cmdline": cfg.get("cmdline"),
                        "runs": cfg.get("runs"), "accel": accel,
                        "qemu_args": " ".join(qemu_args),
                        "seconds": int(secs),
                        "user_transitions": "hcl: user_exits; KVM: "
                        "io_exits + mmio_exits + signal_exits"},
               "results": {"%s_%s" % k: v for k, v in rows.items()},
               "errors": errors}, f, indent=1)
print("bench: JSON in %s" % out)
sides = cfg.get("sides", "hcl,kvm")
sys.exit(1 if any(rows.get((s, "boot")) is None
                  for s in ("hcl", "kvm") if s in sides) else 0)
PY
