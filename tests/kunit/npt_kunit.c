// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the nested page table builder (kmod/npt.c).
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "hcl_kunit.h"
#include "npt.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- nested page tables ------------------------------------------------ */

static void npt_exit(struct kunit *test)
{
	if (test->priv)
		hcl_npt_destroy(test->priv);
}

static struct hcl_npt *npt_new(struct kunit *test)
{
	struct hcl_npt *npt = kunit_kzalloc(test, sizeof(*npt), GFP_KERNEL);

	const int *levels = test->param_value;

	KUNIT_ASSERT_NOT_NULL(test, npt);
	KUNIT_ASSERT_EQ(test, hcl_npt_init(npt, *levels), 0);
	test->priv = npt;
	return npt;
}

/* table pages above the PDPT: PML4, plus the PML5 with 5 levels */
static unsigned long npt_top(struct kunit *test)
{
	return *(const int *)test->param_value - 3;
}

static const int npt_levels[] = { 4, 5 };

static void npt_levels_desc(const int *l, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%d-level", *l);
}

KUNIT_ARRAY_PARAM(npt_levels, npt_levels, npt_levels_desc);

static void npt_init_rejects_levels(struct kunit *test)
{
	struct hcl_npt npt = {};

	KUNIT_EXPECT_EQ(test, hcl_npt_init(&npt, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_init(&npt, 6), -EINVAL);
	KUNIT_EXPECT_NULL(test, npt.root);
}

static void npt_huge_pages(struct kunit *test)
{
	struct hcl_npt *npt = npt_new(test);
	const u64 hpa = 0x40000000ULL, size = 64 * SZ_1M;
	u64 gpa;

	KUNIT_ASSERT_EQ(test, hcl_npt_map(npt, 0, hpa, size), 0);
	/* PML4 (+PML5) + PDPT + one PD: 2 MiB leaves need no page tables */
	KUNIT_EXPECT_EQ(test, npt->nr_tables, npt_top(test) + 2);
	for (gpa = 0; gpa < size; gpa += SZ_2M - PAGE_SIZE)
		KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, gpa), hpa + gpa);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, 0x1234), hpa + 0x1234);
}

static void npt_small_pages(struct kunit *test)
{
	struct hcl_npt *npt = npt_new(test);
	/* host side not 2 MiB aligned: only 4 KiB leaves are possible */
	const u64 hpa = 0x40001000ULL, size = 4 * SZ_1M;
	u64 gpa;

	KUNIT_ASSERT_EQ(test, hcl_npt_map(npt, 0, hpa, size), 0);
	KUNIT_EXPECT_EQ(test, npt->nr_tables, npt_top(test) + 2 + 2);
	for (gpa = 0; gpa < size; gpa += PAGE_SIZE)
		KUNIT_ASSERT_EQ(test, hcl_npt_translate(npt, gpa), hpa + gpa);
}

static void npt_mixed_and_high(struct kunit *test)
{
	struct hcl_npt *npt = npt_new(test);
	const u64 gpa0 = SZ_1G - SZ_16K;	/* straddles a PDPT entry */

	KUNIT_ASSERT_EQ(test, hcl_npt_map(npt, gpa0, 0x80000000ULL - SZ_16K,
					  SZ_4M + SZ_16K), 0);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, gpa0),
			0x80000000ULL - SZ_16K);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, SZ_1G + SZ_2M + 8),
			0x80000000ULL + SZ_2M + 8);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, gpa0 - PAGE_SIZE),
			HCL_NPT_INVALID);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, SZ_1G + SZ_4M),
			HCL_NPT_INVALID);
}

/* What is not VTL0 RAM must be unreachable: VTL2 is excluded. */
static void npt_vtl2_excluded(struct kunit *test)
{
	struct hcl_npt *npt = npt_new(test);
	const u64 base = 0x20000000ULL, size = 8 * SZ_1M;
	u64 gpa;

	KUNIT_ASSERT_EQ(test, hcl_npt_map(npt, 0, base, size), 0);
	for (gpa = 0; gpa < SZ_1G; gpa += SZ_1M) {
		u64 hpa = hcl_npt_translate(npt, gpa);

		if (gpa < size)
			KUNIT_EXPECT_EQ(test, hpa, base + gpa);
		else
			KUNIT_EXPECT_EQ(test, hpa, HCL_NPT_INVALID);
	}
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, size), HCL_NPT_INVALID);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, HCL_NPT_MAX_GPA),
			HCL_NPT_INVALID);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, ~0ULL), HCL_NPT_INVALID);
}

static void npt_rejects_bad(struct kunit *test)
{
	struct hcl_npt *npt = npt_new(test);

	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, 0x100000, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0x10, 0x100000, PAGE_SIZE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, 0x100010, PAGE_SIZE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, 0x100000, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, HCL_NPT_MAX_GPA - PAGE_SIZE,
					  0x100000, 2 * PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, 1ULL << 52, PAGE_SIZE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, ~0ULL & PAGE_MASK,
					  2 * PAGE_SIZE), -EINVAL);
	/* overlaps: 4K over 4K, 2M over a table, 4K inside a 2M leaf */
	KUNIT_ASSERT_EQ(test, hcl_npt_map(npt, 0, 0x100000, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, 0x200000, PAGE_SIZE),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, 0x200000, SZ_2M), -EEXIST);
	KUNIT_ASSERT_EQ(test, hcl_npt_map(npt, SZ_2M, 0x400000, SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, SZ_2M + PAGE_SIZE, 0x100000,
					  PAGE_SIZE), -EEXIST);
}

static struct kunit_case hcl_npt_cases[] = {
	KUNIT_CASE(npt_init_rejects_levels),
	KUNIT_CASE_PARAM(npt_huge_pages, npt_levels_gen_params),
	KUNIT_CASE_PARAM(npt_small_pages, npt_levels_gen_params),
	KUNIT_CASE_PARAM(npt_mixed_and_high, npt_levels_gen_params),
	KUNIT_CASE_PARAM(npt_vtl2_excluded, npt_levels_gen_params),
	KUNIT_CASE_PARAM(npt_rejects_bad, npt_levels_gen_params),
	{}
};

HCL_KUNIT_SUITE_FIXTURE(npt, hcl_npt_cases, NULL, npt_exit);
