// SPDX-License-Identifier: GPL-2.0
/*
 * hcl_kunit.ko: the KUnit suites for hcl.ko, one file per source file it
 * tests (tests/kunit/<source>_kunit.c, tests/kunit/svm/ for the SVM
 * backend).  Loaded after hcl.ko; no VP ever runs here.
 */
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for hcl.ko");
