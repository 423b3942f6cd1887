// SPDX-License-Identifier: GPL-2.0
/*
 * The client of hcl.ko's generic netlink family (hcl_nl.h says what it
 * offers).  Requests go out on one socket and wait for their replies,
 * with extended acks on, so that a refusal comes back with the kernel's
 * message; events arrive on a second socket that joined the events
 * group, read without blocking.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/hcl.h>
#include <linux/netlink.h>

#include "hcl_nl.h"

/* ---- names ------------------------------------------------------------- */

/* the kernel's table of the exits userspace sees, one definition */
static const struct {
	uint32_t reason;
	const char *name;
} exit_names[] = {
#define HCL_USER_EXIT(r, n)	{ r, #n },
#include "../../kmod/exits.h"
#undef HCL_USER_EXIT
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* a dump's messages come in buffers of up to 32 KiB */
#define HCL_NL_RECV_SIZE	32768

const char *hcl_nl_exit_name(uint32_t reason)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exit_names); i++)
		if (exit_names[i].reason == reason)
			return exit_names[i].name;
	return NULL;
}

const char *hcl_nl_vp_state_name(uint32_t state)
{
	switch (state) {
	case HCL_VP_STATE_IDLE:		return "idle";
	case HCL_VP_STATE_RUNNING:	return "running";
	case HCL_VP_STATE_HALTED:	return "halted";
	case HCL_VP_STATE_USER_EXIT:	return "user-exit";
	}
	return "unknown";
}

const char *hcl_nl_event_kind_name(uint32_t kind)
{
	switch (kind) {
	case HCL_EVENT_KIND_VP_STOP:		return "vp-stop";
	case HCL_EVENT_KIND_TRIPLE_FAULT:	return "triple-fault";
	case HCL_EVENT_KIND_VTL_VIOLATION:	return "vtl-violation";
	case HCL_EVENT_KIND_SIDECAR_CPU:	return "sidecar-cpu";
	}
	return "unknown";
}

/* ---- attributes -------------------------------------------------------- */

/* a "uint" attribute: 4 or 8 bytes */
static int get_uint(const struct nlattr *a, uint64_t *v)
{
	switch (mnl_attr_get_payload_len(a)) {
	case 4:
		*v = mnl_attr_get_u32(a);
		return 0;
	case 8:
		*v = mnl_attr_get_u64(a);
		return 0;
	}
	return -EBADMSG;
}

static int get_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -EBADMSG;
	*v = mnl_attr_get_u32(a);
	return 0;
}

/* a NUL-terminated string attribute into @buf */
static int get_str(const struct nlattr *a, char *buf, size_t len)
{
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return -EBADMSG;
	snprintf(buf, len, "%s", mnl_attr_get_str(a));
	return 0;
}

/* the attributes of a genetlink message of @cmd; NULL if it is not one */
static const struct genlmsghdr *genl_hdr(const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_len < mnl_nlmsg_size(GENL_HDRLEN))
		return NULL;
	return mnl_nlmsg_get_payload(nlh);
}

/* ---- requests ---------------------------------------------------------- */

struct req_ctx {
	struct hcl_nl *nl;
	int (*fn)(const struct nlmsghdr *nlh, void *arg);
	void *arg;
	int err;
};

static int ext_ack_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, NLMSGERR_ATTR_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/*
 * An error @err with the kernel's extended ack, whose attributes start
 * @off bytes into @nlh's payload, into nl->err.
 */
