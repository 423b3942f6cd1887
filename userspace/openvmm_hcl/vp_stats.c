// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VP counters for the host (hclctl stats, status): one VP's counters
 * by name, from hcl.ko's netlink family (the same numbers as debugfs,
 * one definition in the module: kmod/stats_list.h).
 */
#include <stdio.h>
#include <string.h>

#include "hcl_nl.h"
#include "openvmm_hcl.h"

int vp_stats_collect(unsigned int vp, struct vp_counter *c, unsigned int max)
{
	static struct hcl_nl_vp v;
	struct hcl_nl *nl = netlink_handle();
	unsigned int i;

	if (!nl || hcl_nl_vp_get(nl, vp, &v))
		return -1;
	for (i = 0; i < v.nr_stats && i < max; i++) {
		snprintf(c[i].name, sizeof(c[i].name), "%s", v.stats[i].name);
		c[i].value = v.stats[i].value;
	}
	return (int)i;
}
