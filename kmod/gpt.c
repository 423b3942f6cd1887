// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table walk: guest virtual to guest physical, in software.
 *
 * Used to find the bytes of the instruction behind an MMIO exit.  It reads
 * the guest's tables through a callback, so it needs no mapping of its own
 * and can be tested against a plain buffer.
 *
 * Modes, chosen like the CPU does:
 *   CR0.PG clear         no paging; the address is truncated to 32 bits
 *   CR0.PG, EFER.LME     long mode: 4 levels, or 5 with CR4.LA57 (needs
 *                        CR4.PAE, else the state is inconsistent: -EINVAL)
 *   CR0.PG, CR4.PAE      PAE: a 4-entry PDPT, then 2 levels of 8-byte
 *                        entries; 2 MiB pages in the PD
 *   CR0.PG               32-bit: 2 levels of 4-byte entries; 4 MiB pages
 *                        in the PD with CR4.PSE (PSE-36 high bits honoured)
 * Long mode is taken from EFER.LME with CR0.PG, which is how the CPU
 * derives EFER.LMA; an EFER.LMA alone is accepted too.  Outside long mode
 * the address is truncated to 32 bits first.
 *
 * Deliberate limits:
 *  - Accesses are treated as CPL 0: the U/S bits are not checked and
 *    SMEP/SMAP do not apply, so an instruction a user-mode guest process
 *    ran still translates.  Writes to read-only pages fault only with
 *    CR0.WP, as for the kernel.
 *  - Accessed and dirty bits are never set: the walk only reads.  A guest
 *    relying on them sees the access when the CPU re-executes or emulation
 *    completes, not from this walk.
 *  - PAE PDPTEs are read from memory on every walk.  That is what AMD's
 *    nested paging does (it does not cache them at CR3 load).
 *  - MAXPHYADDR is not known here, so only the bits reserved whatever it
 *    is are checked: bit 63 without EFER.NXE, PS in PML5/PML4 entries and
 *    PAE PDPTEs, the other PAE PDPTE reserved bits, bits 62:52 outside long
 *    mode, the low address bits of large pages, and bit 21 of a 4 MiB PDE.
 *    Memory types (PAT, PCD, PWT), protection keys and 1 GiB page support
 *    in CPUID are not looked at.
 *
 * Every level reads exactly one entry and the level count is at most 5, so
 * the walk ends whatever the tables contain, even tables that point back at
 * themselves.
 */
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/types.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <kunit/visibility.h>

#include "gpt.h"

#define PTE_P		BIT_ULL(0)
#define PTE_RW		BIT_ULL(1)
#define PTE_PS		BIT_ULL(7)
#define PTE_NX		BIT_ULL(63)
#define PTE_ADDR	GENMASK_ULL(51, 12)

/* 32-bit paging */
#define PDE32_PS_RSVD	BIT_ULL(21)		/* above PSE-36's 8 bits */
#define PDE32_PS_HIGH	GENMASK_ULL(20, 13)	/* address bits 39:32 */
#define PDE32_PS_ADDR	GENMASK_ULL(31, 22)
#define PTE32_ADDR	GENMASK_ULL(31, 12)

/* PAE: PDPTEs have no R/W, U/S, A, D, PS or XD; bits 62:52 are above any
 * MAXPHYADDR outside long mode.
 */
#define PDPTE_RSVD	(GENMASK_ULL(2, 1) | GENMASK_ULL(8, 5) | PTE_NX)
#define PAE_HIGH_RSVD	GENMASK_ULL(62, 52)
#define PAE_CR3_ADDR	GENMASK_ULL(31, 5)

/* Reads the 4-byte entry at @gpa through the 8-byte, aligned @read. */
static int read32(hcl_gpa_read_t read, void *ctx, u64 gpa, u32 *val)
{
	u64 q;
	int ret;

	ret = read(ctx, gpa & ~7ULL, &q);
	if (ret)
		return ret;
	*val = q >> (8 * (gpa & 4));
	return 0;
}