static void ext_ack(struct hcl_nl *nl, const struct nlmsghdr *nlh,
		    unsigned int off, int err)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	int n;

	n = snprintf(nl->err, sizeof(nl->err), "%s", strerror(-err));
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    off < nlh->nlmsg_len - sizeof(*nlh))
		mnl_attr_parse(nlh, off, ext_ack_attr, tb);
	if (tb[NLMSGERR_ATTR_MSG] &&
	    mnl_attr_validate(tb[NLMSGERR_ATTR_MSG], MNL_TYPE_NUL_STRING) >= 0)
		n += snprintf(nl->err + n, sizeof(nl->err) - n, ": %s",
			      mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
	if (n < (int)sizeof(nl->err) && tb[NLMSGERR_ATTR_OFFS] &&
	    mnl_attr_validate(tb[NLMSGERR_ATTR_OFFS], MNL_TYPE_U32) >= 0)
		n += snprintf(nl->err + n, sizeof(nl->err) - n,
			      " (attribute at offset %u)",
			      mnl_attr_get_u32(tb[NLMSGERR_ATTR_OFFS]));
	if (n < (int)sizeof(nl->err) && tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    mnl_attr_validate(tb[NLMSGERR_ATTR_MISS_TYPE], MNL_TYPE_U32) >= 0)
		snprintf(nl->err + n, sizeof(nl->err) - n,
			 ": missing attribute %u",
			 mnl_attr_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
}

/* NLMSG_ERROR: an ack, or an error with the kernel's extended ack */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct req_ctx *ctx = data;
	unsigned int off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		ctx->err = -EBADMSG;
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	ctx->err = e->error;
	ext_ack(ctx->nl, nlh, off, e->error);
	errno = -e->error;
	return MNL_CB_ERROR;
}

/* NLMSG_DONE: the end of a dump, which may carry the dump's error */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct req_ctx *ctx = data;
	int err = 0;

	if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(err)))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return MNL_CB_STOP;
	ctx->err = err;
	ext_ack(ctx->nl, nlh, sizeof(err), err);
	errno = -err;
	return MNL_CB_ERROR;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	struct req_ctx *ctx = data;

	(void)nlh;
	ctx->err = -ENOSPC;
	snprintf(ctx->nl->err, sizeof(ctx->nl->err), "netlink overrun");
	errno = ENOSPC;
	return MNL_CB_ERROR;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct req_ctx *ctx = data;
	int ret;

	if (!ctx->fn)
		return MNL_CB_OK;
	ret = ctx->fn(nlh, ctx->arg);
	if (ret < 0) {
		ctx->err = ret;
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

struct nlmsghdr *hcl_nl_msg(struct hcl_nl *nl, void *buf, uint8_t cmd,
			    uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = HCL_FAMILY_VERSION;
	return nlh;
}

int hcl_nl_request(struct hcl_nl *nl, struct nlmsghdr *nlh,
		   int (*fn)(const struct nlmsghdr *nlh, void *arg),
		   void *arg)
{
	/* every control type: a NULL entry would make libmnl skip it */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[0] = noop_cb,
		[NLMSG_NOOP] = noop_cb,
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
		[NLMSG_OVERRUN] = overrun_cb,
	};
	struct req_ctx ctx = { .nl = nl, .fn = fn, .arg = arg };
	uint32_t portid = mnl_socket_get_portid(nl->sock);
	char *buf;
	ssize_t n;
	int ret;

	nl->err[0] = 0;
	/* a do ends with its ack; a dump with NLMSG_DONE */
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		snprintf(nl->err, sizeof(nl->err), "send: %s", strerror(errno));
		return ret;
	}
	buf = malloc(HCL_NL_RECV_SIZE);
	if (!buf)
		return -ENOMEM;
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, HCL_NL_RECV_SIZE);
		if (n < 0) {
			ret = -errno;
			snprintf(nl->err, sizeof(nl->err), "receive: %s",
				 strerror(errno));
			break;
		}
		ret = mnl_cb_run2(buf, n, nlh->nlmsg_seq, portid, data_cb,
				  &ctx, ctl, NLMSG_MIN_TYPE);
	} while (ret == MNL_CB_OK);
	free(buf);
	if (ret == MNL_CB_ERROR) {
		ret = ctx.err ? ctx.err : -errno;
		if (!nl->err[0])
			snprintf(nl->err, sizeof(nl->err), "%s",
				 strerror(-ret));
	}
	return ret < 0 ? ret : 0;
}

/* ---- the family -------------------------------------------------------- */

struct family_info {
	int id;
	uint32_t events;
};

