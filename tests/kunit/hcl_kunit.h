/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every hcl KUnit suite file shares: one suite per file, named
 * "hcl_<name>" after the source file it tests, defined and registered
 * in one line at the end of the file.
 */
#ifndef HCL_KUNIT_H
#define HCL_KUNIT_H

#include <kunit/test.h>

/* Suite "hcl_<id>" with its cases array and optional init and exit. */
#define HCL_KUNIT_SUITE_FIXTURE(id, cases, init_fn, exit_fn)		\
	static struct kunit_suite hcl_##id##_suite = {			\
		.name = "hcl_" #id,					\
		.init = init_fn,					\
		.exit = exit_fn,					\
		.test_cases = cases,					\
	};								\
	kunit_test_suites(&hcl_##id##_suite)

#define HCL_KUNIT_SUITE(id, cases)					\
	HCL_KUNIT_SUITE_FIXTURE(id, cases, NULL, NULL)

#endif /* HCL_KUNIT_H */
