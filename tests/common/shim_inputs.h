/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Valid inputs for the shim's host-tested logic, built the way the real
 * producers build them, for the host test (tests/user/host_shim.c) and
 * the shim's fuzzers (tests/fuzz/fuzz_igvm_params.c, fuzz_linux_boot.c):
 * a parameter block as igvmtool writes it, IGVM memory-map entries as the
 * loader writes them, and a bzImage setup header like the VTL2 kernel's.
 */
#ifndef HCL_TESTS_SHIM_INPUTS_H
#define HCL_TESTS_SHIM_INPUTS_H

#include <stdint.h>
#include <string.h>

#include "host_config.h"
#include "igvm_params.h"
#include "linux_boot.h"

/* the shim's size in these blocks (its .text to .bss) */
#define SHIM_INPUTS_SHIM_SIZE	0x36000ull

/*
 * The block igvmtool writes for a 128 MiB VTL2 range at the usual base:
 * a 10 MiB kernel in its area, a 5 MiB initrd and a VTL0 image of
 * vtl0_size bytes 6 MiB after the initrd's start, the rest free.
 */
static inline void shim_inputs_params(struct hcl_igvm_params *p,
				      uint64_t vtl0_size)
{
	const uint64_t mib = 0x100000, page = HCL_PAGE_SIZE;
	const uint64_t base = HCL_IGVM_VTL2_BASE;

	hcl_igvm_params_fixed(p, base, 128 * mib);
	p->shim.size = SHIM_INPUTS_SHIM_SIZE;
	p->shim_entry = p->shim.gpa;
	p->kernel.gpa = base + 2 * mib;
	p->kernel.size = 10 * mib + 123;
	p->kernel_reserve = 0x225e000;
	p->initrd.gpa = p->kernel.gpa + p->kernel_reserve;
	p->initrd.size = 5 * mib + 7;
	p->vtl0_image.gpa = p->initrd.gpa + 6 * mib;
	p->vtl0_image.size = vtl0_size;
	p->command_line.size = 20;
	p->page_tables.size = 3 * page;
	p->free.gpa = p->vtl0_image.gpa + ((vtl0_size + page - 1) & ~(page - 1));
	p->free.size = base + 128 * mib - p->free.gpa;
}

/* entry i of an IGVM memory-map parameter area */
static inline void shim_inputs_mm_put(uint8_t *area, int i, uint64_t base,
				      uint64_t size, uint16_t type)
{
	struct hcl_igvm_mm_entry e = { base >> 12, size >> 12, type, 0, 0 };

	memcpy(area + i * sizeof(e), &e, sizeof(e));
}

/* n bytes of v, little endian, at b + off; and back */
static inline void put_le(uint8_t *b, uint32_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		b[off + i] = (uint8_t)v;
}

static inline uint64_t get_le(const uint8_t *b, uint32_t off, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | b[off + i];
	return v;
}

/*
 * The setup header fields the shim reads, as the VTL2 kernel has them
 * (boot protocol 2.15, 64-bit, relocatable), with setup_sects sectors of
 * setup code; every other byte of bz is left as it was.
 */
static inline void shim_inputs_bzimage(uint8_t *bz, uint8_t setup_sects)
{
	bz[HCL_BP_SETUP_SECTS] = setup_sects;
	put_le(bz, HCL_BP_BOOT_FLAG, 0xaa55, 2);
	bz[HCL_BP_JUMP_LEN] = 0x6a;		/* header ends at 0x26c */
	put_le(bz, HCL_BP_HEADER, HCL_BZ_MAGIC, 4);
	put_le(bz, HCL_BP_VERSION, 0x20f, 2);
	bz[HCL_BP_LOADFLAGS] = HCL_LOADED_HIGH;
	put_le(bz, HCL_BP_INITRD_ADDR_MAX, 0x7fffffff, 4);
	put_le(bz, HCL_BP_KERNEL_ALIGNMENT, 0x200000, 4);
	bz[HCL_BP_RELOCATABLE] = 1;
	put_le(bz, HCL_BP_XLOADFLAGS, 0x7f, 2);
	put_le(bz, HCL_BP_CMDLINE_SIZE, 2047, 4);
	put_le(bz, HCL_BP_INIT_SIZE, 0x225d000, 4);
}

#endif /* HCL_TESTS_SHIM_INPUTS_H */
