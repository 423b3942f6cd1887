/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine as the shim describes it in the device tree Linux booted
 * with (/sys/firmware/fdt): the /openhcl node (memory map, VTL0 range and
 * image, VP count, sidecar CPUs, boot timestamps), the CPUs Linux was
 * given and the serial port.  Read with libfdt; the /openhcl schema is
 * include/hcl/openhcl_dt.h, the rest of the tree shim/dt_build.h.
 */
#ifndef HCL_USER_DT_H
#define HCL_USER_DT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hcl/openhcl_dt.h>

#define HCL_DT_PATH		"/sys/firmware/fdt"

struct hcl_dt_range {
	uint32_t type;			/* enum openhcl_mem_type */
	uint64_t base;
	uint64_t size;
};

struct hcl_dt_info {
	uint32_t nmap;
	struct hcl_dt_range map[OPENHCL_DT_MAP_MAX];
	uint64_t vtl0_base, vtl0_size;
	uint64_t image_base, image_size;	/* 0/0: no staged image */
	uint32_t vp_count;		/* every VP of the VM */
	uint32_t linux_cpus;		/* CPUs in /cpus, minus the sidecar's */
	uint32_t sidecar_cpus;		/* /openhcl/sidecar cpu-count */
	bool has_serial;
	uint16_t serial_port;
	bool has_host_channel;		/* /openhcl/host-channel */
	uint16_t host_channel_port;
	uint8_t host_channel_irq;
	/* TSC stamps; 0 when absent */
	uint64_t loader_tsc, shim_tsc, handoff_tsc;
	uint64_t sidecar_start_tsc, sidecar_ready_tsc;
	char bootargs[2048];
};

/* the name of a memory-map type, "?" for an unknown one */
const char *hcl_dt_type_name(uint32_t type);

/*
 * Reads and checks the blob (@len bytes).  Returns 0, or -1 with one
 * line in @err (@errlen bytes) saying what is wrong.
 */
int hcl_dt_parse(const void *blob, size_t len, struct hcl_dt_info *info,
		 char *err, size_t errlen);

/* The same for a file; -1 with errno set and @err filled on failure. */
int hcl_dt_parse_file(const char *path, struct hcl_dt_info *info,
		      char *err, size_t errlen);

#endif
