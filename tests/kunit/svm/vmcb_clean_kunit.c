// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for VMCB clean-bit tracking (kmod/svm/vmcb_clean.c and
 * every writer of a cached VMCB field in svm.c and exit.c).  QEMU's SVM
 * offers no clean bits, so this is where that logic is exercised: on
 * private VMCBs, never with a VMRUN.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>

#include "../hcl_kunit.h"
#include "backend.h"
#include "svm/svm.h"
#include "svm_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- VMCB clean bits ----------------------------------------------------- */

#define D(a)	BIT(HCL_VMCB_##a)

static void clean_unsupported_is_zero(struct kunit *test)
{
	u32 dirty = 0;

	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, false, false), 0U);
	dirty = D(DRX);
	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, false, false), 0U);
	KUNIT_EXPECT_EQ(test, dirty, 0U);
	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, false, true), 0U);
}

static void clean_is_complement(struct kunit *test)
{
	u32 dirty;

	KUNIT_EXPECT_EQ(test, HCL_VMCB_ALL_AREAS, 0xfffU);
	dirty = D(DRX) | D(ASID);
	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, true, false),
			0xfffU & ~(D(DRX) | D(ASID)));
	/* consumed: nothing written since, everything clean */
	KUNIT_EXPECT_EQ(test, dirty, 0U);
	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, true, false), 0xfffU);
	/* a reload is all dirty, whatever was written */
	dirty = D(SEG);
	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, true, true), 0U);
	KUNIT_EXPECT_EQ(test, dirty, 0U);
	dirty = HCL_VMCB_ALL_AREAS;
	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, true, false), 0U);
}

static void clean_cpu_and_vmcb_switches(struct kunit *test)
{
	u64 cpu0 = 0, cpu1 = 0;

	/* a VMCB's first run: the CPU has run none */
	KUNIT_EXPECT_TRUE(test, hcl_vmcb_switch(&cpu0, 1, true));
	KUNIT_EXPECT_FALSE(test, hcl_vmcb_switch(&cpu0, 1, false));
	KUNIT_EXPECT_FALSE(test, hcl_vmcb_switch(&cpu0, 1, false));
	/* another VMCB ran on this CPU in between: both reload */
	KUNIT_EXPECT_TRUE(test, hcl_vmcb_switch(&cpu0, 2, true));
	KUNIT_EXPECT_TRUE(test, hcl_vmcb_switch(&cpu0, 1, false));
	KUNIT_EXPECT_EQ(test, cpu0, 1ULL);
	/* VMCB 1 to CPU 1 and back: reload both times */
	KUNIT_EXPECT_TRUE(test, hcl_vmcb_switch(&cpu1, 1, true));
	KUNIT_EXPECT_TRUE(test, hcl_vmcb_switch(&cpu0, 1, true));
	/* CPU 0 still had VMCB 1 last, but the VMCB ran elsewhere since */
	KUNIT_EXPECT_FALSE(test, hcl_vmcb_switch(&cpu0, 1, false));
	/* a CPU back online has forgotten everything (its record is 0) */
	cpu0 = 0;
	KUNIT_EXPECT_TRUE(test, hcl_vmcb_switch(&cpu0, 1, false));
}

/* A VP with a private VMCB, run page and 4 KiB of guest memory. */
struct clean_ctx {
	struct hcl_svm_vp svm;
	struct hcl_svm_partition part;
};

static int clean_init(struct kunit *test)
{
	struct clean_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	test->priv = c;
	if (hcl_svm_kunit_vp_init(test, &c->svm, &c->part, PAGE_SIZE))
		return -ENOMEM;
	c->svm.vmcb->save.rflags = X86_EFLAGS_FIXED;
	return 0;
}

static void clean_exit(struct kunit *test)
{
	struct clean_ctx *c = test->priv;

	if (c)
		hcl_svm_kunit_vp_free(&c->svm);
}

static struct hcl_vp *clean_vp(struct kunit *test)
{
	return &((struct clean_ctx *)test->priv)->svm.vp;
}

static void clean_exited(struct kunit *test)
{
	struct hcl_vp *vp = clean_vp(test);
	struct hcl_svm_vp *svm = to_svm(vp);

	svm->vmcb->control.exit_code = SVM_EXIT_CPUID;
	hcl_vmcb_exited(svm);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);
	svm->vmcb->control.exit_code = SVM_EXIT_ERR;
	hcl_vmcb_exited(svm);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, HCL_VMCB_ALL_AREAS);
	svm->vmcb_dirty = 0;
	svm->vmcb->control.exit_code = SVM_EXIT_SHUTDOWN;
	hcl_vmcb_exited(svm);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, HCL_VMCB_ALL_AREAS);
}

