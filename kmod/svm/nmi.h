/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NMI blocking and the NMI window on SVM without vNMI (nmi.c).
 */
#ifndef HCL_SVM_NMI_H
#define HCL_SVM_NMI_H

#include <linux/bits.h>
#include <linux/types.h>
#include <asm/trapnr.h>

/*
 * Without vNMI the CPU tells the host neither when the guest's NMI blocking
 * ends nor when it could take the next NMI, so hcl tracks both (struct
 * hcl_nmi, in struct hcl_svm_vp under vp->lock like the VMCB; the
 * generic vp->nmi_pending alone is set by other threads).  The rules, one state at a time:
 *
 * OPEN     NMIs are not blocked.  An NMI pending at entry is injected
 *          (-> BLOCKED, IRET intercept on), unless
 *          - another event is being injected at this entry: that event goes
 *            first and the entry asks for an exit right after its delivery
 *            (a self-IPI, @kick), where the NMI is injected;
 *          - the guest is in an interrupt shadow (STI, MOV SS): the entry
 *            single-steps the shadowed instruction first (the step, below),
 *            unless that instruction reads or writes RFLAGS.TF or raises an
 *            event itself (hcl_insn_step_safe()), when the NMI is injected
 *            at once as VMRUN allows.
 * BLOCKED  An NMI we injected is being handled; IRET is intercepted.  The
 *          IRET exit records the IRET's RIP and turns the intercept off
 *          (-> IRET).  NMIs stay blocked: the IRET has not run yet.
 * IRET     The IRET at @iret_rip runs when the guest resumes.
 *          - An NMI pending at entry, with no other event to inject:
 *            single-step the IRET (no interrupt is injected at that entry).
 *          - Any event injected at an entry in this state runs its handler
 *            before the IRET, and that handler's IRET unblocks NMIs as it
 *            would on the CPU: -> BLOCKED, IRET intercept on again.
 *          - No step: the first exit with RIP != @iret_rip means the IRET
 *            ran (-> OPEN), as in KVM; only a step sees an IRET fault.
 *
 * The step (@step, one VMRUN long): the entry sets RFLAGS.TF and RF and
 * intercepts #DB and every fault in HCL_NMI_STEP_EXCEPTIONS, keeping the
 * guest's own TF/RF (@step_rflags) and DR6 (@step_dr6).  The exit that
 * follows ends it, always (hcl_nmi_step_end()), before anything else sees
 * the registers, so userspace never sees our TF/RF:
 * - #DB: the instruction completed (RF suppresses instruction breakpoints,
 *   MOV DR exits): an IRET step ends blocking (-> OPEN).  The trap is the
 *   guest's own if its TF was set before the instruction (it is delivered
 *   with the DR6 the CPU wrote); otherwise DR6 gets its old value back plus
 *   any new breakpoint bits, and only those are delivered.
 * - a fault at @step_rip: the instruction did not complete; the guest's
 *   TF/RF go back and the fault is delivered to the guest.  A faulting IRET
 *   leaves NMIs blocked (-> BLOCKED): the next IRET unblocks them.
 * - any other exit at @step_rip: the instruction has not run; TF/RF go
 *   back, the state stays, the next entry decides again.
 * - any exit elsewhere: the instruction completed (-> OPEN for an IRET).
 * RFLAGS after a completed instruction are the guest's: an IRET loaded them
 * from its stack, and for a shadow step the guest's TF goes back.
 * A shutdown resets everything to OPEN.
 */
enum hcl_nmi_state {
	HCL_NMI_OPEN,
	HCL_NMI_BLOCKED,
	HCL_NMI_IRET,
};

/* what an entry does about NMIs (hcl_nmi_at_entry()) */
enum hcl_nmi_entry {
	HCL_NMI_ENTRY_NONE,	/* nothing; interrupts as usual */
	HCL_NMI_ENTRY_INJECT,	/* inject the pending NMI */
	HCL_NMI_ENTRY_STEP,	/* single-step first; inject no interrupt */
	HCL_NMI_ENTRY_KICK,	/* another event first, then exit at once */
};

/* how an exit ends a step (hcl_nmi_step_end()) */
enum hcl_nmi_step_act {
	HCL_NMI_STEP_HANDLE,	/* not the step's exit: dispatch it as usual */
	HCL_NMI_STEP_RESUME,	/* the step's own #DB: swallowed */
	HCL_NMI_STEP_REFLECT,	/* an exception the guest takes: inject it */
};

/* exceptions intercepted while a step runs: #DB and the faults */
#define HCL_NMI_STEP_EXCEPTIONS						\
	(BIT(X86_TRAP_DE) | BIT(X86_TRAP_DB) | BIT(X86_TRAP_BR) |	\
	 BIT(X86_TRAP_UD) | BIT(X86_TRAP_NM) | BIT(X86_TRAP_TS) |	\
	 BIT(X86_TRAP_NP) | BIT(X86_TRAP_SS) | BIT(X86_TRAP_GP) |	\
	 BIT(X86_TRAP_PF) | BIT(X86_TRAP_MF) | BIT(X86_TRAP_AC) |	\
	 BIT(X86_TRAP_XF))

struct hcl_nmi {
	enum hcl_nmi_state state;
	bool step;		/* TF/RF are ours for this one VMRUN */
	bool step_iret;		/* the step is the IRET's (else a shadow's) */
	bool kick;		/* exit right after this entry's event */
	u64 iret_rip;		/* IRET: where the intercepted IRET is */
	u64 step_rip;		/* step: RIP it started at */
	u64 step_rflags;	/* step: the guest's own TF and RF */
	u64 step_dr6;		/* step: the guest's DR6 */
};

enum hcl_nmi_entry hcl_nmi_at_entry(enum hcl_nmi_state state, bool pending,
				    bool event, bool shadow_step);
void hcl_nmi_step_begin(struct hcl_nmi *n, u64 rip, u64 *rflags, u64 dr6);
enum hcl_nmi_step_act hcl_nmi_step_end(struct hcl_nmi *n, u64 code, u64 rip,
				       u64 *rflags, u64 *dr6);

#endif /* HCL_SVM_NMI_H */
