// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the guest page-table walker (kmod/gpt.c).
 *
 * The walker runs over a small buffer standing in for guest physical
 * memory; its read callback counts reads and checks their alignment.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <uapi/linux/hcl.h>

#include "hcl_kunit.h"
#include "gpt.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- guest page-table walker ------------------------------------------- */

#define GMEM_SIZE	SZ_64K
/* table pages: level L's table at TBL(L), so PT 0x1000 ... PML5 0x5000 */
#define TBL(level)	((u64)(level) * SZ_4K)
#define PG_DATA		0x8000ULL	/* a 4 KiB data page */
#define F_PRW		(BIT_ULL(0) | BIT_ULL(1) | BIT_ULL(2))	/* P RW US */
#define F_PS		BIT_ULL(7)
#define F_NX		BIT_ULL(63)

struct gmem {
	struct kunit *test;
	u8 *mem;			/* guest physical 0 .. GMEM_SIZE - 1 */
	unsigned int reads;
	unsigned int fail_read;		/* read number (from 1) to fail */
};

static int gmem_read(void *ctx, u64 gpa, u64 *val)
{
	struct gmem *g = ctx;

	g->reads++;
	KUNIT_EXPECT_EQ(g->test, gpa & 7, 0ULL);
	if (g->fail_read == g->reads)
		return -EFAULT;
	if (gpa >= GMEM_SIZE || GMEM_SIZE - gpa < 8)
		return -EFAULT;
	memcpy(val, g->mem + gpa, 8);
	return 0;
}

static struct gmem *gmem_new(struct kunit *test)
{
	struct gmem *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, g);
	g->mem = kunit_kzalloc(test, GMEM_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g->mem);
	g->test = test;
	return g;
}

static void set64(struct gmem *g, u64 gpa, u64 v)
{
	memcpy(g->mem + gpa, &v, 8);
}

static void set32(struct gmem *g, u64 gpa, u32 v)
{
	memcpy(g->mem + gpa, &v, 4);
}

static u64 get64(struct gmem *g, u64 gpa)
{
	u64 v;

	memcpy(&v, g->mem + gpa, 8);
	return v;
}

/* Walks, counting the reads of this walk only. */
static int walk(struct gmem *g, const struct hcl_paging *pg, u64 gva,
		bool write, bool fetch, u64 *gpa)
{
	g->reads = 0;
	return hcl_gva_to_gpa(pg, gva, write, fetch, gmem_read, g, gpa);
}

/* 8-byte entry index of @gva at @level (1 = PT) */
static u64 idx(u64 gva, int level)
{
	return (gva >> (12 + 9 * (level - 1))) & 0x1ff;
}

static u64 entry_gpa(u64 gva, int level)
{
	return TBL(level) + idx(gva, level) * 8;
}

/* Maps @gva to the 4 KiB page @page through one table per level. */
static void map4k(struct gmem *g, int levels, u64 gva, u64 page, u64 flags)
{
	int level;

	for (level = levels; level >= 1; level--)
		set64(g, entry_gpa(gva, level),
		      (level > 1 ? TBL(level - 1) : page) | flags);
}

static struct hcl_paging long_mode(int levels)
{
	struct hcl_paging pg = {
		.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP,
		.cr3 = TBL(levels),
		.cr4 = X86_CR4_PAE | (levels == 5 ? X86_CR4_LA57 : 0),
		.efer = EFER_LME | EFER_LMA | EFER_NX,
	};

	return pg;
}

static void gpt_paging_off(struct kunit *test)
{
	struct gmem *g = gmem_new(test);
	struct hcl_paging pg = { .cr0 = X86_CR0_PE, .cr4 = X86_CR4_PAE };
	u64 gpa;

	KUNIT_EXPECT_EQ(test, walk(g, &pg, 0x12345678, true, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x12345678ULL);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, 0x123456789ULL, false, true, &gpa),
			0);
	KUNIT_EXPECT_EQ(test, gpa, 0x23456789ULL);
	KUNIT_EXPECT_EQ(test, g->reads, 0U);
}

