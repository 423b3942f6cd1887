/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host device tree (IGVM parameter area 2, unmeasured) read into a
 * fixed-size, validated struct hcl_host_config.
 *
 * What the loader provides (all values big endian, as in any FDT):
 *
 *   /  #address-cells, #size-cells    1 or 2 each (defaults 2 and 1 per
 *                                     the DT spec); used for memory reg
 *      header boot_cpuid_phys         APIC id of the boot CPU
 *   /cpus  #address-cells = 1 (or 2 with a zero high cell), #size-cells 0
 *      cpu@N  reg = APIC id; status other than "okay"/"ok" = not used.
 *                                     Order = VP index order.
 *   /memory@...  (name "memory" or "memory@...") reg = (base, size)
 *                pairs in the root's cells: guest RAM
 *   /openhcl  vtl2-range = <base-hi base-lo size-hi size-lo> (16 bytes)
 *             vtl0-range = same encoding; both required
 *             loader-tsc = u64 (optional; the loader's TSC at start)
 *             debug-exit-port = u32 (optional; the isa-debug-exit I/O
 *                               port, 1..0xffff, the shim and VTL2
 *                               report their outcome through it)
 *             entropy = 1..OPENHCL_DT_ENTROPY_MAX bytes (optional; random bytes
 *                       from the host for VTL2's pool)
 *             host-channel = <io-port irq> (optional; the host channel's
 *                       16550, docs/hostchan.md): port 1..0xfff8, irq
 *                       0..15, its 8 ports clear of the console's range
 *                       and of debug-exit-port
 *   a node with compatible "ns16550a" (optional; the first one is used)
 *      under a parent with #address-cells = 2, #size-cells = 1 (an ISA
 *      bus): reg = <flags port size>, flags bit 0 = I/O space (required)
 *   /chosen/bootargs  string (optional)
 *
 * Rules: fdt_check_header passes, the blob and its structure block are
 * 4-byte aligned (libfdt loads tags as aligned words) and the blob fits
 * the buffer; at least
 * one CPU, at most HCL_BOOT_MAX_VPS, APIC ids unique, boot CPU listed; at
 * least one RAM range, at most HCL_HOST_MAX_RANGES, each non-empty, 4 KiB
 * aligned, not wrapping, no two overlapping; VTL2 and VTL0 ranges
 * likewise valid, each inside RAM, and disjoint; the serial port range
 * within 0..0xffff; bootargs NUL-terminated and shorter than
 * HCL_BOOTARGS_MAX.
 */
#ifndef HCL_SHIM_HOST_CONFIG_H
#define HCL_SHIM_HOST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hcl/openhcl_dt.h"
#include "shim_err.h"

/* the host tree's limits; CPUs: HCL_BOOT_MAX_VPS (openhcl_dt.h) */
#define HCL_HOST_MAX_RANGES	32u
#define HCL_BOOTARGS_MAX	2048u	/* with the NUL */
#define HCL_PAGE_SIZE		0x1000ull

/* a range of the host's machine (not the UAPI's struct hcl_range) */
struct hcl_host_range {
	uint64_t base;
	uint64_t size;
};

struct hcl_host_config {
	uint32_t ncpus;
	uint32_t apic_id[HCL_BOOT_MAX_VPS];	/* VP index order */
	uint32_t boot_cpu;		/* index into apic_id[] */
	uint32_t nram;
	struct hcl_host_range ram[HCL_HOST_MAX_RANGES];	/* sorted by base */
	struct hcl_host_range vtl2;
	struct hcl_host_range vtl0;
	uint64_t loader_tsc;		/* 0 if absent */
	bool has_exit_port;
	uint16_t exit_port;
	uint32_t entropy_len;		/* 0 if absent */
	uint8_t entropy[OPENHCL_DT_ENTROPY_MAX];
	bool has_serial;
	uint16_t serial_port;
	uint16_t serial_size;
	bool has_host_channel;
	uint16_t host_channel_port;
	uint8_t host_channel_irq;
	bool has_bootargs;
	char bootargs[HCL_BOOTARGS_MAX];
};

/*
 * Parses the blob at @fdt, of which at most @bufsize bytes may be read.
 * Returns 0 and fills @cfg, or a negative shim_err with one message in
 * @err.  Safe on any input.
 */
int hcl_host_config_parse(const void *fdt, size_t bufsize,
			  struct hcl_host_config *cfg, char *err,
			  size_t errlen);

/*
 * Only /openhcl/debug-exit-port, for reporting a failure of
 * hcl_host_config_parse: the port if the blob has a sound header within
 * @bufsize and the property is valid (as above), else 0.  Safe on any
 * input.
 */
uint16_t hcl_host_exit_port(const void *fdt, size_t bufsize);

/* true if @r lies entirely inside the union of the sorted ranges */
bool hcl_range_covered(const struct hcl_host_range *ranges, uint32_t n,
		       const struct hcl_host_range *r);

/* true if the two ranges share a byte (both non-empty, no wrap) */
bool hcl_range_overlap(const struct hcl_host_range *a, const struct hcl_host_range *b);

#endif /* HCL_SHIM_HOST_CONFIG_H */
