// SPDX-License-Identifier: GPL-2.0
/*
 * Counters, like KVM's: per VP in /sys/kernel/debug/hcl/vp<N>, summed
 * over the module's life in /sys/kernel/debug/hcl/stats.  One
 * "name value" line per counter, the generic ones (stats_list.h) first, then
 * the backend's; *_ns counters are nanoseconds.
 *
 * VP counters are written only by the thread running the VP and read
 * without a lock (64-bit loads do not tear).  Live VPs are on hcl_vps,
 * under hcl_stats_lock; totals of released VPs are folded into
 * hcl_stats_retired.  netlink.c finds VPs on the same list
 * (hcl_stats_next_vp()): a VP leaves it, under the lock, before it is
 * freed, so one found there lives until the lock is dropped.
 */
#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/debugfs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <kunit/visibility.h>

#include "backend.h"
#include "stats.h"
#include "vp.h"

static const struct hcl_stat_desc hcl_stats[] = {
#define HCL_STAT	HCL_STAT_DESC
#include "stats_list.h"
#undef HCL_STAT
};

static_assert(ARRAY_SIZE(hcl_stats) == HCL_NR_GENERIC_STATS);

static atomic64_t hcl_stats_retired[HCL_NR_STATS];
static struct dentry *hcl_debugfs_dir;

/* the VPs that exist, for the totals; nests inside part->lock */
static DEFINE_MUTEX(hcl_stats_lock);
static LIST_HEAD(hcl_vps);

/* counters shown: the generic ones and the backend's */
static unsigned int nr_stats(void)
{
	return HCL_NR_GENERIC_STATS + hcl_backend->nr_stats;
}

/* The @i-th counter shown: the generic ones, then the backend's. */
static const struct hcl_stat_desc *stat_desc(unsigned int i)
{
	if (i < HCL_NR_GENERIC_STATS)
		return &hcl_stats[i];
	if (hcl_backend && i < nr_stats())
		return &hcl_backend->stats[i - HCL_NR_GENERIC_STATS];
	return NULL;
}

const char *hcl_stat_name(unsigned int i)
{
	const struct hcl_stat_desc *d = stat_desc(i);

	return d ? d->name : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_stat_name);

/* counters per VP, as debugfs and netlink show them */
unsigned int hcl_stats_count(void)
{
	return nr_stats();
}

/* The @i-th counter of @vp, as debugfs shows it (i < hcl_stats_count()). */
u64 hcl_stat_read(const struct hcl_vp *vp, unsigned int i)
{
	return READ_ONCE(vp->stats[stat_desc(i)->stat]);
}

/*
 * The live VP with the lowest index >= @from, or NULL; the caller holds
 * hcl_stats_lock (hcl_stats_lock_vps()), which keeps it alive: a VP
 * leaves hcl_vps under that lock before it is freed.
 */
struct hcl_vp *hcl_stats_next_vp(u32 from)
{
	struct hcl_vp *vp, *best = NULL;

	lockdep_assert_held(&hcl_stats_lock);
	list_for_each_entry(vp, &hcl_vps, stats_node)
		if (vp->index >= from && (!best || vp->index < best->index))
			best = vp;
	return best;
}

/* VPs on the list; the caller holds hcl_stats_lock */
unsigned int hcl_stats_nr_vps(void)
{
	const struct hcl_vp *vp;
	unsigned int n = 0;

	lockdep_assert_held(&hcl_stats_lock);
	list_for_each_entry(vp, &hcl_vps, stats_node)
		n++;
	return n;
}

void hcl_stats_lock_vps(void)
{
	mutex_lock(&hcl_stats_lock);
}

void hcl_stats_unlock_vps(void)
{
	mutex_unlock(&hcl_stats_lock);
}

static int vp_stats_show(struct seq_file *m, void *unused)
{
	const struct hcl_vp *vp = m->private;
	unsigned int i;

	for (i = 0; i < nr_stats(); i++)
		seq_printf(m, "%s %llu\n", stat_desc(i)->name,
			   hcl_stat_read(vp, i));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vp_stats);

static int global_stats_show(struct seq_file *m, void *unused)
{
	u64 sum[HCL_NR_STATS];
	const struct hcl_vp *vp;
	unsigned int i;

	for (i = 0; i < HCL_NR_STATS; i++)
		sum[i] = atomic64_read(&hcl_stats_retired[i]);
	mutex_lock(&hcl_stats_lock);
	list_for_each_entry(vp, &hcl_vps, stats_node)
		for (i = 0; i < HCL_NR_STATS; i++)
			sum[i] += READ_ONCE(vp->stats[i]);
	mutex_unlock(&hcl_stats_lock);
	for (i = 0; i < nr_stats(); i++)
		seq_printf(m, "%s %llu\n", stat_desc(i)->name,
			   sum[stat_desc(i)->stat]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(global_stats);

void hcl_stats_vp_add(struct hcl_vp *vp)
{
	char name[16];

	mutex_lock(&hcl_stats_lock);
	list_add_tail(&vp->stats_node, &hcl_vps);
	mutex_unlock(&hcl_stats_lock);
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
	mutex_lock(&hcl_stats_lock);
	list_del(&vp->stats_node);
	for (i = 0; i < HCL_NR_STATS; i++)
		atomic64_add(vp->stats[i], &hcl_stats_retired[i]);
	mutex_unlock(&hcl_stats_lock);
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
