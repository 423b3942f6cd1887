/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl.ko's side of the sidecar (sidecar.c): the CPUs the shim kept from
 * Linux, found through /openhcl/sidecar, their control and command pages
 * (the contract, <hcl/sidecar.h>), PING at load, debugfs hcl/sidecar.
 */
#ifndef HCL_SIDECAR_DRV_H
#define HCL_SIDECAR_DRV_H

#include <linux/types.h>
#include <linux/wait.h>
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

/*
 * For the remote backend (svm/remote.c).  hcl_sidecar_cpu_for_vp() gives
 * the sidecar CPU that runs VP @vp_index (Linux's CPU of that number,
 * offline and in the dispatch loop), or -ENODEV: the VP runs locally.
 * A run holds the CPU from hcl_sidecar_acquire() (-EINTR on a signal,
 * -ENODEV if Linux took the CPU, -EIO if it failed) to
 * hcl_sidecar_release().
 */
struct hcl_sidecar_run {
	u64 vmcb_pa;			/* in */
	u64 save_pa;			/* in: struct hcl_sidecar_vp_save */
	bool stop;			/* in: exit right after entry */
	const bool *kick;		/* in: becomes true: stop the run */
	bool brief;			/* in: stop it after a tick */
	bool stopped;			/* out: a kick or signal stopped it */
	u32 result;			/* out: enum hcl_sidecar_result */
	u64 exit_code;			/* out: the VMCB's EXITCODE */
	u64 run_tsc;			/* out: cycles inside RUN_VP */
	u64 wait_ns;			/* out: from the post to the ack */
	u64 host_cr3;			/* out: the CPU's own CR3, or ~0 */
};

int hcl_sidecar_cpu_for_vp(u32 vp_index);
int hcl_sidecar_linux_cpu(u32 idx);
wait_queue_head_t *hcl_sidecar_wq(u32 idx);
int hcl_sidecar_acquire(u32 idx);
void hcl_sidecar_release(u32 idx);
int hcl_sidecar_run_vp(u32 idx, struct hcl_sidecar_run *r);

/*
 * The hot-plug policy (hcl.sidecar_online_rate): the threshold in exits
 * per second (0: never); a VP over it asks for its CPU, which then joins
 * Linux (add_cpu(), serialized); whether that is how the CPU left.
 */
unsigned int hcl_sidecar_online_threshold(void);
void hcl_sidecar_want_online(u32 idx);
bool hcl_sidecar_onlined_by_policy(u32 idx);

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
