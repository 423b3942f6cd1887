// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the counters' names (kmod/stats.c): the generic table
 * and the backend's after it, as debugfs shows them.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "hcl_kunit.h"
#include "stats.h"
#include "svm/svm.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* every counter has a name, no two the same; past the last, none */
static void stat_names_unique(struct kunit *test)
{
	unsigned int i, j, n = 0;

	while (hcl_stat_name(n))
		n++;
	KUNIT_EXPECT_EQ(test, n, (unsigned int)HCL_SVM_STAT_END);
	KUNIT_EXPECT_LE(test, n, (unsigned int)HCL_NR_STATS);
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, hcl_stat_name(i),
					    hcl_stat_name(j));
	KUNIT_EXPECT_NULL(test, hcl_stat_name(HCL_NR_STATS));
}

/* the names README documents and the tests read */
static void stat_names_kept(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, hcl_stat_name(HCL_STAT_EXITS), "exits");
	KUNIT_EXPECT_STREQ(test, hcl_stat_name(HCL_STAT_INTR),
			   "host_interrupt");
	KUNIT_EXPECT_STREQ(test, hcl_stat_name(HCL_STAT_VINTR), "irq_window");
	KUNIT_EXPECT_STREQ(test, hcl_stat_name(HCL_STAT_DR), "debug_reg");
	KUNIT_EXPECT_STREQ(test, hcl_stat_name(HCL_STAT_HALT_NS), "halt_ns");
	KUNIT_EXPECT_STREQ(test, hcl_stat_name(HCL_STAT_ASID_NEW), "asid_new");
	KUNIT_EXPECT_STREQ(test, hcl_stat_name(HCL_STAT_VMCB_RELOAD),
			   "vmcb_reload");
	KUNIT_EXPECT_STREQ(test, hcl_stat_name(HCL_STAT_NMI_STEP), "nmi_step");
}

static struct kunit_case hcl_stats_cases[] = {
	KUNIT_CASE(stat_names_unique),
	KUNIT_CASE(stat_names_kept),
	{}
};

HCL_KUNIT_SUITE(stats, hcl_stats_cases);
