// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the guest's CR0 and CR4 writes (kmod/svm/cr.c) and the
 * decoder of the instructions that make them (kmod/insn.c): each #GP a
 * CPU raises, EFER.LMA following LME and PG, the flush decisions, and
 * MOV CR/LMSW/CLTS with REX and AMD's LOCK form of CR8.
 */
#include <kunit/test.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../hcl_kunit.h"
#include "insn.h"
#include "svm/cr.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define PE	X86_CR0_PE
#define PG	X86_CR0_PG
#define LONG_CR0 (PG | PE | X86_CR0_ET | X86_CR0_NE)
#define LONG_EFER (EFER_LME | EFER_LMA)
#define PAE	X86_CR4_PAE

static void cr0_writes(struct kunit *test)
{
	/* the long-mode kernel's own value, and WP on: fine */
	KUNIT_EXPECT_TRUE(test, hcl_cr0_write_ok(LONG_CR0, LONG_CR0, PAE,
						 LONG_EFER, true));
	KUNIT_EXPECT_TRUE(test, hcl_cr0_write_ok(LONG_CR0,
						 LONG_CR0 | X86_CR0_WP, PAE,
						 LONG_EFER, true));
	/* the high half, NW without CD, PG without PE */
	KUNIT_EXPECT_FALSE(test, hcl_cr0_write_ok(LONG_CR0,
						  LONG_CR0 | BIT_ULL(32), PAE,
						  LONG_EFER, true));
	KUNIT_EXPECT_FALSE(test, hcl_cr0_write_ok(LONG_CR0,
						  LONG_CR0 | X86_CR0_NW, PAE,
						  LONG_EFER, true));
	KUNIT_EXPECT_TRUE(test, hcl_cr0_write_ok(LONG_CR0, LONG_CR0 |
						 X86_CR0_NW | X86_CR0_CD,
						 PAE, LONG_EFER, true));
	KUNIT_EXPECT_FALSE(test, hcl_cr0_write_ok(PE, PG, 0, 0, false));
	/* paging off: not in 64-bit code, fine in compatibility mode */
	KUNIT_EXPECT_FALSE(test, hcl_cr0_write_ok(LONG_CR0, LONG_CR0 & ~PG,
						  PAE, LONG_EFER, true));
	KUNIT_EXPECT_TRUE(test, hcl_cr0_write_ok(LONG_CR0, LONG_CR0 & ~PG,
						 PAE, LONG_EFER, false));
	/* paging on with LME: PAE first */
	KUNIT_EXPECT_FALSE(test, hcl_cr0_write_ok(PE, PE | PG, 0, EFER_LME,
						  false));
	KUNIT_EXPECT_TRUE(test, hcl_cr0_write_ok(PE, PE | PG, PAE, EFER_LME,
						 false));
	/* without LME, 32-bit paging needs no PAE */
	KUNIT_EXPECT_TRUE(test, hcl_cr0_write_ok(PE, PE | PG, 0, 0, false));
	/* reserved bits of the low half are the CPU's to ignore */
	KUNIT_EXPECT_TRUE(test, hcl_cr0_write_ok(PE, PE | BIT(27), 0, 0,
						 false));
}

static void cr0_efer_and_flush(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, hcl_cr0_efer(EFER_LME, PE | PG),
			(u64)(EFER_LME | EFER_LMA));
	KUNIT_EXPECT_EQ(test, hcl_cr0_efer(LONG_EFER | EFER_NX, PE),
			(u64)(EFER_LME | EFER_NX));
	KUNIT_EXPECT_EQ(test, hcl_cr0_efer(EFER_SCE, PE | PG), (u64)EFER_SCE);
	KUNIT_EXPECT_TRUE(test, hcl_cr0_flush(PE, PE | PG));
	KUNIT_EXPECT_TRUE(test, hcl_cr0_flush(LONG_CR0, LONG_CR0 | X86_CR0_WP));
	KUNIT_EXPECT_FALSE(test, hcl_cr0_flush(LONG_CR0, LONG_CR0 | X86_CR0_TS));
	KUNIT_EXPECT_FALSE(test, hcl_cr0_flush(LONG_CR0, LONG_CR0));
}

