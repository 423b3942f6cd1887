// SPDX-License-Identifier: GPL-2.0
/*
 * The AMD SVM backend: per-CPU enablement, VMCB setup, register access,
 * and one guest entry (svm.h lists the backend's files).
 */
#define pr_fmt(fmt) "hcl: svm: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/pfn.h>
#include <linux/slab.h>
#include <linux/string_choices.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/mce.h>
#include <asm/msr.h>
#include <asm/nmi.h>
#include <asm/processor-flags.h>
#include <asm/reboot.h>
#include <asm/smp.h>
#include <asm/special_insns.h>
#include <asm/svm.h>
#include <asm/trapnr.h>
#include <kunit/visibility.h>

#include "backend.h"
#include "host_state.h"
#include "lapic.h"
#include "log.h"
#include "sidecar.h"
#include "svm.h"
#include "svm_trace.h"

/* Guest PAT at reset: WB, WT, UC-, UC, repeated. */
#define HCL_GUEST_PAT		0x0007040600070406ULL
#define IOPM_ORDER		2	/* 12 KiB used */
#define MSRPM_ORDER		1	/* 8 KiB */
/*
 * The pause filter (svm_vp_init()): a PAUSE exits after this many in a
 * row, each closer than HCL_PAUSE_GAP cycles to the one before.  Fixed:
 * unlike KVM, the window does not grow with each exit.
 */
#define HCL_PAUSE_COUNT		3000
#define HCL_PAUSE_GAP		128

#define EFER_ALLOWED	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)
#define RFLAGS_RESERVED	(~(u64)(X86_EFLAGS_CF | X86_EFLAGS_PF | \
				X86_EFLAGS_AF | X86_EFLAGS_ZF | X86_EFLAGS_SF | \
				X86_EFLAGS_TF | X86_EFLAGS_IF | X86_EFLAGS_DF | \
				X86_EFLAGS_OF | X86_EFLAGS_IOPL | X86_EFLAGS_NT | \
				X86_EFLAGS_RF | X86_EFLAGS_VM | X86_EFLAGS_AC | \
				X86_EFLAGS_VIF | X86_EFLAGS_VIP | X86_EFLAGS_ID | \
				X86_EFLAGS_FIXED))
#define SEG_ATTR_MASK	0xfff

static DEFINE_PER_CPU(struct hcl_svm_cpu, hcl_svm_cpu);

struct hcl_svm_cpu *hcl_svm_cpu_state(int cpu)
{
	return per_cpu_ptr(&hcl_svm_cpu, cpu);
}

/* CPUID 0x8000000A, read at module load; read-only afterwards */
struct hcl_svm_caps hcl_svm_caps;
/* what VMRUN's checks compare against (vmrun_check.c); likewise */
struct hcl_vmrun_limits hcl_vmrun_limits;
/*
 * The CR4 bits a VP may hold, set by the guest's MOV (cr.c) or by the
 * VMM's SET_SREGS: the CPU's, but for VMX, SMX, CET, PKS and LAM, whose
 * state hcl.ko does not switch, and PKE where the host does not switch
 * PKRU.  One mask for both, so that a VMM can restore whatever state its
 * guest reached (a 5-level guest's LA57 included).  Likewise.
 */
u64 hcl_guest_cr4_ok;

/*
 * Guest FPU state: the components XCR0 enables except PKRU (switched on
 * its own around VMRUN, svm_load_guest_xsave()),
 * saved with XSAVE (FXSAVE without it) in a per-VP area of
 * hcl_fpu_size bytes.  The guest cannot change XCR0: XSETBV exits.
 */
u64 hcl_fpu_mask;
unsigned int hcl_fpu_size;

/*
 * The host's IA32_XSS, read at load (the kernel sets it once at boot).
 * The guest runs with XSS 0 (it cannot write the MSR: it exits), so its
 * XSAVES can neither see nor change the host task's supervisor states.
 */
static u64 hcl_host_xss;
/* the host's XCR0 (0: no XSAVE), set at load */
static u64 hcl_host_xcr0;

/*
 * Whether the CPU has IA32_TSC_AUX (RDTSCP or RDPID), which the host
 * kernel sets to its CPU and node numbers: the guest gets its own value
 * (svm->tsc_aux) around VMRUN, so it learns nothing of where it runs.
 */
bool hcl_has_tsc_aux;

#define FXSAVE_SIZE		512
#define FXSAVE_MXCSR		24
#define MXCSR_RESET		0x1f80

static void fpu_load(void *area)
{
	if (hcl_fpu_mask)
		asm volatile("xrstor64 (%0)" : : "r" (area),
			     "a" ((u32)hcl_fpu_mask),
			     "d" ((u32)(hcl_fpu_mask >> 32)) : "memory");
	else
		asm volatile("fxrstor64 (%0)" : : "r" (area) : "memory");
}

static void fpu_save(void *area)
{
	if (hcl_fpu_mask)
		asm volatile("xsave64 (%0)" : : "r" (area),
			     "a" ((u32)hcl_fpu_mask),
			     "d" ((u32)(hcl_fpu_mask >> 32)) : "memory");
	else
		asm volatile("fxsave64 (%0)" : : "r" (area) : "memory");
}

static enum cpuhp_state hcl_svm_cpuhp;
static atomic64_t hcl_vp_uid_seq = ATOMIC64_INIT(0);

static void svm_disable_this_cpu(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		/* GIF may be clear if we stopped mid-switch (crash path) */
		asm volatile("stgi" ::: "memory");
		wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	}
}

static void hcl_svm_emergency_disable(void)
{
	if (this_cpu_read(hcl_svm_cpu.enabled))
		svm_disable_this_cpu();
}

static int svm_cpu_online(unsigned int cpu)
{
	struct hcl_svm_cpu *sc = this_cpu_ptr(&hcl_svm_cpu);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err("cpu%u: SVM is already in use (kvm_amd loaded?)\n", cpu);
		return -EBUSY;
	}
	sc->hsave = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO,
				     0);
	sc->host_save = alloc_pages_node(cpu_to_node(cpu),
					 GFP_KERNEL | __GFP_ZERO, 0);
	if (!sc->hsave || !sc->host_save) {
		if (sc->hsave)
			__free_page(sc->hsave);
		if (sc->host_save)
			__free_page(sc->host_save);
		sc->hsave = NULL;
		sc->host_save = NULL;
		return -ENOMEM;
	}
	sc->host_save_pa = PFN_PHYS(page_to_pfn(sc->host_save));
	sc->last_vmcb_uid = 0;
	hcl_asid_cpu_init(&sc->asid, &hcl_svm_caps);
	sc->host_tsc_aux = 0;
	if (hcl_has_tsc_aux) {
		u64 aux;

		rdmsrl(MSR_TSC_AUX, aux);
		sc->host_tsc_aux = aux;
	}
	wrmsrl(MSR_VM_HSAVE_PA, PFN_PHYS(page_to_pfn(sc->hsave)));
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	sc->enabled = true;
	hcl_dbg("cpu%u: SVM enabled\n", cpu);
	return 0;
}

