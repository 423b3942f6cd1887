// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for string I/O in the kernel (kmod/string_io.c): INS and
 * OUTS fetched from a fake VP's memory, in 64-bit code (identity-mapped
 * by 4-level tables), flat 32-bit code and real mode; unclaimed ports in
 * the kernel, a claimed port one element per exit, the registers as the
 * CPU leaves them, and what goes to userspace raw.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "hcl_kunit.h"
#include "partition.h"
#include "range.h"
#include "string_io.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define MEM		SZ_128K
#define CODE		0x4000ULL	/* the instruction */
#define BUF		0x8000ULL	/* the data */
#define PORT_USER	0x3f8		/* claimed for userspace */
#define PORT_FLOAT	0x80		/* unclaimed */

struct sio_ctx {
	struct hcl_partition part;
	struct hcl_vp vp;
	struct hcl_string_io_exit x;
	u8 *mem;
};

static int sio_init(struct kunit *test)
{
	struct sio_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	u64 *pt;

	if (!c)
		return -ENOMEM;
	c->mem = kunit_kzalloc(test, MEM, GFP_KERNEL);
	c->vp.run = (struct hcl_run *)get_zeroed_page(GFP_KERNEL);
	if (!c->mem || !c->vp.run)
		return -ENOMEM;
	c->part.mem = c->mem;
	c->part.mem_size = MEM;
	c->vp.part = &c->part;
	/* 64-bit: PML4 0x1000, PDPT 0x2000, PD 0x3000 with a 2 MiB page at 0 */
	pt = (u64 *)(c->mem + 0x1000);
	pt[0] = 0x2000 | 3;
	pt = (u64 *)(c->mem + 0x2000);
	pt[0] = 0x3000 | 3;
	pt = (u64 *)(c->mem + 0x3000);
	pt[0] = 0x83;
	test->priv = c;
	return 0;
}

static void sio_exit(struct kunit *test)
{
	struct sio_ctx *c = test->priv;

	if (!c)
		return;
	hcl_range_set_free(rcu_dereference_protected(c->part.ranges, true),
			   false);
	free_page((unsigned long)c->vp.run);
}

static void claim(struct kunit *test, u16 port)
{
	struct sio_ctx *c = test->priv;
	struct hcl_range_set *old = rcu_dereference_protected(c->part.ranges,
							      true);
	struct hcl_range_ent e = {
		.space = HCL_RANGE_PIO, .kind = HCL_RANGE_USER,
		.start = port, .end = port + 4,
	};
	struct hcl_range_set *set = hcl_range_set_add(old, &e);

	KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	RCU_INIT_POINTER(c->part.ranges, set);
	hcl_range_set_free(old, false);
}

/* flat segments, data read/write (3) or code execute/read (0xb), present */
static void flat(struct hcl_string_io_exit *x, u32 limit)
{
	int i;

	for (i = 0; i < HCL_NR_SEGS; i++) {
		x->seg[i].base = 0;
		x->seg[i].limit = limit;
		x->seg[i].attrib = 0x93;
	}
	x->seg[HCL_SEG_CS].attrib = 0x9b;
}

static void mode64(struct sio_ctx *c)
{
	struct hcl_string_io_exit *x = &c->x;

	x->code.mode = 64;
	x->code.cs_base = 0;
	x->code.pg.cr0 = X86_CR0_PE | X86_CR0_PG;
	x->code.pg.cr3 = 0x1000;
	x->code.pg.cr4 = X86_CR4_PAE;
	x->code.pg.efer = EFER_LME | EFER_LMA;
	flat(x, 0xffffffff);
}

static void mode32(struct sio_ctx *c)
{
	struct hcl_string_io_exit *x = &c->x;

	x->code.mode = 32;
	x->code.cs_base = 0;
	x->code.pg.cr0 = X86_CR0_PE;
	x->code.pg.cr3 = 0;
	x->code.pg.cr4 = 0;
	x->code.pg.efer = 0;
	flat(x, 0xffffffff);
}

/*
 * The exit for the instruction @insn (@len bytes) at CODE: what the CPU
 * reports of it, with RIP at it.
 */