static void gpt_32bit(struct kunit *test)
{
	struct gmem *g = gmem_new(test);
	struct hcl_paging pg = {
		.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP, .cr3 = 0x2000,
	};
	/* PDE 0x101 (odd: high half of a qword), PTE 0x345 (odd) */
	const u32 gva = (0x101 << 22) | (0x345 << 12) | 0x678;
	u64 gpa;

	set32(g, 0x2000 + 0x101 * 4, 0x1000 | 0x7);
	set32(g, 0x1000 + 0x345 * 4, 0xabcde000 | 0x7);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, true, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0xabcde678ULL);
	KUNIT_EXPECT_EQ(test, g->reads, 2U);
	/* outside long mode the upper half of the address is dropped */
	KUNIT_EXPECT_EQ(test, walk(g, &pg, (7ULL << 32) | gva, false, false,
				   &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0xabcde678ULL);

	/* an even entry: the low half of the qword */
	set32(g, 0x2000 + 0x100 * 4, 0x1000 | 0x7);
	set32(g, 0x1000 + 0x344 * 4, 0x5000 | 0x1);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva - (1 << 22) - (1 << 12), false,
				   false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x5678ULL);

	/* write protection: PTE read-only */
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva - (1 << 22) - (1 << 12), true,
				   false, &gpa), -EACCES);
	pg.cr0 &= ~X86_CR0_WP;
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva - (1 << 22) - (1 << 12), true,
				   false, &gpa), 0);
	pg.cr0 |= X86_CR0_WP;
	/* PDE read-only */
	set32(g, 0x2000 + 0x101 * 4, 0x1000 | 0x5);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, false, &gpa), -EACCES);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), 0);

	/* not present: PTE, then PDE */
	set32(g, 0x1000 + 0x345 * 4, 0xabcde000 | 0x6);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EFAULT);
	KUNIT_EXPECT_EQ(test, g->reads, 2U);
	set32(g, 0x2000 + 0x101 * 4, 0x1000 | 0x6);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EFAULT);
	KUNIT_EXPECT_EQ(test, g->reads, 1U);
}

static void gpt_32bit_4m(struct kunit *test)
{
	struct gmem *g = gmem_new(test);
	struct hcl_paging pg = {
		.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP, .cr3 = 0x2000,
		.cr4 = X86_CR4_PSE,
	};
	const u32 gva = (0x3 << 22) | 0x123456;
	u64 gpa;

	set32(g, 0x2000 + 3 * 4, 0x80000000 | F_PS | 0x7);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x80123456ULL);
	KUNIT_EXPECT_EQ(test, g->reads, 1U);

	/* PSE-36: bits 20:13 are address bits 39:32; bit 12 is PAT */
	set32(g, 0x2000 + 3 * 4, 0x80000000 | (0xa5 << 13) | BIT(12) | F_PS |
	      0x5);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0xa580123456ULL);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, false, &gpa), -EACCES);

	/* bit 21 is reserved */
	set32(g, 0x2000 + 3 * 4, 0x80000000 | BIT(21) | F_PS | 0x7);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EINVAL);

	/* without CR4.PSE the PS bit is ignored: the PDE names a PT */
	pg.cr4 = 0;
	set32(g, 0x2000 + 3 * 4, 0x1000 | F_PS | 0x7);
	set32(g, 0x1000 + 0x123 * 4, 0x7000 | 0x7);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x7456ULL);
	KUNIT_EXPECT_EQ(test, g->reads, 2U);
}

static struct hcl_paging pae_mode(void)
{
	struct hcl_paging pg = {
		.cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP,
		.cr3 = 0x3020,		/* PDPT at 0x3020: 32-byte aligned */
		.cr4 = X86_CR4_PAE,
		.efer = EFER_NX,
	};

	return pg;
}

