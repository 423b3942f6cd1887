// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the NMI window (kmod/nmi.c and its use in svm.c and
 * exit.c): the entry decision, the end of a single-step at every kind of
 * exit, the instruction check for interrupt shadows, and whole sequences
 * through the backend's inject and the exit dispatch on a private VMCB.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>

#include "../hcl_kunit.h"
#include "emulate.h"
#include "svm/svm.h"
#include "svm_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define TF	X86_EFLAGS_TF
#define RF	X86_EFLAGS_RF
#define IF	X86_EFLAGS_IF
#define FIXED	X86_EFLAGS_FIXED
#define BS	BIT_ULL(14)
#define DR6_0	0xffff0ff0ULL		/* DR6 with no cause bit */
#define EXIT_DB	(SVM_EXIT_EXCP_BASE + 1)
#define EXIT_GP	(SVM_EXIT_EXCP_BASE + 13)
#define EXIT_PF	(SVM_EXIT_EXCP_BASE + 14)

/* ---- the entry decision --------------------------------------------------- */

static void nmi_entry_decision(struct kunit *test)
{
	static const enum hcl_nmi_state all[] = {
		HCL_NMI_OPEN, HCL_NMI_BLOCKED, HCL_NMI_IRET,
	};
	unsigned int i;

	/* nothing pending: nothing to do, whatever the state */
	for (i = 0; i < ARRAY_SIZE(all); i++) {
		KUNIT_EXPECT_EQ(test, hcl_nmi_at_entry(all[i], false, false,
						       false),
				HCL_NMI_ENTRY_NONE);
		KUNIT_EXPECT_EQ(test, hcl_nmi_at_entry(all[i], false, true,
						       true),
				HCL_NMI_ENTRY_NONE);
	}
	/* open: inject, or step a shadow, or wait for the other event */
	KUNIT_EXPECT_EQ(test, hcl_nmi_at_entry(HCL_NMI_OPEN, true, false,
					       false), HCL_NMI_ENTRY_INJECT);
	KUNIT_EXPECT_EQ(test, hcl_nmi_at_entry(HCL_NMI_OPEN, true, false,
					       true), HCL_NMI_ENTRY_STEP);
	KUNIT_EXPECT_EQ(test, hcl_nmi_at_entry(HCL_NMI_OPEN, true, true,
					       false), HCL_NMI_ENTRY_KICK);
	/* blocked: the IRET exit comes first */
	KUNIT_EXPECT_EQ(test, hcl_nmi_at_entry(HCL_NMI_BLOCKED, true, false,
					       false), HCL_NMI_ENTRY_NONE);
	KUNIT_EXPECT_EQ(test, hcl_nmi_at_entry(HCL_NMI_BLOCKED, true, true,
					       true), HCL_NMI_ENTRY_NONE);
	/* IRET pending: step it, unless another event goes before it */
	KUNIT_EXPECT_EQ(test, hcl_nmi_at_entry(HCL_NMI_IRET, true, false,
					       false), HCL_NMI_ENTRY_STEP);
	KUNIT_EXPECT_EQ(test, hcl_nmi_at_entry(HCL_NMI_IRET, true, false,
					       true), HCL_NMI_ENTRY_STEP);
	KUNIT_EXPECT_EQ(test, hcl_nmi_at_entry(HCL_NMI_IRET, true, true,
					       false), HCL_NMI_ENTRY_NONE);
}

/* ---- the end of a step ---------------------------------------------------- */

/* an IRET step armed at 0x1000 with the guest's @rflags and DR6_0 */
static void iret_step(struct kunit *test, struct hcl_nmi *n, u64 rflags)
{
	u64 r = rflags;

	memset(n, 0, sizeof(*n));
	n->state = HCL_NMI_IRET;
	n->iret_rip = 0x1000;
	hcl_nmi_step_begin(n, 0x1000, &r, DR6_0);
	KUNIT_EXPECT_TRUE(test, n->step);
	KUNIT_EXPECT_TRUE(test, n->step_iret);
	KUNIT_EXPECT_EQ(test, r, rflags | TF | RF);
	KUNIT_EXPECT_EQ(test, n->step_rflags, rflags & (TF | RF));
}

