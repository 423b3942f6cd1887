// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "hcl": the partition, its VPs and their
 * counters, the run loop's policy (policy.c) and the run loop's events.
 * netlink/specs/hcl.yaml describes it; the ops table and the attribute
 * policies are generated from it (netlink-gen.c), the handlers are here.
 * docs/netlink.md describes it for users.
 *
 * Locking and lifetime:
 * - The family has parallel_ops: each handler takes what it reads.
 *   genl_unregister_family() at unload waits for handlers in flight, and
 *   a dump holds a reference on the module.
 * - VPs are looked up on stats.c's list under its lock
 *   (hcl_stats_lock_vps()), which a VP leaves before it is freed; a VP
 *   found there stays alive until the lock is dropped.  A dump takes the
 *   lock again for each of its messages and carries on from the next VP
 *   index (cb->args[0]): a partition closed or a VP destroyed meanwhile
 *   is simply not in the rest of the dump, and a VP created meanwhile is
 *   in it if its index is past the point reached.
 * - Counters are read without the VP's lock (64-bit loads, as debugfs).
 * - Events are built and sent from the run loop with GFP_ATOMIC, after
 *   the policy's mask and rate limit let them through and only when the
 *   events group has a listener; an allocation failure loses the event.
 */
#define pr_fmt(fmt) "hcl: netlink: " fmt

#include <linux/mutex.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "backend.h"
#include "config.h"
#include "netlink.h"
#include "netlink-gen.h"
#include "partition.h"
#include "policy.h"
#include "stats.h"
#include "vp.h"

/* Operations without request attributes refuse any. */
static int no_attrs(const struct nlmsghdr *nlh, struct netlink_ext_ack *extack)
{
	if (nlmsg_attrlen(nlh, GENL_HDRLEN) > 0) {
		NL_SET_ERR_MSG(extack, "this operation takes no attributes");
		return -EINVAL;
	}
	return 0;
}

/*
 * The reply to an operation without request attributes: @fill puts the
 * attributes (nonzero when they do not fit).
 */
static int reply_without_attrs(struct genl_info *info,
			       int (*fill)(struct sk_buff *msg))
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	ret = no_attrs(info->nlhdr, info->extack);
	if (ret)
		return ret;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_iput(msg, info);
	if (!hdr || fill(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int part_fill(struct sk_buff *msg)
{
	unsigned int vps;

	hcl_stats_lock_vps();
	vps = hcl_stats_nr_vps();
	hcl_stats_unlock_vps();
	return nla_put_u8(msg, HCL_A_PARTITION_OPEN, hcl_partition_exists()) ||
	       nla_put_u32(msg, HCL_A_PARTITION_VP_COUNT,
			   hcl_partition_vp_limit()) ||
	       nla_put_u32(msg, HCL_A_PARTITION_VPS, vps) ||
	       nla_put_uint(msg, HCL_A_PARTITION_VTL0_BASE,
			    hcl_config.vtl0_base) ||
	       nla_put_uint(msg, HCL_A_PARTITION_VTL0_SIZE,
			    hcl_config.vtl0_size) ||
	       nla_put_string(msg, HCL_A_PARTITION_BACKEND,
			      hcl_backend->name) ||
	       nla_put_uint(msg, HCL_A_PARTITION_FEATURES, hcl_features) ||
	       nla_put_u32(msg, HCL_A_PARTITION_API_VERSION, HCL_API_VERSION);
}

int hcl_nl_part_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return reply_without_attrs(info, part_fill);
}

/* What @vp is doing; lockless, so a snapshot. */
static u32 vp_state(struct hcl_vp *vp)
{
	if (mutex_is_locked(&vp->run_lock))
		return READ_ONCE(vp->halted) ? HCL_VP_STATE_HALTED :
					       HCL_VP_STATE_RUNNING;
	return READ_ONCE(vp->last_exit) ? HCL_VP_STATE_USER_EXIT :
					  HCL_VP_STATE_IDLE;
}

/* One VP's message; the caller holds hcl_stats_lock_vps(). */
static int vp_fill(struct sk_buff *skb, struct hcl_vp *vp, u32 portid,
		   u32 seq, int flags)
{
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &hcl_nl_family, flags,
			  HCL_CMD_VP_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, HCL_A_VP_ID, vp->index) ||
	    nla_put_u32(skb, HCL_A_VP_STATE, vp_state(vp)) ||
	    nla_put_u32(skb, HCL_A_VP_LAST_EXIT, READ_ONCE(vp->last_exit)))
		goto cancel;
	for (i = 0; i < hcl_stats_count(); i++) {
		nest = nla_nest_start(skb, HCL_A_VP_STAT);
		if (!nest ||
		    nla_put_string(skb, HCL_A_STAT_NAME, hcl_stat_name(i)) ||
		    nla_put_uint(skb, HCL_A_STAT_VALUE, hcl_stat_read(vp, i)))
			goto cancel;
		nla_nest_end(skb, nest);
	}
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int hcl_nl_vp_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct hcl_vp *vp;
	u32 id;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, HCL_A_VP_ID))
		return -EINVAL;
	id = nla_get_u32(info->attrs[HCL_A_VP_ID]);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hcl_stats_lock_vps();
	vp = hcl_stats_next_vp(id);
	if (!vp || vp->index != id) {
		hcl_stats_unlock_vps();
		nlmsg_free(msg);
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[HCL_A_VP_ID],
				    "no VP with this id");
		return -ENOENT;
	}
	ret = vp_fill(msg, vp, info->snd_portid, info->snd_seq, 0);
	hcl_stats_unlock_vps();
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args[0]: the lowest VP index not dumped yet */
int hcl_nl_vp_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct hcl_vp *vp;
	u32 next = cb->args[0];
	int ret = 0;

	ret = no_attrs(cb->nlh, cb->extack);
	if (ret)
		return ret;
	hcl_stats_lock_vps();
	while ((vp = hcl_stats_next_vp(next))) {
		ret = vp_fill(skb, vp, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (ret)
			break;
		next = vp->index + 1;
	}
	hcl_stats_unlock_vps();
	cb->args[0] = next;
	/* a full message: more to come, unless not even one VP fitted */
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret;
}

