// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for kvmclock (kmod/pvclock.c): the scale it gives the guest
 * and the structure's contents.
 */
#include <kunit/test.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>

#include "hcl_kunit.h"
#include "irq.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* what a guest computes from the structure, the way Linux's pvclock does */
static u64 guest_read(const struct pvclock_vcpu_time_info *t, u64 tsc)
{
	u64 d = tsc - t->tsc_timestamp;

	if (t->tsc_shift >= 0)
		d <<= t->tsc_shift;
	else
		d >>= -t->tsc_shift;
	return t->system_time + mul_u64_u32_shr(d, t->tsc_to_system_mul, 32);
}

static void pvclock_contents(struct kunit *test)
{
	struct hcl_irqchip *chip = hcl_irqchip_alloc(NULL, 1);
	struct pvclock_vcpu_time_info t = {};
	u64 khz, ns;

	KUNIT_ASSERT_NOT_NULL(test, chip);
	hcl_pvclock_fill(chip, &t);
	KUNIT_EXPECT_EQ(test, t.tsc_timestamp, chip->clock_tsc);
	KUNIT_EXPECT_EQ(test, t.system_time, 0ULL);
	/* normalised: mul in [2^31, 2^32) */
	KUNIT_EXPECT_GE(test, t.tsc_to_system_mul, 0x80000000U);
	KUNIT_EXPECT_EQ(test, t.flags & ~PVCLOCK_TSC_STABLE_BIT, 0);
	/* the frequency the guest derives is the TSC's */
	khz = div_u64(1000000ULL << 32, t.tsc_to_system_mul);
	khz = t.tsc_shift >= 0 ? khz >> t.tsc_shift : khz << -t.tsc_shift;
	/* to 2 ppm: mul's truncation, doubled by each step of shift */
	KUNIT_EXPECT_LE(test, abs_diff(khz, (u64)chip->tsc_khz) * 1000000,
			(u64)chip->tsc_khz * 2 + 1000000);
	if (tsc_khz)
		KUNIT_EXPECT_EQ(test, chip->tsc_khz, tsc_khz);
	/* one second of TSC is one second of guest time, to 1 ppm */
	ns = guest_read(&t, t.tsc_timestamp + chip->tsc_khz * 1000ULL);
	KUNIT_EXPECT_LE(test, abs_diff(ns, (u64)NSEC_PER_SEC), (u64)1000);
	KUNIT_EXPECT_EQ(test, hcl_pvclock_guest_ns(chip, t.tsc_timestamp +
						   chip->tsc_khz * 1000ULL), ns);
	hcl_irqchip_free(chip);
}

static struct kunit_case hcl_pvclock_cases[] = {
	KUNIT_CASE(pvclock_contents),
	{}
};

HCL_KUNIT_SUITE(pvclock, hcl_pvclock_cases);
