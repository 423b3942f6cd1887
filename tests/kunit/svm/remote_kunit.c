// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the sidecar hot-plug policy's window
 * (hcl_remote_window() in kmod/svm/svm.h): exits counted per window, a
 * closed window over the rate asks for the CPU, rate 0 never does.
 */
#include <kunit/test.h>
#include <linux/jiffies.h>

#include "../hcl_kunit.h"
#include "svm/svm.h"

#define LEN	100UL

/* @n exits at @now, the answer of the last */
static bool exits_at(unsigned long *start, u32 *exits, unsigned long now,
		     unsigned int n, unsigned int rate)
{
	bool over = false;

	while (n--)
		over = hcl_remote_window(start, exits, now, LEN, rate);
	return over;
}

/* inside a window nothing is decided, whatever the count */
static void window_open(struct kunit *test)
{
	unsigned long start = 1000;
	u32 exits = 0;

	KUNIT_EXPECT_FALSE(test, exits_at(&start, &exits, 1000, 500, 10));
	KUNIT_EXPECT_FALSE(test, exits_at(&start, &exits, 1000 + LEN, 1, 10));
	KUNIT_EXPECT_EQ(test, exits, 501U);
	KUNIT_EXPECT_EQ(test, start, 1000UL);
}

/* the exit that closes a busy window asks; the next window starts anew */
static void window_over(struct kunit *test)
{
	unsigned long start = 1000;
	u32 exits = 0;

	exits_at(&start, &exits, 1050, 10, 10);
	KUNIT_EXPECT_TRUE(test, hcl_remote_window(&start, &exits, 1101, LEN,
						  10));
	KUNIT_EXPECT_EQ(test, exits, 0U);
	KUNIT_EXPECT_EQ(test, start, 1101UL);
	/* the rate itself is not over it */
	exits_at(&start, &exits, 1150, 9, 10);
	KUNIT_EXPECT_FALSE(test, hcl_remote_window(&start, &exits, 1202, LEN,
						   10));
}

/* rate 0 is the policy off: never, however busy */
static void rate_zero(struct kunit *test)
{
	unsigned long start = 0;
	u32 exits = 0;

	exits_at(&start, &exits, 50, 100000, 0);
	KUNIT_EXPECT_FALSE(test, hcl_remote_window(&start, &exits, LEN + 1,
						   LEN, 0));
}

/* jiffies wrap: a window that straddles it closes on time */
static void window_wraps(struct kunit *test)
{
	unsigned long start = ULONG_MAX - 10;
	u32 exits = 0;

	KUNIT_EXPECT_FALSE(test, exits_at(&start, &exits, 20, 50, 10));
	KUNIT_EXPECT_TRUE(test, hcl_remote_window(&start, &exits, LEN,
						  LEN, 10));
}

static struct kunit_case remote_cases[] = {
	KUNIT_CASE(window_open),
	KUNIT_CASE(window_over),
	KUNIT_CASE(rate_zero),
	KUNIT_CASE(window_wraps),
	{}
};

static struct kunit_suite remote_suite = {
	.name = "hcl_svm_remote",
	.test_cases = remote_cases,
};

kunit_test_suite(remote_suite);
