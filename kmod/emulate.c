// SPDX-License-Identifier: GPL-2.0
/*
 * Generic exit emulation: what the kernel answers itself and what goes to
 * userspace, for exits a backend has decoded (emulate.h).
 *
 * Called from the backend's handle_exit with vp->lock held.  The helpers
 * read and write the guest's registers in the register cache (vp->gprs,
 * vp->rip) and either resume the guest (the hot path) or fill the run
 * page and return to userspace.  An exit for userspace that needs
 * finishing sets vp->complete_user_exit; the run loop calls it before the
 * next entry (hcl_complete_user_exit()), like KVM's complete_userspace_io.
 */
#define pr_fmt(fmt) "hcl: " fmt

#include <linux/build_bug.h>
#include <linux/eventfd.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <asm/trapnr.h>
#include <kunit/visibility.h>

#include "cpuid.h"
#include "decode.h"
#include "emulate.h"
#include "irq.h"
#include "msr.h"
#include "partition.h"
#include "policy.h"
#include "range.h"

static const struct {
	u32 reason;
	const char *name;
} hcl_user_exits[] = {
#define HCL_USER_EXIT(r, str)	{ .reason = r, .name = #str },
#include "exits.h"
#undef HCL_USER_EXIT
};

/* one entry for each reason but HCL_EXIT_NONE, the last of them */
static_assert(ARRAY_SIZE(hcl_user_exits) == HCL_EXIT_HYPERCALL);

/* The name of user exit @reason (the table in exits.h), or NULL. */
const char *hcl_user_exit_name(u32 reason)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hcl_user_exits); i++)
		if (hcl_user_exits[i].reason == reason)
			return hcl_user_exits[i].name;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_user_exit_name);

/*
 * Writes a register the way an instruction with a @size-byte destination
 * does: 1 and 2 bytes merge, 4 bytes zero-extend, 8 bytes replace.
 */
static void gpr_write_sized(struct hcl_vp *vp, unsigned int n, bool high8,
			    unsigned int size, u64 v)
{
	u64 *r;

	if (size == 1 && high8) {
		r = &vp->gprs.r[n - 4];		/* AH, CH, DH, BH */
		*r = (*r & ~0xff00ULL) | ((v & 0xff) << 8);
		return;
	}
	r = &vp->gprs.r[n];
	if (size >= 4) {
		*r = size == 4 ? (u32)v : v;
		return;
	}
	v &= GENMASK_ULL(size * 8 - 1, 0);
	*r = (*r & ~GENMASK_ULL(size * 8 - 1, 0)) | v;
}

enum hcl_exit_action hcl_emulate_cpuid(struct hcl_vp *vp, unsigned int len)
{
	u64 *r = vp->gprs.r;
	const struct hcl_cpuid_entry *e;

	e = hcl_cpuid_lookup(vp->cpuid, r[HCL_REG_RAX], r[HCL_REG_RCX]);
	r[HCL_REG_RAX] = e ? e->eax : 0;
	r[HCL_REG_RBX] = e ? e->ebx : 0;
	r[HCL_REG_RCX] = e ? e->ecx : 0;
	r[HCL_REG_RDX] = e ? e->edx : 0;
	vp->rip += len;
	vp->stats[HCL_STAT_CPUID]++;
	return HCL_ACT_RESUME;
}

/*
 * MONITOR, MWAIT (and AMD's MONITORX, MWAITX, which exit the same way):
 * what the VP's CPUID table offers.  Without MONITOR (CPUID 1 ECX bit
 * 3) a #UD, as on a CPU without them; with it a no-op: MWAIT may wake at
 * once, and the guest gets the CPU back from us in any case.  Never on
 * the host's CPU: the guest must not park it.
 */
enum hcl_exit_action hcl_emulate_monitor_mwait(struct hcl_vp *vp,
					       unsigned int len)
{
	const struct hcl_cpuid_entry *e = hcl_cpuid_lookup(vp->cpuid, 1, 0);

	if (!e || !(e->ecx & BIT(3))) {
		hcl_queue_exception(vp, X86_TRAP_UD, false, 0);
		return HCL_ACT_RESUME;
	}
	vp->rip += len;
	return HCL_ACT_RESUME;
}

static void complete_io_in(struct hcl_vp *vp)
{
	gpr_write_sized(vp, HCL_REG_RAX, false, vp->pending.io_size,
			READ_ONCE(vp->run->io.data));
}

/*
 * Where an access of @size bytes to @port goes (one element of string
 * I/O, or an IN or OUT).  Claimed ports go to userspace; a doorbell's
 * writes ring it (here, @out) and its reads are 0; unclaimed ports are
 * an empty bus (reads float high), unless the policy forwards them to
 * userspace (policy.h).  Counts the access where it stays in the kernel.
 */
