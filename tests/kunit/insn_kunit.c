// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the x86 prefix scanner and the decoders built on it
 * (kmod/insn.c): the MOV DR decoder, the single-step check of the NMI
 * window and the PAUSE check of pause exits.
 */
#include <kunit/test.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <uapi/linux/hcl.h>

#include "hcl_kunit.h"
#include "insn.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

struct pfx_case {
	const char *name;
	u8 mode;
	u8 b[16];
	u8 n;			/* bytes given */
	int ret;
	u8 len, legacy, rex;	/* expected on success */
};

#define B(...)		.b = { __VA_ARGS__ }, .n = sizeof((u8[]){ __VA_ARGS__ })

static const struct pfx_case pfx_cases[] = {
	{ "none", 64, B(0x90), 0, 0, 0, 0 },
	{ "66 67", 32, B(0x66, 0x67, 0x8b), 0, 2,
	  HCL_PFX_OPSIZE | HCL_PFX_ADSIZE, 0 },
	{ "segments", 16, B(0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x8b), 0, 6,
	  HCL_PFX_SEG, 0 },
	{ "lock rep repne", 64, B(0xf0, 0xf3, 0xf2, 0x90), 0, 3,
	  HCL_PFX_LOCK | HCL_PFX_REP | HCL_PFX_REPNE, 0 },
	{ "rex", 64, B(0x48, 0x89), 0, 1, 0, 0x48 },
	{ "66 rex", 64, B(0x66, 0x41, 0x89), 0, 2, HCL_PFX_OPSIZE, 0x41 },
	/* a legacy prefix after REX voids it; the last of several counts */
	{ "rex 66", 64, B(0x48, 0x66, 0x89), 0, 2, HCL_PFX_OPSIZE, 0 },
	{ "rex rex", 64, B(0x48, 0x41, 0x89), 0, 2, 0, 0x41 },
	/* outside 64-bit mode 40-4f are INC/DEC: the opcode */
	{ "inc in 32", 32, B(0x40, 0x89), 0, 0, 0, 0 },
	{ "66 inc in 16", 16, B(0x66, 0x48), 0, 1, HCL_PFX_OPSIZE, 0 },
	/* running out of bytes, running out of the 15-byte limit */
	{ "empty", 64, .n = 0, .ret = -EFAULT },
	{ "prefixes only", 64, B(0x66, 0x48), -EFAULT },
	{ "14 prefixes", 64, B(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
			       0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x90),
	  0, 14, HCL_PFX_SEG, 0 },
	{ "15 prefixes", 64, B(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
			       0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
			       0x90), -EINVAL },
};