static int svm_cpu_offline(unsigned int cpu)
{
	struct hcl_svm_cpu *sc = this_cpu_ptr(&hcl_svm_cpu);

	if (!sc->enabled)
		return 0;
	svm_disable_this_cpu();
	sc->enabled = false;
	__free_page(sc->hsave);
	__free_page(sc->host_save);
	sc->hsave = NULL;
	sc->host_save = NULL;
	hcl_dbg("cpu%u: SVM disabled\n", cpu);
	return 0;
}

/*
 * The MSR permission map: two bits (read, write) per MSR in three 2 KiB
 * blocks for 0x0-0x1fff, 0xc0000000-0xc0001fff and 0xc0010000-0xc0011fff.
 */
static void msrpm_allow(u8 *msrpm, u32 msr)
{
	static const u32 base[] = { 0, 0xc0000000, 0xc0010000 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(base); i++) {
		if (msr - base[i] < 0x2000) {
			u32 bit = (msr - base[i]) * 2;

			msrpm[i * 0x800 + bit / 8] &= ~(3 << (bit % 8));
			return;
		}
	}
}

static int svm_partition_init(struct hcl_partition *p)
{
	struct hcl_svm_partition *part = to_svm_part(p);
	unsigned int i;

	BUILD_BUG_ON(offsetof(struct vmcb, save) +
		     sizeof(struct vmcb_save_area) > PAGE_SIZE);
	part->iopm = (void *)__get_free_pages(GFP_KERNEL_ACCOUNT, IOPM_ORDER);
	part->msrpm = (void *)__get_free_pages(GFP_KERNEL_ACCOUNT,
					       MSRPM_ORDER);
	if (!part->iopm || !part->msrpm) {
		free_pages((unsigned long)part->iopm, IOPM_ORDER);
		free_pages((unsigned long)part->msrpm, MSRPM_ORDER);
		part->iopm = NULL;
		part->msrpm = NULL;
		return -ENOMEM;
	}
	/* every port exits; every MSR exits but the ones VMLOAD switches */
	memset(part->iopm, 0xff, PAGE_SIZE << IOPM_ORDER);
	memset(part->msrpm, 0xff, PAGE_SIZE << MSRPM_ORDER);
	for (i = 0; i < HCL_NR_PASSTHROUGH_MSRS; i++)
		msrpm_allow(part->msrpm, hcl_passthrough_msrs[i].msr);
	return 0;
}

static void svm_partition_destroy(struct hcl_partition *p)
{
	struct hcl_svm_partition *part = to_svm_part(p);

	free_pages((unsigned long)part->iopm, IOPM_ORDER);
	free_pages((unsigned long)part->msrpm, MSRPM_ORDER);
	part->iopm = NULL;
	part->msrpm = NULL;
}

static int svm_vp_init(struct hcl_vp *vp)
{
	static const u16 intercepts[] = {
		INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_MC,
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_CPUID,
		INTERCEPT_INVD, INTERCEPT_HLT, INTERCEPT_INVLPGA,
		INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT, INTERCEPT_SHUTDOWN,
		INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD,
		INTERCEPT_VMSAVE, INTERCEPT_STGI, INTERCEPT_CLGI,
		INTERCEPT_SKINIT, INTERCEPT_WBINVD, INTERCEPT_MONITOR,
		INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND, INTERCEPT_XSETBV,
		INTERCEPT_RDPMC, INTERCEPT_RDPRU, INTERCEPT_PAUSE,
		INTERCEPT_CR0_WRITE, INTERCEPT_CR4_WRITE, INTERCEPT_CR8_WRITE,
	};
	struct hcl_svm_partition *part = to_svm_part(vp->part);
	struct hcl_svm_vp *svm = to_svm(vp);
	struct vmcb *vmcb;
	unsigned int i;

	vmcb = (struct vmcb *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmcb)
		return -ENOMEM;
	svm->remote = -1;
	/*
	 * The FPU area lives in the sidecar save area when it fits there,
	 * so the VP can run on a sidecar CPU and, later, locally from the
	 * same state; else it has pages of its own and runs locally.
	 */
	if (hcl_fpu_size <= sizeof(svm->save->xsave)) {
		svm->save = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		svm->fpu = svm->save ? svm->save->xsave : NULL;
	} else {
		svm->fpu = (void *)__get_free_pages(GFP_KERNEL_ACCOUNT |
						    __GFP_ZERO,
						    get_order(hcl_fpu_size));
	}
	if (!svm->fpu) {
		free_page((unsigned long)vmcb);
		return -ENOMEM;
	}
	/* reset state: XSTATE_BV 0 means init, but MXCSR is always loaded */
	*(u32 *)(svm->fpu + FXSAVE_MXCSR) = MXCSR_RESET;
	svm->vmcb = vmcb;
	svm->vmcb_pa = __pa(vmcb);
	svm->last_cpu = -1;
	svm->uid = atomic64_inc_return(&hcl_vp_uid_seq);
	/* no ASID yet: the first entry takes one (asid = 0 is invalid) */
	svm->asid.generation = 0;
	svm->vmcb_dirty = HCL_VMCB_ALL_AREAS;

	/*
	 * every DR access exits: the guest's DR0-DR3 are in svm->db, its
	 * DR6 and DR7 in the VMCB, all loaded only around VMRUN
	 */
	vmcb->control.intercepts[INTERCEPT_DR] = ~0U;
	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		hcl_vmcb_set_intercept(svm, intercepts[i], true);
	/*
	 * PAUSE exits so that a guest spinning on a lock gives the CPU to
	 * the VP holding it (HCL_ACT_PAUSE).  With a pause filter only a
	 * spin exits: HCL_PAUSE_COUNT PAUSEs in a row, each (with the
	 * threshold) less than HCL_PAUSE_GAP cycles after the last; without
	 * one (QEMU) every PAUSE exits.
	 */
	if (boot_cpu_has(X86_FEATURE_PAUSEFILTER))
		vmcb->control.pause_filter_count = HCL_PAUSE_COUNT;
	if (boot_cpu_has(X86_FEATURE_PFTHRESHOLD))
		vmcb->control.pause_filter_thresh = HCL_PAUSE_GAP;
	vmcb->control.iopm_base_pa = __pa(part->iopm);
	vmcb->control.msrpm_base_pa = __pa(part->msrpm);
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	/* physical interrupts exit; the host's RFLAGS.IF masks them */
	vmcb->control.int_ctl = V_INTR_MASKING_MASK;
	vmcb->control.nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	vmcb->control.nested_cr3 = hcl_npt_root_pa(&part->part.npt);
	vmcb->save.g_pat = HCL_GUEST_PAT;
	vmcb->save.efer = EFER_SVME;
	vmcb->save.dr6 = hcl_dr6_fixed(0);
	vmcb->save.dr7 = hcl_dr7_fixed(0);
	vmcb->save.rflags = X86_EFLAGS_FIXED;
	hcl_svm_remote_bind(svm);
	return 0;
}

static void svm_vp_destroy(struct hcl_vp *vp)
{
	struct hcl_svm_vp *svm = to_svm(vp);

	if (svm->save)
		free_page((unsigned long)svm->save);
	else
		free_pages((unsigned long)svm->fpu, get_order(hcl_fpu_size));
	svm->save = NULL;
	svm->fpu = NULL;
	free_page((unsigned long)svm->vmcb);
	svm->vmcb = NULL;
}

