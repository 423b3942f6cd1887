// SPDX-License-Identifier: GPL-2.0
/*
 * Exit dispatch: what the kernel answers itself and what goes to userspace.
 *
 * Called by the run loop with vp->lock held, after the backend returned
 * from the guest.  Handlers read the exit from the VMCB and either update
 * guest state and resume (the hot path), or fill the run page and return
 * to userspace.  A handler that writes a VMCB field the CPU may cache
 * (DR6/DR7, int_ctl, intercepts, ...) marks its area dirty
 * (vmcb_clean.c); RAX, RSP, RIP and event injection are never cached.
 */
#define pr_fmt(fmt) "hcl: " fmt

#include <linux/eventfd.h>
#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include <asm/svm.h>
#include <asm/trapnr.h>
#include <kunit/visibility.h>

#include "decode.h"
#include "hcl.h"
#include "trace.h"

#define X86_CPUID_LEN	2	/* 0f a2 */
#define X86_HLT_LEN	1	/* f4 */
#define X86_MSR_LEN	2	/* 0f 32, 0f 30 */
#define X86_VMMCALL_LEN	3	/* 0f 01 d9 */
#define X86_MAX_INSN	15

/* NPF error code bits (exit_info_1) */
#define NPF_WRITE	BIT_ULL(1)
#define NPF_FETCH	BIT_ULL(4)

static u64 gpr_get(struct hcl_vp *vp, unsigned int n)
{
	if (n == HCL_REG_RAX)
		return vp->vmcb->save.rax;
	if (n == HCL_REG_RSP)
		return vp->vmcb->save.rsp;
	return vp->gprs.r[n];
}

static void gpr_set(struct hcl_vp *vp, unsigned int n, u64 v)
{
	if (n == HCL_REG_RAX)
		vp->vmcb->save.rax = v;
	else if (n == HCL_REG_RSP)
		vp->vmcb->save.rsp = v;
	else
		vp->gprs.r[n] = v;
}

/*
 * Writes a register the way an instruction with a @size-byte destination
 * does: 1 and 2 bytes merge, 4 bytes zero-extend, 8 bytes replace.
 */
static void gpr_write_sized(struct hcl_vp *vp, unsigned int n, bool high8,
			    unsigned int size, u64 v)
{
	u64 old;

	if (size == 1 && high8) {
		n -= 4;		/* AH, CH, DH, BH */
		old = gpr_get(vp, n);
		gpr_set(vp, n, (old & ~0xff00ULL) | ((v & 0xff) << 8));
		return;
	}
	if (size >= 4) {
		gpr_set(vp, n, size == 4 ? (u32)v : v);
		return;
	}
	old = gpr_get(vp, n);
	v &= GENMASK_ULL(size * 8 - 1, 0);
	gpr_set(vp, n, (old & ~GENMASK_ULL(size * 8 - 1, 0)) | v);
}

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

	/* rare and worth a look: shutdown, failed entry, unhandled exits */
	pr_debug("VP %u: %s exit %#llx (%s) at rip %#llx info %#llx %#llx\n",
		 vp->index, reason == HCL_EXIT_SHUTDOWN ? "shutdown" :
		 reason == HCL_EXIT_FAIL_ENTRY ? "failed-entry" : "unhandled",
		 code, hcl_exit_name(code), vmcb->save.rip,
		 vmcb->control.exit_info_1, vmcb->control.exit_info_2);

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
	vp->stats[HCL_STAT_CPUID]++;
	return HCL_ACT_RESUME;
}

static enum hcl_exit_action handle_ioio(struct hcl_vp *vp, u64 code)
{
	struct vmcb *vmcb = vp->vmcb;
	struct hcl_run *run = vp->run;
	const struct hcl_range_ent *r;
	struct hcl_io_decoded io;
	u64 mask;

	if (hcl_decode_ioio(vmcb->control.exit_info_1, &io) || io.string) {
		/* string I/O is not emulated yet: userspace decides */
		exit_to_user_hw(vp, HCL_EXIT_UNHANDLED, code);
		return HCL_ACT_USER;
	}
	mask = GENMASK_ULL(io.size * 8 - 1, 0);
	/* IOIO exits always carry the next RIP in exit_info_2 */
	vmcb->save.rip = vmcb->control.exit_info_2;

