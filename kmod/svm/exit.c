// SPDX-License-Identifier: GPL-2.0
/*
 * SVM exit decoding: what the VMCB says happened, handed to the generic
 * emulation (emulate.h) or handled here when it is SVM's own business
 * (interrupt windows, IRET and the NMI window, debug registers, PAUSE,
 * SVM instructions, shutdown).
 *
 * hcl_svm_handle_exit() is the backend's handle_exit: the run loop calls
 * it with vp->lock held, after the entry stored the guest's registers in
 * the register cache (vp->gprs, vp->rip).  A handler that writes a VMCB
 * field the CPU may cache (DR6/DR7, int_ctl, intercepts, ...) marks its
 * area dirty (vmcb_clean.c); RAX, RSP, RIP and event injection are never
 * cached.
 */
#define pr_fmt(fmt) "hcl: " fmt

#include <linux/kernel.h>
#include <asm/svm.h>
#include <asm/trapnr.h>
#include <kunit/visibility.h>

#include "cr.h"
#include "emulate.h"
#include "insn.h"
#include "log.h"
#include "string_io.h"
#include "svm.h"

#define CREATE_TRACE_POINTS
#include "svm_trace.h"

#define X86_CPUID_LEN	2	/* 0f a2 */
#define X86_HLT_LEN	1	/* f4 */
#define X86_MSR_LEN	2	/* 0f 32, 0f 30 */
#define X86_MWAIT_LEN	3	/* 0f 01 c8/c9, MONITORX/MWAITX 0f 01 fa/fb */
#define X86_VMMCALL_LEN	3	/* 0f 01 d9 */
#define X86_WBINVD_LEN	2	/* 0f 09, INVD 0f 08 */

/* NPF error code bits (exit_info_1) */
#define NPF_WRITE	BIT_ULL(1)
#define NPF_FETCH	BIT_ULL(4)

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

static const struct {
	u32 code;
	const char *name;
} hcl_svm_exit_names[] = {
#define HCL_SVM_EXIT(c, str)	{ .code = c, .name = #str },
#include "exit_codes.h"
#undef HCL_SVM_EXIT
};

/* The name of SVM exit @code (the table in exit_codes.h), or "other". */
const char *hcl_svm_exit_name(u64 code)
{
	unsigned int i;

	if (code >> 32 && code != (u64)SVM_EXIT_ERR)
		return "other";
	for (i = 0; i < ARRAY_SIZE(hcl_svm_exit_names); i++)
		if (hcl_svm_exit_names[i].code == (u32)code)
			return hcl_svm_exit_names[i].name;
	return "other";
}
EXPORT_SYMBOL_IF_KUNIT(hcl_svm_exit_name);

static void inject_exception(struct vmcb *vmcb, u8 vector, bool has_err,
			     u32 err)
{
	vmcb->control.event_inj = vector | SVM_EVTINJ_TYPE_EXEPT |
				  SVM_EVTINJ_VALID |
				  (has_err ? SVM_EVTINJ_VALID_ERR : 0);
	vmcb->control.event_inj_err = err;
}

/* The backend's queue_exception: the next entry delivers it. */
void hcl_svm_queue_exception(struct hcl_vp *vp, u8 vector, bool has_err,
			     u32 err)
{
	inject_exception(to_svm(vp)->vmcb, vector, has_err, err);
}

static void exit_to_user_hw(struct hcl_svm_vp *svm, u32 reason, u64 code)
{
	struct vmcb *vmcb = svm->vmcb;
	struct hcl_run *run = svm->vp.run;

	/* rare and worth a look: shutdown, failed entry, unhandled exits */
	hcl_dbg("VP %u: %s exit %#llx (%s) at rip %#llx info %#llx %#llx\n",
		svm->vp.index, reason == HCL_EXIT_SHUTDOWN ? "shutdown" :
		reason == HCL_EXIT_FAIL_ENTRY ? "failed-entry" : "unhandled",
		code, hcl_svm_exit_name(code), svm->vp.rip,
		vmcb->control.exit_info_1, vmcb->control.exit_info_2);

	run->exit_reason = reason;
	run->hw.code = code;
	run->hw.info1 = vmcb->control.exit_info_1;
	run->hw.info2 = vmcb->control.exit_info_2;
	run->hw.int_info = vmcb->control.exit_int_info;
}