static int grp_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, CTRL_ATTR_MCAST_GRP_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int family_attr(const struct nlattr *a, void *data)
{
	struct family_info *fi = data;
	const struct nlattr *grp;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		fi->id = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested(grp, a) {
			const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
				0 };

			mnl_attr_parse_nested(grp, grp_attr, tb);
			if (!tb[CTRL_ATTR_MCAST_GRP_NAME] ||
			    !tb[CTRL_ATTR_MCAST_GRP_ID] ||
			    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_NAME],
					      MNL_TYPE_NUL_STRING) < 0 ||
			    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_ID],
					      MNL_TYPE_U32) < 0)
				continue;
			if (!strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
				    HCL_MCGRP_EVENTS))
				fi->events = mnl_attr_get_u32(
					tb[CTRL_ATTR_MCAST_GRP_ID]);
		}
		break;
	}
	return MNL_CB_OK;
}

static int family_msg(const struct nlmsghdr *nlh, void *arg)
{
	if (!genl_hdr(nlh))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, family_attr, arg) < 0)
		return -EBADMSG;
	return 0;
}

int hcl_nl_open(struct hcl_nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct family_info fi = { .id = -1 };
	struct nlmsghdr *nlh;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		snprintf(nl->err, sizeof(nl->err), "netlink socket: %s",
			 strerror(errno));
		if (nl->sock)
			mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return ret;
	}
	/* the kernel's reason with every error, without our request */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	nl->family = GENL_ID_CTRL;
	nlh = hcl_nl_msg(nl, buf, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, HCL_FAMILY_NAME);
	ret = hcl_nl_request(nl, nlh, family_msg, &fi);
	if (!ret && fi.id < 0)
		ret = -EBADMSG;
	if (ret) {
		char why[160];

		snprintf(why, sizeof(why), "%.150s", nl->err);
		snprintf(nl->err, sizeof(nl->err),
			 "family \"%s\" not found (is hcl.ko loaded?): %.160s",
			 HCL_FAMILY_NAME, why);
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return ret;
	}
	nl->family = fi.id;
	nl->events_group = fi.events;
	return 0;
}

void hcl_nl_close(struct hcl_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	if (nl->events)
		mnl_socket_close(nl->events);
	nl->sock = nl->events = NULL;
}

const char *hcl_nl_error(const struct hcl_nl *nl)
{
	return nl->err[0] ? nl->err : "no error";
}

/* ---- partition --------------------------------------------------------- */

static int part_attr(const struct nlattr *a, void *data)
{
	struct hcl_nl_part *p = data;
	int ret = 0;

	switch (mnl_attr_get_type(a)) {
	case HCL_A_PARTITION_OPEN:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		p->open = mnl_attr_get_u8(a);
		break;
	case HCL_A_PARTITION_VP_COUNT:
		ret = get_u32(a, &p->vp_count);
		break;
	case HCL_A_PARTITION_VPS:
		ret = get_u32(a, &p->vps);
		break;
	case HCL_A_PARTITION_API_VERSION:
		ret = get_u32(a, &p->api_version);
		break;
	case HCL_A_PARTITION_VTL0_BASE:
		ret = get_uint(a, &p->vtl0_base);
		break;
	case HCL_A_PARTITION_VTL0_SIZE:
		ret = get_uint(a, &p->vtl0_size);
		break;
	case HCL_A_PARTITION_FEATURES:
		ret = get_uint(a, &p->features);
		break;
	case HCL_A_PARTITION_BACKEND:
		ret = get_str(a, p->backend, sizeof(p->backend));
		break;
	}
	return ret ? MNL_CB_ERROR : MNL_CB_OK;
}

static int part_msg(const struct nlmsghdr *nlh, void *arg)
{
	if (!genl_hdr(nlh) ||
	    mnl_attr_parse(nlh, GENL_HDRLEN, part_attr, arg) < 0)
		return -EBADMSG;
	return 0;
}

int hcl_nl_part_get(struct hcl_nl *nl, struct hcl_nl_part *part)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	memset(part, 0, sizeof(*part));
	return hcl_nl_request(nl, hcl_nl_msg(nl, buf, HCL_CMD_PART_GET, 0),
			      part_msg, part);
}