	rcu_read_lock();
	r = hcl_range_find(rcu_dereference(vp->part->ranges), HCL_RANGE_PIO,
			   io.port, io.size);
	if (!r || r->kind == HCL_RANGE_DOORBELL) {
		/*
		 * No user range: an empty bus (reads float high, writes are
		 * dropped), or a doorbell (writes ring, reads are 0).
		 */
		if (r && !io.in)
			eventfd_signal(r->efd);
		rcu_read_unlock();
		vp->stats[r ? HCL_STAT_IO_DOORBELL : HCL_STAT_IO_KERNEL]++;
		if (io.in)
			gpr_write_sized(vp, HCL_REG_RAX, false, io.size,
					r ? 0 : mask);
		return HCL_ACT_RESUME;
	}
	rcu_read_unlock();

	vp->stats[HCL_STAT_IO_USER]++;
	run->exit_reason = HCL_EXIT_IO;
	run->io.port = io.port;
	run->io.size = io.size;
	run->io.direction = io.in ? HCL_IO_IN : HCL_IO_OUT;
	run->io.pad = 0;
	run->io.data = io.in ? 0 : vmcb->save.rax & mask;
	vp->io_in_pending = io.in;
	vp->io_in_size = io.size;
	return HCL_ACT_USER;
}

static enum hcl_exit_action handle_msr(struct hcl_vp *vp)
{
	struct vmcb *vmcb = vp->vmcb;
	u32 index = vp->gprs.r[HCL_REG_RCX];
	bool write = vmcb->control.exit_info_1 == 1;
	u64 val = 0;
	int ret;

	if (write) {
		val = ((u64)(u32)vp->gprs.r[HCL_REG_RDX] << 32) |
		      (u32)vmcb->save.rax;
		ret = hcl_backend->set_msr(vp, index, val);
	} else {
		ret = hcl_backend->get_msr(vp, index, &val);
	}
	if (ret == -ENOENT) {
		switch (hcl_msr_access(vp->msrs, index, write, &val)) {
		case HCL_MSR_EMULATE:
			ret = 0;
			break;
		case HCL_MSR_USER:
			vp->run->exit_reason = HCL_EXIT_MSR;
			vp->run->msr.index = index;
			vp->run->msr.direction = write ? HCL_MSR_WRITE :
							 HCL_MSR_READ;
			vp->run->msr.error = 0;
			vp->run->msr.pad = 0;
			vp->run->msr.data = val;
			vp->msr_pending = true;
			vp->msr_pending_read = !write;
			vp->stats[HCL_STAT_MSR_USER]++;
			return HCL_ACT_USER;
		default:
			ret = -EINVAL;
			break;
		}
	}
	vp->stats[HCL_STAT_MSR_KERNEL]++;
	if (ret) {
		inject_exception(vmcb, X86_TRAP_GP, true, 0);
		return HCL_ACT_RESUME;
	}
	if (!write) {
		vmcb->save.rax = (u32)val;
		vp->gprs.r[HCL_REG_RDX] = val >> 32;
	}
	vmcb->save.rip += X86_MSR_LEN;
	return HCL_ACT_RESUME;
}

/* Fast hypercalls in the kernel; the rest go to userspace. */
static enum hcl_exit_action handle_vmmcall(struct hcl_vp *vp)
{
	struct vmcb *vmcb = vp->vmcb;
	struct hcl_run *run = vp->run;
	u64 code = vmcb->save.rax;

	if (vmcb->save.cpl) {
		inject_exception(vmcb, X86_TRAP_UD, false, 0);
		return HCL_ACT_RESUME;
	}
	vmcb->save.rip += X86_VMMCALL_LEN;
	switch (code) {
	case HCL_HC_NOP:
		vmcb->save.rax = 0;
		vp->stats[HCL_STAT_HYPERCALL]++;
		return HCL_ACT_RESUME;
	case HCL_HC_VP_INDEX:
		vmcb->save.rax = vp->index;
		vp->stats[HCL_STAT_HYPERCALL]++;
		return HCL_ACT_RESUME;
	}
	vp->stats[HCL_STAT_HYPERCALL_USER]++;
	run->exit_reason = HCL_EXIT_HYPERCALL;
	run->hypercall.code = code;
	run->hypercall.args[0] = vp->gprs.r[HCL_REG_RBX];
	run->hypercall.args[1] = vp->gprs.r[HCL_REG_RCX];
	run->hypercall.args[2] = vp->gprs.r[HCL_REG_RDX];
	run->hypercall.args[3] = vp->gprs.r[HCL_REG_RSI];
	run->hypercall.ret = 0;
	vp->hc_pending = true;
	return HCL_ACT_USER;
}