static void nmi_step_iret_completes(struct kunit *test)
{
	struct hcl_nmi n;
	u64 rflags, dr6;

	/* the trap after the IRET: swallowed, DR6 back, RFLAGS the IRET's */
	iret_step(test, &n, FIXED);
	rflags = FIXED | IF;
	dr6 = DR6_0 | BS;
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, EXIT_DB, 0x2000, &rflags,
					       &dr6), HCL_NMI_STEP_RESUME);
	KUNIT_EXPECT_EQ(test, n.state, HCL_NMI_OPEN);
	KUNIT_EXPECT_FALSE(test, n.step);
	KUNIT_EXPECT_EQ(test, rflags, FIXED | IF);
	KUNIT_EXPECT_EQ(test, dr6, DR6_0);

	/* the IRET popped the guest's own TF: it stays */
	iret_step(test, &n, FIXED);
	rflags = FIXED | IF | TF;
	dr6 = DR6_0 | BS;
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, EXIT_DB, 0x2000, &rflags,
					       &dr6), HCL_NMI_STEP_RESUME);
	KUNIT_EXPECT_EQ(test, rflags, FIXED | IF | TF);

	/* an IRET that returns to itself still completed */
	iret_step(test, &n, FIXED);
	dr6 = DR6_0 | BS;
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, EXIT_DB, 0x1000, &rflags,
					       &dr6), HCL_NMI_STEP_RESUME);
	KUNIT_EXPECT_EQ(test, n.state, HCL_NMI_OPEN);
}

static void nmi_step_guest_debug(struct kunit *test)
{
	struct hcl_nmi n;
	u64 rflags, dr6;

	/* the guest stepped its own handler: the trap is its own */
	iret_step(test, &n, FIXED | TF);
	rflags = FIXED;
	dr6 = DR6_0 | BS;
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, EXIT_DB, 0x2000, &rflags,
					       &dr6), HCL_NMI_STEP_REFLECT);
	KUNIT_EXPECT_EQ(test, dr6, DR6_0 | BS);
	KUNIT_EXPECT_EQ(test, n.state, HCL_NMI_OPEN);

	/* a data breakpoint hit by the IRET: delivered, without our BS */
	iret_step(test, &n, FIXED);
	dr6 = DR6_0 | BS | BIT(1);
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, EXIT_DB, 0x2000, &rflags,
					       &dr6), HCL_NMI_STEP_REFLECT);
	KUNIT_EXPECT_EQ(test, dr6, DR6_0 | BIT(1));

	/* a BS the guest left in DR6 earlier stays */
	memset(&n, 0, sizeof(n));
	n.state = HCL_NMI_IRET;
	rflags = FIXED;
	hcl_nmi_step_begin(&n, 0x1000, &rflags, DR6_0 | BS);
	dr6 = DR6_0 | BS;
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, EXIT_DB, 0x2000, &rflags,
					       &dr6), HCL_NMI_STEP_RESUME);
	KUNIT_EXPECT_EQ(test, dr6, DR6_0 | BS);
}

static void nmi_step_iret_faults(struct kunit *test)
{
	struct hcl_nmi n;
	u64 rflags, dr6 = DR6_0;

	/* #GP at the IRET: the guest's RF back, no TF; NMIs stay blocked */
	iret_step(test, &n, FIXED | RF);
	rflags = FIXED | TF | RF;
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, EXIT_GP, 0x1000, &rflags,
					       &dr6), HCL_NMI_STEP_REFLECT);
	KUNIT_EXPECT_EQ(test, rflags, FIXED | RF);
	KUNIT_EXPECT_EQ(test, n.state, HCL_NMI_BLOCKED);
	KUNIT_EXPECT_EQ(test, dr6, DR6_0);

	/* #PF, with the guest's own TF */
	iret_step(test, &n, FIXED | TF);
	rflags = FIXED | TF | RF;
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, EXIT_PF, 0x1000, &rflags,
					       &dr6), HCL_NMI_STEP_REFLECT);
	KUNIT_EXPECT_EQ(test, rflags, FIXED | TF);
	KUNIT_EXPECT_EQ(test, n.state, HCL_NMI_BLOCKED);
}