static void svm_get_regs(struct hcl_vp *vp, struct hcl_regs *regs)
{
	memcpy(regs->gprs, vp->gprs.r, sizeof(regs->gprs));
	regs->rip = vp->rip;
	regs->rflags = to_svm(vp)->vmcb->save.rflags;
}

/*
 * New registers or segment state: an exception (or software interrupt)
 * queued for the old state, such as the #GP of a refused MSR access, is
 * dropped.  A pending external interrupt or NMI stays: it belongs to the
 * VP, not to the state it interrupted.
 */
static void svm_drop_stale_event(struct hcl_svm_vp *svm)
{
	u32 type = svm->vmcb->control.event_inj & SVM_EVTINJ_TYPE_MASK;

	if (!(svm->vmcb->control.event_inj & SVM_EVTINJ_VALID))
		return;
	if (type == SVM_EVTINJ_TYPE_EXEPT || type == SVM_EVTINJ_TYPE_SOFT)
		svm->vmcb->control.event_inj = 0;
}

static int svm_set_regs(struct hcl_vp *vp, const struct hcl_regs *regs)
{
	if (regs->rflags & RFLAGS_RESERVED || !(regs->rflags & X86_EFLAGS_FIXED))
		return -EINVAL;
	svm_drop_stale_event(to_svm(vp));
	memcpy(vp->gprs.r, regs->gprs, sizeof(vp->gprs.r));
	vp->rip = regs->rip;
	/* RFLAGS (and RAX, RSP, RIP) are never cached: no clean bit */
	to_svm(vp)->vmcb->save.rflags = regs->rflags;
	return 0;
}

static void seg_out(struct hcl_segment *s, const struct vmcb_seg *v)
{
	s->base = v->base;
	s->limit = v->limit;
	s->selector = v->selector;
	s->attrib = v->attrib;
}

static void seg_in(struct vmcb_seg *v, const struct hcl_segment *s)
{
	v->base = s->base;
	v->limit = s->limit;
	v->selector = s->selector;
	v->attrib = s->attrib;
}

static void svm_get_sregs(struct hcl_vp *vp, struct hcl_sregs *sr)
{
	struct vmcb_save_area *s = &to_svm(vp)->vmcb->save;

	memset(sr, 0, sizeof(*sr));
	seg_out(&sr->cs, &s->cs);
	seg_out(&sr->ds, &s->ds);
	seg_out(&sr->es, &s->es);
	seg_out(&sr->fs, &s->fs);
	seg_out(&sr->gs, &s->gs);
	seg_out(&sr->ss, &s->ss);
	seg_out(&sr->tr, &s->tr);
	seg_out(&sr->ldt, &s->ldtr);
	sr->gdt.base = s->gdtr.base;
	sr->gdt.limit = s->gdtr.limit;
	sr->idt.base = s->idtr.base;
	sr->idt.limit = s->idtr.limit;
	sr->cr0 = s->cr0;
	sr->cr2 = s->cr2;
	sr->cr3 = s->cr3;
	sr->cr4 = s->cr4;
	sr->efer = s->efer & ~EFER_SVME;
}

static bool seg_ok(const struct hcl_segment *s)
{
	return !(s->attrib & ~SEG_ATTR_MASK);
}

static int svm_set_sregs(struct hcl_vp *vp, const struct hcl_sregs *sr)
{
	struct hcl_svm_vp *svm = to_svm(vp);
	struct vmcb_save_area *s = &svm->vmcb->save;
	bool pg = sr->cr0 & X86_CR0_PG;

	if (!seg_ok(&sr->cs) || !seg_ok(&sr->ds) || !seg_ok(&sr->es) ||
	    !seg_ok(&sr->fs) || !seg_ok(&sr->gs) || !seg_ok(&sr->ss) ||
	    !seg_ok(&sr->tr) || !seg_ok(&sr->ldt))
		return -EINVAL;
	if (sr->gdt.limit > 0xffff || sr->idt.limit > 0xffff)
		return -EINVAL;
	if (sr->cr0 >> 32 || sr->cr4 & ~hcl_guest_cr4_ok ||
	    sr->efer & ~(u64)EFER_ALLOWED)
		return -EINVAL;
	if ((sr->cr0 & X86_CR0_NW) && !(sr->cr0 & X86_CR0_CD))
		return -EINVAL;
	if (pg && !(sr->cr0 & X86_CR0_PE))
		return -EINVAL;
	/* long mode: PAE on, LMA tracks LME with paging, CS not L and D */
	if ((sr->efer & EFER_LME) && pg) {
		if (!(sr->cr4 & X86_CR4_PAE) || !(sr->efer & EFER_LMA))
			return -EINVAL;
		if ((sr->cs.attrib & HCL_SEG_ATTR_L) &&
		    (sr->cs.attrib & HCL_SEG_ATTR_DB))
			return -EINVAL;
	} else if (sr->efer & EFER_LMA) {
		return -EINVAL;
	}
	/* VMRUN's own check in long mode: nothing above MAXPHYADDR */
	if (sr->cr3 >> 52 ||
	    ((sr->efer & EFER_LMA) && sr->cr3 >> hcl_vmrun_limits.phys_bits))
		return -EINVAL;

	svm_drop_stale_event(svm);
	seg_in(&s->cs, &sr->cs);
	seg_in(&s->ds, &sr->ds);
	seg_in(&s->es, &sr->es);
	seg_in(&s->fs, &sr->fs);
	seg_in(&s->gs, &sr->gs);
	seg_in(&s->ss, &sr->ss);
	seg_in(&s->tr, &sr->tr);
	seg_in(&s->ldtr, &sr->ldt);
	s->gdtr.base = sr->gdt.base;
	s->gdtr.limit = sr->gdt.limit;
	s->idtr.base = sr->idt.base;
	s->idtr.limit = sr->idt.limit;
	s->cr0 = sr->cr0;
	s->cr2 = sr->cr2;
	s->cr3 = sr->cr3;
	s->cr4 = sr->cr4;
	s->efer = sr->efer | EFER_SVME;
	/* CPL is the DPL of SS (attrib bits 5-6) */
	s->cpl = (sr->ss.attrib >> 5) & 3;
	/* FS, GS, TR and LDTR are VMLOAD's, never cached */
	hcl_vmcb_mark_dirty(svm, HCL_VMCB_SEG);
	hcl_vmcb_mark_dirty(svm, HCL_VMCB_DT);
	hcl_vmcb_mark_dirty(svm, HCL_VMCB_CRX);
	hcl_vmcb_mark_dirty(svm, HCL_VMCB_CR2);
	/* state changed under the guest: drop its TLB entries */
	hcl_asid_request_flush(&svm->asid);
	return 0;
}