/* ---- nested page faults: MMIO and VTL violations ---------------------- */

static int read_gpa_u64(void *ctx, u64 gpa, u64 *val)
{
	struct hcl_partition *part = ctx;

	if (gpa >= part->mem_size || part->mem_size - gpa < sizeof(*val) ||
	    !IS_ALIGNED(gpa, sizeof(*val)))
		return -EFAULT;
	*val = READ_ONCE(*(u64 *)(part->mem + gpa));
	return 0;
}

static unsigned int guest_mode(const struct vmcb *vmcb)
{
	if (!(vmcb->save.cr0 & X86_CR0_PE))
		return 16;
	if ((vmcb->save.efer & EFER_LMA) && (vmcb->save.cs.attrib & BIT(9)))
		return 64;
	return (vmcb->save.cs.attrib & BIT(10)) ? 32 : 16;
}

/*
 * Copies up to 15 bytes of the instruction at CS:RIP out of VTL0 RAM.
 * Returns the number of bytes available (a page boundary into unmapped
 * memory shortens it), or a negative errno when not even one is.
 */
static int fetch_insn(struct hcl_vp *vp, unsigned int mode, u8 *bytes)
{
	const struct vmcb_save_area *s = &vp->vmcb->save;
	struct hcl_partition *part = vp->part;
	struct hcl_paging pg = {
		.cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4, .efer = s->efer,
	};
	u64 gva = (mode == 64 ? 0 : s->cs.base) + s->rip;
	unsigned int got = 0;

	if (mode != 64)
		gva = (u32)gva;
	while (got < X86_MAX_INSN) {
		unsigned int chunk = min_t(u64, X86_MAX_INSN - got,
					   PAGE_SIZE - ((gva + got) & ~PAGE_MASK));
		u64 gpa;

		if (hcl_gva_to_gpa(&pg, gva + got, false, true, read_gpa_u64,
				   part, &gpa) ||
		    gpa >= part->mem_size || part->mem_size - gpa < chunk)
			break;
		memcpy(bytes + got, part->mem + gpa, chunk);
		got += chunk;
	}
	return got ? got : -EFAULT;
}

/*
 * MOV to/from DRn: 0f 21 /r reads, 0f 23 /r writes; ModRM mod must be 3,
 * reg is the debug register, rm (with REX.B) the GPR.  Only 66/67 and, in
 * 64-bit mode, REX may precede it.  Returns 0 or -EINVAL/-EFAULT.
 */
int hcl_decode_mov_dr(const u8 *bytes, unsigned int avail, unsigned int mode,
		      unsigned int *len, unsigned int *gpr, bool *to_dr)
{
	unsigned int i = 0;
	u8 rex = 0, modrm;

	while (i < avail && i < X86_MAX_INSN &&
	       (bytes[i] == 0x66 || bytes[i] == 0x67))
		i++;
	if (mode == 64 && i < avail && (bytes[i] & 0xf0) == 0x40)
		rex = bytes[i++];
	if (i + 3 > avail)
		return -EFAULT;
	if (bytes[i] != 0x0f || (bytes[i + 1] != 0x21 && bytes[i + 1] != 0x23))
		return -EINVAL;
	modrm = bytes[i + 2];
	if ((modrm >> 6) != 3)
		return -EINVAL;
	*to_dr = bytes[i + 1] == 0x23;
	*gpr = (modrm & 7) | ((rex & 1) << 3);
	*len = i + 3;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_decode_mov_dr);

static enum hcl_exit_action handle_dr(struct hcl_vp *vp, u64 code)
{
	struct vmcb *vmcb = vp->vmcb;
	unsigned int mode = guest_mode(vmcb), len, gpr, dr;
	u8 bytes[X86_MAX_INSN];
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
	n = fetch_insn(vp, mode, bytes);
	if (n < 0 || hcl_decode_mov_dr(bytes, n, mode, &len, &gpr, &to_dr)) {
		exit_to_user_hw(vp, HCL_EXIT_UNHANDLED, code);
		return HCL_ACT_USER;
	}
	if (to_dr) {
		val = gpr_get(vp, gpr);
		if (mode != 64)
			val = (u32)val;
		if (dr >= 6 && val >> 32) {
			inject_exception(vmcb, X86_TRAP_GP, true, 0);
			return HCL_ACT_RESUME;
		}
		if (dr < 4)
			vp->db[dr] = val;
		else if (dr == 6)
			vmcb->save.dr6 = hcl_dr6_fixed(val);
		else
			vmcb->save.dr7 = hcl_dr7_fixed(val);
		if (dr >= 6)
			hcl_vmcb_mark_dirty(vp, HCL_VMCB_DRX);
	} else {
		val = dr < 4 ? vp->db[dr] : dr == 6 ? vmcb->save.dr6 :
		      vmcb->save.dr7;
		gpr_set(vp, gpr, mode == 64 ? val : (u32)val);
	}
	vmcb->save.rip += len;
	vp->stats[HCL_STAT_DR]++;
	return HCL_ACT_RESUME;
}

