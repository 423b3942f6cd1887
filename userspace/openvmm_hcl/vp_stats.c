// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VP counters for the host (hclctl stats, status).  The one place
 * openvmm_hcl reads them: today from hcl.ko's debugfs files
 * (/sys/kernel/debug/hcl/vpN, "name value" lines, kmod/stats.c); the
 * interface (a VP index in, name/value pairs out) is what a generic
 * netlink dump gives as well, so moving to it changes this file only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "openvmm_hcl.h"

#define DEBUGFS		"/sys/kernel/debug"
#define HCL_DEBUGFS	DEBUGFS "/hcl"

/* debugfs is not mounted by underhill_init: once, on first use */
static bool debugfs_ready(void)
{
	static int state;	/* 0 unknown, 1 ready, -1 failed */
	struct stat st;

	if (state)
		return state > 0;
	if (stat(HCL_DEBUGFS, &st) &&
	    mount("debugfs", DEBUGFS, "debugfs", 0, NULL) && errno != EBUSY) {
		printf("openvmm_hcl: mount debugfs: %s\n", strerror(errno));
		state = -1;
		return false;
	}
	state = 1;
	return true;
}

int vp_stats_collect(unsigned int vp, struct vp_counter *c, unsigned int max)
{
	char path[64], line[128];
	unsigned int n = 0;
	FILE *f;

	if (!debugfs_ready())
		return -1;
	snprintf(path, sizeof(path), HCL_DEBUGFS "/vp%u", vp);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "%31s %llu", c[n].name, &v) == 2) {
			c[n].value = v;
			n++;
		}
	}
	fclose(f);
	return (int)n;
}