static bool pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		/* UC, WC, WT, WP, WB, UC- */
		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static int svm_get_msr(struct hcl_vp *vp, u32 index, u64 *val)
{
	struct vmcb *vmcb = to_svm(vp)->vmcb;
	struct vmcb_save_area *s = &vmcb->save;

	switch (index) {
	case MSR_EFER:
		*val = s->efer & ~EFER_SVME;
		break;
	case MSR_IA32_CR_PAT:
		*val = s->g_pat;
		break;
	case MSR_IA32_TSC:
		*val = rdtsc() + vmcb->control.tsc_offset;
		break;
	case MSR_FS_BASE:
		*val = s->fs.base;
		break;
	case MSR_GS_BASE:
		*val = s->gs.base;
		break;
	case MSR_KERNEL_GS_BASE:
		*val = s->kernel_gs_base;
		break;
	case MSR_STAR:
		*val = s->star;
		break;
	case MSR_LSTAR:
		*val = s->lstar;
		break;
	case MSR_CSTAR:
		*val = s->cstar;
		break;
	case MSR_SYSCALL_MASK:
		*val = s->sfmask;
		break;
	case MSR_IA32_SYSENTER_CS:
		*val = s->sysenter_cs;
		break;
	case MSR_IA32_SYSENTER_ESP:
		*val = s->sysenter_esp;
		break;
	case MSR_IA32_SYSENTER_EIP:
		*val = s->sysenter_eip;
		break;
	case MSR_TSC_AUX:
		if (!hcl_has_tsc_aux)
			return -ENOENT;
		*val = to_svm(vp)->tsc_aux;
		break;
	default:
		return -ENOENT;
	}
	return 0;
}

static bool canonical(u64 v)
{
	return (u64)(((s64)v << 16) >> 16) == v;
}

/*
 * EFER and the guest PAT sit in cached VMCB areas; the other MSRs here are
 * VMLOAD/VMSAVE state, which VMRUN never caches.
 */
static int svm_set_msr(struct hcl_vp *vp, u32 index, u64 val)
{
	struct hcl_svm_vp *svm = to_svm(vp);
	struct vmcb_save_area *s = &svm->vmcb->save;
	u64 *slot;

	switch (index) {
	case MSR_EFER:
		if (val & ~(u64)EFER_ALLOWED)
			return -EINVAL;
		/* as on the CPU: LME cannot change while paging is on */
		if ((s->cr0 & X86_CR0_PG) && ((val ^ s->efer) & EFER_LME))
			return -EINVAL;
		/* LMA is the CPU's to change */
		s->efer = (val & ~(u64)EFER_LMA) | (s->efer & EFER_LMA) |
			  EFER_SVME;
		hcl_vmcb_mark_dirty(svm, HCL_VMCB_CRX);
		return 0;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(val))
			return -EINVAL;
		s->g_pat = val;
		hcl_vmcb_mark_dirty(svm, HCL_VMCB_NP);
		return 0;
	case MSR_STAR:
		s->star = val;
		return 0;
	case MSR_SYSCALL_MASK:
		if (val >> 32)
			return -EINVAL;
		s->sfmask = val;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		s->sysenter_cs = val;
		return 0;
	case MSR_TSC_AUX:
		if (!hcl_has_tsc_aux)
			return -ENOENT;
		if (val >> 32)
			return -EINVAL;
		svm->tsc_aux = val;
		return 0;
	case MSR_FS_BASE:
		slot = &s->fs.base;
		break;
	case MSR_GS_BASE:
		slot = &s->gs.base;
		break;
	case MSR_KERNEL_GS_BASE:
		slot = &s->kernel_gs_base;
		break;
	case MSR_LSTAR:
		slot = &s->lstar;
		break;
	case MSR_CSTAR:
		slot = &s->cstar;
		break;
	case MSR_IA32_SYSENTER_ESP:
		slot = &s->sysenter_esp;
		break;
	case MSR_IA32_SYSENTER_EIP:
		slot = &s->sysenter_eip;
		break;
	default:
		return -ENOENT;
	}
	if (!canonical(val))
		return -EINVAL;
	*slot = val;
	return 0;
}

/*
 * NMIs at entry (the rules are at struct hcl_nmi): inject one, arm a
 * single-step towards the NMI window, or ask for an exit right after the
 * event this entry injects.  Returns true when nothing else may be
 * injected at this entry.  Reached only with an NMI pending or NMIs
 * blocked.
 */
static bool svm_inject_nmi(struct hcl_svm_vp *svm, bool event)
{
	struct hcl_vp *vp = &svm->vp;
	struct vmcb *vmcb = svm->vmcb;
	struct hcl_nmi *n = &svm->nmi;
	bool pending = atomic_read(&vp->nmi_pending);
	bool shadow_step = false;

	if (n->state == HCL_NMI_OPEN && pending && !event &&
	    (vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK))
		shadow_step = hcl_svm_shadow_step_safe(svm);
	switch (hcl_nmi_at_entry(n->state, pending, event, shadow_step)) {
	case HCL_NMI_ENTRY_INJECT:
		if (!atomic_xchg(&vp->nmi_pending, 0))
			return false;
		vmcb->control.event_inj = NMI_VECTOR | SVM_EVTINJ_TYPE_NMI |
					  SVM_EVTINJ_VALID;
		n->state = HCL_NMI_BLOCKED;
		hcl_vmcb_set_intercept(svm, INTERCEPT_IRET, true);
		vp->stats[HCL_STAT_INJECTIONS]++;
		return true;
	case HCL_NMI_ENTRY_STEP:
		/* RFLAGS is never cached; the intercepts are */
		hcl_nmi_step_begin(n, vp->rip, &vmcb->save.rflags,
				   vmcb->save.dr6);
		hcl_vmcb_set_exception_intercepts(svm, HCL_NMI_STEP_EXCEPTIONS,
						  true);
		vp->stats[HCL_STAT_NMI_STEP]++;
		return true;
	case HCL_NMI_ENTRY_KICK:
		n->kick = true;
		return false;
	case HCL_NMI_ENTRY_NONE:
		break;
	}
	return false;
}

/* V_IRQ off: no interrupt offered at this entry (no change, nothing dirty) */
static void svm_withdraw_irq(struct hcl_svm_vp *svm)
{
	hcl_vmcb_update_int_ctl(svm, V_IRQ_MASK | V_IGN_TPR_MASK |
				V_INTR_PRIO_MASK, 0);
}

/*
 * Offers @vec through V_IRQ, above any TPR (the in-kernel APIC already
 * applied the guest's): the CPU delivers it as soon as the guest can take
 * it (RFLAGS.IF set, no interrupt shadow) and clears V_IRQ when it does.
 * It stays pending in its source until then (hcl_svm_settle_irq()).
 */
static void svm_offer_irq(struct hcl_svm_vp *svm, u8 vec, bool apic)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	if (c->int_vector != vec) {
		c->int_vector = vec;
		hcl_vmcb_mark_dirty(svm, HCL_VMCB_INTR);
	}
	hcl_vmcb_update_int_ctl(svm, 0, V_IRQ_MASK | V_IGN_TPR_MASK |
				(0xf << V_INTR_PRIO_SHIFT));
	svm->virq = true;
	svm->virq_apic = apic;
	svm->virq_vec = vec;
}

/*
 * Offers the most urgent pending interrupt to the guest (V_IRQ), or
 * withdraws the last offer.  Runs on the VP's thread with preemption off,
 * after running_cpu was published, so a concurrent HCL_VP_INTERRUPT
 * either is seen here or kicks us.  That is why it is part of
 * svm_enter() and no op of its own (backend.h).
 *
 * External interrupts never go through EVENTINJ.  QEMU's TCG VMRUN
 * (7.2, the host VMM here) delivers an injected INTR at once but leaves
 * its vector as the vCPU's pending exception; an exit request (a
 * round-robin kick, an I/O thread's kick) before the guest's next
 * exception or #VMEXIT delivers that vector again, whatever the guest's
 * RFLAGS.IF.  Linux in VTL0 took a second timer interrupt on the first
 * instruction of the first one's handler, with the user's GS base, and
 * overflowed its entry stack.  A virtual interrupt is delivered by QEMU's
 * interrupt check, which leaves no such state, and by hardware alike.
 */
