// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the SVM exit decoder (kmod/svm/exit.c) and, through it,
 * the generic emulation it hands exits to (kmod/emulate.c).  Exits are
 * fabricated in a private VMCB, as the entry (svm.c) leaves them: the
 * guest's RAX, RSP and RIP in the register cache, the rest in the VMCB.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <asm/svm.h>

#include "../hcl_kunit.h"
#include "cpuid.h"
#include "emulate.h"
#include "irq.h"
#include "lapic.h"
#include "range.h"
#include "svm/svm.h"
#include "svm_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- I/O exit decoding ------------------------------------------------- */

static void ioio_decode(struct kunit *test)
{
	struct hcl_io_decoded io;

	/* OUT 1 byte to 0x3f8 */
	KUNIT_ASSERT_EQ(test, hcl_decode_ioio(0x03f80010, &io), 0);
	KUNIT_EXPECT_EQ(test, io.port, 0x3f8);
	KUNIT_EXPECT_EQ(test, io.size, 1);
	KUNIT_EXPECT_FALSE(test, io.in);
	KUNIT_EXPECT_FALSE(test, io.string);
	/* IN 2 bytes from 0x60 */
	KUNIT_ASSERT_EQ(test, hcl_decode_ioio(0x00600021, &io), 0);
	KUNIT_EXPECT_EQ(test, io.port, 0x60);
	KUNIT_EXPECT_EQ(test, io.size, 2);
	KUNIT_EXPECT_TRUE(test, io.in);
	/* REP OUTSD to 0xffff */
	KUNIT_ASSERT_EQ(test, hcl_decode_ioio(0xffff004c, &io), 0);
	KUNIT_EXPECT_EQ(test, io.port, 0xffff);
	KUNIT_EXPECT_EQ(test, io.size, 4);
	KUNIT_EXPECT_TRUE(test, io.string);
	KUNIT_EXPECT_TRUE(test, io.rep);
	/* no size bit, or two of them */
	KUNIT_EXPECT_EQ(test, hcl_decode_ioio(0x03f80000, &io), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_decode_ioio(0x03f80030, &io), -EINVAL);
}

/* a CPUID table of one hypervisor leaf */
static struct hcl_cpuid_table *make_table(struct kunit *test)
{
	static const struct hcl_cpuid_entry leaf = {
		.function = 0x40000000, .eax = 0x40000001, .ebx = 0x6c6368,
	};
	struct hcl_cpuid_table *t;

	t = kunit_kzalloc(test, struct_size(t, entries, 1), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->nent = 1;
	t->entries[0] = leaf;
	return t;
}

/* ---- exit dispatch ----------------------------------------------------- */

struct dispatch_ctx {
	struct hcl_svm_vp svm;
	struct hcl_svm_partition part;
};

static int dispatch_init(struct kunit *test)
{
	struct dispatch_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	test->priv = c;
	if (hcl_svm_kunit_vp_init(test, &c->svm, &c->part, 0))
		return -ENOMEM;
	/* a partition this large, with no memory behind it */
	c->part.part.mem_size = 64 * SZ_1M;
	return 0;
}

/* Claims @len ports at @port for userspace in the fake partition. */
static void dispatch_claim(struct kunit *test, u16 port, u16 len)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_range_set *old = rcu_dereference_protected(c->part.part.ranges,
							      true);
	struct hcl_range_ent e = {
		.space = HCL_RANGE_PIO, .kind = HCL_RANGE_USER,
		.start = port, .end = port + len,
	};
	struct hcl_range_set *set = hcl_range_set_add(old, &e);

	KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	RCU_INIT_POINTER(c->part.part.ranges, set);
	hcl_range_set_free(old, false);
}

static void dispatch_exit(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;

	if (!c)
		return;
	hcl_range_set_free(rcu_dereference_protected(c->part.part.ranges, true),
			   false);
	hcl_svm_kunit_vp_free(&c->svm);
}

static void set_exit(struct hcl_vp *vp, u64 code, u64 info1, u64 info2)
{
	to_svm(vp)->vmcb->control.exit_code = (u32)code;
	to_svm(vp)->vmcb->control.exit_code_hi = code >> 32;
	to_svm(vp)->vmcb->control.exit_info_1 = info1;
	to_svm(vp)->vmcb->control.exit_info_2 = info2;
}

