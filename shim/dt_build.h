/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device tree the shim builds for the VTL2 Linux kernel (x86 takes it
 * from setup_data SETUP_DTB; with ACPI off it also takes its CPUs, LAPIC
 * and, with CONFIG_SERIAL_OF_PLATFORM, the serial port from it).
 *
 *   /  #address-cells = 2, #size-cells = 2, compatible = "hcl,vtl2"
 *      header boot_cpuid_phys = the boot CPU's APIC id
 *   /chosen  bootargs = the final command line (cmdline.h)
 *   /cpus  #address-cells = 1, #size-cells = 0
 *      cpu@<apic id, hex>  device_type = "cpu", reg = <apic id>,
 *                          status = "okay" -- every CPU, the sidecar's
 *                          too (maxcpus= keeps those offline)
 *   /memory@<base>  device_type = "memory", reg = <base size>: one node
 *      for the VTL2 range and one per extra VTL2_RAM range (below)
 *   /reserved-memory  #address-cells = 2, #size-cells = 2, ranges;
 *      reserved@<base>  reg, no-map   (each VTL2_RESERVED or SIDECAR
 *                                      extra: what Linux must not touch)
 *   /interrupt-controller@<lapic>  compatible = "intel,ce4100-lapic",
 *      reg = <0 lapic 0 0x1000>, interrupt-controller,
 *      #interrupt-cells = 2, #address-cells = 0
 *   /isa@legacy (if the host gave a serial port; the unit name is not an
 *      address: the bus has no reg, and /memory@0 may exist)
 *      compatible = "isa",
 *      device_type = "isa", #address-cells = 2, #size-cells = 1,
 *      ranges = <1 0 0 0 0x10000> (I/O space 1:1)
 *      serial@i<port>  compatible = "ns16550a", reg = <1 port size>,
 *                      clock-frequency = <1843200>
 *   /openhcl  the paravisor's node: memory map, VTL2 and VTL0 ranges,
 *      VTL0 image, VP count, sidecar CPUs, timestamps; its schema (names,
 *      types, encodings, limits) is include/hcl/openhcl_dt.h.  The map
 *      classifies every RAM byte, plus the MMIO extras.
 *
 * Extra ranges: VTL2_RESERVED and SIDECAR inside the VTL2 range (each
 * also a /reserved-memory node), MMIO outside RAM, and VTL2_RAM: RAM
 * outside the VTL2 range that Linux gets as well (the shim lends it the
 * RAM below 1 MiB, which x86 Linux needs for its real-mode trampoline);
 * it must be RAM, outside the VTL2 and VTL0 ranges.  Extras are
 * pairwise disjoint.
 */
#ifndef HCL_SHIM_DT_BUILD_H
#define HCL_SHIM_DT_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "hcl/openhcl_dt.h"
#include "host_config.h"
#include "shim_err.h"

struct hcl_mem_entry {
	uint32_t type;			/* enum openhcl_mem_type */
	uint64_t base;
	uint64_t size;
};

#define HCL_DT_MAX_EXTRA	16u
#define HCL_LAPIC_BASE		0xfee00000ull
#define HCL_UART_CLOCK		1843200u

struct hcl_dt_input {
	const struct hcl_host_config *host;	/* validated */
	const char *bootargs;			/* the final command line */
	/* VTL2_RESERVED/SIDECAR (inside VTL2) or MMIO (outside RAM) */
	const struct hcl_mem_entry *extra;
	uint32_t nextra;
	uint64_t shim_tsc;
	uint64_t lapic_base;			/* 0: HCL_LAPIC_BASE */
	struct hcl_host_range vtl0_image;		/* size 0: none */
	bool no_sidecar;	/* every CPU to Linux, none to the sidecar */
	/* the sidecar's control/command pages (hcl/sidecar.h); 0: none */
	struct hcl_host_range sidecar_region;
};

/*
 * Computes the typed memory map into @map (OPENHCL_DT_MAP_MAX entries).
 * Returns the entry count or a negative shim_err.
 */
int hcl_dt_memory_map(const struct hcl_dt_input *in,
		      struct hcl_mem_entry *map, char *err, size_t errlen);

/*
 * Builds and packs the tree into @buf (@bufsize bytes).  Returns the
 * packed size or a negative shim_err (SHIM_ENOSPC if it does not fit).
 */
int hcl_dt_build(const struct hcl_dt_input *in, void *buf, size_t bufsize,
		 char *err, size_t errlen);

/*
 * Sets the u64 /openhcl/timestamps/@name (handoff-tsc, sidecar-start-tsc,
 * sidecar-ready-tsc) in the built tree @fdt without moving anything.
 * Returns 0 or a negative libfdt error.
 */
int hcl_dt_set_tsc(void *fdt, const char *name, uint64_t tsc);

#endif /* HCL_SHIM_DT_BUILD_H */