static void nmi_step_other_exits(struct kunit *test)
{
	struct hcl_nmi n;
	u64 rflags, dr6 = DR6_0;

	/* a host interrupt before the IRET ran: flags back, still pending */
	iret_step(test, &n, FIXED | IF);
	rflags = FIXED | IF | TF | RF;
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, SVM_EXIT_INTR, 0x1000,
					       &rflags, &dr6),
			HCL_NMI_STEP_HANDLE);
	KUNIT_EXPECT_EQ(test, rflags, FIXED | IF);
	KUNIT_EXPECT_EQ(test, n.state, HCL_NMI_IRET);
	KUNIT_EXPECT_FALSE(test, n.step);

	/* an exit past the IRET: it ran, its RFLAGS are the guest's */
	iret_step(test, &n, FIXED);
	rflags = FIXED | TF;
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, SVM_EXIT_NPF, 0x2000,
					       &rflags, &dr6),
			HCL_NMI_STEP_HANDLE);
	KUNIT_EXPECT_EQ(test, n.state, HCL_NMI_OPEN);
	KUNIT_EXPECT_EQ(test, rflags, FIXED | TF);

	/* #MC is no step exception: dispatched as usual */
	iret_step(test, &n, FIXED);
	rflags = FIXED | TF | RF;
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, SVM_EXIT_EXCP_BASE + 18,
					       0x1000, &rflags, &dr6),
			HCL_NMI_STEP_HANDLE);
	KUNIT_EXPECT_EQ(test, n.state, HCL_NMI_IRET);
	KUNIT_EXPECT_EQ(test, rflags, FIXED);
}

static void nmi_step_shadow(struct kunit *test)
{
	struct hcl_nmi n = { .state = HCL_NMI_OPEN };
	u64 rflags = FIXED | IF, dr6 = DR6_0 | BS;

	/* over the instruction after STI: our TF goes, the state stays */
	hcl_nmi_step_begin(&n, 0x1000, &rflags, DR6_0);
	KUNIT_EXPECT_FALSE(test, n.step_iret);
	KUNIT_EXPECT_EQ(test, rflags, FIXED | IF | TF | RF);
	rflags = FIXED | IF | TF;
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, EXIT_DB, 0x1001, &rflags,
					       &dr6), HCL_NMI_STEP_RESUME);
	KUNIT_EXPECT_EQ(test, rflags, FIXED | IF);
	KUNIT_EXPECT_EQ(test, n.state, HCL_NMI_OPEN);
	KUNIT_EXPECT_EQ(test, dr6, DR6_0);

	/* the guest single-steps too: its TF stays and it gets the trap */
	rflags = FIXED | TF;
	hcl_nmi_step_begin(&n, 0x1000, &rflags, DR6_0);
	dr6 = DR6_0 | BS;
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, EXIT_DB, 0x1001, &rflags,
					       &dr6), HCL_NMI_STEP_REFLECT);
	KUNIT_EXPECT_EQ(test, rflags, FIXED | TF);
	KUNIT_EXPECT_EQ(test, n.state, HCL_NMI_OPEN);

	/* a fault of the shadowed instruction: no state change */
	rflags = FIXED;
	hcl_nmi_step_begin(&n, 0x1000, &rflags, DR6_0);
	KUNIT_EXPECT_EQ(test, hcl_nmi_step_end(&n, EXIT_GP, 0x1000, &rflags,
					       &dr6), HCL_NMI_STEP_REFLECT);
	KUNIT_EXPECT_EQ(test, rflags, FIXED);
	KUNIT_EXPECT_EQ(test, n.state, HCL_NMI_OPEN);
}

/* ---- sequences through inject and the exit dispatch ---------------------- */

struct nmi_ctx {
	struct hcl_svm_vp svm;
	struct hcl_svm_partition part;
};

static int nmi_init(struct kunit *test)
{
	struct nmi_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	test->priv = c;
	if (hcl_svm_kunit_vp_init(test, &c->svm, &c->part, PAGE_SIZE))
		return -ENOMEM;
	/* real mode, code at 0x100 */
	c->svm.vmcb->save.rflags = FIXED | IF;
	c->svm.vp.rip = 0x100;
	c->svm.vmcb->save.dr6 = DR6_0;
	return 0;
}