/* A generic helper could not emulate the exit: userspace gets it raw. */
static enum hcl_exit_action unhandled(struct hcl_svm_vp *svm, u64 code,
				      enum hcl_exit_action act)
{
	if (act != HCL_ACT_UNHANDLED)
		return act;
	exit_to_user_hw(svm, HCL_EXIT_UNHANDLED, code);
	return HCL_ACT_USER;
}

/* The code the guest runs: paging, CS and its size, for fetches. */
static void guest_code(const struct vmcb *vmcb, struct hcl_code *code)
{
	const struct vmcb_save_area *s = &vmcb->save;

	code->pg.cr0 = s->cr0;
	code->pg.cr3 = s->cr3;
	code->pg.cr4 = s->cr4;
	code->pg.efer = s->efer;
	code->cs_base = s->cs.base;
	if (!(s->cr0 & X86_CR0_PE))
		code->mode = 16;
	else if ((s->efer & EFER_LMA) && (s->cs.attrib & HCL_SEG_ATTR_L))
		code->mode = 64;
	else
		code->mode = (s->cs.attrib & HCL_SEG_ATTR_DB) ? 32 : 16;
}

static void seg_reg(struct hcl_seg_reg *r, const struct vmcb_seg *s)
{
	r->base = s->base;
	r->limit = s->limit;
	r->attrib = s->attrib;
}

/* INS or OUTS: the VMCB's view of it for string_io.c */
static enum hcl_exit_action string_io(struct hcl_svm_vp *svm,
				      const struct hcl_io_decoded *io)
{
	const struct vmcb_save_area *s = &svm->vmcb->save;
	struct hcl_string_io_exit x;

	guest_code(svm->vmcb, &x.code);
	seg_reg(&x.seg[HCL_SEG_ES], &s->es);
	seg_reg(&x.seg[HCL_SEG_CS], &s->cs);
	seg_reg(&x.seg[HCL_SEG_SS], &s->ss);
	seg_reg(&x.seg[HCL_SEG_DS], &s->ds);
	seg_reg(&x.seg[HCL_SEG_FS], &s->fs);
	seg_reg(&x.seg[HCL_SEG_GS], &s->gs);
	x.next_rip = svm->vmcb->control.exit_info_2;
	x.port = io->port;
	x.size = io->size;
	x.cpl = s->cpl;
	x.in = io->in;
	x.rep = io->rep;
	x.df = s->rflags & X86_EFLAGS_DF;
	return hcl_emulate_string_io(&svm->vp, &x);
}

static enum hcl_exit_action handle_ioio(struct hcl_svm_vp *svm, u64 code)
{
	struct vmcb *vmcb = svm->vmcb;
	struct hcl_io_decoded io;

	if (hcl_decode_ioio(vmcb->control.exit_info_1, &io))
		return unhandled(svm, code, HCL_ACT_UNHANDLED);
	if (io.string)
		return unhandled(svm, code, string_io(svm, &io));
	/* IOIO exits always carry the next RIP in exit_info_2 */
	svm->vp.rip = vmcb->control.exit_info_2;
	return hcl_emulate_io(&svm->vp, io.port, io.size, io.in);
}

static enum hcl_exit_action handle_npf(struct hcl_svm_vp *svm, u64 code)
{
	struct vmcb *vmcb = svm->vmcb;
	u64 err = vmcb->control.exit_info_1;
	u32 access = (err & NPF_WRITE ? HCL_ACCESS_WRITE : HCL_ACCESS_READ) |
		     (err & NPF_FETCH ? HCL_ACCESS_EXEC : 0);
	struct hcl_code c;

	guest_code(vmcb, &c);
	return unhandled(svm, code,
			 hcl_emulate_mmio(&svm->vp, vmcb->control.exit_info_2,
					  access, &c));
}

static enum hcl_exit_action handle_dr(struct hcl_svm_vp *svm, u64 code)
{
	struct hcl_vp *vp = &svm->vp;
	struct vmcb *vmcb = svm->vmcb;
	unsigned int len, gpr, dr;
	u8 bytes[HCL_INSN_MAX];
	struct hcl_code c;
	bool to_dr;
	u64 val;
	int n;

