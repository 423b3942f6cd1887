/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC of a VP (lapic.c): xAPIC and x2APIC registers, priority
 * arbitration, the timer and IPIs between VPs, all in the kernel.
 */
#ifndef HCL_LAPIC_H
#define HCL_LAPIC_H

#include <linux/bitops.h>
#include <linux/hrtimer.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

struct hcl_irqchip;
struct hcl_vp;

/* xAPIC register offsets (x2APIC MSR 0x800 + offset / 16) */
#define HCL_APIC_ID		0x20
#define HCL_APIC_VER		0x30
#define HCL_APIC_TPR		0x80
#define HCL_APIC_APR		0x90
#define HCL_APIC_PPR		0xa0
#define HCL_APIC_EOI		0xb0
#define HCL_APIC_RRD		0xc0
#define HCL_APIC_LDR		0xd0
#define HCL_APIC_DFR		0xe0
#define HCL_APIC_SVR		0xf0
#define HCL_APIC_ISR		0x100
#define HCL_APIC_TMR		0x180
#define HCL_APIC_IRR		0x200
#define HCL_APIC_ESR		0x280
#define HCL_APIC_LVT_CMCI	0x2f0
#define HCL_APIC_ICR		0x300
#define HCL_APIC_ICR2		0x310
#define HCL_APIC_LVTT		0x320
#define HCL_APIC_LVTTHMR	0x330
#define HCL_APIC_LVTPC		0x340
#define HCL_APIC_LVT0		0x350
#define HCL_APIC_LVT1		0x360
#define HCL_APIC_LVTERR		0x370
#define HCL_APIC_TMICT		0x380
#define HCL_APIC_TMCCT		0x390
#define HCL_APIC_TDCR		0x3e0
#define HCL_APIC_SELF_IPI	0x3f0	/* x2APIC only */

/* the LVT entries, in register order from LVTT */
enum {
	HCL_LVT_TIMER, HCL_LVT_THERMAL, HCL_LVT_PERF, HCL_LVT_LINT0,
	HCL_LVT_LINT1, HCL_LVT_ERROR, HCL_NR_LVT
};

#define HCL_APIC_LVT_MASKED	BIT(16)
#define HCL_APIC_TIMER_ONESHOT	0
#define HCL_APIC_TIMER_PERIODIC	1
#define HCL_APIC_TIMER_DEADLINE	2

/* MSR_IA32_APICBASE bits */
#define HCL_APIC_BASE_BSP	BIT_ULL(8)
#define HCL_APIC_BASE_X2APIC	BIT_ULL(10)
#define HCL_APIC_BASE_ENABLE	BIT_ULL(11)
#define HCL_APIC_DEFAULT_BASE	0xfee00000ULL

/* delivery modes (ICR, LVT, IOAPIC redirection entries) */
#define HCL_DM_FIXED		0
#define HCL_DM_LOWEST		1
#define HCL_DM_SMI		2
#define HCL_DM_NMI		4
#define HCL_DM_INIT		5
#define HCL_DM_SIPI		6
#define HCL_DM_EXTINT		7

/* ICR destination shorthands */
#define HCL_SH_NONE		0
#define HCL_SH_SELF		1
#define HCL_SH_ALL		2
#define HCL_SH_OTHERS		3

/* An interrupt message on the APIC bus (an IPI, an IOAPIC pin). */
struct hcl_apic_irq {
	u8 vector;
	u8 delivery_mode;	/* HCL_DM_* */
	u8 shorthand;		/* HCL_SH_* */
	bool logical;		/* destination mode */
	bool level_trig;	/* trigger mode: level */
	bool assert;		/* level: assert (INIT level de-assert is 0) */
	u32 dest;		/* 8 bits in xAPIC, 32 in x2APIC */
};

/* bits of hcl_lapic.events: what only the owner may carry out */
#define HCL_APIC_EV_INIT	0
#define HCL_APIC_EV_SIPI	1

