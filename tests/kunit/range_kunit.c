// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for claimed port and MMIO ranges (kmod/range.c).
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/sizes.h>

#include "hcl_kunit.h"
#include "npt.h"
#include "range.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- claimed ranges ---------------------------------------------------- */

static struct hcl_range_set *range_add(struct kunit *test,
				       struct hcl_range_set *old, u8 space,
				       u64 start, u64 len)
{
	struct hcl_range_ent e = {
		.space = space, .start = start, .end = start + len,
	};
	struct hcl_range_set *set = hcl_range_set_add(old, &e);

	if (!IS_ERR(set))
		hcl_range_set_free(old, false);
	return set;
}

static void range_validate(struct kunit *test)
{
	struct hcl_range r = {
		.space = HCL_RANGE_PIO, .start = 0x3f8, .len = 8,
	};
	const u64 ram = 64 * SZ_1M;

	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), 0);
	r.len = 0;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.start = 0xfff8;
	r.len = 9;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.len = 8;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), 0);
	r.eventfd = 3;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.kind = HCL_RANGE_DOORBELL;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), 0);
	r.kind = 2;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.kind = HCL_RANGE_USER;
	r.eventfd = 0;
	r.space = HCL_RANGE_MMIO;
	r.start = ram - PAGE_SIZE;
	r.len = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.start = ram;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), 0);
	r.start = HCL_NPT_MAX_GPA - PAGE_SIZE;
	r.len = 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.start = ~0ULL - 1;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.start = ram;
	r.len = PAGE_SIZE;
	r.reserved[0] = 1;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.reserved[0] = 0;
	r.space = 7;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
}

static void range_find_sorted(struct kunit *test)
{
	struct hcl_range_set *set = NULL, *next;
	static const u64 starts[] = { 0x600, 0x70, 0x3f8, 0x20, 0xcf8 };
	struct hcl_range_ent gone;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(starts); i++) {
		set = range_add(test, set, HCL_RANGE_PIO, starts[i], 8);
		KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	}
	set = range_add(test, set, HCL_RANGE_MMIO, 0x70, 0x10);
	KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	KUNIT_EXPECT_EQ(test, set->n, 6U);
	for (i = 1; i < set->n; i++)
		KUNIT_EXPECT_TRUE(test, set->r[i - 1].space < set->r[i].space ||
				  set->r[i - 1].start < set->r[i].start);
	for (i = 0; i < ARRAY_SIZE(starts); i++) {
		const struct hcl_range_ent *e;

		e = hcl_range_find(set, HCL_RANGE_PIO, starts[i] + 7, 1);
		KUNIT_ASSERT_NOT_NULL(test, e);
		KUNIT_EXPECT_EQ(test, e->start, starts[i]);
		KUNIT_EXPECT_NULL(test, hcl_range_find(set, HCL_RANGE_PIO,
						       starts[i] + 8, 1));
		/* straddling the end does not match */
		KUNIT_EXPECT_NULL(test, hcl_range_find(set, HCL_RANGE_PIO,
						       starts[i] + 6, 4));
	}
	KUNIT_EXPECT_NOT_NULL(test, hcl_range_find(set, HCL_RANGE_MMIO, 0x7f,
						   1));
	KUNIT_EXPECT_NULL(test, hcl_range_find(set, HCL_RANGE_MMIO, 0x3f8, 1));
	KUNIT_EXPECT_NULL(test, hcl_range_find(NULL, HCL_RANGE_PIO, 0x70, 1));

	/* overlaps in the same space are refused, in another space fine */
	next = range_add(test, set, HCL_RANGE_PIO, 0x3fc, 8);
	KUNIT_EXPECT_EQ(test, PTR_ERR(next), -EEXIST);
	next = range_add(test, set, HCL_RANGE_PIO, 0x1c, 8);
	KUNIT_EXPECT_EQ(test, PTR_ERR(next), -EEXIST);

	next = hcl_range_set_del(set, HCL_RANGE_PIO, 0x70, 0x74, &gone);
	KUNIT_EXPECT_EQ(test, PTR_ERR(next), -ENOENT);
	next = hcl_range_set_del(set, HCL_RANGE_PIO, 0x70, 0x78, &gone);
	KUNIT_ASSERT_FALSE(test, IS_ERR(next));
	KUNIT_EXPECT_EQ(test, gone.start, 0x70ULL);
	KUNIT_EXPECT_EQ(test, next->n, 5U);
	KUNIT_EXPECT_NULL(test, hcl_range_find(next, HCL_RANGE_PIO, 0x70, 1));
	KUNIT_EXPECT_NOT_NULL(test, hcl_range_find(next, HCL_RANGE_MMIO, 0x70,
						   1));
	hcl_range_set_free(set, false);
	hcl_range_set_free(next, false);
}

static void range_limit(struct kunit *test)
{
	struct hcl_range_set *set = NULL, *next;
	unsigned int i;

	for (i = 0; i < HCL_MAX_RANGES; i++) {
		set = range_add(test, set, HCL_RANGE_PIO, 0x100 + i * 2, 1);
		KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	}
	next = range_add(test, set, HCL_RANGE_PIO, 0x1000, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(next), -ENOSPC);
	hcl_range_set_free(set, false);
}

static struct kunit_case hcl_range_cases[] = {
	KUNIT_CASE(range_validate),
	KUNIT_CASE(range_find_sorted),
	KUNIT_CASE(range_limit),
	{}
};

HCL_KUNIT_SUITE(range, hcl_range_cases);
