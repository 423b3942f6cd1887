// SPDX-License-Identifier: GPL-2.0
/*
 * The NMI window without vNMI: the decisions of the state machine that
 * struct hcl_nmi (nmi.h) describes, kept free of the VMCB so that KUnit
 * can drive them.  svm.c applies them at entry, exit.c at every exit;
 * both under vp->lock.  Whether an instruction may be stepped is
 * hcl_insn_step_safe() (insn.c).
 */
#include <linux/bits.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>
#include <kunit/visibility.h>

#include "nmi.h"

#define STEP_FLAGS	(X86_EFLAGS_TF | X86_EFLAGS_RF)
/* DR6 bits that say why a #DB happened: B0-B3, BD, BS, BT */
#define DR6_CAUSES	(DR_TRAP_BITS | BIT(13) | DR_STEP | BIT(15))

/*
 * What an entry does about NMIs.  @pending: an NMI is pending; @event:
 * another event is being injected at this entry; @shadow_step: the guest
 * is in an interrupt shadow whose instruction may be single-stepped.
 */
enum hcl_nmi_entry hcl_nmi_at_entry(enum hcl_nmi_state state, bool pending,
				    bool event, bool shadow_step)
{
	if (!pending)
		return HCL_NMI_ENTRY_NONE;
	switch (state) {
	case HCL_NMI_OPEN:
		if (event)
			return HCL_NMI_ENTRY_KICK;
		return shadow_step ? HCL_NMI_ENTRY_STEP : HCL_NMI_ENTRY_INJECT;
	case HCL_NMI_IRET:
		/* an event first: its handler's IRET is the one (-> BLOCKED) */
		return event ? HCL_NMI_ENTRY_NONE : HCL_NMI_ENTRY_STEP;
	case HCL_NMI_BLOCKED:
		break;
	}
	return HCL_NMI_ENTRY_NONE;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_nmi_at_entry);

/*
 * Arms a step at @rip: the guest's TF/RF and DR6 are kept, *@rflags gets
 * TF and RF.  The IRET's step in state IRET, else an interrupt shadow's.
 */
void hcl_nmi_step_begin(struct hcl_nmi *n, u64 rip, u64 *rflags, u64 dr6)
{
	n->step = true;
	n->step_iret = n->state == HCL_NMI_IRET;
	n->step_rip = rip;
	n->step_rflags = *rflags & STEP_FLAGS;
	n->step_dr6 = dr6;
	*rflags |= STEP_FLAGS;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_nmi_step_begin);

/*
 * Ends the step at the exit that follows it (exit @code at @rip), with
 * RFLAGS and DR6 as the exit left them; puts the guest's own values back
 * into *@rflags and *@dr6 and moves the state on.  The caller turns the
 * step's intercepts off (and IRET's on again in state BLOCKED), writes
 * back what changed and, for HCL_NMI_STEP_REFLECT, injects the exception
 * the exit reported.
 */
enum hcl_nmi_step_act hcl_nmi_step_end(struct hcl_nmi *n, u64 code, u64 rip,
				       u64 *rflags, u64 *dr6)
{
	bool db = code == SVM_EXIT_EXCP_BASE + X86_TRAP_DB;
	bool fault = !db && code >= SVM_EXIT_EXCP_BASE &&
		     code < SVM_EXIT_EXCP_BASE + 32 &&
		     (HCL_NMI_STEP_EXCEPTIONS &
		      BIT(code - SVM_EXIT_EXCP_BASE));
	u64 fresh;

	n->step = false;
	if (!db && rip == n->step_rip) {
		/* not run yet, or faulted: RFLAGS are still the ones we set */
		*rflags = (*rflags & ~(u64)STEP_FLAGS) | n->step_rflags;
		if (fault && n->step_iret)
			n->state = HCL_NMI_BLOCKED;	/* the IRET faulted */
		return fault ? HCL_NMI_STEP_REFLECT : HCL_NMI_STEP_HANDLE;
	}

	/* the instruction completed (a #DB while stepping is the trap) */
	if (n->step_iret)
		n->state = HCL_NMI_OPEN;	/* RFLAGS are the IRET's */
	else	/* RF ends with any instruction; TF goes back to the guest's */
		*rflags = (*rflags & ~(u64)STEP_FLAGS) |
			  (n->step_rflags & X86_EFLAGS_TF);
	if (!db)
		return fault ? HCL_NMI_STEP_REFLECT : HCL_NMI_STEP_HANDLE;
	/* the guest's TF was set too: the trap is its own, DR6 and all */
	if (n->step_rflags & X86_EFLAGS_TF)
		return HCL_NMI_STEP_REFLECT;
	/* ours: the guest sees its DR6 again, plus breakpoints that hit */
	fresh = *dr6 & ~n->step_dr6 & (DR6_CAUSES & ~(u64)DR_STEP);
	*dr6 = n->step_dr6 | fresh;
	return fresh ? HCL_NMI_STEP_REFLECT : HCL_NMI_STEP_RESUME;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_nmi_step_end);