/* ---- VPs --------------------------------------------------------------- */

static int stat_attr(const struct nlattr *a, void *data)
{
	struct hcl_nl_stat *s = data;

	switch (mnl_attr_get_type(a)) {
	case HCL_A_STAT_NAME:
		if (get_str(a, s->name, sizeof(s->name)))
			return MNL_CB_ERROR;
		break;
	case HCL_A_STAT_VALUE:
		if (get_uint(a, &s->value))
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

static int vp_attr(const struct nlattr *a, void *data)
{
	struct hcl_nl_vp *vp = data;
	struct hcl_nl_stat *s;
	int ret = 0;

	switch (mnl_attr_get_type(a)) {
	case HCL_A_VP_ID:
		ret = get_u32(a, &vp->id);
		break;
	case HCL_A_VP_STATE:
		ret = get_u32(a, &vp->state);
		break;
	case HCL_A_VP_LAST_EXIT:
		ret = get_u32(a, &vp->last_exit);
		break;
	case HCL_A_VP_STAT:
		if (vp->nr_stats >= HCL_NL_MAX_STATS)
			return MNL_CB_ERROR;
		s = &vp->stats[vp->nr_stats];
		memset(s, 0, sizeof(*s));
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(a, stat_attr, s) < 0 || !s->name[0])
			return MNL_CB_ERROR;
		vp->nr_stats++;
		break;
	}
	return ret ? MNL_CB_ERROR : MNL_CB_OK;
}

int hcl_nl_vp_parse(const struct nlmsghdr *nlh, struct hcl_nl_vp *vp)
{
	const struct genlmsghdr *g = genl_hdr(nlh);

	memset(vp, 0, sizeof(*vp));
	vp->id = UINT32_MAX;
	if (!g || g->cmd != HCL_CMD_VP_GET ||
	    mnl_attr_parse(nlh, GENL_HDRLEN, vp_attr, vp) < 0 ||
	    vp->id == UINT32_MAX)
		return -EBADMSG;
	return 0;
}

int64_t hcl_nl_vp_stat(const struct hcl_nl_vp *vp, const char *name)
{
	unsigned int i;

	for (i = 0; i < vp->nr_stats; i++)
		if (!strcmp(vp->stats[i].name, name))
			return (int64_t)vp->stats[i].value;
	return -1;
}

static int vp_one(const struct nlmsghdr *nlh, void *arg)
{
	return hcl_nl_vp_parse(nlh, arg);
}

int hcl_nl_vp_get(struct hcl_nl *nl, uint32_t id, struct hcl_nl_vp *vp)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = hcl_nl_msg(nl, buf, HCL_CMD_VP_GET, 0);

	mnl_attr_put_u32(nlh, HCL_A_VP_ID, id);
	return hcl_nl_request(nl, nlh, vp_one, vp);
}

struct dump_ctx {
	hcl_nl_vp_fn fn;
	void *arg;
	struct hcl_nl_vp vp;
	int count;
};

static int vp_each(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *d = arg;
	int ret = hcl_nl_vp_parse(nlh, &d->vp);

	if (ret)
		return ret;
	d->count++;
	return d->fn ? d->fn(&d->vp, d->arg) : 0;
}

int hcl_nl_vp_dump(struct hcl_nl *nl, hcl_nl_vp_fn fn, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump_ctx *d = calloc(1, sizeof(*d));
	int ret;

	if (!d)
		return -ENOMEM;
	d->fn = fn;
	d->arg = arg;
	ret = hcl_nl_request(nl, hcl_nl_msg(nl, buf, HCL_CMD_VP_GET,
					    NLM_F_DUMP), vp_each, d);
	if (!ret)
		ret = d->count;
	free(d);
	return ret;
}

/* ---- policy ------------------------------------------------------------ */

