// SPDX-License-Identifier: GPL-2.0
/*
 * VMRUN's consistency checks on the guest state (AMD APM vol. 2,
 * "Canonicalization and Consistency Checks"), made by hcl.ko before every
 * entry.  A VMRUN that fails one exits with VMEXIT_INVALID, and what it
 * leaves in the VMCB is the CPU's business: QEMU's TCG writes the host's
 * registers (its RIP, RSP, CR3, GDT, ...) over the guest's there when a
 * check fails before it loaded the guest's.  So the state is checked
 * here, and one that fails is never entered: the VP's exit is
 * HCL_EXIT_FAIL_ENTRY with the check in hw.info1, and the state stays as
 * the guest left it, for the VMM to look at and repair.
 *
 * The guest reaches most of these only where the CPU is lax: a real CPU
 * refuses a MOV to CR0 with NW and not CD with #GP, QEMU's TCG takes it
 * and the next VMRUN fails.  SET_SREGS refuses all of them (svm.c).
 *
 * Pure logic on a VMCB and the limits, for KUnit; svm.c and remote.c
 * call hcl_vmrun_check() with interrupts on or off, under vp->lock.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>
#include <asm/msr-index.h>
#include <uapi/linux/hcl.h>
#include <kunit/visibility.h>

#include "vmrun_check.h"

/* CR4 bits every x86-64 CPU has */
#define CR4_BASE	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | \
			 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | \
			 X86_CR4_PGE | X86_CR4_PCE | X86_CR4_OSFXSR | \
			 X86_CR4_OSXMMEXCPT)

/*
 * From CPUID rather than the kernel's feature bits: the checks are the
 * CPU's, whatever the host kernel chose to use (a host booted with
 * no5lvl still runs guests with CR4.LA57).
 */
void hcl_vmrun_limits_init(struct hcl_vmrun_limits *l, u64 efer_ok)
{
	/* CPUID leaf, register (0 EBX, 1 ECX, 2 EDX), bit: the CR4 bit */
	static const struct {
		u8 leaf, reg, bit;
		u64 cr4;
	} has[] = {
		{ 1, 1, 5, X86_CR4_VMXE }, { 1, 1, 6, X86_CR4_SMXE },
		{ 1, 1, 17, X86_CR4_PCIDE }, { 1, 1, 26, X86_CR4_OSXSAVE },
		{ 7, 0, 0, X86_CR4_FSGSBASE }, { 7, 0, 7, X86_CR4_SMEP },
		{ 7, 0, 20, X86_CR4_SMAP }, { 7, 1, 2, X86_CR4_UMIP },
		{ 7, 1, 3, X86_CR4_PKE }, { 7, 1, 16, X86_CR4_LA57 },
		{ 7, 1, 7, X86_CR4_CET }, { 7, 2, 20, X86_CR4_CET },
		{ 7, 1, 31, HCL_CR4_PKS },
	};
	u32 max = cpuid_eax(0), eax, r[2][3];
	u64 cr4 = CR4_BASE;
	unsigned int i;

	memset(r, 0, sizeof(r));
	r[0][0] = cpuid_ebx(1);
	r[0][1] = cpuid_ecx(1);
	r[0][2] = cpuid_edx(1);
	if (max >= 7)
		cpuid_count(7, 0, &eax, &r[1][0], &r[1][1], &r[1][2]);
	for (i = 0; i < ARRAY_SIZE(has); i++)
		if (r[has[i].leaf == 7][has[i].reg] & BIT(has[i].bit))
			cr4 |= has[i].cr4;
	l->cr4_ok = cr4;
	l->phys_bits = cpuid_eax(0x80000000) >= 0x80000008 ?
		       cpuid_eax(0x80000008) & 0xff : 36;
	l->efer_ok = efer_ok | EFER_SVME;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_vmrun_limits_init);

/*
 * EVENTINJ: a valid event of a type the CPU knows, and no NMI or vector
 * 31 and up as an exception.
 */
static bool event_ok(u32 inj)
{
	u32 type = inj & SVM_EVTINJ_TYPE_MASK;
	u8 vec = inj & SVM_EVTINJ_VEC_MASK;

	if (!(inj & SVM_EVTINJ_VALID))
		return true;
	switch (type) {
	case SVM_EVTINJ_TYPE_INTR:
	case SVM_EVTINJ_TYPE_NMI:
	case SVM_EVTINJ_TYPE_SOFT:
		return true;
	case SVM_EVTINJ_TYPE_EXEPT:
		return vec != 2 && vec < 31;
	default:
		return false;
	}
}

/*
 * Returns HCL_ENTRY_CPU (0) when VMRUN would take @vmcb's guest state, or
 * the first check it fails (enum hcl_entry_check), in the APM's order.
 * The control area is hcl.ko's own (intercepts, bitmaps, ASID are set
 * right once); of it only the event to inject is checked.
 */
u32 hcl_vmrun_check(const struct vmcb *vmcb, const struct hcl_vmrun_limits *l)
{
	const struct vmcb_save_area *s = &vmcb->save;
	bool long_pg = (s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG);

	if (s->cr0 >> 32 ||
	    ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD)))
		return HCL_ENTRY_CR0;
	if (s->cr3 >> l->phys_bits)
		return HCL_ENTRY_CR3;
	if (s->cr4 & ~l->cr4_ok)
		return HCL_ENTRY_CR4;
	if (s->dr6 >> 32 || s->dr7 >> 32)
		return HCL_ENTRY_DR6_DR7;
	if (!(s->efer & EFER_SVME) || s->efer & ~l->efer_ok)
		return HCL_ENTRY_EFER;
	if (long_pg && (!(s->cr4 & X86_CR4_PAE) || !(s->cr0 & X86_CR0_PE) ||
			((s->cs.attrib & HCL_SEG_ATTR_L) &&
			 (s->cs.attrib & HCL_SEG_ATTR_DB))))
		return HCL_ENTRY_LONG_MODE;
	if (!event_ok(vmcb->control.event_inj))
		return HCL_ENTRY_EVENT;
	return HCL_ENTRY_CPU;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_vmrun_check);
