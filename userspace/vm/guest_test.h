/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VTL0 test guest's profile (tests/guest/, contract in
 * vtl0_test_abi.h): a flat 64-bit image at 1 MiB, entered in long mode on
 * every VP with its own stack; it checks the CPUID leaves its table holds
 * and reports the outcome on the test device.  HCL_GUEST_CPUID_BAD=1 in
 * the environment corrupts one value so that the check must fail.
 */
#ifndef HCL_VM_GUEST_TEST_H
#define HCL_VM_GUEST_TEST_H

#include <linux/hcl.h>

/*
 * Fills the CPUID table the test guest checks, wrong in one value with
 * @corrupt.  Returns the entry count (0 when @max is too small).
 */
unsigned int guest_test_cpuid(struct hcl_cpuid_entry *e, unsigned int max,
			      int corrupt);

#endif