static enum hcl_exit_action vtl_violation(struct hcl_vp *vp, u64 gpa, u64 err)
{
	struct hcl_run *run = vp->run;

	vp->stats[HCL_STAT_VTL_VIOLATION]++;
	run->exit_reason = HCL_EXIT_VTL_VIOLATION;
	run->vtl.gpa = gpa;
	run->vtl.access = (err & NPF_WRITE ? HCL_ACCESS_WRITE :
			   HCL_ACCESS_READ) |
			  (err & NPF_FETCH ? HCL_ACCESS_EXEC : 0);
	run->vtl.pad = 0;
	return HCL_ACT_USER;
}

/* Completes a decoded MMIO read with @data (zero/sign extension). */
static void mmio_complete_read(struct hcl_vp *vp,
			       const struct hcl_mmio_insn *insn, u64 data)
{
	unsigned int bits = insn->size * 8;

	data &= GENMASK_ULL(bits - 1, 0);
	if (insn->op == HCL_MMIO_MOVSX)
		data = (u64)sign_extend64(data, bits - 1);
	gpr_write_sized(vp, insn->reg, insn->high8, insn->dst_size, data);
}

static enum hcl_exit_action handle_npf(struct hcl_vp *vp, u64 code)
{
	struct vmcb *vmcb = vp->vmcb;
	struct hcl_run *run = vp->run;
	u64 gpa = vmcb->control.exit_info_2, err = vmcb->control.exit_info_1;
	const struct hcl_range_ent *r;
	struct hcl_mmio_insn insn;
	u8 bytes[X86_MAX_INSN];
	unsigned int mode;
	bool doorbell;
	u64 val = 0;
	int n;

	rcu_read_lock();
	r = hcl_range_find(rcu_dereference(vp->part->ranges), HCL_RANGE_MMIO,
			   gpa, 1);
	if (!r || (err & NPF_FETCH)) {
		rcu_read_unlock();
		return vtl_violation(vp, gpa, err);
	}
	mode = guest_mode(vmcb);
	n = fetch_insn(vp, mode, bytes);
	if (n < 0 || hcl_decode_mmio(bytes, n, mode, &insn) ||
	    gpa + insn.size > r->end) {
		rcu_read_unlock();
		exit_to_user_hw(vp, HCL_EXIT_UNHANDLED, code);
		return HCL_ACT_USER;
	}
	doorbell = r->kind == HCL_RANGE_DOORBELL;
	if (insn.write) {
		val = insn.op == HCL_MMIO_STORE_IMM ? insn.imm :
		      gpr_get(vp, insn.high8 ? insn.reg - 4 : insn.reg) >>
		      (insn.high8 ? 8 : 0);
		val &= GENMASK_ULL(insn.size * 8 - 1, 0);
		if (doorbell)
			eventfd_signal(r->efd);
	}
	rcu_read_unlock();

	vmcb->save.rip += insn.len;
	vp->stats[doorbell ? HCL_STAT_MMIO_DOORBELL : HCL_STAT_MMIO_USER]++;
	if (doorbell) {
		if (!insn.write)
			mmio_complete_read(vp, &insn, 0);
		return HCL_ACT_RESUME;
	}
	run->exit_reason = HCL_EXIT_MMIO;
	run->mmio.gpa = gpa;
	run->mmio.size = insn.size;
	run->mmio.direction = insn.write ? HCL_MMIO_WRITE : HCL_MMIO_READ;
	memset(run->mmio.pad, 0, sizeof(run->mmio.pad));
	run->mmio.data = val;
	if (!insn.write) {
		vp->mmio_pending = true;
		vp->mmio_insn = insn;
	}
	return HCL_ACT_USER;
}

