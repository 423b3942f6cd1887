/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 boot protocol, 64-bit entry (the kernel tree's
 * Documentation/arch/x86/boot.rst and zero-page.rst): what the shim reads
 * from the bzImage's setup header and what it writes into boot_params
 * (the "zero page") for Linux.
 *
 * Accepted kernels: "HdrS" at 0x202, boot flag 0xaa55, protocol 2.12 or
 * newer, XLF_KERNEL_64 (a 64-bit entry at load address + 0x200), loaded
 * high, relocatable, kernel_alignment a power of two from 4 KiB to 1 GiB,
 * init_size non-zero, the setup ((setup_sects or 4) + 1) * 512 bytes and
 * shorter than the file, the setup header's end (0x202 + the byte at
 * 0x201) inside the setup and below the e820 table.
 *
 * The load: the protected-mode part (the file after the setup) runs
 * from the kernel GPA, which must be a multiple of kernel_alignment, and
 * its decompressor uses init_size bytes from there: the image's kernel
 * area (kernel_reserve) must hold them.
 *
 * boot_params: zeroed; the setup header copied from the file; then
 * type_of_loader 0xff, cmd_line_ptr + ext_cmd_line_ptr, ramdisk_image/
 * ramdisk_size + ext_*, setup_data (the SETUP_DTB node), the e820 table.
 * The e820 table comes from the /openhcl memory map (dt_build.h):
 * VTL2_RAM entries are E820 RAM, VTL2_RESERVED and SIDECAR entries E820
 * reserved, the rest (VTL0, MMIO, unassigned) is left out.
 */
#ifndef HCL_SHIM_LINUX_BOOT_H
#define HCL_SHIM_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "dt_build.h"
#include "host_config.h"
#include "shim_err.h"

#define HCL_BP_SIZE		4096u
#define HCL_BP_EXT_RAMDISK_IMAGE 0x0c0u
#define HCL_BP_EXT_RAMDISK_SIZE	0x0c4u
#define HCL_BP_EXT_CMD_LINE_PTR	0x0c8u
#define HCL_BP_E820_ENTRIES	0x1e8u
#define HCL_BP_SENTINEL		0x1efu
#define HCL_BP_HDR		0x1f1u	/* setup header start */
#define HCL_BP_SETUP_SECTS	0x1f1u
#define HCL_BP_BOOT_FLAG	0x1feu
#define HCL_BP_JUMP_LEN		0x201u	/* header end = 0x202 + this byte */
#define HCL_BP_HEADER		0x202u
#define HCL_BP_VERSION		0x206u
#define HCL_BP_TYPE_OF_LOADER	0x210u
#define HCL_BP_LOADFLAGS	0x211u
#define HCL_BP_RAMDISK_IMAGE	0x218u
#define HCL_BP_RAMDISK_SIZE	0x21cu
#define HCL_BP_CMD_LINE_PTR	0x228u
#define HCL_BP_INITRD_ADDR_MAX	0x22cu
#define HCL_BP_KERNEL_ALIGNMENT	0x230u
#define HCL_BP_RELOCATABLE	0x234u
#define HCL_BP_XLOADFLAGS	0x236u
#define HCL_BP_CMDLINE_SIZE	0x238u
#define HCL_BP_SETUP_DATA	0x250u
#define HCL_BP_PREF_ADDRESS	0x258u
#define HCL_BP_INIT_SIZE	0x260u
#define HCL_BP_E820_TABLE	0x2d0u
#define HCL_BP_E820_MAX		128u

#define HCL_BZ_MAGIC		0x53726448u	/* "HdrS" */
#define HCL_BZ_MIN_VERSION	0x020cu
#define HCL_LOADED_HIGH		0x01u
#define HCL_XLF_KERNEL_64	0x01u
#define HCL_XLF_ABOVE_4G	0x02u
#define HCL_LOADER_UNDEFINED	0xffu
#define HCL_ENTRY64_OFFSET	0x200u

#define HCL_E820_RAM		1u
#define HCL_E820_RESERVED	2u
#define HCL_SETUP_DTB		2u

/* the end of the low RAM lent to Linux, and the least it needs of it */
#define HCL_LOW_RAM_END		0x9f000ull
#define HCL_LOW_RAM_KEEP	0x10000ull	/* Linux never uses [0, 64K) */
#define HCL_LOW_RAM_MIN		0x10000ull	/* usable above that */

struct hcl_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

_Static_assert(sizeof(struct hcl_e820_entry) == 20, "e820 entry");

/* struct setup_data's header; the payload follows */
struct hcl_setup_data {
	uint64_t next;
	uint32_t type;
	uint32_t len;
};

struct hcl_bzimage {
	uint64_t file_size;
	uint32_t setup_size;		/* bytes before the protected-mode part */
	uint32_t hdr_end;		/* offset after the setup header */
	uint32_t init_size;
	uint32_t kernel_alignment;
	uint32_t cmdline_size;		/* longest command line, no NUL */
	uint32_t initrd_addr_max;
	uint64_t pref_address;		/* decompresses here if loaded below */
	uint16_t version;
	uint16_t xloadflags;
};

/* Reads and checks the setup header of the @size-byte file @image. */
int hcl_bzimage_parse(const void *image, uint64_t size,
		      struct hcl_bzimage *bz, char *err, size_t errlen);

/*
 * Checks that the kernel can run from @gpa with @reserve bytes there
 * (alignment, init_size, the protected-mode part).
 */
int hcl_bzimage_check_load(const struct hcl_bzimage *bz, uint64_t gpa,
			   uint64_t reserve, char *err, size_t errlen);

/*
 * The RAM below HCL_LOW_RAM_END that is in the host's RAM and outside
 * the VTL0 and VTL2 ranges: the largest such piece, which must reach
 * HCL_LOW_RAM_MIN bytes above HCL_LOW_RAM_KEEP.  Returns 0 and sets
 * *@low, or SHIM_EMISSING.
 */
int hcl_low_ram(const struct hcl_host_config *cfg, struct hcl_host_range *low,
		char *err, size_t errlen);

/*
 * The e820 table from the /openhcl memory map (sorted): at most @max
 * entries, adjacent ones of one type merged.  Returns the count or a
 * negative shim_err.
 */
int hcl_e820_from_map(const struct hcl_mem_entry *map, int nmap,
		      struct hcl_e820_entry *e820, uint32_t max, char *err,
		      size_t errlen);

struct hcl_boot_in {
	const void *image;		/* the bzImage file (its setup part) */
	const struct hcl_bzimage *bz;
	uint64_t cmdline_gpa;
	uint64_t cmdline_len;		/* without the NUL */
	uint64_t initrd_gpa;
	uint64_t initrd_size;		/* 0: no initrd */
	uint64_t setup_data_gpa;	/* 0: none */
	const struct hcl_e820_entry *e820;
	uint32_t ne820;
};

/* Fills the HCL_BP_SIZE bytes at @bp.  Returns 0 or a shim_err. */
int hcl_boot_params_fill(void *bp, const struct hcl_boot_in *in, char *err,
			 size_t errlen);

#endif /* HCL_SHIM_LINUX_BOOT_H */
