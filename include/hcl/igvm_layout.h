/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hcl paravisor image: where `igvmtool build` puts each piece in VTL2
 * memory, and the measured parameter block the shim (openhcl_boot) reads.
 * This header is the contract between igvmtool (tools/igvm/), the host
 * loader (tools/loader/) and the shim; it uses only fixed-width types so
 * freestanding, kernel and userspace code can include it.  The device
 * tree the host loader writes into parameter area 2 and the one the shim
 * builds for Linux are described in openhcl_dt.h.
 *
 * The image has one platform, VSM_ISOLATION (mask 0x1, highest VTL 2),
 * and is built for a fixed VTL2 range (no relocation headers):
 *
 *   VTL2 base        HCL_IGVM_VTL2_BASE (128 MiB), size --vtl2-size
 *                    (default 128 MiB, a multiple of 2 MiB, below 4 GiB);
 *                    one REQUIRED_MEMORY, vtl2_protectable, covers it.
 *
 *   offset           what                                   how it arrives
 *   0x000000  4 KiB  struct hcl_igvm_params                 PAGE_DATA, measured
 *   0x001000  4 KiB  static command line, NUL-terminated    PAGE_DATA, measured
 *   0x002000  4 KiB  GDT: null, 0x08 code64, 0x10 data      PAGE_DATA, measured
 *   0x003000  4 KiB  PML4                                   PAGE_DATA, measured
 *   0x004000  4 KiB  PDPT                                   PAGE_DATA, measured
 *   0x005000  n*4KiB PDs, 2 MiB pages identity-mapping      PAGE_DATA, measured
 *                    [0, VTL2 end rounded up to 1 GiB)
 *   0x00d000 16 KiB  boot stack (RSP = base + 0x11000)      PAGE_DATA, zero pages
 *   0x020000  4 KiB  parameter area 0: memory map at +0,    PARAMETER_INSERT
 *                    VP count (u32) at +0xff8
 *   0x021000  4 KiB  parameter area 1: host command line    PARAMETER_INSERT
 *   0x030000 64 KiB  parameter area 2: host device tree     PARAMETER_INSERT
 *                    (inserted areas arrive unmeasured)
 *   0x040000 <768 KiB sidecar (flat binary, .bss          PAGE_DATA, measured
 *                    included; optional, hcl/sidecar.h)
 *   0x100000         shim (flat binary, .bss included)      PAGE_DATA, measured
 *   2 MiB aligned    kernel (bzImage as is)                 PAGE_DATA, measured
 *                    in a kernel area of kernel_reserve bytes (below)
 *   page aligned     initrd, after the kernel area          PAGE_DATA, measured
 *   page aligned     VTL0 image, staged here: VTL2          PAGE_DATA, measured
 *                    userspace copies it into VTL0 RAM (the
 *                    test guest, or a VTL0 Linux bundle,
 *                    hcl/vtl0_bundle.h)
 *   page aligned     free VTL2 memory up to the end of the range
 *
 * The kernel area.  The shim moves the bzImage's protected-mode part
 * down to the kernel GPA and starts it there; Linux's decompressor then
 * uses init_size bytes (the setup header field at 0x260, about 34 MiB
 * for the VTL2 kernel, while the file is about 10 MiB) from that address
 * as its buffer.  So nothing may follow the kernel inside that span:
 * igvmtool reserves kernel_reserve = max(file size, setup size +
 * init_size) bytes, rounded up to a page, and places the initrd after
 * them.  When the kernel file is not a bzImage (no "HdrS" at 0x202, as in
 * the host tests) kernel_reserve is its size rounded up to a page.  The
 * shim checks the real init_size against kernel_reserve.
 *
 * Each file's last page is zero-padded; all-zero pages are emitted as
 * PAGE_DATA with file_offset 0.  The BSP starts in 64-bit long mode at
 * the shim entry (shim GPA + --shim-entry) with RSI = the parameter
 * block's GPA, CS 0x08, data segments 0x10, CR0 0x80000021 (PG|NE|PE),
 * CR4 0x20 (PAE), EFER 0xd00 (NXE|LMA|LME), PAT 0x0007040600070406,
 * RFLAGS 0x2, TR {sel 0, limit 0xffff, attr 0x8b}, every register at VTL 2.
 */
#ifndef HCL_IGVM_LAYOUT_H
#define HCL_IGVM_LAYOUT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#define HCL_IGVM_PLATFORM_MASK		0x1u
#define HCL_IGVM_VTL2_BASE		0x08000000ull
#define HCL_IGVM_VTL2_SIZE_DEFAULT	0x08000000ull
#define HCL_IGVM_VTL2_ALIGN		0x200000ull
#define HCL_IGVM_VTL2_SIZE_MAX		0xffe00000ull	/* u32 REQUIRED_MEMORY */

#define HCL_IGVM_OFF_PARAMS		0x000000ull
#define HCL_IGVM_OFF_CMDLINE		0x001000ull
#define HCL_IGVM_CMDLINE_MAX		4095u	/* bytes without the NUL */
#define HCL_IGVM_OFF_GDT		0x002000ull
#define HCL_IGVM_OFF_PML4		0x003000ull
#define HCL_IGVM_OFF_PDPT		0x004000ull
#define HCL_IGVM_OFF_PD			0x005000ull
#define HCL_IGVM_MAX_PD			8u	/* 8 GiB identity map at most */
#define HCL_IGVM_OFF_STACK		0x00d000ull
#define HCL_IGVM_STACK_SIZE		0x004000ull
#define HCL_IGVM_OFF_AREA_MEMMAP	0x020000ull
#define HCL_IGVM_AREA_MEMMAP_SIZE	0x001000ull
#define HCL_IGVM_VP_COUNT_OFFSET	0xff8u	/* within area 0 */
#define HCL_IGVM_OFF_AREA_CMDLINE	0x021000ull
#define HCL_IGVM_AREA_CMDLINE_SIZE	0x001000ull
#define HCL_IGVM_OFF_AREA_DT		0x030000ull
#define HCL_IGVM_AREA_DT_SIZE		0x010000ull
#define HCL_IGVM_OFF_SIDECAR		0x040000ull
#define HCL_IGVM_SIDECAR_MAX		0x0c0000ull	/* up to the shim */
#define HCL_IGVM_OFF_SHIM		0x100000ull
#define HCL_IGVM_KERNEL_ALIGN		0x200000ull

