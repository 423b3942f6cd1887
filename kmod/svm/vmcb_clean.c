// SPDX-License-Identifier: GPL-2.0
/*
 * VMCB clean bits: which areas of a VMCB the host changed since its last
 * VMRUN.
 *
 * A CPU with VMCB clean-bit support (CPUID 0x8000000A EDX bit 5) may keep
 * parts of a VMCB it ran in its own cache and, at the next VMRUN of the
 * same VMCB on the same CPU, take an area whose bit is set in the VMCB's
 * clean field from there instead of from memory.  So every write of the
 * host to a cached field must clear that area's bit before the next
 * VMRUN, and the field must be 0 when the VMCB runs for the first time or
 * on another CPU than last time.  We also clear it when another VMCB ran
 * on the CPU in between: nothing says how many VMCBs a CPU caches.
 *
 * Writers record the areas they change in svm->vmcb_dirty
 * (hcl_vmcb_mark_dirty() and the helpers below); svm_enter() turns that
 * into the clean field right before VMRUN.  svm->vmcb_dirty belongs to the
 * thread holding vp->lock, like the VMCB itself.  What the CPU writes back
 * at #VMEXIT needs no bit: its cache and the VMCB agree on it.
 *
 * Fields never cached and free to write: RAX, RSP, RIP, RFLAGS, event
 * injection, TLB control, interrupt shadow, the state VMLOAD/VMSAVE switch
 * (FS, GS, TR, LDTR, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK, SYSENTER).
 */
#include <linux/bits.h>
#include <asm/svm.h>
#include <kunit/visibility.h>

#include "svm.h"
#include "vmcb_clean.h"

/*
 * Whether the VMCB of @vmcb_uid must be reloaded whole on this CPU: it
 * last ran on another CPU (@moved), or another VMCB ran here since.
 * @cpu_last is the CPU's record of the last VMCB it ran, updated here.
 */
bool hcl_vmcb_switch(u64 *cpu_last, u64 vmcb_uid, bool moved)
{
	bool reload = moved || *cpu_last != vmcb_uid;

	*cpu_last = vmcb_uid;
	return reload;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_vmcb_switch);

/*
 * The clean field for the next VMRUN: every area not in *@dirty, or 0 if
 * the CPU caches nothing (@supported false) or the VMCB must be reloaded.
 * Consumes *@dirty: call it last before VMRUN.
 */
u32 hcl_vmcb_clean(u32 *dirty, bool supported, bool reload)
{
	u32 d = *dirty;

	*dirty = 0;
	if (!supported || reload)
		return 0;
	return HCL_VMCB_ALL_AREAS & ~d;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_vmcb_clean);

/*
 * After VMRUN: a VMRUN that failed its checks, or a shutdown (whose VMCB
 * state is undefined), leaves the CPU's cache in no known state.
 */
void hcl_vmcb_exited(struct hcl_svm_vp *svm)
{
	u32 code = svm->vmcb->control.exit_code;

	if (code == (u32)SVM_EXIT_ERR || code == SVM_EXIT_SHUTDOWN)
		svm->vmcb_dirty = HCL_VMCB_ALL_AREAS;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_vmcb_exited);

/* Sets or clears intercept @bit (INTERCEPT_*); dirty only on a change. */
void hcl_vmcb_set_intercept(struct hcl_svm_vp *svm, unsigned int bit,
			    bool on)
{
	u32 *word = &svm->vmcb->control.intercepts[bit / 32];
	u32 val = on ? *word | BIT(bit % 32) : *word & ~BIT(bit % 32);

	if (val != *word) {
		*word = val;
		hcl_vmcb_mark_dirty(svm, HCL_VMCB_INTERCEPTS);
	}
}
EXPORT_SYMBOL_IF_KUNIT(hcl_vmcb_set_intercept);

/*
 * Sets or clears the exception intercepts of @vectors (bit n: vector n);
 * dirty only on a change.
 */
void hcl_vmcb_set_exception_intercepts(struct hcl_svm_vp *svm, u32 vectors,
				       bool on)
{
	u32 *word = &svm->vmcb->control.intercepts[INTERCEPT_EXCEPTION];
	u32 val = on ? *word | vectors : *word & ~vectors;

	if (val != *word) {
		*word = val;
		hcl_vmcb_mark_dirty(svm, HCL_VMCB_INTERCEPTS);
	}
}
EXPORT_SYMBOL_IF_KUNIT(hcl_vmcb_set_exception_intercepts);

/* int_ctl (V_IRQ, V_INTR_PRIO, V_IGN_TPR, ...): dirty only on a change. */
void hcl_vmcb_update_int_ctl(struct hcl_svm_vp *svm, u32 clear, u32 set)
{
	u32 val = (svm->vmcb->control.int_ctl & ~clear) | set;

	if (val != svm->vmcb->control.int_ctl) {
		svm->vmcb->control.int_ctl = val;
		hcl_vmcb_mark_dirty(svm, HCL_VMCB_INTR);
	}
}
EXPORT_SYMBOL_IF_KUNIT(hcl_vmcb_update_int_ctl);
