// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU's descriptor tables, in its private pages (hcl/sidecar.h):
 *
 *   GDT  0x00 null, 0x08 flat 64-bit code, 0x10 flat data, 0x18 the TSS
 *        (16 bytes); the TSS follows the GDT in the same page
 *   TSS  IST1 = the exception stack, so a fault is reported even when
 *        the stack it happened on is gone; no I/O bitmap.  The stack's
 *        page ends with the CPU's control-page entry (one word, then
 *        IST1 16 bytes below the page end), which entry.S reads
 *   IDT  vectors 0..31 the exception entries (IST1), 32..255 the
 *        wake-up handler (EOI and return)
 *
 * Each CPU has its own copy: no CPU ever writes another's, and the TSS's
 * busy bit is per CPU.
 */
#include "sidecar.h"
#include "x86_desc.h"

#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18
#define GDT_TSS_OFF	64		/* the TSS, after the GDT */

extern const uint64_t sidecar_exc_table[32];
extern char sidecar_irq[];

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == 104, "TSS");

void sc_desc_init(void *gdt_page, void *idt_page, void *ist_page,
		  struct hcl_sidecar_cpu *cpu)
{
	uint64_t ist_end = (uint64_t)(uintptr_t)ist_page + HCL_SIDECAR_PAGE_SIZE;
	uint64_t *gdt = gdt_page;
	struct tss64 *tss = (struct tss64 *)((char *)gdt_page + GDT_TSS_OFF);
	struct rt_idt_gate *idt = idt_page;
	uint64_t t = (uint64_t)(uintptr_t)tss;
	struct rt_desc_ptr gp, ip;

	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffull;	/* 64-bit code, flat */
	gdt[2] = 0x00cf93000000ffffull;	/* data, flat */
	/* an available 64-bit TSS: limit 103, type 9, present */
	gdt[3] = (sizeof(*tss) - 1) | (t & 0xffffff) << 16 |
		 0x89ull << 40 | (t >> 24 & 0xff) << 56;
	gdt[4] = t >> 32;
	for (unsigned int i = 0; i < sizeof(*tss); i++)
		((uint8_t *)tss)[i] = 0;
	((struct hcl_sidecar_cpu **)(uintptr_t)ist_end)[-1] = cpu;
	tss->ist[0] = ist_end - 16;
	tss->iomap_base = sizeof(*tss);

	for (int v = 0; v < 256; v++)
		rt_idt_gate_set(&idt[v], v < 32 ? sidecar_exc_table[v] :
				(uint64_t)(uintptr_t)sidecar_irq, SEL_CODE,
				v < 32 ? 1 : 0);

	gp.limit = 5 * 8 - 1;
	gp.base = (uint64_t)(uintptr_t)gdt;
	ip.limit = 256 * sizeof(*idt) - 1;
	ip.base = (uint64_t)(uintptr_t)idt;
	/* GS is left alone: its base is the CPU's control-page entry */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\tmovl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "movl %3, %%eax\n\t"
			 "ltr %%ax\n\t"
			 "lidt %4"
			 : : "m"(gp), "i"(SEL_CODE), "i"(SEL_DATA),
			   "i"(SEL_TSS), "m"(ip)
			 : "rax", "memory");
}
