// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the CPUID table (kmod/cpuid.c).
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "hcl_kunit.h"
#include "cpuid.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- CPUID ------------------------------------------------------------- */

static const struct hcl_cpuid_entry cpuid_sample[] = {
	{ .function = 0, .eax = 0xd, .ebx = 0x68747541 },
	{ .function = 7, .index = 0, .flags = HCL_CPUID_F_INDEX, .ebx = 1 },
	{ .function = 7, .index = 1, .flags = HCL_CPUID_F_INDEX, .eax = 2 },
	{ .function = 0x40000000, .eax = 0x40000001, .ebx = 0x6c6368 },
};

static void cpuid_validate_accepts_good(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(cpuid_sample,
						 ARRAY_SIZE(cpuid_sample)), 0);
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(NULL, 0), 0);
}

static void cpuid_validate_rejects_bad(struct kunit *test)
{
	struct hcl_cpuid_entry e[2] = {};

	e[0].flags = 0x2;
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 1), -EINVAL);
	e[0].flags = 0;
	e[0].reserved = 1;
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 1), -EINVAL);
	e[0].reserved = 0;
	e[0].index = 3;		/* an index without HCL_CPUID_F_INDEX */
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 1), -EINVAL);
	e[0].index = 0;
	/* duplicates: same leaf twice; leaf-wide entry plus a subleaf */
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 2), -EINVAL);
	e[1].flags = HCL_CPUID_F_INDEX;
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 2), -EINVAL);
	e[0].flags = HCL_CPUID_F_INDEX;
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 2), -EINVAL);
	e[1].index = 1;
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 2), 0);
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, HCL_CPUID_MAX_ENTRIES + 1),
			-E2BIG);
}

static struct hcl_cpuid_table *make_table(struct kunit *test)
{
	struct hcl_cpuid_table *t;

	t = kunit_kzalloc(test, struct_size(t, entries,
					    ARRAY_SIZE(cpuid_sample)),
			  GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->nent = ARRAY_SIZE(cpuid_sample);
	memcpy(t->entries, cpuid_sample, sizeof(cpuid_sample));
	return t;
}

static void cpuid_lookup(struct kunit *test)
{
	struct hcl_cpuid_table *t = make_table(test);
	const struct hcl_cpuid_entry *e;

	e = hcl_cpuid_lookup(t, 0, 99);	/* index ignored for leaf 0 */
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, e->eax, 0xdU);
	e = hcl_cpuid_lookup(t, 7, 1);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, e->eax, 2U);
	e = hcl_cpuid_lookup(t, 7, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, e->ebx, 1U);
	KUNIT_EXPECT_NULL(test, hcl_cpuid_lookup(t, 7, 2));
	KUNIT_EXPECT_NULL(test, hcl_cpuid_lookup(t, 0x80000000, 0));
	KUNIT_EXPECT_NULL(test, hcl_cpuid_lookup(NULL, 0, 0));
}

static struct kunit_case hcl_cpuid_cases[] = {
	KUNIT_CASE(cpuid_validate_accepts_good),
	KUNIT_CASE(cpuid_validate_rejects_bad),
	KUNIT_CASE(cpuid_lookup),
	{}
};

HCL_KUNIT_SUITE(cpuid, hcl_cpuid_cases);
