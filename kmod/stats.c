// SPDX-License-Identifier: GPL-2.0
/*
 * Counters, like KVM's: per VP in /sys/kernel/debug/hcl/vp<N>, summed
 * over the module's life in /sys/kernel/debug/hcl/stats.  One
 * "name value" line per counter; *_ns counters are nanoseconds.
 *
 * VP counters are written only by the thread running the VP and read
 * without a lock (64-bit loads do not tear).  Totals of released VPs are
 * folded into hcl_stats_retired.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <kunit/visibility.h>

#include "hcl.h"

static const char *const hcl_stat_names[HCL_NR_STATS] = {
	[HCL_STAT_EXITS]		= "exits",
	[HCL_STAT_USER_EXITS]		= "user_exits",
	[HCL_STAT_CPUID]		= "cpuid",
	[HCL_STAT_IO_USER]		= "io_user",
	[HCL_STAT_IO_KERNEL]		= "io_kernel",
	[HCL_STAT_IO_DOORBELL]		= "io_doorbell",
	[HCL_STAT_MMIO_USER]		= "mmio_user",
	[HCL_STAT_MMIO_DOORBELL]	= "mmio_doorbell",
	[HCL_STAT_MSR_KERNEL]		= "msr_kernel",
	[HCL_STAT_MSR_USER]		= "msr_user",
	[HCL_STAT_HLT_WAIT]		= "hlt_wait",
	[HCL_STAT_HLT_USER]		= "hlt_user",
	[HCL_STAT_INTR]			= "host_interrupt",
	[HCL_STAT_VINTR]		= "irq_window",
	[HCL_STAT_VTL_VIOLATION]	= "vtl_violation",
	[HCL_STAT_INJECTIONS]		= "injections",
	[HCL_STAT_SHUTDOWN]		= "shutdown",
	[HCL_STAT_HYPERCALL]		= "hypercall",
	[HCL_STAT_HYPERCALL_USER]	= "hypercall_user",
	[HCL_STAT_DR]			= "debug_reg",
	[HCL_STAT_OTHER]		= "other",
	[HCL_STAT_ASID_NEW]		= "asid_new",
	[HCL_STAT_TLB_FLUSH_ALL]	= "tlb_flush_all",
	[HCL_STAT_TLB_FLUSH_ASID]	= "tlb_flush_asid",
	[HCL_STAT_VMCB_RELOAD]		= "vmcb_reload",
	[HCL_STAT_GUEST_NS]		= "guest_ns",
	[HCL_STAT_KERNEL_NS]		= "kernel_ns",
	[HCL_STAT_USER_NS]		= "user_ns",
	[HCL_STAT_HALT_NS]		= "halt_ns",
	[HCL_STAT_NMI_STEP]		= "nmi_step",
};

static atomic64_t hcl_stats_retired[HCL_NR_STATS];
static struct dentry *hcl_debugfs_dir;

const char *hcl_stat_name(unsigned int i)
{
	return i < HCL_NR_STATS ? hcl_stat_names[i] : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_stat_name);

static int vp_stats_show(struct seq_file *m, void *unused)
{
	const struct hcl_vp *vp = m->private;
	unsigned int i;

	for (i = 0; i < HCL_NR_STATS; i++)
		seq_printf(m, "%s %llu\n", hcl_stat_names[i],
			   READ_ONCE(vp->stats[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vp_stats);

static int global_stats_show(struct seq_file *m, void *unused)
{
	u64 sum[HCL_NR_STATS];
	unsigned int i;

	for (i = 0; i < HCL_NR_STATS; i++)
		sum[i] = atomic64_read(&hcl_stats_retired[i]);
	hcl_partition_add_live_stats(sum);
	for (i = 0; i < HCL_NR_STATS; i++)
		seq_printf(m, "%s %llu\n", hcl_stat_names[i], sum[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(global_stats);

void hcl_stats_vp_add(struct hcl_vp *vp)
{
	char name[16];

	if (IS_ERR_OR_NULL(hcl_debugfs_dir))
		return;
	snprintf(name, sizeof(name), "vp%u", vp->index);
	vp->debugfs = debugfs_create_file(name, 0400, hcl_debugfs_dir, vp,
					  &vp_stats_fops);
}

/* Removes the VP's file (waiting out readers) and keeps its totals. */
void hcl_stats_vp_remove(struct hcl_vp *vp)
{
	unsigned int i;

	debugfs_remove(vp->debugfs);
	vp->debugfs = NULL;
	for (i = 0; i < HCL_NR_STATS; i++)
		atomic64_add(vp->stats[i], &hcl_stats_retired[i]);
}

void hcl_stats_init(void)
{
	hcl_debugfs_dir = debugfs_create_dir("hcl", NULL);
	debugfs_create_file("stats", 0400, hcl_debugfs_dir, NULL,
			    &global_stats_fops);
}

void hcl_stats_exit(void)
{
	debugfs_remove(hcl_debugfs_dir);
	hcl_debugfs_dir = NULL;
}
