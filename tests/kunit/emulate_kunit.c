// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the generic side of exit handling (kmod/emulate.c): the
 * table of user exit names and the completion of a user exit.  The
 * emulation helpers themselves are driven through the SVM exit decoder
 * (svm/exit_kunit.c), as the run loop drives them.
 */
#include <kunit/test.h>
#include <linux/string.h>

#include "hcl_kunit.h"
#include "emulate.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* every reason userspace can see has one name, and only those */
static void user_exit_names(struct kunit *test)
{
	u32 r, q;

	KUNIT_EXPECT_NULL(test, hcl_user_exit_name(HCL_EXIT_NONE));
	for (r = HCL_EXIT_NONE + 1; r <= HCL_EXIT_HYPERCALL; r++) {
		const char *name = hcl_user_exit_name(r);

		KUNIT_ASSERT_NOT_NULL_MSG(test, name, "reason %u", r);
		for (q = HCL_EXIT_NONE + 1; q < r; q++)
			KUNIT_EXPECT_STRNEQ(test, name, hcl_user_exit_name(q));
	}
	KUNIT_EXPECT_NULL(test, hcl_user_exit_name(HCL_EXIT_HYPERCALL + 1));
	KUNIT_EXPECT_STREQ(test, hcl_user_exit_name(HCL_EXIT_IO), "io");
	KUNIT_EXPECT_STREQ(test, hcl_user_exit_name(HCL_EXIT_VTL_VIOLATION),
			   "vtl_violation");
	KUNIT_EXPECT_STREQ(test, hcl_user_exit_name(HCL_EXIT_HYPERCALL),
			   "hypercall");
}

static void count_completion(struct hcl_vp *vp)
{
	vp->gprs.r[HCL_REG_RAX]++;
}

/* a completion runs once, at the next run, and is consumed */
static void complete_once(struct kunit *test)
{
	struct hcl_vp *vp = kunit_kzalloc(test, sizeof(*vp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vp);
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 0ULL);
	vp->complete_user_exit = count_completion;
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 1ULL);
	KUNIT_EXPECT_NULL(test, vp->complete_user_exit);
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 1ULL);
}

static struct kunit_case hcl_emulate_cases[] = {
	KUNIT_CASE(user_exit_names),
	KUNIT_CASE(complete_once),
	{}
};

HCL_KUNIT_SUITE(emulate, hcl_emulate_cases);
