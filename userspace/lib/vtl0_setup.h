/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Preparing VTL0 for a freestanding 64-bit image: identity page tables,
 * a flat GDT and the initial register state.
 * Pure functions over a buffer that stands for VTL0 RAM, so they run the
 * same against the mmap of /dev/hcl and in host unit tests.
 */
#ifndef HCL_VTL0_SETUP_H
#define HCL_VTL0_SETUP_H

#include <stddef.h>
#include <stdint.h>
#include <linux/hcl.h>

/*
 * x86 bits both VTL0 loaders use: page-table entries, control registers,
 * EFER, and the VMCB's segment attributes (type | S<<4 | DPL<<5 | P<<7 |
 * L<<9 | DB<<10 | G<<11).
 */
#define PTE_P		0x1ULL
#define PTE_RW		0x2ULL
#define PTE_A		0x20ULL
#define PTE_D		0x40ULL
#define PTE_PS		0x80ULL
#define SZ_2M		(2ULL << 20)

#define CR0_PE		0x1ULL
#define CR0_ET		0x10ULL
#define CR0_NE		0x20ULL
#define CR0_PG		0x80000000ULL
#define CR4_PAE		0x20ULL
#define EFER_LME	0x100ULL
#define EFER_LMA	0x400ULL

#define ATTR_CODE64	0xa9b
#define ATTR_DATA	0xc93
#define ATTR_TSS64	0x08b
#define ATTR_LDT	0x082
#define ATTR_CODE16	0x09b
#define ATTR_DATA16	0x093

#define VTL0_MIN_MEM	(4ULL << 20)
#define VTL0_MAP_MAX	(1ULL << 30)	/* one page directory */

/*
 * Builds page tables identity-mapping [0, min(mem_size, VTL0_MAP_MAX))
 * with 2 MiB pages and a GDT, then fills @regs and @sregs for a long-mode
 * start at @entry with RSP = @stack (both inside the mapped part; RAM
 * above it is there for the guest to map itself).  Returns 0, or -1 with
 * errno set (EINVAL, ERANGE).
 */
int vtl0_setup_long_mode(void *mem, uint64_t mem_size, uint64_t entry,
			 uint64_t stack, struct hcl_regs *regs,
			 struct hcl_sregs *sregs);

/* A flat segment: base 0, the given selector, VMCB attributes and limit. */
void vtl0_seg(struct hcl_segment *s, uint16_t sel, uint16_t attrib,
	      uint32_t limit);

/* what vtl0_segments() sets up */
struct vtl0_segs {
	uint16_t cs, cs_attrib, ds, ds_attrib;
	uint64_t cs_base;
	uint32_t limit, tr_limit;
};

void vtl0_segments(struct hcl_sregs *sregs, const struct vtl0_segs *g);

/*
 * Copies an image to @gpa.  It must fit in RAM and stay clear of the page
 * tables and GDT.  Returns 0 or -1 with errno = ERANGE.
 */
int vtl0_load_image(void *mem, uint64_t mem_size, uint64_t gpa,
		    const void *image, size_t len);

#endif