	dr = code & 7;
	if (vmcb->save.cpl) {
		inject_exception(vmcb, X86_TRAP_GP, true, 0);
		return HCL_ACT_RESUME;
	}
	if (dr == 4 || dr == 5) {
		if (vmcb->save.cr4 & X86_CR4_DE) {
			inject_exception(vmcb, X86_TRAP_UD, false, 0);
			return HCL_ACT_RESUME;
		}
		dr += 2;
	}
	guest_code(vmcb, &c);
	n = hcl_fetch_insn(vp, &c, bytes);
	if (n < 0 || hcl_decode_mov_dr(bytes, n, c.mode, &len, &gpr, &to_dr)) {
		exit_to_user_hw(svm, HCL_EXIT_UNHANDLED, code);
		return HCL_ACT_USER;
	}
	if (to_dr) {
		val = vp->gprs.r[gpr];
		if (c.mode != 64)
			val = (u32)val;
		if (dr >= 6 && val >> 32) {
			inject_exception(vmcb, X86_TRAP_GP, true, 0);
			return HCL_ACT_RESUME;
		}
		if (dr < 4)
			svm->db[dr] = val;
		else if (dr == 6)
			vmcb->save.dr6 = hcl_dr6_fixed(val);
		else
			vmcb->save.dr7 = hcl_dr7_fixed(val);
		if (dr >= 6)
			hcl_vmcb_mark_dirty(svm, HCL_VMCB_DRX);
	} else {
		val = dr < 4 ? svm->db[dr] : dr == 6 ? vmcb->save.dr6 :
		      vmcb->save.dr7;
		vp->gprs.r[gpr] = c.mode == 64 ? val : (u32)val;
	}
	vp->rip += len;
	vp->stats[HCL_STAT_DR]++;
	return HCL_ACT_RESUME;
}

/*
 * A write to CR0 (MOV, LMSW, CLTS), CR4 or CR8 (MOV): done here with the
 * CPU's checks (cr.c), as a CPU would, since the one we run on may not.
 * CR8 is the TPR of V_INTR_MASKING (int_ctl's V_TPR), where the CPU's
 * own MOV to CR8 puts it.
 */
static enum hcl_exit_action handle_cr_write(struct hcl_svm_vp *svm, u64 code)
{
	struct hcl_vp *vp = &svm->vp;
	struct vmcb *vmcb = svm->vmcb;
	struct vmcb_save_area *s = &vmcb->save;
	unsigned int len, gpr, cr;
	enum hcl_cr_write kind;
	u8 bytes[HCL_INSN_MAX];
	struct hcl_code c;
	u64 val;
	int n;

	if (s->cpl) {
		inject_exception(vmcb, X86_TRAP_GP, true, 0);
		return HCL_ACT_RESUME;
	}
	guest_code(vmcb, &c);
	n = hcl_fetch_insn(vp, &c, bytes);
	/* another VP may have rewritten the code since: then, userspace */
	if (n < 0 ||
	    hcl_decode_cr_write(bytes, n, c.mode, &len, &kind, &cr, &gpr) ||
	    cr != code - SVM_EXIT_WRITE_CR0) {
		exit_to_user_hw(svm, HCL_EXIT_UNHANDLED, code);
		return HCL_ACT_USER;
	}
	val = vp->gprs.r[gpr];
	if (c.mode != 64)
		val = (u32)val;
	switch (cr) {
	case 0:
		if (kind == HCL_CR_LMSW)	/* bits 3:0; PE stays set */
			val = (s->cr0 & ~0xfULL) | (val & 0xf) |
			      (s->cr0 & X86_CR0_PE);
		else if (kind == HCL_CR_CLTS)
			val = s->cr0 & ~(u64)X86_CR0_TS;
		if (!hcl_cr0_write_ok(s->cr0, val, s->cr4, s->efer,
				      c.mode == 64))
			goto gp;
		if (hcl_cr0_flush(s->cr0, val))
			hcl_asid_request_flush(&svm->asid);
		s->efer = hcl_cr0_efer(s->efer, val);
		s->cr0 = val;
		hcl_vmcb_mark_dirty(svm, HCL_VMCB_CRX);
		break;
	case 4:
		if (!hcl_cr4_write_ok(s->cr4, val, s->efer, s->cr3,
				      hcl_guest_cr4_ok))
			goto gp;
		if (hcl_cr4_flush(s->cr4, val))
			hcl_asid_request_flush(&svm->asid);
		s->cr4 = val;
		hcl_vmcb_mark_dirty(svm, HCL_VMCB_CRX);
		break;
	default:	/* 8 */
		if (val & ~0xfULL)
			goto gp;
		hcl_vmcb_update_int_ctl(svm, V_TPR_MASK, val);
		break;
	}
	vp->rip += len;
	vp->stats[HCL_STAT_CR_WRITE]++;
	return HCL_ACT_RESUME;
gp:
	inject_exception(vmcb, X86_TRAP_GP, true, 0);
	return HCL_ACT_RESUME;
}

