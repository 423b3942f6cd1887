// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's writes to CR0, CR4 and CR8 exit (svm_vp_init()) and are
 * done here, with the checks a CPU makes: #GP for what the architecture
 * refuses, EFER.LMA following EFER.LME and CR0.PG, the guest's TLB
 * entries dropped when its paging changes.
 *
 * The CPU would do all of this itself, but the CPU we run on may be
 * QEMU's TCG, which does not: it takes a MOV to CR0 with NW and not CD
 * (the next VMRUN then fails), and when a guest left paging off with
 * EFER.LME set and CR4.PAE clear its #VMEXIT does not give the host its
 * CR0 back, so the host CPU runs on with paging off and GIF clear, for
 * good.  A guest's CR8 writes in QEMU 7.2 can abort QEMU.  KVM intercepts
 * these writes too.
 *
 * Pure logic on register values, for KUnit; exit.c decodes the
 * instruction and applies the result under vp->lock.
 */
#include <linux/export.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <kunit/visibility.h>

#include "cr.h"

/*
 * MOV to CR0 (or LMSW, CLTS) of @val with the VP's @cr0, @cr4, @efer,
 * running 64-bit code if @code64: false where a CPU raises #GP.
 */
bool hcl_cr0_write_ok(u64 cr0, u64 val, u64 cr4, u64 efer, bool code64)
{
	if (val >> 32)
		return false;
	if ((val & X86_CR0_NW) && !(val & X86_CR0_CD))
		return false;
	if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
		return false;
	/* paging on with LME: long mode, which needs PAE */
	if ((val & X86_CR0_PG) && !(cr0 & X86_CR0_PG) &&
	    (efer & EFER_LME) && !(cr4 & X86_CR4_PAE))
		return false;
	/* paging off only from compatibility mode */
	if (!(val & X86_CR0_PG) && (cr0 & X86_CR0_PG) && code64)
		return false;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_cr0_write_ok);

/* EFER once CR0 is @cr0: LMA is LME and PG */
u64 hcl_cr0_efer(u64 efer, u64 cr0)
{
	if ((efer & EFER_LME) && (cr0 & X86_CR0_PG))
		return efer | EFER_LMA;
	return efer & ~(u64)EFER_LMA;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_cr0_efer);

/* whether CR0 going from @old to @val changes how the guest translates */
bool hcl_cr0_flush(u64 old, u64 val)
{
	return (old ^ val) & (X86_CR0_PG | X86_CR0_PE | X86_CR0_WP |
			      X86_CR0_CD);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_cr0_flush);

/*
 * MOV to CR4 of @val with the VP's @cr4, @efer, @cr3, the bits a guest
 * may set in @allowed: false where a CPU raises #GP.
 */
bool hcl_cr4_write_ok(u64 cr4, u64 val, u64 efer, u64 cr3, u64 allowed)
{
	if (val & ~allowed)
		return false;
	if (efer & EFER_LMA) {
		if (!(val & X86_CR4_PAE) || ((val ^ cr4) & X86_CR4_LA57))
			return false;
	}
	/* PCIDs only in long mode, and not with a PCID in CR3 already */
	if ((val & X86_CR4_PCIDE) && !(cr4 & X86_CR4_PCIDE) &&
	    (!(efer & EFER_LMA) || (cr3 & 0xfff)))
		return false;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_cr4_write_ok);

/*
 * Whether CR4 going from @old to @val drops translations: as on the CPU,
 * PGE, PAE, PSE, LA57, SMEP, SMAP, PKE, and PCIDE turned off.
 */
bool hcl_cr4_flush(u64 old, u64 val)
{
	if ((old & X86_CR4_PCIDE) && !(val & X86_CR4_PCIDE))
		return true;
	return (old ^ val) & (X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE |
			      X86_CR4_LA57 | X86_CR4_SMEP | X86_CR4_SMAP |
			      X86_CR4_PKE);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_cr4_flush);
