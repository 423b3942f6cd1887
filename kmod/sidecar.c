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
 * checks the exit and the switched registers (the remote backend's
 * world switch, before the backend exists), "remove <i>" hands a CPU to
 * Linux (REMOVE; hot-plug's first step, before its cpuhp callback).
 *
 * Locking: sc.lock (a mutex) serializes every command and the debugfs
 * output; the command pages have one writer, the holder of sc.lock.  The
 * driver's state lives from hcl_sidecar_init() to hcl_sidecar_exit().
 */
#define pr_fmt(fmt) "hcl: " fmt

#include <kunit/visibility.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apic.h>
#include <asm/svm.h>
#include <asm/smp.h>

#include <hcl/openhcl_dt.h>
#include "sidecar.h"

/* the wake-up IPI's vector: any from 32 up does, the sidecar EOIs it */
#define HCL_SIDECAR_WAKE_VECTOR	0x40
#define HCL_SIDECAR_TIMEOUT_MS	1000

struct hcl_sc_cpu {
	u32 index;			/* in the control page */
	u32 apic_id;
	int linux_cpu;			/* -1: no present CPU has the id */
	u32 seq;			/* the last command posted */
	u32 pings_ok, pings_failed;
	u64 rtt_ns;			/* the last PING's round trip */
	u32 runs_ok;			/* RUN_VP self-tests passed */
	u64 run_tsc;			/* the last one's cycles in RUN_VP */
	struct hcl_sidecar_cmd_page *page;
};

static struct {
	struct mutex lock;		/* see the top of the file */
	struct hcl_sidecar_control *ctl;
	u64 base, size;
	u32 count;
	struct hcl_sc_cpu *cpus;
	struct dentry *debugfs;
} sc = {
	.lock = __MUTEX_INITIALIZER(sc.lock),
};

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

static void report_fault(const struct hcl_sc_cpu *c)
{
	const struct hcl_sidecar_cpu *e = &sc.ctl->cpu[c->index];

	pr_err("sidecar CPU %u (APIC id %u): fault: vector %#x error %#llx at RIP %#llx CR2 %#llx\n",
	       c->index, c->apic_id, READ_ONCE(e->fault_vector),
	       READ_ONCE(e->fault_error), READ_ONCE(e->fault_rip),
	       READ_ONCE(e->fault_cr2));
}

/* one command, waited for; sc.lock held */
static int sc_post(struct hcl_sc_cpu *c, u32 command)
{
	int ret;

	lockdep_assert_held(&sc.lock);
	if (c->linux_cpu < 0 || cpu_online(c->linux_cpu))
		return -ENODEV;		/* not (or no longer) the sidecar's */
	ret = hcl_sidecar_post(c->page, &sc.ctl->cpu[c->index], command,
			       &c->seq);
	if (ret)
		return ret;
	apic->send_IPI(c->linux_cpu, HCL_SIDECAR_WAKE_VECTOR);
	return 0;
}

/* waits for the command posted last; sc.lock held */
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

/* sc.lock held; true if the CPU answered */
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
 * INTR exit.  sc.lock held.
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

/* one RUN_VP of the test guest; sc.lock held */
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

/* the self-test on every CPU still the sidecar's; returns the failures */
static u32 sc_run_test_all(void)
{
	u32 i, failed = 0;

	mutex_lock(&sc.lock);
	for (i = 0; i < sc.count; i++)
		if (!sc_gone(&sc.cpus[i]))
			failed += sc_run_test(&sc.cpus[i]) != 0;
	mutex_unlock(&sc.lock);
	return failed;
}

/* PING every CPU still the sidecar's; returns the failures */
static u32 sc_ping_all(void)
{
	u32 i, failed = 0;

	mutex_lock(&sc.lock);
	for (i = 0; i < sc.count; i++)
		if (!sc_gone(&sc.cpus[i]))
			failed += !sc_ping(&sc.cpus[i]);
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
	ret = sc_command(c, HCL_SIDECAR_CMD_REMOVE, &result);
	if (ret == -EFAULT)
		report_fault(c);
	if (!ret && (result != HCL_SIDECAR_RES_OK || !sc_gone(c)))
		ret = -EIO;
	if (ret)
		pr_err("sidecar CPU %u (APIC id %u): REMOVE failed: error %d, result %u\n",
		       c->index, c->apic_id, ret, result);
	else
		pr_info("sidecar CPU %u (APIC id %u): removed, Linux CPU %d can be brought up\n",
			c->index, c->apic_id, c->linux_cpu);
	mutex_unlock(&sc.lock);
	return ret;
}

static int sc_show(struct seq_file *m, void *v)
{
	u32 i;

	mutex_lock(&sc.lock);
	seq_printf(m, "cpus %u region %#llx+%#llx\n", sc.count, sc.base,
		   sc.size);
	for (i = 0; i < sc.count; i++) {
		const struct hcl_sc_cpu *c = &sc.cpus[i];
		const struct hcl_sidecar_cpu *e = &sc.ctl->cpu[i];
		u32 status = READ_ONCE(e->status);

		seq_printf(m, "cpu %u apic %u linux-cpu %d status %s pings %u ok %u failed %u rtt-ns %llu runs %u run-tsc %llu",
			   i, c->apic_id, c->linux_cpu,
			   hcl_sidecar_status_name(status), READ_ONCE(e->pings),
			   c->pings_ok, c->pings_failed, c->rtt_ns, c->runs_ok,
			   c->run_tsc);
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
 * self-test on each; "remove <i>": hand sidecar CPU i to Linux.  -EIO if
 * one failed (dmesg says which and why).
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
	ok = count - sc_ping_all();
	pr_info("sidecar: %u of %u CPUs answer PING\n", ok, count);

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
	kfree(sc.cpus);
	sc.cpus = NULL;
	sc.count = 0;
	if (sc.ctl)
		memunmap(sc.ctl);
	sc.ctl = NULL;
}
