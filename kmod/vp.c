// SPDX-License-Identifier: GPL-2.0
/*
 * VP files: one anonymous-inode file per VP, carrying register access,
 * the CPUID table, the run page (mmap) and the run loop (HCL_VP_RUN).
 */
#define pr_fmt(fmt) "hcl: vp: " fmt

#include <linux/anon_inodes.h>
#include <linux/cgroup.h>
#include <linux/file.h>
#include <linux/io_uring/cmd.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <uapi/linux/sched/types.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "backend.h"
#include "cpuid.h"
#include "emulate.h"
#include "irq.h"
#include "log.h"
#include "msr.h"
#include "netlink.h"
#include "partition.h"
#include "stats.h"
#include "vp.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static bool all_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/* A pending NMI the guest can take now (not one held until an IRET). */
bool hcl_vp_nmi_wakes(struct hcl_vp *vp)
{
	return atomic_read(&vp->nmi_pending) &&
	       !(hcl_backend->nmi_blocked && hcl_backend->nmi_blocked(vp));
}

bool hcl_vp_irq_ready(struct hcl_vp *vp)
{
	if (vp->apic)
		return hcl_irq_vp_ready(vp);
	return hcl_vp_nmi_wakes(vp) ||
	       find_first_bit(vp->irq_pending, 256) < 256;
}

/* hcl_vp_run_mode() in inline mode: the VP needs a thread of its own */
#define HCL_RUN_HANDOFF		1

/*
 * A halted runner's wait for an interrupt, called with run_lock and lock
 * held.  lock is dropped for the wait, so register ioctls (and SET_REGS,
 * which ends the halt) proceed meanwhile; run_lock stays held, so no
 * other run starts.  The halt itself stays in vp->halted.  A signal ends
 * the wait.  Returns 0 with lock held again, or -EINTR without it.
 */
static int hcl_vp_halt_wait(struct hcl_vp *vp)
{
	u64 t0 = ktime_get_ns();

	mutex_unlock(&vp->lock);
	wait_event_interruptible(vp->wq, hcl_vp_irq_ready(vp) ||
				 !READ_ONCE(vp->halted) ||
				 (vp->parked_run && READ_ONCE(vp->stop_run)));
	if (mutex_lock_interruptible(&vp->lock))
		return -EINTR;
	vp->stats[HCL_STAT_HALT_NS] += ktime_get_ns() - t0;
	return 0;
}

/* The runner (holding run_lock) records that @vp runs on its task. */
static void hcl_vp_set_task(struct hcl_vp *vp)
{
	struct task_struct *old;

	if (vp->last_task == current)
		return;
	get_task_struct(current);
	spin_lock(&vp->task_lock);
	old = vp->last_task;
	vp->last_task = current;
	spin_unlock(&vp->task_lock);
	if (old)
		put_task_struct(old);
}

/*
 * The task that runs VP @idx of @vp's partition, or last did, with a
 * reference, if giving it the CPU may help @vp: the VP is neither halted
 * nor in the guest, and the task is not ours.  Else NULL.  Called with
 * the partition's lock held, which keeps the VP.
 */
static struct task_struct *hcl_vp_yield_target(struct hcl_vp *vp, u32 idx)
{
	struct hcl_vp *other = vp->part->vps[idx];
	struct task_struct *t;

	if (!other || other == vp || READ_ONCE(other->halted) ||
	    READ_ONCE(other->running_cpu) >= 0)
		return NULL;
	spin_lock(&other->task_lock);
	t = other->last_task;
	if (t == current)
		t = NULL;
	if (t)
		get_task_struct(t);
	spin_unlock(&other->task_lock);
	return t;
}

/*
 * A pause exit (HCL_ACT_PAUSE): the guest spins, most likely for a lock
 * whose holder, another VP, is preempted on this same CPU and cannot
 * release it until the spinner's time slice ends.  Give the CPU to that
 * VP's task (yield_to(): the scheduler runs it next): the one in the
 * middle of the VP's run, or the one that ran it last, which handles its
 * exit.  yield_to() refuses a task that is not waiting for a CPU (it
 * sleeps, or runs elsewhere).  The candidates are the other VPs from the
 * one after the last that took the CPU, round-robin, so that every
 * preempted VP gets its turn.  If none takes it, the VP just enters the
 * guest again, as KVM's vCPUs do; the run loop's cond_resched() still
 * gives way when the scheduler asks.  The partition's lock is only
 * tried: while a VP comes or goes, the spinner does not wait for it.
 */