static void gpt_pae(struct kunit *test)
{
	struct gmem *g = gmem_new(test);
	struct hcl_paging pg = pae_mode();
	/* PDPTE 2, PDE 0x1a5, PTE 0x0f3 */
	const u64 gva = (2ULL << 30) | (0x1a5 << 21) | (0x0f3 << 12) | 0xabc;
	u64 gpa;

	set64(g, 0x3020 + 2 * 8, 0x2000 | 0x1);
	set64(g, 0x2000 + 0x1a5 * 8, 0x1000 | 0x7);
	set64(g, 0x1000 + 0x0f3 * 8, 0xfedcba987000ULL | 0x7);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, true, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0xfedcba987abcULL);
	KUNIT_EXPECT_EQ(test, g->reads, 3U);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, (1ULL << 40) | gva, false, false,
				   &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0xfedcba987abcULL);

	/* no-execute with EFER.NXE; reserved without it */
	set64(g, 0x1000 + 0x0f3 * 8, 0x9000 | F_NX | 0x7);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, true, &gpa), -EACCES);
	pg.efer = 0;
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EINVAL);
	pg.efer = EFER_NX;

	/* bits 62:52 are reserved outside long mode */
	set64(g, 0x1000 + 0x0f3 * 8, 0x9000 | BIT_ULL(52) | 0x7);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EINVAL);

	/* a 2 MiB page */
	set64(g, 0x2000 + 0x1a5 * 8, 0x40000000 | BIT_ULL(12) | F_PS | 0x7);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x40000000ULL | (gva & (SZ_2M - 1)));
	KUNIT_EXPECT_EQ(test, g->reads, 2U);
	/* ... whose address bits 20:13 are reserved */
	set64(g, 0x2000 + 0x1a5 * 8, 0x40000000 | BIT_ULL(13) | F_PS | 0x7);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EINVAL);
	/* ... read-only */
	set64(g, 0x2000 + 0x1a5 * 8, 0x40000000 | F_PS | 0x5);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, false, &gpa), -EACCES);

	/* not present: PDE */
	set64(g, 0x2000 + 0x1a5 * 8, 0x40000000 | F_PS | 0x6);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EFAULT);
	KUNIT_EXPECT_EQ(test, g->reads, 2U);
}

static void gpt_pae_pdpte(struct kunit *test)
{
	static const u64 rsvd[] = {
		BIT_ULL(1), BIT_ULL(2), BIT_ULL(5), BIT_ULL(6), BIT_ULL(7),
		BIT_ULL(8), BIT_ULL(63), BIT_ULL(55),
	};
	struct gmem *g = gmem_new(test);
	struct hcl_paging pg = pae_mode();
	const u64 gva = 3ULL << 30;
	unsigned int i;
	u64 gpa;

	set64(g, 0x2000, 0x1000 | 0x7);
	set64(g, 0x1000, 0x6000 | 0x3);
	/* not present */
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EFAULT);
	KUNIT_EXPECT_EQ(test, g->reads, 1U);
	/* present; PWT, PCD and the ignored bits 11:9 are fine */
	set64(g, 0x3020 + 3 * 8, 0x2000 | 0xe19);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x6000ULL);
	/* every reserved bit, PS and XD included, even with NXE */
	for (i = 0; i < ARRAY_SIZE(rsvd); i++) {
		set64(g, 0x3020 + 3 * 8, 0x2000 | 0x1 | rsvd[i]);
		KUNIT_EXPECT_EQ_MSG(test, walk(g, &pg, gva, false, false, &gpa),
				    -EINVAL, "bit %llx", rsvd[i]);
	}
}

/* ---- long mode, parameterised by depth (and a level) */

struct lm_param {
	int levels;
	int level;		/* the level a test changes, 1 = PT */
};

static const struct lm_param lm_params[] = {
	{ 4, 1 }, { 4, 2 }, { 4, 3 }, { 4, 4 },
	{ 5, 1 }, { 5, 2 }, { 5, 3 }, { 5, 4 }, { 5, 5 },
};

static void lm_desc(const struct lm_param *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%d-level, level %d",
		 p->levels, p->level);
}