static void dispatch_cpuid(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;

	vp->cpuid = make_table(test);
	vp->rip = 0x1000;
	vp->gprs.r[HCL_REG_RAX] = 0x40000000;
	vp->gprs.r[HCL_REG_RCX] = 5;
	set_exit(vp, SVM_EXIT_CPUID, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 0x40000001ULL);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RBX], 0x6c6368ULL);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RCX], 0ULL);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x1002ULL);

	/* a leaf not in the table reads as zeroes, upper RAX cleared */
	vp->gprs.r[HCL_REG_RAX] = 0xffffffff00000099ULL;
	vp->gprs.r[HCL_REG_RDX] = 7;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 0ULL);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RDX], 0ULL);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x1004ULL);
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_EXITS], 2ULL);
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_CPUID], 2ULL);
}

static void dispatch_io(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;

	dispatch_claim(test, 0x3f8, 8);
	dispatch_claim(test, 0x60, 4);
	/* OUT dx, al to 0x3f8; next RIP from exit_info_2 */
	vp->rip = 0x2000;
	vp->gprs.r[HCL_REG_RAX] = 0x1234567841ULL;
	set_exit(vp, SVM_EXIT_IOIO, 0x03f80010, 0x2001);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_IO);
	KUNIT_EXPECT_EQ(test, vp->run->io.port, 0x3f8);
	KUNIT_EXPECT_EQ(test, vp->run->io.size, 1);
	KUNIT_EXPECT_EQ(test, vp->run->io.direction, HCL_IO_OUT);
	KUNIT_EXPECT_EQ(test, vp->run->io.data, 0x41ULL);
	KUNIT_EXPECT_EQ(test, vp->run->rip, 0x2000ULL);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x2001ULL);
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 0x1234567841ULL);

	/* IN ax: the low two bytes of the answer merge into RAX */
	set_exit(vp, SVM_EXIT_IOIO, 0x00600021, 0x2003);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->io.direction, HCL_IO_IN);
	vp->run->io.data = 0xdeadbeefULL;
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 0x123456beefULL);
	/* completing twice changes nothing */
	vp->run->io.data = 0;
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 0x123456beefULL);

	/* IN eax zero-extends */
	set_exit(vp, SVM_EXIT_IOIO, 0x00600041, 0x2004);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	vp->run->io.data = 0xffffffffcafef00dULL;
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 0xcafef00dULL);

	/* unclaimed ports: IN reads all ones in the kernel, OUT is dropped */
	vp->gprs.r[HCL_REG_RAX] = 0x1234567800000000ULL;
	set_exit(vp, SVM_EXIT_IOIO, 0x00800021, 0x2005);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 0x123456780000ffffULL);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x2005ULL);
	set_exit(vp, SVM_EXIT_IOIO, 0x00800040, 0x2006);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 0x123456780000ffffULL);
	/* straddling a claimed range's end is not the range's */
	set_exit(vp, SVM_EXIT_IOIO, 0x03fe0040, 0x2007);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);

	/*
	 * string I/O the kernel does not do (here: at CPL 3, string_io.c)
	 * goes to userspace undecoded; the rest is string_io_kunit.c's
	 */
	c->svm.vmcb->save.cpl = 3;
	set_exit(vp, SVM_EXIT_IOIO, 0x03f80014, 0x2006);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_UNHANDLED);
	KUNIT_EXPECT_EQ(test, vp->run->hw.info1, 0x03f80014ULL);
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_IO_STRING], 0ULL);
}