/*
 * One local APIC.  The irqchip owns it (an array indexed by VP index) and
 * it outlives every VP that uses it; struct hcl_vp points at it.
 *
 * Concurrency: any thread (another VP's IPI, the IOAPIC, an irqfd wakeup
 * in hard interrupt context, the timer) may set bits in irr and tmr with
 * atomic bitops, set bits in events and read the destination registers
 * (base, id, ldr, dfr, svr, ppr) with READ_ONCE.  Everything else is
 * written only by the VP's own thread under vp->lock (the owner), which
 * also publishes the destination registers with WRITE_ONCE.
 *
 * vp: the VP using this APIC, or NULL.  Set when the VP is created (under
 * the partition lock) and cleared, then synchronize_rcu(), before the VP
 * is freed: a sender that found it under rcu_read_lock() may kick it.
 *
 * The timer: an hrtimer in hard interrupt context.  Its callback reads
 * lvt[HCL_LVT_TIMER] and period_ns; the owner changes the timer only
 * after hrtimer_cancel(), so the callback never sees a half update.
 */
struct hcl_lapic {
	struct hcl_irqchip *chip;
	struct hcl_vp __rcu *vp;
	u32 index;

	/* any thread, atomic bitops */
	unsigned long irr[BITS_TO_LONGS(256)];
	unsigned long tmr[BITS_TO_LONGS(256)];
	unsigned long events;		/* HCL_APIC_EV_* */
	u8 sipi_vector;			/* written before EV_SIPI is set */
	atomic_t timer_fires;		/* folded into the owner's stats */

	/* the owner; read by others with READ_ONCE where noted above */
	unsigned long isr[BITS_TO_LONGS(256)];
	u64 base;			/* MSR_IA32_APICBASE */
	u32 id;				/* APIC ID (x2APIC: 32 bits) */
	u32 ldr, dfr, svr, tpr, ppr;
	u32 esr, esr_pending;
	u32 icr_hi;			/* xAPIC ICR bits 63:32 */
	u32 lvt[HCL_NR_LVT];
	u32 tdcr, tmict;
	bool wait_sipi;			/* in wait-for-SIPI */

	/* the timer */
	struct hrtimer timer;
	ktime_t timer_start;		/* when TMICT was written */
	u64 period_ns;			/* one-shot/periodic: TMICT * divide */
	u64 tsc_deadline;		/* MSR 0x6e0 */

	/* kvmclock (pvclock.c), the owner's */
	u64 kvmclock_msr;
	u64 wallclock_msr;
};

void hcl_lapic_init(struct hcl_lapic *apic, struct hcl_irqchip *chip,
		    u32 index);
void hcl_lapic_reset(struct hcl_lapic *apic, bool wait_sipi);
void hcl_lapic_stop(struct hcl_lapic *apic);

bool hcl_lapic_hw_enabled(const struct hcl_lapic *apic);
bool hcl_lapic_x2apic(const struct hcl_lapic *apic);
int hcl_lapic_read(struct hcl_lapic *apic, u32 offset, u64 *val, bool x2);
int hcl_lapic_write(struct hcl_lapic *apic, u32 offset, u64 val, bool x2);
int hcl_lapic_set_base(struct hcl_lapic *apic, u64 val, bool host);
int hcl_lapic_msr(struct hcl_lapic *apic, u32 index, bool write, u64 *val,
		  bool host);
bool hcl_lapic_mmio_claims(const struct hcl_lapic *apic, u64 gpa);

/* delivery: any thread */
void hcl_apic_deliver(struct hcl_irqchip *chip, struct hcl_lapic *src,
		      const struct hcl_apic_irq *irq);
bool hcl_apic_match(const struct hcl_lapic *apic, const struct hcl_lapic *src,
		    const struct hcl_apic_irq *irq);
bool hcl_lapic_set_irq(struct hcl_lapic *apic, u8 vector, bool level);

/* the owner: injection and the run loop */
int hcl_lapic_highest_irr(const struct hcl_lapic *apic);
int hcl_lapic_pending(const struct hcl_lapic *apic);
void hcl_lapic_accept(struct hcl_lapic *apic, u8 vector);
bool hcl_lapic_wake_ready(const struct hcl_lapic *apic);
void hcl_lapic_timer_fire(struct hcl_lapic *apic);

#endif /* HCL_LAPIC_H */
