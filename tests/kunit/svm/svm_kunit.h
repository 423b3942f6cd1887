/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture the SVM backend's suites share: a VP with a private VMCB
 * and run page, in a partition of its own; never entered with VMRUN.
 */
#ifndef HCL_SVM_KUNIT_H
#define HCL_SVM_KUNIT_H

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>

#include "svm/svm.h"

/*
 * Sets up @svm in @part: a zeroed VMCB (but V_INTR_MASKING) and run page, its registers
 * marked as set, and @mem bytes of zeroed guest memory (none when 0).
 * Returns 0 or -ENOMEM; hcl_svm_kunit_vp_free() releases what was
 * allocated either way.
 */
static inline int hcl_svm_kunit_vp_init(struct kunit *test,
					struct hcl_svm_vp *svm,
					struct hcl_svm_partition *part,
					size_t mem)
{
	svm->vmcb = (struct vmcb *)get_zeroed_page(GFP_KERNEL);
	svm->vp.run = (struct hcl_run *)get_zeroed_page(GFP_KERNEL);
	if (!svm->vmcb || !svm->vp.run)
		return -ENOMEM;
	if (mem) {
		part->part.mem = kunit_kzalloc(test, mem, GFP_KERNEL);
		if (!part->part.mem)
			return -ENOMEM;
	}
	part->part.mem_size = mem;
	/* as svm_vp_init() leaves it */
	svm->vmcb->control.int_ctl = V_INTR_MASKING_MASK;
	svm->vp.part = &part->part;
	svm->vp.regs_set = true;
	svm->vp.sregs_set = true;
	return 0;
}

static inline void hcl_svm_kunit_vp_free(struct hcl_svm_vp *svm)
{
	free_page((unsigned long)svm->vmcb);
	free_page((unsigned long)svm->vp.run);
}

#endif /* HCL_SVM_KUNIT_H */
