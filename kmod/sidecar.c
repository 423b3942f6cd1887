// SPDX-License-Identifier: GPL-2.0
/*
 * The sidecar's CPUs, seen from hcl.ko.
 *
 * The shim started every CPU it kept from Linux in the sidecar kernel
 * (sidecar/) and described them in /openhcl/sidecar: their APIC ids and
 * the region holding the control page and one command page per CPU
 * (<hcl/sidecar.h> is the contract, docs/sidecar.md the design).  Linux
 * lists those CPUs as present but, booted with maxcpus=, never onlines
 * them.  At load this driver maps the region, checks the control page
 * against the tree, finds each CPU's Linux number by its APIC id, and
 * pings every CPU the shim saw reach IDLE: PING on the command page, an
 * IPI (any vector from 32 up wakes the sidecar: its IDT has a handler on
 * each), and a wait for the ack.  A CPU that faulted, never started or
 * does not answer is reported in one line each; the module loads anyway.
 * debugfs hcl/sidecar shows each CPU; writing "ping" to it pings them
 * again, "run-test" runs a tiny real-mode guest on each with RUN_VP and
 * checks the exit and the switched registers, "remove <i>" hands a CPU
 * to Linux by hand (REMOVE), "fault <i>" makes one fault in a run.
 *
 * The remote backend (svm/remote.c) runs VTL0 VPs on these CPUs through
 * hcl_sidecar_run_vp(): VP i on the sidecar CPU that is Linux's CPU i.
 * A CPU tells this driver it finished a command with an IPI (the notify
 * vector, an interrupt allocated from the x86 vector domain at load and
 * published in the control page), whose handler wakes the CPU's wait
 * queue; without one the waiters poll every jiffy.
 *
 * Locking: each CPU's lock (a mutex) serializes the commands on it, so a
 * command page has one writer, the holder of that lock; a VP run holds
 * it from before its ASID choice to the end of the run.  sc.lock
 * serializes the debugfs commands (ping, run-test, remove), which take
 * the CPU locks inside it.  The driver's state lives from
 * hcl_sidecar_init() to hcl_sidecar_exit(); the module cannot go while a
 * VP exists, so no run outlives it.
 */
#define pr_fmt(fmt) "hcl: " fmt

#include <kunit/visibility.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <asm/apic.h>
#include <asm/fpu/types.h>
#include <asm/hw_irq.h>
#include <asm/irqdomain.h>
#include <asm/svm.h>
#include <asm/smp.h>

#include <hcl/openhcl_dt.h>
#include <uapi/linux/hcl_nl.h>
#include "log.h"
#include "netlink.h"
#include "sidecar.h"

/* the wake-up IPI's vector: any from 32 up does, the sidecar EOIs it */
#define HCL_SIDECAR_WAKE_VECTOR	0x40
#define HCL_SIDECAR_TIMEOUT_MS	1000

/*
 * One sidecar CPU.  index, apic_id, linux_cpu and page are set at load;
 * the rest belongs to the holder of lock, but for the counters debugfs
 * reads without it, and wq.
 */
struct hcl_sc_cpu {
	u32 index;			/* in the control page */
	u32 apic_id;
	int linux_cpu;			/* -1: no present CPU has the id */
	struct mutex lock;		/* see the top of the file */
	wait_queue_head_t wq;		/* command waiters; the notify IRQ */
	bool dead;			/* a run failed: no more runs here */
	/*
	 * Linux is about to boot the CPU (sc_cpu_prepare()): a VP run on it
	 * stops, and no new one starts.  Set without lock, read by the
	 * holder of lock (a run checks it as it waits).
	 */
	bool hotplug;
	/*
	 * The hot-plug policy asked for the CPU (hcl_sidecar_want_online()):
	 * set once, by the first VP run over the threshold; online_work
	 * then boots it (add_cpu()), on the driver's ordered workqueue.
	 */
	bool policy_online;
	struct work_struct online_work;
	bool left;			/* its netlink event is out (sc_left()) */
	u32 seq;			/* the last command posted */
	u64 vp_runs;			/* RUN_VP of VTL0 VPs */
	u32 pings_ok, pings_failed;
	u64 rtt_ns;			/* the last PING's round trip */
	u32 runs_ok;			/* RUN_VP self-tests passed */
	u64 run_tsc;			/* the last one's cycles in RUN_VP */
	struct hcl_sidecar_cmd_page *page;
};

static struct {
	struct mutex lock;		/* see the top of the file */
	int cpuhp;			/* the prepare callback's state, or 0 */
	struct hcl_sidecar_control *ctl;
	u64 base, size;
	u32 count;
	struct hcl_sc_cpu *cpus;
	struct dentry *debugfs;
	int notify_irq;			/* 0: none, waiters poll */
	u32 notify_vector;
	struct workqueue_struct *online_wq;	/* one CPU at a time */
} sc = {
	.lock = __MUTEX_INITIALIZER(sc.lock),
};

static bool hcl_sidecar_vps = true;
module_param_named(sidecar_vps, hcl_sidecar_vps, bool, 0644);
MODULE_PARM_DESC(sidecar_vps,
		 "Run VP i on VTL2 CPU i when the sidecar holds that CPU (default on; read when the VP is created)");

static unsigned int hcl_sidecar_online_rate;
module_param_named(sidecar_online_rate, hcl_sidecar_online_rate, uint, 0644);
MODULE_PARM_DESC(sidecar_online_rate,
		 "Exits per second of a VP on a sidecar CPU above which that CPU joins Linux and the VP continues there (0, the default: never)");

const char *hcl_sidecar_status_name(u32 status)
{
	static const char *const names[HCL_SIDECAR_NR_STATUS] =
		HCL_SIDECAR_STATUS_NAMES;

	return status < HCL_SIDECAR_NR_STATUS ? names[status] : "?";
}
EXPORT_SYMBOL_IF_KUNIT(hcl_sidecar_status_name);

