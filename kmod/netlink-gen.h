/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	netlink/specs/hcl.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_HCL_GEN_H
#define _LINUX_HCL_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/hcl_nl.h>

int hcl_nl_part_get_doit(struct sk_buff *skb, struct genl_info *info);
int hcl_nl_vp_get_doit(struct sk_buff *skb, struct genl_info *info);
int hcl_nl_vp_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int hcl_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info);
int hcl_nl_policy_set_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	HCL_NLGRP_EVENTS,
};

extern struct genl_family hcl_nl_family;

#endif /* _LINUX_HCL_GEN_H */