static void dispatch_others(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	struct vmcb *vmcb = c->svm.vmcb;

	vp->rip = 0x3000;
	set_exit(vp, SVM_EXIT_HLT, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x3001ULL);
	/* with interrupts enabled, HLT waits in the kernel */
	vmcb->save.rflags = X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_HALT);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x3002ULL);
	vp->rip = 0x3001;

	set_exit(vp, SVM_EXIT_INTR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_HOST_IRQ);

	/* an unknown MSR raises #GP(0) in the guest */
	set_exit(vp, SVM_EXIT_MSR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj,
			(u32)(13 | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID |
			      SVM_EVTINJ_VALID_ERR));
	KUNIT_EXPECT_EQ(test, vp->rip, 0x3001ULL);

	/* VMMCALL: NOP and VP index in the kernel, others to userspace */
	vp->index = 3;
	vp->gprs.r[HCL_REG_RAX] = HCL_HC_VP_INDEX;
	set_exit(vp, SVM_EXIT_VMMCALL, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 3ULL);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x3004ULL);
	vp->gprs.r[HCL_REG_RAX] = 0x77;
	vp->gprs.r[HCL_REG_RSI] = 0xabc;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_HYPERCALL);
	KUNIT_EXPECT_EQ(test, vp->run->hypercall.code, 0x77ULL);
	KUNIT_EXPECT_EQ(test, vp->run->hypercall.args[3], 0xabcULL);
	vp->run->hypercall.ret = 0x5555;
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RAX], 0x5555ULL);
	/* from user mode it is #UD */
	vmcb->save.cpl = 3;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj,
			(u32)(6 | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID));
	vmcb->save.cpl = 0;
	vp->rip = 0x3001;

	/* an interrupted delivery is delivered again */
	vmcb->control.exit_int_info = 14 | SVM_EXITINTINFO_TYPE_EXEPT |
					  SVM_EXITINTINFO_VALID |
					  SVM_EXITINTINFO_VALID_ERR;
	vmcb->control.exit_int_info_err = 2;
	set_exit(vp, SVM_EXIT_NPF, 6, 0xfee00000);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason,
			(u32)HCL_EXIT_VTL_VIOLATION);
	KUNIT_EXPECT_EQ(test, vp->run->hw_exit_code, (u64)SVM_EXIT_NPF);
	KUNIT_EXPECT_EQ(test, vp->run->vtl.gpa, 0xfee00000ULL);
	KUNIT_EXPECT_EQ(test, vp->run->vtl.access, HCL_ACCESS_WRITE);
	/* an instruction fetch from outside RAM */
	set_exit(vp, SVM_EXIT_NPF, 0x14, 0xc0000000);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->vtl.access,
			HCL_ACCESS_READ | HCL_ACCESS_EXEC);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj,
			vmcb->control.exit_int_info);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj_err, 2U);
	vmcb->control.exit_int_info = 0;

	/* VMRUN refused the state */
	set_exit(vp, SVM_EXIT_ERR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_FAIL_ENTRY);
	KUNIT_EXPECT_EQ(test, vp->run->hw.code, ~0ULL);

	/* triple fault: reported, and the VP needs new state to run */
	vmcb->control.exit_int_info = 8 | SVM_EXITINTINFO_TYPE_EXEPT |
					  SVM_EXITINTINFO_VALID;
	set_exit(vp, SVM_EXIT_SHUTDOWN, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_SHUTDOWN);
	KUNIT_EXPECT_FALSE(test, vp->regs_set);
	KUNIT_EXPECT_FALSE(test, vp->sregs_set);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj, 0U);
}

/*
 * An SMI or #MC intercept is the host's business (issue 9, finding 4):
 * the guest resumes where it was and userspace hears nothing.  The #MC
 * handling itself runs in svm_enter(), right after the exit.
 */
static void dispatch_smi_and_mc(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	static const u64 codes[] = {
		SVM_EXIT_SMI, SVM_EXIT_EXCP_BASE + X86_TRAP_MC,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		vp->rip = 0x5000;
		vp->run->exit_reason = HCL_EXIT_NONE;
		c->svm.vmcb->control.event_inj = 0;
		set_exit(vp, codes[i], 0, 0);
		KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
		KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_NONE);
		KUNIT_EXPECT_EQ(test, vp->rip, 0x5000ULL);
		/* nothing is injected: the guest never sees the event */
		KUNIT_EXPECT_EQ(test, c->svm.vmcb->control.event_inj, 0U);
	}
}

/*
 * RDPMC and RDPRU would read host counters (issue 9, finding 9): they
 * exit and fault, #GP(0) and #UD, with RIP still on the instruction.
 */
static void dispatch_rdpmc_rdpru(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	struct vmcb *vmcb = c->svm.vmcb;

	vp->rip = 0x6000;
	vp->run->exit_reason = HCL_EXIT_NONE;
	set_exit(vp, SVM_EXIT_RDPMC, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj,
			(u32)(X86_TRAP_GP | SVM_EVTINJ_TYPE_EXEPT |
			      SVM_EVTINJ_VALID | SVM_EVTINJ_VALID_ERR));
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj_err, 0U);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x6000ULL);
	set_exit(vp, SVM_EXIT_RDPRU, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj,
			(u32)(X86_TRAP_UD | SVM_EVTINJ_TYPE_EXEPT |
			      SVM_EVTINJ_VALID));
	KUNIT_EXPECT_EQ(test, vp->rip, 0x6000ULL);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_NONE);
}

