// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC, one per VP, emulated in the kernel: the xAPIC page and
 * the x2APIC MSRs, IRR/ISR/TMR with TPR/PPR arbitration, EOI (level
 * EOIs go to the IOAPIC), the LVTs, the timer on an hrtimer (one-shot
 * and periodic at a 1 GHz bus clock, TSC-deadline) and IPIs between VPs
 * that never leave the kernel: the sender sets the target's IRR and kicks
 * it out of the guest or out of its halt.
 *
 * Locking is described at struct hcl_lapic (lapic.h).
 */
#define pr_fmt(fmt) "hcl: lapic: " fmt

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>
#include <kunit/visibility.h>

#include "irq.h"
#include "vp.h"

#define APIC_VERSION	(0x14 | ((HCL_NR_LVT - 1) << 16))
#define SVR_ENABLE	BIT(8)
#define ICR_LEVEL_ASSERT BIT(14)
#define ICR_LEVEL_TRIG	BIT(15)
#define ICR_LOGICAL	BIT(11)
#define ESR_SEND_ILLEGAL BIT(5)

/* the writable bits of each LVT entry */
static const u32 lvt_mask[HCL_NR_LVT] = {
	[HCL_LVT_TIMER] = 0x700ff,	/* vector, mask, mode (17-18) */
	[HCL_LVT_THERMAL] = 0x107ff,	/* vector, delivery mode, mask */
	[HCL_LVT_PERF] = 0x107ff,
	[HCL_LVT_LINT0] = 0x1a7ff,	/* + polarity, trigger */
	[HCL_LVT_LINT1] = 0x1a7ff,
	[HCL_LVT_ERROR] = 0x100ff,
};

static bool sw_enabled(const struct hcl_lapic *apic)
{
	return READ_ONCE(apic->svr) & SVR_ENABLE;
}

bool hcl_lapic_hw_enabled(const struct hcl_lapic *apic)
{
	return READ_ONCE(apic->base) & HCL_APIC_BASE_ENABLE;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_hw_enabled);

bool hcl_lapic_x2apic(const struct hcl_lapic *apic)
{
	return (READ_ONCE(apic->base) &
		(HCL_APIC_BASE_ENABLE | HCL_APIC_BASE_X2APIC)) ==
	       (HCL_APIC_BASE_ENABLE | HCL_APIC_BASE_X2APIC);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_x2apic);

/* the highest set bit of a 256-bit register, or -1 */
static int highest(const unsigned long *reg)
{
	unsigned int v = find_last_bit(reg, 256);

	return v < 256 ? v : -1;
}

int hcl_lapic_highest_irr(const struct hcl_lapic *apic)
{
	return highest(apic->irr);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_highest_irr);

/* PPR: the higher of TPR and the class of the highest in-service vector */
static void update_ppr(struct hcl_lapic *apic)
{
	int isr = highest(apic->isr);
	u32 isrv = isr < 0 ? 0 : isr & 0xf0;
	u32 ppr = (apic->tpr & 0xf0) >= isrv ? apic->tpr : isrv;

	WRITE_ONCE(apic->ppr, ppr & 0xff);
}

/*
 * The vector the APIC would present to the CPU now: the highest IRR
 * whose class is above PPR's, or -1.
 */
int hcl_lapic_pending(const struct hcl_lapic *apic)
{
	int irr;

	if (!hcl_lapic_hw_enabled(apic))
		return -1;
	irr = highest(apic->irr);
	if (irr < 0 || (irr & 0xf0) <= (READ_ONCE(apic->ppr) & 0xf0))
		return -1;
	return irr;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_pending);

/* The CPU took @vector: it moves from IRR to ISR. */
void hcl_lapic_accept(struct hcl_lapic *apic, u8 vector)
{
	clear_bit(vector, apic->irr);
	__set_bit(vector, apic->isr);
	update_ppr(apic);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_accept);