static int policy_attr(const struct nlattr *a, void *data)
{
	struct hcl_nl_policy *p = data;
	int ret = 0;

	switch (mnl_attr_get_type(a)) {
	case HCL_A_POLICY_EVENT_MASK:
		ret = get_u32(a, &p->event_mask);
		p->has |= HCL_NL_POLICY_MASK;
		break;
	case HCL_A_POLICY_RATE:
		ret = get_u32(a, &p->rate);
		p->has |= HCL_NL_POLICY_RATE;
		break;
	case HCL_A_POLICY_BURST:
		ret = get_u32(a, &p->burst);
		p->has |= HCL_NL_POLICY_BURST;
		break;
	case HCL_A_POLICY_FLAGS:
		ret = get_u32(a, &p->flags);
		p->has |= HCL_NL_POLICY_FLAGS;
		break;
	case HCL_A_POLICY_LOG_LEVEL:
		ret = get_u32(a, &p->log_level);
		p->has |= HCL_NL_POLICY_LOG;
		break;
	case HCL_A_POLICY_EVENTS_SENT:
		ret = get_uint(a, &p->events_sent);
		break;
	case HCL_A_POLICY_EVENTS_DROPPED:
		ret = get_uint(a, &p->events_dropped);
		break;
	}
	return ret ? MNL_CB_ERROR : MNL_CB_OK;
}

static int policy_msg(const struct nlmsghdr *nlh, void *arg)
{
	if (!genl_hdr(nlh) ||
	    mnl_attr_parse(nlh, GENL_HDRLEN, policy_attr, arg) < 0)
		return -EBADMSG;
	return 0;
}

int hcl_nl_policy_get(struct hcl_nl *nl, struct hcl_nl_policy *p)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	memset(p, 0, sizeof(*p));
	return hcl_nl_request(nl, hcl_nl_msg(nl, buf, HCL_CMD_POLICY_GET, 0),
			      policy_msg, p);
}

int hcl_nl_policy_set(struct hcl_nl *nl, const struct hcl_nl_policy *p)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = hcl_nl_msg(nl, buf, HCL_CMD_POLICY_SET, 0);

	if (p->has & HCL_NL_POLICY_MASK)
		mnl_attr_put_u32(nlh, HCL_A_POLICY_EVENT_MASK, p->event_mask);
	if (p->has & HCL_NL_POLICY_RATE)
		mnl_attr_put_u32(nlh, HCL_A_POLICY_RATE, p->rate);
	if (p->has & HCL_NL_POLICY_BURST)
		mnl_attr_put_u32(nlh, HCL_A_POLICY_BURST, p->burst);
	if (p->has & HCL_NL_POLICY_FLAGS)
		mnl_attr_put_u32(nlh, HCL_A_POLICY_FLAGS, p->flags);
	if (p->has & HCL_NL_POLICY_LOG)
		mnl_attr_put_u32(nlh, HCL_A_POLICY_LOG_LEVEL, p->log_level);
	return hcl_nl_request(nl, nlh, NULL, NULL);
}

/* a decimal or 0x number that fits in 32 bits, all of @s */
static int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || *end || n > UINT32_MAX)
		return -EINVAL;
	*v = n;
	return 0;
}

/* "shutdown+vtl_violation", "none" or a number */
static int parse_mask(const char *s, uint32_t *mask, char *err,
		      size_t errlen)
{
	char *copy, *tok, *save = NULL;
	uint32_t m = 0;
	size_t i;

	if (!parse_u32(s, mask))
		return 0;
	if (!strcmp(s, "none")) {
		*mask = 0;
		return 0;
	}
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, "+", &save); tok;
	     tok = strtok_r(NULL, "+", &save)) {
		for (i = 0; i < ARRAY_SIZE(exit_names); i++)
			if (!strcmp(tok, exit_names[i].name))
				break;
		if (i == ARRAY_SIZE(exit_names)) {
			snprintf(err, errlen, "events=: unknown exit \"%s\"",
				 tok);
			free(copy);
			return -EINVAL;
		}
		m |= 1U << exit_names[i].reason;
	}
	free(copy);
	if (!m) {
		snprintf(err, errlen, "events=: no exit named");
		return -EINVAL;
	}
	*mask = m;
	return 0;
}

