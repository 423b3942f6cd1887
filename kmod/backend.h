/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seam between the generic core and a backend that enters VTL0
 * (docs/backend.md).  The run loop (vp.c) reaches the hardware only
 * through struct hcl_backend_ops: enter the guest once, then decode the
 * exit, which the backend does by calling the generic emulation helpers
 * (emulate.h).  A backend owns its per-VP and per-partition state by
 * wrapping struct hcl_vp and struct hcl_partition (vp_size and
 * partition_size say how much the core allocates).
 */
#ifndef HCL_BACKEND_H
#define HCL_BACKEND_H

#include <linux/types.h>
#include <uapi/linux/hcl.h>

struct hcl_partition;
struct hcl_stat_desc;
struct hcl_vp;

/* What the run loop does after an exit was handled. */
enum hcl_exit_action {
	HCL_ACT_RESUME,		/* handled in the kernel; enter again */
	HCL_ACT_USER,		/* the run page holds an exit for userspace */
	HCL_ACT_HALT,		/* the VP halted: wait for an interrupt */
	HCL_ACT_HOST_IRQ,	/* a host interrupt ended the run: resume */
	HCL_ACT_PAUSE,		/* the guest spins: give the CPU away, resume */
	/*
	 * Only between an emulation helper and the backend's exit decoder:
	 * the helper could not emulate the exit, the backend reports it to
	 * userspace as HCL_EXIT_UNHANDLED with its raw exit information.
	 * Never returned to the run loop.
	 */
	HCL_ACT_UNHANDLED,
};

/*
 * The operations of a backend.  All per-VP operations run under vp->lock
 * (the run loop holds it across enter and handle_exit).
 *
 * @init probes the CPU at module load and enables the backend on every
 * CPU: -ENODEV when this CPU cannot run it (the next candidate is tried);
 * fills *@features with HCL_FEATURE_*.  @exit undoes it at unload.
 *
 * @vp_size and @partition_size are the sizes of the backend's wrappers;
 * struct hcl_vp and struct hcl_partition sit at offset 0 in them.
 * @partition_destroy and @vp_destroy must cope with a partition or VP
 * whose init failed or never ran (all backend fields zero).
 *
 * @enter runs the guest once: it loads the register cache (vp->gprs,
 * vp->rip) into the guest, delivers pending interrupts and NMIs, and
 * returns at the next exit with the cache updated.  @handle_exit decodes
 * that exit and handles it, mostly through emulate.h; it returns
 * HCL_ACT_RESUME, HCL_ACT_USER, HCL_ACT_HALT, HCL_ACT_HOST_IRQ or
 * HCL_ACT_PAUSE.
 *
 * @nmi_blocked says whether the guest is handling an NMI (NMIs blocked
 * until its IRET): a pending NMI must then not end a halt.  It is called
 * without vp->lock by a halted VP's wait; the VP is not in the guest.
 * NULL: never blocked.
 *
 * @get_msr and @set_msr: the MSRs the backend owns: 0, -ENOENT (not
 * ours), -EINVAL (bad value).  @queue_exception makes the next entry
 * deliver an exception.
 *
 * @stats lists @nr_stats counters (at most HCL_MAX_BACKEND_STATS) that
 * follow the generic ones in vp->stats, in the order of their indices.
 */
struct hcl_backend_ops {
	const char *name;
	size_t vp_size;
	size_t partition_size;
	int (*init)(u64 *features);
	void (*exit)(void);
	int (*partition_init)(struct hcl_partition *part);
	void (*partition_destroy)(struct hcl_partition *part);
	int (*vp_init)(struct hcl_vp *vp);
	void (*vp_destroy)(struct hcl_vp *vp);
	void (*get_regs)(struct hcl_vp *vp, struct hcl_regs *regs);
	int (*set_regs)(struct hcl_vp *vp, const struct hcl_regs *regs);
	void (*get_sregs)(struct hcl_vp *vp, struct hcl_sregs *sregs);
	int (*set_sregs)(struct hcl_vp *vp, const struct hcl_sregs *sregs);
	void (*enter)(struct hcl_vp *vp);
	enum hcl_exit_action (*handle_exit)(struct hcl_vp *vp);
	int (*get_msr)(struct hcl_vp *vp, u32 index, u64 *val);
	int (*set_msr)(struct hcl_vp *vp, u32 index, u64 val);
	void (*queue_exception)(struct hcl_vp *vp, u8 vector, bool has_err,
				u32 err);
	int (*get_debugregs)(struct hcl_vp *vp, struct hcl_debugregs *d);
	int (*set_debugregs)(struct hcl_vp *vp, const struct hcl_debugregs *d);
	bool (*nmi_blocked)(struct hcl_vp *vp);
	const struct hcl_stat_desc *stats;
	unsigned int nr_stats;
};

/* the backend in use and what it offers; set once at load (backend.c) */
extern const struct hcl_backend_ops *hcl_backend;
extern u64 hcl_features;

int hcl_backend_probe(const struct hcl_backend_ops *const *candidates,
		      unsigned int n);
void hcl_backend_remove(void);

/* The backends built into hcl.ko; main.c probes them in this order. */
extern const struct hcl_backend_ops hcl_svm_ops;	/* svm/svm.c */

#endif /* HCL_BACKEND_H */
