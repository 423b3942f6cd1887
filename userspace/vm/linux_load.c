// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "linux_load.h"
#include "vtl0_setup.h"

#define SZ_4G		(4ull << 30)

static const uint64_t boot_gdt[] = {
	0,
	0,
	0x00af9b000000ffffull,	/* 0x10: 64-bit code */
	0x00cf93000000ffffull,	/* 0x18: data */
};

#define MIB(x)	((unsigned long long)((x) >> 20))

uint32_t linux_e820(uint64_t mem_size, struct hcl_e820_entry *e)
{
	e[0] = (struct hcl_e820_entry){ 0, LINUX_EBDA_GPA, HCL_E820_RAM };
	e[1] = (struct hcl_e820_entry){ LINUX_EBDA_GPA,
					0xa0000 - LINUX_EBDA_GPA,
					HCL_E820_RESERVED };
	e[2] = (struct hcl_e820_entry){ LINUX_BIOS_GPA,
					LINUX_HIGH_GPA - LINUX_BIOS_GPA,
					HCL_E820_RESERVED };
	e[3] = (struct hcl_e820_entry){ LINUX_HIGH_GPA,
					mem_size - LINUX_HIGH_GPA,
					HCL_E820_RAM };
	return 4;
}

static void long_mode(void *mem, uint64_t entry, struct hcl_regs *regs,
		      struct hcl_sregs *sregs)
{
	uint64_t *pml4 = (uint64_t *)((char *)mem + LINUX_PT_GPA);
	uint64_t *pdpt = pml4 + 512, *pd = pdpt + 512;
	uint64_t a;
	unsigned int i;

	memset(pml4, 0, 4096 * LINUX_PT_PAGES);
	pml4[0] = (LINUX_PT_GPA + 4096) | PTE_P | PTE_RW | PTE_A;
	for (i = 0; i < 4; i++)
		pdpt[i] = (LINUX_PT_GPA + 8192 + 4096 * i) | PTE_P | PTE_RW |
			  PTE_A;
	for (a = 0; a < SZ_4G; a += SZ_2M)
		pd[a / SZ_2M] = a | PTE_P | PTE_RW | PTE_PS | PTE_A | PTE_D;
	memcpy((char *)mem + LINUX_GDT_GPA, boot_gdt, sizeof(boot_gdt));

	memset(regs, 0, sizeof(*regs));
	regs->rip = entry;
	regs->gprs[HCL_REG_RSI] = LINUX_BP_GPA;
	regs->rflags = 0x2;		/* interrupts off */

	vtl0_segments(sregs, &(struct vtl0_segs){
		.cs = LINUX_CS, .cs_attrib = ATTR_CODE64,
		.ds = LINUX_DS, .ds_attrib = ATTR_DATA,
		.limit = 0xffffffff, .tr_limit = 0x67 });
	sregs->gdt.base = LINUX_GDT_GPA;
	sregs->gdt.limit = sizeof(boot_gdt) - 1;
	sregs->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	sregs->cr3 = LINUX_PT_GPA;
	sregs->cr4 = CR4_PAE;
	sregs->efer = EFER_LME | EFER_LMA;
}

/*
 * An AP waits at f000:fff0 with CS base 0xf0000 (the real-mode value;
 * VTL0 has no ROM alias at 4 GiB - 16): cli; hlt; jmp back to the hlt,
 * so that an AP that runs before its SIPI only halts.  The SIPI gives
 * it CS = vector << 8 and IP 0, where Linux's trampoline is.
 */
static const uint8_t reset_vector[] = { 0xfa, 0xf4, 0xeb, 0xfd };

void linux_ap_state(struct hcl_regs *regs, struct hcl_sregs *sregs)
{
	memset(regs, 0, sizeof(*regs));
	regs->rip = 0xfff0;
	regs->rflags = 0x2;
	vtl0_segments(sregs, &(struct vtl0_segs){
		.cs = 0xf000, .cs_attrib = ATTR_CODE16, .cs_base = 0xf0000,
		.ds_attrib = ATTR_DATA16, .limit = 0xffff, .tr_limit = 0xffff });
	sregs->gdt.limit = 0xffff;
	sregs->idt.limit = 0xffff;
	sregs->cr0 = 0x60000010;	/* CD NW ET */
}

