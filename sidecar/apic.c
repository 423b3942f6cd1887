// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC, in xAPIC mode at its default base (the VTL2 kernel has
 * no x2APIC support, and the page tables map this page uncached).  The
 * CPU comes out of INIT with the APIC software-disabled and every LVT
 * masked; the sidecar software-enables it (spurious vector 0xff) with
 * TPR 0, so fixed IPIs from hcl.ko reach it.  Anything else (APIC off,
 * x2APIC mode, another base) is a setup fault.
 */
#include "sidecar.h"

#define APIC_BASE_EN	(1ull << 11)
#define APIC_BASE_EXTD	(1ull << 10)
#define APIC_TPR	0x080u
#define APIC_SVR	0x0f0u
#define APIC_SVR_ENABLE	0x100u

static void apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(SC_LAPIC_BASE + reg) = v;
}

void sc_apic_init(void)
{
	uint32_t lo, hi;
	uint64_t base;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_APIC_BASE));
	base = (uint64_t)hi << 32 | lo;
	if (!(base & APIC_BASE_EN) || (base & APIC_BASE_EXTD) ||
	    (base & ~0xfffull & ((1ull << 52) - 1)) != SC_LAPIC_BASE)
		sc_fail(HCL_SIDECAR_FAULT_NO_APIC, base);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | 0xff);
}