static int policy_fill(struct sk_buff *msg)
{
	struct hcl_policy_state s;

	hcl_policy_get(&s);
	return nla_put_u32(msg, HCL_A_POLICY_EVENT_MASK, s.mask) ||
	       nla_put_u32(msg, HCL_A_POLICY_RATE, s.rate) ||
	       nla_put_u32(msg, HCL_A_POLICY_BURST, s.burst) ||
	       nla_put_u32(msg, HCL_A_POLICY_FLAGS, s.flags) ||
	       nla_put_u32(msg, HCL_A_POLICY_LOG_LEVEL, s.log_level) ||
	       nla_put_uint(msg, HCL_A_POLICY_EVENTS_SENT, s.sent) ||
	       nla_put_uint(msg, HCL_A_POLICY_EVENTS_DROPPED, s.dropped);
}

int hcl_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return reply_without_attrs(info, policy_fill);
}

/* the attribute @type if present, into *@val; whether it was */
static bool get_u32(struct genl_info *info, int type, u32 *val)
{
	if (!info->attrs[type])
		return false;
	*val = nla_get_u32(info->attrs[type]);
	return true;
}

int hcl_nl_policy_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct hcl_policy_update u = {};

	u.has_mask = get_u32(info, HCL_A_POLICY_EVENT_MASK, &u.mask);
	u.has_rate = get_u32(info, HCL_A_POLICY_RATE, &u.rate);
	u.has_burst = get_u32(info, HCL_A_POLICY_BURST, &u.burst);
	u.has_flags = get_u32(info, HCL_A_POLICY_FLAGS, &u.flags);
	u.has_log_level = get_u32(info, HCL_A_POLICY_LOG_LEVEL, &u.log_level);
	switch (hcl_policy_check(&u)) {
	case HCL_POLICY_OK:
		break;
	case HCL_POLICY_ERR_EMPTY:
		NL_SET_ERR_MSG(extack, "no policy attribute given");
		return -EINVAL;
	case HCL_POLICY_ERR_MASK:
		NL_SET_ERR_MSG_ATTR(extack, tb[HCL_A_POLICY_EVENT_MASK],
				    "event mask bit names no exit (bit N is HCL_EXIT_N)");
		return -EINVAL;
	case HCL_POLICY_ERR_FLAGS:
		NL_SET_ERR_MSG_ATTR(extack, tb[HCL_A_POLICY_FLAGS],
				    "unknown policy flag");
		return -EINVAL;
	case HCL_POLICY_ERR_RATE:
		NL_SET_ERR_MSG_ATTR(extack, tb[HCL_A_POLICY_RATE],
				    "event rate out of range");
		return -ERANGE;
	case HCL_POLICY_ERR_BURST:
		NL_SET_ERR_MSG_ATTR(extack, tb[HCL_A_POLICY_BURST],
				    "event burst out of range");
		return -ERANGE;
	case HCL_POLICY_ERR_LOG_LEVEL:
		NL_SET_ERR_MSG_ATTR(extack, tb[HCL_A_POLICY_LOG_LEVEL],
				    "log level out of range (3 err .. 7 debug)");
		return -ERANGE;
	}
	hcl_policy_apply(&u);
	return 0;
}

