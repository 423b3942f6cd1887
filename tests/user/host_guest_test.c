// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: the VTL0 test guest's profile (its CPUID table and its
 * test device) and how the VMM picks a profile for a payload.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "bus.h"
#include "guest.h"
#include "guest_test.h"
#include "vtl0_test_abi.h"
#include "dev/testdev.h"

TEST(test_cpuid_table)
{
	struct hcl_cpuid_entry e[4];

	ASSERT_EQ(2, guest_test_cpuid(e, 4, 0));
	EXPECT_EQ(HCL_CPUID_SIG_LEAF, e[0].function);
	EXPECT_EQ(HCL_CPUID_SIG_EBX, e[0].ebx);
	EXPECT_EQ(HCL_CPUID_TEST_EAX, e[1].eax);
	EXPECT_EQ(0, e[1].flags);
	ASSERT_EQ(2, guest_test_cpuid(e, 4, 1));
	EXPECT_NE(HCL_CPUID_TEST_EAX, e[1].eax);
	EXPECT_EQ(0, guest_test_cpuid(e, 1, 0));
}

TEST(testdev_results_per_vp)
{
	struct bus_access a = { .size = 4, .write = true };
	struct testdev t;
	struct bus bus;

	bus_init(&bus, NULL, NULL);
	ASSERT_EQ(0, testdev_add(&t, &bus, HCL_TEST_PORT));
	EXPECT_EQ(TESTDEV_NO_RESULT, testdev_result(&t, 0));
	a.vp = 1;
	a.data = 0;
	ASSERT_EQ(0, bus_access(&bus, HCL_RANGE_PIO, HCL_TEST_PORT, &a));
	a.vp = 2;
	a.data = 3;
	ASSERT_EQ(0, bus_access(&bus, HCL_RANGE_PIO, HCL_TEST_PORT, &a));
	EXPECT_EQ(TESTDEV_NO_RESULT, testdev_result(&t, 0));
	EXPECT_EQ(0U, testdev_result(&t, 1));
	EXPECT_EQ(3U, testdev_result(&t, 2));
	EXPECT_EQ(TESTDEV_NO_RESULT, testdev_result(&t, 1000));
	/* a VP reads back its own result */
	a.write = false;
	ASSERT_EQ(0, bus_access(&bus, HCL_RANGE_PIO, HCL_TEST_PORT, &a));
	EXPECT_EQ(3ULL, a.data);
	/* only 32-bit accesses at the port itself count */
	a.write = true;
	a.size = 1;
	a.data = 9;
	ASSERT_EQ(0, bus_access(&bus, HCL_RANGE_PIO, HCL_TEST_PORT, &a));
	a.size = 2;
	ASSERT_EQ(0, bus_access(&bus, HCL_RANGE_PIO, HCL_TEST_PORT + 2, &a));
	EXPECT_EQ(3U, testdev_result(&t, 2));
	a.write = false;
	ASSERT_EQ(0, bus_access(&bus, HCL_RANGE_PIO, HCL_TEST_PORT + 2, &a));
	EXPECT_EQ(~0ULL, a.data);
	/* a reset forgets every result */
	bus_reset(&bus);
	EXPECT_EQ(TESTDEV_NO_RESULT, testdev_result(&t, 2));
}

/* a profile that knows its payload by a magic, like a bzImage's HdrS */
static bool magic_probe(const void *img, size_t len)
{
	return len >= 4 && !memcmp(img, "MAGI", 4);
}

static struct guest_profile magic_profile = {
	.name = "magic",
	.probe = magic_probe,
};

TEST(profile_choice)
{
	const struct guest_profile *p;

	/* a flat image has no header: the test guest takes it */
	p = guest_find("\x90\x90\xf4", 3);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("test", p->name);
	EXPECT_EQ(NULL, p->probe);
	/* a profile that recognises its payload comes first */
	guest_register(&magic_profile);
	p = guest_find("MAGIC", 5);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("magic", p->name);
	p = guest_find("MAG", 3);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("test", p->name);
}

TEST_HARNESS_MAIN
