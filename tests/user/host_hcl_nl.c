// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the netlink client's pure logic
 * (userspace/control/hcl_nl.c): HCL_POLICY's words, and the parsing of
 * the kernel's VP and event messages, built here as the kernel builds
 * them, and of malformed ones.
 */
#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/hcl.h>

#include "kselftest_harness.h"
#include "hcl_nl.h"

TEST(exit_names)
{
	EXPECT_STREQ("io", hcl_nl_exit_name(HCL_EXIT_IO));
	EXPECT_STREQ("shutdown", hcl_nl_exit_name(HCL_EXIT_SHUTDOWN));
	EXPECT_STREQ("vtl_violation",
		     hcl_nl_exit_name(HCL_EXIT_VTL_VIOLATION));
	EXPECT_STREQ("hypercall", hcl_nl_exit_name(HCL_EXIT_HYPERCALL));
	EXPECT_EQ(NULL, hcl_nl_exit_name(HCL_EXIT_NONE));
	EXPECT_EQ(NULL, hcl_nl_exit_name(99));
}

TEST(policy_parse_words)
{
	struct hcl_nl_policy p;
	char err[160];

	ASSERT_EQ(0, hcl_nl_policy_parse("events=shutdown+vtl_violation,rate=50 burst=0x10\tforward_io=1",
					 &p, err, sizeof(err)));
	EXPECT_EQ(HCL_NL_POLICY_MASK | HCL_NL_POLICY_RATE |
		  HCL_NL_POLICY_BURST | HCL_NL_POLICY_FLAGS, p.has);
	EXPECT_EQ((1U << HCL_EXIT_SHUTDOWN) | (1U << HCL_EXIT_VTL_VIOLATION),
		  p.event_mask);
	EXPECT_EQ(50, p.rate);
	EXPECT_EQ(16, p.burst);
	EXPECT_EQ(HCL_POLICY_FLAGS_FORWARD_UNCLAIMED_IO, p.flags);

	ASSERT_EQ(0, hcl_nl_policy_parse("events=none", &p, err, sizeof(err)));
	EXPECT_EQ(HCL_NL_POLICY_MASK, p.has);
	EXPECT_EQ(0, p.event_mask);
	ASSERT_EQ(0, hcl_nl_policy_parse("events=0x208", &p, err, sizeof(err)));
	EXPECT_EQ(0x208, p.event_mask);
	ASSERT_EQ(0, hcl_nl_policy_parse("forward_io=0", &p, err, sizeof(err)));
	EXPECT_EQ(HCL_NL_POLICY_FLAGS, p.has);
	EXPECT_EQ(0, p.flags);
	ASSERT_EQ(0, hcl_nl_policy_parse("log=debug", &p, err, sizeof(err)));
	EXPECT_EQ(HCL_NL_POLICY_LOG, p.has);
	EXPECT_EQ(HCL_LOG_LEVEL_DEBUG, p.log_level);
	ASSERT_EQ(0, hcl_nl_policy_parse("log=3", &p, err, sizeof(err)));
	EXPECT_EQ(HCL_LOG_LEVEL_ERR, p.log_level);
	ASSERT_EQ(0, hcl_nl_policy_parse("log=warning", &p, err, sizeof(err)));
	EXPECT_EQ(HCL_LOG_LEVEL_WARNING, p.log_level);
	EXPECT_STREQ("info", hcl_nl_log_level_name(HCL_LOG_LEVEL_INFO));
	EXPECT_EQ(NULL, hcl_nl_log_level_name(2));
	EXPECT_EQ(NULL, hcl_nl_log_level_name(8));
}

TEST(policy_parse_refuses)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
		{ "", "empty" },
		{ " , ", "empty" },
		{ "events=shutdown+nosuch", "unknown exit \"nosuch\"" },
		{ "events=+", "no exit named" },
		{ "rate=-1", "not a number" },
		{ "rate=12x", "not a number" },
		{ "burst=99999999999", "not a number" },
		{ "rate=", "not a number" },
		{ "forward_io=2", "0 or 1" },
		{ "log=verbose", "is not a level" },
		{ "log=8", "is not a level" },
		{ "log=2", "is not a level" },
		{ "log=", "is not a level" },
		{ "speed=3", "unknown word" },
		{ "rate", "expected KEY=VALUE" },
	};
	struct hcl_nl_policy p;
	char err[160];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		EXPECT_EQ(-EINVAL, hcl_nl_policy_parse(bad[i].in, &p, err,
						       sizeof(err)))
			TH_LOG("%s", bad[i].in);
		EXPECT_NE(NULL, strstr(err, bad[i].why))
			TH_LOG("%s: %s", bad[i].in, err);
	}
}