/*
 * PAUSE: the guest spins, most likely for a lock whose holder is not
 * running; the run loop gives the CPU away (HCL_ACT_PAUSE).  The exit
 * comes before the PAUSE runs.  RIP moves past it, with or without a
 * pause filter, as KVM does: a PAUSE only hints, and without a filter
 * (QEMU) the same one would exit again at once.  The bytes at RIP are
 * checked first: anything but a PAUSE there (the guest rewrote its code)
 * just runs again.
 */
static enum hcl_exit_action handle_pause(struct hcl_svm_vp *svm)
{
	struct hcl_vp *vp = &svm->vp;
	u8 bytes[HCL_INSN_MAX];
	struct hcl_code c;
	int n;

	vp->stats[HCL_STAT_PAUSE]++;
	guest_code(svm->vmcb, &c);
	n = hcl_fetch_insn(vp, &c, bytes);
	if (n > 0)
		vp->rip += hcl_insn_pause_len(bytes, n, c.mode);
	return HCL_ACT_PAUSE;
}

/* ---- NMI window: the end of a step (rules at struct hcl_nmi) ----------- */

/* Whether the instruction at CS:RIP may run under a TF of ours. */
bool hcl_svm_shadow_step_safe(struct hcl_svm_vp *svm)
{
	u8 bytes[HCL_INSN_MAX];
	struct hcl_code c;
	int n;

	guest_code(svm->vmcb, &c);
	n = hcl_fetch_insn(&svm->vp, &c, bytes);
	return n > 0 && hcl_insn_step_safe(bytes, n, c.mode);
}

/* Delivers exception @vector to the guest as its intercept reported it. */
static void reflect_exception(struct hcl_svm_vp *svm, unsigned int vector)
{
	struct vmcb *vmcb = svm->vmcb;
	bool has_err = BIT(vector) & (BIT(X86_TRAP_TS) | BIT(X86_TRAP_NP) |
				      BIT(X86_TRAP_SS) | BIT(X86_TRAP_GP) |
				      BIT(X86_TRAP_PF) | BIT(X86_TRAP_AC));

	/* an intercepted #PF left CR2 alone: its address is in info 2 */
	if (vector == X86_TRAP_PF) {
		vmcb->save.cr2 = vmcb->control.exit_info_2;
		hcl_vmcb_mark_dirty(svm, HCL_VMCB_CR2);
	}
	inject_exception(vmcb, vector, has_err, vmcb->control.exit_info_1);
}

/*
 * NMI bookkeeping at every exit, before the dispatch: ends a step, or
 * notices that a pending IRET ran.  Returns true when the exit was the
 * step's own (its #DB, a fault it intercepted) and is handled.
 */
static bool svm_nmi_at_exit(struct hcl_svm_vp *svm, u64 code)
{
	struct hcl_nmi *n = &svm->nmi;
	struct vmcb *vmcb = svm->vmcb;
	enum hcl_nmi_step_act act;
	u64 dr6;

	if (likely(!n->step)) {
		if (unlikely(n->state == HCL_NMI_IRET) &&
		    svm->vp.rip != n->iret_rip)
			n->state = HCL_NMI_OPEN;
		return false;
	}
	dr6 = vmcb->save.dr6;
	act = hcl_nmi_step_end(n, code, svm->vp.rip, &vmcb->save.rflags,
			       &dr6);
	hcl_vmcb_set_exception_intercepts(svm, HCL_NMI_STEP_EXCEPTIONS, false);
	if (n->state == HCL_NMI_BLOCKED)
		hcl_vmcb_set_intercept(svm, INTERCEPT_IRET, true);
	if (dr6 != vmcb->save.dr6) {
		vmcb->save.dr6 = dr6;
		hcl_vmcb_mark_dirty(svm, HCL_VMCB_DRX);
	}
	if (act == HCL_NMI_STEP_HANDLE)
		return false;
	if (act == HCL_NMI_STEP_REFLECT)
		reflect_exception(svm, code - SVM_EXIT_EXCP_BASE);
	return true;
}