static int walk32(const struct hcl_paging *pg, u32 gva, bool write,
		  hcl_gpa_read_t read, void *ctx, u64 *gpa)
{
	u32 pde, pte;
	int ret;

	ret = read32(read, ctx, (pg->cr3 & PTE32_ADDR) + (gva >> 22) * 4, &pde);
	if (ret)
		return ret;
	if (!(pde & PTE_P))
		return -EFAULT;
	if ((pde & PTE_PS) && (pg->cr4 & X86_CR4_PSE)) {
		if (pde & PDE32_PS_RSVD)
			return -EINVAL;
		if (write && !(pde & PTE_RW) && (pg->cr0 & X86_CR0_WP))
			return -EACCES;
		*gpa = (pde & PDE32_PS_ADDR) |
		       ((u64)((pde & PDE32_PS_HIGH) >> 13) << 32) |
		       (gva & GENMASK(21, 0));
		return 0;
	}
	/* without CR4.PSE the PS bit is ignored: a page table follows */
	ret = read32(read, ctx, (pde & PTE32_ADDR) + ((gva >> 12) & 0x3ff) * 4,
		     &pte);
	if (ret)
		return ret;
	if (!(pte & PTE_P))
		return -EFAULT;
	if (write && !(pde & pte & PTE_RW) && (pg->cr0 & X86_CR0_WP))
		return -EACCES;
	*gpa = (pte & PTE32_ADDR) | (gva & GENMASK(11, 0));
	return 0;
}

/*
 * The walk with 8-byte entries: @levels is 3 (PAE), 4 or 5.  Level 1 is the
 * page table, 2 the PD, 3 the PDPT, 4 the PML4, 5 the PML5.  In PAE mode
 * level 3 is the 4-entry PDPT at CR3 bits 31:5, indexed by bits 31:30.
 */
static int walk64(const struct hcl_paging *pg, u64 gva, int levels,
		  bool write, bool fetch, hcl_gpa_read_t read, void *ctx,
		  u64 *gpa)
{
	bool pae = levels == 3, nxe = pg->efer & EFER_NX;
	bool writable = true, exec = true;
	u64 table, e, rsvd, page_mask;
	int level, ret;

	table = pae ? pg->cr3 & PAE_CR3_ADDR : pg->cr3 & PTE_ADDR;
	for (level = levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		ret = read(ctx, table + ((gva >> shift) & 0x1ff) * 8, &e);
		if (ret)
			return ret;
		if (!(e & PTE_P))
			return -EFAULT;

		/* reserved bits are only checked in present entries */
		rsvd = nxe ? 0 : PTE_NX;
		if (pae)
			rsvd |= PAE_HIGH_RSVD;
		if (pae && level == 3)
			rsvd |= PDPTE_RSVD | PTE_PS;
		if (level >= 4)
			rsvd |= PTE_PS;
		if ((e & PTE_PS) && level > 1 && !(rsvd & PTE_PS))
			rsvd |= GENMASK_ULL(shift - 1, 13);	/* PAT at 12 */
		if (e & rsvd)
			return -EINVAL;

		/* a PAE PDPTE has no R/W (reserved, so clear): skip it */
		if (!(pae && level == 3) && !(e & PTE_RW))
			writable = false;
		if (nxe && (e & PTE_NX))
			exec = false;

		if (level == 1 || (e & PTE_PS)) {
			page_mask = BIT_ULL(shift) - 1;
			if (write && !writable && (pg->cr0 & X86_CR0_WP))
				return -EACCES;
			if (fetch && !exec)
				return -EACCES;
			*gpa = (e & PTE_ADDR & ~page_mask) | (gva & page_mask);
			return 0;
		}
		table = e & PTE_ADDR;
	}
	/* not reached: level 1 always returns above */
	return -EINVAL;
}

int hcl_gva_to_gpa(const struct hcl_paging *pg, u64 gva, bool write,
		   bool fetch, hcl_gpa_read_t read, void *ctx, u64 *gpa)
{
	int levels;

	if (!(pg->cr0 & X86_CR0_PG)) {
		*gpa = (u32)gva;
		return 0;
	}
	if (pg->efer & (EFER_LME | EFER_LMA)) {
		if (!(pg->cr4 & X86_CR4_PAE))
			return -EINVAL;
		levels = pg->cr4 & X86_CR4_LA57 ? 5 : 4;
		/* bits above the top index must copy the top index's top bit */
		if ((u64)sign_extend64(gva, levels == 5 ? 56 : 47) != gva)
			return -EINVAL;
		return walk64(pg, gva, levels, write, fetch, read, ctx, gpa);
	}
	if (pg->cr4 & X86_CR4_PAE)
		return walk64(pg, (u32)gva, 3, write, fetch, read, ctx, gpa);
	return walk32(pg, (u32)gva, write, read, ctx, gpa);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_gva_to_gpa);
