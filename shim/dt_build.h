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
 *                          status = "okay" -- the BOOT CPU ONLY
 *   /memory@<vtl2 base>  device_type = "memory", reg = the VTL2 range
 *   /reserved-memory  #address-cells = 2, #size-cells = 2, ranges;
 *      reserved@<base>  reg, no-map   (each VTL2_RESERVED or SIDECAR
 *                                      extra: what Linux must not touch)
 *   /interrupt-controller@<lapic>  compatible = "intel,ce4100-lapic",
 *      reg = <0 lapic 0 0x1000>, interrupt-controller,
 *      #interrupt-cells = 2, #address-cells = 0
 *   /isa@0 (if the host gave a serial port)  compatible = "isa",
 *      device_type = "isa", #address-cells = 2, #size-cells = 1,
 *      ranges = <1 0 0 0 0x10000> (I/O space 1:1)
 *      serial@i<port>  compatible = "ns16550a", reg = <1 port size>,
 *                      clock-frequency = <1843200>
 *   /openhcl  compatible = "hcl,openhcl"
 *      memory-map = N x <type base-hi base-lo size-hi size-lo> (u32
 *                   cells, sorted by base, adjacent same-type merged):
 *                   every RAM byte classified, plus MMIO extras;
 *                   type = enum hcl_mem_type below
 *      vtl2-range, vtl0-range = <base-hi base-lo size-hi size-lo>
 *      vp-count = <u32>  (all CPUs, Linux's and the sidecar's)
 *      sidecar  apic-ids = <u32...> the CPUs NOT given to Linux, in VP
 *               index order (empty property if none), cpu-count = <u32>
 *      timestamps  loader-tsc, shim-tsc = u64 (8 bytes each)
 */
#ifndef HCL_SHIM_DT_BUILD_H
#define HCL_SHIM_DT_BUILD_H

#include <stdint.h>

#include "host_config.h"
#include "shim_err.h"

enum hcl_mem_type {
	HCL_MEM_VTL0_RAM = 0,		/* the guest's RAM (vtl0-range) */
	HCL_MEM_VTL2_RAM = 1,		/* Linux's RAM */
	HCL_MEM_VTL2_RESERVED = 2,	/* in VTL2, Linux must not touch */
	HCL_MEM_SIDECAR = 3,		/* in VTL2, the sidecar's */
	HCL_MEM_MMIO = 4,		/* device space outside RAM */
	HCL_MEM_UNASSIGNED = 5,		/* RAM neither VTL was given */
};

struct hcl_mem_entry {
	uint32_t type;			/* enum hcl_mem_type */
	uint64_t base;
	uint64_t size;
};

#define HCL_DT_MAX_EXTRA	16u
#define HCL_DT_MAX_MAP		128u
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
};

/*
 * Computes the typed memory map into @map (HCL_DT_MAX_MAP entries).
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

#endif /* HCL_SHIM_DT_BUILD_H */