int linux_load(void *mem, uint64_t mem_size, const struct linux_payload *p,
	       struct linux_layout *out, struct hcl_regs *regs,
	       struct hcl_sregs *sregs, char *err, size_t errlen)
{
	struct hcl_bzimage *bz = &out->bz;
	struct hcl_boot_in in = { 0 };
	uint64_t need, top, pm_len, cmdline_len;

	memset(out, 0, sizeof(*out));
	if (hcl_bzimage_parse(p->kernel, p->kernel_len, bz, err, errlen))
		return -1;
	if (mem_size < LINUX_MIN_MEM || mem_size % 4096) {
		snprintf(err, errlen, "VTL0 RAM of %" PRIu64 " bytes: Linux needs at least %llu MiB",
			 mem_size, MIB(LINUX_MIN_MEM));
		return -1;
	}
	/* the preferred address (LOAD_PHYSICAL_ADDR), aligned */
	out->kernel_gpa = bz->pref_address ? bz->pref_address : 16ull << 20;
	out->kernel_gpa = (out->kernel_gpa + bz->kernel_alignment - 1) &
			  ~(uint64_t)(bz->kernel_alignment - 1);
	pm_len = bz->file_size - bz->setup_size;
	need = bz->init_size > pm_len ? bz->init_size : pm_len;
	if (out->kernel_gpa + need > mem_size) {
		snprintf(err, errlen, "kernel: needs %llu MiB from %llu MiB (init_size), VTL0 RAM has %llu MiB",
			 MIB(need + (1 << 20) - 1), MIB(out->kernel_gpa),
			 MIB(mem_size));
		return -1;
	}
	top = mem_size;
	if (p->initrd) {
		if (!(bz->xloadflags & HCL_XLF_ABOVE_4G) &&
		    top > (uint64_t)bz->initrd_addr_max + 1)
			top = (uint64_t)bz->initrd_addr_max + 1;
		top &= ~0xfffull;
		if (p->initrd_len > top ||
		    ((top - p->initrd_len) & ~0xfffull) <
		    out->kernel_gpa + need) {
			snprintf(err, errlen, "initramfs: %zu bytes do not fit in VTL0 RAM (%llu MiB) above the kernel's %llu MiB at %llu MiB",
				 p->initrd_len, MIB(mem_size),
				 MIB(need + (1 << 20) - 1),
				 MIB(out->kernel_gpa));
			return -1;
		}
		out->initrd_gpa = (top - p->initrd_len) & ~0xfffull;
		top = out->initrd_gpa;
	}
	if (hcl_bzimage_check_load(bz, out->kernel_gpa, top - out->kernel_gpa,
				   err, errlen))
		return -1;
	cmdline_len = strlen(p->cmdline);
	if (cmdline_len > LINUX_CMDLINE_MAX) {
		snprintf(err, errlen, "command line of %" PRIu64 " bytes, at most %llu",
			 cmdline_len, (unsigned long long)LINUX_CMDLINE_MAX);
		return -1;
	}
	out->ne820 = linux_e820(mem_size, out->e820);

	in.image = p->kernel;
	in.bz = bz;
	in.cmdline_gpa = LINUX_CMDLINE_GPA;
	in.cmdline_len = cmdline_len;
	in.initrd_gpa = out->initrd_gpa;
	in.initrd_size = p->initrd ? p->initrd_len : 0;
	in.e820 = out->e820;
	in.ne820 = out->ne820;
	if (hcl_boot_params_fill((char *)mem + LINUX_BP_GPA, &in, err, errlen))
		return -1;

	memcpy((char *)mem + out->kernel_gpa,
	       (const char *)p->kernel + bz->setup_size, pm_len);
	if (p->initrd)
		memcpy((char *)mem + out->initrd_gpa, p->initrd,
		       p->initrd_len);
	memcpy((char *)mem + LINUX_CMDLINE_GPA, p->cmdline, cmdline_len + 1);
	memcpy((char *)mem + LINUX_AP_WAIT_GPA, reset_vector,
	       sizeof(reset_vector));
	long_mode(mem, out->kernel_gpa + HCL_ENTRY64_OFFSET, regs, sregs);
	return 0;
}
