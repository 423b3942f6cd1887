/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading a Linux bzImage into VTL0 RAM for the 64-bit boot protocol.
 * The setup header is read and boot_params filled by the shim's code
 * (shim/linux_boot.c, which boots VTL2's own Linux the same way): one
 * implementation of the protocol for both.  What is VTL0's own is here:
 * where things go in VTL0 RAM, its e820 table, and the long-mode state
 * the kernel is entered in.
 *
 * VTL0 RAM is GPA 0 .. mem_size - 1:
 *
 *   0x0000-0x5fff     RAM (Linux's real-mode trampoline for the APs
 *                     comes from RAM below 1 MiB)
 *   0x6000            boot GDT: 0x10 64-bit code, 0x18 data
 *   0x7000            boot_params (the zero page)
 *   0x9000-0xefff     page tables: 4 GiB identity-mapped with 2 MiB pages
 *   0x20000           the command line
 *   0x9fc00-0x9ffff   reserved (where a PC's EBDA is)
 *   0xf0000-0xfffff   reserved: the MP table (mptable.h), BIOS area;
 *                     at 0xffff0 (f000:fff0) the loop an AP halts in
 *                     until its SIPI
 *   1 MiB - top       RAM; the kernel at its preferred address (aligned
 *                     to kernel_alignment) with init_size bytes there,
 *                     the initrd page-aligned at the top of RAM (below
 *                     initrd_addr_max)
 *
 * The entry: RIP = kernel + 0x200, RSI = boot_params, interrupts off,
 * CS 0x10, DS/ES/SS/FS/GS 0x18, paging on with the identity map.
 */
#ifndef HCL_VM_LINUX_LOAD_H
#define HCL_VM_LINUX_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <linux/hcl.h>

#include "linux_boot.h"		/* shim/: the boot protocol */

#define LINUX_GDT_GPA		0x6000ull
#define LINUX_BP_GPA		0x7000ull
#define LINUX_PT_GPA		0x9000ull
#define LINUX_PT_PAGES		6
#define LINUX_CMDLINE_GPA	0x20000ull
#define LINUX_CMDLINE_MAX	0xffffull
#define LINUX_EBDA_GPA		0x9fc00ull
#define LINUX_BIOS_GPA		0xf0000ull
#define LINUX_AP_WAIT_GPA	0xffff0ull	/* f000:fff0 */
#define LINUX_HIGH_GPA		0x100000ull
#define LINUX_MIN_MEM		(8ull << 20)
#define LINUX_CS		0x10
#define LINUX_DS		0x18
#define LINUX_MAX_E820		4

struct linux_payload {
	const void *kernel;
	size_t kernel_len;
	const void *initrd;		/* NULL: none */
	size_t initrd_len;
	const char *cmdline;		/* NUL-terminated */
};

struct linux_layout {
	struct hcl_bzimage bz;
	uint64_t kernel_gpa;
	uint64_t initrd_gpa;		/* 0: no initrd */
	uint32_t ne820;
	struct hcl_e820_entry e820[LINUX_MAX_E820];
};

/* The e820 table for @mem_size bytes of VTL0 RAM: the entry count. */
uint32_t linux_e820(uint64_t mem_size, struct hcl_e820_entry *e820);

/*
 * Loads @p into @mem (@mem_size bytes of VTL0 RAM) and fills @regs and
 * @sregs for the BSP's entry.  0, or -1 with one line in @err ("kernel:
 * not a bzImage ...", "... does not fit ...").
 */
int linux_load(void *mem, uint64_t mem_size, const struct linux_payload *p,
	       struct linux_layout *out, struct hcl_regs *regs,
	       struct hcl_sregs *sregs, char *err, size_t errlen);

/*
 * An AP's state before its SIPI: real mode at f000:fff0 (CS base
 * 0xf0000), the halt loop linux_load() put there.
 */
void linux_ap_state(struct hcl_regs *regs, struct hcl_sregs *sregs);

#endif