void hcl_svm_inject(struct hcl_vp *vp)
{
	struct hcl_svm_vp *svm = to_svm(vp);
	struct vmcb *vmcb = svm->vmcb;
	bool event = vmcb->control.event_inj & SVM_EVTINJ_VALID;
	bool apic_vec = false;
	unsigned int vec;

	/*
	 * Every entry runs with V_INTR_MASKING: the host's interrupts then
	 * end the guest's slice whatever its RFLAGS.IF.  Only svm_vp_init()
	 * sets it, but QEMU's TCG (7.2) writes its own int_ctl into the VMCB
	 * when VMRUN fails a check it makes before loading the guest's (a
	 * CR3 above MAXPHYADDR, say), and that one is 0.  Without the bit,
	 * a guest spinning with interrupts off never gives the CPU back:
	 * the host's timer interrupt waits for the guest's STI forever.
	 */
	if (unlikely(!(vmcb->control.int_ctl & V_INTR_MASKING_MASK))) {
		hcl_vmcb_update_int_ctl(svm, 0, V_INTR_MASKING_MASK);
		vp->stats[HCL_STAT_VMCB_REPAIR]++;
	}
	svm->virq = false;
	/* an interrupted delivery goes first */
	if (unlikely(svm->nmi.state != HCL_NMI_OPEN ||
		     atomic_read(&vp->nmi_pending)) &&
	    svm_inject_nmi(svm, event)) {
		svm_withdraw_irq(svm);
		return;
	}
	if (event) {
		svm_withdraw_irq(svm);
		goto out;
	}
	vec = find_last_bit(vp->irq_pending, 256);
	/* with the in-kernel APIC: its vector, if it outranks the queue */
	if (vp->apic) {
		int a = hcl_lapic_pending(vp->apic);

		apic_vec = a >= 0 && (vec >= 256 || a > vec);
		if (apic_vec)
			vec = a;
	}
	if (vec >= 256) {
		svm_withdraw_irq(svm);
		return;
	}
	svm_offer_irq(svm, vec, apic_vec);
	/* else it waits for the guest's STI, POPF or IRET: no exit needed */
	if ((vmcb->save.rflags & X86_EFLAGS_IF) &&
	    !(vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK))
		goto out;
	return;
out:
	/* an event ahead of a pending IRET: its handler's IRET unblocks */
	if (unlikely(svm->nmi.state == HCL_NMI_IRET)) {
		svm->nmi.state = HCL_NMI_BLOCKED;
		hcl_vmcb_set_intercept(svm, INTERCEPT_IRET, true);
	}
}
EXPORT_SYMBOL_IF_KUNIT(hcl_svm_inject);

/*
 * At an exit (@code, @intinfo its EXITINTINFO): settles the interrupt the
 * entry offered.  The CPU cleared V_IRQ if the guest took it: it moves
 * from IRR to ISR (or leaves the queue) now, before the exit's handler
 * can emulate its EOI.  Else it is still pending and the next entry
 * offers again the most urgent interrupt.  A delivery the exit cut short
 * is not taken either: QEMU reports it with the type of an exception
 * (as it does any vector it was delivering), which EVENTINJ refuses for
 * vectors 32 and up, so true is returned and the caller injects nothing.
 */
bool hcl_svm_settle_irq(struct hcl_svm_vp *svm, u64 code, u32 intinfo)
{
	struct hcl_vp *vp = &svm->vp;
	u32 type = intinfo & SVM_EXITINTINFO_TYPE_MASK;

	if (!svm->virq)
		return false;
	svm->virq = false;
	if ((intinfo & SVM_EXITINTINFO_VALID) &&
	    (intinfo & SVM_EXITINTINFO_VEC_MASK) == svm->virq_vec &&
	    (type == SVM_EXITINTINFO_TYPE_INTR ||
	     (type == SVM_EXITINTINFO_TYPE_EXEPT && svm->virq_vec >= 32)))
		return true;
	/* a failed VMRUN delivered nothing; QEMU clears V_IRQ there too */
	if (code == (u64)SVM_EXIT_ERR ||
	    (svm->vmcb->control.int_ctl & V_IRQ_MASK))
		return false;
	if (svm->virq_apic)
		hcl_lapic_accept(vp->apic, svm->virq_vec);
	else
		clear_bit(svm->virq_vec, vp->irq_pending);
	vp->stats[HCL_STAT_INJECTIONS]++;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_svm_settle_irq);

/*
 * Gives the VP a valid ASID of @sc's CPU and the TLB control its VMRUN
 * needs (asid.c); with that CPU held until the VMRUN is done (preemption
 * disabled on a local CPU, the sidecar CPU acquired for a remote one).
 */
static u8 svm_prepare_asid(struct hcl_svm_vp *svm, struct hcl_svm_cpu *sc,
			   bool moved)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	struct hcl_vp *vp = &svm->vp;
	bool fresh;
	u8 tlb;

	tlb = hcl_asid_prepare(&sc->asid, &svm->asid, moved, &fresh);
	if (fresh)
		vp->stats[HCL_STAT_ASID_NEW]++;
	if (tlb == TLB_CONTROL_FLUSH_ALL_ASID)
		vp->stats[HCL_STAT_TLB_FLUSH_ALL]++;
	else if (tlb == TLB_CONTROL_FLUSH_ASID)
		vp->stats[HCL_STAT_TLB_FLUSH_ASID]++;
	if (c->asid != svm->asid.asid) {
		c->asid = svm->asid.asid;
		hcl_vmcb_mark_dirty(svm, HCL_VMCB_ASID);
	}
	c->tlb_ctl = tlb;
	return tlb;
}

/*
 * What an entry on @cpu (this one, or a sidecar CPU the caller holds)
 * decides before the world switch: the ASID and TLB control (returned,
 * for hcl_svm_exited()), and whether the CPU's VMCB cache is useless
 * (*@reload).  Each VP has its own ASID on each CPU, so nothing is
 * flushed when VPs take turns; the VMCB cache is trusted only for the
 * VMCB the CPU ran last, if it ran there the last time too.
 */
u8 hcl_svm_prepare_cpu(struct hcl_svm_vp *svm, int cpu, bool *reload)
{
	struct hcl_svm_cpu *sc = per_cpu_ptr(&hcl_svm_cpu, cpu);
	bool moved = svm->last_cpu != cpu;

	svm->last_cpu = cpu;
	*reload = hcl_vmcb_switch(&sc->last_vmcb_uid, svm->uid, moved);
	return svm_prepare_asid(svm, sc, moved);
}

