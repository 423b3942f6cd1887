// SPDX-License-Identifier: GPL-2.0
/*
 * Faults: every exception, and every setup step that fails, ends here.
 * The report goes into the CPU's control-page entry (fault_* first,
 * status FAULT last, so a reader that sees FAULT sees the report), and
 * the CPU halts with interrupts off for good: never a silent hang.
 * hcl.ko and the shim print it; the CPU stays out of Linux's reach.
 */
#include "sidecar.h"

static SC_NORETURN void report(struct hcl_sidecar_cpu *cpu, uint32_t vector,
			       uint64_t error, uint64_t rip)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	if (cpu) {
		cpu->fault_vector = vector;
		cpu->fault_error = error;
		cpu->fault_rip = rip;
		cpu->fault_cr2 = cr2;
		sc_barrier();
		cpu->status = HCL_SIDECAR_FAULT;
	}
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

/* from entry.S, with the entry the IST page names */
void sidecar_exception(uint64_t vector, uint64_t error, uint64_t rip,
		       struct hcl_sidecar_cpu *cpu)
{
	report(cpu, (uint32_t)vector, error, rip);
}

/* during setup only, while GS is the sidecar's own */
void sc_fail(uint32_t code, uint64_t detail)
{
	report(sc_this_cpu(), code, detail,
	       (uint64_t)(uintptr_t)__builtin_return_address(0));
}

/* openhcl_boot.sidecar_fault=: raise the exception asked for */
void sc_test_fault(uint32_t kind)
{
	switch (kind) {
	case HCL_SIDECAR_TEST_UD:
		__asm__ volatile("ud2");
		break;
	case HCL_SIDECAR_TEST_PF:
		*(volatile uint64_t *)(uintptr_t)HCL_SIDECAR_MAP_END = 0;
		break;
	case HCL_SIDECAR_TEST_DE: {
		volatile uint32_t zero = 0;

		__asm__ volatile("divl %1" : : "a"(1), "r"(zero) : "rdx");
		break;
	}
	}
}