KUNIT_ARRAY_PARAM(lm, lm_params, lm_desc);

static const int lm_depths[] = { 4, 5 };

static void lm_depth_desc(const int *l, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%d-level", *l);
}

KUNIT_ARRAY_PARAM(lm_depth, lm_depths, lm_depth_desc);

/* A canonical address using every index bit the depth has. */
static u64 lm_gva(int levels)
{
	return levels == 5 ? 0xff5a5a5a5a5a5abcULL : 0xffffa5a5a5a5aabcULL;
}

static void gpt_long_4k(struct kunit *test)
{
	const int levels = *(const int *)test->param_value;
	struct hcl_paging pg = long_mode(levels);
	struct gmem *g = gmem_new(test);
	const u64 gva = lm_gva(levels);
	u64 gpa;

	map4k(g, levels, gva, 0xa000, F_PRW);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, true, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0xa000 | (gva & 0xfff));
	KUNIT_EXPECT_EQ(test, g->reads, (unsigned int)levels);

	/* the leaf's high address bits; CR3's low bits (PCID) are ignored */
	map4k(g, levels, gva, 0x000ffffffffff000ULL, F_PRW);
	pg.cr3 |= 0xfff;
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x000ffffffffff000ULL | (gva & 0xfff));

	/* bits 62:52 are ignored in long mode; PAT (bit 7) in a PTE is too */
	set64(g, entry_gpa(gva, 1), PG_DATA | GENMASK_ULL(62, 52) | F_PS |
	      F_PRW);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, PG_DATA | (gva & 0xfff));
}

static void gpt_long_large(struct kunit *test)
{
	const int levels = *(const int *)test->param_value;
	struct hcl_paging pg = long_mode(levels);
	struct gmem *g = gmem_new(test);
	const u64 gva = lm_gva(levels);
	u64 gpa;

	map4k(g, levels, gva, PG_DATA, F_PRW);

	/* 2 MiB: PAT at bit 12, bits 20:13 reserved */
	set64(g, entry_gpa(gva, 2), 0x7fe00000 | BIT_ULL(12) | F_PS | F_PRW);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, true, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x7fe00000 | (gva & (SZ_2M - 1)));
	KUNIT_EXPECT_EQ(test, g->reads, (unsigned int)levels - 1);
	set64(g, entry_gpa(gva, 2), 0x7fe00000 | BIT_ULL(20) | F_PS | F_PRW);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EINVAL);

	/* 1 GiB: bits 29:13 reserved */
	set64(g, entry_gpa(gva, 3), 0x1c0000000ULL | F_PS | F_PRW);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, true, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x1c0000000ULL | (gva & (SZ_1G - 1)));
	KUNIT_EXPECT_EQ(test, g->reads, (unsigned int)levels - 2);
	set64(g, entry_gpa(gva, 3), 0x1c0000000ULL | BIT_ULL(29) | F_PS |
	      F_PRW);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EINVAL);

	/* PS in a PML4 (and PML5) entry is reserved */
	set64(g, entry_gpa(gva, 2), TBL(1) | F_PRW);
	set64(g, entry_gpa(gva, 3), TBL(2) | F_PRW);
	set64(g, entry_gpa(gva, 4), TBL(3) | F_PS | F_PRW);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EINVAL);
	set64(g, entry_gpa(gva, 4), TBL(3) | F_PRW);
	if (levels == 5) {
		set64(g, entry_gpa(gva, 5), TBL(4) | F_PS | F_PRW);
		KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa),
				-EINVAL);
		set64(g, entry_gpa(gva, 5), TBL(4) | F_PRW);
	}
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, PG_DATA | (gva & 0xfff));
}

