// SPDX-License-Identifier: GPL-2.0
/*
 * ASIDs: which tag a VP's guest TLB entries carry, and when the TLB must
 * be flushed before a VMRUN.
 *
 * Each CPU hands out the ASIDs min..max in generations.  A VP keeps the
 * ASID it got from a CPU as long as it stays on that CPU and the CPU's
 * generation is the one the ASID came from.  A VP that moves to another
 * CPU, or finds the generation changed, takes the next ASID of the CPU it
 * is on.  When a CPU runs out, it starts a new generation at min and the
 * VMRUN that takes the first ASID of it flushes the TLB entries of every
 * ASID: so within a generation every ASID handed out is free of entries
 * from anybody else, and an ASID is never shared by two VPs.  ASID 0 is
 * the host's and never handed out.
 *
 * A CPU starts with no ASIDs left (next > max), so its first VMRUN also
 * flushes everything: whoever used SVM on this CPU before us (kvm_amd, a
 * previous load of this module) may have left entries behind.
 *
 * Pure logic on explicit state, so that KUnit can drive it; the caller
 * (svm.c) keeps one struct hcl_asid_cpu per CPU and one struct
 * hcl_asid_vp per VP, and the locking rules are written there.
 */
#include <linux/errno.h>
#include <asm/svm.h>
#include <kunit/visibility.h>

#include "asid.h"

/*
 * What CPUID 0x8000000A says: EBX is the number of ASIDs including the
 * host's ASID 0; EDX bit 5 is VMCB clean bits, bit 6 flush by ASID.
 * Returns -ENODEV if there is no ASID for a guest.
 */
int hcl_svm_caps_parse(u32 ebx, u32 edx, struct hcl_svm_caps *caps)
{
	if (ebx < 2)
		return -ENODEV;
	caps->min_asid = 1;
	caps->max_asid = ebx - 1;
	caps->flush_by_asid = edx & HCL_SVM_EDX_FLUSH_BY_ASID;
	caps->vmcb_clean = edx & HCL_SVM_EDX_VMCB_CLEAN;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_svm_caps_parse);

/*
 * Sets up (or, when a CPU comes back online, resets) a CPU's allocator.
 * The generation only ever grows, so a VP still holding an ASID of an
 * earlier life of this CPU sees a different generation and takes a new
 * one; the first allocation starts a new generation and flushes.
 */
void hcl_asid_cpu_init(struct hcl_asid_cpu *c, const struct hcl_svm_caps *caps)
{
	c->min = caps->min_asid;
	c->max = caps->max_asid;
	c->flush_by_asid = caps->flush_by_asid;
	c->generation++;
	c->next = c->max + 1;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_asid_cpu_init);

/*
 * Before a VMRUN of @v on the CPU of @c: makes sure @v holds a valid ASID
 * of this CPU (a new one if @moved, i.e. it last ran on another CPU) and
 * returns the TLB_CONTROL value the VMRUN needs.  *@fresh tells whether
 * @v->asid changed.
 *
 * A flush @v asked for (hcl_asid_request_flush()) is a flush of its own
 * ASID where the CPU can do that, else a new ASID, which has no entries:
 * cheaper than flushing everybody's.
 */
u8 hcl_asid_prepare(struct hcl_asid_cpu *c, struct hcl_asid_vp *v,
		    bool moved, bool *fresh)
{
	u8 tlb = TLB_CONTROL_DO_NOTHING;

	*fresh = false;
	if (v->flush && !c->flush_by_asid)
		moved = true;
	if (moved || v->generation != c->generation) {
		if (c->next > c->max) {
			/* u64: does not wrap in the life of a machine */
			c->generation++;
			c->next = c->min;
			tlb = TLB_CONTROL_FLUSH_ALL_ASID;
		}
		v->asid = c->next++;
		v->generation = c->generation;
		*fresh = true;
	} else if (v->flush) {
		tlb = TLB_CONTROL_FLUSH_ASID;
	}
	v->flush = false;
	return tlb;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_asid_prepare);

/*
 * The VP's guest TLB entries must go before it runs again (its paging
 * state changed under it).  Any thread holding the VP's lock.
 */
void hcl_asid_request_flush(struct hcl_asid_vp *v)
{
	v->flush = true;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_asid_request_flush);

/*
 * VMRUN failed its checks (SVM_EXIT_ERR) after hcl_asid_prepare() asked
 * for @tlb: the flush may not have happened, so ask again.  A lost flush
 * of all ASIDs leaves this CPU's generation untrustworthy: end it, so that
 * the next VMRUN here, of any VP, starts a new one and flushes.
 */
void hcl_asid_entry_failed(struct hcl_asid_cpu *c, struct hcl_asid_vp *v,
			   u8 tlb)
{
	if (tlb == TLB_CONTROL_FLUSH_ALL_ASID) {
		c->generation++;
		c->next = c->max + 1;
	} else if (tlb == TLB_CONTROL_FLUSH_ASID) {
		v->flush = true;
	}
}
EXPORT_SYMBOL_IF_KUNIT(hcl_asid_entry_failed);