/* the last VMCB writes before VMRUN: everything else is in */
void hcl_svm_load_vmcb(struct hcl_svm_vp *svm, bool reload)
{
	struct hcl_vp *vp = &svm->vp;
	struct vmcb *vmcb = svm->vmcb;

	vmcb->control.clean = hcl_vmcb_clean(&svm->vmcb_dirty,
					     hcl_svm_caps.vmcb_clean, reload);
	if (reload)
		vp->stats[HCL_STAT_VMCB_RELOAD]++;
	/* never cached, so no clean bit either */
	vmcb->save.rax = vp->gprs.r[HCL_REG_RAX];
	vmcb->save.rsp = vp->gprs.r[HCL_REG_RSP];
	vmcb->save.rip = vp->rip;
}

/* after the exit of an entry on @cpu that hcl_svm_prepare_cpu() set up */
void hcl_svm_exited(struct hcl_svm_vp *svm, int cpu, u8 tlb)
{
	struct hcl_vp *vp = &svm->vp;
	struct vmcb *vmcb = svm->vmcb;

	vp->gprs.r[HCL_REG_RAX] = vmcb->save.rax;
	vp->gprs.r[HCL_REG_RSP] = vmcb->save.rsp;
	vp->rip = vmcb->save.rip;
	hcl_vmcb_exited(svm);
	if (vmcb->control.exit_code == (u32)SVM_EXIT_ERR)
		hcl_asid_entry_failed(&per_cpu_ptr(&hcl_svm_cpu, cpu)->asid,
				      &svm->asid, tlb);
	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
}

/*
 * An entry hcl_vmrun_check() refused for @check: there was no VMRUN, and
 * the VMCB reads as a VMRUN that failed that check (hw.info1), with the
 * VP's state and the event to inject as they were.
 */
void hcl_svm_refuse_entry(struct hcl_svm_vp *svm, u32 check)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	c->exit_code = (u32)SVM_EXIT_ERR;
	c->exit_code_hi = (u32)((u64)SVM_EXIT_ERR >> 32);
	c->exit_info_1 = check;
	c->exit_info_2 = 0;
	c->exit_int_info = 0;
	c->exit_int_info_err = 0;
	svm->vp.stats[HCL_STAT_ENTRY_REFUSED]++;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_svm_refuse_entry);

/*
 * A VMRUN the CPU refused although hcl_vmrun_check() passed it.  Nothing
 * was delivered: the event it was to inject (@inj, @inj_err) is pending
 * again (QEMU moves it to EXITINTINFO).  A CPU may have written its own
 * registers over the guest's (QEMU's TCG stores the host's when a check
 * fails before it loaded the guest's): if the guest's CR3 now reads as
 * @host_cr3, the CR3 of the CPU that ran the VMRUN (~0 when unknown),
 * the state is the host's and goes: cleared to what SET_SREGS accepts,
 * so that no VMM or guest sees a host address, and marked lost.
 */
void hcl_svm_entry_refused(struct hcl_svm_vp *svm, u32 inj, u32 inj_err,
			   u64 host_cr3)
{
	struct vmcb *vmcb = svm->vmcb;
	struct vmcb_save_area *s = &vmcb->save;

	vmcb->control.event_inj = inj;
	vmcb->control.event_inj_err = inj_err;
	vmcb->control.exit_int_info = 0;
	vmcb->control.exit_info_1 = HCL_ENTRY_CPU;
	vmcb->control.exit_info_2 = 0;
	if (s->cr3 != host_cr3)
		return;
	memset(&s->es, 0, sizeof(s->es));
	memset(&s->cs, 0, sizeof(s->cs));
	memset(&s->ss, 0, sizeof(s->ss));
	memset(&s->ds, 0, sizeof(s->ds));
	memset(&s->gdtr, 0, sizeof(s->gdtr));
	memset(&s->idtr, 0, sizeof(s->idtr));
	s->cpl = 0;
	s->efer = EFER_SVME;
	s->cr0 = 0;
	s->cr2 = 0;
	s->cr3 = 0;
	s->cr4 = 0;
	s->rflags = X86_EFLAGS_FIXED;
	s->rip = 0;
	s->rsp = 0;
	s->rax = 0;
	s->dr6 = hcl_dr6_fixed(0);
	s->dr7 = hcl_dr7_fixed(0);
	vmcb->control.exit_info_2 = HCL_ENTRY_STATE_LOST;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_svm_entry_refused);

/*
 * Host state VMRUN does not switch and the guest can change: PKRU (the
 * guest may set CR4.PKE and run WRPKRU, or XRSTOR it, as XCR0 includes
 * it) and IA32_XSS.  Like KVM's kvm_load_guest_xsave_state() and
 * kvm_load_host_xsave_state(), called with GIF clear on either side of
 * VMRUN, so that no interrupt or NMI handler runs with guest values.
 * XCR0 needs nothing on the way in: XSETBV exits, so the guest runs with
 * the host's.  QEMU's TCG (7.2) ignores that intercept, though, and the
 * guest's XSETBV lands in the host's XCR0, so svm_load_host_xsave() puts
 * the host's back when it differs.
 * Returns the host's PKRU for svm_load_host_xsave().
 */
static u32 svm_load_guest_xsave(struct hcl_svm_vp *svm)
{
	u32 host_pkru = 0;

	if (cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		host_pkru = rdpkru();
		if (svm->pkru != host_pkru)
			wrpkru(svm->pkru);
	}
	if (hcl_host_xss)
		wrmsrl(MSR_IA32_XSS, 0);
	return host_pkru;
}

/*
 * Like the two above, for IA32_TSC_AUX, against the host's value this CPU
 * read when it came online (no RDMSR on the way in).
 */
static void svm_load_guest_tsc_aux(struct hcl_svm_vp *svm, u32 host)
{
	if (hcl_has_tsc_aux && svm->tsc_aux != host)
		wrmsrl(MSR_TSC_AUX, svm->tsc_aux);
}

static void svm_load_host_tsc_aux(struct hcl_svm_vp *svm, u32 host)
{
	if (hcl_has_tsc_aux && svm->tsc_aux != host)
		wrmsrl(MSR_TSC_AUX, host);
}

static void svm_load_host_xsave(struct hcl_svm_vp *svm, u32 host_pkru)
{
	if (hcl_host_xcr0 &&
	    unlikely(xgetbv(XCR_XFEATURE_ENABLED_MASK) != hcl_host_xcr0))
		xsetbv(XCR_XFEATURE_ENABLED_MASK, hcl_host_xcr0);
	if (cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		svm->pkru = rdpkru();
		if (svm->pkru != host_pkru)
			wrpkru(host_pkru);
	}
	if (hcl_host_xss)
		wrmsrl(MSR_IA32_XSS, hcl_host_xss);
}

/*
 * The debug registers for VMRUN (the rules are at hcl_dr_entry() and
 * hcl_dr_exit()), with GIF clear on either side as for the two above: no
 * interrupt or NMI handler sees the guest's breakpoint addresses or a
 * host DR7 not yet restored.  Returns whether the host had breakpoints
 * armed, for svm_load_host_dr(); nothing can arm or disarm one on this
 * CPU until STGI.
 */
static bool svm_load_guest_dr(struct hcl_svm_vp *svm)
{
	bool host_armed = hw_breakpoint_active();
	unsigned int what = hcl_dr_entry(svm->vmcb->save.dr7, host_armed);

	if (what & HCL_DR_HOST_OFF)
		set_debugreg(DR7_FIXED_1, 7);
	if (what & HCL_DR_LOAD_GUEST) {
		set_debugreg(svm->db[0], 0);
		set_debugreg(svm->db[1], 1);
		set_debugreg(svm->db[2], 2);
		set_debugreg(svm->db[3], 3);
	}
	return host_armed;
}

