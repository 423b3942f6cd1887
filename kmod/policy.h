/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run loop's policy (policy.c): which exits to userspace raise a
 * netlink event, how many events a second get through, the loop's
 * switches (HCL_POLICY_FLAGS_*) and how much hcl.ko logs (log.h).  The
 * generic netlink family (netlink.c) reads and sets it; the run loop
 * reads it with one READ_ONCE per word.
 */
#ifndef HCL_POLICY_H
#define HCL_POLICY_H

#include <linux/types.h>
#include <uapi/linux/hcl.h>
#include <uapi/linux/hcl_nl.h>

/*
 * The words the run loop reads.  Written only under policy.c's mutex,
 * with WRITE_ONCE; read anywhere, without a lock, with READ_ONCE: each
 * word is valid on its own, and a reader that sees the old value of one
 * and the new value of another sees two valid policies' words.
 */
struct hcl_policy {
	u32 event_mask;		/* bit N: HCL_EXIT_N raises an event */
	u32 flags;		/* enum hcl_policy_flags */
	u32 log_level;		/* enum hcl_log_level */
};

extern struct hcl_policy hcl_policy;

/*
 * A token bucket: @rate events a second on average, @burst at once.
 * @credit counts events in units of 1/NSEC_PER_SEC of an event: a
 * nanosecond adds @rate units, an event costs NSEC_PER_SEC, and the
 * bucket holds @burst events.  The caller serialises (policy.c's
 * spinlock); the functions take the time as an argument so that KUnit
 * drives them with a clock of its own.
 */
struct hcl_event_limit {
	u32 rate;
	u32 burst;
	u64 credit;
	u64 last_ns;
	u32 dropped;		/* since the last event let through */
	u64 sent_total;
	u64 dropped_total;
};

/* defaults: exits that stop the VP for good, and VTL violations */
#define HCL_POLICY_DEFAULT_MASK	(BIT(HCL_EXIT_HLT) | BIT(HCL_EXIT_SHUTDOWN) | \
				 BIT(HCL_EXIT_FAIL_ENTRY) |		     \
				 BIT(HCL_EXIT_UNHANDLED) |		     \
				 BIT(HCL_EXIT_VTL_VIOLATION))
#define HCL_POLICY_DEFAULT_RATE		100
#define HCL_POLICY_DEFAULT_BURST	20
#define HCL_POLICY_DEFAULT_LOG_LEVEL	HCL_LOG_LEVEL_INFO

/* a policy change: a field is changed when its has_ flag is set */
struct hcl_policy_update {
	bool has_mask, has_rate, has_burst, has_flags, has_log_level;
	u32 mask, rate, burst, flags, log_level;
};

/* what hcl_policy_check() found wrong */
enum hcl_policy_err {
	HCL_POLICY_OK,
	HCL_POLICY_ERR_EMPTY,	/* nothing to change */
	HCL_POLICY_ERR_MASK,	/* a mask bit that names no exit */
	HCL_POLICY_ERR_FLAGS,	/* an unknown flag */
	HCL_POLICY_ERR_RATE,	/* rate 0 or above HCL_EVENT_RATE_MAX */
	HCL_POLICY_ERR_BURST,	/* burst 0 or above HCL_EVENT_RATE_MAX */
	HCL_POLICY_ERR_LOG_LEVEL, /* not an enum hcl_log_level */
};

/* a snapshot of the whole policy and the limiter's totals */
struct hcl_policy_state {
	u32 mask, rate, burst, flags, log_level;
	u64 sent, dropped;
};

u32 hcl_policy_exit_bits(void);
enum hcl_policy_err hcl_policy_check(const struct hcl_policy_update *u);
void hcl_policy_apply(const struct hcl_policy_update *u);
void hcl_policy_get(struct hcl_policy_state *s);
bool hcl_policy_event_allow(u32 *dropped);

void hcl_event_limit_init(struct hcl_event_limit *l, u32 rate, u32 burst,
			  u64 now_ns);
void hcl_event_limit_set(struct hcl_event_limit *l, u32 rate, u32 burst,
			 u64 now_ns);
bool hcl_event_limit_allow(struct hcl_event_limit *l, u64 now_ns,
			   u32 *dropped);

/* the run loop's questions, one READ_ONCE each */
static inline bool hcl_policy_raises(u32 reason)
{
	return reason < 32 && (READ_ONCE(hcl_policy.event_mask) & BIT(reason));
}

static inline bool hcl_policy_flag(u32 flag)
{
	return READ_ONCE(hcl_policy.flags) & flag;
}

/* @prefix and a message at KERN_DEBUG, whatever dynamic debug says */
__printf(2, 3) void hcl_log_debug(const char *prefix, const char *fmt, ...);

/* whether a message of printk level @level (LOGLEVEL_*) is written */
static inline bool hcl_policy_logs(u32 level)
{
	return level <= READ_ONCE(hcl_policy.log_level);
}

#endif /* HCL_POLICY_H */
