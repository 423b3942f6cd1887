// SPDX-License-Identifier: GPL-2.0
/*
 * The guest state RUN_VP switches besides the GPRs (hcl/sidecar.h,
 * struct hcl_sidecar_vp_save): the FPU state with XRSTOR/XSAVE under the
 * guest's XCR0, IA32_TSC_AUX and DR0-3.  The sidecar itself never uses
 * the FPU, breakpoints or RDTSCP, so nothing of its own needs restoring:
 * whatever the guest leaves in these registers stays in the CPU until
 * the next run loads the next VP's values over it.
 *
 * At setup, sc_fpu_init() makes XSAVE usable (CR4.OSFXSR, OSXMMEXCPT,
 * OSXSAVE; CR0.MP and NE set, EM and TS clear), if the CPU has it.
 */
#include "sidecar.h"

#define CR0_MP		(1ull << 1)
#define CR0_EM		(1ull << 2)
#define CR0_TS		(1ull << 3)
#define CR0_NE		(1ull << 5)
#define CR4_OSFXSR	(1ull << 9)
#define CR4_OSXMMEXCPT	(1ull << 10)
#define CR4_OSXSAVE	(1ull << 18)
#define CPUID1_XSAVE	(1u << 26)
#define MSR_TSC_AUX	0xc0000103u

void sc_fpu_init(void)
{
	uint32_t a, b, c, d;
	uint64_t cr0, cr4;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(1u), "c"(0));
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE;
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (c & CPUID1_XSAVE)
		cr4 |= CR4_OSXSAVE;
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
}

static void wrmsr64(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

static uint64_t rdmsr64(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

bool sc_guest_state_usable(const struct hcl_sidecar_vp_save *s)
{
	uint64_t cr4;

	if (!s->xsave_mask)
		return true;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	/* XCR0 bit 0 is always set; the switched part must be enabled */
	return (cr4 & CR4_OSXSAVE) && (s->xcr0 & 1) &&
	       !(s->xsave_mask & ~s->xcr0);
}

void sc_guest_state_load(struct hcl_sidecar_vp_save *s)
{
	uint64_t m = s->xsave_mask;

	if (m) {
		__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)s->xcr0),
				 "d"((uint32_t)(s->xcr0 >> 32)) : "memory");
		__asm__ volatile("xrstor64 (%0)" : : "r"(s->xsave),
				 "a"((uint32_t)m), "d"((uint32_t)(m >> 32))
				 : "memory");
	}
	if (s->flags & HCL_SIDECAR_LOAD_TSC_AUX)
		wrmsr64(MSR_TSC_AUX, s->tsc_aux);
	if (s->flags & HCL_SIDECAR_LOAD_DR) {
		__asm__ volatile("mov %0, %%db0" : : "r"(s->dr[0]));
		__asm__ volatile("mov %0, %%db1" : : "r"(s->dr[1]));
		__asm__ volatile("mov %0, %%db2" : : "r"(s->dr[2]));
		__asm__ volatile("mov %0, %%db3" : : "r"(s->dr[3]));
	}
}

void sc_guest_state_save(struct hcl_sidecar_vp_save *s)
{
	uint64_t m = s->xsave_mask;

	if (m)
		__asm__ volatile("xsave64 (%0)" : : "r"(s->xsave),
				 "a"((uint32_t)m), "d"((uint32_t)(m >> 32))
				 : "memory");
	if (s->flags & HCL_SIDECAR_LOAD_TSC_AUX)
		s->tsc_aux = rdmsr64(MSR_TSC_AUX);
}