static void svm_load_host_dr(struct hcl_svm_vp *svm, bool host_armed)
{
	unsigned int what = hcl_dr_exit(svm->vmcb->save.dr6, host_armed);

	if (what & HCL_DR_RESTORE_HOST)
		hw_breakpoint_restore();
	else if (what & HCL_DR_RESET_DR6)
		set_debugreg(DR6_RESERVED, 6);
}

/*
 * The #MC intercept keeps a machine check that hits the guest from the
 * host's handler, so hand it over by hand, as KVM's kvm_machine_check()
 * does: with interrupts still disabled right after the exit, and with
 * registers that say user mode, as the error hit the guest and not the
 * host kernel.  The handler logs the error and decides what to do.
 */
static void svm_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = {
		.cs = 3,
		.flags = X86_EFLAGS_IF,
	};

	do_machine_check(&regs);
#endif
}

/*
 * hcl.check_host_state: the host's state after the exit, before STGI,
 * against @before; a difference is recorded in @bad for
 * svm_report_host_state(), which runs once interrupts are back on.
 */
struct svm_host_check {
	struct hcl_host_state before;
	int bad;
	u64 was, now;
};

static void svm_check_host_state(struct hcl_vp *vp, struct svm_host_check *c)
{
	struct hcl_host_state after;

	hcl_host_state_read(&after, hcl_has_tsc_aux);
	vp->stats[HCL_STAT_HOST_STATE_CHECKS]++;
	c->bad = hcl_host_state_diff(&c->before, &after);
	if (c->bad >= 0) {
		c->was = c->before.val[c->bad];
		c->now = after.val[c->bad];
		vp->stats[HCL_STAT_HOST_STATE_BAD]++;
	}
}

static void svm_report_host_state(struct hcl_vp *vp,
				  const struct svm_host_check *c)
{
	const char *reg = hcl_host_reg_name(c->bad);

	pr_err_ratelimited("VP %u: host %s was %#llx before the entry, %#llx after the exit\n",
			   vp->index, reg, c->was, c->now);
	WARN_ONCE(1, "hcl: an exit did not give the host its %s back\n", reg);
}

/*
 * The world switch itself, from the pending-kick check to STGI: the host
 * state VMRUN does not switch goes around it with GIF clear.  Called with
 * preemption off on @sc's CPU, the VMCB loaded; returns with interrupts on.
 */
static void svm_vmrun(struct hcl_svm_vp *svm, struct hcl_svm_cpu *sc, int cpu)
{
	struct hcl_vp *vp = &svm->vp;
	struct vmcb_control_area *c = &svm->vmcb->control;
	struct svm_host_check check;
	bool host_dr, checking;
	u32 host_pkru;

	/*
	 * With V_INTR_MASKING the host's RFLAGS.IF at VMRUN decides whether
	 * physical interrupts exit the guest, so IF must be set.  GIF stays
	 * clear around the switch: nothing is delivered while host state is
	 * half restored, and the interrupt that caused an exit is taken at
	 * STGI below.
	 */
	local_irq_disable();
	/*
	 * A kick since running_cpu was published may have missed what it
	 * queued (its IPI came before interrupts were closed, or it ran on
	 * this CPU in an interrupt handler): an IPI to ourselves, pending
	 * until VMRUN, makes the guest exit at once and the next entry
	 * offers what the kick was for.  After an event, the NMI is next.
	 */
	if (unlikely(READ_ONCE(vp->kicked) || svm->nmi.kick)) {
		if (READ_ONCE(vp->kicked))
			vp->stats[HCL_STAT_KICK_LATE]++;
		svm->nmi.kick = false;
		arch_smp_send_reschedule(cpu);
	}
	checking = READ_ONCE(hcl_check_host_state);
	if (unlikely(checking)) {
		check.bad = -1;
		hcl_host_state_read(&check.before, hcl_has_tsc_aux);
	}
	asm volatile("clgi" ::: "memory");
	host_pkru = svm_load_guest_xsave(svm);
	svm_load_guest_tsc_aux(svm, sc->host_tsc_aux);
	host_dr = svm_load_guest_dr(svm);
	raw_local_irq_enable();
	hcl_svm_vmrun(svm->vmcb_pa, &vp->gprs, sc->host_save_pa);
	raw_local_irq_disable();
	svm_load_host_dr(svm, host_dr);
	svm_load_host_tsc_aux(svm, sc->host_tsc_aux);
	svm_load_host_xsave(svm, host_pkru);
	if (unlikely(checking))
		svm_check_host_state(vp, &check);
	asm volatile("stgi" ::: "memory");
	if (unlikely(c->exit_code == SVM_EXIT_EXCP_BASE + X86_TRAP_MC))
		svm_machine_check();
	local_irq_enable();
	if (unlikely(checking && check.bad >= 0))
		svm_report_host_state(vp, &check);
}

/*
 * The backend's enter: one VMRUN.  The register cache goes into the VMCB
 * (RAX, RSP, RIP; the other GPRs are switched by hcl_svm_vmrun()) and
 * comes back from it at the exit, like KVM's svm_vcpu_run().  A state
 * VMRUN would refuse is not entered (vmrun_check.c).
 */
static void svm_enter(struct hcl_vp *vp)
{
	struct hcl_svm_vp *svm = to_svm(vp);
	struct hcl_svm_cpu *sc;
	bool reload;
	u32 bad;
	int cpu;
	u8 tlb;

	/* a VP whose VTL2 CPU is the sidecar's runs there */
	if (svm->remote >= 0 && hcl_svm_enter_remote(svm))
		return;
	trace_hcl_entry(vp->index, vp->rip);
	/* saves the task's FPU state; disables preemption */
	kernel_fpu_begin();
	fpu_load(svm->fpu);
	cpu = smp_processor_id();
	sc = this_cpu_ptr(&hcl_svm_cpu);
	tlb = hcl_svm_prepare_cpu(svm, cpu, &reload);

	/* publish where we run before looking at pending interrupts */
	WRITE_ONCE(vp->kicked, false);
	WRITE_ONCE(vp->running_cpu, cpu);
	/* pairs with smp_mb__after_atomic() in hcl_vp_interrupt() */
	smp_mb();
	hcl_svm_inject(vp);
	hcl_svm_load_vmcb(svm, reload);
	bad = hcl_vmrun_check(svm->vmcb, &hcl_vmrun_limits);
	if (unlikely(bad)) {
		hcl_svm_refuse_entry(svm, bad);
	} else {
		u32 inj = svm->vmcb->control.event_inj;
		u32 inj_err = svm->vmcb->control.event_inj_err;

		svm_vmrun(svm, sc, cpu);
		if (unlikely(svm->vmcb->control.exit_code == (u32)SVM_EXIT_ERR))
			hcl_svm_entry_refused(svm, inj, inj_err, __read_cr3());
	}

	WRITE_ONCE(vp->running_cpu, -1);
	hcl_svm_exited(svm, cpu, tlb);
	fpu_save(svm->fpu);
	kernel_fpu_end();
}

