// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: openvmm_hcl's end of the host channel
 * (userspace/openvmm_hcl/channel.c) on a socketpair in place of the
 * UART, with the rest of openvmm_hcl stubbed.  Nothing is sent but
 * HELLO before the host answers; refused frames, unknown and premature
 * requests get error replies; a host that does not read never blocks
 * openvmm_hcl: the oldest log records are dropped and the next one says
 * how many.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "openvmm_hcl/openvmm_hcl.h"

/* ---- the rest of openvmm_hcl, stubbed ------------------------------------- */

struct hcl_dt_info dt;
bool have_dt;
const char *pv_stage = "vtl0-running";
const char *const stage_key[ST_NR] = { "a", "b", "c", "d", "e", "f", "g",
				       "h", "i" };
static struct watch *watched;
static uint64_t now_ms;
static int store_boots, shutdowns;

int loop_watch(struct watch *w, uint32_t events)
{
	(void)events;
	watched = w;
	return 0;
}

int loop_modify(struct watch *w, uint32_t events)
{
	(void)w;
	(void)events;
	return 0;
}

uint64_t uptime_ms(void)
{
	return now_ms;
}

pid_t supervise_pid(void)
{
	return 42;
}

bool supervise_shutting_down(void)
{
	return shutdowns > 0;
}

void supervise_shutdown(void)
{
	shutdowns++;
}

int supervise_command(const char *cmd, supervise_done_fn done, void *ctx)
{
	(void)cmd;
	done(ctx, true, "");
	return 0;
}

void store_boot(void)
{
	store_boots++;
}

void timeline_stamps(uint64_t tsc[ST_NR], double *per_ns)
{
	memset(tsc, 0, ST_NR * sizeof(*tsc));
	tsc[0] = 1000;
	*per_ns = 1.0;
}

int vp_stats_collect(unsigned int vp, struct vp_counter *c, unsigned int max)
{
	(void)max;
	snprintf(c[0].name, sizeof(c[0].name), "exits");
	c[0].value = 100 + vp;
	return 1;
}

/* the policy hcl.ko would hold: any words but "rate=bad" are taken */
static char policy[256] = "events=shutdown rate=100 burst=20 forward_io=0";

int netlink_policy(const char *set, char *buf, size_t len, char *err,
		   size_t errlen)
{
	if (set && !strcmp(set, "rate=bad")) {
		snprintf(err, errlen, "rate: not a number");
		return -1;
	}
	if (set && *set)
		snprintf(policy, sizeof(policy), "%s", set);
	snprintf(buf, len, "%s", policy);
	return 0;
}

void logs_self(const char *fmt, ...)
{
	(void)fmt;
}

/* ---- the host's end ------------------------------------------------------ */

static int host = -1;
static struct hostchan_rx hrx;

static void host_send(uint8_t type, uint16_t flags, uint32_t id,
		      const void *p, uint32_t len)
{
	uint8_t f[HOSTCHAN_MAX_FRAME];
	struct hostchan_hdr h = { HOSTCHAN_VERSION_MAX, type, flags, id, len };
	size_t n = hostchan_encode(f, sizeof(f), &h, p);

	if (write(host, f, n) != (ssize_t)n)
		abort();
	watched->fn(watched, EPOLLIN);
}

/* the next frame from openvmm_hcl: 1, or 0 when none is waiting */
static int host_next(struct hostchan_hdr *h, const uint8_t **p)
{
	uint8_t buf[4096];
	int ret;

	for (;;) {
		ssize_t n;

		while ((ret = hostchan_rx_next(&hrx, h, p)) != 0)
			if (ret == 1)
				return 1;
		watched->fn(watched, EPOLLOUT);
		n = recv(host, buf, sizeof(buf) / 2, MSG_DONTWAIT);
		if (n <= 0)
			return 0;
		for (size_t off = 0; off < (size_t)n;) {
			off += hostchan_rx_push(&hrx, buf + off, n - off);
			while ((ret = hostchan_rx_next(&hrx, h, p)) == -1)
				;
			if (ret == 1)
				return 1;
		}
	}
}

