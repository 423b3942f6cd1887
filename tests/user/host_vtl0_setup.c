// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: VTL0 page tables, GDT, initial state, image loading. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "vtl0_setup.h"
#include "vtl0_test_abi.h"

#define MEM	(64ULL << 20)

FIXTURE(vtl0) {
	void *mem;
	struct hcl_regs regs;
	struct hcl_sregs sregs;
};

FIXTURE_SETUP(vtl0)
{
	self->mem = calloc(1, MEM);
	ASSERT_NE(NULL, self->mem);
}

FIXTURE_TEARDOWN(vtl0)
{
	free(self->mem);
}

TEST_F(vtl0, long_mode_tables)
{
	uint64_t *pml4, *pdpt, *pd;
	unsigned int i;

	ASSERT_EQ(0, vtl0_setup_long_mode(self->mem, MEM, 0x100000, 0x80000,
					  &self->regs, &self->sregs));
	pml4 = (uint64_t *)((char *)self->mem + HCL_GUEST_PML4_GPA);
	pdpt = pml4 + 512;
	pd = pdpt + 512;
	EXPECT_EQ(HCL_GUEST_PML4_GPA + 0x1000, pml4[0] & ~0xfffULL);
	EXPECT_EQ(HCL_GUEST_PML4_GPA + 0x2000, pdpt[0] & ~0xfffULL);
	for (i = 0; i < 512; i++) {
		if (i < MEM >> 21) {
			EXPECT_EQ((uint64_t)i << 21, pd[i] & ~0xfffULL);
			EXPECT_EQ(0x80, pd[i] & 0x80);	/* 2 MiB page */
			EXPECT_EQ(1, pd[i] & 1);
		} else {
			EXPECT_EQ(0, pd[i]);	/* beyond RAM: not present */
		}
	}
	EXPECT_EQ(0, pml4[1]);
	EXPECT_EQ(0, pdpt[1]);
}

TEST_F(vtl0, long_mode_state)
{
	ASSERT_EQ(0, vtl0_setup_long_mode(self->mem, MEM, 0x100000, 0x80000,
					  &self->regs, &self->sregs));
	EXPECT_EQ(0x100000, self->regs.rip);
	EXPECT_EQ(0x80000, self->regs.gprs[HCL_REG_RSP]);
	EXPECT_EQ(0x2, self->regs.rflags);
	EXPECT_EQ(0x80000031ULL, self->sregs.cr0);
	EXPECT_EQ(0x20, self->sregs.cr4);
	EXPECT_EQ(0x500, self->sregs.efer);
	EXPECT_EQ(HCL_GUEST_PML4_GPA, self->sregs.cr3);
	/* 64-bit code: L set, D clear; data: present, writable */
	EXPECT_EQ(0x200, self->sregs.cs.attrib & 0x600);
	EXPECT_EQ(0x08, self->sregs.cs.selector);
	EXPECT_EQ(0x93, self->sregs.ss.attrib & 0xff);
	EXPECT_EQ(23, self->sregs.gdt.limit);
	EXPECT_EQ(0, self->sregs.reserved[0]);
}

TEST_F(vtl0, bad_sizes)
{
	EXPECT_EQ(-1, vtl0_setup_long_mode(self->mem, 1 << 20, 0x100000,
					   0x80000, &self->regs, &self->sregs));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, vtl0_setup_long_mode(self->mem, MEM + 1, 0x100000,
					   0x80000, &self->regs, &self->sregs));
	/* only the first GiB is mapped: the entry must lie there */
	EXPECT_EQ(-1, vtl0_setup_long_mode(self->mem, 2ULL << 30, 1ULL << 30,
					   0x80000, &self->regs, &self->sregs));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, vtl0_setup_long_mode(self->mem, MEM, MEM, 0x80000,
					   &self->regs, &self->sregs));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, vtl0_setup_long_mode(self->mem, MEM, 0x100000, 0x100,
					   &self->regs, &self->sregs));
}

/* more RAM than one page directory maps: the first GiB is mapped */
TEST_F(vtl0, large_ram_maps_the_first_gib)
{
	uint64_t *pd = (uint64_t *)(self->mem + HCL_GUEST_PML4_GPA + 8192);

	ASSERT_EQ(0, vtl0_setup_long_mode(self->mem, 3ULL << 30, 0x100000,
					  0x80000, &self->regs,
					  &self->sregs));
	EXPECT_EQ((1ULL << 30) - (2ULL << 20), pd[511] & ~0xfffULL);
	EXPECT_EQ(0x100000, self->regs.rip);
}

TEST_F(vtl0, image_placement)
{
	static const unsigned char img[] = { 0x0f, 0xa2, 0xf4 };

	ASSERT_EQ(0, vtl0_load_image(self->mem, MEM, 0x100000, img,
				     sizeof(img)));
	EXPECT_EQ(0, memcmp((char *)self->mem + 0x100000, img, sizeof(img)));
	/* into the page tables, past the end, or wrapping: refused */
	EXPECT_EQ(-1, vtl0_load_image(self->mem, MEM, 0x2000, img,
				      sizeof(img)));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(-1, vtl0_load_image(self->mem, MEM, MEM - 2, img,
				      sizeof(img)));
	EXPECT_EQ(-1, vtl0_load_image(self->mem, MEM, MEM + 4096, img, 0));
	EXPECT_EQ(-1, vtl0_load_image(self->mem, MEM, 0x100000, img,
				      (size_t)-1));
	EXPECT_EQ(0, vtl0_load_image(self->mem, MEM, MEM - 3, img,
				     sizeof(img)));
}

TEST_HARNESS_MAIN