static void clean_helpers_mark_changes_only(struct kunit *test)
{
	struct hcl_vp *vp = clean_vp(test);
	struct hcl_svm_vp *svm = to_svm(vp);
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	hcl_vmcb_set_intercept(svm, INTERCEPT_VINTR, true);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(INTERCEPTS));
	KUNIT_EXPECT_TRUE(test, ctl->intercepts[INTERCEPT_VINTR / 32] &
			  BIT(INTERCEPT_VINTR % 32));
	svm->vmcb_dirty = 0;
	hcl_vmcb_set_intercept(svm, INTERCEPT_VINTR, true);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);
	hcl_vmcb_set_intercept(svm, INTERCEPT_IRET, false);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);
	hcl_vmcb_set_intercept(svm, INTERCEPT_VINTR, false);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(INTERCEPTS));
	KUNIT_EXPECT_EQ(test, ctl->intercepts[INTERCEPT_VINTR / 32], 0U);

	svm->vmcb_dirty = 0;
	ctl->int_ctl = 0;
	hcl_vmcb_update_int_ctl(svm, 0, V_IRQ_MASK);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(INTR));
	KUNIT_EXPECT_EQ(test, ctl->int_ctl, (u32)V_IRQ_MASK);
	svm->vmcb_dirty = 0;
	hcl_vmcb_update_int_ctl(svm, V_IGN_TPR_MASK, V_IRQ_MASK);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);
	hcl_vmcb_update_int_ctl(svm, V_IRQ_MASK, 0);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(INTR));
	KUNIT_EXPECT_EQ(test, ctl->int_ctl, 0U);
}

static void clean_register_writers(struct kunit *test)
{
	const struct hcl_backend_ops *ops = &hcl_svm_ops;
	struct hcl_vp *vp = clean_vp(test);
	struct hcl_svm_vp *svm = to_svm(vp);
	struct hcl_debugregs d = {};
	struct hcl_sregs sr = {};
	struct hcl_regs r = {};
	u64 val;

	/* reads never dirty anything */
	ops->get_regs(vp, &r);
	ops->get_sregs(vp, &sr);
	KUNIT_EXPECT_EQ(test, ops->get_debugregs(vp, &d), 0);
	KUNIT_EXPECT_EQ(test, ops->get_msr(vp, MSR_EFER, &val), 0);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);

	/* RAX, RSP, RIP, RFLAGS are not cached */
	r.rip = 0x1000;
	r.rflags = X86_EFLAGS_FIXED;
	KUNIT_EXPECT_EQ(test, ops->set_regs(vp, &r), 0);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);

	/* segments, descriptor tables, CRs (and EFER), CR2; and a flush */
	memset(&sr, 0, sizeof(sr));
	sr.cr0 = X86_CR0_ET;
	sr.cr2 = 0x1234;
	KUNIT_EXPECT_EQ(test, ops->set_sregs(vp, &sr), 0);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty,
			D(SEG) | D(DT) | D(CRX) | D(CR2));
	KUNIT_EXPECT_TRUE(test, svm->asid.flush);
	/* refused: nothing written, nothing dirty */
	svm->vmcb_dirty = 0;
	svm->asid.flush = false;
	sr.cr0 |= 1ULL << 32;
	KUNIT_EXPECT_EQ(test, ops->set_sregs(vp, &sr), -EINVAL);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);
	KUNIT_EXPECT_FALSE(test, svm->asid.flush);

	/* MSRs: EFER is a CR, PAT is nested paging, VMLOAD's are free */
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_EFER, EFER_SCE), 0);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(CRX));
	svm->vmcb_dirty = 0;
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_IA32_CR_PAT,
					   0x0007040600070406ULL), 0);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(NP));
	svm->vmcb_dirty = 0;
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_IA32_CR_PAT, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_EFER, EFER_SVME), -EINVAL);
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_LSTAR, 0xffffffff81000000ULL),
			0);
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_STAR, 1), 0);
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_FS_BASE, 0x1000), 0);
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_IA32_SYSENTER_CS, 8), 0);
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, 0x12345678, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);

	/* DR6/DR7 */
	d.dr7 = 0x400;
	KUNIT_EXPECT_EQ(test, ops->set_debugregs(vp, &d), 0);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(DRX));
}