static uint32_t error_code(const struct hostchan_hdr *h, const uint8_t *p)
{
	struct hostchan_buf b;

	if (!(h->flags & HOSTCHAN_F_ERROR))
		return 0;
	hc_reader(&b, p, h->len);
	return hc_get_u32(&b);
}

static void hello(struct __test_metadata *_metadata)
{
	uint8_t buf[64];
	struct hostchan_buf b;
	struct hostchan_hdr h;
	const uint8_t *p;

	hc_writer(&b, buf, sizeof(buf));
	hc_put_u16(&b, HOSTCHAN_VERSION_MIN);
	hc_put_u16(&b, HOSTCHAN_VERSION_MAX);
	hc_put_u32(&b, 4096);
	hc_put_str(&b, "test-host");
	host_send(HOSTCHAN_HELLO, 0, 9, buf, (uint32_t)b.off);
	while (host_next(&h, &p))
		if (h.type == HOSTCHAN_HELLO && (h.flags & HOSTCHAN_F_REPLY))
			break;
	ASSERT_EQ(HOSTCHAN_HELLO, h.type);
	ASSERT_EQ(9u, h.id);
	ASSERT_TRUE(chan_up());
	EXPECT_EQ(1, store_boots);
}

FIXTURE(chan) {
	int fds[2];
};

