// SPDX-License-Identifier: GPL-2.0
/*
 * SVM on a sidecar CPU: enabled at setup (EFER.SVME, VM_HSAVE_PA = the
 * CPU's host save area) so RUN_VP can VMRUN, and undone by REMOVE the way
 * a never-booted CPU looks to Linux: GIF set (STGI: INIT is held while
 * GIF is 0 on real CPUs), EFER.SVME and VM_HSAVE_PA cleared, CR4.MCE set.
 */
#include "sidecar.h"

static uint64_t rd(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void wr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

void sc_svm_enable(uint64_t hsave_pa)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(0x80000001u), "c"(0));
	if (!(c & (1u << 2)))
		sc_fail(HCL_SIDECAR_FAULT_NO_SVM, c);
	/* a BIOS that locked SVM off makes this #GP: reported as such */
	wr(MSR_EFER, rd(MSR_EFER) | EFER_SVME);
	wr(MSR_VM_HSAVE_PA, hsave_pa);
}

void sc_svm_disable(void)
{
	uint64_t cr4;

	__asm__ volatile("stgi" ::: "memory");
	wr(MSR_VM_HSAVE_PA, 0);
	wr(MSR_EFER, rd(MSR_EFER) & ~EFER_SVME);
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= CR4_MCE;
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
}