/* Something for a halted or waiting VP: INIT/SIPI, or an interrupt. */
bool hcl_lapic_wake_ready(const struct hcl_lapic *apic)
{
	if (READ_ONCE(apic->events))
		return true;
	return !apic->wait_sipi && hcl_lapic_pending(apic) >= 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_wake_ready);

static struct hcl_vp *apic_vp(struct hcl_lapic *apic)
{
	return rcu_dereference(apic->vp);
}

/* Kicks the APIC's VP, if it has one; any context. */
static void apic_kick(struct hcl_lapic *apic)
{
	struct hcl_vp *vp;

	rcu_read_lock();
	vp = apic_vp(apic);
	if (vp)
		hcl_irq_kick(vp);
	rcu_read_unlock();
}

/*
 * Sets @vector in IRR (TMR for a level-triggered one) if the APIC takes
 * fixed interrupts; returns whether it did.  Any context.
 */
bool hcl_lapic_set_irq(struct hcl_lapic *apic, u8 vector, bool level)
{
	if (!hcl_lapic_hw_enabled(apic) || !sw_enabled(apic))
		return false;
	/* vectors 0-15 are illegal: never accepted */
	if (vector < 16)
		return false;
	if (level)
		set_bit(vector, apic->tmr);
	else
		clear_bit(vector, apic->tmr);
	set_bit(vector, apic->irr);
	apic_kick(apic);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_set_irq);

/* An LVT entry fires (timer, error): fixed delivery to this APIC. */
static void lvt_fire(struct hcl_lapic *apic, unsigned int lvt)
{
	u32 v = READ_ONCE(apic->lvt[lvt]);

	if (v & HCL_APIC_LVT_MASKED)
		return;
	hcl_lapic_set_irq(apic, v & 0xff, false);
}

/* ---- destinations and delivery ----------------------------------------- */