static void gpt_long_not_present(struct kunit *test)
{
	const struct lm_param *p = test->param_value;
	struct hcl_paging pg = long_mode(p->levels);
	struct gmem *g = gmem_new(test);
	const u64 gva = lm_gva(p->levels);
	u64 e, gpa;

	map4k(g, p->levels, gva, PG_DATA, F_PRW);
	e = get64(g, entry_gpa(gva, p->level));
	/* not present: everything else in the entry is ignored */
	set64(g, entry_gpa(gva, p->level), (e & ~1ULL) | F_PS | F_NX |
	      GENMASK_ULL(62, 52));
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EFAULT);
	KUNIT_EXPECT_EQ(test, g->reads,
			(unsigned int)(p->levels - p->level + 1));
	/* the read failing at that level is reported the same way */
	set64(g, entry_gpa(gva, p->level), e);
	g->fail_read = p->levels - p->level + 1;
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EFAULT);
	g->fail_read = 0;
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), 0);
}

static void gpt_long_write_protect(struct kunit *test)
{
	const struct lm_param *p = test->param_value;
	struct hcl_paging pg = long_mode(p->levels);
	struct gmem *g = gmem_new(test);
	const u64 gva = lm_gva(p->levels);
	u64 gpa = 0;

	map4k(g, p->levels, gva, PG_DATA, F_PRW);
	set64(g, entry_gpa(gva, p->level),
	      get64(g, entry_gpa(gva, p->level)) & ~BIT_ULL(1));
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, false, &gpa), -EACCES);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, true, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, PG_DATA | (gva & 0xfff));
	/* CPL 0 without CR0.WP writes anywhere */
	pg.cr0 &= ~X86_CR0_WP;
	gpa = 0;
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, PG_DATA | (gva & 0xfff));
}

static void gpt_long_no_execute(struct kunit *test)
{
	const struct lm_param *p = test->param_value;
	struct hcl_paging pg = long_mode(p->levels);
	struct gmem *g = gmem_new(test);
	const u64 gva = lm_gva(p->levels);
	u64 gpa;

	map4k(g, p->levels, gva, PG_DATA, F_PRW);
	set64(g, entry_gpa(gva, p->level),
	      get64(g, entry_gpa(gva, p->level)) | F_NX);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, true, &gpa), -EACCES);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, true, false, &gpa), 0);
	/* without EFER.NXE bit 63 is reserved */
	pg.efer &= ~EFER_NX;
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EINVAL);
	KUNIT_EXPECT_EQ(test, g->reads,
			(unsigned int)(p->levels - p->level + 1));
}

static void gpt_long_canonical(struct kunit *test)
{
	struct gmem *g = gmem_new(test);
	struct hcl_paging pg4 = long_mode(4), pg5;
	u64 gpa;

	/* 4-level: bits 63:47 equal */
	map4k(g, 4, 0x00007ffffffff000ULL, PG_DATA, F_PRW);
	KUNIT_EXPECT_EQ(test, walk(g, &pg4, 0x00007ffffffff123ULL, false,
				   false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, PG_DATA | 0x123);
	KUNIT_EXPECT_EQ(test, walk(g, &pg4, 0x0000800000000000ULL, false,
				   false, &gpa), -EINVAL);
	KUNIT_EXPECT_EQ(test, walk(g, &pg4, 0xffff7fffffffffffULL, false,
				   false, &gpa), -EINVAL);
	KUNIT_EXPECT_EQ(test, walk(g, &pg4, 0x8000000000000000ULL, false,
				   false, &gpa), -EINVAL);
	KUNIT_EXPECT_EQ(test, g->reads, 0U);

	/* 5-level: bits 63:56 equal, so 2^47 is fine there */
	memset(g->mem, 0, GMEM_SIZE);
	pg5 = long_mode(5);
	map4k(g, 5, 0x0000800000000000ULL, PG_DATA, F_PRW);
	KUNIT_EXPECT_EQ(test, walk(g, &pg5, 0x0000800000000456ULL, false,
				   false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, PG_DATA | 0x456);
	KUNIT_EXPECT_EQ(test, walk(g, &pg5, 0x0100000000000000ULL, false,
				   false, &gpa), -EINVAL);
	KUNIT_EXPECT_EQ(test, walk(g, &pg5, 0xfeffffffffffffffULL, false,
				   false, &gpa), -EINVAL);
	KUNIT_EXPECT_EQ(test, g->reads, 0U);
}

static void gpt_long_mode_select(struct kunit *test)
{
	struct gmem *g = gmem_new(test);
	struct hcl_paging pg = long_mode(4);
	const u64 gva = 0x12345678;
	u64 gpa;

	map4k(g, 4, gva, PG_DATA, F_PRW);
	/* EFER.LME with CR0.PG is long mode even before LMA is seen */
	pg.efer = EFER_LME;
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, PG_DATA | 0x678);
	KUNIT_EXPECT_EQ(test, g->reads, 4U);
	/* long mode without CR4.PAE cannot exist */
	pg.cr4 = 0;
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EINVAL);
	/*
	 * LA57 means nothing outside long mode: this is PAE, so the PDPT's
	 * entry, fine for long mode, has reserved R/W and U/S bits set.
	 */
	pg.efer = 0;
	pg.cr4 = X86_CR4_PAE | X86_CR4_LA57;
	pg.cr3 = TBL(3);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, gva, false, false, &gpa), -EINVAL);
	KUNIT_EXPECT_EQ(test, g->reads, 1U);
}

