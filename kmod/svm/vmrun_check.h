/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMRUN's consistency checks, made in software before every entry
 * (vmrun_check.c).
 */
#ifndef HCL_SVM_VMRUN_CHECK_H
#define HCL_SVM_VMRUN_CHECK_H

#include <linux/bits.h>
#include <linux/types.h>

struct vmcb;

/* VMCB segment attributes: CS.L (64-bit code) and CS.D/B */
#define HCL_SEG_ATTR_L		BIT(9)
#define HCL_SEG_ATTR_DB		BIT(10)
/* CR4.PKS, not named by Linux 6.12 */
#define HCL_CR4_PKS		BIT_ULL(24)

/*
 * What the checks compare against: the CPU's MAXPHYADDR, the CR4 bits it
 * has and the EFER bits a VP may hold.  Filled once at module load
 * (hcl_vmrun_limits_init()), read-only afterwards.
 */
struct hcl_vmrun_limits {
	u8 phys_bits;
	u64 cr4_ok;
	u64 efer_ok;
};

void hcl_vmrun_limits_init(struct hcl_vmrun_limits *l, u64 efer_ok);
u32 hcl_vmrun_check(const struct vmcb *vmcb,
		    const struct hcl_vmrun_limits *l);

#endif /* HCL_SVM_VMRUN_CHECK_H */