static void nmi_exit_ctx(struct kunit *test)
{
	struct nmi_ctx *c = test->priv;

	if (c)
		hcl_svm_kunit_vp_free(&c->svm);
}

static struct hcl_vp *nmi_vp(struct kunit *test)
{
	return &((struct nmi_ctx *)test->priv)->svm.vp;
}

static enum hcl_exit_action nmi_exit_at(struct hcl_vp *vp, u32 code, u64 rip)
{
	to_svm(vp)->vmcb->control.exit_code = code;
	vp->rip = rip;
	return hcl_svm_handle_exit(vp);
}

static bool intercepted(struct hcl_vp *vp, unsigned int bit)
{
	return to_svm(vp)->vmcb->control.intercepts[bit / 32] & BIT(bit % 32);
}

#define NMI_INJ	(X86_TRAP_NMI | SVM_EVTINJ_TYPE_NMI | SVM_EVTINJ_VALID)
#define DB_BIT	(INTERCEPT_EXCEPTION_OFFSET + 1)

/* NMI, IRET exit, a second NMI steps the IRET, then it is injected */
static void nmi_sequence_iret_step(struct kunit *test)
{
	const struct hcl_backend_ops *ops = &hcl_svm_ops;
	struct hcl_vp *vp = nmi_vp(test);
	struct hcl_svm_vp *svm = to_svm(vp);
	struct vmcb_control_area *ctl = &svm->vmcb->control;
	struct hcl_regs r;

	atomic_set(&vp->nmi_pending, 1);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, (u32)NMI_INJ);
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_BLOCKED);
	KUNIT_EXPECT_TRUE(test, intercepted(vp, INTERCEPT_IRET));
	svm->vmcb->save.rflags = FIXED;		/* the handler runs IF=0 */

	/* another NMI and an interrupt arrive in the handler: both wait */
	atomic_set(&vp->nmi_pending, 1);
	set_bit(0x30, vp->irq_pending);
	KUNIT_EXPECT_EQ(test, nmi_exit_at(vp, SVM_EXIT_INTR, 0x200),
			HCL_ACT_HOST_IRQ);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);

	/* the IRET exit: no injection yet, IRET not intercepted any more */
	KUNIT_EXPECT_EQ(test, nmi_exit_at(vp, SVM_EXIT_IRET, 0x210),
			HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_IRET);
	KUNIT_EXPECT_FALSE(test, intercepted(vp, INTERCEPT_IRET));
	svm->vmcb_dirty = 0;
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);	/* nor the interrupt */
	KUNIT_EXPECT_TRUE(test, svm->nmi.step);
	KUNIT_EXPECT_TRUE(test, svm->vmcb->save.rflags & TF);
	KUNIT_EXPECT_TRUE(test, svm->vmcb->save.rflags & RF);
	KUNIT_EXPECT_TRUE(test, intercepted(vp, DB_BIT));
	KUNIT_EXPECT_TRUE(test, intercepted(vp, INTERCEPT_EXCEPTION_OFFSET +
					    14));
	/* the interrupt offered at the last entry is withdrawn for the step */
	KUNIT_EXPECT_FALSE(test, ctl->int_ctl & V_IRQ_MASK);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty,
			BIT(HCL_VMCB_INTERCEPTS) | BIT(HCL_VMCB_INTR));
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_NMI_STEP], 1ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&vp->nmi_pending), 1);

	/* a host interrupt before the IRET ran: the guest's RFLAGS again */
	KUNIT_EXPECT_EQ(test, nmi_exit_at(vp, SVM_EXIT_INTR, 0x210),
			HCL_ACT_HOST_IRQ);
	KUNIT_EXPECT_FALSE(test, svm->nmi.step);
	KUNIT_EXPECT_FALSE(test, intercepted(vp, DB_BIT));
	ops->get_regs(vp, &r);
	KUNIT_EXPECT_EQ(test, r.rflags, FIXED);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_TRUE(test, svm->nmi.step);

	/* the IRET ran: its trap is swallowed, the NMI goes in next */
	svm->vmcb->save.rflags = FIXED | IF;	/* what it popped */
	svm->vmcb->save.dr6 = DR6_0 | BS;
	svm->vmcb_dirty = 0;
	KUNIT_EXPECT_EQ(test, nmi_exit_at(vp, EXIT_DB, 0x300),
			HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);
	KUNIT_EXPECT_EQ(test, svm->vmcb->save.dr6, DR6_0);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty,
			BIT(HCL_VMCB_INTERCEPTS) | BIT(HCL_VMCB_DRX));
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_OPEN);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, (u32)NMI_INJ);
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_BLOCKED);
	KUNIT_EXPECT_EQ(test, atomic_read(&vp->nmi_pending), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(0x30, vp->irq_pending));
}

