// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page tables: the guest-physical to host-physical map of VTL0.
 *
 * VTL protection is this table: what is not mapped here (all of VTL2's
 * memory) cannot be touched by VTL0; an access faults to the kernel as a
 * nested page fault.
 *
 * The nested walk uses the host's paging depth: with 5-level paging on
 * (CR4.LA57) the table gets a PML5 root whose entry 0 leads to the PML4.
 * GPAs stay below 2^48 either way.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <kunit/visibility.h>

#include "npt.h"

#define NPT_P		BIT_ULL(0)
#define NPT_RW		BIT_ULL(1)
#define NPT_US		BIT_ULL(2)	/* NPT walks are user accesses */
#define NPT_PS		BIT_ULL(7)
#define NPT_FLAGS	(NPT_P | NPT_RW | NPT_US)
#define NPT_ADDR_MASK	GENMASK_ULL(51, 12)

static unsigned int npt_index(u64 gpa, int level)
{
	/* level 4 = PML4 ... level 1 = PT */
	return (gpa >> (12 + 9 * (level - 1))) & 0x1ff;
}

static u64 *npt_table(u64 entry)
{
	return (u64 *)__va(entry & NPT_ADDR_MASK);
}

int hcl_npt_init(struct hcl_npt *npt, int levels)
{
	if (levels != 4 && levels != 5)
		return -EINVAL;
	npt->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!npt->root)
		return -ENOMEM;
	npt->levels = levels;
	npt->nr_tables = 1;
	npt->pml4 = npt->root;
	if (levels == 5) {
		npt->pml4 = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		if (!npt->pml4) {
			free_page((unsigned long)npt->root);
			npt->root = NULL;
			return -ENOMEM;
		}
		npt->nr_tables++;
		npt->root[0] = __pa(npt->pml4) | NPT_FLAGS;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_npt_init);

static void npt_free_level(u64 *table, int level)
{
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < 512; i++) {
			u64 e = table[i];

			if ((e & NPT_P) && !(e & NPT_PS))
				npt_free_level(npt_table(e), level - 1);
		}
	}
	free_page((unsigned long)table);
}

void hcl_npt_destroy(struct hcl_npt *npt)
{
	if (npt->root)
		npt_free_level(npt->root, npt->levels);
	npt->root = NULL;
	npt->pml4 = NULL;
	npt->nr_tables = 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_npt_destroy);

/* Returns the table one level below @table[@idx], allocating it. */
static u64 *npt_next(struct hcl_npt *npt, u64 *table, unsigned int idx)
{
	u64 e = table[idx];
	u64 *next;

	if (e & NPT_P)
		return (e & NPT_PS) ? ERR_PTR(-EEXIST) : npt_table(e);
	next = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!next)
		return ERR_PTR(-ENOMEM);
	npt->nr_tables++;
	table[idx] = __pa(next) | NPT_FLAGS;
	return next;
}

/*
 * Map [gpa, gpa + size) to [hpa, hpa + size).  All three must be 4 KiB
 * aligned.  Mapping over an existing mapping fails with -EEXIST; on any
 * error the part already mapped stays (the caller tears the table down).
 */
int hcl_npt_map(struct hcl_npt *npt, u64 gpa, u64 hpa, u64 size)
{
	if (!size || !PAGE_ALIGNED(gpa) || !PAGE_ALIGNED(hpa) ||
	    !PAGE_ALIGNED(size))
		return -EINVAL;
	if (gpa + size < gpa || gpa + size > HCL_NPT_MAX_GPA ||
	    hpa + size < hpa || hpa + size - 1 > GENMASK_ULL(51, 0))
		return -EINVAL;

	while (size) {
		bool huge = IS_ALIGNED(gpa, SZ_2M) && IS_ALIGNED(hpa, SZ_2M) &&
			    size >= SZ_2M;
		u64 *pdpt, *pd, *pt;
		unsigned int i;

		pdpt = npt_next(npt, npt->pml4, npt_index(gpa, 4));
		if (IS_ERR(pdpt))
			return PTR_ERR(pdpt);
		pd = npt_next(npt, pdpt, npt_index(gpa, 3));
		if (IS_ERR(pd))
			return PTR_ERR(pd);
		i = npt_index(gpa, 2);
		if (huge) {
			if (pd[i] & NPT_P)
				return -EEXIST;
			pd[i] = hpa | NPT_FLAGS | NPT_PS;
			gpa += SZ_2M;
			hpa += SZ_2M;
			size -= SZ_2M;
			continue;
		}
		pt = npt_next(npt, pd, i);
		if (IS_ERR(pt))
			return PTR_ERR(pt);
		i = npt_index(gpa, 1);
		if (pt[i] & NPT_P)
			return -EEXIST;
		pt[i] = hpa | NPT_FLAGS;
		gpa += PAGE_SIZE;
		hpa += PAGE_SIZE;
		size -= PAGE_SIZE;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_npt_map);

/* Host-physical address for @gpa, or HCL_NPT_INVALID if unmapped. */
u64 hcl_npt_translate(const struct hcl_npt *npt, u64 gpa)
{
	u64 *table = npt->pml4;
	int level;

	if (gpa >= HCL_NPT_MAX_GPA || !table)
		return HCL_NPT_INVALID;
	for (level = 4; level >= 1; level--) {
		u64 e = table[npt_index(gpa, level)];

		if (!(e & NPT_P))
			return HCL_NPT_INVALID;
		if (level == 2 && (e & NPT_PS))
			return (e & NPT_ADDR_MASK & ~(u64)(SZ_2M - 1)) +
			       (gpa & (SZ_2M - 1));
		if (level == 1)
			return (e & NPT_ADDR_MASK) + (gpa & ~PAGE_MASK);
		table = npt_table(e);
	}
	return HCL_NPT_INVALID;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_npt_translate);

u64 hcl_npt_root_pa(const struct hcl_npt *npt)
{
	return __pa(npt->root);
}

/*
 * The same map for a nested walk with 4-level paging (a sidecar CPU's,
 * whatever Linux's): the PML4, the root's entry 0 with 5 levels.
 */
u64 hcl_npt_pml4_pa(const struct hcl_npt *npt)
{
	return __pa(npt->pml4);
}