static void hcl_vp_pause_yield(struct hcl_vp *vp)
{
	struct hcl_partition *part = vp->part;
	u32 n = part->max_vps, i, idx;
	struct task_struct *t;
	int ret;

	/* every VP once, the last one to take the CPU at the end */
	for (i = 1; i <= n; i++) {
		idx = (vp->yield_last + i) % n;
		if (!mutex_trylock(&part->lock))
			break;
		t = hcl_vp_yield_target(vp, idx);
		mutex_unlock(&part->lock);
		if (!t)
			continue;
		ret = yield_to(t, true);
		put_task_struct(t);
		if (ret > 0) {
			vp->yield_last = idx;
			vp->stats[HCL_STAT_YIELD_TO]++;
			trace_hcl_pause_yield(vp->index, idx);
			return;
		}
		/* -ESRCH: nothing else could run here or there */
		if (ret < 0)
			break;
	}
	vp->stats[HCL_STAT_YIELD_NONE]++;
	trace_hcl_pause_yield(vp->index, -1);
}

/*
 * The run loop.  Exits the kernel handles itself never leave it; the loop
 * ends on an exit for userspace, a pending signal or immediate_exit.
 * Each round is two backend calls: enter the guest, then decode and
 * handle the exit (backend.h); the loop knows nothing of how either is
 * done.
 *
 * A halted VP (vp->halted, set by HLT with interrupts enabled) waits for
 * an interrupt before it enters the guest again, also across calls: a
 * signal that ends the wait does not end the halt.  The wait drops
 * vp->lock (hcl_vp_halt_wait()).
 *
 * A pause exit gives the CPU away before the next entry
 * (hcl_vp_pause_yield()).
 *
 * @inline_run: running inside a non-blocking io_uring issue, which must
 * not hold the submitter for long.  When the VP halts, spins (a pause
 * exit), or a host interrupt shows it has been running for a while,
 * give up with HCL_RUN_HANDOFF; the VP's thread then carries on from the
 * same state.
 */
/*
 * A run of the VP: from HCL_VP_RUN, inline in io_uring_enter()
 * (@inline_run) or by the VP's thread for the parked command (@parked).
 */
static long hcl_vp_run_mode(struct hcl_vp *vp, bool inline_run, bool parked)
{
	struct hcl_run *run = vp->run;
	enum hcl_exit_action act;
	u64 t0, t1, t2;
	long ret;

	/* inline, never wait for another run: hand this one off instead */
	if (inline_run) {
		if (!mutex_trylock(&vp->run_lock))
			return HCL_RUN_HANDOFF;
	} else if (mutex_lock_interruptible(&vp->run_lock)) {
		return -EINTR;
	}
	if (mutex_lock_interruptible(&vp->lock)) {
		mutex_unlock(&vp->run_lock);
		return -EINTR;
	}
	hcl_vp_set_task(vp);
	vp->inline_run = inline_run;
	vp->parked_run = parked;
	/* canceled before it got the VP: the VP and its run page stay as is */
	if (parked && READ_ONCE(vp->stop_run)) {
		ret = -EINTR;
		goto out;
	}
	if ((!vp->regs_set || !vp->sregs_set) && !hcl_irq_vp_waiting(vp)) {
		ret = -EBADFD;
		goto out;
	}
	if (vp->user_since_ns) {
		vp->stats[HCL_STAT_USER_NS] += ktime_get_ns() - vp->user_since_ns;
		vp->user_since_ns = 0;
	}
	hcl_complete_user_exit(vp);
	run->exit_reason = HCL_EXIT_NONE;
	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = HCL_EXIT_INTR;
		ret = -EINTR;
		goto out;
	}
	for (;;) {
		/*
		 * Inline, only a real signal ends the run with -EINTR: io_uring
		 * notifies the submitter of task work (other VPs' completions)
		 * with TIF_NOTIFY_SIGNAL, which hands the VP off instead.
		 */
		if (inline_run && signal_pending(current) &&
		    !task_sigpending(current)) {
			ret = HCL_RUN_HANDOFF;
			break;
		}
		if (signal_pending(current) ||
		    (parked && READ_ONCE(vp->stop_run))) {
			run->exit_reason = HCL_EXIT_INTR;
			ret = -EINTR;
			break;
		}
		if (vp->halted) {
			if (inline_run) {
				ret = HCL_RUN_HANDOFF;
				break;
			}
			if (!hcl_vp_irq_ready(vp)) {
				/* a signal ends the wait; the loop top reports it */
				if (hcl_vp_halt_wait(vp)) {
					run->exit_reason = HCL_EXIT_INTR;
					ret = -EINTR;
					goto out_unlocked;
				}
				continue;
			}
			WRITE_ONCE(vp->halted, false);
		}
		/* INIT and SIPI; a VP in wait-for-SIPI waits like a halt */
		if (vp->apic && hcl_irq_vp_blocked(vp)) {
			WRITE_ONCE(vp->halted, true);
			continue;
		}
		cond_resched();
		t0 = ktime_get_ns();
		hcl_backend->enter(vp);
		t1 = ktime_get_ns();
		act = hcl_backend->handle_exit(vp);
		t2 = ktime_get_ns();
		vp->stats[HCL_STAT_GUEST_NS] += t1 - t0;
		vp->stats[HCL_STAT_KERNEL_NS] += t2 - t1;
		if (act == HCL_ACT_USER) {
			vp->stats[HCL_STAT_USER_EXITS]++;
			vp->user_since_ns = t2;
			trace_hcl_user_exit(vp->index, run->exit_reason);
			WRITE_ONCE(vp->last_exit, run->exit_reason);
			hcl_nl_exit_event(vp, run->exit_reason);
			ret = 0;
			break;
		}
		if (act == HCL_ACT_HALT)
			WRITE_ONCE(vp->halted, true);
		if ((act == HCL_ACT_HOST_IRQ || act == HCL_ACT_PAUSE) &&
		    inline_run) {
			ret = HCL_RUN_HANDOFF;
			break;
		}
		if (act == HCL_ACT_PAUSE)
			hcl_vp_pause_yield(vp);
	}
