/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SVM ASIDs (asid.c): the CPU's capabilities, each CPU's allocator and
 * each VP's ASID.
 */
#ifndef HCL_SVM_ASID_H
#define HCL_SVM_ASID_H

#include <linux/bits.h>
#include <linux/types.h>

/* CPUID 0x8000000A EDX */
#define HCL_SVM_EDX_VMCB_CLEAN		BIT(5)
#define HCL_SVM_EDX_FLUSH_BY_ASID	BIT(6)

/* What the CPU offers; set once at module load, read-only afterwards. */
struct hcl_svm_caps {
	u32 min_asid, max_asid;	/* the guests' ASIDs: 1 .. EBX - 1 */
	bool flush_by_asid;	/* TLB_CONTROL_FLUSH_ASID is valid */
	bool vmcb_clean;	/* the CPU honours the VMCB clean field */
};

/*
 * One CPU's ASID allocator (asid.c).  Only that CPU touches it, with
 * preemption disabled from the allocation through the VMRUN that uses
 * the ASID (the hot-plug callback runs on the CPU itself, before tasks
 * can run there).
 */
struct hcl_asid_cpu {
	u64 generation;		/* grows by one at each wrap; >= 1 */
	u32 next;		/* next ASID to hand out; > max: wrap first */
	u32 min, max;
	bool flush_by_asid;
};

/*
 * A VP's ASID (asid.c).  Belongs to the thread holding vp->lock; valid on
 * the CPU the VP last ran on while that CPU's generation is unchanged.
 */
struct hcl_asid_vp {
	u64 generation;		/* of the CPU it came from; 0: none yet */
	u32 asid;
	bool flush;		/* drop its TLB entries before the next run */
};

int hcl_svm_caps_parse(u32 ebx, u32 edx, struct hcl_svm_caps *caps);
void hcl_asid_cpu_init(struct hcl_asid_cpu *c,
		       const struct hcl_svm_caps *caps);
u8 hcl_asid_prepare(struct hcl_asid_cpu *c, struct hcl_asid_vp *v,
		    bool moved, bool *fresh);
void hcl_asid_request_flush(struct hcl_asid_vp *v);
void hcl_asid_entry_failed(struct hcl_asid_cpu *c, struct hcl_asid_vp *v,
			   u8 tlb);

#endif /* HCL_SVM_ASID_H */
