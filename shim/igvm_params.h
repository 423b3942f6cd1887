/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shim's view of what the IGVM image and the host loader give it
 * (layout and parameter block: include/hcl/igvm_layout.h):
 *
 *   the measured parameter block   struct hcl_igvm_params at RSI
 *   parameter area 0               the IGVM memory map (24-byte entries
 *                                  from offset 0, ended by an entry with
 *                                  0 pages or by the VP count at 0xff8)
 *                                  and the VP count (u32 at 0xff8)
 *   parameter area 1               the host command line, NUL-terminated
 *   parameter area 2               the host device tree (host_config.h)
 *
 * Rules for the parameter block: magic, version and size as in the
 * header, flags and reserved words 0, the block at VTL2 base + 0; the
 * VTL2 range 2 MiB aligned, non-empty, ending at or below
 * HCL_SHIM_MAP_END (the shim's identity map); every piece page aligned
 * and inside the VTL2 range; the shim where it was linked, its entry
 * inside it and its memory image (with .bss) clear of the kernel; the
 * kernel non-empty at a 2 MiB-aligned GPA with kernel_reserve >= its
 * size; the stack top at the stack's end; the VP count word inside area
 * 0; and the pieces pairwise disjoint (the kernel counted with its whole
 * kernel_reserve).
 *
 * Rules for the memory map: at least one entry; each with a known type
 * (0..5), flags and reserved 0, non-zero pages, no wrap, GPAs below
 * 2^52; sorted by GPA and non-overlapping.  Its RAM (MEMORY and
 * VTL2_PROTECTABLE entries) must be exactly the host device tree's RAM
 * (as sets of bytes), and the host device tree's vtl2-range must be the
 * image's VTL2 range.  The VP count must equal the host device tree's
 * CPU count.
 */
#ifndef HCL_SHIM_IGVM_PARAMS_H
#define HCL_SHIM_IGVM_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "hcl/igvm_layout.h"
#include "host_config.h"
#include "shim_err.h"

/* the shim's own page tables identity-map [0, 8 GiB) */
#define HCL_SHIM_MAP_END	0x200000000ull

/* IGVM_VHS_MEMORY_MAP_ENTRY, as the loader writes it (little endian) */
struct hcl_igvm_mm_entry {
	uint64_t gpa_page;		/* GPA >> 12 */
	uint64_t pages;			/* 4 KiB pages, 0 ends the list */
	uint16_t type;
	uint16_t flags;
	uint32_t reserved;
};

_Static_assert(sizeof(struct hcl_igvm_mm_entry) == 24, "IGVM memory map");

enum hcl_igvm_mm_type {
	HCL_IGVM_MM_MEMORY = 0,
	HCL_IGVM_MM_PLATFORM_RESERVED = 1,
	HCL_IGVM_MM_PERSISTENT = 2,
	HCL_IGVM_MM_VTL2_PROTECTABLE = 3,
	HCL_IGVM_MM_SPECIFIC_PURPOSE = 4,
	HCL_IGVM_MM_HIDDEN = 5,
};

/* entries that fit before the VP count in area 0 */
#define HCL_IGVM_MM_MAX \
	(HCL_IGVM_VP_COUNT_OFFSET / sizeof(struct hcl_igvm_mm_entry))

struct hcl_igvm_memmap {
	uint32_t nentries;
	uint32_t nram;			/* merged RAM ranges, sorted */
	struct hcl_host_range ram[HCL_IGVM_MM_MAX];
};

/*
 * Checks the parameter block @p (a copy) found at @params_gpa, for a
 * shim linked at [@shim_base, @shim_end) (its memory image with .bss).
 * Returns 0 or a negative shim_err with one message in @err.
 */
int hcl_params_check(const struct hcl_igvm_params *p, uint64_t params_gpa,
		     uint64_t shim_base, uint64_t shim_end, char *err,
		     size_t errlen);

/*
 * Reads the memory map from area 0 (@area, @size bytes; the VP count
 * at HCL_IGVM_VP_COUNT_OFFSET bounds it).  Returns 0 or a shim_err.
 */
int hcl_igvm_memmap_parse(const void *area, size_t size,
			  struct hcl_igvm_memmap *mm, char *err,
			  size_t errlen);

/*
 * Cross-checks the memory map, the VP count and the parameter block's
 * VTL2 range against the parsed host device tree.
 */
int hcl_igvm_cross_check(const struct hcl_igvm_params *p,
			 const struct hcl_igvm_memmap *mm, uint32_t vp_count,
			 const struct hcl_host_config *cfg, char *err,
			 size_t errlen);

/*
 * The host command line in area 1 (@size bytes): sets *@line and
 * returns its length, or SHIM_ECMDLINE if no NUL ends it in the area.
 */
int hcl_igvm_host_cmdline(const char *area, size_t size, const char **line,
			  char *err, size_t errlen);

#endif /* HCL_SHIM_IGVM_PARAMS_H */
