// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the host-state check (kmod/svm/host_state.c): which
 * difference between two snapshots it reports, and that reading this
 * CPU's state twice with nothing in between reports none.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/irqflags.h>
#include <linux/string.h>

#include "../hcl_kunit.h"
#include "svm/host_state.h"

static void fill(struct hcl_host_state *s)
{
	int reg;

	s->valid = GENMASK(HCL_HOST_NR - 1, 0);
	for (reg = 0; reg < HCL_HOST_NR; reg++)
		s->val[reg] = 0x1000 + reg;
}

/* the same snapshot twice: nothing to report */
static void host_state_same(struct kunit *test)
{
	struct hcl_host_state a, b;

	fill(&a);
	b = a;
	KUNIT_EXPECT_EQ(test, hcl_host_state_diff(&a, &b), -1);
}

/* each register, changed alone, is the one reported */
static void host_state_each_register(struct kunit *test)
{
	struct hcl_host_state a, b;
	int reg;

	fill(&a);
	for (reg = 0; reg < HCL_HOST_NR; reg++) {
		b = a;
		b.val[reg] ^= BIT_ULL(reg % 64);
		KUNIT_EXPECT_EQ(test, hcl_host_state_diff(&a, &b), reg);
	}
	/* two changed: the first in the table */
	b = a;
	b.val[HCL_HOST_DR7] = 0x401;
	b.val[HCL_HOST_PKRU] = 0xc;
	KUNIT_EXPECT_EQ(test, hcl_host_state_diff(&a, &b), HCL_HOST_PKRU);
}

/* registers neither snapshot has are skipped; one-sided ones reported */
static void host_state_validity(struct kunit *test)
{
	struct hcl_host_state a, b;

	fill(&a);
	a.valid &= ~BIT(HCL_HOST_XSS);
	b = a;
	b.val[HCL_HOST_XSS] = 0xdead;	/* not read on this CPU: ignored */
	KUNIT_EXPECT_EQ(test, hcl_host_state_diff(&a, &b), -1);
	b.valid |= BIT(HCL_HOST_XSS);
	KUNIT_EXPECT_EQ(test, hcl_host_state_diff(&a, &b), HCL_HOST_XSS);
	KUNIT_EXPECT_EQ(test, hcl_host_state_diff(&b, &a), HCL_HOST_XSS);
}

/* every register has a name, and no name is used twice */
static void host_state_names(struct kunit *test)
{
	int i, j;

	for (i = 0; i < HCL_HOST_NR; i++) {
		KUNIT_EXPECT_STRNEQ(test, hcl_host_reg_name(i), "?");
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, hcl_host_reg_name(i),
					    hcl_host_reg_name(j));
	}
	KUNIT_EXPECT_STREQ(test, hcl_host_reg_name(-1), "?");
	KUNIT_EXPECT_STREQ(test, hcl_host_reg_name(HCL_HOST_NR), "?");
}

/* this CPU, read twice with interrupts off: the same, with the basics */
static void host_state_read_is_stable(struct kunit *test)
{
	struct hcl_host_state a, b;
	unsigned long flags;

	local_irq_save(flags);
	hcl_host_state_read(&a, false);
	hcl_host_state_read(&b, false);
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, hcl_host_state_diff(&a, &b), -1);
	KUNIT_EXPECT_TRUE(test, a.valid & BIT(HCL_HOST_EFER));
	KUNIT_EXPECT_TRUE(test, a.val[HCL_HOST_EFER] & EFER_LMA);
	KUNIT_EXPECT_TRUE(test, a.valid & BIT(HCL_HOST_LSTAR));
	KUNIT_EXPECT_FALSE(test, a.valid & BIT(HCL_HOST_TSC_AUX));
}

static struct kunit_case host_state_cases[] = {
	KUNIT_CASE(host_state_same),
	KUNIT_CASE(host_state_each_register),
	KUNIT_CASE(host_state_validity),
	KUNIT_CASE(host_state_names),
	KUNIT_CASE(host_state_read_is_stable),
	{}
};

HCL_KUNIT_SUITE(svm_host_state, host_state_cases);
