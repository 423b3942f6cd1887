/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMCB clean bits (vmcb_clean.c): which areas of a VMCB the host wrote
 * since its last VMRUN.
 */
#ifndef HCL_SVM_VMCB_CLEAN_H
#define HCL_SVM_VMCB_CLEAN_H

#include <linux/bits.h>
#include <linux/types.h>

struct hcl_svm_vp;

/*
 * Areas of the VMCB clean field (APM vol. 2, "VMCB state caching"): a set
 * bit lets VMRUN take the area from the CPU's cache.  See vmcb_clean.c.
 */
enum hcl_vmcb_area {
	HCL_VMCB_INTERCEPTS,	/* intercept vectors, TSC offset, pause filter */
	HCL_VMCB_PERM_MAP,	/* IOPM and MSRPM base */
	HCL_VMCB_ASID,
	HCL_VMCB_INTR,		/* TPR: V_TPR, V_IRQ, V_INTR_*, int_vector */
	HCL_VMCB_NP,		/* nested paging enable, nCR3, guest PAT */
	HCL_VMCB_CRX,		/* CR0, CR3, CR4, EFER */
	HCL_VMCB_DRX,		/* DR6, DR7 */
	HCL_VMCB_DT,		/* GDTR, IDTR */
	HCL_VMCB_SEG,		/* CS, DS, ES, SS, CPL */
	HCL_VMCB_CR2,
	HCL_VMCB_LBR,		/* DBGCTL, last branch and exception records */
	HCL_VMCB_AVIC,		/* AVIC BAR, backing page, ID tables */
	HCL_VMCB_NR_AREAS
};

#define HCL_VMCB_ALL_AREAS	GENMASK(HCL_VMCB_NR_AREAS - 1, 0)

bool hcl_vmcb_switch(u64 *cpu_last, u64 vmcb_uid, bool moved);
u32 hcl_vmcb_clean(u32 *dirty, bool supported, bool reload);
void hcl_vmcb_exited(struct hcl_svm_vp *svm);
void hcl_vmcb_set_intercept(struct hcl_svm_vp *svm, unsigned int bit,
			    bool on);
void hcl_vmcb_update_int_ctl(struct hcl_svm_vp *svm, u32 clear, u32 set);
void hcl_vmcb_set_exception_intercepts(struct hcl_svm_vp *svm, u32 vectors,
				       bool on);

#endif /* HCL_SVM_VMCB_CLEAN_H */
