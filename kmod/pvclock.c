// SPDX-License-Identifier: GPL-2.0
/*
 * kvmclock: the paravirtual clock Linux guests know from KVM.  The guest
 * writes the GPA of a struct pvclock_vcpu_time_info per VP to
 * MSR_KVM_SYSTEM_TIME(_NEW) and of a struct pvclock_wall_clock to
 * MSR_KVM_WALL_CLOCK(_NEW); we fill them in guest memory.
 *
 * VTL0's TSC is the host's (the VMCB's TSC offset stays 0), so one
 * reference point taken when the irqchip is created serves every VP:
 * guest time = (TSC - clock_tsc) scaled to ns, the same on every CPU, so
 * the structure does not change when a VP moves between host CPUs and
 * is written only when the guest enables it.  With a constant, stable
 * host TSC the structure says PVCLOCK_TSC_STABLE_BIT and the guest
 * needs no cross-CPU monotonicity fixups.  The scale also gives the
 * guest the TSC frequency: no PIT calibration.
 */
#define pr_fmt(fmt) "hcl: pvclock: " fmt

#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/timekeeping.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>
#include <kunit/visibility.h>

#include "irq.h"
#include "partition.h"
#include "vp.h"

#define MSR_KVM_WALL_CLOCK	0x11
#define MSR_KVM_SYSTEM_TIME	0x12
#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01

/*
 * ns = ((tsc << shift) * mul) >> 32 (shift may be negative): the largest
 * mul below 2^32 that gives 10^6 / tsc_khz ns per cycle.
 */
static void clock_scale(u32 khz, u32 *mul, s8 *shift)
{
	s8 s = 0;
	u64 m;

	for (;;) {
		m = s >= 0 ? div_u64(1000000ULL << 32 >> s, khz) :
			     div_u64(1000000ULL << (32 - s), khz);
		if (m >= BIT_ULL(32)) {
			s++;
			continue;
		}
		if (m < BIT_ULL(31) && s > -8) {
			s--;
			continue;
		}
		break;
	}
	*mul = m;
	*shift = s;
}

/*
 * The TSC frequency: the host kernel's, else (a host that could not
 * calibrate it, as under some emulators) measured once here against the
 * monotonic clock over 20 ms.
 */
static u32 measured_khz;

static u32 host_tsc_khz(void)
{
	u64 c0, c1, t0, t1;

	if (tsc_khz)
		return tsc_khz;
	if (READ_ONCE(measured_khz))
		return READ_ONCE(measured_khz);
	t0 = ktime_get_ns();
	c0 = rdtsc();
	msleep(20);
	c1 = rdtsc();
	t1 = ktime_get_ns();
	WRITE_ONCE(measured_khz,
		   max_t(u64, div64_u64((c1 - c0) * 1000000ULL, t1 - t0), 1000));
	return READ_ONCE(measured_khz);
}

void hcl_pvclock_init(struct hcl_irqchip *chip)
{
	chip->tsc_khz = host_tsc_khz();
	clock_scale(chip->tsc_khz, &chip->clock_mul, &chip->clock_shift);
	chip->clock_tsc = rdtsc();
	chip->clock_flags = 0;
	if (boot_cpu_has(X86_FEATURE_CONSTANT_TSC) &&
	    boot_cpu_has(X86_FEATURE_NONSTOP_TSC) && !check_tsc_unstable())
		chip->clock_flags = PVCLOCK_TSC_STABLE_BIT;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_pvclock_init);

/* The guest's clock at host TSC @tsc, in ns since the irqchip began. */
u64 hcl_pvclock_guest_ns(const struct hcl_irqchip *chip, u64 tsc)
{
	u64 d = tsc - chip->clock_tsc;

	if (chip->clock_shift >= 0)
		d <<= chip->clock_shift;
	else
		d >>= -chip->clock_shift;
	return mul_u64_u32_shr(d, chip->clock_mul, 32);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_pvclock_guest_ns);

/* Fills @t but for its version: the same for every VP. */
void hcl_pvclock_fill(const struct hcl_irqchip *chip,
		      struct pvclock_vcpu_time_info *t)
{
	t->tsc_timestamp = chip->clock_tsc;
	t->system_time = 0;
	t->tsc_to_system_mul = chip->clock_mul;
	t->tsc_shift = chip->clock_shift;
	t->flags = chip->clock_flags;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_pvclock_fill);

/* A structure of @len bytes at @gpa in VTL0 RAM, or NULL. */
static void *guest_ptr(struct hcl_partition *part, u64 gpa, size_t len)
{
	if (gpa >= part->mem_size || part->mem_size - gpa < len ||
	    (gpa & ~PAGE_MASK) + len > PAGE_SIZE || gpa & 3)
		return NULL;
	return part->mem + gpa;
}

static void write_time_info(struct hcl_vp *vp, u64 gpa)
{
	struct hcl_irqchip *chip = vp->part->irqchip;
	struct pvclock_vcpu_time_info *g, t = {};

	g = guest_ptr(vp->part, gpa, sizeof(*g));
	if (!g)
		return;
	hcl_pvclock_fill(chip, &t);
	/* odd version: an update is in progress */
	WRITE_ONCE(g->version, (READ_ONCE(g->version) + 1) | 1);
	/* the odd version before the fields (the guest reads backwards) */
	smp_wmb();
	WRITE_ONCE(g->tsc_timestamp, t.tsc_timestamp);
	WRITE_ONCE(g->system_time, t.system_time);
	WRITE_ONCE(g->tsc_to_system_mul, t.tsc_to_system_mul);
	WRITE_ONCE(g->tsc_shift, t.tsc_shift);
	WRITE_ONCE(g->flags, t.flags);
	/* the fields before the even version */
	smp_wmb();
	WRITE_ONCE(g->version, READ_ONCE(g->version) + 1);
}

/* The wall clock: the host's real time when the guest's clock was 0. */
static void write_wall_clock(struct hcl_vp *vp, u64 gpa)
{
	struct hcl_irqchip *chip = vp->part->irqchip;
	struct pvclock_wall_clock *w;
	u64 boot = ktime_get_real_ns() - hcl_pvclock_guest_ns(chip, rdtsc());
	u32 nsec;
	u64 sec = div_u64_rem(boot, NSEC_PER_SEC, &nsec);

	w = guest_ptr(vp->part, gpa, sizeof(*w));
	if (!w)
		return;
	WRITE_ONCE(w->version, (READ_ONCE(w->version) + 1) | 1);
	/* the odd version before the fields */
	smp_wmb();
	WRITE_ONCE(w->sec, (u32)sec);
	WRITE_ONCE(w->nsec, nsec);
	/* the fields before the even version */
	smp_wmb();
	WRITE_ONCE(w->version, READ_ONCE(w->version) + 1);
}

/* The kvmclock MSRs; -ENOENT for others.  The owner, under vp->lock. */
int hcl_pvclock_msr(struct hcl_vp *vp, u32 index, bool write, u64 *val)
{
	struct hcl_lapic *apic = vp->apic;

	switch (index) {
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_SYSTEM_TIME_NEW:
		if (!write) {
			*val = apic->kvmclock_msr;
			return 0;
		}
		apic->kvmclock_msr = *val;
		if (*val & 1)
			write_time_info(vp, *val & ~1ULL);
		return 0;
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_WALL_CLOCK_NEW:
		if (!write) {
			*val = apic->wallclock_msr;
			return 0;
		}
		apic->wallclock_msr = *val;
		write_wall_clock(vp, *val);
		return 0;
	}
	return -ENOENT;
}
