// SPDX-License-Identifier: GPL-2.0
/*
 * Starting the sidecar CPUs (cpu_split.h has the plan, hcl/sidecar.h the
 * contract).  The boot CPU's local APIC is in xAPIC mode at its default
 * base (QEMU's TCG has no x2APIC, and the VTL2 kernel does not use it),
 * and the shim's identity map covers it.
 *
 *   1. the trampoline (trampoline.S) to HCL_SIDECAR_TRAMPOLINE, with the
 *      sidecar's CR3 and entry and the control page;
 *   2. every sidecar CPU STARTING, then INIT to each, about 10 ms, and
 *      two SIPIs to each, about 200 us apart (the SDM's sequence; a CPU
 *      that already runs ignores the second SIPI);
 *   3. wait, with PAUSE (which also lets QEMU's round-robin TCG run the
 *      other vCPUs), until none is STARTING, or the timeout;
 *   4. a CPU still STARTING gets an INIT, which parks it in wait-for-SIPI
 *      away from the trampoline page Linux will own, and is then marked
 *      OFFLINE, with one line; a FAULT is printed with its report.
 *
 * The delays count TSC cycles at an assumed 1 GHz or more: the real
 * rate only makes them longer.  The boot continues whatever happens;
 * Linux never touches the sidecar's CPUs (maxcpus=).
 */
#include <stdint.h>
#include <string.h>

#include "cpu_split.h"
#include "rt.h"
#include "smp.h"

#define PFX		"openhcl_boot: sidecar: "
#define APIC_BASE_MSR	0x1bu
#define APIC_EN		(1ull << 11)
#define APIC_EXTD	(1ull << 10)
#define LAPIC		0xfee00000ull
#define ICR_LO		0x300u
#define ICR_HI		0x310u
#define ICR_BUSY	(1u << 12)
#define ICR_INIT	0x00004500u	/* INIT, level assert */
#define ICR_SIPI	0x00004600u	/* start-up, vector in bits 7:0 */

#define CYCLES_PER_MS	1000000ull	/* 1 GHz, a lower bound */
#define START_TIMEOUT	(10000 * CYCLES_PER_MS)

extern const char sc_tramp_start[], sc_tramp_end[];
extern const char sc_tramp_cr3[], sc_tramp_control[], sc_tramp_entry[];

static void pause(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static void delay(uint64_t cycles)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < cycles)
		pause();
}

static volatile uint32_t *apic_reg(uint32_t reg)
{
	return (volatile uint32_t *)(uintptr_t)(LAPIC + reg);
}

static void send_ipi(uint32_t apic_id, uint32_t lo)
{
	uint64_t t0 = rdtsc();

	*apic_reg(ICR_HI) = apic_id << 24;
	*apic_reg(ICR_LO) = lo;
	while ((*apic_reg(ICR_LO) & ICR_BUSY) &&
	       rdtsc() - t0 < CYCLES_PER_MS)
		pause();
}

static void patch(const char *field, uint64_t v)
{
	memcpy((char *)(uintptr_t)HCL_SIDECAR_TRAMPOLINE +
	       (field - sc_tramp_start), &v, sizeof(v));
}

static uint32_t status(struct hcl_sidecar_cpu *c)
{
	return *(volatile uint32_t *)&c->status;
}

uint32_t shim_sidecar_start(const struct hcl_sidecar_plan *plan,
			    struct hcl_sidecar_control *ctl,
			    uint64_t *start_tsc, uint64_t *ready_tsc)
{
	uint64_t base = rdmsr(APIC_BASE_MSR);
	uint32_t n = ctl->cpu_count, idle = 0, waiting;
	uint64_t t0;

	*start_tsc = rdtsc();
	if (!(base & APIC_EN) || (base & APIC_EXTD) ||
	    (base & 0xffffff000ull) != LAPIC) {
		rt_printf(PFX "the local APIC is off, in x2APIC mode or not at 0x%llx (APIC_BASE 0x%llx): no CPU started\n",
			  (unsigned long long)LAPIC, (unsigned long long)base);
		*ready_tsc = rdtsc();
		return 0;
	}
	memcpy((void *)(uintptr_t)HCL_SIDECAR_TRAMPOLINE, sc_tramp_start,
	       (size_t)(sc_tramp_end - sc_tramp_start));
	patch(sc_tramp_cr3, plan->cr3);
	patch(sc_tramp_control, plan->region.base);
	patch(sc_tramp_entry, plan->entry64);

	for (uint32_t i = 0; i < n; i++)
		ctl->cpu[i].status = HCL_SIDECAR_STARTING;
	__asm__ volatile("mfence" ::: "memory");
	for (uint32_t i = 0; i < n; i++)
		send_ipi(ctl->cpu[i].apic_id, ICR_INIT);
	delay(10 * CYCLES_PER_MS);
	for (int k = 0; k < 2; k++) {
		for (uint32_t i = 0; i < n; i++)
			send_ipi(ctl->cpu[i].apic_id, ICR_SIPI |
				 (uint32_t)(HCL_SIDECAR_TRAMPOLINE >> 12));
		delay(CYCLES_PER_MS / 5);
	}

	t0 = rdtsc();
	do {
		waiting = 0;
		for (uint32_t i = 0; i < n; i++)
			waiting += status(&ctl->cpu[i]) ==
				   HCL_SIDECAR_STARTING;
		pause();
	} while (waiting && rdtsc() - t0 < START_TIMEOUT);
	*ready_tsc = rdtsc();

	for (uint32_t i = 0; i < n; i++) {
		struct hcl_sidecar_cpu *c = &ctl->cpu[i];

		switch (status(c)) {
		case HCL_SIDECAR_IDLE:
			idle++;
			break;
		case HCL_SIDECAR_FAULT:
			rt_printf(PFX "CPU %u (APIC id %u) fault: vector %u error 0x%llx at RIP 0x%llx CR2 0x%llx\n",
				  i, c->apic_id, c->fault_vector,
				  (unsigned long long)c->fault_error,
				  (unsigned long long)c->fault_rip,
				  (unsigned long long)c->fault_cr2);
			break;
		default:
			send_ipi(c->apic_id, ICR_INIT);
			delay(CYCLES_PER_MS);
			c->status = HCL_SIDECAR_OFFLINE;
			rt_printf(PFX "CPU %u (APIC id %u) did not start: parked with INIT, left offline\n",
				  i, c->apic_id);
			break;
		}
	}
	return idle;
}
