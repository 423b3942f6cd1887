// SPDX-License-Identifier: GPL-2.0
/*
 * Exit dispatch: what the kernel answers itself and what goes to userspace.
 *
 * Called by the run loop with vp->lock held, after the backend returned
 * from the guest.  Handlers read the exit from the VMCB and either update
 * guest state and resume (the hot path), or fill the run page and return
 * to userspace.
 */
#include <linux/kernel.h>
#include <asm/svm.h>
#include <asm/trapnr.h>
#include <kunit/visibility.h>

#include "hcl.h"

#define X86_CPUID_LEN	2	/* 0f a2 */
#define X86_HLT_LEN	1	/* f4 */

int hcl_decode_ioio(u64 info1, struct hcl_io_decoded *io)
{
	switch (info1 & SVM_IOIO_SIZE_MASK) {
	case SVM_IOIO_SIZE_MASK & (1 << SVM_IOIO_SIZE_SHIFT):
		io->size = 1;
		break;
	case SVM_IOIO_SIZE_MASK & (2 << SVM_IOIO_SIZE_SHIFT):
		io->size = 2;
		break;
	case SVM_IOIO_SIZE_MASK & (4 << SVM_IOIO_SIZE_SHIFT):
		io->size = 4;
		break;
	default:
		return -EINVAL;
	}
	io->port = info1 >> 16;
	io->in = info1 & SVM_IOIO_TYPE_MASK;
	io->string = info1 & SVM_IOIO_STR_MASK;
	io->rep = info1 & SVM_IOIO_REP_MASK;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_decode_ioio);

const char *hcl_exit_name(u64 code)
{
	switch (code) {
	case SVM_EXIT_CPUID:	return "cpuid";
	case SVM_EXIT_IOIO:	return "ioio";
	case SVM_EXIT_HLT:	return "hlt";
	case SVM_EXIT_INTR:	return "intr";
	case SVM_EXIT_NMI:	return "nmi";
	case SVM_EXIT_MSR:	return "msr";
	case SVM_EXIT_SHUTDOWN:	return "shutdown";
	case SVM_EXIT_NPF:	return "npf";
	case SVM_EXIT_VMMCALL:	return "vmmcall";
	case SVM_EXIT_ERR:	return "invalid";
	default:		return "other";
	}
}
EXPORT_SYMBOL_IF_KUNIT(hcl_exit_name);

static void inject_exception(struct vmcb *vmcb, u8 vector, bool has_err,
			     u32 err)
{
	vmcb->control.event_inj = vector | SVM_EVTINJ_TYPE_EXEPT |
				  SVM_EVTINJ_VALID |
				  (has_err ? SVM_EVTINJ_VALID_ERR : 0);
	vmcb->control.event_inj_err = err;
}

static void exit_to_user_hw(struct hcl_vp *vp, u32 reason, u64 code)
{
	struct vmcb *vmcb = vp->vmcb;
	struct hcl_run *run = vp->run;

	run->exit_reason = reason;
	run->hw.code = code;
	run->hw.info1 = vmcb->control.exit_info_1;
	run->hw.info2 = vmcb->control.exit_info_2;
	run->hw.int_info = vmcb->control.exit_int_info;
}

static enum hcl_exit_action handle_cpuid(struct hcl_vp *vp)
{
	struct vmcb *vmcb = vp->vmcb;
	const struct hcl_cpuid_entry *e;
	u32 fn = vmcb->save.rax, idx = vp->gprs.r[HCL_REG_RCX];

	e = hcl_cpuid_lookup(vp->cpuid, fn, idx);
	vmcb->save.rax = e ? e->eax : 0;
	vp->gprs.r[HCL_REG_RBX] = e ? e->ebx : 0;
	vp->gprs.r[HCL_REG_RCX] = e ? e->ecx : 0;
	vp->gprs.r[HCL_REG_RDX] = e ? e->edx : 0;
	vmcb->save.rip += X86_CPUID_LEN;
	return HCL_ACT_RESUME;
}

static enum hcl_exit_action handle_ioio(struct hcl_vp *vp, u64 code)
{
	struct vmcb *vmcb = vp->vmcb;
	struct hcl_run *run = vp->run;
	struct hcl_io_decoded io;