/* the event an exit to userspace raises, as its command */
static u8 event_cmd(u32 reason, u32 *kind)
{
	switch (reason) {
	case HCL_EXIT_SHUTDOWN:
		*kind = HCL_EVENT_KIND_TRIPLE_FAULT;
		return HCL_CMD_TRIPLE_FAULT_NTF;
	case HCL_EXIT_VTL_VIOLATION:
		*kind = HCL_EVENT_KIND_VTL_VIOLATION;
		return HCL_CMD_VTL_VIOLATION_NTF;
	default:
		*kind = HCL_EVENT_KIND_VP_STOP;
		return HCL_CMD_VP_STOP_NTF;
	}
}

/*
 * Called by the run loop after an exit to userspace with @reason, with
 * the VP's lock held.  Cheap when the policy's mask does not name the
 * exit (one READ_ONCE) or nobody listens; never sleeps.
 */
void hcl_nl_exit_event(struct hcl_vp *vp, u32 reason)
{
	const struct hcl_run *run = vp->run;
	struct sk_buff *skb;
	u32 dropped, kind;
	void *hdr;
	u8 cmd;

	if (!hcl_policy_raises(reason) ||
	    !genl_has_listeners(&hcl_nl_family, &init_net, HCL_NLGRP_EVENTS) ||
	    !hcl_policy_event_allow(&dropped))
		return;
	cmd = event_cmd(reason, &kind);
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &hcl_nl_family, 0, cmd);
	if (!hdr)
		goto fail;
	if (nla_put_u32(skb, HCL_A_EVENT_KIND, kind) ||
	    nla_put_u32(skb, HCL_A_EVENT_VP_ID, vp->index) ||
	    nla_put_u32(skb, HCL_A_EVENT_REASON, reason) ||
	    nla_put_uint(skb, HCL_A_EVENT_RIP, READ_ONCE(run->rip)) ||
	    nla_put_u32(skb, HCL_A_EVENT_DROPPED, dropped))
		goto fail;
	if (reason == HCL_EXIT_VTL_VIOLATION) {
		if (nla_put_uint(skb, HCL_A_EVENT_GPA, READ_ONCE(run->vtl.gpa)) ||
		    nla_put_u32(skb, HCL_A_EVENT_ACCESS,
				READ_ONCE(run->vtl.access)))
			goto fail;
	} else if (nla_put_uint(skb, HCL_A_EVENT_HW_CODE,
				READ_ONCE(run->hw_exit_code))) {
		goto fail;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&hcl_nl_family, skb, 0, HCL_NLGRP_EVENTS,
			  GFP_ATOMIC);
	return;

fail:
	nlmsg_free(skb);
}

/*
 * A sidecar CPU left the sidecar (sidecar.c): to Linux, by a fault, or
 * lost.  Rare, so neither filtered nor rate-limited; process context.
 */
void hcl_nl_sidecar_event(u32 cpu, u32 change, int linux_cpu,
			  u32 fault_vector)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&hcl_nl_family, &init_net, HCL_NLGRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &hcl_nl_family, 0, HCL_CMD_SIDECAR_NTF);
	if (!hdr ||
	    nla_put_u32(skb, HCL_A_EVENT_KIND, HCL_EVENT_KIND_SIDECAR_CPU) ||
	    nla_put_u32(skb, HCL_A_EVENT_SIDECAR_CPU, cpu) ||
	    nla_put_u32(skb, HCL_A_EVENT_SIDECAR_CHANGE, change) ||
	    nla_put_s32(skb, HCL_A_EVENT_LINUX_CPU, linux_cpu) ||
	    (change == HCL_SIDECAR_CHANGE_FAULT &&
	     nla_put_u32(skb, HCL_A_EVENT_FAULT_VECTOR, fault_vector))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&hcl_nl_family, skb, 0, HCL_NLGRP_EVENTS,
			  GFP_KERNEL);
}

int hcl_nl_init(void)
{
	return genl_register_family(&hcl_nl_family);
}

void hcl_nl_exit(void)
{
	genl_unregister_family(&hcl_nl_family);
}