TEST(policy_format_round_trip)
{
	struct hcl_nl_policy p, q;
	char buf[256], err[160];

	ASSERT_EQ(0, hcl_nl_policy_parse("events=hlt+shutdown rate=9 burst=3 forward_io=1 log=notice",
					 &p, err, sizeof(err)));
	ASSERT_LT(0, hcl_nl_policy_format(&p, buf, sizeof(buf)));
	EXPECT_STREQ("events=hlt+shutdown rate=9 burst=3 forward_io=1 log=notice",
		     buf);
	ASSERT_EQ(0, hcl_nl_policy_parse(buf, &q, err, sizeof(err)));
	EXPECT_EQ(0, memcmp(&p, &q, sizeof(p)));
	p.event_mask = 0;
	p.has = HCL_NL_POLICY_MASK;
	hcl_nl_policy_format(&p, buf, sizeof(buf));
	EXPECT_STREQ("events=none", buf);
	EXPECT_EQ(-ENOSPC, hcl_nl_policy_format(&q, buf, 8));
}

/* a message of @cmd as the kernel sends it */
static struct nlmsghdr *msg(void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = 30;
	g->cmd = cmd;
	return nlh;
}

TEST(event_parse)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], text[256];
	struct nlmsghdr *nlh = msg(buf, HCL_CMD_VTL_VIOLATION_NTF);
	struct hcl_nl_event ev;

	mnl_attr_put_u32(nlh, HCL_A_EVENT_KIND, HCL_EVENT_KIND_VTL_VIOLATION);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_VP_ID, 3);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_REASON, HCL_EXIT_VTL_VIOLATION);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_RIP, 0x200000);	/* a short uint */
	mnl_attr_put_u64(nlh, HCL_A_EVENT_GPA, 0x140000000ULL); /* a long one */
	mnl_attr_put_u32(nlh, HCL_A_EVENT_ACCESS, HCL_ACCESS_WRITE);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_DROPPED, 4);
	mnl_attr_put_u32(nlh, 77, 1);		/* a newer kernel's: ignored */
	ASSERT_EQ(0, hcl_nl_event_parse(nlh, &ev));
	EXPECT_EQ(HCL_CMD_VTL_VIOLATION_NTF, ev.cmd);
	EXPECT_EQ(3, ev.vp_id);
	EXPECT_EQ(0x200000, ev.rip);
	EXPECT_EQ(0x140000000ULL, ev.gpa);
	EXPECT_EQ(4, ev.dropped);
	ASSERT_LT(0, hcl_nl_event_format(&ev, text, sizeof(text)));
	EXPECT_STREQ("vtl-violation vp=3 exit=vtl_violation rip=0x200000 gpa=0x140000000 access=w (4 dropped before)",
		     text);
}

TEST(sidecar_event_parse)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], text[256];
	struct nlmsghdr *nlh = msg(buf, HCL_CMD_SIDECAR_NTF);
	struct hcl_nl_event ev;

	mnl_attr_put_u32(nlh, HCL_A_EVENT_KIND, HCL_EVENT_KIND_SIDECAR_CPU);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_SIDECAR_CPU, 2);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_SIDECAR_CHANGE,
			 HCL_SIDECAR_CHANGE_FAULT);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_LINUX_CPU, 3);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_FAULT_VECTOR, 13);
	ASSERT_EQ(0, hcl_nl_event_parse(nlh, &ev));
	EXPECT_EQ(2, ev.sidecar_cpu);
	EXPECT_EQ(3, ev.linux_cpu);
	ASSERT_LT(0, hcl_nl_event_format(&ev, text, sizeof(text)));
	EXPECT_STREQ("sidecar-cpu cpu=2 change=fault linux-cpu=3 vector=0xd",
		     text);
	/* no CPU, or no change: refused */
	nlh = msg(buf, HCL_CMD_SIDECAR_NTF);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_KIND, HCL_EVENT_KIND_SIDECAR_CPU);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_SIDECAR_CHANGE,
			 HCL_SIDECAR_CHANGE_LOST);
	EXPECT_EQ(-EBADMSG, hcl_nl_event_parse(nlh, &ev));
	nlh = msg(buf, HCL_CMD_SIDECAR_NTF);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_KIND, HCL_EVENT_KIND_SIDECAR_CPU);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_SIDECAR_CPU, 0);
	EXPECT_EQ(-EBADMSG, hcl_nl_event_parse(nlh, &ev));
}