	if (hcl_decode_ioio(vmcb->control.exit_info_1, &io) || io.string) {
		/* string I/O is not emulated yet: userspace decides */
		exit_to_user_hw(vp, HCL_EXIT_UNHANDLED, code);
		return HCL_ACT_USER;
	}
	run->exit_reason = HCL_EXIT_IO;
	run->io.port = io.port;
	run->io.size = io.size;
	run->io.direction = io.in ? HCL_IO_IN : HCL_IO_OUT;
	run->io.pad = 0;
	run->io.data = io.in ? 0 :
		       vmcb->save.rax & GENMASK_ULL(io.size * 8 - 1, 0);
	vp->io_in_pending = io.in;
	vp->io_in_size = io.size;
	/* IOIO exits always carry the next RIP in exit_info_2 */
	vmcb->save.rip = vmcb->control.exit_info_2;
	return HCL_ACT_USER;
}

/*
 * Finish an exit userspace answered: merge the data of an IN into RAX.
 * Only the size recorded by the kernel is used; the run page is not
 * trusted for anything else.
 */
void hcl_complete_user_exit(struct hcl_vp *vp)
{
	struct vmcb *vmcb = vp->vmcb;
	u64 data, mask;

	if (!vp->io_in_pending)
		return;
	vp->io_in_pending = false;
	data = READ_ONCE(vp->run->io.data);
	if (vp->io_in_size == 4) {
		/* a 32-bit register write zero-extends in 64-bit mode */
		vmcb->save.rax = (u32)data;
		return;
	}
	mask = GENMASK_ULL(vp->io_in_size * 8 - 1, 0);
	vmcb->save.rax = (vmcb->save.rax & ~mask) | (data & mask);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_complete_user_exit);

enum hcl_exit_action hcl_handle_exit(struct hcl_vp *vp)
{
	struct vmcb *vmcb = vp->vmcb;
	u64 code = vmcb->control.exit_code |
		   ((u64)vmcb->control.exit_code_hi << 32);
	u32 intinfo = vmcb->control.exit_int_info;

	vp->nr_exits++;
	vp->run->hw_exit_code = code;
	vp->run->rip = vmcb->save.rip;

	/* An event whose delivery the exit interrupted is delivered again. */
	if (intinfo & SVM_EXITINTINFO_VALID) {
		vmcb->control.event_inj = intinfo;
		vmcb->control.event_inj_err = vmcb->control.exit_int_info_err;
	} else {
		vmcb->control.event_inj = 0;
	}

	switch (code) {
	case SVM_EXIT_CPUID:
		return handle_cpuid(vp);
	case SVM_EXIT_IOIO:
		return handle_ioio(vp, code);
	case SVM_EXIT_HLT:
		vmcb->save.rip += X86_HLT_LEN;
		vp->run->exit_reason = HCL_EXIT_HLT;
		return HCL_ACT_USER;
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		/* the host took the interrupt when GIF was set again */
		return HCL_ACT_RESUME;
	case SVM_EXIT_MSR:
		/* no MSR is emulated yet: behave like an absent MSR */
		inject_exception(vmcb, X86_TRAP_GP, true, 0);
		return HCL_ACT_RESUME;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMMCALL:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
		/* VTL0 sees no SVM */
		inject_exception(vmcb, X86_TRAP_UD, false, 0);
		return HCL_ACT_RESUME;
	case SVM_EXIT_SHUTDOWN:
		/*
		 * The VMCB state is undefined after a shutdown, and the event
		 * that caused it must not be delivered into the next state.
		 */
		exit_to_user_hw(vp, HCL_EXIT_SHUTDOWN, code);
		vmcb->control.event_inj = 0;
		vp->regs_set = false;
		vp->sregs_set = false;
		return HCL_ACT_USER;
	case SVM_EXIT_ERR:
		exit_to_user_hw(vp, HCL_EXIT_FAIL_ENTRY, code);
		return HCL_ACT_USER;
	default:
		exit_to_user_hw(vp, HCL_EXIT_UNHANDLED, code);
		return HCL_ACT_USER;
	}
}
EXPORT_SYMBOL_IF_KUNIT(hcl_handle_exit);