out:
	mutex_unlock(&vp->lock);
out_unlocked:
	mutex_unlock(&vp->run_lock);
	return ret;
}

static long hcl_vp_run(struct hcl_vp *vp)
{
	return hcl_vp_run_mode(vp, false, false);
}

static long hcl_vp_set_cpuid(struct hcl_vp *vp, void __user *argp)
{
	struct hcl_cpuid_table *t, *old;
	struct hcl_cpuid hdr;
	int ret;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || !all_zero(hdr.reserved, sizeof(hdr.reserved)))
		return -EINVAL;
	if (hdr.nent > HCL_CPUID_MAX_ENTRIES)
		return -E2BIG;
	t = kvzalloc(struct_size(t, entries, hdr.nent), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	t->nent = hdr.nent;
	if (copy_from_user(t->entries, u64_to_user_ptr(hdr.entries),
			   flex_array_size(t, entries, hdr.nent))) {
		kvfree(t);
		return -EFAULT;
	}
	ret = hcl_cpuid_validate(t->entries, t->nent);
	if (ret) {
		kvfree(t);
		return ret;
	}
	if (mutex_lock_killable(&vp->lock)) {
		kvfree(t);
		return -EINTR;
	}
	old = vp->cpuid;
	vp->cpuid = t;
	mutex_unlock(&vp->lock);
	kvfree(old);
	return 0;
}

static void hcl_kick(void *info)
{
	/* the IPI itself made the guest exit; nothing else to do */
}

/* Makes a run in progress end soon: out of the guest, out of a halt. */
static void hcl_vp_kick(struct hcl_vp *vp)
{
	int cpu;

	WRITE_ONCE(vp->kicked, true);
	/* pairs with the barrier between running_cpu and injection */
	smp_mb();
	cpu = READ_ONCE(vp->running_cpu);
	if (cpu >= 0)
		smp_call_function_single(cpu, hcl_kick, NULL, 0);
	hcl_vp_wake_remote(vp);
	wake_up_interruptible(&vp->wq);
}

/* Queues an interrupt; no vp->lock: the VP may be running or halted. */
static long hcl_vp_interrupt(struct hcl_vp *vp, void __user *argp)
{
	struct hcl_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.reserved)
		return -EINVAL;
	switch (irq.type) {
	case HCL_INTR_FIXED:
		if (irq.vector < 16 || irq.vector > 255)
			return -EINVAL;
		/* the APIC's IRR when it takes interrupts (it kicks) */
		if (hcl_irq_vp_interrupt(vp, irq.vector))
			return 0;
		set_bit(irq.vector, vp->irq_pending);
		break;
	case HCL_INTR_NMI:
		if (irq.vector)
			return -EINVAL;
		atomic_set(&vp->nmi_pending, 1);
		break;
	default:
		return -EINVAL;
	}
	hcl_vp_kick(vp);
	return 0;
}