/*
 * Tables pointing back at themselves (the "recursive mapping" trick): the
 * walk still reads one entry per level and ends.
 */
static void gpt_table_loop(struct kunit *test)
{
	struct gmem *g = gmem_new(test);
	struct hcl_paging pg;
	int levels;
	u64 gpa;

	for (levels = 4; levels <= 5; levels++) {
		memset(g->mem, 0, GMEM_SIZE);
		pg = long_mode(levels);
		/* entry 0 of the root points at the root, at every level */
		set64(g, TBL(levels), TBL(levels) | F_PRW);
		KUNIT_EXPECT_EQ(test, walk(g, &pg, 0x123, false, false, &gpa),
				0);
		KUNIT_EXPECT_EQ(test, gpa, TBL(levels) | 0x123);
		KUNIT_EXPECT_EQ(test, g->reads, (unsigned int)levels);
		KUNIT_EXPECT_LE(test, g->reads, 5U);
	}

	/* PAE: the PDPT's entry names the PDPT as PD, and so on */
	memset(g->mem, 0, GMEM_SIZE);
	pg = pae_mode();
	pg.cr3 = 0x3000;
	set64(g, 0x3000, 0x3000 | 0x1);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, 0x10, false, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x3010ULL);
	KUNIT_EXPECT_EQ(test, g->reads, 3U);

	/* 32-bit: the PD is its own PT */
	memset(g->mem, 0, GMEM_SIZE);
	pg.cr4 = 0;
	pg.cr3 = 0x2000;
	set32(g, 0x2000, 0x2000 | 0x7);
	KUNIT_EXPECT_EQ(test, walk(g, &pg, 0x10, false, false, &gpa), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x2010ULL);
	KUNIT_EXPECT_EQ(test, g->reads, 2U);
}

static struct kunit_case hcl_gpt_cases[] = {
	KUNIT_CASE(gpt_paging_off),
	KUNIT_CASE(gpt_32bit),
	KUNIT_CASE(gpt_32bit_4m),
	KUNIT_CASE(gpt_pae),
	KUNIT_CASE(gpt_pae_pdpte),
	KUNIT_CASE_PARAM(gpt_long_4k, lm_depth_gen_params),
	KUNIT_CASE_PARAM(gpt_long_large, lm_depth_gen_params),
	KUNIT_CASE_PARAM(gpt_long_not_present, lm_gen_params),
	KUNIT_CASE_PARAM(gpt_long_write_protect, lm_gen_params),
	KUNIT_CASE_PARAM(gpt_long_no_execute, lm_gen_params),
	KUNIT_CASE(gpt_long_canonical),
	KUNIT_CASE(gpt_long_mode_select),
	KUNIT_CASE(gpt_table_loop),
	{}
};

HCL_KUNIT_SUITE(gpt, hcl_gpt_cases);