static void at(struct sio_ctx *c, const u8 *insn, unsigned int len,
	       u16 port, u8 size, bool in, bool rep)
{
	memcpy(c->mem + CODE, insn, len);
	c->vp.rip = CODE;
	c->x.next_rip = CODE + len;
	c->x.port = port;
	c->x.size = size;
	c->x.in = in;
	c->x.rep = rep;
}

static enum hcl_exit_action run_sio(struct sio_ctx *c)
{
	return hcl_emulate_string_io(&c->vp, &c->x);
}

/* rep outsb to an unclaimed port: all of it in one exit, RIP past it */
static void outs_unclaimed(struct kunit *test)
{
	static const u8 insn[] = { 0xf3, 0x6e };
	struct sio_ctx *c = test->priv;
	u64 *r = c->vp.gprs.r;

	mode64(c);
	at(c, insn, sizeof(insn), PORT_FLOAT, 1, false, true);
	r[HCL_REG_RSI] = BUF;
	r[HCL_REG_RCX] = 10;
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RCX], 0ULL);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RSI], BUF + 10);
	KUNIT_EXPECT_EQ(test, c->vp.rip, CODE + 2);
	KUNIT_EXPECT_EQ(test, c->vp.stats[HCL_STAT_IO_KERNEL], 10ULL);
	KUNIT_EXPECT_EQ(test, c->vp.stats[HCL_STAT_IO_STRING], 1ULL);

	/* REP with RCX 0: no I/O, RIP past it */
	c->vp.rip = CODE;
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, c->vp.stats[HCL_STAT_IO_KERNEL], 10ULL);
	KUNIT_EXPECT_EQ(test, c->vp.rip, CODE + 2);
}

/* rep insw with DF set from an unclaimed port: ones, going down */
static void ins_unclaimed_down(struct kunit *test)
{
	static const u8 insn[] = { 0x66, 0xf3, 0x6d };
	struct sio_ctx *c = test->priv;
	u64 *r = c->vp.gprs.r;

	mode64(c);
	at(c, insn, sizeof(insn), PORT_FLOAT, 2, true, true);
	c->x.df = true;
	r[HCL_REG_RDI] = BUF + 4;
	r[HCL_REG_RCX] = 3;
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RDI], BUF - 2);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RCX], 0ULL);
	KUNIT_EXPECT_EQ(test, *(u16 *)(c->mem + BUF + 4), 0xffff);
	KUNIT_EXPECT_EQ(test, *(u16 *)(c->mem + BUF + 2), 0xffff);
	KUNIT_EXPECT_EQ(test, *(u16 *)(c->mem + BUF), 0xffff);
	KUNIT_EXPECT_EQ(test, *(u16 *)(c->mem + BUF - 2), 0);
	KUNIT_EXPECT_EQ(test, *(u16 *)(c->mem + BUF + 6), 0);
}

/* more than a batch: RIP stays, RCX says how much is left */
static void ins_batched(struct kunit *test)
{
	static const u8 insn[] = { 0xf3, 0x6c };
	struct sio_ctx *c = test->priv;
	u64 *r = c->vp.gprs.r;

	mode64(c);
	at(c, insn, sizeof(insn), PORT_FLOAT, 1, true, true);
	r[HCL_REG_RDI] = 0x5000;
	r[HCL_REG_RCX] = HCL_STRING_IO_BATCH + 5;
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RCX], 5ULL);
	KUNIT_EXPECT_EQ(test, c->vp.rip, CODE);
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RCX], 0ULL);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RDI], 0x5000ULL + HCL_STRING_IO_BATCH + 5);
	KUNIT_EXPECT_EQ(test, c->vp.rip, CODE + 2);
	KUNIT_EXPECT_EQ(test, c->vp.stats[HCL_STAT_IO_STRING], 2ULL);
}