int hcl_sidecar_post(struct hcl_sidecar_cmd_page *page,
		     const struct hcl_sidecar_cpu *cpu, u32 command, u32 *seq)
{
	u32 cur = READ_ONCE(page->seq);

	/* the sidecar's result and status writes come before its ack */
	if (smp_load_acquire(&page->ack) != cur)
		return -EBUSY;
	if (READ_ONCE(cpu->status) != HCL_SIDECAR_IDLE)
		return -ENODEV;
	WRITE_ONCE(page->command, command);
	WRITE_ONCE(page->result, 0);
	*seq = cur + 1;
	/* the command and its arguments before the new seq */
	smp_store_release(&page->seq, *seq);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_sidecar_post);

enum hcl_sidecar_wait hcl_sidecar_poll(const struct hcl_sidecar_cmd_page *page,
				       const struct hcl_sidecar_cpu *cpu,
				       u32 seq)
{
	u32 status;

	/* ack last: the sidecar wrote result and status before it */
	if (smp_load_acquire(&page->ack) == seq)
		return HCL_SIDECAR_WAIT_DONE;
	status = READ_ONCE(cpu->status);
	if (status == HCL_SIDECAR_FAULT)
		return HCL_SIDECAR_WAIT_FAULT;
	if (status == HCL_SIDECAR_OFFLINE || status == HCL_SIDECAR_REMOVED ||
	    status >= HCL_SIDECAR_NR_STATUS)
		return HCL_SIDECAR_WAIT_GONE;
	return HCL_SIDECAR_WAIT_PENDING;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_sidecar_poll);