static void cr4_writes(struct kunit *test)
{
	u64 ok = PAE | X86_CR4_PGE | X86_CR4_PCIDE | X86_CR4_LA57 |
		 X86_CR4_OSFXSR;

	KUNIT_EXPECT_TRUE(test, hcl_cr4_write_ok(PAE, PAE | X86_CR4_PGE,
						 LONG_EFER, 0x1000, ok));
	/* a bit the guest may not set */
	KUNIT_EXPECT_FALSE(test, hcl_cr4_write_ok(PAE, PAE | X86_CR4_SMEP,
						  LONG_EFER, 0x1000, ok));
	KUNIT_EXPECT_FALSE(test, hcl_cr4_write_ok(PAE, PAE | BIT_ULL(40),
						  LONG_EFER, 0x1000, ok));
	/* in long mode PAE stays and LA57 does not change */
	KUNIT_EXPECT_FALSE(test, hcl_cr4_write_ok(PAE, 0, LONG_EFER, 0x1000,
						  ok));
	KUNIT_EXPECT_FALSE(test, hcl_cr4_write_ok(PAE, PAE | X86_CR4_LA57,
						  LONG_EFER, 0x1000, ok));
	KUNIT_EXPECT_TRUE(test, hcl_cr4_write_ok(0, PAE | X86_CR4_LA57,
						 EFER_LME, 0x1000, ok));
	KUNIT_EXPECT_TRUE(test, hcl_cr4_write_ok(PAE, 0, 0, 0x1000, ok));
	/* PCIDE: long mode, CR3's PCID zero */
	KUNIT_EXPECT_TRUE(test, hcl_cr4_write_ok(PAE, PAE | X86_CR4_PCIDE,
						 LONG_EFER, 0x1000, ok));
	KUNIT_EXPECT_FALSE(test, hcl_cr4_write_ok(PAE, PAE | X86_CR4_PCIDE,
						  LONG_EFER, 0x1001, ok));
	KUNIT_EXPECT_FALSE(test, hcl_cr4_write_ok(PAE, PAE | X86_CR4_PCIDE,
						  EFER_LME, 0x1000, ok));
	/* already on: CR3's low bits are a PCID */
	KUNIT_EXPECT_TRUE(test, hcl_cr4_write_ok(PAE | X86_CR4_PCIDE,
						 PAE | X86_CR4_PCIDE |
						 X86_CR4_PGE, LONG_EFER,
						 0x1001, ok));
	/* flushes */
	KUNIT_EXPECT_TRUE(test, hcl_cr4_flush(PAE | X86_CR4_PGE, PAE));
	KUNIT_EXPECT_TRUE(test, hcl_cr4_flush(PAE | X86_CR4_PCIDE, PAE));
	KUNIT_EXPECT_FALSE(test, hcl_cr4_flush(PAE, PAE | X86_CR4_PCIDE));
	KUNIT_EXPECT_FALSE(test, hcl_cr4_flush(PAE, PAE | X86_CR4_OSFXSR));
}

static void cr_write_decode(struct kunit *test)
{
	static const struct {
		u8 b[6];
		unsigned int n, mode;
		int ret;
		enum hcl_cr_write kind;
		unsigned int len, cr, gpr;
	} t[] = {
		/* mov %rax,%cr0; mov %rbx,%cr4; mov %r9,%cr8 */
		{ { 0x0f, 0x22, 0xc0 }, 3, 64, 0, HCL_CR_MOV, 3, 0, 0 },
		{ { 0x0f, 0x22, 0xe3 }, 3, 64, 0, HCL_CR_MOV, 3, 4, 3 },
		{ { 0x45, 0x0f, 0x22, 0xc1 }, 4, 64, 0, HCL_CR_MOV, 4, 8, 9 },
		/* AMD: lock mov %eax,%cr0 is CR8 */
		{ { 0xf0, 0x0f, 0x22, 0xc0 }, 4, 32, 0, HCL_CR_MOV, 4, 8, 0 },
		/* ModRM mod bits are ignored */
		{ { 0x0f, 0x22, 0x20 }, 3, 64, 0, HCL_CR_MOV, 3, 4, 0 },
		/* lmsw %cx; clts */
		{ { 0x0f, 0x01, 0xf1 }, 3, 16, 0, HCL_CR_LMSW, 3, 0, 1 },
		{ { 0x0f, 0x06 }, 2, 64, 0, HCL_CR_CLTS, 2, 0, 0 },
		/* lmsw from memory, lock on CR4, a MOV from CR, short */
		{ { 0x0f, 0x01, 0x30 }, 3, 64, -EINVAL },
		{ { 0xf0, 0x0f, 0x22, 0xe0 }, 4, 64, -EINVAL },
		{ { 0x0f, 0x20, 0xc0 }, 3, 64, -EINVAL },
		{ { 0x0f, 0x22 }, 2, 64, -EFAULT },
		{ { 0xf3, 0x0f, 0x22, 0xc0 }, 4, 64, -EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		enum hcl_cr_write kind;
		unsigned int len, cr, gpr;
		int ret;

		ret = hcl_decode_cr_write(t[i].b, t[i].n, t[i].mode, &len,
					  &kind, &cr, &gpr);
		KUNIT_EXPECT_EQ_MSG(test, ret, t[i].ret, "case %u", i);
		if (ret || t[i].ret)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, kind, t[i].kind, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, len, t[i].len, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, cr, t[i].cr, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, gpr, t[i].gpr, "case %u", i);
	}
}

static struct kunit_case cr_cases[] = {
	KUNIT_CASE(cr0_writes),
	KUNIT_CASE(cr0_efer_and_flush),
	KUNIT_CASE(cr4_writes),
	KUNIT_CASE(cr_write_decode),
	{}
};

HCL_KUNIT_SUITE(svm_cr, cr_cases);