static enum hcl_exit_action dispatch(struct hcl_svm_vp *svm, u64 code)
{
	struct hcl_vp *vp = &svm->vp;
	struct vmcb *vmcb = svm->vmcb;

	switch (code) {
	case SVM_EXIT_CPUID:
		return hcl_emulate_cpuid(vp, X86_CPUID_LEN);
	case SVM_EXIT_IOIO:
		return handle_ioio(svm, code);
	case SVM_EXIT_HLT:
		return hcl_emulate_hlt(vp, vmcb->save.rflags & X86_EFLAGS_IF,
				       X86_HLT_LEN);
	case SVM_EXIT_VINTR:
		/*
		 * Not intercepted (V_IRQ offers the interrupt itself): if it
		 * ever exits, drop the offer; the next entry makes it again.
		 */
		vp->stats[HCL_STAT_VINTR]++;
		hcl_vmcb_update_int_ctl(svm, V_IRQ_MASK | V_IGN_TPR_MASK |
					V_INTR_PRIO_MASK, 0);
		hcl_vmcb_set_intercept(svm, INTERCEPT_VINTR, false);
		return HCL_ACT_RESUME;
	case SVM_EXIT_IRET:
		/*
		 * The NMI handler returns, but the IRET has not run: NMIs stay
		 * blocked until it completes, which the next entry single-steps
		 * if an NMI is pending (struct hcl_nmi).
		 */
		svm->nmi.state = HCL_NMI_IRET;
		svm->nmi.iret_rip = vp->rip;
		hcl_vmcb_set_intercept(svm, INTERCEPT_IRET, false);
		return HCL_ACT_RESUME;
	case SVM_EXIT_NPF:
		return handle_npf(svm, code);
	case SVM_EXIT_PAUSE:
		return handle_pause(svm);
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		/* the host took the interrupt when GIF was set again */
		vp->stats[HCL_STAT_INTR]++;
		return HCL_ACT_HOST_IRQ;
	case SVM_EXIT_MSR:
		return hcl_emulate_msr(vp, vmcb->control.exit_info_1 == 1,
				       X86_MSR_LEN);
	case SVM_EXIT_VMMCALL:
		return hcl_emulate_hypercall(vp, vmcb->save.cpl,
					     X86_VMMCALL_LEN);
	case SVM_EXIT_WRITE_CR0:
	case SVM_EXIT_WRITE_CR4:
	case SVM_EXIT_WRITE_CR8:
		return handle_cr_write(svm, code);
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR7:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR7:
		return handle_dr(svm, code);
	case SVM_EXIT_VMRUN:
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
		exit_to_user_hw(svm, HCL_EXIT_SHUTDOWN, code);
		vmcb->control.event_inj = 0;
		/* a reset unblocks NMIs (a step already ended above) */
		svm->nmi.state = HCL_NMI_OPEN;
		hcl_vmcb_set_intercept(svm, INTERCEPT_IRET, false);
		vp->stats[HCL_STAT_SHUTDOWN]++;
		vp->regs_set = false;
		vp->sregs_set = false;
		return HCL_ACT_USER;
	case SVM_EXIT_WBINVD:
	case SVM_EXIT_INVD:
		/*
		 * The caches stay coherent with everything VTL0 can reach, so
		 * there is nothing to write back; INVD must not drop data VTL2
		 * owns, so it is a WBINVD too.  Linux's AP trampoline runs one
		 * first thing in real mode.
		 */
		if (vmcb->save.cpl) {
			inject_exception(vmcb, X86_TRAP_GP, true, 0);
			return HCL_ACT_RESUME;
		}
		vp->rip += X86_WBINVD_LEN;
		return HCL_ACT_RESUME;
	case SVM_EXIT_RDPMC:
		/* no performance counters for the guest: the host's stay its own */
		inject_exception(vmcb, X86_TRAP_GP, true, 0);
		return HCL_ACT_RESUME;
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
		return hcl_emulate_monitor_mwait(vp, X86_MWAIT_LEN);
	case SVM_EXIT_RDPRU:
		/* as if the CPU had no RDPRU: the host's APERF/MPERF stay its own */
		inject_exception(vmcb, X86_TRAP_UD, false, 0);
		return HCL_ACT_RESUME;
	case SVM_EXIT_SMI:
		/*
		 * A physical SMI arrived in the guest: the CPU holds it while
		 * GIF is clear and the host takes it at STGI.  Resume.
		 */
		return HCL_ACT_RESUME;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_MC:
		/*
		 * A machine check in the guest, already handed to the host's
		 * machine-check handling right after the exit (svm_enter()).
		 * As in KVM, the guest resumes; it is not given the #MC.
		 */
		return HCL_ACT_RESUME;
	case SVM_EXIT_ERR:
		/* info1: the check that failed; info2: whether state is lost */
		exit_to_user_hw(svm, HCL_EXIT_FAIL_ENTRY, code);
		if (vmcb->control.exit_info_2 & HCL_ENTRY_STATE_LOST) {
			vp->regs_set = false;
			vp->sregs_set = false;
		}
		return HCL_ACT_USER;
	default:
		vp->stats[HCL_STAT_OTHER]++;
		exit_to_user_hw(svm, HCL_EXIT_UNHANDLED, code);
		return HCL_ACT_USER;
	}
}

