/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sidecar kernel's internal interfaces (sidecar/README.md).  The
 * memory it shares with the shim and hcl.ko is include/hcl/sidecar.h.
 */
#ifndef HCL_SIDECAR_INTERNAL_H
#define HCL_SIDECAR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "hcl/sidecar.h"

#define SC_NORETURN	__attribute__((noreturn))
#define SC_LAPIC_BASE	0xfee00000ull

#define MSR_EFER	0xc0000080u
#define MSR_GS_BASE	0xc0000101u
#define MSR_APIC_BASE	0x0000001bu
#define MSR_VM_HSAVE_PA	0xc0010117u
#define EFER_SVME	(1ull << 12)
#define CR4_MCE		(1ull << 6)

/* a compiler barrier: x86's TSO does the rest (hcl/sidecar.h) */
#define sc_barrier()	__asm__ volatile("" ::: "memory")

/* the CPU's own entry in the control page (GS base, set first) */
static inline struct hcl_sidecar_cpu *sc_this_cpu(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_GS_BASE));
	return (struct hcl_sidecar_cpu *)(uintptr_t)((uint64_t)hi << 32 | lo);
}

/* main.c: entry.S calls it on the CPU's own stack */
SC_NORETURN void sidecar_main(struct hcl_sidecar_control *ctl, uint64_t idx,
			      uint64_t start_tsc);

/* desc.c: the CPU's GDT + TSS and IDT in its private pages */
void sc_desc_init(void *gdt_page, void *idt_page, void *ist_page,
		  struct hcl_sidecar_cpu *cpu);

/* fault.c: report into the control page, set FAULT, halt for good */
SC_NORETURN void sidecar_exception(uint64_t vector, uint64_t error,
				   uint64_t rip, struct hcl_sidecar_cpu *cpu);
SC_NORETURN void sc_fail(uint32_t code, uint64_t detail);
void sc_test_fault(uint32_t kind);

/* apic.c: the local APIC (xAPIC), software-enabled for the wake-up IPI */
void sc_apic_init(void);
void sc_apic_send(uint32_t apic_id, uint32_t vector);
void sc_apic_send_self(uint32_t vector);

/* any vector from 32 up is an EOI-and-return here: the self-IPI's */
#define SC_SELF_VECTOR	0x41u

/* guest_state.c: what RUN_VP switches besides the GPRs */
void sc_fpu_init(void);
bool sc_guest_state_usable(const struct hcl_sidecar_vp_save *s);
void sc_guest_state_load(struct hcl_sidecar_vp_save *s);
void sc_guest_state_save(struct hcl_sidecar_vp_save *s);

/* svm.c */
void sc_svm_enable(uint64_t hsave_pa);
void sc_svm_disable(void);

/* run_vp.c: RUN_VP; returns the result */
uint32_t sc_run_vp(struct hcl_sidecar_cmd_page *cmd, uint64_t host_vmsave_pa,
		   uint64_t *last_vmcb);

/* dispatch.c: the command loop; returns never */
SC_NORETURN void sc_dispatch(struct hcl_sidecar_control *ctl,
			     struct hcl_sidecar_cpu *cpu,
			     struct hcl_sidecar_cmd_page *cmd,
			     uint64_t host_vmsave_pa);

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3,%0" : "=r"(v));
	return v;
}

static inline uint64_t rdtsc_now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

#endif /* HCL_SIDECAR_INTERNAL_H */