static void clean_injection(struct kunit *test)
{
	struct hcl_vp *vp = clean_vp(test);
	struct hcl_svm_vp *svm = to_svm(vp);

	/* nothing pending: nothing written */
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);
	/* IF clear: offered through V_IRQ and its vector, no intercept */
	set_bit(0x30, vp->irq_pending);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(INTR));
	/* the same offer again: no change, nothing dirty */
	svm->vmcb_dirty = 0;
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);
	/* an exit before the guest took it: the offer stands */
	svm->vmcb->control.exit_code = SVM_EXIT_INTR;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_HOST_IRQ);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);
	/* IF set: the same offer, never an event injection */
	svm->vmcb->save.rflags |= X86_EFLAGS_IF;
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, svm->vmcb->control.event_inj, 0U);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);
	/* taken: the next entry has nothing to offer and withdraws V_IRQ */
	svm->vmcb->control.int_ctl &= ~V_IRQ_MASK;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_HOST_IRQ);
	svm->vmcb->control.int_ctl |= V_IRQ_MASK;	/* not as the CPU left it */
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(INTR));
	svm->vmcb_dirty = 0;
	/* an NMI intercepts IRET until the handler returns */
	svm->vmcb->control.event_inj = 0;
	atomic_set(&vp->nmi_pending, 1);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(INTERCEPTS));
	svm->vmcb_dirty = 0;
	svm->vmcb->control.exit_code = SVM_EXIT_IRET;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(INTERCEPTS));
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_IRET);
	/* the next NMI single-steps the IRET: #DB and faults intercepted */
	svm->vmcb_dirty = 0;
	atomic_set(&vp->nmi_pending, 1);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(INTERCEPTS));
	KUNIT_EXPECT_TRUE(test, svm->nmi.step);
	/* its #DB: intercepts off again, DR6 as it was (a DRX write) */
	svm->vmcb_dirty = 0;
	vp->rip += 2;
	svm->vmcb->save.rflags &= ~X86_EFLAGS_TF;
	svm->vmcb->save.dr6 |= BIT(14);
	svm->vmcb->control.exit_code = SVM_EXIT_EXCP_BASE + 1;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(INTERCEPTS) | D(DRX));
	KUNIT_EXPECT_EQ(test, svm->nmi.state, HCL_NMI_OPEN);
}

/* MOV to/from DRn in real mode at 0x100, operand EAX */
static void dr_exit(struct kunit *test, u32 code, u8 op, u8 modrm)
{
	struct clean_ctx *c = test->priv;
	u8 *mem = c->part.part.mem;

	mem[0x100] = 0x0f;
	mem[0x101] = op;
	mem[0x102] = modrm;
	c->svm.vp.rip = 0x100;
	c->svm.vmcb->control.exit_code = code;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(&c->svm.vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, c->svm.vp.rip, 0x103ULL);
}

static void clean_dr_exits(struct kunit *test)
{
	struct hcl_vp *vp = clean_vp(test);
	struct hcl_svm_vp *svm = to_svm(vp);

	vp->gprs.r[HCL_REG_RAX] = 0x401;
	dr_exit(test, SVM_EXIT_WRITE_DR7, 0x23, 0xf8);
	KUNIT_EXPECT_EQ(test, svm->vmcb->save.dr7, 0x401ULL);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(DRX));
	svm->vmcb_dirty = 0;
	dr_exit(test, SVM_EXIT_WRITE_DR6, 0x23, 0xf0);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(DRX));
	/* DR0-3 live outside the VMCB; reads write nothing */
	svm->vmcb_dirty = 0;
	dr_exit(test, SVM_EXIT_WRITE_DR0, 0x23, 0xc0);
	KUNIT_EXPECT_EQ(test, svm->db[0], 0x401ULL);
	dr_exit(test, SVM_EXIT_READ_DR7, 0x21, 0xf8);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 0x401ULL);
}

/* exits that write only uncached fields leave the clean bits alone */
static void clean_other_exits(struct kunit *test)
{
	struct hcl_vp *vp = clean_vp(test);
	struct hcl_svm_vp *svm = to_svm(vp);

	svm->vmcb->control.exit_code = SVM_EXIT_HLT;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	svm->vmcb->control.exit_code = SVM_EXIT_VMMCALL;
	vp->gprs.r[HCL_REG_RAX] = HCL_HC_NOP;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	svm->vmcb->control.exit_code = SVM_EXIT_MSR;
	vp->gprs.r[HCL_REG_RCX] = 0x12345678;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	svm->vmcb->control.exit_code = SVM_EXIT_VMRUN;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, 0U);
	/* a guest WRMSR to EFER goes through the backend: a CR area */
	svm->vmcb->control.exit_code = SVM_EXIT_MSR;
	svm->vmcb->control.exit_info_1 = 1;
	vp->gprs.r[HCL_REG_RCX] = MSR_EFER;
	vp->gprs.r[HCL_REG_RDX] = 0;
	vp->gprs.r[HCL_REG_RAX] = EFER_SCE;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, svm->vmcb->control.event_inj, 0U);
	KUNIT_EXPECT_EQ(test, svm->vmcb_dirty, D(CRX));
}

static struct kunit_case hcl_vmcb_clean_cases[] = {
	KUNIT_CASE(clean_unsupported_is_zero),
	KUNIT_CASE(clean_is_complement),
	KUNIT_CASE(clean_cpu_and_vmcb_switches),
	KUNIT_CASE(clean_exited),
	KUNIT_CASE(clean_helpers_mark_changes_only),
	KUNIT_CASE(clean_register_writers),
	KUNIT_CASE(clean_injection),
	KUNIT_CASE(clean_dr_exits),
	KUNIT_CASE(clean_other_exits),
	{}
};

HCL_KUNIT_SUITE_FIXTURE(vmcb_clean, hcl_vmcb_clean_cases, clean_init, clean_exit);
