/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A client of hcl.ko's generic netlink family "hcl" (libmnl): resolves the
 * family and its events group through nlctrl, reads the partition, the
 * VPs' state and counters and the run loop's policy, sets the policy and
 * receives events.  docs/netlink.md describes the family; its UAPI is
 * <linux/hcl_nl.h>, generated from netlink/specs/hcl.yaml.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure; hcl_nl_error() then says what the kernel said (its extack
 * message and the attribute it points at, or a missing attribute).
 *
 * A main loop polls hcl_nl_event_fd() for POLLIN and calls
 * hcl_nl_events_read(), which reads what is queued without blocking and
 * hands each event to its callback.
 */
#ifndef HCL_CONTROL_HCL_NL_H
#define HCL_CONTROL_HCL_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/hcl_nl.h>

struct mnl_socket;
struct nlmsghdr;

struct hcl_nl {
	struct mnl_socket *sock;	/* requests and replies */
	struct mnl_socket *events;	/* the events group, once subscribed */
	uint16_t family;		/* the family's id */
	uint32_t events_group;		/* the events group's id */
	uint32_t seq;
	char err[256];			/* the last error, for hcl_nl_error() */
};

int hcl_nl_open(struct hcl_nl *nl);
void hcl_nl_close(struct hcl_nl *nl);
const char *hcl_nl_error(const struct hcl_nl *nl);

/* HCL_CMD_PART_GET */
struct hcl_nl_part {
	bool open;
	uint32_t vp_count, vps, api_version;
	uint64_t vtl0_base, vtl0_size, features;
	char backend[32];
};

int hcl_nl_part_get(struct hcl_nl *nl, struct hcl_nl_part *part);

/* HCL_CMD_VP_GET: a VP and its counters, in the kernel's order */
#define HCL_NL_MAX_STATS	64
#define HCL_NL_STAT_NAME	32

struct hcl_nl_stat {
	char name[HCL_NL_STAT_NAME];
	uint64_t value;
};

struct hcl_nl_vp {
	uint32_t id, state, last_exit;
	unsigned int nr_stats;
	struct hcl_nl_stat stats[HCL_NL_MAX_STATS];
};

typedef int (*hcl_nl_vp_fn)(const struct hcl_nl_vp *vp, void *arg);

int hcl_nl_vp_get(struct hcl_nl *nl, uint32_t id, struct hcl_nl_vp *vp);
int hcl_nl_vp_dump(struct hcl_nl *nl, hcl_nl_vp_fn fn, void *arg);
int hcl_nl_vp_parse(const struct nlmsghdr *nlh, struct hcl_nl_vp *vp);
/* a counter by name, or -1 */
int64_t hcl_nl_vp_stat(const struct hcl_nl_vp *vp, const char *name);
const char *hcl_nl_vp_state_name(uint32_t state);

/* HCL_CMD_POLICY_GET/SET; has says which fields a set changes */
#define HCL_NL_POLICY_MASK	(1U << 0)
#define HCL_NL_POLICY_RATE	(1U << 1)
#define HCL_NL_POLICY_BURST	(1U << 2)
#define HCL_NL_POLICY_FLAGS	(1U << 3)
#define HCL_NL_POLICY_LOG	(1U << 4)

struct hcl_nl_policy {
	uint32_t has;
	uint32_t event_mask, rate, burst, flags;
	uint32_t log_level;			/* enum hcl_log_level */
	uint64_t events_sent, events_dropped;	/* get only */
};

int hcl_nl_policy_get(struct hcl_nl *nl, struct hcl_nl_policy *p);
int hcl_nl_policy_set(struct hcl_nl *nl, const struct hcl_nl_policy *p);
/*
 * "events=shutdown+vtl_violation,rate=100,burst=20,forward_io=1,log=debug"
 * (any of the words, in any order; events= takes exit names or a number,
 * "none" or "default"; log= a level's name, err .. debug, or its number)
 * into @p; 0, or -EINVAL with why in @err.
 */
int hcl_nl_policy_parse(const char *s, struct hcl_nl_policy *p, char *err,
			size_t errlen);
/* "debug" for HCL_LOG_LEVEL_DEBUG; NULL for a number that is no level */
const char *hcl_nl_log_level_name(uint32_t level);
int hcl_nl_policy_format(const struct hcl_nl_policy *p, char *buf,
			 size_t len);

/* the events group */
struct hcl_nl_event {
	uint8_t cmd;			/* HCL_CMD_*_NTF */
	uint32_t kind, vp_id, reason, access, dropped;
	uint64_t rip, gpa, hw_code;
	/* HCL_CMD_SIDECAR_NTF */
	uint32_t sidecar_cpu, sidecar_change, fault_vector;
	int32_t linux_cpu;
};

typedef void (*hcl_nl_event_fn)(const struct hcl_nl_event *ev, void *arg);

int hcl_nl_subscribe(struct hcl_nl *nl);
int hcl_nl_event_fd(const struct hcl_nl *nl);
int hcl_nl_events_read(struct hcl_nl *nl, hcl_nl_event_fn fn, void *arg);
int hcl_nl_event_parse(const struct nlmsghdr *nlh, struct hcl_nl_event *ev);
int hcl_nl_event_format(const struct hcl_nl_event *ev, char *buf, size_t len);
const char *hcl_nl_event_kind_name(uint32_t kind);
const char *hcl_nl_sidecar_change_name(uint32_t change);

/* HCL_EXIT_* names (kmod/exits.h's), or NULL */
const char *hcl_nl_exit_name(uint32_t reason);

/*
 * A raw request, for tests: hcl_nl_msg() starts a message of @cmd in
 * @buf (MNL_SOCKET_BUFFER_SIZE bytes), the caller adds attributes, and
 * hcl_nl_request() sends it and hands each reply message to @fn (which
 * may be NULL); 0 or the kernel's -errno.
 */
struct nlmsghdr *hcl_nl_msg(struct hcl_nl *nl, void *buf, uint8_t cmd,
			    uint16_t flags);
int hcl_nl_request(struct hcl_nl *nl, struct nlmsghdr *nlh,
		   int (*fn)(const struct nlmsghdr *nlh, void *arg),
		   void *arg);

#endif /* HCL_CONTROL_HCL_NL_H */