enum hcl_io_route hcl_io_route(struct hcl_vp *vp, u16 port, u8 size, bool out)
{
	const struct hcl_range_ent *r;
	enum hcl_io_route route;

	rcu_read_lock();
	r = hcl_range_find(rcu_dereference(vp->part->ranges), HCL_RANGE_PIO,
			   port, size);
	if (!r)
		route = hcl_policy_flag(HCL_POLICY_FLAGS_FORWARD_UNCLAIMED_IO) ?
			HCL_IO_USER : HCL_IO_FLOAT;
	else if (r->kind == HCL_RANGE_DOORBELL)
		route = HCL_IO_DOORBELL;
	else
		route = HCL_IO_USER;
	if (route == HCL_IO_DOORBELL && out)
		eventfd_signal(r->efd);
	rcu_read_unlock();
	if (route == HCL_IO_FLOAT)
		vp->stats[HCL_STAT_IO_KERNEL]++;
	else if (route == HCL_IO_DOORBELL)
		vp->stats[HCL_STAT_IO_DOORBELL]++;
	return route;
}

/* The run page's record of an access to a port userspace serves. */
void hcl_io_to_user(struct hcl_vp *vp, u16 port, u8 size, bool in, u64 data)
{
	struct hcl_run *run = vp->run;

	vp->stats[HCL_STAT_IO_USER]++;
	run->exit_reason = HCL_EXIT_IO;
	run->io.port = port;
	run->io.size = size;
	run->io.direction = in ? HCL_IO_IN : HCL_IO_OUT;
	run->io.pad = 0;
	run->io.data = in ? 0 : data;
}

/* Port I/O, not string I/O, with RIP already past the instruction. */
enum hcl_exit_action hcl_emulate_io(struct hcl_vp *vp, u16 port, u8 size,
				    bool in)
{
	u64 mask = GENMASK_ULL(size * 8 - 1, 0);

	switch (hcl_io_route(vp, port, size, !in)) {
	case HCL_IO_FLOAT:
		if (in)
			gpr_write_sized(vp, HCL_REG_RAX, false, size, mask);
		return HCL_ACT_RESUME;
	case HCL_IO_DOORBELL:
		if (in)
			gpr_write_sized(vp, HCL_REG_RAX, false, size, 0);
		return HCL_ACT_RESUME;
	case HCL_IO_USER:
		break;
	}
	hcl_io_to_user(vp, port, size, in, vp->gprs.r[HCL_REG_RAX] & mask);
	if (in) {
		vp->pending.io_size = size;
		vp->complete_user_exit = complete_io_in;
	}
	return HCL_ACT_USER;
}

static void complete_msr(struct hcl_vp *vp)
{
	u64 data;

	if (READ_ONCE(vp->run->msr.error)) {
		hcl_queue_exception(vp, X86_TRAP_GP, true, 0);
		return;
	}
	if (vp->pending.msr.read) {
		data = READ_ONCE(vp->run->msr.data);
		vp->gprs.r[HCL_REG_RAX] = (u32)data;
		vp->gprs.r[HCL_REG_RDX] = data >> 32;
	}
	vp->rip += vp->pending.msr.insn_len;
}

/*
 * RDMSR/WRMSR (ECX, EDX:EAX): the backend's own MSRs first, then the
 * VP's policy: emulated in the kernel, #GP, or userspace.
 */
enum hcl_exit_action hcl_emulate_msr(struct hcl_vp *vp, bool write,
				     unsigned int len)
{
	u64 *r = vp->gprs.r;
	u32 index = r[HCL_REG_RCX];
	struct hcl_run *run = vp->run;
	u64 val = 0;
	int ret;

	if (write)
		val = ((u64)(u32)r[HCL_REG_RDX] << 32) | (u32)r[HCL_REG_RAX];
	/* the in-kernel irqchip's MSRs first */
	ret = hcl_irq_msr(vp, index, write, &val, false);
	if (ret == -ENOENT)
		ret = write ? hcl_backend->set_msr(vp, index, val) :
			      hcl_backend->get_msr(vp, index, &val);
	if (ret == -ENOENT) {
		switch (hcl_msr_access(vp->msrs, index, write, &val)) {
		case HCL_MSR_EMULATE:
			ret = 0;
			break;
		case HCL_MSR_USER:
			run->exit_reason = HCL_EXIT_MSR;
			run->msr.index = index;
			run->msr.direction = write ? HCL_MSR_WRITE :
						     HCL_MSR_READ;
			run->msr.error = 0;
			run->msr.pad = 0;
			run->msr.data = val;
			vp->pending.msr.read = !write;
			vp->pending.msr.insn_len = len;
			vp->complete_user_exit = complete_msr;
			vp->stats[HCL_STAT_MSR_USER]++;
			return HCL_ACT_USER;
		default:
			ret = -EINVAL;
			break;
		}
	}
	vp->stats[HCL_STAT_MSR_KERNEL]++;
	if (ret) {
		hcl_queue_exception(vp, X86_TRAP_GP, true, 0);
		return HCL_ACT_RESUME;
	}
	if (!write) {
		r[HCL_REG_RAX] = (u32)val;
		r[HCL_REG_RDX] = val >> 32;
	}
	vp->rip += len;
	return HCL_ACT_RESUME;
}

