// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	netlink/specs/hcl.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/hcl_nl.h>

/* Integer value ranges */
static const struct netlink_range_validation hcl_a_policy_rate_range = {
	.min	= 1ULL,
	.max	= HCL_EVENT_RATE_MAX,
};

static const struct netlink_range_validation hcl_a_policy_burst_range = {
	.min	= 1ULL,
	.max	= HCL_EVENT_RATE_MAX,
};

/* HCL_CMD_VP_GET - do */
static const struct nla_policy hcl_vp_get_nl_policy[HCL_A_VP_ID + 1] = {
	[HCL_A_VP_ID] = NLA_POLICY_MAX(NLA_U32, 4095),
};

/* HCL_CMD_POLICY_SET - do */
static const struct nla_policy hcl_policy_set_nl_policy[HCL_A_POLICY_LOG_LEVEL + 1] = {
	[HCL_A_POLICY_EVENT_MASK] = { .type = NLA_U32, },
	[HCL_A_POLICY_RATE] = NLA_POLICY_FULL_RANGE(NLA_U32, &hcl_a_policy_rate_range),
	[HCL_A_POLICY_BURST] = NLA_POLICY_FULL_RANGE(NLA_U32, &hcl_a_policy_burst_range),
	[HCL_A_POLICY_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x1),
	[HCL_A_POLICY_LOG_LEVEL] = NLA_POLICY_RANGE(NLA_U32, 3, 7),
};

/* Ops table for hcl */
static const struct genl_split_ops hcl_nl_ops[] = {
	{
		.cmd	= HCL_CMD_PART_GET,
		.doit	= hcl_nl_part_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= HCL_CMD_VP_GET,
		.doit		= hcl_nl_vp_get_doit,
		.policy		= hcl_vp_get_nl_policy,
		.maxattr	= HCL_A_VP_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= HCL_CMD_VP_GET,
		.dumpit	= hcl_nl_vp_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd	= HCL_CMD_POLICY_GET,
		.doit	= hcl_nl_policy_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= HCL_CMD_POLICY_SET,
		.doit		= hcl_nl_policy_set_doit,
		.policy		= hcl_policy_set_nl_policy,
		.maxattr	= HCL_A_POLICY_LOG_LEVEL,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group hcl_nl_mcgrps[] = {
	[HCL_NLGRP_EVENTS] = { "events", },
};

struct genl_family hcl_nl_family __ro_after_init = {
	.name		= HCL_FAMILY_NAME,
	.version	= HCL_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= hcl_nl_ops,
	.n_split_ops	= ARRAY_SIZE(hcl_nl_ops),
	.mcgrps		= hcl_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(hcl_nl_mcgrps),
};