/*
 * WBINVD and INVD complete in the kernel at CPL 0 (Linux's AP trampoline
 * starts with one): RIP past the two bytes, no exit, nothing injected.
 * At CPL 3 they fault with #GP(0) and RIP stays.
 */
static void dispatch_wbinvd_invd(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	struct vmcb *vmcb = c->svm.vmcb;

	vp->rip = 0x1;
	vp->run->exit_reason = HCL_EXIT_NONE;
	vmcb->save.cpl = 0;
	set_exit(vp, SVM_EXIT_WBINVD, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x3ULL);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj, 0U);
	set_exit(vp, SVM_EXIT_INVD, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x5ULL);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj, 0U);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_NONE);
	vmcb->save.cpl = 3;
	set_exit(vp, SVM_EXIT_WBINVD, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x5ULL);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj,
			(u32)(X86_TRAP_GP | SVM_EVTINJ_TYPE_EXEPT |
			      SVM_EVTINJ_VALID | SVM_EVTINJ_VALID_ERR));
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj_err, 0U);
	vmcb->save.cpl = 0;
}

/*
 * PAUSE: the run loop gives the CPU away; RIP moves past the PAUSE (or
 * the prefixed one) at CS:RIP, and stays on anything else there, or when
 * nothing can be read.  An interrupt shadow ends with the skip.
 */
static void dispatch_pause(struct kunit *test)
{
	static const u8 code[] = {
		0xf3, 0x90,		/* 0x100: pause */
		0x66, 0xf3, 0x90,	/* 0x102: pause, a prefix more */
		0x90,			/* 0x105: nop */
	};
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	struct vmcb *vmcb = c->svm.vmcb;
	u8 *mem = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mem);
	memcpy(mem + 0x100, code, sizeof(code));
	c->part.part.mem = mem;
	c->part.part.mem_size = PAGE_SIZE;
	/* real mode, CS base 0x80: linear 0x100 is CS:0x80 */
	vmcb->save.cs.base = 0x80;
	vp->rip = 0x80;
	vmcb->control.int_state = SVM_INTERRUPT_SHADOW_MASK;
	set_exit(vp, SVM_EXIT_PAUSE, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_PAUSE);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x82ULL);
	KUNIT_EXPECT_EQ(test, vmcb->control.int_state, 0U);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_PAUSE);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x85ULL);
	/* a NOP: no skip, no shadow change */
	vmcb->control.int_state = SVM_INTERRUPT_SHADOW_MASK;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_PAUSE);
	KUNIT_EXPECT_EQ(test, vp->rip, 0x85ULL);
	KUNIT_EXPECT_EQ(test, vmcb->control.int_state,
			(u32)SVM_INTERRUPT_SHADOW_MASK);
	/* past the end of RAM: nothing to read */
	vp->rip = 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_PAUSE);
	KUNIT_EXPECT_EQ(test, vp->rip, 2ULL * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_PAUSE], 4ULL);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_NONE);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj, 0U);
	c->part.part.mem = NULL;
	c->part.part.mem_size = 64 * SZ_1M;
}

/*
 * A VMRUN that fails its checks delivers nothing (issue 9, finding 8):
 * the event it carried stays queued, whatever stale exit_int_info says.
 */
static void failed_entry_keeps_event(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	struct vmcb *vmcb = c->svm.vmcb;
	u32 ev = 0x30 | SVM_EVTINJ_TYPE_INTR | SVM_EVTINJ_VALID;

	vmcb->control.event_inj = ev;
	vmcb->control.exit_int_info = 0x41 | SVM_EXITINTINFO_TYPE_INTR |
				      SVM_EXITINTINFO_VALID;
	set_exit(vp, SVM_EXIT_ERR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_FAIL_ENTRY);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj, ev);
	vmcb->control.exit_int_info = 0;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj, ev);
}

/*
 * VMEXIT_INVALID as QEMU writes it: -1 in exit_code, 0 in exit_code_hi.
 * It is a failed entry all the same, never an unhandled exit whose RIP
 * (the host's, which QEMU stored) goes to userspace, and the stale
 * exit_int_info is not delivered into the next entry.
 */