/* The backend's handle_exit: decode the exit in the VMCB, handle it. */
enum hcl_exit_action hcl_svm_handle_exit(struct hcl_vp *vp)
{
	struct hcl_svm_vp *svm = to_svm(vp);
	struct vmcb *vmcb = svm->vmcb;
	u64 code = vmcb->control.exit_code |
		   ((u64)vmcb->control.exit_code_hi << 32);
	u32 intinfo = vmcb->control.exit_int_info;
	enum hcl_exit_action act;
	u64 rip;

	/* a remote entry that never ran the guest */
	if (unlikely(svm->remote_err))
		return hcl_svm_remote_failed(svm);
	/*
	 * VMEXIT_INVALID is -1 in all 64 bits; QEMU's TCG writes a 32-bit
	 * -1 with exit_code_hi 0.  Like KVM, look at the low half only, so
	 * that a failed VMRUN is a failed entry and not an unhandled exit
	 * whose RIP (the host's, which QEMU stored there) reaches userspace.
	 */
	if (vmcb->control.exit_code == (u32)SVM_EXIT_ERR)
		code = SVM_EXIT_ERR;
	vp->stats[HCL_STAT_EXITS]++;
	trace_hcl_exit(vp->index, code, vp->rip, vmcb->control.exit_info_1,
		       vmcb->control.exit_info_2);
	vp->run->hw_exit_code = code;
	vp->run->rip = vp->rip;

	/*
	 * An event whose delivery the exit interrupted is delivered again,
	 * but for the interrupt offered through V_IRQ, which stays pending.
	 * A VMRUN that failed its checks delivered nothing and left a stale
	 * exit_int_info: the event it was to inject stays in event_inj.
	 */
	if (hcl_svm_settle_irq(svm, code, intinfo))
		intinfo = 0;
	if (code != (u64)SVM_EXIT_ERR) {
		if (intinfo & SVM_EXITINTINFO_VALID) {
			vmcb->control.event_inj = intinfo;
			vmcb->control.event_inj_err =
				vmcb->control.exit_int_info_err;
		} else {
			vmcb->control.event_inj = 0;
		}
	}

	/* first, so that no handler and no user sees a step's RFLAGS */
	if (svm_nmi_at_exit(svm, code))
		return HCL_ACT_RESUME;
	rip = vp->rip;
	act = dispatch(svm, code);
	/* an instruction the kernel completed ends an interrupt shadow */
	if (vp->rip != rip)
		vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
	return act;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_svm_handle_exit);