static void pfx_desc(const struct pfx_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(pfx, pfx_cases, pfx_desc);

static void insn_prefixes(struct kunit *test)
{
	const struct pfx_case *c = test->param_value;
	struct hcl_insn_prefixes p;

	KUNIT_ASSERT_EQ(test, hcl_insn_prefixes(c->b, c->n, c->mode, &p),
			c->ret);
	if (c->ret)
		return;
	KUNIT_EXPECT_EQ(test, p.len, c->len);
	KUNIT_EXPECT_EQ(test, p.legacy, c->legacy);
	KUNIT_EXPECT_EQ(test, p.rex, c->rex);
}

/* on an error the scan still says which prefixes it saw */
static void insn_prefixes_partial(struct kunit *test)
{
	static const u8 lock[] = { 0xf0 };
	struct hcl_insn_prefixes p;

	KUNIT_EXPECT_EQ(test, hcl_insn_prefixes(lock, 1, 64, &p), -EFAULT);
	KUNIT_EXPECT_EQ(test, p.legacy, HCL_PFX_LOCK);
	KUNIT_EXPECT_EQ(test, p.len, 1);
}

static void mov_dr_decode(struct kunit *test)
{
	static const u8 rd[] = { 0x0f, 0x21, 0xc3 };	/* mov %dr0,%rbx */
	static const u8 wr[] = { 0x41, 0x0f, 0x23, 0xf8 };	/* mov %r8,%dr7 */
	static const u8 mem[] = { 0x0f, 0x21, 0x03 };	/* mod != 3 */
	unsigned int len, gpr;
	bool to_dr;

	KUNIT_ASSERT_EQ(test, hcl_decode_mov_dr(rd, 3, 64, &len, &gpr, &to_dr),
			0);
	KUNIT_EXPECT_EQ(test, len, 3U);
	KUNIT_EXPECT_EQ(test, gpr, (unsigned int)HCL_REG_RBX);
	KUNIT_EXPECT_FALSE(test, to_dr);
	KUNIT_ASSERT_EQ(test, hcl_decode_mov_dr(wr, 4, 64, &len, &gpr, &to_dr),
			0);
	KUNIT_EXPECT_EQ(test, len, 4U);
	KUNIT_EXPECT_EQ(test, gpr, (unsigned int)HCL_REG_R8);
	KUNIT_EXPECT_TRUE(test, to_dr);
	/* outside 64-bit mode 0x41 is not a REX prefix */
	KUNIT_EXPECT_EQ(test, hcl_decode_mov_dr(wr, 4, 32, &len, &gpr, &to_dr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_decode_mov_dr(mem, 3, 64, &len, &gpr,
						&to_dr), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_decode_mov_dr(rd, 2, 64, &len, &gpr, &to_dr),
			-EFAULT);
}

/* the prefix rules the MOV DR decoder shares with the others */
static void mov_dr_prefixes(struct kunit *test)
{
	static const u8 opsize[] = { 0x66, 0x0f, 0x23, 0xf8 };
	static const u8 rex_66[] = { 0x41, 0x66, 0x0f, 0x21, 0xc3 };
	static const u8 seg[] = { 0x2e, 0x0f, 0x21, 0xc3 };
	unsigned int len, gpr;
	bool to_dr;

	KUNIT_ASSERT_EQ(test, hcl_decode_mov_dr(opsize, 4, 32, &len, &gpr,
						&to_dr), 0);
	KUNIT_EXPECT_EQ(test, len, 4U);
	KUNIT_EXPECT_EQ(test, gpr, (unsigned int)HCL_REG_RAX);
	/* the 66 voids the REX: RBX, not R11 */
	KUNIT_ASSERT_EQ(test, hcl_decode_mov_dr(rex_66, 5, 64, &len, &gpr,
						&to_dr), 0);
	KUNIT_EXPECT_EQ(test, len, 5U);
	KUNIT_EXPECT_EQ(test, gpr, (unsigned int)HCL_REG_RBX);
	KUNIT_EXPECT_EQ(test, hcl_decode_mov_dr(seg, 4, 64, &len, &gpr,
						&to_dr), -EINVAL);
}

static void insn_step_safe(struct kunit *test)
{
	static const struct {
		u8 b[4];
		unsigned int len, mode;
		bool safe;
	} c[] = {
		{ { 0x90 }, 1, 64, true },		/* nop */
		{ { 0xf4 }, 1, 64, true },		/* hlt */
		{ { 0x48, 0x89, 0xc4 }, 3, 64, true },	/* mov %rax,%rsp */
		{ { 0x9c }, 1, 64, false },		/* pushf */
		{ { 0x66, 0x9d }, 2, 32, false },	/* popfw */
		{ { 0x48, 0xcf }, 2, 64, false },	/* iretq */
		{ { 0xcd, 0x80 }, 2, 32, false },	/* int $0x80 */
		{ { 0xcc }, 1, 16, false },		/* int3 */
		{ { 0xf1 }, 1, 64, false },		/* int1 */
		{ { 0x0f, 0x05 }, 2, 64, false },	/* syscall */
		{ { 0x0f, 0x34 }, 2, 32, false },	/* sysenter */
		{ { 0x0f, 0xa2 }, 2, 64, true },	/* cpuid */
		{ { 0xff, 0x1d }, 2, 32, false },	/* lcall *m */
		{ { 0xff, 0x2d }, 2, 32, false },	/* ljmp *m */
		{ { 0xff, 0xd0 }, 2, 64, true },	/* call *%rax */
		{ { 0x0f }, 1, 64, false },		/* cut short */
		{ { 0x66, 0x66 }, 2, 64, false },	/* prefixes only */
		{ { 0x40, 0x9c }, 2, 32, true },	/* inc %eax; pushf */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++)
		KUNIT_EXPECT_EQ_MSG(test, hcl_insn_step_safe(c[i].b, c[i].len,
							     c[i].mode),
				    c[i].safe, "case %u", i);
}

/* PAUSE is f3 90; the prefixes that would make it something else */
static void insn_pause_len(struct kunit *test)
{
	static const struct {
		u8 b[HCL_INSN_MAX];
		unsigned int len, mode, want;
	} c[] = {
		{ { 0xf3, 0x90 }, 2, 64, 2 },
		{ { 0xf3, 0x90 }, 2, 16, 2 },
		{ { 0xf3, 0x90, 0xf4 }, 3, 32, 2 },	/* pause; hlt */
		{ { 0x66, 0xf3, 0x90 }, 3, 64, 3 },
		{ { 0xf3, 0x2e, 0x90 }, 3, 32, 3 },
		{ { 0xf3, 0x48, 0x90 }, 3, 64, 3 },	/* REX.W: still PAUSE */
		{ { 0xf3, 0x41, 0x90 }, 3, 64, 0 },	/* xchg %r8d,%eax */
		{ { 0xf3, 0x41, 0x90 }, 3, 32, 0 },	/* inc %ecx; nop */
		{ { 0x90 }, 1, 64, 0 },			/* nop */
		{ { 0xf2, 0x90 }, 2, 64, 0 },
		{ { 0xf3, 0xf2, 0x90 }, 3, 64, 0 },
		{ { 0xf0, 0xf3, 0x90 }, 3, 64, 0 },
		{ { 0xf3, 0x0f, 0xa2 }, 3, 64, 0 },
		{ { 0xf3 }, 1, 64, 0 },			/* cut short */
		{ { 0xeb, 0xfe }, 2, 64, 0 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++)
		KUNIT_EXPECT_EQ_MSG(test, hcl_insn_pause_len(c[i].b, c[i].len,
							     c[i].mode),
				    c[i].want, "case %u", i);
}

/*
 * INS and OUTS: sizes from the opcode and 66, address size from the mode
 * and 67, the memory segment (the last override for OUTS, always ES for
 * INS), REP from f3 or f2; the last override also lands in the scan.
 */
static void string_io_decode(struct kunit *test)
{
	static const struct {
		u8 b[HCL_INSN_MAX];
		unsigned int n, mode;
		int ret;
		u8 len, size, addr_size, seg;
		bool in, rep;
	} c[] = {
		{ { 0x6c }, 1, 64, 0, 1, 1, 8, HCL_SEG_ES, true, false },
		{ { 0xf3, 0x6d }, 2, 64, 0, 2, 4, 8, HCL_SEG_ES, true, true },
		{ { 0x66, 0xf3, 0x6d }, 3, 32, 0, 3, 2, 4, HCL_SEG_ES, true,
		  true },
		{ { 0x6f }, 1, 16, 0, 1, 2, 2, HCL_SEG_DS, false, false },
		{ { 0x66, 0x67, 0x6f }, 3, 16, 0, 3, 4, 4, HCL_SEG_DS, false,
		  false },
		{ { 0x67, 0x6e }, 2, 64, 0, 2, 1, 4, HCL_SEG_DS, false, false },
		{ { 0x67, 0x6e }, 2, 32, 0, 2, 1, 2, HCL_SEG_DS, false, false },
		{ { 0x2e, 0x65, 0x6e }, 3, 64, 0, 3, 1, 8, HCL_SEG_GS, false,
		  false },
		{ { 0x64, 0x36, 0xf2, 0x6f }, 4, 32, 0, 4, 4, 4, HCL_SEG_SS,
		  false, true },
		/* INS takes no override; REX.W makes no qword */
		{ { 0x26, 0x64, 0x6c }, 3, 64, 0, 3, 1, 8, HCL_SEG_ES, true,
		  false },
		{ { 0xf3, 0x48, 0x6f }, 3, 64, 0, 3, 4, 8, HCL_SEG_DS, false,
		  true },
		/* LOCK is #UD; not string I/O; cut short */
		{ { 0xf0, 0x6e }, 2, 64, -EINVAL },
		{ { 0xec }, 1, 64, -EINVAL },
		{ { 0xf3 }, 1, 64, -EFAULT },
	};
	struct hcl_string_io_insn in;
	struct hcl_insn_prefixes p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(&in, 0, sizeof(in));
		KUNIT_ASSERT_EQ_MSG(test, hcl_decode_string_io(c[i].b, c[i].n,
							       c[i].mode, &in),
				    c[i].ret, "case %u", i);
		if (c[i].ret)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, in.len, c[i].len, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, in.size, c[i].size, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, in.addr_size, c[i].addr_size,
				    "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, in.seg, c[i].seg, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, in.in, c[i].in, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, in.rep, c[i].rep, "case %u", i);
	}
	KUNIT_ASSERT_EQ(test, hcl_insn_prefixes(c[7].b, c[7].n, 64, &p), 0);
	KUNIT_EXPECT_EQ(test, p.seg, HCL_SEG_GS);
	KUNIT_ASSERT_EQ(test, hcl_insn_prefixes(c[0].b, c[0].n, 64, &p), 0);
	KUNIT_EXPECT_EQ(test, p.seg, HCL_SEG_DS);
}

static struct kunit_case hcl_insn_cases[] = {
	KUNIT_CASE_PARAM(insn_prefixes, pfx_gen_params),
	KUNIT_CASE(insn_prefixes_partial),
	KUNIT_CASE(mov_dr_decode),
	KUNIT_CASE(mov_dr_prefixes),
	KUNIT_CASE(insn_step_safe),
	KUNIT_CASE(insn_pause_len),
	KUNIT_CASE(string_io_decode),
	{}
};

HCL_KUNIT_SUITE(insn, hcl_insn_cases);