/* Does @apic's logical ID match logical destination @dest? */
static bool match_logical(const struct hcl_lapic *apic, u32 dest)
{
	u32 ldr = READ_ONCE(apic->ldr);

	if (hcl_lapic_x2apic(apic)) {
		if (dest == 0xffffffff)
			return true;
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	ldr >>= 24;
	if ((READ_ONCE(apic->dfr) >> 28) == 0xf)	/* flat */
		return dest & ldr;
	/* cluster: high nibble the cluster, low nibble a bitmap */
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

/*
 * Is @apic a destination of @irq, sent by @src (NULL: the IOAPIC)?
 * Physical destination 0xff (xAPIC, or any IOAPIC message) and
 * 0xffffffff (x2APIC) are broadcasts.
 */
bool hcl_apic_match(const struct hcl_lapic *apic, const struct hcl_lapic *src,
		    const struct hcl_apic_irq *irq)
{
	bool x2 = hcl_lapic_x2apic(apic);

	if (!hcl_lapic_hw_enabled(apic))
		return false;
	switch (irq->shorthand) {
	case HCL_SH_SELF:
		return apic == src;
	case HCL_SH_ALL:
		return true;
	case HCL_SH_OTHERS:
		return apic != src;
	}
	if (irq->logical)
		return match_logical(apic, irq->dest);
	if (x2 && src)
		return irq->dest == 0xffffffff || irq->dest == READ_ONCE(apic->id);
	if ((irq->dest & 0xff) == 0xff)
		return true;
	return (irq->dest & 0xff) == (READ_ONCE(apic->id) & 0xff);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_apic_match);

/* One APIC takes @irq. */
static void apic_take(struct hcl_lapic *apic, const struct hcl_apic_irq *irq)
{
	struct hcl_vp *vp;

	switch (irq->delivery_mode) {
	case HCL_DM_FIXED:
	case HCL_DM_LOWEST:
		hcl_lapic_set_irq(apic, irq->vector, irq->level_trig);
		break;
	case HCL_DM_NMI:
		rcu_read_lock();
		vp = apic_vp(apic);
		if (vp) {
			atomic_set(&vp->nmi_pending, 1);
			hcl_irq_kick(vp);
		}
		rcu_read_unlock();
		break;
	case HCL_DM_INIT:
		/* the level de-assert only resynchronises arbitration IDs */
		if (irq->level_trig && !irq->assert)
			break;
		set_bit(HCL_APIC_EV_INIT, &apic->events);
		apic_kick(apic);
		break;
	case HCL_DM_SIPI:
		WRITE_ONCE(apic->sipi_vector, irq->vector);
		/* the vector before the event */
		smp_mb__before_atomic();
		set_bit(HCL_APIC_EV_SIPI, &apic->events);
		apic_kick(apic);
		break;
	default:
		/* SMI and ExtINT are not supported: dropped */
		break;
	}
}

/*
 * Delivers @irq from @src (NULL: the IOAPIC) to every APIC it names;
 * lowest priority goes to the one matching APIC with the lowest PPR, the
 * lowest VP index among equals (deterministic).  Any context, no locks.
 */
void hcl_apic_deliver(struct hcl_irqchip *chip, struct hcl_lapic *src,
		      const struct hcl_apic_irq *irq)
{
	struct hcl_lapic *best = NULL;
	u32 i;

	for (i = 0; i < chip->nr_apics; i++) {
		struct hcl_lapic *a = &chip->apics[i];

		if (!hcl_apic_match(a, src, irq))
			continue;
		if (irq->delivery_mode == HCL_DM_LOWEST &&
		    irq->shorthand == HCL_SH_NONE) {
			if (!best || READ_ONCE(a->ppr) < READ_ONCE(best->ppr))
				best = a;
			continue;
		}
		apic_take(a, irq);
	}
	if (best)
		apic_take(best, irq);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_apic_deliver);

/* The ICR was written: send the IPI it describes. */
static void send_ipi(struct hcl_lapic *apic, u32 lo, u32 dest)
{
	struct hcl_apic_irq irq = {
		.vector = lo & 0xff,
		.delivery_mode = (lo >> 8) & 7,
		.logical = lo & ICR_LOGICAL,
		.assert = lo & ICR_LEVEL_ASSERT,
		.level_trig = lo & ICR_LEVEL_TRIG,
		.shorthand = (lo >> 18) & 3,
		.dest = dest,
	};
	struct hcl_vp *vp;

	if ((irq.delivery_mode == HCL_DM_FIXED ||
	     irq.delivery_mode == HCL_DM_LOWEST) && irq.vector < 16) {
		apic->esr_pending |= ESR_SEND_ILLEGAL;
		lvt_fire(apic, HCL_LVT_ERROR);
		return;
	}
	/* only level-triggered INIT keeps the trigger mode */
	if (irq.delivery_mode != HCL_DM_INIT)
		irq.level_trig = false;
	rcu_read_lock();
	vp = apic_vp(apic);
	if (vp)
		vp->stats[HCL_STAT_IPI]++;
	rcu_read_unlock();
	hcl_apic_deliver(apic->chip, apic, &irq);
}

/* ---- the timer ---------------------------------------------------------- */

static unsigned int timer_mode(const struct hcl_lapic *apic)
{
	return (READ_ONCE(apic->lvt[HCL_LVT_TIMER]) >> 17) & 3;
}

/* TDCR: bits 0, 1 and 3 encode divide by 2, 4, ... 128, or 1 */
static u32 timer_divide(u32 tdcr)
{
	u32 v = (tdcr & 3) | ((tdcr & 8) >> 1);

	return 1U << ((v + 1) & 7);
}

static u64 tsc_to_ns(const struct hcl_lapic *apic, u64 cycles)
{
	return mul_u64_u32_div(cycles, 1000000, apic->chip->tsc_khz);
}

/* The timer fired: deliver its LVT; runs in hard interrupt context too. */
void hcl_lapic_timer_fire(struct hcl_lapic *apic)
{
	atomic_inc(&apic->timer_fires);
	if (sw_enabled(apic))
		lvt_fire(apic, HCL_LVT_TIMER);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_timer_fire);

static enum hrtimer_restart timer_cb(struct hrtimer *t)
{
	struct hcl_lapic *apic = container_of(t, struct hcl_lapic, timer);

	hcl_lapic_timer_fire(apic);
	/* a deadline that passed reads 0 (the owner waits for us first) */
	if (timer_mode(apic) == HCL_APIC_TIMER_DEADLINE)
		WRITE_ONCE(apic->tsc_deadline, 0);
	if (timer_mode(apic) == HCL_APIC_TIMER_PERIODIC && apic->period_ns) {
		hrtimer_forward_now(t, ns_to_ktime(apic->period_ns));
		return HRTIMER_RESTART;
	}
	return HRTIMER_NORESTART;
}

/* (Re)starts the one-shot or periodic countdown from TMICT. */
static void timer_start_count(struct hcl_lapic *apic)
{
	hrtimer_cancel(&apic->timer);
	apic->period_ns = (u64)apic->tmict * timer_divide(apic->tdcr);
	apic->timer_start = ktime_get();
	if (!apic->tmict || timer_mode(apic) == HCL_APIC_TIMER_DEADLINE)
		return;
	/* a periodic timer faster than 10 us would only burn the host */
	if (timer_mode(apic) == HCL_APIC_TIMER_PERIODIC)
		apic->period_ns = max_t(u64, apic->period_ns, 10000);
	hrtimer_start(&apic->timer,
		      ktime_add_ns(apic->timer_start, apic->period_ns),
		      HRTIMER_MODE_ABS_HARD);
}

static u32 timer_current_count(struct hcl_lapic *apic)
{
	ktime_t rem;
	u64 ns;

	if (!apic->tmict || timer_mode(apic) == HCL_APIC_TIMER_DEADLINE ||
	    !hrtimer_active(&apic->timer))
		return 0;
	rem = hrtimer_get_remaining(&apic->timer);
	ns = ktime_to_ns(rem) > 0 ? ktime_to_ns(rem) : 0;
	return min_t(u64, div_u64(ns, timer_divide(apic->tdcr)), apic->tmict);
}

static void set_tsc_deadline(struct hcl_lapic *apic, u64 deadline)
{
	u64 now;

	if (timer_mode(apic) != HCL_APIC_TIMER_DEADLINE)
		return;
	hrtimer_cancel(&apic->timer);
	apic->tsc_deadline = deadline;
	if (!deadline)
		return;
	now = rdtsc();
	if (deadline <= now) {
		/* already due: fires now, and the deadline is spent */
		apic->tsc_deadline = 0;
		hcl_lapic_timer_fire(apic);
		return;
	}
	hrtimer_start(&apic->timer,
		      ktime_add_ns(ktime_get(), tsc_to_ns(apic, deadline - now)),
		      HRTIMER_MODE_ABS_HARD);
}

/* ---- registers ---------------------------------------------------------- */

static void set_ldr_x2apic(struct hcl_lapic *apic)
{
	u32 id = apic->id;

	WRITE_ONCE(apic->ldr, ((id >> 4) << 16) | (1U << (id & 0xf)));
}

/* Power-on / INIT state; keeps the ID and the base MSR. */
void hcl_lapic_reset(struct hcl_lapic *apic, bool wait_sipi)
{
	unsigned int i;

	hrtimer_cancel(&apic->timer);
	bitmap_zero(apic->irr, 256);
	bitmap_zero(apic->isr, 256);
	bitmap_zero(apic->tmr, 256);
	for (i = 0; i < HCL_NR_LVT; i++)
		WRITE_ONCE(apic->lvt[i], HCL_APIC_LVT_MASKED);
	WRITE_ONCE(apic->svr, 0xff);
	WRITE_ONCE(apic->dfr, 0xffffffff);
	WRITE_ONCE(apic->ldr, 0);
	if (hcl_lapic_x2apic(apic))
		set_ldr_x2apic(apic);
	apic->tpr = 0;
	WRITE_ONCE(apic->ppr, 0);
	apic->esr = 0;
	apic->esr_pending = 0;
	apic->icr_hi = 0;
	apic->tdcr = 0;
	apic->tmict = 0;
	apic->period_ns = 0;
	apic->tsc_deadline = 0;
	apic->wait_sipi = wait_sipi;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_reset);

void hcl_lapic_init(struct hcl_lapic *apic, struct hcl_irqchip *chip, u32 index)
{
	apic->chip = chip;
	apic->index = index;
	RCU_INIT_POINTER(apic->vp, NULL);
	hrtimer_init(&apic->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	apic->timer.function = timer_cb;
	apic->id = index;
	apic->base = HCL_APIC_DEFAULT_BASE | HCL_APIC_BASE_ENABLE |
		     (index ? 0 : HCL_APIC_BASE_BSP);
	hcl_lapic_reset(apic, false);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_init);

/* Stops the timer; the APIC keeps its state. */
void hcl_lapic_stop(struct hcl_lapic *apic)
{
	hrtimer_cancel(&apic->timer);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_stop);

/*
 * MSR_IA32_APICBASE.  The guest may enable and disable the APIC and go
 * xAPIC -> x2APIC; x2APIC -> xAPIC only through disabled, and x2APIC
 * without enable is invalid (#GP, -EINVAL).  @host: userspace's set,
 * which may also move the BSP bit.
 */
int hcl_lapic_set_base(struct hcl_lapic *apic, u64 val, bool host)
{
	u64 old = apic->base;
	u64 allowed = HCL_APIC_BASE_ENABLE | HCL_APIC_BASE_X2APIC |
		      GENMASK_ULL(51, 12) | (host ? HCL_APIC_BASE_BSP : 0);
	bool was_x2 = hcl_lapic_x2apic(apic);
	bool en = val & HCL_APIC_BASE_ENABLE;
	bool x2 = val & HCL_APIC_BASE_X2APIC;

	if (!host)
		val |= old & HCL_APIC_BASE_BSP;
	if (val & ~(allowed | HCL_APIC_BASE_BSP))
		return -EINVAL;
	if (x2 && !en)
		return -EINVAL;
	if (!host && was_x2 && en && !x2)
		return -EINVAL;
	WRITE_ONCE(apic->base, val);
	if (!en) {
		/* disabling resets the APIC, like INIT */
		if (old & HCL_APIC_BASE_ENABLE)
			hcl_lapic_reset(apic, apic->wait_sipi);
		return 0;
	}
	if (x2 && !was_x2) {
		WRITE_ONCE(apic->id, apic->index);
		set_ldr_x2apic(apic);
	} else if (!x2 && was_x2) {
		WRITE_ONCE(apic->id, apic->index);
		WRITE_ONCE(apic->ldr, 0);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_set_base);

/*
 * Reads the register at xAPIC offset @offset.  @x2: an x2APIC access,
 * where unknown and write-only registers are -EINVAL (#GP); xAPIC reads
 * of those return 0.
 */
int hcl_lapic_read(struct hcl_lapic *apic, u32 offset, u64 *val, bool x2)
{
	u32 v = 0;

	switch (offset) {
	case HCL_APIC_ID:
		v = x2 ? apic->id : apic->id << 24;
		break;
	case HCL_APIC_VER:
		v = APIC_VERSION;
		break;
	case HCL_APIC_TPR:
		v = apic->tpr;
		break;
	case HCL_APIC_APR:
		if (x2)
			return -EINVAL;
		break;
	case HCL_APIC_PPR:
		v = apic->ppr;
		break;
	case HCL_APIC_LDR:
		v = apic->ldr;
		break;
	case HCL_APIC_DFR:
		if (x2)
			return -EINVAL;
		v = apic->dfr;
		break;
	case HCL_APIC_SVR:
		v = apic->svr;
		break;
	case HCL_APIC_ISR ... HCL_APIC_ISR + 0x70:
	case HCL_APIC_TMR ... HCL_APIC_TMR + 0x70:
	case HCL_APIC_IRR ... HCL_APIC_IRR + 0x70: {
		const unsigned long *reg = offset < HCL_APIC_TMR ? apic->isr :
					   offset < HCL_APIC_IRR ? apic->tmr :
					   apic->irr;
		unsigned int i = ((offset & 0x70) >> 4) * 32;

		if (offset & 0xf)
			return x2 ? -EINVAL : 0;
		v = bitmap_read(reg, i, 32);
		break;
	}
	case HCL_APIC_ESR:
		v = apic->esr;
		break;
	case HCL_APIC_ICR:
		*val = x2 ? (u64)apic->icr_hi << 32 : 0;
		/* delivery is instant: the status bit never reads busy */
		return 0;
	case HCL_APIC_ICR2:
		if (x2)
			return -EINVAL;
		v = apic->icr_hi;
		break;
	case HCL_APIC_LVTT ... HCL_APIC_LVTERR:
		if (offset & 0xf)
			return x2 ? -EINVAL : 0;
		v = apic->lvt[(offset - HCL_APIC_LVTT) >> 4];
		break;
	case HCL_APIC_TMICT:
		v = apic->tmict;
		break;
	case HCL_APIC_TMCCT:
		v = timer_current_count(apic);
		break;
	case HCL_APIC_TDCR:
		v = apic->tdcr;
		break;
	default:
		if (x2)
			return -EINVAL;
		break;
	}
	*val = v;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_read);

static void apic_eoi(struct hcl_lapic *apic)
{
	int v = highest(apic->isr);

	if (v < 0)
		return;
	__clear_bit(v, apic->isr);
	update_ppr(apic);
	if (test_bit(v, apic->tmr) && apic->chip)
		hcl_irq_eoi(apic->chip, v);
}

static void write_lvt(struct hcl_lapic *apic, unsigned int i, u32 v)
{
	u32 old = apic->lvt[i];

	v &= lvt_mask[i];
	if (!sw_enabled(apic))
		v |= HCL_APIC_LVT_MASKED;
	if (i == HCL_LVT_TIMER && ((old ^ v) >> 17) & 3) {
		/* a mode change stops the timer */
		hrtimer_cancel(&apic->timer);
		apic->tmict = 0;
		apic->period_ns = 0;
		apic->tsc_deadline = 0;
	}
	WRITE_ONCE(apic->lvt[i], v);
}

/*
 * Writes @val to the register at xAPIC offset @offset.  x2APIC writes of
 * read-only or unknown registers, of bits 63:32 (but in the ICR), of a
 * non-zero EOI or ESR and of reserved SELF_IPI bits are -EINVAL (#GP);
 * other reserved bits are dropped, and xAPIC writes of read-only
 * registers are ignored.
 */
int hcl_lapic_write(struct hcl_lapic *apic, u32 offset, u64 val, bool x2)
{
	u32 v = val;
	unsigned int i;

	if (x2 && offset != HCL_APIC_ICR && val >> 32)
		return -EINVAL;
	switch (offset) {
	case HCL_APIC_ID:
		if (x2)
			return -EINVAL;
		WRITE_ONCE(apic->id, v >> 24);
		break;
	case HCL_APIC_TPR:
		apic->tpr = v & 0xff;
		update_ppr(apic);
		break;
	case HCL_APIC_EOI:
		if (x2 && v)
			return -EINVAL;
		apic_eoi(apic);
		break;
	case HCL_APIC_LDR:
		if (x2)
			return -EINVAL;
		WRITE_ONCE(apic->ldr, v & 0xff000000);
		break;
	case HCL_APIC_DFR:
		if (x2)
			return -EINVAL;
		WRITE_ONCE(apic->dfr, v | 0x0fffffff);
		break;
	case HCL_APIC_SVR:
		/* vector, enable, focus check; no directed EOI (bit 12) */
		WRITE_ONCE(apic->svr, v & 0x3ff);
		if (!(v & SVR_ENABLE)) {
			/* software disable masks every LVT */
			for (i = 0; i < HCL_NR_LVT; i++)
				WRITE_ONCE(apic->lvt[i], apic->lvt[i] |
					   HCL_APIC_LVT_MASKED);
		}
		break;
	case HCL_APIC_ESR:
		if (x2 && v)
			return -EINVAL;
		apic->esr = apic->esr_pending;
		apic->esr_pending = 0;
		break;
	case HCL_APIC_ICR:
		if (x2) {
			apic->icr_hi = val >> 32;
			send_ipi(apic, v, val >> 32);
		} else {
			send_ipi(apic, v, apic->icr_hi >> 24);
		}
		break;
	case HCL_APIC_ICR2:
		if (x2)
			return -EINVAL;
		apic->icr_hi = v & 0xff000000;
		break;
	case HCL_APIC_LVTT ... HCL_APIC_LVTERR:
		if (offset & 0xf)
			return x2 ? -EINVAL : 0;
		/* reserved bits are dropped, in x2APIC mode too (as KVM) */
		write_lvt(apic, (offset - HCL_APIC_LVTT) >> 4, v);
		break;
	case HCL_APIC_TMICT:
		if (timer_mode(apic) == HCL_APIC_TIMER_DEADLINE)
			break;
		apic->tmict = v;
		timer_start_count(apic);
		break;
	case HCL_APIC_TDCR:
		apic->tdcr = v & 0xb;
		break;
	case HCL_APIC_SELF_IPI:
		if (!x2)
			break;
		if (v & ~0xffU)
			return -EINVAL;
		send_ipi(apic, (v & 0xff) | (HCL_SH_SELF << 18), 0);
		break;
	default:
		/* read-only (version, PPR, ISR/TMR/IRR, TMCCT) and unknown */
		if (x2)
			return -EINVAL;
		break;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_write);

/*
 * The MSRs of the APIC: the base, TSC-deadline and x2APIC's 0x800-0x8ff.
 * Returns -ENOENT for others, -EINVAL for #GP.
 */
int hcl_lapic_msr(struct hcl_lapic *apic, u32 index, bool write, u64 *val,
		  bool host)
{
	switch (index) {
	case MSR_IA32_APICBASE:
		if (write)
			return hcl_lapic_set_base(apic, *val, host);
		*val = apic->base;
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		if (write)
			set_tsc_deadline(apic, *val);
		else
			*val = READ_ONCE(apic->tsc_deadline);
		return 0;
	case 0x800 ... 0x8ff:
		/* x2APIC MSRs #GP unless x2APIC is on */
		if (!hcl_lapic_x2apic(apic))
			return -EINVAL;
		if (write)
			return hcl_lapic_write(apic, (index - 0x800) << 4, *val,
					       true);
		return hcl_lapic_read(apic, (index - 0x800) << 4, val, true);
	}
	return -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_msr);

/* Is @gpa in this APIC's xAPIC page (enabled, not x2APIC)? */
bool hcl_lapic_mmio_claims(const struct hcl_lapic *apic, u64 gpa)
{
	u64 base = apic->base;

	return (base & HCL_APIC_BASE_ENABLE) && !(base & HCL_APIC_BASE_X2APIC) &&
	       (gpa & PAGE_MASK) == (base & GENMASK_ULL(51, 12));
}
EXPORT_SYMBOL_IF_KUNIT(hcl_lapic_mmio_claims);