TEST(event_parse_refuses)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct hcl_nl_event ev;

	/* not an event */
	nlh = msg(buf, HCL_CMD_VP_GET);
	EXPECT_EQ(-ENOMSG, hcl_nl_event_parse(nlh, &ev));
	/* no kind, no VP */
	nlh = msg(buf, HCL_CMD_VP_STOP_NTF);
	EXPECT_EQ(-EBADMSG, hcl_nl_event_parse(nlh, &ev));
	mnl_attr_put_u32(nlh, HCL_A_EVENT_KIND, HCL_EVENT_KIND_VP_STOP);
	EXPECT_EQ(-EBADMSG, hcl_nl_event_parse(nlh, &ev));
	/* a u32 that is not 4 bytes */
	nlh = msg(buf, HCL_CMD_VP_STOP_NTF);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_KIND, HCL_EVENT_KIND_VP_STOP);
	mnl_attr_put_u16(nlh, HCL_A_EVENT_VP_ID, 1);
	EXPECT_EQ(-EBADMSG, hcl_nl_event_parse(nlh, &ev));
	/* a uint of 3 bytes */
	nlh = msg(buf, HCL_CMD_VP_STOP_NTF);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_KIND, HCL_EVENT_KIND_VP_STOP);
	mnl_attr_put_u32(nlh, HCL_A_EVENT_VP_ID, 1);
	mnl_attr_put(nlh, HCL_A_EVENT_RIP, 3, "abc");
	EXPECT_EQ(-EBADMSG, hcl_nl_event_parse(nlh, &ev));
	/* a message too short for its genetlink header */
	nlh = mnl_nlmsg_put_header(buf);
	EXPECT_EQ(-EBADMSG, hcl_nl_event_parse(nlh, &ev));
}

TEST(vp_parse)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg(buf, HCL_CMD_VP_GET);
	struct hcl_nl_vp vp;
	struct nlattr *nest;
	int i;

	mnl_attr_put_u32(nlh, HCL_A_VP_ID, 1);
	mnl_attr_put_u32(nlh, HCL_A_VP_STATE, HCL_VP_STATE_HALTED);
	mnl_attr_put_u32(nlh, HCL_A_VP_LAST_EXIT, HCL_EXIT_IO);
	for (i = 0; i < 3; i++) {
		nest = mnl_attr_nest_start(nlh, HCL_A_VP_STAT);
		mnl_attr_put_strz(nlh, HCL_A_STAT_NAME,
				  i == 0 ? "exits" : i == 1 ? "cpuid" : "guest_ns");
		if (i == 2)
			mnl_attr_put_u64(nlh, HCL_A_STAT_VALUE, 1ULL << 40);
		else
			mnl_attr_put_u32(nlh, HCL_A_STAT_VALUE, 10 + i);
		mnl_attr_nest_end(nlh, nest);
	}
	ASSERT_EQ(0, hcl_nl_vp_parse(nlh, &vp));
	EXPECT_EQ(1, vp.id);
	EXPECT_STREQ("halted", hcl_nl_vp_state_name(vp.state));
	EXPECT_EQ(3, vp.nr_stats);
	EXPECT_EQ(10, hcl_nl_vp_stat(&vp, "exits"));
	EXPECT_EQ(11, hcl_nl_vp_stat(&vp, "cpuid"));
	EXPECT_EQ(1LL << 40, hcl_nl_vp_stat(&vp, "guest_ns"));
	EXPECT_EQ(-1, hcl_nl_vp_stat(&vp, "nosuch"));

	/* a counter without a name */
	nest = mnl_attr_nest_start(nlh, HCL_A_VP_STAT);
	mnl_attr_put_u32(nlh, HCL_A_STAT_VALUE, 1);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, hcl_nl_vp_parse(nlh, &vp));
}

TEST(vp_parse_bounds)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 2];
	struct nlmsghdr *nlh = msg(buf, HCL_CMD_VP_GET);
	struct hcl_nl_vp vp;
	struct nlattr *nest;
	int i;

	/* no id */
	EXPECT_EQ(-EBADMSG, hcl_nl_vp_parse(nlh, &vp));
	mnl_attr_put_u32(nlh, HCL_A_VP_ID, 0);
	/* more counters than the client holds: refused, not overrun */
	for (i = 0; i <= HCL_NL_MAX_STATS; i++) {
		nest = mnl_attr_nest_start(nlh, HCL_A_VP_STAT);
		mnl_attr_put_strz(nlh, HCL_A_STAT_NAME, "x");
		mnl_attr_put_u32(nlh, HCL_A_STAT_VALUE, i);
		mnl_attr_nest_end(nlh, nest);
	}
	EXPECT_EQ(-EBADMSG, hcl_nl_vp_parse(nlh, &vp));
	/* a name that is not terminated */
	nlh = msg(buf, HCL_CMD_VP_GET);
	mnl_attr_put_u32(nlh, HCL_A_VP_ID, 0);
	nest = mnl_attr_nest_start(nlh, HCL_A_VP_STAT);
	mnl_attr_put(nlh, HCL_A_STAT_NAME, 4, "abcd");
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-EBADMSG, hcl_nl_vp_parse(nlh, &vp));
}

TEST_HARNESS_MAIN
