// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the MP table (mptable.c), parsed back as Linux would. */
#include <string.h>

#include "kselftest_harness.h"
#include "mptable.h"

#define GPA	0xf0000u

static uint32_t get(const uint8_t *b, int n)
{
	uint32_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void check_table(struct __test_metadata *_metadata, unsigned int cpus)
{
	static uint8_t buf[8192];
	const uint8_t *fp = buf, *hdr, *p, *end;
	unsigned int count, ncpu = 0, nbus = 0, nioapic = 0, nlint = 0, i;
	int pin_of[16];
	size_t len;

	memset(buf, 0xcc, sizeof(buf));
	memset(pin_of, -1, sizeof(pin_of));
	len = mptable_write(buf, sizeof(buf), GPA, cpus, 0x00a00f11,
			    0x178bfbff);
	ASSERT_EQ(mptable_size(cpus), len);
	/* the floating pointer */
	ASSERT_EQ(0, memcmp(fp, "_MP_", 4));
	EXPECT_EQ(0, sum(fp, 16));
	EXPECT_EQ(1, fp[8]);
	EXPECT_EQ(4, fp[9]);
	EXPECT_EQ(0, fp[11]);		/* feature 1: a table, no default */
	ASSERT_EQ(GPA + 16, get(fp + 4, 4));
	/* the header */
	hdr = buf + (get(fp + 4, 4) - GPA);
	ASSERT_EQ(0, memcmp(hdr, "PCMP", 4));
	EXPECT_EQ(0, sum(hdr, get(hdr + 4, 2)));
	EXPECT_EQ(MPTABLE_LAPIC_ADDR, get(hdr + 36, 4));
	EXPECT_EQ(len - 16, get(hdr + 4, 2));
	count = get(hdr + 34, 2);
	end = hdr + get(hdr + 4, 2);
	/* the entries */
	p = hdr + MP_HEADER_SIZE;
	for (i = 0; i < count; i++) {
		ASSERT_LT(p, end);
		switch (p[0]) {
		case MP_CPU:
			EXPECT_EQ(ncpu, p[1]);		/* APIC id = VP */
			EXPECT_EQ(ncpu == 0 ? 3 : 1, p[3]);	/* EN, BP */
			EXPECT_EQ(0x00a00f11u, get(p + 4, 4));
			ncpu++;
			p += MP_CPU_SIZE;
			break;
		case MP_BUS:
			EXPECT_EQ(0, memcmp(p + 2, "ISA   ", 6));
			nbus++;
			p += 8;
			break;
		case MP_IOAPIC:
			EXPECT_EQ(cpus, p[1]);
			EXPECT_EQ(1, p[3] & 1);
			EXPECT_EQ(MPTABLE_IOAPIC_ADDR, get(p + 4, 4));
			nioapic++;
			p += 8;
			break;
		case MP_IOINT:
			EXPECT_EQ(MP_INT_INT, p[1]);
			EXPECT_EQ(0u, get(p + 2, 2));	/* conforms: edge, high */
			EXPECT_EQ(0, p[4]);
			EXPECT_EQ(cpus, p[6]);
			ASSERT_LT(p[5], 16);
			pin_of[p[5]] = p[7];
			p += 8;
			break;
		case MP_LINT:
			EXPECT_EQ(0xff, p[6]);
			EXPECT_EQ(nlint ? MP_INT_NMI : MP_INT_EXTINT, p[1]);
			EXPECT_EQ(nlint, p[7]);		/* LINT0, LINT1 */
			nlint++;
			p += 8;
			break;
		default:
			ASSERT_TRUE(0) TH_LOG("entry type %u", p[0]);
		}
	}
	EXPECT_EQ(end, p);
	EXPECT_EQ(cpus, ncpu);
	EXPECT_EQ(1, nbus);
	EXPECT_EQ(1, nioapic);
	EXPECT_EQ(2, nlint);
	EXPECT_EQ(2, pin_of[0]);		/* the timer on pin 2 */
	EXPECT_EQ(-1, pin_of[2]);
	for (i = 1; i < 16; i++)
		if (i != 2)
			EXPECT_EQ((int)i, pin_of[i]);
	EXPECT_EQ(0xcc, buf[len]);		/* nothing written past it */
}

TEST(one_cpu)
{
	check_table(_metadata, 1);
}

TEST(four_cpus)
{
	check_table(_metadata, 4);
}

TEST(most_cpus)
{
	check_table(_metadata, MPTABLE_MAX_CPUS);
}

TEST(refused)
{
	uint8_t buf[64];

	EXPECT_EQ(0u, mptable_write(buf, sizeof(buf), GPA, 1, 0, 0));
	static uint8_t big[8192];
	EXPECT_EQ(0u, mptable_write(big, sizeof(big), GPA, 0, 0, 0));
	EXPECT_EQ(0u, mptable_write(big, sizeof(big), GPA, MPTABLE_MAX_CPUS + 1,
				    0, 0));
	EXPECT_EQ(0u, mptable_write(big, sizeof(big), GPA + 8, 1, 0, 0));
}

TEST_HARNESS_MAIN
