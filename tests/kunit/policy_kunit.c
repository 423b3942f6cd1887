// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the run loop's policy (kmod/policy.c): the event rate
 * limiter, driven with a clock of the test's own, and the validation of
 * a policy change.
 */
#include <kunit/test.h>
#include <linux/time64.h>

#include "hcl_kunit.h"
#include "policy.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* a full bucket lets burst events through at once, then none */
static void limit_burst(struct kunit *test)
{
	struct hcl_event_limit l;
	u32 dropped = 99;
	int i;

	hcl_event_limit_init(&l, 10, 3, 1000);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, 1000,
							      &dropped));
		KUNIT_EXPECT_EQ(test, dropped, 0U);
	}
	KUNIT_EXPECT_FALSE(test, hcl_event_limit_allow(&l, 1000, &dropped));
	KUNIT_EXPECT_FALSE(test, hcl_event_limit_allow(&l, 1000, &dropped));
	KUNIT_EXPECT_EQ(test, l.sent_total, 3ULL);
	KUNIT_EXPECT_EQ(test, l.dropped_total, 2ULL);
}

/* time refills at the rate; the next event says how many were dropped */
static void limit_refill(struct kunit *test)
{
	u64 t = 5 * NSEC_PER_SEC, step = NSEC_PER_SEC / 10;
	struct hcl_event_limit l;
	u32 dropped;

	hcl_event_limit_init(&l, 10, 1, t);
	KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, t, &dropped));
	KUNIT_EXPECT_FALSE(test, hcl_event_limit_allow(&l, t + 1, &dropped));
	KUNIT_EXPECT_FALSE(test, hcl_event_limit_allow(&l, t + step - 1,
						       &dropped));
	KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, t + step, &dropped));
	KUNIT_EXPECT_EQ(test, dropped, 2U);
	/* a long quiet time refills to the burst, not beyond */
	t += 100 * NSEC_PER_SEC;
	KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, t, &dropped));
	KUNIT_EXPECT_EQ(test, dropped, 0U);
	KUNIT_EXPECT_FALSE(test, hcl_event_limit_allow(&l, t, &dropped));
}

/* a clock that goes backwards adds no credit */
static void limit_clock_backwards(struct kunit *test)
{
	struct hcl_event_limit l;
	u32 dropped;

	hcl_event_limit_init(&l, 1, 1, NSEC_PER_SEC);
	KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, NSEC_PER_SEC,
						      &dropped));
	KUNIT_EXPECT_FALSE(test, hcl_event_limit_allow(&l, 0, &dropped));
	KUNIT_EXPECT_FALSE(test, hcl_event_limit_allow(&l, NSEC_PER_SEC,
						       &dropped));
	KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, 2 * NSEC_PER_SEC,
						      &dropped));
}

/* a smaller burst caps the bucket at once; a higher rate refills faster */
static void limit_set(struct kunit *test)
{
	struct hcl_event_limit l;
	u32 dropped;

	hcl_event_limit_init(&l, 1, 100, 0);
	hcl_event_limit_set(&l, 1000, 2, 0);
	KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, 0, &dropped));
	KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, 0, &dropped));
	KUNIT_EXPECT_FALSE(test, hcl_event_limit_allow(&l, 0, &dropped));
	KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, NSEC_PER_MSEC,
						      &dropped));
	KUNIT_EXPECT_EQ(test, dropped, 1U);

	/* a lower rate keeps the events in the bucket, up to the burst */
	hcl_event_limit_init(&l, 100, 20, 0);
	KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, 0, &dropped));
	hcl_event_limit_set(&l, 1, 2, 0);
	KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, 0, &dropped));
	KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, 0, &dropped));
	KUNIT_EXPECT_FALSE(test, hcl_event_limit_allow(&l, 0, &dropped));
}

/* years of quiet at the highest rate fill the bucket without overflow */
static void limit_long_quiet(struct kunit *test)
{
	struct hcl_event_limit l;
	u32 dropped;
	int i;

	hcl_event_limit_init(&l, HCL_EVENT_RATE_MAX, HCL_EVENT_RATE_MAX, 0);
	for (i = 0; i < HCL_EVENT_RATE_MAX; i++)
		hcl_event_limit_allow(&l, 0, &dropped);
	KUNIT_EXPECT_FALSE(test, hcl_event_limit_allow(&l, 0, &dropped));
	KUNIT_EXPECT_TRUE(test, hcl_event_limit_allow(&l, U64_MAX / 2,
						      &dropped));
	KUNIT_EXPECT_EQ(test, l.credit,
			(u64)(HCL_EVENT_RATE_MAX - 1) * NSEC_PER_SEC);
}

/* the mask bits are exactly the exits userspace sees */
static void exit_bits(struct kunit *test)
{
	u32 bits = hcl_policy_exit_bits();

	KUNIT_EXPECT_FALSE(test, bits & BIT(HCL_EXIT_NONE));
	KUNIT_EXPECT_TRUE(test, bits & BIT(HCL_EXIT_IO));
	KUNIT_EXPECT_TRUE(test, bits & BIT(HCL_EXIT_SHUTDOWN));
	KUNIT_EXPECT_TRUE(test, bits & BIT(HCL_EXIT_HYPERCALL));
	KUNIT_EXPECT_EQ(test, bits, (u32)GENMASK(HCL_EXIT_HYPERCALL, 1));
	KUNIT_EXPECT_EQ(test, HCL_POLICY_DEFAULT_MASK & ~bits, 0U);
}

static void check_update(struct kunit *test)
{
	struct hcl_policy_update u = {};

	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_ERR_EMPTY);
	u.has_mask = true;
	u.mask = BIT(HCL_EXIT_SHUTDOWN);
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_OK);
	u.mask |= BIT(HCL_EXIT_NONE);
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_ERR_MASK);
	u.mask = BIT(31);
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_ERR_MASK);
	u.mask = 0;
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_OK);
	u.has_flags = true;
	u.flags = HCL_POLICY_FLAGS_FORWARD_UNCLAIMED_IO;
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_OK);
	u.flags = 2;
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_ERR_FLAGS);
	u.flags = 0;
	u.has_rate = true;
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_ERR_RATE);
	u.rate = HCL_EVENT_RATE_MAX + 1;
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_ERR_RATE);
	u.rate = HCL_EVENT_RATE_MAX;
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_OK);
	u.has_burst = true;
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_ERR_BURST);
	u.burst = 1;
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_OK);
	u.has_log_level = true;
	u.log_level = HCL_LOG_LEVEL_ERR - 1;
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_ERR_LOG_LEVEL);
	u.log_level = HCL_LOG_LEVEL_DEBUG + 1;
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_ERR_LOG_LEVEL);
	u.log_level = HCL_LOG_LEVEL_ERR;
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_OK);
	/* the log level alone is a change */
	u = (struct hcl_policy_update){ .has_log_level = true,
					.log_level = HCL_LOG_LEVEL_DEBUG };
	KUNIT_EXPECT_EQ(test, hcl_policy_check(&u), HCL_POLICY_OK);
}

static struct kunit_case hcl_policy_cases[] = {
	KUNIT_CASE(limit_burst),
	KUNIT_CASE(limit_refill),
	KUNIT_CASE(limit_clock_backwards),
	KUNIT_CASE(limit_set),
	KUNIT_CASE(limit_long_quiet),
	KUNIT_CASE(exit_bits),
	KUNIT_CASE(check_update),
	{}
};

HCL_KUNIT_SUITE(policy, hcl_policy_cases);
