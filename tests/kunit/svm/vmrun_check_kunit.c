// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for VMRUN's checks made in software (kmod/svm/vmrun_check.c)
 * and what svm.c makes of a refused entry: each check on a state that
 * passes all the others, the limits read from this CPU, and the VMCB a
 * refused entry leaves for the exit handler, on a private VMCB.
 */
#include <kunit/test.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>

#include "../hcl_kunit.h"
#include "backend.h"
#include "emulate.h"
#include "svm/svm.h"
#include "svm/vmrun_check.h"
#include "svm_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define LIM_EFER (EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

static const struct hcl_vmrun_limits lim = {
	.phys_bits = 48,
	.cr4_ok = X86_CR4_PAE | X86_CR4_PGE | X86_CR4_OSFXSR |
		  X86_CR4_OSXMMEXCPT,
	.efer_ok = LIM_EFER | EFER_SVME,
};

/* a 64-bit kernel's state, every check passed */
static void long_mode(struct vmcb *v)
{
	memset(v, 0, sizeof(*v));
	v->save.cr0 = X86_CR0_PG | X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	v->save.cr3 = 0x1000;
	v->save.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR;
	v->save.efer = EFER_SVME | EFER_LME | EFER_LMA;
	v->save.cs.attrib = 0x29b;		/* P, S, code, L */
	v->save.dr6 = 0xffff0ff0;
	v->save.dr7 = 0x400;
}

static void vmrun_check_each(struct kunit *test)
{
	struct vmcb *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, v);
#define EXPECT_CHECK(change, want) do {					\
		long_mode(v);						\
		change;							\
		KUNIT_EXPECT_EQ_MSG(test, hcl_vmrun_check(v, &lim),	\
				    (u32)(want), #change);		\
	} while (0)

	EXPECT_CHECK((void)0, HCL_ENTRY_CPU);
	/* CR0: the high half, NW without CD; CD and NW together are fine */
	EXPECT_CHECK(v->save.cr0 |= BIT_ULL(32), HCL_ENTRY_CR0);
	EXPECT_CHECK(v->save.cr0 |= X86_CR0_NW, HCL_ENTRY_CR0);
	EXPECT_CHECK(v->save.cr0 |= X86_CR0_NW | X86_CR0_CD, HCL_ENTRY_CPU);
	/* the low half's reserved bits are the CPU's to ignore */
	EXPECT_CHECK(v->save.cr0 |= BIT(27), HCL_ENTRY_CPU);
	/* CR3: MAXPHYADDR and up */
	EXPECT_CHECK(v->save.cr3 |= BIT_ULL(47), HCL_ENTRY_CPU);
	EXPECT_CHECK(v->save.cr3 |= BIT_ULL(48), HCL_ENTRY_CR3);
	EXPECT_CHECK(v->save.cr3 |= BIT_ULL(63), HCL_ENTRY_CR3);
	/* CR4: what this CPU has */
	EXPECT_CHECK(v->save.cr4 |= X86_CR4_PGE, HCL_ENTRY_CPU);
	EXPECT_CHECK(v->save.cr4 |= X86_CR4_LA57, HCL_ENTRY_CR4);
	EXPECT_CHECK(v->save.cr4 |= BIT_ULL(40), HCL_ENTRY_CR4);
	/* DR6, DR7 */
	EXPECT_CHECK(v->save.dr6 |= BIT_ULL(32), HCL_ENTRY_DR6_DR7);
	EXPECT_CHECK(v->save.dr7 |= BIT_ULL(63), HCL_ENTRY_DR6_DR7);
	/* EFER: SVME, reserved bits */
	EXPECT_CHECK(v->save.efer &= ~EFER_SVME, HCL_ENTRY_EFER);
	EXPECT_CHECK(v->save.efer |= EFER_FFXSR, HCL_ENTRY_EFER);
	EXPECT_CHECK(v->save.efer |= EFER_NX, HCL_ENTRY_CPU);
	/* long mode: PAE, PE, CS not both L and D */
	EXPECT_CHECK(v->save.cr4 &= ~X86_CR4_PAE, HCL_ENTRY_LONG_MODE);
	EXPECT_CHECK(v->save.cr0 &= ~X86_CR0_PE, HCL_ENTRY_LONG_MODE);
	EXPECT_CHECK(v->save.cs.attrib |= HCL_SEG_ATTR_DB,
		     HCL_ENTRY_LONG_MODE);
	/* ... none of which matters without paging or LME */
	EXPECT_CHECK((v->save.cr0 &= ~X86_CR0_PG, v->save.cs.attrib |= HCL_SEG_ATTR_DB),
		     HCL_ENTRY_CPU);
	EXPECT_CHECK((v->save.efer &= ~(EFER_LME | EFER_LMA),
		      v->save.cr4 &= ~X86_CR4_PAE), HCL_ENTRY_CPU);
	/* the event to inject */
	EXPECT_CHECK(v->control.event_inj = SVM_EVTINJ_VALID |
		     SVM_EVTINJ_TYPE_INTR | 0x80, HCL_ENTRY_CPU);
	EXPECT_CHECK(v->control.event_inj = SVM_EVTINJ_VALID |
		     SVM_EVTINJ_TYPE_SOFT | 0x80, HCL_ENTRY_CPU);
	EXPECT_CHECK(v->control.event_inj = SVM_EVTINJ_VALID |
		     SVM_EVTINJ_TYPE_NMI | 2, HCL_ENTRY_CPU);
	EXPECT_CHECK(v->control.event_inj = SVM_EVTINJ_VALID |
		     SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID_ERR | 13,
		     HCL_ENTRY_CPU);
	EXPECT_CHECK(v->control.event_inj = SVM_EVTINJ_VALID |
		     SVM_EVTINJ_TYPE_EXEPT | 2, HCL_ENTRY_EVENT);
	EXPECT_CHECK(v->control.event_inj = SVM_EVTINJ_VALID |
		     SVM_EVTINJ_TYPE_EXEPT | 0x80, HCL_ENTRY_EVENT);
	EXPECT_CHECK(v->control.event_inj = SVM_EVTINJ_VALID | (1 << 8) | 5,
		     HCL_ENTRY_EVENT);
	/* not valid: not looked at */
	EXPECT_CHECK(v->control.event_inj = SVM_EVTINJ_TYPE_EXEPT | 0x80,
		     HCL_ENTRY_CPU);
	/* the first failing check is the one reported */
	EXPECT_CHECK((v->save.cr0 |= X86_CR0_NW, v->save.dr7 |= BIT_ULL(40)),
		     HCL_ENTRY_CR0);
