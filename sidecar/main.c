// SPDX-License-Identifier: GPL-2.0
/*
 * A sidecar CPU's setup, from entry.S to the dispatch loop: its control
 * page entry as GS base (for the fault reports), its descriptor tables,
 * the local APIC, SVM, the FPU (XSAVE); then IDLE and the dispatch loop.  Any failure is a
 * FAULT report (fault.c).
 */
#include <stddef.h>

#include "sidecar.h"

/* what entry.S hard-codes */
_Static_assert(offsetof(struct hcl_sidecar_control, cpu_count) == 8,
	       "cpu_count offset");
_Static_assert(offsetof(struct hcl_sidecar_control, cpu) == 64,
	       "cpu[] offset");
_Static_assert(offsetof(struct hcl_sidecar_cpu, apic_id) == 4,
	       "apic_id offset");
_Static_assert(HCL_SIDECAR_PRIV_PAGES == 9 && HCL_SIDECAR_STACK_PAGES == 4 &&
	       HCL_SIDECAR_PRIV_STACK == 0, "private page layout");

static void *page(void *priv, unsigned int n)
{
	return (char *)priv + (uint64_t)n * HCL_SIDECAR_PAGE_SIZE;
}

void sidecar_main(struct hcl_sidecar_control *ctl, uint64_t idx,
		  uint64_t start_tsc)
{
	struct hcl_sidecar_cpu *cpu = &ctl->cpu[idx];
	void *priv = (char *)ctl + HCL_SIDECAR_PRIV_OFFSET(ctl->cpu_count, idx);
	uint64_t e = (uint64_t)(uintptr_t)cpu;
	uint32_t test = ctl->test_fault;

	__asm__ volatile("wrmsr" : : "c"(MSR_GS_BASE), "a"((uint32_t)e),
			 "d"((uint32_t)(e >> 32)) : "memory");
	cpu->start_tsc = start_tsc;
	sc_desc_init(page(priv, HCL_SIDECAR_PRIV_GDT),
		     page(priv, HCL_SIDECAR_PRIV_IDT),
		     page(priv, HCL_SIDECAR_PRIV_IST), cpu);
	sc_apic_init();
	sc_svm_enable((uint64_t)(uintptr_t)page(priv, HCL_SIDECAR_PRIV_HSAVE));
	sc_fpu_init();
	if (idx == 0 && test != HCL_SIDECAR_TEST_NONE)
		sc_test_fault(test);

	/* hcl.ko tells its own registers from a VP's by it (remote.c) */
	cpu->cr3 = read_cr3();
	cpu->ready_tsc = rdtsc_now();
	sc_barrier();
	cpu->status = HCL_SIDECAR_IDLE;
	sc_dispatch(ctl, cpu, (struct hcl_sidecar_cmd_page *)
		    ((char *)ctl + HCL_SIDECAR_CMD_OFFSET(idx)),
		    (uint64_t)(uintptr_t)page(priv, HCL_SIDECAR_PRIV_VMSAVE));
}