static void failed_entry_32bit_code(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	struct vmcb *vmcb = c->svm.vmcb;
	u32 ev = 0x30 | SVM_EVTINJ_TYPE_INTR | SVM_EVTINJ_VALID;

	vmcb->control.event_inj = ev;
	vmcb->control.exit_int_info = 0x41 | SVM_EXITINTINFO_TYPE_INTR |
				      SVM_EXITINTINFO_VALID;
	set_exit(vp, (u32)SVM_EXIT_ERR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_FAIL_ENTRY);
	KUNIT_EXPECT_EQ(test, vp->run->hw.code, (u64)SVM_EXIT_ERR);
	KUNIT_EXPECT_EQ(test, vp->run->hw_exit_code, (u64)SVM_EXIT_ERR);
	KUNIT_EXPECT_EQ(test, vmcb->control.event_inj, ev);
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_OTHER], 0ULL);
}

/* ---- external interrupts: offered through V_IRQ, never EVENTINJ ------- */

#define V_IRQ_OFFER	(V_IRQ_MASK | V_IGN_TPR_MASK | (0xf << V_INTR_PRIO_SHIFT))

/*
 * An int_ctl without V_INTR_MASKING (QEMU writes its own 0 back when
 * VMRUN fails an early check) gets the bit back at the next entry.
 */
static void interrupt_masking_repaired(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	struct vmcb_control_area *ctl = &c->svm.vmcb->control;

	KUNIT_EXPECT_TRUE(test, ctl->int_ctl & V_INTR_MASKING_MASK);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_VMCB_REPAIR], 0ULL);

	ctl->int_ctl = 0;
	c->svm.vmcb_dirty = 0;
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->int_ctl, (u32)V_INTR_MASKING_MASK);
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_VMCB_REPAIR], 1ULL);
	KUNIT_EXPECT_TRUE(test, c->svm.vmcb_dirty & BIT(HCL_VMCB_INTR));

	/* with an interrupt to offer, the offer keeps the bit */
	ctl->int_ctl = 0;
	c->svm.vmcb->save.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	set_bit(0xec, vp->irq_pending);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->int_ctl & (V_INTR_MASKING_MASK | V_IRQ_MASK),
			(u32)(V_INTR_MASKING_MASK | V_IRQ_MASK));
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_VMCB_REPAIR], 2ULL);
}

/*
 * QEMU's TCG VMRUN delivers an INTR from EVENTINJ and can deliver it a
 * second time, IF clear, on the handler's first instruction.  The entry
 * must offer the vector through V_IRQ instead and the exit must tell
 * whether the guest took it: V_IRQ cleared by the CPU.
 */
static void interrupt_offer_queue(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	struct vmcb_control_area *ctl = &c->svm.vmcb->control;

	c->svm.vmcb->save.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	set_bit(0xec, vp->irq_pending);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);
	KUNIT_EXPECT_EQ(test, ctl->int_ctl & V_IRQ_OFFER, (u32)V_IRQ_OFFER);
	KUNIT_EXPECT_EQ(test, ctl->int_vector, 0xecU);
	KUNIT_EXPECT_FALSE(test, ctl->intercepts[INTERCEPT_VINTR / 32] &
			   BIT(INTERCEPT_VINTR % 32));
	KUNIT_EXPECT_TRUE(test, test_bit(0xec, vp->irq_pending));

	/* a host interrupt exits first: not taken, offered again */
	set_exit(vp, SVM_EXIT_INTR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_HOST_IRQ);
	KUNIT_EXPECT_TRUE(test, test_bit(0xec, vp->irq_pending));
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_INJECTIONS], 0ULL);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);

	/*
	 * Its delivery hit a nested page fault: QEMU says "exception 0xec",
	 * which EVENTINJ would refuse.  Still pending, nothing injected.
	 */
	ctl->exit_int_info = 0xec | SVM_EXITINTINFO_TYPE_EXEPT |
			     SVM_EXITINTINFO_VALID;
	set_exit(vp, SVM_EXIT_INTR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_HOST_IRQ);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);
	KUNIT_EXPECT_TRUE(test, test_bit(0xec, vp->irq_pending));
	ctl->exit_int_info = 0;

	/* taken (V_IRQ cleared), then an exit: it leaves the queue once */
	hcl_svm_inject(vp);
	ctl->int_ctl &= ~V_IRQ_MASK;
	set_exit(vp, SVM_EXIT_INTR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_HOST_IRQ);
	KUNIT_EXPECT_FALSE(test, test_bit(0xec, vp->irq_pending));
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_INJECTIONS], 1ULL);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_HOST_IRQ);
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_INJECTIONS], 1ULL);

	/* nothing pending: the offer is withdrawn */
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->int_ctl & V_IRQ_OFFER, 0U);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);

	/* IF clear: offered all the same, taken when the guest sets IF */
	c->svm.vmcb->save.rflags = X86_EFLAGS_FIXED;
	set_bit(0x41, vp->irq_pending);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->int_ctl & V_IRQ_OFFER, (u32)V_IRQ_OFFER);
	KUNIT_EXPECT_EQ(test, ctl->int_vector, 0x41U);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);
	/* a failed VMRUN took nothing, whatever V_IRQ says */
	ctl->int_ctl &= ~V_IRQ_MASK;
	set_exit(vp, SVM_EXIT_ERR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_TRUE(test, test_bit(0x41, vp->irq_pending));
}