/* the log levels' names, printk's: index = level - HCL_LOG_LEVEL_ERR */
static const char *const log_names[] = {
	"err", "warning", "notice", "info", "debug",
};

const char *hcl_nl_log_level_name(uint32_t level)
{
	if (level < HCL_LOG_LEVEL_ERR || level > HCL_LOG_LEVEL_DEBUG)
		return NULL;
	return log_names[level - HCL_LOG_LEVEL_ERR];
}

/* "debug" or 7 */
static int parse_log(const char *s, uint32_t *level, char *err,
		     size_t errlen)
{
	uint32_t v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(log_names); i++)
		if (!strcmp(s, log_names[i])) {
			*level = HCL_LOG_LEVEL_ERR + i;
			return 0;
		}
	if (!parse_u32(s, &v) && hcl_nl_log_level_name(v)) {
		*level = v;
		return 0;
	}
	snprintf(err, errlen,
		 "log=: \"%s\" is not a level (err, warning, notice, info, debug or 3..7)",
		 s);
	return -EINVAL;
}

int hcl_nl_policy_parse(const char *s, struct hcl_nl_policy *p, char *err,
			size_t errlen)
{
	char *copy, *word, *save = NULL, *val;
	uint32_t v;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	for (word = strtok_r(copy, ", \t\n", &save); word && !ret;
	     word = strtok_r(NULL, ", \t\n", &save)) {
		val = strchr(word, '=');
		if (!val) {
			snprintf(err, errlen, "\"%s\": expected KEY=VALUE",
				 word);
			ret = -EINVAL;
			break;
		}
		*val++ = 0;
		if (!strcmp(word, "events")) {
			ret = parse_mask(val, &p->event_mask, err, errlen);
			p->has |= HCL_NL_POLICY_MASK;
			continue;
		}
		if (!strcmp(word, "log")) {
			ret = parse_log(val, &p->log_level, err, errlen);
			p->has |= HCL_NL_POLICY_LOG;
			continue;
		}
		if (parse_u32(val, &v)) {
			snprintf(err, errlen, "%s=: \"%s\" is not a number",
				 word, val);
			ret = -EINVAL;
		} else if (!strcmp(word, "rate")) {
			p->rate = v;
			p->has |= HCL_NL_POLICY_RATE;
		} else if (!strcmp(word, "burst")) {
			p->burst = v;
			p->has |= HCL_NL_POLICY_BURST;
		} else if (!strcmp(word, "forward_io")) {
			if (v > 1) {
				snprintf(err, errlen, "forward_io=: 0 or 1");
				ret = -EINVAL;
			}
			if (v)
				p->flags |= HCL_POLICY_FLAGS_FORWARD_UNCLAIMED_IO;
			else
				p->flags &= ~HCL_POLICY_FLAGS_FORWARD_UNCLAIMED_IO;
			p->has |= HCL_NL_POLICY_FLAGS;
		} else {
			snprintf(err, errlen,
				 "unknown word \"%s\" (events, rate, burst, forward_io, log)",
				 word);
			ret = -EINVAL;
		}
	}
	free(copy);
	if (!ret && !p->has) {
		snprintf(err, errlen, "empty policy");
		ret = -EINVAL;
	}
	return ret;
}

int hcl_nl_policy_format(const struct hcl_nl_policy *p, char *buf, size_t len)
{
	size_t i, n = 0;
	int sep = 0;

#define OUT(...)							\
	do {								\
		int w_ = snprintf(buf + n, n < len ? len - n : 0,	\
				  __VA_ARGS__);				\
		if (w_ > 0)						\
			n += w_;					\
	} while (0)

	if (p->has & HCL_NL_POLICY_MASK) {
		OUT("events=");
		for (i = 0; i < ARRAY_SIZE(exit_names); i++)
			if (p->event_mask & (1U << exit_names[i].reason)) {
				OUT("%s%s", sep ? "+" : "", exit_names[i].name);
				sep = 1;
			}
		if (!sep)
			OUT("none");
	}
	if (p->has & HCL_NL_POLICY_RATE)
		OUT("%srate=%" PRIu32, n ? " " : "", p->rate);
	if (p->has & HCL_NL_POLICY_BURST)
		OUT("%sburst=%" PRIu32, n ? " " : "", p->burst);
	if (p->has & HCL_NL_POLICY_FLAGS)
		OUT("%sforward_io=%d", n ? " " : "",
		    !!(p->flags & HCL_POLICY_FLAGS_FORWARD_UNCLAIMED_IO));
	if (p->has & HCL_NL_POLICY_LOG) {
		const char *name = hcl_nl_log_level_name(p->log_level);

		if (name)
			OUT("%slog=%s", n ? " " : "", name);
		else
			OUT("%slog=%" PRIu32, n ? " " : "", p->log_level);
	}
#undef OUT
	return n < len ? (int)n : -ENOSPC;
}

