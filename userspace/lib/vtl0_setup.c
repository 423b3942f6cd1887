// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "vtl0_setup.h"
#include "vtl0_test_abi.h"

static const uint64_t gdt[] = {
	0,
	0x00af9b000000ffffULL,	/* 0x08: 64-bit code */
	0x00cf93000000ffffULL,	/* 0x10: data */
};

void vtl0_seg(struct hcl_segment *s, uint16_t sel, uint16_t attrib,
	      uint32_t limit)
{
	s->base = 0;
	s->limit = limit;
	s->selector = sel;
	s->attrib = attrib;
}

/*
 * The segment state every VTL0 start state has: CS, DS with ES, FS, GS
 * and SS the same as DS (all limit @limit), an empty 64-bit TSS of
 * @tr_limit and an empty LDT; everything else zero.
 */
void vtl0_segments(struct hcl_sregs *sregs, const struct vtl0_segs *g)
{
	memset(sregs, 0, sizeof(*sregs));
	vtl0_seg(&sregs->cs, g->cs, g->cs_attrib, g->limit);
	sregs->cs.base = g->cs_base;
	vtl0_seg(&sregs->ds, g->ds, g->ds_attrib, g->limit);
	sregs->es = sregs->ds;
	sregs->fs = sregs->ds;
	sregs->gs = sregs->ds;
	sregs->ss = sregs->ds;
	vtl0_seg(&sregs->tr, 0, ATTR_TSS64, g->tr_limit);
	vtl0_seg(&sregs->ldt, 0, ATTR_LDT, 0xffff);
}

int vtl0_setup_long_mode(void *mem, uint64_t mem_size, uint64_t entry,
			 uint64_t stack, struct hcl_regs *regs,
			 struct hcl_sregs *sregs)
{
	uint64_t *pml4 = (uint64_t *)((char *)mem + HCL_GUEST_PML4_GPA);
	uint64_t *pdpt = pml4 + 512;
	uint64_t *pd = pdpt + 512;
	uint64_t a, mapped;

	if (mem_size < VTL0_MIN_MEM || mem_size % 4096) {
		errno = EINVAL;
		return -1;
	}
	mapped = mem_size < VTL0_MAP_MAX ? mem_size : VTL0_MAP_MAX;
	if (entry >= mapped || stack > mapped || stack < 0x10000) {
		errno = ERANGE;
		return -1;
	}
	memset(pml4, 0, 4096 * HCL_GUEST_PT_PAGES);
	pml4[0] = (HCL_GUEST_PML4_GPA + 4096) | PTE_P | PTE_RW | PTE_A;
	pdpt[0] = (HCL_GUEST_PML4_GPA + 8192) | PTE_P | PTE_RW | PTE_A;
	for (a = 0; a + SZ_2M <= mapped; a += SZ_2M)
		pd[a / SZ_2M] = a | PTE_P | PTE_RW | PTE_PS | PTE_A | PTE_D;
	memcpy((char *)mem + HCL_GUEST_GDT_GPA, gdt, sizeof(gdt));

	memset(regs, 0, sizeof(*regs));
	regs->rip = entry;
	regs->gprs[HCL_REG_RSP] = stack;
	regs->rflags = 0x2;

	vtl0_segments(sregs, &(struct vtl0_segs){
		.cs = 0x08, .cs_attrib = ATTR_CODE64,
		.ds = 0x10, .ds_attrib = ATTR_DATA,
		.limit = 0xffffffff, .tr_limit = 0x67 });
	sregs->gdt.base = HCL_GUEST_GDT_GPA;
	sregs->gdt.limit = sizeof(gdt) - 1;
	sregs->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	sregs->cr3 = HCL_GUEST_PML4_GPA;
	sregs->cr4 = CR4_PAE;
	sregs->efer = EFER_LME | EFER_LMA;
	return 0;
}

int vtl0_load_image(void *mem, uint64_t mem_size, uint64_t gpa,
		    const void *image, size_t len)
{
	uint64_t low = HCL_GUEST_PML4_GPA + 4096 * HCL_GUEST_PT_PAGES;

	if (gpa < low || gpa > mem_size || len > mem_size - gpa) {
		errno = ERANGE;
		return -1;
	}
	memcpy((char *)mem + gpa, image, len);
	return 0;
}