/*
 * Finish an exit userspace answered: merge the data of an IN into RAX,
 * complete an MMIO read or an MSR access.  Only what the kernel recorded
 * at exit time decides what happens; the run page supplies data alone.
 */
void hcl_complete_user_exit(struct hcl_vp *vp)
{
	struct vmcb *vmcb = vp->vmcb;
	u64 data = READ_ONCE(vp->run->io.data);

	if (vp->io_in_pending) {
		vp->io_in_pending = false;
		gpr_write_sized(vp, HCL_REG_RAX, false, vp->io_in_size, data);
	}
	if (vp->hc_pending) {
		vp->hc_pending = false;
		vmcb->save.rax = READ_ONCE(vp->run->hypercall.ret);
	}
	if (vp->mmio_pending) {
		vp->mmio_pending = false;
		mmio_complete_read(vp, &vp->mmio_insn,
				   READ_ONCE(vp->run->mmio.data));
	}
	if (vp->msr_pending) {
		vp->msr_pending = false;
		if (READ_ONCE(vp->run->msr.error)) {
			inject_exception(vmcb, X86_TRAP_GP, true, 0);
			return;
		}
		if (vp->msr_pending_read) {
			data = READ_ONCE(vp->run->msr.data);
			vmcb->save.rax = (u32)data;
			vp->gprs.r[HCL_REG_RDX] = data >> 32;
		}
		vmcb->save.rip += X86_MSR_LEN;
	}
}
EXPORT_SYMBOL_IF_KUNIT(hcl_complete_user_exit);

/* ---- NMI window: the end of a step (rules at struct hcl_nmi) ----------- */

/* Whether the instruction at CS:RIP may run under a TF of ours. */
bool hcl_vp_shadow_step_safe(struct hcl_vp *vp)
{
	unsigned int mode = guest_mode(vp->vmcb);
	u8 bytes[X86_MAX_INSN];
	int n = fetch_insn(vp, mode, bytes);

	return n > 0 && hcl_insn_step_safe(bytes, n, mode);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_vp_shadow_step_safe);

/* Delivers exception @vector to the guest as its intercept reported it. */
static void reflect_exception(struct hcl_vp *vp, unsigned int vector)
{
	struct vmcb *vmcb = vp->vmcb;
	bool has_err = BIT(vector) & (BIT(X86_TRAP_TS) | BIT(X86_TRAP_NP) |
				      BIT(X86_TRAP_SS) | BIT(X86_TRAP_GP) |
				      BIT(X86_TRAP_PF) | BIT(X86_TRAP_AC));

	/* an intercepted #PF left CR2 alone: its address is in info 2 */
	if (vector == X86_TRAP_PF) {
		vmcb->save.cr2 = vmcb->control.exit_info_2;
		hcl_vmcb_mark_dirty(vp, HCL_VMCB_CR2);
	}
	inject_exception(vmcb, vector, has_err, vmcb->control.exit_info_1);
}

/*
 * NMI bookkeeping at every exit, before the dispatch: ends a step, or
 * notices that a pending IRET ran.  Returns true when the exit was the
 * step's own (its #DB, a fault it intercepted) and is handled.
 */
static bool nmi_exit(struct hcl_vp *vp, u64 code)
{
	struct hcl_nmi *n = &vp->nmi;
	struct vmcb *vmcb = vp->vmcb;
	enum hcl_nmi_step_act act;
	u64 dr6;

	if (likely(!n->step)) {
		if (unlikely(n->state == HCL_NMI_IRET) &&
		    vmcb->save.rip != n->iret_rip)
			n->state = HCL_NMI_OPEN;
		return false;
	}
	dr6 = vmcb->save.dr6;
	act = hcl_nmi_step_end(n, code, vmcb->save.rip, &vmcb->save.rflags,
			       &dr6);
	hcl_vmcb_set_exception_intercepts(vp, HCL_NMI_STEP_EXCEPTIONS, false);
	if (n->state == HCL_NMI_BLOCKED)
		hcl_vmcb_set_intercept(vp, INTERCEPT_IRET, true);
	if (dr6 != vmcb->save.dr6) {
		vmcb->save.dr6 = dr6;
		hcl_vmcb_mark_dirty(vp, HCL_VMCB_DRX);
	}
	if (act == HCL_NMI_STEP_HANDLE)
		return false;
	if (act == HCL_NMI_STEP_REFLECT)
		reflect_exception(vp, code - SVM_EXIT_EXCP_BASE);
	return true;
}

