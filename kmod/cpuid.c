// SPDX-License-Identifier: GPL-2.0
/*
 * The per-VP CPUID table: set by userspace, answered in the kernel.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "cpuid.h"

/*
 * Check a table from userspace: only known flags, reserved fields zero,
 * and no two entries that answer the same (function, index).
 */
int hcl_cpuid_validate(const struct hcl_cpuid_entry *e, u32 nent)
{
	u32 i, j;

	if (nent > HCL_CPUID_MAX_ENTRIES)
		return -E2BIG;
	for (i = 0; i < nent; i++) {
		if (e[i].flags & ~HCL_CPUID_F_INDEX || e[i].reserved)
			return -EINVAL;
		if (!(e[i].flags & HCL_CPUID_F_INDEX) && e[i].index)
			return -EINVAL;
		for (j = 0; j < i; j++) {
			if (e[j].function != e[i].function)
				continue;
			/* an index-less entry covers every subleaf */
			if (!(e[i].flags & HCL_CPUID_F_INDEX) ||
			    !(e[j].flags & HCL_CPUID_F_INDEX) ||
			    e[j].index == e[i].index)
				return -EINVAL;
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_cpuid_validate);

/* The entry answering CPUID(@function, @index), or NULL. */
const struct hcl_cpuid_entry *
hcl_cpuid_lookup(const struct hcl_cpuid_table *t, u32 function, u32 index)
{
	u32 i;

	if (!t)
		return NULL;
	for (i = 0; i < t->nent; i++) {
		const struct hcl_cpuid_entry *e = &t->entries[i];

		if (e->function != function)
			continue;
		if (!(e->flags & HCL_CPUID_F_INDEX) || e->index == index)
			return e;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_cpuid_lookup);
