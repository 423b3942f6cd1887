// SPDX-License-Identifier: GPL-2.0
/*
 * hcl.ko's generic netlink family (docs/netlink.md) for openvmm_hcl: the
 * run loop's policy from HCL_POLICY at start and from the host's
 * "policy" requests, and the socket vp_stats.c reads the counters with.
 * Every request is a short round trip to the kernel on the loop's thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcl_nl.h"
#include "openvmm_hcl.h"

static struct hcl_nl nl;
static bool nl_open;

struct hcl_nl *netlink_handle(void)
{
	return nl_open ? &nl : NULL;
}

int netlink_policy(const char *set, char *buf, size_t len, char *err,
		   size_t errlen)
{
	struct hcl_nl_policy p;

	if (!nl_open) {
		snprintf(err, errlen, "hcl.ko's netlink family is not there");
		return -1;
	}
	if (set && *set) {
		if (hcl_nl_policy_parse(set, &p, err, errlen))
			return -1;
		if (hcl_nl_policy_set(&nl, &p)) {
			snprintf(err, errlen, "%s", hcl_nl_error(&nl));
			return -1;
		}
	}
	if (hcl_nl_policy_get(&nl, &p)) {
		snprintf(err, errlen, "%s", hcl_nl_error(&nl));
		return -1;
	}
	hcl_nl_policy_format(&p, buf, len);
	return 0;
}

/* 1 if hcl.ko still has a partition, 0 if not, -1 if it cannot be asked */
int netlink_partition_open(void)
{
	struct hcl_nl_part part;

	if (!nl_open || hcl_nl_part_get(&nl, &part))
		return -1;
	return part.open;
}

void netlink_setup(void)
{
	const char *env = getenv("HCL_POLICY");
	char err[160], pol[256];

	if (hcl_nl_open(&nl)) {
		printf("openvmm_hcl: netlink: %s\n", hcl_nl_error(&nl));
		return;
	}
	nl_open = true;
	if (env && *env &&
	    netlink_policy(env, pol, sizeof(pol), err, sizeof(err)))
		printf("openvmm_hcl: HCL_POLICY: %s (not applied)\n", err);
	if (netlink_policy(NULL, pol, sizeof(pol), err, sizeof(err))) {
		printf("openvmm_hcl: netlink: policy: %s\n", err);
		return;
	}
	printf("openvmm_hcl: run-loop policy%s: %s\n",
	       env && *env ? " (HCL_POLICY)" : "", pol);
}