static enum hcl_exit_action dispatch(struct hcl_vp *vp, u64 code)
{
	struct vmcb *vmcb = vp->vmcb;

	switch (code) {
	case SVM_EXIT_CPUID:
		return handle_cpuid(vp);
	case SVM_EXIT_IOIO:
		return handle_ioio(vp, code);
	case SVM_EXIT_HLT:
		vmcb->save.rip += X86_HLT_LEN;
		/* with interrupts enabled an interrupt ends the halt */
		if (vmcb->save.rflags & X86_EFLAGS_IF) {
			vp->stats[HCL_STAT_HLT_WAIT]++;
			return HCL_ACT_HALT;
		}
		vp->stats[HCL_STAT_HLT_USER]++;
		vp->run->exit_reason = HCL_EXIT_HLT;
		return HCL_ACT_USER;
	case SVM_EXIT_VINTR:
		/* the interrupt window is open: the next entry injects */
		vp->stats[HCL_STAT_VINTR]++;
		hcl_vmcb_update_int_ctl(vp, V_IRQ_MASK | V_IGN_TPR_MASK |
					V_INTR_PRIO_MASK, 0);
		hcl_vmcb_set_intercept(vp, INTERCEPT_VINTR, false);
		return HCL_ACT_RESUME;
	case SVM_EXIT_IRET:
		/*
		 * The NMI handler returns, but the IRET has not run: NMIs stay
		 * blocked until it completes, which the next entry single-steps
		 * if an NMI is pending (struct hcl_nmi).
		 */
		vp->nmi.state = HCL_NMI_IRET;
		vp->nmi.iret_rip = vmcb->save.rip;
		hcl_vmcb_set_intercept(vp, INTERCEPT_IRET, false);
		return HCL_ACT_RESUME;
	case SVM_EXIT_NPF:
		return handle_npf(vp, code);
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		/* the host took the interrupt when GIF was set again */
		vp->stats[HCL_STAT_INTR]++;
		return HCL_ACT_HOST_IRQ;
	case SVM_EXIT_MSR:
		return handle_msr(vp);
	case SVM_EXIT_VMMCALL:
		return handle_vmmcall(vp);
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR7:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR7:
		return handle_dr(vp, code);
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
		exit_to_user_hw(vp, HCL_EXIT_SHUTDOWN, code);
		vmcb->control.event_inj = 0;
		/* a reset unblocks NMIs (a step already ended above) */
		vp->nmi.state = HCL_NMI_OPEN;
		hcl_vmcb_set_intercept(vp, INTERCEPT_IRET, false);
		vp->stats[HCL_STAT_SHUTDOWN]++;
		vp->regs_set = false;
		vp->sregs_set = false;
		return HCL_ACT_USER;
	case SVM_EXIT_ERR:
		exit_to_user_hw(vp, HCL_EXIT_FAIL_ENTRY, code);
		return HCL_ACT_USER;
	default:
		vp->stats[HCL_STAT_OTHER]++;
		exit_to_user_hw(vp, HCL_EXIT_UNHANDLED, code);
		return HCL_ACT_USER;
	}
}

enum hcl_exit_action hcl_handle_exit(struct hcl_vp *vp)
{
	struct vmcb *vmcb = vp->vmcb;
	u64 code = vmcb->control.exit_code |
		   ((u64)vmcb->control.exit_code_hi << 32);
	u32 intinfo = vmcb->control.exit_int_info;
	enum hcl_exit_action act;
	u64 rip;

	vp->stats[HCL_STAT_EXITS]++;
	trace_hcl_exit(vp->index, code, vmcb->save.rip,
		       vmcb->control.exit_info_1, vmcb->control.exit_info_2);
	vp->run->hw_exit_code = code;
	vp->run->rip = vmcb->save.rip;

	/* An event whose delivery the exit interrupted is delivered again. */
	if (intinfo & SVM_EXITINTINFO_VALID) {
		vmcb->control.event_inj = intinfo;
		vmcb->control.event_inj_err = vmcb->control.exit_int_info_err;
	} else {
		vmcb->control.event_inj = 0;
	}

	/* first, so that no handler and no user sees a step's RFLAGS */
	if (nmi_exit(vp, code))
		return HCL_ACT_RESUME;
	rip = vmcb->save.rip;
	act = dispatch(vp, code);
	/* an instruction the kernel completed ends an interrupt shadow */
	if (vmcb->save.rip != rip)
		vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
	return act;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_handle_exit);
