// SPDX-License-Identifier: GPL-2.0
/*
 * The run loop's policy: the event mask, the event rate limit, the
 * loop's switches and the log level, set over generic netlink (netlink.c) and read by the
 * run loop (policy.h).  Module-wide, not per partition: it is set before
 * a partition exists (openvmm_hcl applies its configuration at start)
 * and outlives it.
 */
#include <linux/bits.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/spinlock.h>
#include <kunit/visibility.h>

#include "emulate.h"
#include "policy.h"

struct hcl_policy hcl_policy = {
	.event_mask = HCL_POLICY_DEFAULT_MASK,
	.log_level = HCL_POLICY_DEFAULT_LOG_LEVEL,
};

/*
 * hcl_policy_lock serialises changes (hcl_policy's words, the limiter's
 * rate and burst) and snapshots.  hcl_limit_lock protects hcl_limit; it
 * is taken from the run loop (which may run with preemption disabled by
 * a caller) and nests inside hcl_policy_lock.
 */
static DEFINE_MUTEX(hcl_policy_lock);
static DEFINE_SPINLOCK(hcl_limit_lock);
static struct hcl_event_limit hcl_limit = {
	.rate = HCL_POLICY_DEFAULT_RATE,
	.burst = HCL_POLICY_DEFAULT_BURST,
	.credit = (u64)HCL_POLICY_DEFAULT_BURST * NSEC_PER_SEC,
};

/* the bucket's size: @burst events, in units of NSEC_PER_SEC per event */
static u64 limit_max(const struct hcl_event_limit *l)
{
	return (u64)l->burst * NSEC_PER_SEC;
}

/* A full bucket: @burst events may go at once. */
void hcl_event_limit_init(struct hcl_event_limit *l, u32 rate, u32 burst,
			  u64 now_ns)
{
	*l = (struct hcl_event_limit){ .rate = rate, .burst = burst };
	l->credit = limit_max(l);
	l->last_ns = now_ns;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_event_limit_init);

/* credits the time since the last call, at the current rate */
static void limit_refill(struct hcl_event_limit *l, u64 now_ns)
{
	u64 max = limit_max(l), dt;

	/* a clock going backwards adds nothing */
	if (now_ns <= l->last_ns)
		return;
	dt = now_ns - l->last_ns;
	l->last_ns = now_ns;
	/* dt * rate would overflow after long quiet times: full anyway */
	if (dt >= div_u64(max, l->rate))
		l->credit = max;
	else
		l->credit = min(max, l->credit + dt * l->rate);
}

/* New rate and burst; the events in the bucket stay, up to the new burst. */
void hcl_event_limit_set(struct hcl_event_limit *l, u32 rate, u32 burst,
			 u64 now_ns)
{
	limit_refill(l, now_ns);
	l->rate = rate;
	l->burst = burst;
	l->credit = min(l->credit, limit_max(l));
}
EXPORT_SYMBOL_IF_KUNIT(hcl_event_limit_set);

/*
 * Whether an event at @now_ns may go.  When it may, *@dropped is the
 * number of events refused since the last one that went, and that count
 * restarts.
 */
bool hcl_event_limit_allow(struct hcl_event_limit *l, u64 now_ns,
			   u32 *dropped)
{
	limit_refill(l, now_ns);
	if (l->credit < NSEC_PER_SEC) {
		l->dropped++;
		l->dropped_total++;
		return false;
	}
	l->credit -= NSEC_PER_SEC;
	*dropped = l->dropped;
	l->dropped = 0;
	l->sent_total++;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_event_limit_allow);

/* The global limiter, for an event about to be sent. */
bool hcl_policy_event_allow(u32 *dropped)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&hcl_limit_lock, flags);
	ok = hcl_event_limit_allow(&hcl_limit, ktime_get_mono_fast_ns(),
				   dropped);
	spin_unlock_irqrestore(&hcl_limit_lock, flags);
	return ok;
}

/* The mask bits that name an exit to userspace: kmod/exits.h's. */
u32 hcl_policy_exit_bits(void)
{
	u32 reason, bits = 0;

	for (reason = 0; reason < 32; reason++)
		if (hcl_user_exit_name(reason))
			bits |= BIT(reason);
	return bits;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_policy_exit_bits);

/*
 * What is wrong with a change (HCL_POLICY_OK if nothing).  The netlink
 * policy checks each attribute's range already; this checks the rest:
 * that something changes, and the values that depend on the module's
 * tables.
 */
enum hcl_policy_err hcl_policy_check(const struct hcl_policy_update *u)
{
	if (!u->has_mask && !u->has_rate && !u->has_burst && !u->has_flags &&
	    !u->has_log_level)
		return HCL_POLICY_ERR_EMPTY;
	if (u->has_mask && (u->mask & ~hcl_policy_exit_bits()))
		return HCL_POLICY_ERR_MASK;
	if (u->has_flags && (u->flags & ~HCL_POLICY_FLAGS_FORWARD_UNCLAIMED_IO))
		return HCL_POLICY_ERR_FLAGS;
	if (u->has_rate && (!u->rate || u->rate > HCL_EVENT_RATE_MAX))
		return HCL_POLICY_ERR_RATE;
	if (u->has_burst && (!u->burst || u->burst > HCL_EVENT_RATE_MAX))
		return HCL_POLICY_ERR_BURST;
	if (u->has_log_level && (u->log_level < HCL_LOG_LEVEL_ERR ||
				 u->log_level > HCL_LOG_LEVEL_DEBUG))
		return HCL_POLICY_ERR_LOG_LEVEL;
	return HCL_POLICY_OK;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_policy_check);

/* Applies a change hcl_policy_check() accepted. */
void hcl_policy_apply(const struct hcl_policy_update *u)
{
	unsigned long flags;
	u32 rate, burst;

	mutex_lock(&hcl_policy_lock);
	if (u->has_mask)
		WRITE_ONCE(hcl_policy.event_mask, u->mask);
	if (u->has_flags)
		WRITE_ONCE(hcl_policy.flags, u->flags);
	if (u->has_log_level)
		WRITE_ONCE(hcl_policy.log_level, u->log_level);
	if (u->has_rate || u->has_burst) {
		spin_lock_irqsave(&hcl_limit_lock, flags);
		rate = u->has_rate ? u->rate : hcl_limit.rate;
		burst = u->has_burst ? u->burst : hcl_limit.burst;
		hcl_event_limit_set(&hcl_limit, rate, burst,
				    ktime_get_mono_fast_ns());
		spin_unlock_irqrestore(&hcl_limit_lock, flags);
	}
	mutex_unlock(&hcl_policy_lock);
}

void hcl_policy_get(struct hcl_policy_state *s)
{
	unsigned long flags;

	mutex_lock(&hcl_policy_lock);
	s->mask = READ_ONCE(hcl_policy.event_mask);
	s->flags = READ_ONCE(hcl_policy.flags);
	s->log_level = READ_ONCE(hcl_policy.log_level);
	spin_lock_irqsave(&hcl_limit_lock, flags);
	s->rate = hcl_limit.rate;
	s->burst = hcl_limit.burst;
	s->sent = hcl_limit.sent_total;
	s->dropped = hcl_limit.dropped_total;
	spin_unlock_irqrestore(&hcl_limit_lock, flags);
	mutex_unlock(&hcl_policy_lock);
}

static __printf(1, 2) void log_debug_emit(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vprintk_emit(0, LOGLEVEL_DEBUG, NULL, fmt, args);
	va_end(args);
}

void hcl_log_debug(const char *prefix, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	log_debug_emit("%s%pV", prefix, &vaf);
	va_end(args);
}
