/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Nested page tables (npt.c): how VTL0's guest-physical addresses reach
 * host memory, in the x86 long-mode page-table format that AMD nested
 * paging walks (a VMX backend would build EPT tables of its own).
 */
#ifndef HCL_NPT_H
#define HCL_NPT_H

#include <linux/bits.h>
#include <linux/types.h>

#define HCL_NPT_INVALID		(~0ULL)
#define HCL_NPT_MAX_GPA		BIT_ULL(48)

/*
 * A four-level nested page table.  Tables are kernel pages; leaves map
 * 4 KiB or, where both addresses and the size allow, 2 MiB.
 * Not locked: built before any VP runs and only read afterwards; the
 * owner (the partition) serialises construction and teardown.
 */
struct hcl_npt {
	u64 *root;		/* what nCR3 points at: PML5 or PML4 */
	u64 *pml4;		/* root, or the table under PML5 entry 0 */
	int levels;		/* 4 or 5, the host's paging depth */
	unsigned long nr_tables;	/* table pages allocated, for stats */
};

int hcl_npt_init(struct hcl_npt *npt, int levels);
void hcl_npt_destroy(struct hcl_npt *npt);
int hcl_npt_map(struct hcl_npt *npt, u64 gpa, u64 hpa, u64 size);
u64 hcl_npt_translate(const struct hcl_npt *npt, u64 gpa);
u64 hcl_npt_root_pa(const struct hcl_npt *npt);
u64 hcl_npt_pml4_pa(const struct hcl_npt *npt);

#endif /* HCL_NPT_H */