/* the bzImage setup header fields igvmtool reads (boot protocol 2.10+) */
#define HCL_BZ_SETUP_SECTS		0x1f1u	/* u8, 0 means 4 */
#define HCL_BZ_HEADER			0x202u	/* u32 "HdrS" */
#define HCL_BZ_HEADER_MAGIC		0x53726448u
#define HCL_BZ_VERSION			0x206u	/* u16 */
#define HCL_BZ_INIT_SIZE		0x260u	/* u32 */

/* parameter area indexes */
#define HCL_IGVM_AREA_MEMMAP		0u
#define HCL_IGVM_AREA_CMDLINE		1u
#define HCL_IGVM_AREA_DT		2u

/* GDT selectors */
#define HCL_IGVM_SEL_CODE		0x08u
#define HCL_IGVM_SEL_DATA		0x10u

#define HCL_IGVM_PARAMS_MAGIC		0x504c4348u	/* "HCLP" */
#define HCL_IGVM_PARAMS_VERSION		1u

/* a GPA range; size is the exact byte count (not rounded to pages) */
struct hcl_igvm_range {
	uint64_t gpa;
	uint64_t size;
};

/*
 * The measured parameter block at VTL2 base + HCL_IGVM_OFF_PARAMS, which
 * RSI points to at entry.  Little endian, no implicit padding.
 */
struct hcl_igvm_params {
	uint32_t magic;			/* HCL_IGVM_PARAMS_MAGIC */
	uint32_t version;		/* HCL_IGVM_PARAMS_VERSION */
	uint32_t size;			/* sizeof(struct hcl_igvm_params) */
	uint32_t flags;			/* 0 */
	struct hcl_igvm_range vtl2;	/* the whole VTL2 range */
	uint64_t shim_entry;		/* GPA of the first instruction */
	uint64_t stack_top;		/* initial RSP */
	struct hcl_igvm_range shim;
	struct hcl_igvm_range kernel;
	struct hcl_igvm_range initrd;
	struct hcl_igvm_range vtl0_image;
	struct hcl_igvm_range command_line;	/* static; size excludes NUL */
	struct hcl_igvm_range gdt;
	struct hcl_igvm_range page_tables;	/* PML4, PDPT, PDs */
	struct hcl_igvm_range stack;
	/* parameter areas the host fills (size = area size) */
	struct hcl_igvm_range memory_map;	/* IGVM memory map entries */
	uint64_t vp_count_gpa;			/* u32 */
	struct hcl_igvm_range host_command_line;
	struct hcl_igvm_range device_tree;
	/* VTL2 memory the image does not use, for the kernel to allocate */
	struct hcl_igvm_range free;
	/* bytes from kernel.gpa kept free for the kernel (layout above) */
	uint64_t kernel_reserve;
	/* the sidecar image at HCL_IGVM_OFF_SIDECAR; size 0: none */
	struct hcl_igvm_range sidecar;
	uint64_t reserved[1];		/* 0 */
};

_Static_assert(sizeof(struct hcl_igvm_params) == 280,
	       "hcl_igvm_params layout");

/*
 * The part of the parameter block that follows from the VTL2 range alone:
 * the header, the range, and the pieces at fixed offsets with the sizes
 * that do not depend on the image (the stack, the parameter areas, the
 * GDT's three descriptors).  The rest (the static command line's and the
 * page tables' sizes, the files, the free memory) is zero for the builder
 * to fill.
 */
static inline void hcl_igvm_params_fixed(struct hcl_igvm_params *p,
					 uint64_t base, uint64_t size)
{
	*p = (struct hcl_igvm_params){
		.magic = HCL_IGVM_PARAMS_MAGIC,
		.version = HCL_IGVM_PARAMS_VERSION,
		.size = sizeof(*p),
		.vtl2 = { base, size },
		.stack_top = base + HCL_IGVM_OFF_STACK + HCL_IGVM_STACK_SIZE,
		.shim = { base + HCL_IGVM_OFF_SHIM, 0 },
		.command_line = { base + HCL_IGVM_OFF_CMDLINE, 0 },
		.gdt = { base + HCL_IGVM_OFF_GDT, 3 * 8 },
		.page_tables = { base + HCL_IGVM_OFF_PML4, 0 },
		.stack = { base + HCL_IGVM_OFF_STACK, HCL_IGVM_STACK_SIZE },
		.memory_map = { base + HCL_IGVM_OFF_AREA_MEMMAP,
				HCL_IGVM_AREA_MEMMAP_SIZE },
		.vp_count_gpa = base + HCL_IGVM_OFF_AREA_MEMMAP +
				HCL_IGVM_VP_COUNT_OFFSET,
		.host_command_line = { base + HCL_IGVM_OFF_AREA_CMDLINE,
				       HCL_IGVM_AREA_CMDLINE_SIZE },
		.device_tree = { base + HCL_IGVM_OFF_AREA_DT,
				 HCL_IGVM_AREA_DT_SIZE },
	};
}

#endif /* HCL_IGVM_LAYOUT_H */
