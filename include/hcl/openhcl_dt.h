/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The /openhcl device-tree schema: the boot contract between the host
 * loader (tools/loader/), the shim (shim/), hcl.ko (kmod/config.c) and
 * VTL2 userspace (userspace/lib/hcl_dt.c).  Each name, type and limit is
 * defined here once.  Only macros and enums: the header compiles
 * freestanding, in the kernel and in userspace.  All cells are big-endian
 * u32, as everywhere in a flattened device tree.
 *
 * Two trees carry an /openhcl node.
 *
 * The host tree (IGVM parameter area 2, written by the host loader, read
 * by the shim's shim/host_config.c):
 *
 *   /openhcl  vtl2-range, vtl0-range   a range each (below), required
 *             loader-tsc                u64, the loader's TSC at start
 *             debug-exit-port           u32 I/O port, optional
 *             entropy                   1..OPENHCL_DT_ENTROPY_MAX bytes
 *             host-channel              <io-port irq>, optional: a second
 *                                       16550 the host talks to the
 *                                       paravisor through (docs/hostchan.md);
 *                                       port 1..0xfff8, its 8 ports clear of
 *                                       the console's and the exit port,
 *                                       irq 0..15 (0: polled)
 *
 * The VTL2 tree (built by shim/dt_build.c, handed to Linux, read by
 * hcl.ko from the live tree and by userspace from /sys/firmware/fdt):
 *
 *   /  compatible = OPENHCL_DT_ROOT_COMPATIBLE
 *   /openhcl  compatible = OPENHCL_DT_COMPATIBLE
 *      memory-map   N x <type base-hi base-lo size-hi size-lo>, 1 <= N
 *                   <= OPENHCL_DT_MAP_MAX, sorted by base, no overlaps,
 *                   adjacent entries of one type merged; type is enum
 *                   openhcl_mem_type; exactly one VTL0_RAM entry
 *      vtl2-range   range: the VTL2 memory the image was loaded into
 *      vtl0-range   range: equal to the one VTL0_RAM entry
 *      vtl0-image   range (optional): the staged VTL0 image, exact byte
 *                   size, inside a VTL2_RESERVED entry
 *      vp-count     u32, 1..HCL_BOOT_MAX_VPS: every VP of the VM, Linux's
 *                   CPUs and the sidecar's.  This is the one source of
 *                   the VP count in VTL2: hcl.ko and userspace both read
 *                   it from this tree (hcl.ko's max_vps parameter
 *                   overrides it, and is all a kernel booted without the
 *                   shim has)
 *      debug-exit-port, entropy, host-channel   passed on from the host
 *                   tree (host-channel: VTL2 Linux's ttyS1; openvmm_hcl
 *                   finds the tty by its I/O port)
 *      sidecar      apic-ids = u32 list, the CPUs not given to Linux in
 *                   VP index order (may be empty); cpu-count = u32, their
 *                   number; region = range (when cpu-count > 0): the
 *                   sidecar's control page, then one command page per
 *                   CPU (include/hcl/sidecar.h).  /cpus lists every CPU
 *                   (vp-count of them); Linux's are the other
 *                   vp-count - cpu-count, and "maxcpus=" on the command
 *                   line keeps the sidecar's offline
 *      timestamps   loader-tsc, shim-tsc, handoff-tsc, sidecar-start-tsc,
 *                   sidecar-ready-tsc: u64 each (0 if unknown or no
 *                   sidecar); the last three are patched in place right
 *                   before the shim jumps to Linux (the sidecar's: first
 *                   INIT sent, every CPU idle or given up)
 *
 * A range is <base-hi base-lo size-hi size-lo> (OPENHCL_DT_RANGE_SIZE
 * bytes); a u64 is <hi lo>.
 */
#ifndef HCL_OPENHCL_DT_H
#define HCL_OPENHCL_DT_H

#define OPENHCL_DT_NODE			"openhcl"
#define OPENHCL_DT_PATH			"/openhcl"
#define OPENHCL_DT_COMPATIBLE		"hcl,openhcl"
#define OPENHCL_DT_ROOT_COMPATIBLE	"hcl,vtl2"

/* properties of /openhcl */
#define OPENHCL_DT_MEMORY_MAP		"memory-map"
#define OPENHCL_DT_VTL2_RANGE		"vtl2-range"
#define OPENHCL_DT_VTL0_RANGE		"vtl0-range"
#define OPENHCL_DT_VTL0_IMAGE		"vtl0-image"
#define OPENHCL_DT_VP_COUNT		"vp-count"
#define OPENHCL_DT_DEBUG_EXIT_PORT	"debug-exit-port"
#define OPENHCL_DT_ENTROPY		"entropy"
#define OPENHCL_DT_LOADER_TSC		"loader-tsc"	/* host tree only */
#define OPENHCL_DT_HOST_CHANNEL		"host-channel"
#define OPENHCL_DT_HOST_CHANNEL_SIZE	8	/* <io-port irq> */
#define OPENHCL_DT_HOST_CHANNEL_PORTS	8	/* a 16550's registers */

/* /openhcl/sidecar */
#define OPENHCL_DT_SIDECAR		"sidecar"
#define OPENHCL_DT_SIDECAR_APIC_IDS	"apic-ids"
#define OPENHCL_DT_SIDECAR_CPU_COUNT	"cpu-count"
#define OPENHCL_DT_SIDECAR_REGION	"region"

/* /openhcl/timestamps */
#define OPENHCL_DT_TIMESTAMPS		"timestamps"
#define OPENHCL_DT_TS_LOADER		"loader-tsc"
#define OPENHCL_DT_TS_SHIM		"shim-tsc"
#define OPENHCL_DT_TS_HANDOFF		"handoff-tsc"
#define OPENHCL_DT_TS_SIDECAR_START	"sidecar-start-tsc"
#define OPENHCL_DT_TS_SIDECAR_READY	"sidecar-ready-tsc"

/* encodings */
#define OPENHCL_DT_CELL_SIZE		4	/* bytes per cell */
#define OPENHCL_DT_U64_SIZE		8	/* a u64: two cells */
#define OPENHCL_DT_RANGE_CELLS		4	/* base, size: two cells each */
#define OPENHCL_DT_RANGE_SIZE		16
#define OPENHCL_DT_MAP_CELLS		5	/* type, base, size */
#define OPENHCL_DT_MAP_ENTRY_SIZE	20
#define OPENHCL_DT_MAP_MAX		128	/* memory-map entries */
#define OPENHCL_DT_ENTROPY_MAX		256	/* bytes */

/*
 * The most VPs a VM has: the host tree's CPUs, vp-count, and the VPs
 * hcl.ko runs (its run loop sizes its per-VP tables with it).
 */
#define HCL_BOOT_MAX_VPS		64

/* memory-map entry types */
enum openhcl_mem_type {
	OPENHCL_MEM_VTL0_RAM = 0,	/* the guest's RAM (vtl0-range) */
	OPENHCL_MEM_VTL2_RAM = 1,	/* Linux's RAM */
	OPENHCL_MEM_VTL2_RESERVED = 2,	/* in VTL2, Linux must not touch */
	OPENHCL_MEM_SIDECAR = 3,	/* in VTL2, the sidecar's */
	OPENHCL_MEM_MMIO = 4,		/* device space outside RAM */
	OPENHCL_MEM_UNASSIGNED = 5,	/* RAM neither VTL was given */
	OPENHCL_MEM_NR_TYPES
};

/* the types' names, indexed by enum openhcl_mem_type (for messages) */
#define OPENHCL_MEM_TYPE_NAMES {					\
	[OPENHCL_MEM_VTL0_RAM] = "vtl0-ram",				\
	[OPENHCL_MEM_VTL2_RAM] = "vtl2-ram",				\
	[OPENHCL_MEM_VTL2_RESERVED] = "vtl2-reserved",			\
	[OPENHCL_MEM_SIDECAR] = "sidecar",				\
	[OPENHCL_MEM_MMIO] = "mmio",					\
	[OPENHCL_MEM_UNASSIGNED] = "unassigned",			\
}

#endif /* HCL_OPENHCL_DT_H */