#undef EXPECT_CHECK
}

/* this CPU's limits: what every x86-64 CPU has, a sane MAXPHYADDR */
static void vmrun_limits_of_this_cpu(struct kunit *test)
{
	struct hcl_vmrun_limits l;

	hcl_vmrun_limits_init(&l, LIM_EFER);
	KUNIT_EXPECT_GE(test, l.phys_bits, 36);
	KUNIT_EXPECT_LE(test, l.phys_bits, 52);
	KUNIT_EXPECT_TRUE(test, l.cr4_ok & X86_CR4_PAE);
	KUNIT_EXPECT_TRUE(test, l.cr4_ok & X86_CR4_OSXMMEXCPT);
	KUNIT_EXPECT_FALSE(test, l.cr4_ok & BIT_ULL(32));
	KUNIT_EXPECT_EQ(test, l.efer_ok, (u64)(LIM_EFER | EFER_SVME));
	/* the host's own CR4 passes */
	KUNIT_EXPECT_EQ(test, __read_cr4() & ~l.cr4_ok, 0UL);
}

struct refuse_ctx {
	struct hcl_svm_vp svm;
	struct hcl_svm_partition part;
};

static int refuse_init(struct kunit *test)
{
	struct refuse_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	test->priv = c;
	return hcl_svm_kunit_vp_init(test, &c->svm, &c->part, 0);
}

static void refuse_exit(struct kunit *test)
{
	struct refuse_ctx *c = test->priv;

	hcl_svm_kunit_vp_free(&c->svm);
}

/*
 * A state the checks refuse: no VMRUN, a failed entry with the check in
 * info1, the state and the event to inject left as they were.
 */
static void refused_entry_keeps_state(struct kunit *test)
{
	struct refuse_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	struct vmcb *v = c->svm.vmcb;
	u32 ev = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI | 2;

	long_mode(v);
	v->control.int_ctl = V_INTR_MASKING_MASK;
	v->save.cr0 |= X86_CR0_NW;
	v->save.rip = 0x1234;
	v->control.event_inj = ev;
	/* a stale EXITINTINFO of the last exit must not come back */
	v->control.exit_int_info = SVM_EXITINTINFO_VALID | 0x41;
	vp->rip = 0x1234;
	hcl_svm_refuse_entry(&c->svm, hcl_vmrun_check(v, &lim));
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_FAIL_ENTRY);
	KUNIT_EXPECT_EQ(test, vp->run->hw.code, (u64)SVM_EXIT_ERR);
	KUNIT_EXPECT_EQ(test, vp->run->hw.info1, (u64)HCL_ENTRY_CR0);
	KUNIT_EXPECT_EQ(test, vp->run->hw.info2, 0ULL);
	KUNIT_EXPECT_EQ(test, vp->run->rip, 0x1234ULL);
	KUNIT_EXPECT_EQ(test, v->control.event_inj, ev);
	KUNIT_EXPECT_TRUE(test, v->save.cr0 & X86_CR0_NW);
	KUNIT_EXPECT_TRUE(test, vp->regs_set && vp->sregs_set);
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_ENTRY_REFUSED], 1ULL);
}

