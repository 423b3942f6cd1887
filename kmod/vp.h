/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtual processors (vp.c): the VP file, its run page, the run loop and
 * io_uring.  struct hcl_vp is the generic part of a VP; a backend wraps
 * it with its own state (struct hcl_svm_vp in svm/svm.h).
 */
#ifndef HCL_VP_H
#define HCL_VP_H

#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <uapi/linux/hcl.h>

#include "decode.h"
#include "stats.h"

struct dentry;
struct hcl_cpuid_table;
struct hcl_lapic;
struct hcl_msr_table;
struct hcl_partition;
struct io_uring_cmd;
struct task_struct;

/*
 * General registers, indexed by x86 register number (HCL_REG_*); the
 * world switch of the SVM backend (svm/svm_vmrun.S) relies on the layout.
 */
struct hcl_gprs {
	u64 r[HCL_NR_GPRS];
};

/*
 * What an exit for userspace leaves for its completion, which runs at the
 * next HCL_VP_RUN (vp->complete_user_exit, emulate.c).  Only what the
 * kernel recorded at exit time decides what the completion does; the run
 * page supplies data alone.
 */
union hcl_user_exit_state {
	u8 io_size;			/* an IN: bytes to merge into RAX */
	struct {
		bool read;		/* RDMSR (else WRMSR) */
		u8 insn_len;		/* RIP += this once it completes */
	} msr;
	struct hcl_mmio_insn mmio;	/* an MMIO read, as decoded */
	struct {
		u64 gpa[2];		/* where the element goes, */
		u8 first;		/* bytes at gpa[0], the rest at gpa[1] */
		u8 size;
	} string_in;			/* an INS element (string_io.c) */
};

struct hcl_vp {
	struct hcl_partition *part;	/* holds a reference */
	u32 index;
	/*
	 * run_lock makes one run at a time (HCL_VP_RUN, an io_uring RUN
	 * inline or on the VP's thread); its holder owns the run page and
	 * the run's progress, and holds it for the whole run, also while the
	 * VP waits in a halt.
	 *
	 * lock serialises access to the VP's state (registers, the backend's
	 * state, pending user exit): every ioctl takes it killably, and the
	 * runner holds it from the start of a run to its end except while
	 * it waits in a halt (hcl_vp_halt_wait()), so that a halted VP never
	 * blocks a register ioctl.  Order: run_lock, then lock.
	 */
	struct mutex run_lock;		/* one run at a time */
	struct mutex lock;		/* the VP's state */
	/*
	 * The task running the VP, or the last one that did, with a
	 * reference: replaced by the runner (holding run_lock) at the start
	 * of a run, under task_lock, which other VPs' pause exits take to
	 * read it (hcl_vp_pause_yield()).  Dropped when the VP is freed.
	 */
	spinlock_t task_lock;
	struct task_struct *last_task;
	/* the VP the last pause exit yielded to; the runner's alone */
	u32 yield_last;
	/*
	 * The run in progress is inline (a non-blocking io_uring issue):
	 * an entry that would wait for the guest (a remote one) comes back
	 * within a tick, as a local entry does at the timer interrupt.  The
	 * runner's alone.
	 */
	bool inline_run;
	bool parked_run;	/* the run is the VP thread's, for uring_cmd */
	/*
	 * The register cache: the guest's general registers and RIP, valid
	 * whenever the VP is not in the guest.  The backend's enter loads
	 * it into the guest and stores the guest's values back at the exit.
	 */
	struct hcl_gprs gprs;
	u64 rip;
	struct hcl_run *run;		/* one page, mapped by userspace */
	struct hcl_cpuid_table *cpuid;	/* replaced under lock */
	struct hcl_msr_table *msrs;	/* replaced under lock */
	bool regs_set;
	bool sregs_set;
	/*
	 * waiting for an interrupt (HLT); written under lock, read without
	 * it (READ_ONCE) by the runner's halt wait, which its writers wake
	 */
	bool halted;
	/*
	 * An exit for userspace that needs finishing at the next run (an IN,
	 * an MMIO read, an MSR access, a hypercall): its completion, or
	 * NULL, and what it needs.
	 */
	void (*complete_user_exit)(struct hcl_vp *vp);
	union hcl_user_exit_state pending;

	/*
	 * Interrupt delivery.  Other threads set bits and kick; the running
	 * thread consumes them.  running_cpu is the CPU in guest mode, or -1.
	 * kicked is set by every kick before it reads running_cpu, and
	 * cleared by the entry before it publishes running_cpu: a kick that
	 * found no CPU to interrupt, or interrupted the entering CPU before
	 * it closed interrupts, is still seen there and ends the entry.
	 * remote_wq is the wait queue of a run on a sidecar CPU (module
	 * lifetime; NULL otherwise), which a kick wakes in place of an IPI.
	 */
	unsigned long irq_pending[BITS_TO_LONGS(256)];
	struct hcl_lapic *apic;		/* the irqchip's, or NULL (irq.c) */
	atomic_t nmi_pending;
	int running_cpu;
	bool kicked;
	wait_queue_head_t *remote_wq;
	/*
	 * A halted runner sleeps here, without vp->lock, until an interrupt
	 * or NMI is pending, halted is cleared or stop_run is set; whoever
	 * makes one of these true wakes it.
	 */
	wait_queue_head_t wq;

	/*
	 * io_uring.  A RUN command is parked in uring_cmd and carried out by
	 * the VP's own kernel thread (created at the first RUN, stopped at
	 * release), which completes it.  uring_lock protects uring_cmd;
	 * stop_run asks the thread's run of the parked command to end
	 * (cancellation; other runs of the VP ignore it, and a canceled
	 * command that only gets the VP later ends before it touches the
	 * run page: vp->parked_run says which run is the thread's).  A command
	 * is marked cancelable before it is published in uring_cmd, and from
	 * then on ends only through io_uring_cmd_done(); the cancel callback
	 * runs under the ring's lock, which io_uring_cmd_done() also takes
	 * to take the command off the ring's cancelable list, so a cancel
	 * never sees a completed command.
	 */
	spinlock_t uring_lock;
	struct io_uring_cmd *uring_cmd;
	struct task_struct *uring_thread;
	wait_queue_head_t uring_wq;
	bool stop_run;

	/*
	 * counters (enum hcl_stat, then the backend's), written by the
	 * running thread only; stats_node links the VP into stats.c's list
	 * (under that file's lock)
	 */
	u64 stats[HCL_NR_STATS];
	u64 user_since_ns;		/* when the last user exit left */
	/*
	 * HCL_EXIT_* of the last exit to userspace, 0 before the first;
	 * written by the runner, read locklessly (READ_ONCE) by netlink.c
	 */
	u32 last_exit;
	struct dentry *debugfs;
	struct list_head stats_node;
};

/* a kick's way to a VP running on a sidecar CPU; any context */
static inline void hcl_vp_wake_remote(struct hcl_vp *vp)
{
	wait_queue_head_t *wq = READ_ONCE(vp->remote_wq);

	if (wq)
		wake_up(wq);
}

bool hcl_vp_irq_ready(struct hcl_vp *vp);
bool hcl_vp_nmi_wakes(struct hcl_vp *vp);
int hcl_vp_create(struct hcl_partition *part,
		  const struct hcl_create_vp *args);

#endif /* HCL_VP_H */
