/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-VP CPUID table (cpuid.c), set by userspace and answered in the
 * kernel by hcl_emulate_cpuid() (emulate.c).
 */
#ifndef HCL_CPUID_H
#define HCL_CPUID_H

#include <linux/types.h>
#include <uapi/linux/hcl.h>

struct hcl_cpuid_table {
	u32 nent;
	struct hcl_cpuid_entry entries[];
};

int hcl_cpuid_validate(const struct hcl_cpuid_entry *e, u32 nent);
const struct hcl_cpuid_entry *
hcl_cpuid_lookup(const struct hcl_cpuid_table *t, u32 function, u32 index);

#endif /* HCL_CPUID_H */