/* ---- events ------------------------------------------------------------ */

static int event_attr(const struct nlattr *a, void *data)
{
	struct hcl_nl_event *ev = data;
	int ret = 0;

	switch (mnl_attr_get_type(a)) {
	case HCL_A_EVENT_KIND:
		ret = get_u32(a, &ev->kind);
		break;
	case HCL_A_EVENT_VP_ID:
		ret = get_u32(a, &ev->vp_id);
		break;
	case HCL_A_EVENT_REASON:
		ret = get_u32(a, &ev->reason);
		break;
	case HCL_A_EVENT_ACCESS:
		ret = get_u32(a, &ev->access);
		break;
	case HCL_A_EVENT_DROPPED:
		ret = get_u32(a, &ev->dropped);
		break;
	case HCL_A_EVENT_RIP:
		ret = get_uint(a, &ev->rip);
		break;
	case HCL_A_EVENT_GPA:
		ret = get_uint(a, &ev->gpa);
		break;
	case HCL_A_EVENT_HW_CODE:
		ret = get_uint(a, &ev->hw_code);
		break;
	case HCL_A_EVENT_SIDECAR_CPU:
		ret = get_u32(a, &ev->sidecar_cpu);
		break;
	case HCL_A_EVENT_SIDECAR_CHANGE:
		ret = get_u32(a, &ev->sidecar_change);
		break;
	case HCL_A_EVENT_LINUX_CPU:
		ret = get_u32(a, (uint32_t *)&ev->linux_cpu);
		break;
	case HCL_A_EVENT_FAULT_VECTOR:
		ret = get_u32(a, &ev->fault_vector);
		break;
	}
	return ret ? MNL_CB_ERROR : MNL_CB_OK;
}

int hcl_nl_event_parse(const struct nlmsghdr *nlh, struct hcl_nl_event *ev)
{
	const struct genlmsghdr *g = genl_hdr(nlh);

	memset(ev, 0, sizeof(*ev));
	if (!g)
		return -EBADMSG;
	switch (g->cmd) {
	case HCL_CMD_VP_STOP_NTF:
	case HCL_CMD_TRIPLE_FAULT_NTF:
	case HCL_CMD_VTL_VIOLATION_NTF:
	case HCL_CMD_SIDECAR_NTF:
		break;
	default:
		return -ENOMSG;
	}
	ev->cmd = g->cmd;
	ev->vp_id = UINT32_MAX;
	ev->sidecar_cpu = UINT32_MAX;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, event_attr, ev) < 0 || !ev->kind)
		return -EBADMSG;
	/* a VP's event names the VP, a sidecar CPU's the CPU and what */
	if (g->cmd == HCL_CMD_SIDECAR_NTF ?
	    ev->sidecar_cpu == UINT32_MAX || !ev->sidecar_change :
	    ev->vp_id == UINT32_MAX)
		return -EBADMSG;
	return 0;
}

const char *hcl_nl_sidecar_change_name(uint32_t change)
{
	switch (change) {
	case HCL_SIDECAR_CHANGE_TO_LINUX:	return "to-linux";
	case HCL_SIDECAR_CHANGE_FAULT:		return "fault";
	case HCL_SIDECAR_CHANGE_LOST:		return "lost";
	}
	return "unknown";
}

