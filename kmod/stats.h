/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters, like KVM's (stats.c).  The generic ones come from one table,
 * stats_list.h, which gives both the enum and the debugfs names; a
 * backend's follow them in vp->stats, from a table of its own
 * (struct hcl_backend_ops.stats).
 */
#ifndef HCL_STATS_H
#define HCL_STATS_H

#include <linux/types.h>

struct hcl_vp;

enum hcl_stat {
#define HCL_STAT(e, ...)	HCL_STAT_##e,
#include "stats_list.h"
#undef HCL_STAT
	HCL_NR_GENERIC_STATS
};

/* room for the backend's counters, which follow the generic ones */
#define HCL_MAX_BACKEND_STATS	16
#define HCL_NR_STATS		(HCL_NR_GENERIC_STATS + HCL_MAX_BACKEND_STATS)

/* a counter's index in vp->stats and its debugfs name */
struct hcl_stat_desc {
	unsigned int stat;
	const char *name;
};

/* an initializer of struct hcl_stat_desc, for HCL_STAT() */
#define HCL_STAT_DESC(e, str)	{ .stat = HCL_STAT_##e, .name = #str },

const char *hcl_stat_name(unsigned int i);
unsigned int hcl_stats_count(void);
u64 hcl_stat_read(const struct hcl_vp *vp, unsigned int i);
/* the live VPs, for netlink's dump (stats.c says how they stay alive) */
void hcl_stats_lock_vps(void);
void hcl_stats_unlock_vps(void);
struct hcl_vp *hcl_stats_next_vp(u32 from);
unsigned int hcl_stats_nr_vps(void);
void hcl_stats_vp_add(struct hcl_vp *vp);
void hcl_stats_vp_remove(struct hcl_vp *vp);
void hcl_stats_init(void);
void hcl_stats_exit(void);

#endif /* HCL_STATS_H */
