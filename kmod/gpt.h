/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl.ko: the guest page-table walk (gpt.c) that finds the bytes of the
 * instruction behind an exit.  Pure logic, tested by KUnit in isolation.
 */
#ifndef HCL_GPT_H
#define HCL_GPT_H

#include <linux/types.h>

/*
 * Reads the 8 bytes of guest physical memory at @gpa, which is always
 * 8-byte aligned; returns 0 or -EFAULT.
 */
typedef int (*hcl_gpa_read_t)(void *ctx, u64 gpa, u64 *val);

/* The guest's paging controls, as the backend holds them. */
struct hcl_paging {
	u64 cr0, cr3, cr4, efer;
};

/*
 * Translates @gva to a guest physical address through the guest's own
 * page tables, as a CPL 0 access.  Returns 0 and sets @gpa, or:
 *   -EFAULT  an entry is not present (or @read failed: its errno)
 *   -EACCES  a write to a read-only page with CR0.WP, or a fetch from a
 *            no-execute page
 *   -EINVAL  a reserved bit is set, @gva is not canonical, or the
 *            control registers are inconsistent
 * Reads at most 5 entries and never sets accessed or dirty bits.
 */
int hcl_gva_to_gpa(const struct hcl_paging *pg, u64 gva, bool write,
		   bool fetch, hcl_gpa_read_t read, void *ctx, u64 *gpa);

#endif /* HCL_GPT_H */