/* a claimed port: one element per exit, an ordinary HCL_EXIT_IO */
static void outs_user(struct kunit *test)
{
	static const u8 insn[] = { 0xf3, 0x6e };
	struct sio_ctx *c = test->priv;
	u64 *r = c->vp.gprs.r;
	int i;

	claim(test, PORT_USER);
	mode64(c);
	memcpy(c->mem + BUF, "abc", 3);
	at(c, insn, sizeof(insn), PORT_USER, 1, false, true);
	r[HCL_REG_RSI] = BUF;
	r[HCL_REG_RCX] = 3;
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, run_sio(c), HCL_ACT_USER);
		KUNIT_EXPECT_EQ(test, c->vp.run->exit_reason,
				(u32)HCL_EXIT_IO);
		KUNIT_EXPECT_EQ(test, c->vp.run->io.port, PORT_USER);
		KUNIT_EXPECT_EQ(test, c->vp.run->io.size, 1);
		KUNIT_EXPECT_EQ(test, c->vp.run->io.direction, HCL_IO_OUT);
		KUNIT_EXPECT_EQ(test, c->vp.run->io.data, (u64)"abc"[i]);
		KUNIT_EXPECT_EQ(test, r[HCL_REG_RCX], 2ULL - i);
		/* the guest runs the instruction again until RCX is 0 */
		KUNIT_EXPECT_EQ(test, c->vp.rip, i < 2 ? CODE : CODE + 2);
		KUNIT_EXPECT_NULL(test, c->vp.complete_user_exit);
	}
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RSI], BUF + 3);
	KUNIT_EXPECT_EQ(test, c->vp.stats[HCL_STAT_IO_USER], 3ULL);
}

/* INS from a claimed port: the element lands when the VMM answers */
static void ins_user(struct kunit *test)
{
	static const u8 insn[] = { 0x6d };	/* insd, no REP */
	struct sio_ctx *c = test->priv;
	u64 *r = c->vp.gprs.r;

	claim(test, PORT_USER);
	mode32(c);
	/* across a page: two bytes in each */
	at(c, insn, sizeof(insn), PORT_USER, 4, true, false);
	r[HCL_REG_RDI] = BUF - 2;
	r[HCL_REG_RCX] = 7;
	KUNIT_ASSERT_EQ(test, run_sio(c), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, c->vp.run->io.direction, HCL_IO_IN);
	KUNIT_EXPECT_EQ(test, c->vp.run->io.size, 4);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RDI], BUF + 2);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RCX], 7ULL);	/* no REP */
	KUNIT_EXPECT_EQ(test, c->vp.rip, CODE + 1);
	KUNIT_EXPECT_EQ(test, *(u32 *)(c->mem + BUF - 2), 0U);
	c->vp.run->io.data = 0xffffffff44332211ULL;
	hcl_complete_user_exit(&c->vp);
	KUNIT_EXPECT_EQ(test, *(u32 *)(c->mem + BUF - 2), 0x44332211U);
	KUNIT_EXPECT_EQ(test, *(u16 *)(c->mem + BUF + 2), 0);
}

/* address size and segments: 67 in 64-bit code, FS, real mode wrap */
static void address_size_and_segments(struct kunit *test)
{
	static const u8 a32[] = { 0x67, 0x6e };		/* outsb, ESI */
	static const u8 fs[] = { 0x64, 0x6e };		/* outsb fs:(rsi) */
	static const u8 es16[] = { 0xf3, 0x6c };	/* rep insb, real mode */
	struct sio_ctx *c = test->priv;
	u64 *r = c->vp.gprs.r;

	claim(test, PORT_USER);
	mode64(c);
	at(c, a32, sizeof(a32), PORT_USER, 1, false, false);
	c->mem[BUF] = 0x5a;
	r[HCL_REG_RSI] = 0xdead000000000000ULL | BUF;
	KUNIT_ASSERT_EQ(test, run_sio(c), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, c->vp.run->io.data, 0x5aULL);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RSI], BUF + 1);	/* zero-extended */

	at(c, fs, sizeof(fs), PORT_USER, 1, false, false);
	c->x.seg[HCL_SEG_FS].base = 0x100;
	c->x.seg[HCL_SEG_DS].base = 0x200;	/* ignored in 64-bit code */
	c->mem[BUF + 0x100] = 0xa5;
	r[HCL_REG_RSI] = BUF;
	KUNIT_ASSERT_EQ(test, run_sio(c), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, c->vp.run->io.data, 0xa5ULL);

	/* real mode: ES base 0x7000, DI wraps at 64 KiB, the rest kept */
	c->x.code.mode = 16;
	c->x.code.pg.cr0 = 0;
	c->x.code.pg.cr4 = 0;
	c->x.code.pg.efer = 0;
	flat(&c->x, 0xffff);
	c->x.seg[HCL_SEG_ES].base = 0x7000;
	at(c, es16, sizeof(es16), PORT_FLOAT, 1, true, true);
	r[HCL_REG_RDI] = 0x123400000000ffffULL;
	r[HCL_REG_RCX] = 0xabcd0002;
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RDI], 0x1234000000000001ULL);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RCX], 0xabcd0000ULL);
	KUNIT_EXPECT_EQ(test, c->mem[0x7000 + 0xffff], 0xff);
	KUNIT_EXPECT_EQ(test, c->mem[0x7000], 0xff);
	KUNIT_EXPECT_EQ(test, c->mem[0x7001], 0);
}

