/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl.ko's side of the sidecar (sidecar.c): the CPUs the shim kept from
 * Linux, found through /openhcl/sidecar, their control and command pages
 * (the contract, <hcl/sidecar.h>), PING at load, debugfs hcl/sidecar.
 */
#ifndef HCL_SIDECAR_DRV_H
#define HCL_SIDECAR_DRV_H

#include <linux/types.h>
#include <hcl/sidecar.h>

/* what hcl_sidecar_poll() sees of a posted command */
enum hcl_sidecar_wait {
	HCL_SIDECAR_WAIT_DONE,		/* ack == seq: result is valid */
	HCL_SIDECAR_WAIT_PENDING,	/* not yet */
	HCL_SIDECAR_WAIT_FAULT,		/* the CPU reported a fault */
	HCL_SIDECAR_WAIT_GONE,		/* the CPU is not running the sidecar */
};

int hcl_sidecar_init(void);
void hcl_sidecar_exit(void);

const char *hcl_sidecar_status_name(u32 status);

/*
 * Posts @command on @page: the CPU must be IDLE with no command in
 * flight (ack == seq), else -EBUSY (in flight) or -ENODEV (not IDLE).
 * Writes the command, then store-releases seq + 1 into *@seq and the
 * page.  The caller sends the IPI.
 */
int hcl_sidecar_post(struct hcl_sidecar_cmd_page *page,
		     const struct hcl_sidecar_cpu *cpu, u32 command, u32 *seq);

/* Looks once at a command posted with @seq. */
enum hcl_sidecar_wait hcl_sidecar_poll(const struct hcl_sidecar_cmd_page *page,
				       const struct hcl_sidecar_cpu *cpu,
				       u32 seq);

/*
 * Checks the control page against the tree: magic, version, CPU count,
 * region size, and each CPU's APIC id against @apic_ids (@count
 * big-endian cells).  Returns 0 or -EINVAL with a message in @err.
 */
int hcl_sidecar_check(const struct hcl_sidecar_control *ctl, u64 region_size,
		      const __be32 *apic_ids, u32 count, char *err,
		      size_t errlen);

#endif /* HCL_SIDECAR_DRV_H */
