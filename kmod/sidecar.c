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
 * again.
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
static int sc_command(struct hcl_sc_cpu *c, u32 command, u32 *result)
{
	const struct hcl_sidecar_cpu *e = &sc.ctl->cpu[c->index];
	unsigned long end;
	enum hcl_sidecar_wait w;
	int ret;

	lockdep_assert_held(&sc.lock);
	if (c->linux_cpu < 0 || cpu_online(c->linux_cpu))
		return -ENODEV;		/* not (or no longer) the sidecar's */
	ret = hcl_sidecar_post(c->page, e, command, &c->seq);
	if (ret)
		return ret;
	apic->send_IPI(c->linux_cpu, HCL_SIDECAR_WAKE_VECTOR);
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

static u32 sc_ping_all(void)
{
	u32 i, ok = 0;

	mutex_lock(&sc.lock);
	for (i = 0; i < sc.count; i++)
		ok += sc_ping(&sc.cpus[i]);
	mutex_unlock(&sc.lock);
	return ok;
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

		seq_printf(m, "cpu %u apic %u linux-cpu %d status %s pings %u ok %u failed %u rtt-ns %llu",
			   i, c->apic_id, c->linux_cpu,
			   hcl_sidecar_status_name(status), READ_ONCE(e->pings),
			   c->pings_ok, c->pings_failed, c->rtt_ns);
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

/* "ping": ping every sidecar CPU; -EIO if one did not answer */
static ssize_t sc_write(struct file *file, const char __user *ubuf,
			size_t len, loff_t *ppos)
{
	char buf[8] = "";

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (strcmp(strim(buf), "ping"))
		return -EINVAL;
	return sc_ping_all() == sc.count ? (ssize_t)len : -EIO;
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
	ok = sc_ping_all();
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
