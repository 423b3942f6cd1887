// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC, in xAPIC mode at its default base (the VTL2 kernel has
 * no x2APIC support, and the page tables map this page uncached).  The
 * CPU comes out of INIT with the APIC software-disabled and every LVT
 * masked; the sidecar software-enables it (spurious vector 0xff) with
 * TPR 0, so fixed IPIs from hcl.ko reach it.  Anything else (APIC off,
 * x2APIC mode, another base) is a setup fault.  It sends fixed IPIs too:
 * to itself (a stop word set before RUN_VP) and to hcl.ko's CPU (the
 * notify vector after each ack).
 */
#include "sidecar.h"

#define APIC_BASE_EN	(1ull << 11)
#define APIC_BASE_EXTD	(1ull << 10)
#define APIC_TPR	0x080u
#define APIC_SVR	0x0f0u
#define APIC_SVR_ENABLE	0x100u
#define APIC_ICR_LO	0x300u
#define APIC_ICR_HI	0x310u
#define ICR_BUSY	(1u << 12)	/* delivery status: send pending */
#define ICR_ASSERT	(1u << 14)
#define ICR_SELF	(1u << 18)	/* destination shorthand: self */

static void apic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(SC_LAPIC_BASE + reg) = v;
}

static uint32_t apic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(uintptr_t)(SC_LAPIC_BASE + reg);
}

static void icr_wait(void)
{
	while (apic_read(APIC_ICR_LO) & ICR_BUSY)
		__asm__ volatile("pause");
}

/* interrupts off: the ICR's two halves are written by this CPU alone */
void sc_apic_send(uint32_t apic_id, uint32_t vector)
{
	icr_wait();
	apic_write(APIC_ICR_HI, apic_id << 24);
	apic_write(APIC_ICR_LO, ICR_ASSERT | (vector & 0xff));
}

void sc_apic_send_self(uint32_t vector)
{
	icr_wait();
	apic_write(APIC_ICR_LO, ICR_SELF | ICR_ASSERT | (vector & 0xff));
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
