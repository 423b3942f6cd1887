// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the debug registers around VMRUN (hcl_dr_entry() and
 * hcl_dr_exit() in kmod/svm/svm.h): which breakpoints make the entry load
 * the guest's DR0-DR3, and what the exit puts back for the host.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <asm/debugreg.h>

#include "../hcl_kunit.h"
#include "svm/svm.h"

#define ENTRY_ALL	(HCL_DR_HOST_OFF | HCL_DR_LOAD_GUEST)

/* the kernel's names for the values svm.h spells out */
static void dr_constants(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, HCL_DR6_RESET, (u64)DR6_RESERVED);
	KUNIT_EXPECT_EQ(test, HCL_DR7_ENABLES,
			(u64)(DR_LOCAL_ENABLE_MASK | DR_GLOBAL_ENABLE_MASK));
	/* a VP's reset DR6 and DR7 ask for nothing */
	KUNIT_EXPECT_EQ(test, hcl_dr6_fixed(0), HCL_DR6_RESET);
	KUNIT_EXPECT_EQ(test, hcl_dr_entry(hcl_dr7_fixed(0), false), 0U);
	KUNIT_EXPECT_EQ(test, hcl_dr_exit(hcl_dr6_fixed(0), false), 0U);
}

/* each of L0-L3 and G0-G3 takes the guest's DR0-DR3, nothing else does */
static void dr_entry_guest_enables(struct kunit *test)
{
	static const u64 inert[] = {
		DR7_FIXED_1,
		DR7_FIXED_1 | BIT(8) | BIT(9),		/* LE, GE */
		DR7_FIXED_1 | BIT(13),			/* GD */
		DR7_FIXED_1 | 0xffff0000ULL,		/* R/W, LEN */
	};
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u64 dr7 = DR7_FIXED_1 | BIT(i);

		KUNIT_EXPECT_EQ(test, hcl_dr_entry(dr7, false),
				HCL_DR_LOAD_GUEST);
		KUNIT_EXPECT_EQ(test, hcl_dr_entry(dr7 | 0x30000, true),
				ENTRY_ALL);
	}
	for (i = 0; i < ARRAY_SIZE(inert); i++) {
		KUNIT_EXPECT_EQ(test, hcl_dr_entry(inert[i], false), 0U);
		KUNIT_EXPECT_EQ(test, hcl_dr_entry(inert[i], true),
				HCL_DR_HOST_OFF);
	}
}

/*
 * The host's armed breakpoints come back whatever the guest left; else
 * only a DR6 not at its reset value is written.
 */
static void dr_exit_restores(struct kunit *test)
{
	static const u64 dirty[] = {
		HCL_DR6_RESET | BIT(0),			/* B0 */
		HCL_DR6_RESET | BIT(3),			/* B3 */
		HCL_DR6_RESET | BIT(14),		/* BS */
		HCL_DR6_RESET & ~BIT_ULL(16),		/* RTM, active low */
	};
	unsigned int i;

	KUNIT_EXPECT_EQ(test, hcl_dr_exit(HCL_DR6_RESET, true),
			HCL_DR_RESTORE_HOST);
	KUNIT_EXPECT_EQ(test, hcl_dr_exit(HCL_DR6_RESET, false), 0U);
	for (i = 0; i < ARRAY_SIZE(dirty); i++) {
		KUNIT_EXPECT_EQ(test, hcl_dr_exit(dirty[i], true),
				HCL_DR_RESTORE_HOST);
		KUNIT_EXPECT_EQ(test, hcl_dr_exit(dirty[i], false),
				HCL_DR_RESET_DR6);
	}
}

static struct kunit_case hcl_svm_dr_cases[] = {
	KUNIT_CASE(dr_constants),
	KUNIT_CASE(dr_entry_guest_enables),
	KUNIT_CASE(dr_exit_restores),
	{}
};

HCL_KUNIT_SUITE(svm_dr, hcl_svm_dr_cases);