static long hcl_vp_set_msr_policy(struct hcl_vp *vp, void __user *argp)
{
	struct hcl_msr_table *t, *old;
	struct hcl_msr_policy pol;
	struct hcl_msr_rule *rules;
	long ret;

	if (copy_from_user(&pol, argp, sizeof(pol)))
		return -EFAULT;
	if (!all_zero(pol.reserved, sizeof(pol.reserved)))
		return -EINVAL;
	if (pol.nrules > HCL_MAX_MSR_RULES)
		return -E2BIG;
	rules = memdup_array_user(u64_to_user_ptr(pol.rules), pol.nrules,
				  sizeof(*rules));
	if (IS_ERR(rules))
		return PTR_ERR(rules);
	ret = hcl_msr_table_build(rules, pol.nrules, pol.default_action, &t);
	kfree(rules);
	if (ret)
		return ret;
	if (mutex_lock_killable(&vp->lock)) {
		kfree(t);
		return -EINTR;
	}
	old = vp->msrs;
	vp->msrs = t;
	mutex_unlock(&vp->lock);
	kfree(old);
	return 0;
}

/* One MSR by index: backend-owned first, then an emulated policy MSR. */
static int vp_msr_rw(struct hcl_vp *vp, struct hcl_msr_entry *e, bool set)
{
	struct hcl_msr_rule *r;
	int ret;

	if (e->reserved)
		return -EINVAL;
	ret = hcl_irq_msr(vp, e->index, set, &e->data, true);
	if (ret != -ENOENT)
		return ret;
	ret = set ? hcl_backend->set_msr(vp, e->index, e->data) :
		    hcl_backend->get_msr(vp, e->index, &e->data);
	if (ret != -ENOENT)
		return ret;
	r = hcl_msr_find(vp->msrs, e->index);
	if (!r || r->action != HCL_MSR_EMULATE)
		return -ENOENT;
	if (set)
		r->value = e->data;
	else
		e->data = r->value;
	return 0;
}

static long hcl_vp_msrs(struct hcl_vp *vp, void __user *argp, bool set)
{
	struct hcl_msr_entry *ents;
	struct hcl_msrs hdr;
	long i;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.pad || !all_zero(hdr.reserved, sizeof(hdr.reserved)))
		return -EINVAL;
	if (hdr.nmsrs > HCL_MAX_MSRS)
		return -E2BIG;
	ents = memdup_array_user(u64_to_user_ptr(hdr.entries), hdr.nmsrs,
				 sizeof(*ents));
	if (IS_ERR(ents))
		return PTR_ERR(ents);
	if (mutex_lock_killable(&vp->lock)) {
		kfree(ents);
		return -EINTR;
	}
	for (i = 0; i < hdr.nmsrs; i++)
		if (vp_msr_rw(vp, &ents[i], set))
			break;
	mutex_unlock(&vp->lock);
	if (!set && copy_to_user(u64_to_user_ptr(hdr.entries), ents,
				 i * sizeof(*ents)))
		i = -EFAULT;
	kfree(ents);
	return i;
}

static long hcl_vp_debugregs(struct hcl_vp *vp, unsigned int cmd,
			     void __user *argp)
{
	struct hcl_debugregs d;
	long ret;

	if (cmd == HCL_VP_GET_DEBUGREGS) {
		memset(&d, 0, sizeof(d));
		if (mutex_lock_killable(&vp->lock))
			return -EINTR;
		ret = hcl_backend->get_debugregs(vp, &d);
		mutex_unlock(&vp->lock);
		if (ret)
			return ret;
		return copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0;
	}
	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if (!all_zero(d.reserved, sizeof(d.reserved)) || d.dr6 >> 32 ||
	    d.dr7 >> 32)
		return -EINVAL;
	if (mutex_lock_killable(&vp->lock))
		return -EINTR;
	ret = hcl_backend->set_debugregs(vp, &d);
	mutex_unlock(&vp->lock);
	return ret;
}

