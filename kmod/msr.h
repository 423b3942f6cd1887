/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-VP MSR policy (msr.c): which MSRs the kernel emulates, which
 * raise #GP and which go to userspace.
 */
#ifndef HCL_MSR_H
#define HCL_MSR_H

#include <linux/types.h>
#include <uapi/linux/hcl.h>

struct hcl_msr_table {
	u32 n;
	u32 default_action;	/* HCL_MSR_GP / HCL_MSR_USER */
	struct hcl_msr_rule r[];	/* sorted by index */
};

int hcl_msr_table_build(const struct hcl_msr_rule *rules, u32 n,
			u32 default_action, struct hcl_msr_table **out);
struct hcl_msr_rule *hcl_msr_find(struct hcl_msr_table *t, u32 index);
u32 hcl_msr_access(struct hcl_msr_table *t, u32 index, bool write, u64 *val);

#endif /* HCL_MSR_H */