FIXTURE_SETUP(chan)
{
	int small = 4096;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, self->fds));
	/* a small pipe: a host that does not read fills it at once */
	setsockopt(self->fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(self->fds[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	fcntl(self->fds[0], F_SETFL, O_NONBLOCK);
	host = self->fds[1];
	hostchan_rx_init(&hrx, HOSTCHAN_MAX_PAYLOAD);
	ASSERT_EQ(0, chan_attach(self->fds[0]));
}

FIXTURE_TEARDOWN(chan)
{
	close(self->fds[1]);
}

/* (the harness runs each case in a child: each has a fresh channel) */
TEST_F(chan, only_hello_before_the_host_answers)
{
	struct hostchan_hdr h;
	const uint8_t *p;
	int n = 0;

	chan_notify(HOSTCHAN_LOG, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
	while (host_next(&h, &p)) {
		EXPECT_EQ(HOSTCHAN_HELLO, h.type);
		EXPECT_EQ(0, h.flags);
		n++;
	}
	EXPECT_EQ(1, n);
	/* a request before HELLO: refused */
	host_send(HOSTCHAN_STATUS, 0, 5, NULL, 0);
	ASSERT_EQ(1, host_next(&h, &p));
	EXPECT_EQ(5u, h.id);
	EXPECT_EQ(HOSTCHAN_E_HELLO, error_code(&h, p));
}

TEST_F(chan, status_and_errors)
{
	struct hostchan_hdr h;
	const uint8_t *p;
	uint8_t junk[300];

	hello(_metadata);
	have_dt = true;
	dt.vp_count = 2;
	host_send(HOSTCHAN_STATUS, 0, 6, NULL, 0);
	ASSERT_EQ(1, host_next(&h, &p));
	EXPECT_EQ(6u, h.id);
	EXPECT_EQ(HOSTCHAN_F_REPLY, h.flags);
	EXPECT_EQ(0, hostchan_check_payload(&h, p));
	/* unknown type, bad payload, misdirected request */
	host_send(77, 0, 7, NULL, 0);
	ASSERT_EQ(1, host_next(&h, &p));
	EXPECT_EQ(HOSTCHAN_E_TYPE, error_code(&h, p));
	host_send(HOSTCHAN_STATS, 0, 8, "x", 1);
	ASSERT_EQ(1, host_next(&h, &p));
	EXPECT_EQ(HOSTCHAN_E_PAYLOAD, error_code(&h, p));
	host_send(HOSTCHAN_STORE_GET, 0, 9, "\1\0a\0\0\0\0", 7);
	ASSERT_EQ(1, host_next(&h, &p));
	EXPECT_EQ(HOSTCHAN_E_TYPE, error_code(&h, p));
	/* garbage with a stray header: a BADFRAME error, then service */
	memset(junk, 0x5a, sizeof(junk));
	memcpy(junk + 10, "HCLF\1\2\0\0\1\0\0\0\0\0\0\0\xde\xad\xbe\xef", 20);
	if (write(host, junk, sizeof(junk)) != sizeof(junk))
		abort();
	watched->fn(watched, EPOLLIN);
	ASSERT_EQ(1, host_next(&h, &p));
	EXPECT_EQ(HOSTCHAN_E_BADFRAME, error_code(&h, p));
	/* the run loop's policy: read, set, a refused set changes nothing */
	host_send(HOSTCHAN_POLICY, 0, 11, "\0\0", 2);
	ASSERT_EQ(1, host_next(&h, &p));
	EXPECT_EQ(HOSTCHAN_F_REPLY, h.flags);
	EXPECT_EQ(0, hostchan_check_payload(&h, p));
	EXPECT_EQ(0, memcmp(p + 2, "events=shutdown rate=100", 24));
	host_send(HOSTCHAN_POLICY, 0, 12, "\x06\0rate=7", 8);
	ASSERT_EQ(1, host_next(&h, &p));
	EXPECT_EQ(HOSTCHAN_F_REPLY, h.flags);
	EXPECT_EQ(0, memcmp(p, "\x06\0rate=7", 8));
	host_send(HOSTCHAN_POLICY, 0, 13, "\x08\0rate=bad", 10);
	ASSERT_EQ(1, host_next(&h, &p));
	EXPECT_EQ(HOSTCHAN_E_PAYLOAD, error_code(&h, p));
	EXPECT_STREQ("rate=7", policy);
	host_send(HOSTCHAN_POLICY, 0, 14, "\x09\0rate=", 8);	/* short */
	ASSERT_EQ(1, host_next(&h, &p));
	EXPECT_EQ(HOSTCHAN_E_PAYLOAD, error_code(&h, p));
	host_send(HOSTCHAN_SHUTDOWN, 0, 10, NULL, 0);
	ASSERT_EQ(1, host_next(&h, &p));
	EXPECT_EQ(10u, h.id);
	EXPECT_EQ(HOSTCHAN_F_REPLY, h.flags);
	EXPECT_EQ(1, shutdowns);
}

TEST_F(chan, a_host_that_does_not_read)
{
	uint8_t rec[1100];
	struct hostchan_buf b;
	struct hostchan_hdr h;
	const uint8_t *p;
	uint32_t frames, bad, dropped, got = 0, lost = 0, sent = 400;
	uint64_t skipped;
	char text[1001];

	hello(_metadata);
	memset(text, 'x', 1000);
	text[1000] = 0;
	/* 400 KB of logs into a 64 KiB queue and a full socket: no wait */
	for (uint32_t i = 0; i < sent; i++) {
		hc_writer(&b, rec, sizeof(rec));
		hc_put_u8(&b, HOSTCHAN_LOG_SELF);
		hc_put_u8(&b, 6);
		hc_put_u16(&b, 0);
		hc_put_u32(&b, 0);
		hc_put_u64(&b, i);
		hc_put_str(&b, "t");
		hc_put_str(&b, text);
		chan_notify(HOSTCHAN_LOG, rec, (uint32_t)b.off);
	}
	chan_counters(&frames, &bad, &skipped, &dropped);
	EXPECT_GT(dropped, 300u);
	/* the host reads at last: every record arrives or is counted */
	while (host_next(&h, &p)) {
		if (h.type != HOSTCHAN_LOG)
			continue;
		hc_reader(&b, p, h.len);
		hc_get_u32(&b);
		lost += hc_get_u32(&b);
		got++;
	}
	/* one more record carries the count of the last drops */
	chan_notify(HOSTCHAN_LOG, rec, (uint32_t)b.off);
	while (host_next(&h, &p)) {
		hc_reader(&b, p, h.len);
		hc_get_u32(&b);
		lost += hc_get_u32(&b);
		got++;
	}
	EXPECT_EQ(sent + 1, got + lost) TH_LOG("got %u lost %u", got, lost);
	EXPECT_GT(lost, 0u);
}

TEST_HARNESS_MAIN