/*
 * NMIs are blocked from an NMI's injection to its IRET.  While the VP
 * halts the state cannot be IRET (the HLT's exit, elsewhere than the IRET,
 * ended that), so BLOCKED it is; read without vp->lock by the halt wait
 * (vp.c), which a change under the lock wakes anyway.
 */
static bool svm_nmi_blocked(struct hcl_vp *vp)
{
	return READ_ONCE(to_svm(vp)->nmi.state) != HCL_NMI_OPEN;
}

static int svm_get_debugregs(struct hcl_vp *vp, struct hcl_debugregs *d)
{
	struct hcl_svm_vp *svm = to_svm(vp);

	memcpy(d->db, svm->db, sizeof(d->db));
	d->dr6 = svm->vmcb->save.dr6;
	d->dr7 = svm->vmcb->save.dr7;
	return 0;
}

static int svm_set_debugregs(struct hcl_vp *vp, const struct hcl_debugregs *d)
{
	struct hcl_svm_vp *svm = to_svm(vp);

	memcpy(svm->db, d->db, sizeof(svm->db));
	svm->vmcb->save.dr6 = hcl_dr6_fixed(d->dr6);
	svm->vmcb->save.dr7 = hcl_dr7_fixed(d->dr7);
	hcl_vmcb_mark_dirty(svm, HCL_VMCB_DRX);
	return 0;
}

static const struct hcl_stat_desc hcl_svm_stats[] = {
#define HCL_STAT	HCL_STAT_DESC
#include "svm_stats.h"
#undef HCL_STAT
};

static_assert(ARRAY_SIZE(hcl_svm_stats) == HCL_NR_SVM_STATS);

static int svm_init(u64 *features);
static void svm_exit(void);

const struct hcl_backend_ops hcl_svm_ops = {
	.name = "svm",
	.vp_size = sizeof(struct hcl_svm_vp),
	.partition_size = sizeof(struct hcl_svm_partition),
	.init = svm_init,
	.exit = svm_exit,
	.partition_init = svm_partition_init,
	.partition_destroy = svm_partition_destroy,
	.vp_init = svm_vp_init,
	.vp_destroy = svm_vp_destroy,
	.get_regs = svm_get_regs,
	.set_regs = svm_set_regs,
	.get_sregs = svm_get_sregs,
	.set_sregs = svm_set_sregs,
	.enter = svm_enter,
	.handle_exit = hcl_svm_handle_exit,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
	.queue_exception = hcl_svm_queue_exception,
	.get_debugregs = svm_get_debugregs,
	.nmi_blocked = svm_nmi_blocked,
	.set_debugregs = svm_set_debugregs,
	.stats = hcl_svm_stats,
	.nr_stats = HCL_NR_SVM_STATS,
};
EXPORT_SYMBOL_IF_KUNIT(hcl_svm_ops);

/* The backend's init: probe the CPU (CPUID, VM_CR), enable every CPU. */
/*
 * kvm_amd cannot share SVM with us: it would find EFER.SVME set on every
 * CPU and fail, but only after trying to take the kernel's one
 * emergency-disable slot, which we hold, and WARNing twice about it in
 * KVM's code.  So it is refused as it comes, before its init runs, with
 * the reason.  (hcl.ko loaded after kvm_amd fails in svm_cpu_online().)
 */
static int svm_module_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct module *mod = data;

	if (action != MODULE_STATE_COMING || strcmp(mod->name, "kvm_amd"))
		return NOTIFY_DONE;
	pr_err("kvm_amd refused: SVM is hcl.ko's on every CPU while hcl.ko is loaded (unload hcl first)\n");
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block svm_module_nb = {
	.notifier_call = svm_module_notify,
};

static int svm_init(u64 *features)
{
	u64 vm_cr;
	int ret;

	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		pr_err("CPU has no SVM\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("CPU has no nested paging\n");
		return -ENODEV;
	}
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVM_DIS_MASK) {
		pr_err("SVM is disabled by firmware\n");
		return -ENODEV;
	}

	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		hcl_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		hcl_fpu_mask = hcl_host_xcr0 & ~(u64)XFEATURE_MASK_PKRU;
		hcl_fpu_size = cpuid_ebx(0xd);
	} else {
		hcl_host_xcr0 = 0;
		hcl_fpu_mask = 0;
		hcl_fpu_size = FXSAVE_SIZE;
	}
	hcl_host_xss = 0;
	if (boot_cpu_has(X86_FEATURE_XSAVES))
		rdmsrl(MSR_IA32_XSS, hcl_host_xss);
	hcl_has_tsc_aux = boot_cpu_has(X86_FEATURE_RDTSCP) ||
			  boot_cpu_has(X86_FEATURE_RDPID);
	if (hcl_fpu_size < FXSAVE_SIZE + 64 && hcl_fpu_mask)
		hcl_fpu_size = FXSAVE_SIZE + 64;

	ret = hcl_svm_caps_parse(cpuid_ebx(SVM_CPUID_FUNC),
				 cpuid_edx(SVM_CPUID_FUNC), &hcl_svm_caps);
	if (ret) {
		pr_err("CPU has no ASID for guests\n");
		return ret;
	}
	hcl_vmrun_limits_init(&hcl_vmrun_limits, EFER_ALLOWED);
	hcl_guest_cr4_ok = hcl_vmrun_limits.cr4_ok &
			   ~(X86_CR4_VMXE | X86_CR4_SMXE | X86_CR4_CET |
			     HCL_CR4_PKS | X86_CR4_LAM_SUP);
	if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
		hcl_guest_cr4_ok &= ~(u64)X86_CR4_PKE;

	*features = HCL_FEATURE_NPT;
	if (boot_cpu_has(X86_FEATURE_VGIF))
		*features |= HCL_FEATURE_VGIF;
	if (boot_cpu_has(X86_FEATURE_NRIPS))
		*features |= HCL_FEATURE_NRIPS;
	if (boot_cpu_has(X86_FEATURE_DECODEASSISTS))
		*features |= HCL_FEATURE_DECODE;

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hcl/svm:online",
				svm_cpu_online, svm_cpu_offline);
	if (ret < 0)
		return ret;
	hcl_svm_cpuhp = ret;
	hcl_svm_remote_init();
	cpu_emergency_register_virt_callback(hcl_svm_emergency_disable);
	ret = register_module_notifier(&svm_module_nb);
	if (ret) {
		cpu_emergency_unregister_virt_callback(hcl_svm_emergency_disable);
		cpuhp_remove_state(hcl_svm_cpuhp);
		return ret;
	}
	pr_info("SVM enabled on %u CPUs (features %#llx)\n",
		num_online_cpus(), *features);
	pr_info("ASIDs %u-%u, flush by ASID %s, VMCB clean bits %s\n",
		hcl_svm_caps.min_asid, hcl_svm_caps.max_asid,
		str_yes_no(hcl_svm_caps.flush_by_asid),
		str_yes_no(hcl_svm_caps.vmcb_clean));
	return 0;
}

static void svm_exit(void)
{
	unregister_module_notifier(&svm_module_nb);
	cpu_emergency_unregister_virt_callback(hcl_svm_emergency_disable);
	cpuhp_remove_state(hcl_svm_cpuhp);
}