/* HLT: with interrupts enabled an interrupt ends the halt in the kernel */
enum hcl_exit_action hcl_emulate_hlt(struct hcl_vp *vp, bool irq_enabled,
				     unsigned int len)
{
	vp->rip += len;
	if (irq_enabled) {
		vp->stats[HCL_STAT_HLT_WAIT]++;
		return HCL_ACT_HALT;
	}
	vp->stats[HCL_STAT_HLT_USER]++;
	vp->run->exit_reason = HCL_EXIT_HLT;
	return HCL_ACT_USER;
}

static void complete_hypercall(struct hcl_vp *vp)
{
	vp->gprs.r[HCL_REG_RAX] = READ_ONCE(vp->run->hypercall.ret);
}

/* Fast hypercalls (code in RAX) in the kernel; the rest go to userspace. */
enum hcl_exit_action hcl_emulate_hypercall(struct hcl_vp *vp,
					   unsigned int cpl, unsigned int len)
{
	u64 *r = vp->gprs.r;
	struct hcl_run *run = vp->run;
	u64 code = r[HCL_REG_RAX];

	if (cpl) {
		hcl_queue_exception(vp, X86_TRAP_UD, false, 0);
		return HCL_ACT_RESUME;
	}
	vp->rip += len;
	switch (code) {
	case HCL_HC_NOP:
		r[HCL_REG_RAX] = 0;
		vp->stats[HCL_STAT_HYPERCALL]++;
		return HCL_ACT_RESUME;
	case HCL_HC_VP_INDEX:
		r[HCL_REG_RAX] = vp->index;
		vp->stats[HCL_STAT_HYPERCALL]++;
		return HCL_ACT_RESUME;
	}
	vp->stats[HCL_STAT_HYPERCALL_USER]++;
	run->exit_reason = HCL_EXIT_HYPERCALL;
	run->hypercall.code = code;
	run->hypercall.args[0] = r[HCL_REG_RBX];
	run->hypercall.args[1] = r[HCL_REG_RCX];
	run->hypercall.args[2] = r[HCL_REG_RDX];
	run->hypercall.args[3] = r[HCL_REG_RSI];
	run->hypercall.ret = 0;
	vp->complete_user_exit = complete_hypercall;
	return HCL_ACT_USER;
}

/* ---- guest memory accesses: MMIO and VTL violations -------------------- */

static int read_gpa_u64(void *ctx, u64 gpa, u64 *val)
{
	struct hcl_partition *part = ctx;

	if (gpa >= part->mem_size || part->mem_size - gpa < sizeof(*val) ||
	    !IS_ALIGNED(gpa, sizeof(*val)))
		return -EFAULT;
	*val = READ_ONCE(*(u64 *)(part->mem + gpa));
	return 0;
}

/* A data access to linear address @gva, through the guest's own paging. */
int hcl_guest_data_gpa(struct hcl_vp *vp, const struct hcl_paging *pg,
		       u64 gva, bool write, u64 *gpa)
{
	return hcl_gva_to_gpa(pg, gva, write, false, read_gpa_u64, vp->part,
			      gpa);
}

/*
 * Copies up to 15 bytes of the instruction at CS:RIP out of VTL0 RAM.
 * Returns the number of bytes available (a page boundary into unmapped
 * memory shortens it), or a negative errno when not even one is.
 */
