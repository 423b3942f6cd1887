/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host-state check (host_state.c): what of the host's CPU state the
 * guest could reach, read before an entry and after its exit, so that a
 * debug run or a test proves each exit gives the host back exactly what
 * it had.  Off by default: hcl.check_host_state=1 (also writable in
 * /sys/module/hcl/parameters/) turns it on.
 */
#ifndef HCL_SVM_HOST_STATE_H
#define HCL_SVM_HOST_STATE_H

#include <linux/types.h>

/* one slot per checked register; the names are in host_state.c */
enum hcl_host_reg {
	HCL_HOST_EFER, HCL_HOST_CR0, HCL_HOST_CR3, HCL_HOST_CR4,
	HCL_HOST_XCR0, HCL_HOST_PKRU, HCL_HOST_XSS, HCL_HOST_DR6,
	HCL_HOST_DR7, HCL_HOST_FS_BASE, HCL_HOST_GS_BASE,
	HCL_HOST_KERNEL_GS_BASE, HCL_HOST_STAR, HCL_HOST_LSTAR,
	HCL_HOST_CSTAR, HCL_HOST_SFMASK, HCL_HOST_SYSENTER_CS,
	HCL_HOST_SYSENTER_ESP, HCL_HOST_SYSENTER_EIP, HCL_HOST_TSC_AUX,
	HCL_HOST_NR
};

/*
 * A snapshot.  @valid has a bit per register this CPU has and the check
 * covers (no PKRU without OSPKE, ...); only those are compared.
 */
struct hcl_host_state {
	u64 val[HCL_HOST_NR];
	u32 valid;
};

/*
 * The MSRs the guest reads and writes without an exit: VMLOAD and VMSAVE
 * switch them, their guest values live in the VMCB.  svm.c opens them in
 * the MSR permission map; the check compares them (HCL_HOST_FS_BASE on).
 */
struct hcl_passthrough_msr {
	u32 msr;
	const char *name;
};

#define HCL_NR_PASSTHROUGH_MSRS	(HCL_HOST_SYSENTER_EIP - HCL_HOST_FS_BASE + 1)
extern const struct hcl_passthrough_msr
	hcl_passthrough_msrs[HCL_NR_PASSTHROUGH_MSRS];

extern bool hcl_check_host_state;

void hcl_host_state_read(struct hcl_host_state *s, bool tsc_aux);
int hcl_host_state_diff(const struct hcl_host_state *before,
			const struct hcl_host_state *after);
const char *hcl_host_reg_name(int reg);

#endif /* HCL_SVM_HOST_STATE_H */
