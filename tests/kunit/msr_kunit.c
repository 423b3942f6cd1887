// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the MSR policy (kmod/msr.c).
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "hcl_kunit.h"
#include "msr.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- MSR policy -------------------------------------------------------- */

static void msr_table_rules(struct kunit *test)
{
	struct hcl_msr_rule r[3] = {
		{ .index = 0x40000010, .action = HCL_MSR_USER },
		{ .index = 0x10, .action = HCL_MSR_EMULATE, .value = 0xf0,
		  .writable = 0x0f },
		{ .index = 0x8b, .action = HCL_MSR_GP },
	};
	struct hcl_msr_table *t;
	u64 v;

	KUNIT_ASSERT_EQ(test, hcl_msr_table_build(r, 3, HCL_MSR_USER, &t), 0);
	KUNIT_EXPECT_EQ(test, t->r[0].index, 0x10U);	/* sorted */
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x40000010, false, &v),
			(u32)HCL_MSR_USER);
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x8b, true, &v),
			(u32)HCL_MSR_GP);
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x99, false, &v),
			(u32)HCL_MSR_USER);	/* the default */
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x10, false, &v),
			(u32)HCL_MSR_EMULATE);
	KUNIT_EXPECT_EQ(test, v, 0xf0ULL);
	v = 0xf5;
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x10, true, &v),
			(u32)HCL_MSR_EMULATE);
	v = 0x05;	/* clears read-only bits */
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x10, true, &v),
			(u32)HCL_MSR_GP);
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x10, false, &v),
			(u32)HCL_MSR_EMULATE);
	KUNIT_EXPECT_EQ(test, v, 0xf5ULL);
	kfree(t);
	KUNIT_EXPECT_EQ(test, hcl_msr_access(NULL, 0x10, false, &v),
			(u32)HCL_MSR_GP);
}

static void msr_table_rejects(struct kunit *test)
{
	struct hcl_msr_rule r[2] = {
		{ .index = 1, .action = HCL_MSR_USER },
		{ .index = 1, .action = HCL_MSR_GP },
	};
	struct hcl_msr_table *t;

	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, 2, HCL_MSR_GP, &t),
			-EINVAL);
	r[1].index = 2;
	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, 2, HCL_MSR_EMULATE, &t),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, 2, 9, &t), -EINVAL);
	r[1].writable = 1;
	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, 2, HCL_MSR_GP, &t),
			-EINVAL);
	r[1].writable = 0;
	r[1].reserved = 1;
	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, 2, HCL_MSR_GP, &t),
			-EINVAL);
	r[1].reserved = 0;
	r[1].action = 3;
	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, 2, HCL_MSR_GP, &t),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, HCL_MAX_MSR_RULES + 1,
						  HCL_MSR_GP, &t), -E2BIG);
	KUNIT_EXPECT_NULL(test, t);
}

static struct kunit_case hcl_msr_cases[] = {
	KUNIT_CASE(msr_table_rules),
	KUNIT_CASE(msr_table_rejects),
	{}
};

HCL_KUNIT_SUITE(msr, hcl_msr_cases);