static long hcl_vp_regs_ioctl(struct hcl_vp *vp, unsigned int cmd,
			      void __user *argp)
{
	struct hcl_sregs sregs;
	struct hcl_regs regs;
	long ret = 0;

	switch (cmd) {
	case HCL_VP_GET_REGS:
		if (mutex_lock_killable(&vp->lock))
			return -EINTR;
		hcl_backend->get_regs(vp, &regs);
		mutex_unlock(&vp->lock);
		memset(regs.reserved, 0, sizeof(regs.reserved));
		return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
	case HCL_VP_SET_REGS:
		if (copy_from_user(&regs, argp, sizeof(regs)))
			return -EFAULT;
		if (!all_zero(regs.reserved, sizeof(regs.reserved)))
			return -EINVAL;
		if (mutex_lock_killable(&vp->lock))
			return -EINTR;
		ret = hcl_backend->set_regs(vp, &regs);
		if (!ret) {
			vp->regs_set = true;
			/*
			 * new state: not halted any more, and an exit's
			 * completion would apply to the old one
			 */
			WRITE_ONCE(vp->halted, false);
			vp->complete_user_exit = NULL;
		}
		mutex_unlock(&vp->lock);
		/* a runner waiting in the halt goes on with the new state */
		if (!ret)
			wake_up_interruptible(&vp->wq);
		return ret;
	case HCL_VP_GET_SREGS:
		if (mutex_lock_killable(&vp->lock))
			return -EINTR;
		hcl_backend->get_sregs(vp, &sregs);
		mutex_unlock(&vp->lock);
		return copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
	case HCL_VP_SET_SREGS:
		if (copy_from_user(&sregs, argp, sizeof(sregs)))
			return -EFAULT;
		if (!all_zero(sregs.reserved, sizeof(sregs.reserved)) ||
		    !all_zero(sregs.gdt.pad, sizeof(sregs.gdt.pad)) ||
		    !all_zero(sregs.idt.pad, sizeof(sregs.idt.pad)))
			return -EINVAL;
		if (mutex_lock_killable(&vp->lock))
			return -EINTR;
		ret = hcl_backend->set_sregs(vp, &sregs);
		if (!ret) {
			vp->sregs_set = true;
			/* an exit's completion would apply to the old state */
			vp->complete_user_exit = NULL;
		}
		mutex_unlock(&vp->lock);
		return ret;
	}
	return -ENOTTY;
}

static long hcl_vp_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct hcl_vp *vp = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case HCL_VP_RUN:
		return hcl_vp_run(vp);
	case HCL_VP_GET_REGS:
	case HCL_VP_SET_REGS:
	case HCL_VP_GET_SREGS:
	case HCL_VP_SET_SREGS:
		return hcl_vp_regs_ioctl(vp, cmd, argp);
	case HCL_VP_SET_CPUID:
		return hcl_vp_set_cpuid(vp, argp);
	case HCL_VP_GET_MSRS:
		return hcl_vp_msrs(vp, argp, false);
	case HCL_VP_SET_MSRS:
		return hcl_vp_msrs(vp, argp, true);
	case HCL_VP_SET_MSR_POLICY:
		return hcl_vp_set_msr_policy(vp, argp);
	case HCL_VP_INTERRUPT:
		return hcl_vp_interrupt(vp, argp);
	case HCL_VP_GET_DEBUGREGS:
	case HCL_VP_SET_DEBUGREGS:
		return hcl_vp_debugregs(vp, cmd, argp);
	default:
		return hcl_ioctl_unknown(cmd);
	}
}

/*
 * The VP's io_uring thread: waits for a parked RUN, runs the VP like
 * HCL_VP_RUN and completes the command with the result.
 */
static int hcl_vp_uring_thread(void *data)
{
	struct hcl_vp *vp = data;

	for (;;) {
		struct io_uring_cmd *cmd;
		long ret;

		/* idle, not uninterruptible: no load, no hung-task report */
		wait_event_idle(vp->uring_wq, READ_ONCE(vp->uring_cmd) ||
				kthread_should_stop());
		if (kthread_should_stop())
			return 0;
		ret = hcl_vp_run_mode(vp, false, true);
		spin_lock(&vp->uring_lock);
		cmd = vp->uring_cmd;
		vp->uring_cmd = NULL;
		WRITE_ONCE(vp->stop_run, false);
		spin_unlock(&vp->uring_lock);
		io_uring_cmd_done(cmd, ret, 0, IO_URING_F_UNLOCKED);
	}
}