int hcl_nl_event_format(const struct hcl_nl_event *ev, char *buf, size_t len)
{
	const char *exit = hcl_nl_exit_name(ev->reason);
	int n;

	if (ev->cmd == HCL_CMD_SIDECAR_NTF) {
		n = snprintf(buf, len, "%s cpu=%" PRIu32 " change=%s linux-cpu=%d",
			     hcl_nl_event_kind_name(ev->kind), ev->sidecar_cpu,
			     hcl_nl_sidecar_change_name(ev->sidecar_change),
			     ev->linux_cpu);
		if (n >= 0 && (size_t)n < len &&
		    ev->sidecar_change == HCL_SIDECAR_CHANGE_FAULT)
			n += snprintf(buf + n, len - n, " vector=%#" PRIx32,
				      ev->fault_vector);
		return n >= 0 && (size_t)n < len ? n : -ENOSPC;
	}

	n = snprintf(buf, len, "%s vp=%" PRIu32 " exit=%s rip=%#" PRIx64,
		     hcl_nl_event_kind_name(ev->kind), ev->vp_id,
		     exit ? exit : "?", ev->rip);
	if (n >= 0 && (size_t)n < len && ev->kind == HCL_EVENT_KIND_VTL_VIOLATION)
		n += snprintf(buf + n, len - n, " gpa=%#" PRIx64 " access=%s%s%s",
			      ev->gpa,
			      ev->access & HCL_ACCESS_READ ? "r" : "",
			      ev->access & HCL_ACCESS_WRITE ? "w" : "",
			      ev->access & HCL_ACCESS_EXEC ? "x" : "");
	else if (n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, " code=%#" PRIx64, ev->hw_code);
	if (n >= 0 && (size_t)n < len && ev->dropped)
		n += snprintf(buf + n, len - n, " (%" PRIu32 " dropped before)",
			      ev->dropped);
	return n >= 0 && (size_t)n < len ? n : -ENOSPC;
}

int hcl_nl_subscribe(struct hcl_nl *nl)
{
	unsigned int grp = nl->events_group;
	int ret, fd;

	if (nl->events)
		return mnl_socket_get_fd(nl->events);
	if (!grp) {
		snprintf(nl->err, sizeof(nl->err), "no events group");
		return -ENOENT;
	}
	nl->events = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->events || mnl_socket_bind(nl->events, 0,
					   MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(nl->events, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		goto fail;
	fd = mnl_socket_get_fd(nl->events);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		goto fail;
	return fd;

fail:
	ret = -errno;
	snprintf(nl->err, sizeof(nl->err), "events socket: %s",
		 strerror(errno));
	if (nl->events)
		mnl_socket_close(nl->events);
	nl->events = NULL;
	return ret;
}

int hcl_nl_event_fd(const struct hcl_nl *nl)
{
	return nl->events ? mnl_socket_get_fd(nl->events) : -1;
}

struct event_ctx {
	hcl_nl_event_fn fn;
	void *arg;
	int count;
};

static int event_msg(const struct nlmsghdr *nlh, void *data)
{
	struct event_ctx *ctx = data;
	struct hcl_nl_event ev;

	/* another command of ours would be a newer kernel's: skip it */
	if (hcl_nl_event_parse(nlh, &ev))
		return MNL_CB_OK;
	ctx->count++;
	if (ctx->fn)
		ctx->fn(&ev, ctx->arg);
	return MNL_CB_OK;
}

int hcl_nl_events_read(struct hcl_nl *nl, hcl_nl_event_fn fn, void *arg)
{
	struct event_ctx ctx = { .fn = fn, .arg = arg };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	if (!nl->events)
		return -ENOTCONN;
	for (;;) {
		n = mnl_socket_recvfrom(nl->events, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			/* the socket overflowed: events were lost */
			snprintf(nl->err, sizeof(nl->err), "events: %s",
				 strerror(errno));
			return ctx.count ? ctx.count : -errno;
		}
		mnl_cb_run(buf, n, 0, 0, event_msg, &ctx);
	}
	return ctx.count;
}