int hcl_fetch_insn(struct hcl_vp *vp, const struct hcl_code *code,
		   u8 bytes[HCL_INSN_MAX])
{
	struct hcl_partition *part = vp->part;
	u64 gva = (code->mode == 64 ? 0 : code->cs_base) + vp->rip;
	unsigned int got = 0;

	if (code->mode != 64)
		gva = (u32)gva;
	while (got < HCL_INSN_MAX) {
		unsigned int chunk = min_t(u64, HCL_INSN_MAX - got,
					   PAGE_SIZE - ((gva + got) & ~PAGE_MASK));
		u64 gpa;

		if (hcl_gva_to_gpa(&code->pg, gva + got, false, true,
				   read_gpa_u64, part, &gpa) ||
		    gpa >= part->mem_size || part->mem_size - gpa < chunk)
			break;
		memcpy(bytes + got, part->mem + gpa, chunk);
		got += chunk;
	}
	return got ? got : -EFAULT;
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

static void complete_mmio_read(struct hcl_vp *vp)
{
	mmio_complete_read(vp, &vp->pending.mmio,
			   READ_ONCE(vp->run->mmio.data));
}

/* An access to the in-kernel APIC or IOAPIC (irq.c), never to userspace. */
static enum hcl_exit_action emulate_irq_mmio(struct hcl_vp *vp, u64 gpa,
					     const struct hcl_code *code)
{
	struct hcl_mmio_insn insn;
	u8 bytes[HCL_INSN_MAX];
	u64 val;
	int n;

	n = hcl_fetch_insn(vp, code, bytes);
	if (n < 0 || hcl_decode_mmio(bytes, n, code->mode, &insn))
		return HCL_ACT_UNHANDLED;
	if (insn.write) {
		val = insn.op == HCL_MMIO_STORE_IMM ? insn.imm :
		      vp->gprs.r[insn.high8 ? insn.reg - 4 : insn.reg] >>
		      (insn.high8 ? 8 : 0);
		val &= GENMASK_ULL(insn.size * 8 - 1, 0);
		hcl_irq_mmio(vp, gpa, insn.size, true, &val);
	} else {
		hcl_irq_mmio(vp, gpa, insn.size, false, &val);
		mmio_complete_read(vp, &insn, val);
	}
	vp->rip += insn.len;
	return HCL_ACT_RESUME;
}

static enum hcl_exit_action vtl_violation(struct hcl_vp *vp, u64 gpa,
					  u32 access)
{
	struct hcl_run *run = vp->run;

	vp->stats[HCL_STAT_VTL_VIOLATION]++;
	run->exit_reason = HCL_EXIT_VTL_VIOLATION;
	run->vtl.gpa = gpa;
	run->vtl.access = access;
	run->vtl.pad = 0;
	return HCL_ACT_USER;
}

/*
 * A guest access to @gpa that is not VTL0 RAM (@access: HCL_ACCESS_*).
 * In a claimed MMIO range the instruction is decoded and completed
 * (doorbells) or sent to userspace; anywhere else, or an instruction
 * fetch, is a VTL violation.
 */
enum hcl_exit_action hcl_emulate_mmio(struct hcl_vp *vp, u64 gpa,
				      u32 access, const struct hcl_code *code)
{
	struct hcl_run *run = vp->run;
	const struct hcl_range_ent *r;
	struct hcl_mmio_insn insn;
	u8 bytes[HCL_INSN_MAX];
	bool doorbell;
	u64 val = 0;
	int n;

	/* the APIC page and the IOAPIC come before the user ranges */
	if (vp->apic && !(access & HCL_ACCESS_EXEC) &&
	    hcl_irq_mmio_claims(vp, gpa))
		return emulate_irq_mmio(vp, gpa, code);

	rcu_read_lock();
	r = hcl_range_find(rcu_dereference(vp->part->ranges), HCL_RANGE_MMIO,
			   gpa, 1);
	if (!r || (access & HCL_ACCESS_EXEC)) {
		rcu_read_unlock();
		return vtl_violation(vp, gpa, access);
	}
	n = hcl_fetch_insn(vp, code, bytes);
	if (n < 0 || hcl_decode_mmio(bytes, n, code->mode, &insn) ||
	    gpa + insn.size > r->end) {
		rcu_read_unlock();
		return HCL_ACT_UNHANDLED;
	}
	doorbell = r->kind == HCL_RANGE_DOORBELL;
	if (insn.write) {
		val = insn.op == HCL_MMIO_STORE_IMM ? insn.imm :
		      vp->gprs.r[insn.high8 ? insn.reg - 4 : insn.reg] >>
		      (insn.high8 ? 8 : 0);
		val &= GENMASK_ULL(insn.size * 8 - 1, 0);
		if (doorbell)
			eventfd_signal(r->efd);
	}
	rcu_read_unlock();

	vp->rip += insn.len;
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
		vp->pending.mmio = insn;
		vp->complete_user_exit = complete_mmio_read;
	}
	return HCL_ACT_USER;
}

/*
 * Finishes the exit userspace answered, if it needs finishing: merge the
 * data of an IN into RAX, complete an MMIO read, an MSR access or a
 * hypercall.  Once: the completion is consumed.
 */
void hcl_complete_user_exit(struct hcl_vp *vp)
{
	void (*complete)(struct hcl_vp *vp) = vp->complete_user_exit;

	if (complete) {
		vp->complete_user_exit = NULL;
		complete(vp);
	}
}
EXPORT_SYMBOL_IF_KUNIT(hcl_complete_user_exit);