/*
 * A VMRUN the CPU refused: the event it was to inject is pending again
 * (QEMU moved it to EXITINTINFO); the guest's registers stay unless they
 * read as the host's, which are cleared and the state marked lost.
 */
static void cpu_refused_entry(struct kunit *test)
{
	struct refuse_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	struct vmcb *v = c->svm.vmcb;
	u32 ev = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_INTR | 0x30;
	struct hcl_regs regs;
	struct hcl_sregs sr;

	/* the guest's state written back: it stays */
	long_mode(v);
	v->save.rip = 0x5000;
	v->control.exit_code = (u32)SVM_EXIT_ERR;
	v->control.exit_code_hi = 0;
	v->control.event_inj = 0;
	v->control.exit_int_info = ev;
	hcl_svm_entry_refused(&c->svm, ev, 0, 0xabc000);
	KUNIT_EXPECT_EQ(test, v->control.event_inj, ev);
	KUNIT_EXPECT_EQ(test, v->control.exit_int_info, 0U);
	KUNIT_EXPECT_EQ(test, v->control.exit_info_2, 0ULL);
	KUNIT_EXPECT_EQ(test, v->save.rip, 0x5000ULL);
	KUNIT_EXPECT_EQ(test, v->save.cr3, 0x1000ULL);

	/* the host's written over it: gone, and lost for the VMM */
	long_mode(v);
	v->save.cr3 = 0xabc000;
	v->save.rip = 0xffffffff81000000ULL;
	v->save.rsp = 0xffffc90000001000ULL;
	v->save.gdtr.base = 0xfffffe0000001000ULL;
	v->save.cs.selector = 0x10;
	v->save.cr4 = X86_CR4_PAE | X86_CR4_LA57;
	v->control.exit_code = (u32)SVM_EXIT_ERR;
	v->control.exit_code_hi = 0;
	hcl_svm_entry_refused(&c->svm, ev, 0, 0xabc000);
	KUNIT_EXPECT_EQ(test, v->control.exit_info_2, HCL_ENTRY_STATE_LOST);
	KUNIT_EXPECT_EQ(test, v->control.event_inj, ev);
	KUNIT_EXPECT_EQ(test, v->save.rip, 0ULL);
	KUNIT_EXPECT_EQ(test, v->save.rsp, 0ULL);
	KUNIT_EXPECT_EQ(test, v->save.cr3, 0ULL);
	KUNIT_EXPECT_EQ(test, v->save.gdtr.base, 0ULL);
	KUNIT_EXPECT_EQ(test, v->save.cs.selector, 0);
	KUNIT_EXPECT_EQ(test, v->save.efer, (u64)EFER_SVME);
	vp->rip = v->save.rip;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_FAIL_ENTRY);
	KUNIT_EXPECT_EQ(test, vp->run->hw.info1, (u64)HCL_ENTRY_CPU);
	KUNIT_EXPECT_EQ(test, vp->run->hw.info2, HCL_ENTRY_STATE_LOST);
	KUNIT_EXPECT_FALSE(test, vp->regs_set);
	KUNIT_EXPECT_FALSE(test, vp->sregs_set);
	/* what is left reads back as a state SET_SREGS takes */
	hcl_svm_ops.get_sregs(vp, &sr);
	hcl_svm_ops.get_regs(vp, &regs);
	KUNIT_EXPECT_EQ(test, sr.cr4, 0ULL);
	KUNIT_EXPECT_EQ(test, sr.efer, 0ULL);
	KUNIT_EXPECT_EQ(test, regs.rip, 0ULL);
	KUNIT_EXPECT_EQ(test, hcl_svm_ops.set_sregs(vp, &sr), 0);
}

static struct kunit_case vmrun_check_cases[] = {
	KUNIT_CASE(vmrun_check_each),
	KUNIT_CASE(vmrun_limits_of_this_cpu),
	KUNIT_CASE(refused_entry_keeps_state),
	KUNIT_CASE(cpu_refused_entry),
	{}
};

HCL_KUNIT_SUITE_FIXTURE(svm_vmrun_check, vmrun_check_cases, refuse_init,
			refuse_exit);
