/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 64-bit IDT gate and the LGDT/LIDT operand, for the freestanding
 * programs that set up their own exception handling: the host loader,
 * the shim and the sidecar.
 */
#ifndef HCL_RT_X86_DESC_H
#define HCL_RT_X86_DESC_H

#include <stdint.h>

struct rt_idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

_Static_assert(sizeof(struct rt_idt_gate) == 16, "IDT gate");

struct rt_desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* A present DPL-0 interrupt gate to @addr through code selector @sel. */
static inline void rt_idt_gate_set(struct rt_idt_gate *g, uint64_t addr,
				   uint16_t sel, uint8_t ist)
{
	g->off_lo = (uint16_t)addr;
	g->sel = sel;
	g->ist = ist;
	g->type = 0x8e;
	g->off_mid = (uint16_t)(addr >> 16);
	g->off_hi = (uint32_t)(addr >> 32);
	g->zero = 0;
}

#endif