/*
 * The VP's thread runs the guest for the VMM, so it goes where the task
 * that makes it (the VMM's thread parking a RUN, or io_uring's worker for
 * it) is: into its cgroups (the VMM's CPU, memory and pid limits hold
 * for its VPs), on its CPUs, at its nice value and scheduling policy (a
 * deadline task's VPs get the normal policy: its bandwidth is its own).
 * A kernel thread would otherwise run in the root cgroup, on every CPU,
 * at nice 0.  Later changes to the VMM are not followed.
 */
static int hcl_vp_thread_place(struct task_struct *t)
{
	struct sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = current->policy,
		.sched_nice = task_nice(current),
	};
	int ret;

	if (current->policy == SCHED_FIFO || current->policy == SCHED_RR)
		attr.sched_priority = current->rt_priority;
	else if (current->policy == SCHED_DEADLINE)
		attr.sched_policy = SCHED_NORMAL;
	ret = cgroup_attach_task_all(current, t);
	if (!ret)
		ret = sched_setattr_nocheck(t, &attr);
	if (!ret)
		ret = set_cpus_allowed_ptr(t, current->cpus_ptr);
	return ret;
}

/*
 * IORING_OP_URING_CMD: HCL_URING_CMD_RUN.  Submitted normally, the RUN
 * first runs inline, in the submitter's io_uring_enter(): most VPs exit to
 * userspace again within microseconds and then complete the request with
 * no thread switch.  If the VP halts or keeps running until a host
 * interrupt, the command is parked and the VP's own kernel thread takes
 * over and completes it, so one userspace thread can keep RUNs in flight
 * on many VPs that all run side by side.  Submitted with IOSQE_ASYNC the
 * command goes to the thread at once.  One RUN per VP at a time (-EBUSY).
 * Ring teardown or the submitter's exit cancels a parked RUN: the thread
 * stops the run and completes it with -EINTR.
 */
static int hcl_vp_uring_cmd(struct io_uring_cmd *ioucmd,
			    unsigned int issue_flags)
{
	const struct hcl_uring_cmd *c = io_uring_sqe_cmd(ioucmd->sqe);
	struct hcl_vp *vp = ioucmd->file->private_data;
	struct task_struct *t;
	long ret;

	BUILD_BUG_ON(sizeof(struct hcl_uring_cmd) > 16);
	if (issue_flags & IO_URING_F_CANCEL) {
		spin_lock(&vp->uring_lock);
		if (vp->uring_cmd == ioucmd)
			WRITE_ONCE(vp->stop_run, true);
		spin_unlock(&vp->uring_lock);
		hcl_vp_kick(vp);
		return 0;
	}
	if (ioucmd->cmd_op != HCL_URING_CMD_RUN)
		return -ENOTTY;
	if (READ_ONCE(c->flags) || READ_ONCE(c->reserved0) ||
	    READ_ONCE(c->reserved1))
		return -EINVAL;
	if (READ_ONCE(vp->uring_cmd))
		return -EBUSY;

	if (issue_flags & IO_URING_F_NONBLOCK) {
		ret = hcl_vp_run_mode(vp, true, false);
		if (ret != HCL_RUN_HANDOFF)
			return ret;
	}

	if (!READ_ONCE(vp->uring_thread)) {
		mutex_lock(&vp->part->lock);
		if (!vp->uring_thread) {
			t = kthread_create(hcl_vp_uring_thread, vp, "hcl-vp%u",
					   vp->index);
			if (IS_ERR(t)) {
				mutex_unlock(&vp->part->lock);
				return PTR_ERR(t);
			}
			ret = hcl_vp_thread_place(t);
			if (ret) {
				kthread_stop(t);
				mutex_unlock(&vp->part->lock);
				return ret;
			}
			wake_up_process(t);
			WRITE_ONCE(vp->uring_thread, t);
		}
		mutex_unlock(&vp->part->lock);
	}

	/*
	 * Cancelable first: once published in uring_cmd the thread may
	 * complete, and io_uring free, the command at any moment, and it
	 * must be off the ring's cancelable list by then
	 * (io_uring_cmd_done() takes it off).  From here on the command is
	 * completed only through io_uring_cmd_done().
	 */
	io_uring_cmd_mark_cancelable(ioucmd, issue_flags);
	spin_lock(&vp->uring_lock);
	if (vp->uring_cmd) {
		spin_unlock(&vp->uring_lock);
		io_uring_cmd_done(ioucmd, -EBUSY, 0, issue_flags);
		return -EIOCBQUEUED;
	}
	vp->uring_cmd = ioucmd;
	spin_unlock(&vp->uring_lock);
	wake_up(&vp->uring_wq);
	return -EIOCBQUEUED;
}