/* the same with the in-kernel APIC: IRR to ISR only once it is taken */
static void interrupt_offer_apic(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->svm.vp;
	struct vmcb_control_area *ctl = &c->svm.vmcb->control;
	struct hcl_irqchip *chip = hcl_irqchip_alloc(NULL, 1);
	struct hcl_lapic *a;

	KUNIT_ASSERT_NOT_NULL(test, chip);
	a = &chip->apics[0];
	vp->apic = a;
	KUNIT_EXPECT_EQ(test, hcl_lapic_write(a, HCL_APIC_SVR, 0x1ff, false),
			0);
	c->svm.vmcb->save.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	KUNIT_EXPECT_TRUE(test, hcl_lapic_set_irq(a, 0xec, false));
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);
	KUNIT_EXPECT_EQ(test, ctl->int_vector, 0xecU);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), 0xec);

	/* not taken: still in IRR, nothing in service */
	set_exit(vp, SVM_EXIT_INTR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_HOST_IRQ);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), 0xec);

	/* taken: in service, so nothing more until its EOI */
	hcl_svm_inject(vp);
	ctl->int_ctl &= ~V_IRQ_MASK;
	KUNIT_EXPECT_EQ(test, hcl_svm_handle_exit(vp), HCL_ACT_HOST_IRQ);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), -1);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a), -1);
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->int_ctl & V_IRQ_MASK, 0U);
	KUNIT_EXPECT_EQ(test, ctl->event_inj, 0U);
	KUNIT_EXPECT_EQ(test, hcl_lapic_write(a, HCL_APIC_EOI, 0, false), 0);
	KUNIT_EXPECT_TRUE(test, hcl_lapic_set_irq(a, 0xec, false));
	hcl_svm_inject(vp);
	KUNIT_EXPECT_EQ(test, ctl->int_ctl & V_IRQ_MASK, (u32)V_IRQ_MASK);
	vp->apic = NULL;
	hcl_irqchip_free(chip);
}

static void exit_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, hcl_svm_exit_name(SVM_EXIT_CPUID), "cpuid");
	KUNIT_EXPECT_STREQ(test, hcl_svm_exit_name(SVM_EXIT_IOIO), "ioio");
	KUNIT_EXPECT_STREQ(test, hcl_svm_exit_name(SVM_EXIT_PAUSE), "pause");
	KUNIT_EXPECT_STREQ(test, hcl_svm_exit_name(SVM_EXIT_ERR), "invalid");
	KUNIT_EXPECT_STREQ(test, hcl_svm_exit_name(0x12345), "other");
}

static struct kunit_case hcl_exit_cases[] = {
	KUNIT_CASE(ioio_decode),
	KUNIT_CASE(dispatch_cpuid),
	KUNIT_CASE(dispatch_io),
	KUNIT_CASE(dispatch_others),
	KUNIT_CASE(dispatch_smi_and_mc),
	KUNIT_CASE(dispatch_rdpmc_rdpru),
	KUNIT_CASE(dispatch_wbinvd_invd),
	KUNIT_CASE(dispatch_pause),
	KUNIT_CASE(failed_entry_keeps_event),
	KUNIT_CASE(failed_entry_32bit_code),
	KUNIT_CASE(interrupt_masking_repaired),
	KUNIT_CASE(interrupt_offer_queue),
	KUNIT_CASE(interrupt_offer_apic),
	KUNIT_CASE(exit_names),
	{}
};

HCL_KUNIT_SUITE_FIXTURE(exit, hcl_exit_cases, dispatch_init, dispatch_exit);