/* the IRET faults while stepped: #PF reflected, NMIs stay blocked */
static void nmi_sequence_iret_fault(struct kunit *test)
{
	struct hcl_vp *vp = nmi_vp(test);
	struct hcl_svm_vp *svm = to_svm(vp);
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	svm->nmi.state = HCL_NMI_IRET;
	svm->nmi.iret_rip = 0x100;
	atomic_set(&vp->nmi_pending, 1);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_TRUE(test, svm->nmi.step);
	ctl->exit_info_1 = 2;
	ctl->exit_info_2 = 0xdead000;
	svm->vmcb_dirty = 0;
	KUNIT_EXPECT_EQ(test, nmi_exit_at(vp, EXIT_PF, 0x100), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, ctl->event_inj,
			(u32)(14 | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID |
			      SVM_EVTINJ_VALID_ERR));
	KUNIT_EXPECT_EQ(test, ctl->event_inj_err, 2U);
	KUNIT_EXPECT_EQ(test, svm->vmcb->save.cr2, 0xdead000ULL);
	KUNIT_EXPECT_EQ(test, svm->vmcb->save.rflags, FIXED | IF);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty,
			BIT(HCL_VMCB_INTERCEPTS) | BIT(HCL_VMCB_CR2));
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_BLOCKED);
	KUNIT_EXPECT_TRUE(test, intercepted(vp, INTERCEPT_IRET));
	KUNIT_EXPECT_FALSE(test, intercepted(vp, INTERCEPT_EXCEPTION_OFFSET +
					     14));
	/* the fault is delivered; the NMI waits for the next IRET */
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj & 0xff, 14U);
	KUNIT_EXPECT_FALSE(test, svm->nmi.step);
	KUNIT_EXPECT_FALSE(test, svm->nmi.kick);
}

/* events and NMIs at the same entry */
static void nmi_sequence_events(struct kunit *test)
{
	struct hcl_vp *vp = nmi_vp(test);
	struct hcl_svm_vp *svm = to_svm(vp);
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	/* an interrupted delivery goes first; an exit follows it at once */
	ctl->exit_int_info = 0x30 | SVM_EXITINTINFO_TYPE_INTR |
			     SVM_EXITINTINFO_VALID;
	KUNIT_EXPECT_EQ(test, nmi_exit_at(vp, SVM_EXIT_NPF, 0x100),
			HCL_ACT_USER);
	ctl->exit_int_info = 0;
	atomic_set(&vp->nmi_pending, 1);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj & 0xff, 0x30U);
	KUNIT_EXPECT_TRUE(test, svm->nmi.kick);
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_OPEN);
	svm->nmi.kick = false;

	/*
	 * An interrupt the guest may take before a pending IRET: back to
	 * blocked.  With IF clear it can only come after the IRET.
	 */
	atomic_set(&vp->nmi_pending, 0);
	ctl->event_inj = 0;
	svm->nmi.state = HCL_NMI_IRET;
	svm->nmi.iret_rip = 0x100;
	set_bit(0x31, vp->irq_pending);
	svm->vmcb->save.rflags = FIXED;
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);
	KUNIT_EXPECT_EQ(test, ctl->int_vector, 0x31U);
	KUNIT_EXPECT_TRUE(test, ctl->int_ctl & V_IRQ_MASK);
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_IRET);
	svm->vmcb->save.rflags = FIXED | IF;
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);
	KUNIT_EXPECT_EQ(test, ctl->int_vector, 0x31U);
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_BLOCKED);
	KUNIT_EXPECT_TRUE(test, intercepted(vp, INTERCEPT_IRET));

	/* with no step, an exit elsewhere says the IRET ran */
	svm->nmi.state = HCL_NMI_IRET;
	KUNIT_EXPECT_EQ(test, nmi_exit_at(vp, SVM_EXIT_INTR, 0x100),
			HCL_ACT_HOST_IRQ);
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_IRET);
	KUNIT_EXPECT_EQ(test, nmi_exit_at(vp, SVM_EXIT_INTR, 0x180),
			HCL_ACT_HOST_IRQ);
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_OPEN);

	/* a shutdown unblocks NMIs */
	svm->nmi.state = HCL_NMI_BLOCKED;
	hcl_vmcb_set_intercept(svm, INTERCEPT_IRET, true);
	KUNIT_EXPECT_EQ(test, nmi_exit_at(vp, SVM_EXIT_SHUTDOWN, 0x100),
			HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_OPEN);
	KUNIT_EXPECT_FALSE(test, intercepted(vp, INTERCEPT_IRET));
}