/* The run page: offset 0, exactly one page, shared. */
static int hcl_vp_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hcl_vp *vp = file->private_data;

	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != HCL_RUN_SIZE ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return vm_insert_page(vma, vma->vm_start, virt_to_page(vp->run));
}

static void hcl_vp_free(struct hcl_vp *vp)
{
	/* no RUN can be parked: a parked command holds the file open */
	if (vp->uring_thread)
		kthread_stop(vp->uring_thread);
	hcl_irq_vp_detach(vp);
	if (vp->last_task)
		put_task_struct(vp->last_task);
	hcl_backend->vp_destroy(vp);
	kvfree(vp->cpuid);
	kfree(vp->msrs);
	free_page((unsigned long)vp->run);
	kfree(vp);
}

static int hcl_vp_release(struct inode *inode, struct file *file)
{
	struct hcl_vp *vp = file->private_data;
	struct hcl_partition *part = vp->part;

	mutex_lock(&part->lock);
	part->vps[vp->index] = NULL;
	hcl_stats_vp_remove(vp);
	mutex_unlock(&part->lock);
	hcl_dbg("VP %u released after %llu exits\n", vp->index,
		vp->stats[HCL_STAT_EXITS]);
	hcl_vp_free(vp);
	hcl_partition_put(part);
	return 0;
}

static const struct file_operations hcl_vp_fops = {
	.owner = THIS_MODULE,
	.release = hcl_vp_release,
	.mmap = hcl_vp_mmap,
	.unlocked_ioctl = hcl_vp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.uring_cmd = hcl_vp_uring_cmd,
	.llseek = noop_llseek,
};

int hcl_vp_create(struct hcl_partition *part, const struct hcl_create_vp *args)
{
	struct hcl_vp *vp;
	int ret, fd;

	BUILD_BUG_ON(sizeof(struct hcl_run) > HCL_RUN_SIZE);
	if (args->flags & ~HCL_CREATE_VP_WAIT_SIPI ||
	    !all_zero(args->reserved, sizeof(args->reserved)))
		return -EINVAL;
	if (args->vp_index >= part->max_vps)
		return -EINVAL;

	/* the backend's VP, which begins with the generic one */
	vp = kzalloc(hcl_backend->vp_size, GFP_KERNEL_ACCOUNT);
	if (!vp)
		return -ENOMEM;
	mutex_init(&vp->run_lock);
	mutex_init(&vp->lock);
	init_waitqueue_head(&vp->wq);
	init_waitqueue_head(&vp->uring_wq);
	spin_lock_init(&vp->uring_lock);
	spin_lock_init(&vp->task_lock);
	vp->running_cpu = -1;
	vp->part = part;
	vp->index = args->vp_index;
	vp->run = (struct hcl_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (vp->run)
		vp->run->sidecar_cpu = -1;	/* the backend may bind it */
	ret = vp->run ? hcl_backend->vp_init(vp) : -ENOMEM;
	if (ret) {
		hcl_vp_free(vp);
		return ret;
	}

	mutex_lock(&part->lock);
	if (part->vps[vp->index]) {
		mutex_unlock(&part->lock);
		hcl_vp_free(vp);
		return -EEXIST;
	}
	ret = hcl_irq_vp_attach(vp, args->flags);
	if (ret) {
		mutex_unlock(&part->lock);
		hcl_vp_free(vp);
		return ret;
	}
	part->vps[vp->index] = vp;
	hcl_stats_vp_add(vp);
	kref_get(&part->ref);
	fd = anon_inode_getfd("hcl-vp", &hcl_vp_fops, vp, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		part->vps[vp->index] = NULL;
		hcl_stats_vp_remove(vp);
		mutex_unlock(&part->lock);
		hcl_vp_free(vp);
		hcl_partition_put(part);
		return fd;
	}
	mutex_unlock(&part->lock);
	/* not vp->index: once the fd is installed, a close can free vp */
	hcl_dbg("VP %u created (fd %d)\n", args->vp_index, fd);
	return fd;
}