int hcl_sidecar_check(const struct hcl_sidecar_control *ctl, u64 region_size,
		      const __be32 *apic_ids, u32 count, char *err,
		      size_t errlen)
{
	u32 i;

	if (ctl->magic != HCL_SIDECAR_MAGIC ||
	    ctl->version != HCL_SIDECAR_VERSION) {
		snprintf(err, errlen,
			 "control page magic %#x version %u, expected %#x version %u",
			 ctl->magic, ctl->version, HCL_SIDECAR_MAGIC,
			 HCL_SIDECAR_VERSION);
		return -EINVAL;
	}
	if (ctl->cpu_count != count || count > HCL_SIDECAR_MAX_CPUS) {
		snprintf(err, errlen,
			 "control page has %u CPUs, the device tree %u (at most %u)",
			 ctl->cpu_count, count, HCL_SIDECAR_MAX_CPUS);
		return -EINVAL;
	}
	if (ctl->region_size != region_size ||
	    region_size != HCL_SIDECAR_REGION_SIZE(count)) {
		snprintf(err, errlen,
			 "region of %#llx bytes, control page says %#llx, %u CPUs need %#llx",
			 region_size, ctl->region_size, count,
			 HCL_SIDECAR_REGION_SIZE(count));
		return -EINVAL;
	}
	for (i = 0; i < count; i++) {
		if (ctl->cpu[i].apic_id != be32_to_cpu(apic_ids[i])) {
			snprintf(err, errlen,
				 "CPU %u: APIC id %u in the control page, %u in the device tree",
				 i, ctl->cpu[i].apic_id,
				 be32_to_cpu(apic_ids[i]));
			return -EINVAL;
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_sidecar_check);

/*
 * The CPU left the sidecar for good: one event to netlink listeners (the
 * first reason only: a CPU never comes back).  c->lock held.
 */
static void sc_left(struct hcl_sc_cpu *c, u32 change)
{
	lockdep_assert_held(&c->lock);
	if (c->left)
		return;
	c->left = true;
	hcl_nl_sidecar_event(c->index, change, c->linux_cpu,
			     READ_ONCE(sc.ctl->cpu[c->index].fault_vector));
}

/* c->lock held */
static void report_fault(struct hcl_sc_cpu *c)
{
	const struct hcl_sidecar_cpu *e = &sc.ctl->cpu[c->index];

	pr_err("sidecar CPU %u (APIC id %u): fault: vector %#x error %#llx at RIP %#llx CR2 %#llx\n",
	       c->index, c->apic_id, READ_ONCE(e->fault_vector),
	       READ_ONCE(e->fault_error), READ_ONCE(e->fault_rip),
	       READ_ONCE(e->fault_cr2));
	sc_left(c, HCL_SIDECAR_CHANGE_FAULT);
}

/* one command, waited for; c->lock held */
static int sc_post(struct hcl_sc_cpu *c, u32 command)
{
	int ret;

	lockdep_assert_held(&c->lock);
	if (c->linux_cpu < 0 || cpu_online(c->linux_cpu))
		return -ENODEV;		/* not (or no longer) the sidecar's */
	ret = hcl_sidecar_post(c->page, &sc.ctl->cpu[c->index], command,
			       &c->seq);
	if (ret)
		return ret;
	apic->send_IPI(c->linux_cpu, HCL_SIDECAR_WAKE_VECTOR);
	return 0;
}

/* waits for the command posted last; c->lock held */
static int sc_wait(struct hcl_sc_cpu *c, u32 *result)
{
	const struct hcl_sidecar_cpu *e = &sc.ctl->cpu[c->index];
	unsigned long end;
	enum hcl_sidecar_wait w;

	end = jiffies + msecs_to_jiffies(HCL_SIDECAR_TIMEOUT_MS);
	while ((w = hcl_sidecar_poll(c->page, e, c->seq)) ==
	       HCL_SIDECAR_WAIT_PENDING && time_before(jiffies, end))
		usleep_range(20, 100);
	switch (w) {
	case HCL_SIDECAR_WAIT_DONE:
		*result = READ_ONCE(c->page->result);
		return 0;
	case HCL_SIDECAR_WAIT_FAULT:
		return -EFAULT;
	case HCL_SIDECAR_WAIT_GONE:
		return -ENODEV;
	default:
		return -ETIMEDOUT;
	}
}

static int sc_command(struct hcl_sc_cpu *c, u32 command, u32 *result)
{
	int ret = sc_post(c, command);

	return ret ? ret : sc_wait(c, result);
}

/* handed to Linux with REMOVE: no longer the sidecar's to command */
static bool sc_gone(const struct hcl_sc_cpu *c)
{
	return READ_ONCE(sc.ctl->cpu[c->index].status) == HCL_SIDECAR_REMOVED;
}

/* c->lock held; true if the CPU answered */
static bool sc_ping(struct hcl_sc_cpu *c)
{
	u32 status = READ_ONCE(sc.ctl->cpu[c->index].status);
	u64 t0 = ktime_get_ns();
	u32 result = 0;
	int ret;

	if (status == HCL_SIDECAR_FAULT) {
		report_fault(c);
		c->pings_failed++;
		return false;
	}
	if (status != HCL_SIDECAR_IDLE) {
		pr_err("sidecar CPU %u (APIC id %u): %s, not in the dispatch loop\n",
		       c->index, c->apic_id, hcl_sidecar_status_name(status));
		c->pings_failed++;
		return false;
	}
	ret = sc_command(c, HCL_SIDECAR_CMD_PING, &result);
	if (ret == -EFAULT)
		report_fault(c);
	else if (ret || result != HCL_SIDECAR_RES_OK)
		pr_err("sidecar CPU %u (APIC id %u): PING failed: error %d, result %u, status %s\n",
		       c->index, c->apic_id, ret, result,
		       hcl_sidecar_status_name(READ_ONCE(sc.ctl->cpu[c->index].status)));
	if (ret || result != HCL_SIDECAR_RES_OK) {
		c->pings_failed++;
		return false;
	}
	c->rtt_ns = ktime_get_ns() - t0;
	c->pings_ok++;
	return true;
}

/*
 * The RUN_VP self-test's guest: real mode, paging and NPT off (so its
 * addresses are host-physical: it only fetches these bytes), CS based
 * on its code page.  It increments BX and runs CPUID, which exits.
 */
static const u8 sc_test_code[] = {
	0x43,			/* 0: inc %bx */
	0x0f, 0xa2,		/* 1: cpuid: intercepted */
	0xf4,			/* 3: hlt: intercepted, never reached */
	0xeb, 0xfe,		/* 4: jmp 4: until hcl.ko stops the run */
};

#define SC_TEST_SPIN_RIP	4

#define SC_TEST_RBX	0x5a5a5a5a00001000ull
#define SC_TEST_CR2	0xc2c2c2c2ull

static void sc_test_seg(struct vmcb_seg *s, u16 attrib, u64 base)
{
	s->selector = 0;
	s->attrib = attrib;
	s->limit = 0xffff;
	s->base = base;
}

static void sc_test_vmcb(struct vmcb *vmcb, u64 code_pa)
{
	static const u16 traps[] = {
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SHUTDOWN,
		INTERCEPT_CPUID, INTERCEPT_HLT, INTERCEPT_VMRUN,
	};
	struct vmcb_save_area *s = &vmcb->save;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(traps); i++)
		vmcb->control.intercepts[traps[i] / 32] |=
			BIT(traps[i] % 32);
	vmcb->control.asid = 1;
	vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	vmcb->control.int_ctl = V_INTR_MASKING_MASK;
	sc_test_seg(&s->cs, 0x9b, code_pa);
	sc_test_seg(&s->ds, 0x93, 0);
	sc_test_seg(&s->es, 0x93, 0);
	sc_test_seg(&s->ss, 0x93, 0);
	sc_test_seg(&s->fs, 0x93, 0);
	sc_test_seg(&s->gs, 0x93, 0);
	sc_test_seg(&s->ldtr, 0x82, 0);
	sc_test_seg(&s->tr, 0x8b, 0);
	s->gdtr.limit = 0xffff;
	s->idtr.limit = 0xffff;
	s->cr0 = X86_CR0_ET;
	s->efer = EFER_SVME;
	s->rflags = X86_EFLAGS_FIXED;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->g_pat = 0x0007040600070406ull;
}

/*
 * A guest that never exits on its own, stopped the way a kick will stop
 * a remote VP: the stop word, then an IPI; the run ends STOPPED with an
 * INTR exit.  c->lock held.
 */
static int sc_run_stop_test(struct hcl_sc_cpu *c, struct vmcb *vmcb)
{
	const struct hcl_sidecar_cpu *e = &sc.ctl->cpu[c->index];
	unsigned long end;
	u32 result = 0;
	int ret;

	vmcb->save.rip = SC_TEST_SPIN_RIP;
	c->page->stop = 0;
	ret = sc_post(c, HCL_SIDECAR_CMD_RUN_VP);
	if (ret)
		return ret;
	/* the CPU took the command (BUSY); give the guest time to spin */
	end = jiffies + msecs_to_jiffies(HCL_SIDECAR_TIMEOUT_MS);
	while (READ_ONCE(e->status) == HCL_SIDECAR_IDLE &&
	       time_before(jiffies, end))
		usleep_range(20, 100);
	usleep_range(1000, 2000);
	WRITE_ONCE(c->page->stop, 1);
	apic->send_IPI(c->linux_cpu, HCL_SIDECAR_WAKE_VECTOR);
	ret = sc_wait(c, &result);
	if (ret == -EFAULT)
		report_fault(c);
	if (!ret && (result != HCL_SIDECAR_RES_STOPPED ||
		     c->page->exit_code != SVM_EXIT_INTR)) {
		pr_err("sidecar CPU %u (APIC id %u): RUN_VP stop test: result %u, exit %#llx at RIP %#llx\n",
		       c->index, c->apic_id, result, c->page->exit_code,
		       vmcb->save.rip);
		ret = -EIO;
	}
	return ret;
}

/* one RUN_VP of the test guest; c->lock held */
static int sc_run_test(struct hcl_sc_cpu *c)
{
	struct page *pages = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
	struct hcl_sidecar_vp_save *save;
	struct vmcb *vmcb;
	u32 result = 0;
	int ret;

	if (!pages)
		return -ENOMEM;
	/* a VMCB address the sidecar must refuse */
	c->page->vmcb_pa = 0x1234;
	c->page->vp_save_pa = 0;
	ret = sc_command(c, HCL_SIDECAR_CMD_RUN_VP, &result);
	if (ret || result != HCL_SIDECAR_RES_BAD_ARG) {
		pr_err("sidecar CPU %u (APIC id %u): RUN_VP with an unaligned VMCB: error %d, result %u\n",
		       c->index, c->apic_id, ret, result);
		__free_pages(pages, 2);
		return ret ? ret : -EIO;
	}
	vmcb = page_address(pages);
	save = page_address(pages + 1);
	memcpy(page_address(pages + 2), sc_test_code, sizeof(sc_test_code));
	sc_test_vmcb(vmcb, page_to_phys(pages + 2));
	save->gpr[3] = SC_TEST_RBX;		/* RBX */
	vmcb->save.cr2 = SC_TEST_CR2;
	c->page->vmcb_pa = page_to_phys(pages);
	c->page->vp_save_pa = page_to_phys(pages + 1);
	c->page->stop = 0;
	c->page->exit_code = 0;
	result = 0;
	ret = sc_command(c, HCL_SIDECAR_CMD_RUN_VP, &result);
	if (ret == -EFAULT)
		report_fault(c);
	else if (ret || result != HCL_SIDECAR_RES_OK)
		pr_err("sidecar CPU %u (APIC id %u): RUN_VP failed: error %d, result %u\n",
		       c->index, c->apic_id, ret, result);
	else if (c->page->exit_code != SVM_EXIT_CPUID ||
		 vmcb->control.exit_code != SVM_EXIT_CPUID ||
		 vmcb->save.rip != 1 || save->gpr[3] != SC_TEST_RBX + 1 ||
		 vmcb->save.cr2 != SC_TEST_CR2)
		ret = -EIO;
	if (ret == -EIO)
		pr_err("sidecar CPU %u (APIC id %u): RUN_VP test: exit %#llx (VMCB %#llx) at RIP %#llx, RBX %#llx, CR2 %#llx\n",
		       c->index, c->apic_id, c->page->exit_code,
		       (u64)vmcb->control.exit_code, vmcb->save.rip, save->gpr[3],
		       vmcb->save.cr2);
	if (!ret && result == HCL_SIDECAR_RES_OK) {
		c->run_tsc = c->page->run_tsc;
		ret = sc_run_stop_test(c, vmcb);
		if (!ret)
			c->runs_ok++;
	}
	c->page->vmcb_pa = 0;
	c->page->vp_save_pa = 0;
	/* a CPU that faulted or did not answer may still use the pages */
	if (ret == -EFAULT || ret == -ETIMEDOUT) {
		pr_err("sidecar CPU %u: leaking its RUN_VP pages\n", c->index);
		return ret;
	}
	__free_pages(pages, 2);
	return ret ? ret : result == HCL_SIDECAR_RES_OK ? 0 : -EIO;
}

/*
 * "fault <i>": a RUN_VP whose FPU state XRSTOR refuses (a non-zero
 * XCOMP_BV in the standard form): the CPU takes a #GP in the middle of a
 * run, reports FAULT and halts for good.  The tests' way to see a fault
 * at run time reported and a VP bound to that CPU fail cleanly.
 */
static int sc_fault_test(u32 index)
{
	struct hcl_sidecar_vp_save *save;
	struct hcl_sc_cpu *c;
	struct page *pages;
	u32 result = 0;
	int ret;

	if (index >= sc.count)
		return -EINVAL;
	c = &sc.cpus[index];
	pages = alloc_pages(GFP_KERNEL | __GFP_ZERO, 2);
	if (!pages)
		return -ENOMEM;
	save = page_address(pages + 1);
	sc_test_vmcb(page_address(pages), page_to_phys(pages + 2));
	memcpy(page_address(pages + 2), sc_test_code, sizeof(sc_test_code));
	save->xcr0 = XFEATURE_MASK_FP;
	save->xsave_mask = XFEATURE_MASK_FP;
	/* XCOMP_BV, after the legacy area and XSTATE_BV */
	*(u64 *)(save->xsave + 520) = 1;
	mutex_lock(&sc.lock);
	mutex_lock(&c->lock);
	c->page->vmcb_pa = page_to_phys(pages);
	c->page->vp_save_pa = page_to_phys(pages + 1);
	c->page->stop = 0;
	ret = sc_command(c, HCL_SIDECAR_CMD_RUN_VP, &result);
	if (ret == -EFAULT) {
		report_fault(c);
		WRITE_ONCE(c->dead, true);
	}
	mutex_unlock(&c->lock);
	mutex_unlock(&sc.lock);
	/* a CPU that did not fault may be running the guest: keep the pages */
	if (ret != -EFAULT) {
		pr_err("sidecar CPU %u: the fault test did not fault (error %d, result %u)\n",
		       index, ret, result);
		return ret ? ret : -EIO;
	}
	__free_pages(pages, 2);
	return 0;
}

/* the self-test on every CPU still the sidecar's; returns the failures */
static u32 sc_run_test_all(void)
{
	u32 i, failed = 0;

	mutex_lock(&sc.lock);
	for (i = 0; i < sc.count; i++) {
		struct hcl_sc_cpu *c = &sc.cpus[i];

		mutex_lock(&c->lock);
		if (!sc_gone(c))
			failed += sc_run_test(c) != 0;
		mutex_unlock(&c->lock);
	}
	mutex_unlock(&sc.lock);
	return failed;
}

/* PING every CPU still the sidecar's; returns the failures */
static u32 sc_ping_all(void)
{
	u32 i, failed = 0;

	mutex_lock(&sc.lock);
	for (i = 0; i < sc.count; i++) {
		struct hcl_sc_cpu *c = &sc.cpus[i];

		mutex_lock(&c->lock);
		if (!sc_gone(c))
			failed += !sc_ping(c);
		mutex_unlock(&c->lock);
	}
	mutex_unlock(&sc.lock);
	return failed;
}

/*
 * REMOVE: the CPU tears its SVM state down, reports REMOVED and halts for
 * INIT, so Linux can boot it (add_cpu(), sysfs online).  The step
 * hot-plug will take from a cpuhp callback.
 */
static int sc_remove(u32 index)
{
	struct hcl_sc_cpu *c;
	u32 result = 0;
	int ret;

	if (index >= sc.count)
		return -EINVAL;
	c = &sc.cpus[index];
	mutex_lock(&sc.lock);
	mutex_lock(&c->lock);
	ret = sc_command(c, HCL_SIDECAR_CMD_REMOVE, &result);
	if (ret == -EFAULT)
		report_fault(c);
	if (!ret && (result != HCL_SIDECAR_RES_OK || !sc_gone(c)))
		ret = -EIO;
	if (ret)
		pr_err("sidecar CPU %u (APIC id %u): REMOVE failed: error %d, result %u\n",
		       c->index, c->apic_id, ret, result);
	else
		hcl_info("sidecar CPU %u (APIC id %u): removed, Linux CPU %d can be brought up\n",
			 c->index, c->apic_id, c->linux_cpu);
	if (!ret)
		sc_left(c, HCL_SIDECAR_CHANGE_TO_LINUX);
	mutex_unlock(&c->lock);
	mutex_unlock(&sc.lock);
	return ret;
}

/* a sidecar CPU acknowledged a command: wake whoever waits for one */
static irqreturn_t sc_notify(int irq, void *data)
{
	u32 i;

	for (i = 0; i < sc.count; i++)
		if (wq_has_sleeper(&sc.cpus[i].wq))
			wake_up(&sc.cpus[i].wq);
	return IRQ_HANDLED;
}

/*
 * The notify vector: an interrupt from the x86 vector domain (what the
 * MSI domains build on), on Linux's CPU, with the edge flow and the local
 * APIC's EOI; its vector and destination go into the control page.
 * Without it (an error here is one line) the waiters poll.
 */
static void sc_notify_init(void)
{
	struct irq_alloc_info info = {};
	struct irq_cfg *cfg;
	int irq, ret;

	irq = irq_domain_alloc_irqs(x86_vector_domain, 1, NUMA_NO_NODE, &info);
	if (irq <= 0) {
		pr_err("sidecar: no notify interrupt (error %d): polling\n",
		       irq);
		return;
	}
	irq_set_handler(irq, handle_edge_irq);
	ret = request_irq(irq, sc_notify, IRQF_NOBALANCING, "hcl-sidecar",
			  &sc);
	cfg = ret ? NULL : irqd_cfg(irq_get_irq_data(irq));
	if (!cfg || cfg->vector < FIRST_EXTERNAL_VECTOR) {
		pr_err("sidecar: notify interrupt %d unusable (error %d): polling\n",
		       irq, ret);
		if (!ret)
			free_irq(irq, &sc);
		irq_dispose_mapping(irq);
		return;
	}
	sc.notify_irq = irq;
	sc.notify_vector = cfg->vector;
	WRITE_ONCE(sc.ctl->notify_apic_id, cfg->dest_apicid);
	/* the destination before the vector: a CPU reads the vector first */
	smp_store_release(&sc.ctl->notify_vector, cfg->vector);
}

static void sc_notify_exit(void)
{
	if (!sc.notify_irq)
		return;
	/* no CPU sends it any more once it reads 0 */
	WRITE_ONCE(sc.ctl->notify_vector, 0);
	free_irq(sc.notify_irq, &sc);
	irq_dispose_mapping(sc.notify_irq);
	sc.notify_irq = 0;
	sc.notify_vector = 0;
}

/* the CPU is Linux's now, or about to be */
static bool sc_linux_took(const struct hcl_sc_cpu *c)
{
	return READ_ONCE(c->hotplug) || sc_gone(c) ||
	       cpu_online(c->linux_cpu);
}

static struct hcl_sc_cpu *sc_by_linux_cpu(unsigned int cpu)
{
	u32 i;

	for (i = 0; i < sc.count; i++)
		if (sc.cpus[i].linux_cpu == (int)cpu)
			return &sc.cpus[i];
	return NULL;
}

int hcl_sidecar_cpu_for_vp(u32 vp_index)
{
	struct hcl_sc_cpu *c = sc_by_linux_cpu(vp_index);

	if (!READ_ONCE(hcl_sidecar_vps) || !c || sc_linux_took(c) ||
	    READ_ONCE(c->dead) ||
	    READ_ONCE(sc.ctl->cpu[c->index].status) != HCL_SIDECAR_IDLE)
		return -ENODEV;
	return c->index;
}

int hcl_sidecar_linux_cpu(u32 idx)
{
	return idx < sc.count ? sc.cpus[idx].linux_cpu : -1;
}

wait_queue_head_t *hcl_sidecar_wq(u32 idx)
{
	return &sc.cpus[idx].wq;
}

int hcl_sidecar_acquire(u32 idx)
{
	struct hcl_sc_cpu *c = &sc.cpus[idx];
	int ret = 0;

	if (mutex_lock_interruptible(&c->lock))
		return -EINTR;
	if (sc_linux_took(c))
		ret = -ENODEV;
	else if (c->dead)
		ret = -EIO;
	if (ret)
		mutex_unlock(&c->lock);
	return ret;
}

void hcl_sidecar_release(u32 idx)
{
	mutex_unlock(&sc.cpus[idx].lock);
}

unsigned int hcl_sidecar_online_threshold(void)
{
	return READ_ONCE(hcl_sidecar_online_rate);
}

static void sc_online_work(struct work_struct *work)
{
	struct hcl_sc_cpu *c = container_of(work, struct hcl_sc_cpu,
					    online_work);
	int ret = add_cpu(c->linux_cpu);

	if (ret)
		pr_err("sidecar CPU %u (APIC id %u): the hot-plug policy could not online Linux CPU %d (error %d)\n",
		       c->index, c->apic_id, c->linux_cpu, ret);
	else
		hcl_info("sidecar CPU %u (APIC id %u): onlined as Linux CPU %d by the hot-plug policy\n",
			 c->index, c->apic_id, c->linux_cpu);
}

/*
 * The policy wants sidecar CPU @idx in Linux: queue its bring-up (once).
 * The VP keeps running there until the hot-plug callback stops it.
 */
void hcl_sidecar_want_online(u32 idx)
{
	struct hcl_sc_cpu *c = &sc.cpus[idx];

	if (!sc.online_wq || xchg(&c->policy_online, true))
		return;
	queue_work(sc.online_wq, &c->online_work);
}

/* whether the policy (and not somebody else) asked for the CPU */
bool hcl_sidecar_onlined_by_policy(u32 idx)
{
	return READ_ONCE(sc.cpus[idx].policy_online);
}

/* a wait that ended without the ack: the CPU is no use any more */
static int sc_run_failed(struct hcl_sc_cpu *c, enum hcl_sidecar_wait w)
{
	WRITE_ONCE(c->dead, true);
	if (w == HCL_SIDECAR_WAIT_FAULT) {
		report_fault(c);
		return -EFAULT;
	}
	pr_err("sidecar CPU %u (APIC id %u): a VP run %s; no more runs there\n",
	       c->index, c->apic_id,
	       w == HCL_SIDECAR_WAIT_GONE ? "lost its CPU" :
	       "did not stop in time");
	sc_left(c, HCL_SIDECAR_CHANGE_LOST);
	return w == HCL_SIDECAR_WAIT_GONE ? -ENODEV : -ETIMEDOUT;
}

/* the command posted last is done, or the CPU can no longer do it */
static bool sc_answered(const struct hcl_sc_cpu *c)
{
	return hcl_sidecar_poll(c->page, &sc.ctl->cpu[c->index], c->seq) !=
	       HCL_SIDECAR_WAIT_PENDING;
}

static bool sc_stop_wanted(const struct hcl_sc_cpu *c,
			   const struct hcl_sidecar_run *r)
{
	return READ_ONCE(*r->kick) || READ_ONCE(c->hotplug);
}

/*
 * RUN_VP of a VTL0 VP, waited for: until the VP exits on its own, or
 * *@r->kick is set, a signal arrives, Linux wants the CPU or, for a
 * @r->brief run, a tick has passed, which set the stop word and send the
 * wake-up IPI (the run then ends STOPPED within microseconds, or the
 * CPU is declared dead after HCL_SIDECAR_TIMEOUT_MS).  The caller holds
 * the CPU (hcl_sidecar_acquire()).
 */
int hcl_sidecar_run_vp(u32 idx, struct hcl_sidecar_run *r)
{
	struct hcl_sc_cpu *c = &sc.cpus[idx];
	const struct hcl_sidecar_cpu *e = &sc.ctl->cpu[idx];
	long poll = sc.notify_irq ? MAX_SCHEDULE_TIMEOUT : 1;
	long stop_wait = msecs_to_jiffies(HCL_SIDECAR_TIMEOUT_MS);
	unsigned long end = jiffies + 1, deadline = 0;
	enum hcl_sidecar_wait w;
	bool stopping;
	u64 t0;
	int ret;

	lockdep_assert_held(&c->lock);
	stopping = r->stop || READ_ONCE(c->hotplug);
	c->page->vmcb_pa = r->vmcb_pa;
	c->page->vp_save_pa = r->save_pa;
	c->page->stop = stopping;
	t0 = ktime_get_ns();
	ret = sc_post(c, HCL_SIDECAR_CMD_RUN_VP);
	if (ret) {
		WRITE_ONCE(c->dead, true);
		pr_err("sidecar CPU %u (APIC id %u): cannot post RUN_VP (error %d, status %s)\n",
		       c->index, c->apic_id, ret,
		       hcl_sidecar_status_name(READ_ONCE(e->status)));
		sc_left(c, HCL_SIDECAR_CHANGE_LOST);
		return ret;
	}
	c->vp_runs++;
	for (;;) {
		w = hcl_sidecar_poll(c->page, e, c->seq);
		if (w != HCL_SIDECAR_WAIT_PENDING)
			break;
		if (stopping) {
			/* the CPU answers a stop at once, or is broken */
			if (!deadline)
				deadline = jiffies + stop_wait;
			else if (time_after(jiffies, deadline))
				return sc_run_failed(c, HCL_SIDECAR_WAIT_PENDING);
			wait_event_timeout(c->wq, sc_answered(c),
					   sc.notify_irq ? stop_wait : 1);
			continue;
		}
		wait_event_interruptible_timeout(c->wq,
						 sc_answered(c) ||
						 sc_stop_wanted(c, r),
						 r->brief ? 1 : poll);
		if (!sc_answered(c) &&
		    (sc_stop_wanted(c, r) || signal_pending(current) ||
		     (r->brief && time_after_eq(jiffies, end)))) {
			stopping = true;
			r->stopped = true;
			WRITE_ONCE(c->page->stop, 1);
			/* the stop word before the IPI that makes it seen */
			smp_wmb();
			apic->send_IPI(c->linux_cpu, HCL_SIDECAR_WAKE_VECTOR);
		}
	}
	if (w != HCL_SIDECAR_WAIT_DONE)
		return sc_run_failed(c, w);
	r->wait_ns = ktime_get_ns() - t0;
	r->result = READ_ONCE(c->page->result);
	r->exit_code = READ_ONCE(c->page->exit_code);
	r->run_tsc = READ_ONCE(c->page->run_tsc);
	r->host_cr3 = READ_ONCE(e->cr3) ?: ~0ULL;
	if (r->result != HCL_SIDECAR_RES_OK &&
	    r->result != HCL_SIDECAR_RES_STOPPED) {
		WRITE_ONCE(c->dead, true);
		pr_err("sidecar CPU %u (APIC id %u): RUN_VP refused: result %u\n",
		       c->index, c->apic_id, r->result);
		sc_left(c, HCL_SIDECAR_CHANGE_LOST);
		return -EINVAL;
	}
	return 0;
}

/*
 * Linux is about to boot @cpu (sysfs online, add_cpu()), on its control
 * CPU before the INIT-SIPI-SIPI: if the CPU is still in the sidecar's
 * dispatch loop, stop the VP running there (it continues locally, see
 * svm/remote.c) and hand the CPU over with REMOVE, so that it waits for
 * INIT with SVM off and GIF set.  A CPU that faulted or never started
 * is halted already and needs nothing; one that does not take REMOVE
 * fails the bring-up.
 */
static int sc_cpu_prepare(unsigned int cpu)
{
	struct hcl_sc_cpu *c = sc_by_linux_cpu(cpu);
	u32 status, result = 0;
	int ret;

	if (!c)
		return 0;
	status = READ_ONCE(sc.ctl->cpu[c->index].status);
	if (status != HCL_SIDECAR_IDLE && status != HCL_SIDECAR_BUSY)
		return 0;
	WRITE_ONCE(c->hotplug, true);
	/* the flag before the wake-up: a running VP's wait sees it */
	smp_mb();
	wake_up(&c->wq);
	mutex_lock(&c->lock);
	ret = sc_command(c, HCL_SIDECAR_CMD_REMOVE, &result);
	if (!ret && (result != HCL_SIDECAR_RES_OK || !sc_gone(c)))
		ret = -EIO;
	if (!ret)
		sc_left(c, HCL_SIDECAR_CHANGE_TO_LINUX);
	mutex_unlock(&c->lock);
	if (ret) {
		pr_err("sidecar CPU %u (APIC id %u): not handed to Linux: REMOVE failed (error %d, result %u)\n",
		       c->index, c->apic_id, ret, result);
		WRITE_ONCE(c->hotplug, false);
		return -EBUSY;
	}
	hcl_info("sidecar CPU %u (APIC id %u): handed to Linux as CPU %u\n",
		 c->index, c->apic_id, cpu);
	return 0;
}

static int sc_show(struct seq_file *m, void *v)
{
	u32 i;

	mutex_lock(&sc.lock);
	seq_printf(m, "cpus %u region %#llx+%#llx notify-vector %#x\n",
		   sc.count, sc.base, sc.size, sc.notify_vector);
	for (i = 0; i < sc.count; i++) {
		const struct hcl_sc_cpu *c = &sc.cpus[i];
		const struct hcl_sidecar_cpu *e = &sc.ctl->cpu[i];
		u32 status = READ_ONCE(e->status);

		seq_printf(m, "cpu %u apic %u linux-cpu %d status %s pings %u ok %u failed %u rtt-ns %llu runs %u run-tsc %llu vp-runs %llu cr3 %#llx%s",
			   i, c->apic_id, c->linux_cpu,
			   hcl_sidecar_status_name(status), READ_ONCE(e->pings),
			   c->pings_ok, c->pings_failed, c->rtt_ns, c->runs_ok,
			   c->run_tsc, READ_ONCE(c->vp_runs), READ_ONCE(e->cr3),
			   READ_ONCE(c->dead) ? " dead" : "");
		if (status == HCL_SIDECAR_FAULT)
			seq_printf(m, " fault-vector %#x error %#llx rip %#llx cr2 %#llx",
				   READ_ONCE(e->fault_vector),
				   READ_ONCE(e->fault_error),
				   READ_ONCE(e->fault_rip),
				   READ_ONCE(e->fault_cr2));
		seq_puts(m, "\n");
	}
	mutex_unlock(&sc.lock);
	return 0;
}

static int sc_open(struct inode *inode, struct file *file)
{
	return single_open(file, sc_show, NULL);
}

/*
 * "ping": ping every CPU still the sidecar's; "run-test": the RUN_VP
 * self-test on each; "remove <i>": hand sidecar CPU i to Linux; "fault
 * <i>": make sidecar CPU i fault in a run (for good).  -EIO if one
 * failed (dmesg says which and why).
 */
static ssize_t sc_write(struct file *file, const char __user *ubuf,
			size_t len, loff_t *ppos)
{
	char buf[24] = "", *cmd;
	u32 index;
	int ret;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	cmd = strim(buf);
	if (!strcmp(cmd, "ping"))
		ret = sc_ping_all() ? -EIO : 0;
	else if (!strcmp(cmd, "run-test"))
		ret = sc_run_test_all() ? -EIO : 0;
	else if (!strncmp(cmd, "remove ", 7) && !kstrtou32(cmd + 7, 10, &index))
		ret = sc_remove(index);
	else if (!strncmp(cmd, "fault ", 6) && !kstrtou32(cmd + 6, 10, &index))
		ret = sc_fault_test(index);
	else
		ret = -EINVAL;
	return ret ? ret : (ssize_t)len;
}

static const struct file_operations sc_fops = {
	.owner = THIS_MODULE,
	.open = sc_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = sc_write,
};

static int sc_linux_cpu(u32 apic_id)
{
	int cpu;

	for_each_present_cpu(cpu)
		if (cpu_physical_id(cpu) == apic_id)
			return cpu;
	return -1;
}

static int sc_read_tree(const __be32 **ids, u32 *count)
{
	struct device_node *np;
	const __be32 *reg;
	int len = 0, ret = 0;

	np = of_find_node_by_path(OPENHCL_DT_PATH "/" OPENHCL_DT_SIDECAR);
	if (!np)
		return -ENOENT;
	*ids = of_get_property(np, OPENHCL_DT_SIDECAR_APIC_IDS, &len);
	*count = *ids ? len / OPENHCL_DT_CELL_SIZE : 0;
	reg = of_get_property(np, OPENHCL_DT_SIDECAR_REGION, &len);
	if (!*count) {
		ret = -ENOENT;
	} else if (!reg || len != OPENHCL_DT_RANGE_SIZE) {
		pr_err("/openhcl/sidecar: %u CPUs but no valid %s\n", *count,
		       OPENHCL_DT_SIDECAR_REGION);
		ret = -EINVAL;
	} else {
		sc.base = of_read_number(reg, 2);
		sc.size = of_read_number(reg + 2, 2);
	}
	/* the properties live as long as the (never freed) flattened tree */
	of_node_put(np);
	return ret;
}

int hcl_sidecar_init(void)
{
	const __be32 *ids = NULL;
	struct dentry *dir;
	char err[128];
	u32 i, count = 0, ok;
	int ret;

	ret = sc_read_tree(&ids, &count);
	if (ret)
		return ret == -ENOENT ? 0 : ret;
	if (!PAGE_ALIGNED(sc.base) ||
	    sc.size != HCL_SIDECAR_REGION_SIZE(count)) {
		pr_err("/openhcl/sidecar: region %#llx+%#llx is not the %u CPUs' %#llx bytes\n",
		       sc.base, sc.size, count, HCL_SIDECAR_REGION_SIZE(count));
		return -EINVAL;
	}
	/* only the control and command pages: the private ones are not ours */
	sc.ctl = memremap(sc.base, HCL_SIDECAR_CMD_OFFSET(count), MEMREMAP_WB);
	if (!sc.ctl)
		return -ENOMEM;
	ret = hcl_sidecar_check(sc.ctl, sc.size, ids, count, err, sizeof(err));
	if (ret) {
		pr_err("sidecar: %s\n", err);
		goto unmap;
	}
	sc.cpus = kcalloc(count, sizeof(*sc.cpus), GFP_KERNEL);
	if (!sc.cpus) {
		ret = -ENOMEM;
		goto unmap;
	}
	sc.count = count;
	for (i = 0; i < count; i++) {
		struct hcl_sc_cpu *c = &sc.cpus[i];

		c->index = i;
		mutex_init(&c->lock);
		init_waitqueue_head(&c->wq);
		INIT_WORK(&c->online_work, sc_online_work);
		c->apic_id = sc.ctl->cpu[i].apic_id;
		c->page = (void *)sc.ctl + HCL_SIDECAR_CMD_OFFSET(i);
		c->seq = READ_ONCE(c->page->seq);
		c->linux_cpu = sc_linux_cpu(c->apic_id);
		if (c->linux_cpu < 0)
			pr_err("sidecar CPU %u (APIC id %u): Linux has no such CPU\n",
			       i, c->apic_id);
		else if (cpu_online(c->linux_cpu))
			pr_err("sidecar CPU %u (APIC id %u): Linux CPU %d is online, not the sidecar's\n",
			       i, c->apic_id, c->linux_cpu);
	}
	sc_notify_init();
	sc.online_wq = alloc_ordered_workqueue("hcl-sidecar-online", 0);
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					"hcl/sidecar:prepare", sc_cpu_prepare,
					NULL);
	if (ret < 0)
		pr_err("sidecar: no CPU hot-plug callback (error %d): onlining a sidecar CPU skips REMOVE\n",
		       ret);
	else
		sc.cpuhp = ret;
	ok = count - sc_ping_all();
	pr_info("sidecar: %u of %u CPUs answer PING; they notify %s\n", ok,
		count, sc.notify_irq ? "with an IPI" : "nobody (polled)");

	dir = debugfs_lookup("hcl", NULL);
	if (!IS_ERR_OR_NULL(dir)) {
		sc.debugfs = debugfs_create_file("sidecar", 0600, dir, NULL,
						 &sc_fops);
		dput(dir);
	}
	return 0;

unmap:
	memunmap(sc.ctl);
	sc.ctl = NULL;
	return ret;
}

void hcl_sidecar_exit(void)
{
	debugfs_remove(sc.debugfs);
	sc.debugfs = NULL;
	if (sc.online_wq)
		destroy_workqueue(sc.online_wq);	/* waits for the work */
	sc.online_wq = NULL;
	if (sc.cpuhp > 0)
		cpuhp_remove_state_nocalls(sc.cpuhp);
	sc.cpuhp = 0;
	sc_notify_exit();
	kfree(sc.cpus);
	sc.cpus = NULL;
	sc.count = 0;
	if (sc.ctl)
		memunmap(sc.ctl);
	sc.ctl = NULL;
}