/* an interrupt shadow is stepped first unless its instruction forbids it */
static void nmi_sequence_shadow(struct kunit *test)
{
	struct nmi_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	struct hcl_svm_vp *svm = to_svm(vp);
	struct vmcb_control_area *ctl = &svm->vmcb->control;
	u8 *mem = c->part.part.mem;

	mem[0x100] = 0x90;		/* nop */
	ctl->int_state = SVM_INTERRUPT_SHADOW_MASK;
	atomic_set(&vp->nmi_pending, 1);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);
	KUNIT_EXPECT_TRUE(test, svm->nmi.step);
	KUNIT_EXPECT_FALSE(test, svm->nmi.step_iret);
	svm->vmcb->save.dr6 = DR6_0 | BS;
	svm->vmcb->save.rflags &= ~RF;		/* the nop completed */
	ctl->int_state = 0;
	KUNIT_EXPECT_EQ(test, nmi_exit_at(vp, EXIT_DB, 0x101), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, svm->vmcb->save.rflags, FIXED | IF);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, (u32)NMI_INJ);

	/* pushf in the shadow would push our TF: inject at once */
	memset(svm->vmcb, 0, sizeof(*svm->vmcb));
	memset(&svm->nmi, 0, sizeof(svm->nmi));
	svm->vmcb->save.rflags = FIXED;
	vp->rip = 0x100;
	mem[0x100] = 0x9c;
	ctl->int_state = SVM_INTERRUPT_SHADOW_MASK;
	atomic_set(&vp->nmi_pending, 1);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, (u32)NMI_INJ);
	KUNIT_EXPECT_FALSE(test, svm->nmi.step);

	/* HLT the kernel completes ends the shadow */
	svm->vmcb->save.rflags = FIXED | IF;
	ctl->int_state = SVM_INTERRUPT_SHADOW_MASK;
	KUNIT_EXPECT_EQ(test, nmi_exit_at(vp, SVM_EXIT_HLT, 0x100),
			HCL_ACT_HALT);
	KUNIT_EXPECT_EQ(test, ctl->int_state, 0U);
}

static struct kunit_case hcl_nmi_cases[] = {
	KUNIT_CASE(nmi_entry_decision),
	KUNIT_CASE(nmi_step_iret_completes),
	KUNIT_CASE(nmi_step_guest_debug),
	KUNIT_CASE(nmi_step_iret_faults),
	KUNIT_CASE(nmi_step_other_exits),
	KUNIT_CASE(nmi_step_shadow),
	KUNIT_CASE(nmi_sequence_iret_step),
	KUNIT_CASE(nmi_sequence_iret_fault),
	KUNIT_CASE(nmi_sequence_events),
	KUNIT_CASE(nmi_sequence_shadow),
	{}
};

HCL_KUNIT_SUITE_FIXTURE(nmi, hcl_nmi_cases, nmi_init, nmi_exit_ctx);