/* what goes to userspace raw, with nothing done */
static void left_to_userspace(struct kunit *test)
{
	static const u8 outsb[] = { 0xf3, 0x6e };
	struct sio_ctx *c = test->priv;
	u64 *r = c->vp.gprs.r;

	mode64(c);
	r[HCL_REG_RSI] = BUF;
	r[HCL_REG_RCX] = 4;
	/* CPL 3 */
	at(c, outsb, sizeof(outsb), PORT_FLOAT, 1, false, true);
	c->x.cpl = 3;
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_UNHANDLED);
	c->x.cpl = 0;
	/* the bytes are not what the exit says (a word, or an IN) */
	at(c, outsb, sizeof(outsb), PORT_FLOAT, 2, false, true);
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_UNHANDLED);
	at(c, outsb, sizeof(outsb), PORT_FLOAT, 1, true, true);
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_UNHANDLED);
	/* not INS/OUTS at all */
	c->mem[CODE + 1] = 0x90;
	c->x.in = false;
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_UNHANDLED);
	/* outside VTL0 RAM (mapped by the guest's 2 MiB page) */
	at(c, outsb, sizeof(outsb), PORT_FLOAT, 1, false, true);
	r[HCL_REG_RSI] = MEM;
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_UNHANDLED);
	/* not mapped: the walk faults */
	r[HCL_REG_RSI] = SZ_4M;
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_UNHANDLED);
	/* 32-bit: past DS's limit, a read-only ES for INS, ES not present */
	mode32(c);
	r[HCL_REG_RSI] = BUF;
	c->x.seg[HCL_SEG_DS].limit = BUF - 1;
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_UNHANDLED);
	c->mem[CODE + 1] = 0x6c;
	c->x.in = true;
	r[HCL_REG_RDI] = BUF;
	c->x.seg[HCL_SEG_ES].attrib = 0x91;
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_UNHANDLED);
	c->x.seg[HCL_SEG_ES].attrib = 0x13;
	KUNIT_EXPECT_EQ(test, run_sio(c), HCL_ACT_UNHANDLED);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RCX], 4ULL);
	KUNIT_EXPECT_EQ(test, r[HCL_REG_RSI], BUF);
	KUNIT_EXPECT_EQ(test, c->vp.rip, CODE);
	KUNIT_EXPECT_EQ(test, c->vp.stats[HCL_STAT_IO_KERNEL], 0ULL);
	KUNIT_EXPECT_EQ(test, c->vp.stats[HCL_STAT_IO_STRING], 0ULL);
}

static struct kunit_case hcl_string_io_cases[] = {
	KUNIT_CASE(outs_unclaimed),
	KUNIT_CASE(ins_unclaimed_down),
	KUNIT_CASE(ins_batched),
	KUNIT_CASE(outs_user),
	KUNIT_CASE(ins_user),
	KUNIT_CASE(address_size_and_segments),
	KUNIT_CASE(left_to_userspace),
	{}
};

HCL_KUNIT_SUITE_FIXTURE(string_io, hcl_string_io_cases, sio_init, sio_exit);
