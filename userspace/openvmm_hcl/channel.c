// SPDX-License-Identifier: GPL-2.0
/*
 * The host channel: frames of include/hcl/hostchan.h on the UART that
 * /openhcl/host-channel names (VTL2 Linux's ttyS1 under QEMU), raw mode.
 *
 * Receiving: the codec's parser resynchronises on the magic; a refused
 * frame gets an error reply (at most ERR_PER_TICK per 100 ms, so garbage
 * cannot turn into a flood of answers), bytes skipped between frames are
 * reported once per tick.  Every request's payload is checked against
 * its layout before a handler sees it.  A partial frame left for a
 * second is dropped.
 *
 * Sending: frames go through a queue of at most TXQ_MAX bytes; the fd
 * is non-blocking, EPOLLOUT resumes.  Notifications (LOG, EVENT) wait
 * in it until the host has said HELLO (or answered ours); HELLO and
 * replies go ahead of them.  When the queue is full the oldest LOG
 * records go first (the next LOG carries how many, its own count
 * included if it is dropped in turn), then the new frame itself:
 * openvmm_hcl never waits for the host (tests/user/host_ovh_channel.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <poll.h>
#include <unistd.h>

#include "openvmm_hcl.h"

#define TXQ_MAX		(64 * 1024)
#define ERR_PER_TICK	8
#define MAX_PENDING	16
#define REQ_TIMEOUT_MS	10000
#define HELLO_EVERY	20		/* ticks: 2 s */
#define IDLE_TICKS	10		/* a partial frame for 1 s */

struct txframe {
	struct txframe *next;
	bool is_log;
	uint8_t type;
	uint16_t flags;
	uint32_t carried;		/* LOG: earlier drops it reports */
	size_t len, off;
	uint8_t data[];
};

struct pending {
	uint32_t id;			/* 0: free */
	uint8_t type;
	uint64_t deadline;
	chan_reply_fn fn;
	void *ctx;
};

static struct watch w = { .fd = -1 };
static struct hostchan_rx rx;
static struct txframe *head, *tail;
static size_t txq_bytes;
static uint32_t tx_dropped, log_dropped;	/* log_dropped: not told yet */
static bool up, want_out;
static uint8_t version = HOSTCHAN_VERSION_MAX;
static uint32_t peer_max = HOSTCHAN_MAX_PAYLOAD, next_id;
static struct pending pending[MAX_PENDING];
static unsigned int errs_this_tick, ticks, idle_ticks;
static uint64_t skipped_told;

bool chan_up(void)
{
	return up;
}

uint32_t chan_max_payload(void)
{
	return peer_max;
}

void chan_counters(uint32_t *frames, uint32_t *bad, uint64_t *skipped,
		   uint32_t *dropped)
{
	*frames = (uint32_t)rx.frames;
	*bad = (uint32_t)rx.bad_frames;
	*skipped = rx.bytes_skipped;
	*dropped = tx_dropped;
}

/* ---- sending ------------------------------------------------------------- */

static void tx_write(void)
{
	while (head && w.fd >= 0) {
		ssize_t n;

		/* before HELLO, notifications wait for the host */
		if (!up && (head->flags & HOSTCHAN_F_NOREPLY) && !head->off)
			break;
		n = write(w.fd, head->data + head->off, head->len - head->off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			/* the line is broken: drop what we cannot send */
			n = head->len - head->off;
		}
		head->off += n;
		if (head->off < head->len)
			continue;
		txq_bytes -= head->len;
		{
			struct txframe *f = head;

			head = f->next;
			if (!head)
				tail = NULL;
			free(f);
		}
	}
	if (w.fd >= 0 && want_out != (head != NULL)) {
		want_out = head != NULL;
		loop_modify(&w, EPOLLIN | (want_out ? EPOLLOUT : 0));
	}
}

/* drops the oldest whole LOG frames (not one half sent) until @need fits */
static void make_room(size_t need)
{
	struct txframe **pp = &head, *prev = NULL;

	while (*pp && txq_bytes + need > TXQ_MAX) {
		struct txframe *f = *pp;

		if (!f->is_log || f->off) {
			prev = f;
			pp = &f->next;
			continue;
		}
		*pp = f->next;
		if (tail == f)
			tail = prev;
		txq_bytes -= f->len;
		/* its count and itself go to the next record */
		log_dropped += f->carried + 1;
		free(f);
		tx_dropped++;
	}
}

static void send_frame(uint8_t type, uint16_t flags, uint32_t id,
		       const void *payload, uint32_t len, bool is_log)
{
	struct hostchan_hdr h = { version, type, flags, id, len };
	uint8_t patched[HOSTCHAN_MAX_PAYLOAD];
	uint32_t carried = 0;
	struct txframe *f;

	if (w.fd < 0)
		return;
	if (is_log && len >= 8 && len <= sizeof(patched)) {
		/* the records lost before this one: u32 at offset 4 */
		const uint8_t *q = payload;
		uint32_t n = q[4] | q[5] << 8 | q[6] << 16 |
			     (uint32_t)q[7] << 24;

		memcpy(patched, payload, len);
		n += log_dropped;
		for (int i = 0; i < 4; i++)
			patched[4 + i] = (uint8_t)(n >> (8 * i));
		payload = patched;
		carried = log_dropped;
		log_dropped = 0;
	}
	if (len > peer_max) {
		tx_dropped++;
		return;
	}
	make_room(HOSTCHAN_HDR_SIZE + len);
	f = NULL;
	if (txq_bytes + HOSTCHAN_HDR_SIZE + len <= TXQ_MAX)
		f = malloc(sizeof(*f) + HOSTCHAN_HDR_SIZE + len);
	if (!f) {
		tx_dropped++;
		if (is_log)
			log_dropped += carried + 1;
		return;
	}
	f->next = NULL;
	f->is_log = is_log;
	f->type = type;
	f->flags = flags;
	f->carried = carried;
	f->off = 0;
	f->len = hostchan_encode(f->data, HOSTCHAN_HDR_SIZE + len, &h, payload);
	txq_bytes += f->len;
	if (!up && !(flags & HOSTCHAN_F_NOREPLY)) {
		/* ahead of the notifications that wait for the host */
		struct txframe **pp = &head, *prev = NULL;

		while (*pp && (!((*pp)->flags & HOSTCHAN_F_NOREPLY) ||
			       (*pp)->off)) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		f->next = *pp;
		*pp = f;
		if (tail == prev)
			tail = f;
	} else {
		if (tail)
			tail->next = f;
		else
			head = f;
		tail = f;
	}
	tx_write();
}

void chan_notify(uint8_t type, const void *payload, uint32_t len)
{
	uint8_t buf[HOSTCHAN_MAX_PAYLOAD];

	if (w.fd < 0 || len > sizeof(buf))
		return;
	memcpy(buf, payload, len);
	send_frame(type, HOSTCHAN_F_NOREPLY, 0, buf, len,
		   type == HOSTCHAN_LOG);
}

void chan_reply(uint8_t type, uint32_t id, const void *payload, uint32_t len)
{
	send_frame(type, HOSTCHAN_F_REPLY, id, payload, len, false);
}

void chan_error(uint8_t type, uint32_t id, uint32_t code, const char *fmt, ...)
{
	char msg[256];
	uint8_t buf[300];
	struct hostchan_buf b;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hc_writer(&b, buf, sizeof(buf));
	hc_put_u32(&b, code);
	hc_put_str(&b, msg);
	send_frame(type, HOSTCHAN_F_REPLY | HOSTCHAN_F_ERROR, id, buf,
		   (uint32_t)b.off, false);
}

void chan_event(const char *kind, const char *name, int pid, int code,
		int sig, const char *fmt, ...)
{
	uint8_t buf[HOSTCHAN_TEXT_MAX + 256];
	char text[HOSTCHAN_TEXT_MAX];
	struct hostchan_buf b;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	hc_writer(&b, buf, sizeof(buf));
	hc_put_str(&b, kind);
	hc_put_str(&b, name);
	hc_put_u32(&b, (uint32_t)pid);
	hc_put_u32(&b, (uint32_t)code);
	hc_put_u32(&b, (uint32_t)sig);
	hc_put_str(&b, text);
	if (!b.err)
		chan_notify(HOSTCHAN_EVENT, buf, (uint32_t)b.off);
}

int chan_request(uint8_t type, const void *payload, uint32_t len,
		 chan_reply_fn fn, void *ctx)
{
	struct pending *p = NULL;

	if (w.fd < 0)
		return -1;
	for (int i = 0; i < MAX_PENDING && !p; i++)
		if (!pending[i].id)
			p = &pending[i];
	if (!p)
		return -1;
	if (!++next_id)
		next_id = 1;
	*p = (struct pending){ next_id, type, uptime_ms() + REQ_TIMEOUT_MS,
			       fn, ctx };
	send_frame(type, 0, next_id, payload, len, false);
	return 0;
}

static void send_hello(void)
{
	uint8_t buf[64];
	struct hostchan_buf b;
	struct pending *p = NULL;

	/* one HELLO of ours in flight at a time */
	for (int i = 0; i < MAX_PENDING; i++)
		if (pending[i].id && pending[i].type == HOSTCHAN_HELLO)
			p = &pending[i];
	if (p)
		p->id = 0;
	hc_writer(&b, buf, sizeof(buf));
	hc_put_u16(&b, HOSTCHAN_VERSION_MIN);
	hc_put_u16(&b, HOSTCHAN_VERSION_MAX);
	hc_put_u32(&b, HOSTCHAN_MAX_PAYLOAD);
	hc_put_str(&b, "openvmm_hcl");
	chan_request(HOSTCHAN_HELLO, buf, (uint32_t)b.off, NULL, NULL);
}

/* ---- HELLO ------------------------------------------------------------- */

static void became_up(const char *peer, unsigned int v, uint32_t max)
{
	bool first = !up;

	version = (uint8_t)v;
	peer_max = max < HOSTCHAN_MAX_PAYLOAD ? max : HOSTCHAN_MAX_PAYLOAD;
	up = true;
	if (first) {
		printf("openvmm_hcl: host channel: %s, protocol %u\n", peer, v);
		store_boot();
	}
	tx_write();
}

/* the peer's HELLO fields; 0 and the version, or -1 */
static int read_hello(const uint8_t *p, uint32_t len, uint16_t *a,
		      uint16_t *b2, uint32_t *max, char *name, size_t nlen)
{
	struct hostchan_buf b;

	hc_reader(&b, p, len);
	*a = hc_get_u16(&b);
	*b2 = hc_get_u16(&b);
	*max = hc_get_u32(&b);
	hc_get_str(&b, name, nlen);
	return b.err ? -1 : 0;
}

static void on_hello(const struct hostchan_hdr *h, const uint8_t *p)
{
	uint8_t buf[64];
	struct hostchan_buf b;
	uint16_t lo, hi;
	uint32_t max;
	char name[HOSTCHAN_NAME_MAX + 1];
	unsigned int v;

	read_hello(p, h->len, &lo, &hi, &max, name, sizeof(name));
	v = hostchan_pick_version(lo, hi);
	if (!v) {
		chan_error(h->type, h->id, HOSTCHAN_E_VERSION,
			   "openvmm_hcl speaks versions %u..%u, not %u..%u",
			   HOSTCHAN_VERSION_MIN, HOSTCHAN_VERSION_MAX, lo, hi);
		return;
	}
	if (max < HOSTCHAN_MIN_PAYLOAD) {
		chan_error(h->type, h->id, HOSTCHAN_E_TOOBIG,
			   "a payload limit of %u is below %u", max,
			   HOSTCHAN_MIN_PAYLOAD);
		return;
	}
	version = (uint8_t)v;
	hc_writer(&b, buf, sizeof(buf));
	hc_put_u16(&b, (uint16_t)v);
	hc_put_u16(&b, 0);
	hc_put_u32(&b, max < HOSTCHAN_MAX_PAYLOAD ? max : HOSTCHAN_MAX_PAYLOAD);
	hc_put_str(&b, "openvmm_hcl");
	chan_reply(HOSTCHAN_HELLO, h->id, buf, (uint32_t)b.off);
	became_up(name, v, max);
}

static void on_hello_reply(const struct hostchan_hdr *h, const uint8_t *p)
{
	uint16_t v, zero;
	uint32_t max;
	char name[HOSTCHAN_NAME_MAX + 1];

	if (h->flags & HOSTCHAN_F_ERROR) {
		printf("openvmm_hcl: host channel: the host refused HELLO\n");
		return;
	}
	if (read_hello(p, h->len, &v, &zero, &max, name, sizeof(name)) ||
	    v < HOSTCHAN_VERSION_MIN || v > HOSTCHAN_VERSION_MAX ||
	    max < HOSTCHAN_MIN_PAYLOAD)
		return;
	became_up(name, v, max);
}

/* ---- requests from the host -------------------------------------------- */

/* our resident set, from /proc/self/status */
static uint32_t rss_kb(void)
{
	char line[128];
	unsigned int kb = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %u kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void reply_status(const struct hostchan_hdr *h)
{
	static struct vp_counter c[VP_STATS_MAX];
	uint8_t buf[HOSTCHAN_MAX_PAYLOAD];
	struct hostchan_buf b;
	unsigned int nvps = have_dt ? dt.vp_count : 0;
	uint32_t frames, bad, dropped;
	uint64_t skipped;

	hc_writer(&b, buf, sizeof(buf));
	hc_put_u64(&b, uptime_ms());
	hc_put_str(&b, pv_stage);
	hc_put_u32(&b, (uint32_t)supervise_pid());
	hc_put_u16(&b, (uint16_t)nvps);
	for (unsigned int i = 0; i < nvps; i++) {
		int n = vp_stats_collect(i, c, VP_STATS_MAX);
		uint64_t exits = 0;
		const char *state;

		for (int k = 0; k < n; k++)
			if (!strcmp(c[k].name, "exits"))
				exits = c[k].value;
		if (n < 0)
			state = "absent";
		else if (!strcmp(pv_stage, "vtl0-running"))
			state = "running";
		else
			state = "created";
		hc_put_str(&b, state);
		hc_put_u64(&b, exits);
	}
	chan_counters(&frames, &bad, &skipped, &dropped);
	hc_put_u32(&b, frames);
	hc_put_u32(&b, bad);
	hc_put_u64(&b, skipped);
	hc_put_u32(&b, dropped);
	hc_put_u32(&b, rss_kb());
	if (b.err)
		chan_error(h->type, h->id, HOSTCHAN_E_TOOBIG,
			   "status does not fit a frame");
	else
		chan_reply(h->type, h->id, buf, (uint32_t)b.off);
}

static void reply_timeline(const struct hostchan_hdr *h)
{
	uint8_t buf[1024];
	struct hostchan_buf b;
	uint64_t tsc[ST_NR], t0 = 0;
	double per_ns;

	timeline_stamps(tsc, &per_ns);
	for (int i = 0; i < ST_NR && !t0; i++)
		t0 = tsc[i];
	hc_writer(&b, buf, sizeof(buf));
	hc_put_u32(&b, (uint32_t)(per_ns * 1e6));
	hc_put_u16(&b, ST_NR);
	for (int i = 0; i < ST_NR; i++) {
		int64_t start = -1, dur = -1;

		if (tsc[i]) {
			start = (int64_t)((tsc[i] - t0) / per_ns / 1e3);
			for (int j = i + 1; i != ST_DONE && j < ST_NR; j++)
				if (tsc[j]) {
					dur = (int64_t)((double)(int64_t)
						(tsc[j] - tsc[i]) / per_ns / 1e3);
					break;
				}
		}
		hc_put_str(&b, stage_key[i]);
		hc_put_u64(&b, (uint64_t)start);
		hc_put_u64(&b, (uint64_t)dur);
	}
	chan_reply(h->type, h->id, buf, (uint32_t)b.off);
}

static void reply_stats(const struct hostchan_hdr *h, const uint8_t *p)
{
	static struct vp_counter c[VP_STATS_MAX];
	uint8_t buf[HOSTCHAN_MAX_PAYLOAD];
	struct hostchan_buf b, r;
	unsigned int nvps = have_dt ? dt.vp_count : 0, vp, count = 0;
	size_t count_off, mark;

	hc_reader(&r, p, h->len);
	vp = hc_get_u16(&r);
	if (vp >= nvps) {
		chan_error(h->type, h->id, HOSTCHAN_E_NOTFOUND,
			   "no VP %u (%u VPs)", vp, nvps);
		return;
	}
	hc_writer(&b, buf, peer_max);
	hc_put_u16(&b, 0xffff);		/* next_vp, patched below */
	count_off = b.off;
	hc_put_u16(&b, 0);
	for (; vp < nvps; vp++) {
		int n = vp_stats_collect(vp, c, VP_STATS_MAX);

		mark = b.off;
		hc_put_u16(&b, (uint16_t)vp);
		hc_put_u16(&b, (uint16_t)(n < 0 ? 0 : n));
		for (int k = 0; k < n; k++) {
			hc_put_str(&b, c[k].name);
			hc_put_u64(&b, c[k].value);
		}
		if (b.err) {
			/* this VP goes in the next request */
			b.err = false;
			b.off = mark;
			break;
		}
		count++;
	}
	if (!count) {
		chan_error(h->type, h->id, HOSTCHAN_E_TOOBIG,
			   "VP %u's counters do not fit a frame", vp);
		return;
	}
	buf[0] = (uint8_t)(vp < nvps ? vp : 0xffff);
	buf[1] = (uint8_t)((vp < nvps ? vp : 0xffff) >> 8);
	buf[count_off] = (uint8_t)count;
	buf[count_off + 1] = (uint8_t)(count >> 8);
	chan_reply(h->type, h->id, buf, (uint32_t)b.off);
}

/* a command to underhill_vm, answered when it answers */
struct cmd_ctx {
	uint8_t type;
	uint32_t id;
};

static struct cmd_ctx cmd_ctx;

static void cmd_done(void *arg, bool ok, const char *text)
{
	struct cmd_ctx *c = arg;

	if (ok)
		chan_reply(c->type, c->id, NULL, 0);
	else
		chan_error(c->type, c->id, HOSTCHAN_E_STATE, "%s", text);
}

/* "NAME PID STATE CRASHES LAST" lines into a WORKERS reply */
static void workers_done(void *arg, bool ok, const char *text)
{
	struct cmd_ctx *c = arg;
	uint8_t buf[HOSTCHAN_MAX_PAYLOAD];
	struct hostchan_buf b;
	const char *line;
	uint16_t n = 0;

	if (!ok) {
		chan_error(c->type, c->id, HOSTCHAN_E_STATE, "%s", text);
		return;
	}
	hc_writer(&b, buf, peer_max);
	hc_put_u16(&b, 0);
	/* underhill_vm itself, then its device workers */
	hc_put_str(&b, "underhill_vm");
	hc_put_u32(&b, (uint32_t)supervise_pid());
	hc_put_str(&b, supervise_pid() ? "up" : "exited");
	hc_put_u32(&b, 0);
	hc_put_str(&b, "-");
	n++;
	for (line = text; *line; line = strchr(line, '\n') + 1) {
		char name[32], state[16], last[48];
		unsigned int crashes;
		int pid;

		if (sscanf(line, "%31s %d %15s %u %47s", name, &pid, state,
			   &crashes, last) == 5) {
			hc_put_str(&b, name);
			hc_put_u32(&b, (uint32_t)pid);
			hc_put_str(&b, state);
			hc_put_u32(&b, crashes);
			hc_put_str(&b, last);
			n++;
		}
		if (!strchr(line, '\n'))
			break;
	}
	buf[0] = (uint8_t)n;
	buf[1] = (uint8_t)(n >> 8);
	if (b.err)
		chan_error(c->type, c->id, HOSTCHAN_E_TOOBIG, "too many workers");
	else
		chan_reply(c->type, c->id, buf, (uint32_t)b.off);
}

static void on_command(const struct hostchan_hdr *h, const uint8_t *p)
{
	struct hostchan_buf r;
	char name[HOSTCHAN_NAME_MAX + 1], line[HOSTCHAN_NAME_MAX + 16];
	supervise_done_fn fn = cmd_done;
	const char *what;
	uint8_t op;

	hc_reader(&r, p, h->len);
	op = hc_get_u8(&r);
	if (h->type == HOSTCHAN_VTL0) {
		if (op != HOSTCHAN_VTL0_POWEROFF && op != HOSTCHAN_VTL0_RESET) {
			chan_error(h->type, h->id, HOSTCHAN_E_PAYLOAD,
				   "unknown VTL0 action %u", op);
			return;
		}
		what = op == HOSTCHAN_VTL0_POWEROFF ? "poweroff" : "reset";
	} else {
		hc_get_str(&r, name, sizeof(name));
		if (op == 0) {
			what = "workers";
			fn = workers_done;
		} else if (op == 1 && name[0]) {
			snprintf(line, sizeof(line), "restart %s", name);
			what = line;
		} else {
			chan_error(h->type, h->id, HOSTCHAN_E_PAYLOAD,
				   "unknown workers operation %u", op);
			return;
		}
	}
	if (supervise_shutting_down()) {
		chan_error(h->type, h->id, HOSTCHAN_E_STATE,
			   "the paravisor is shutting down");
		return;
	}
	cmd_ctx = (struct cmd_ctx){ h->type, h->id };
	if (supervise_command(what, fn, &cmd_ctx))
		chan_error(h->type, h->id, HOSTCHAN_E_STATE,
			   "underhill_vm is not running or busy");
}

/* the run loop's policy over hcl.ko's netlink family (netlink.c) */
static void reply_policy(const struct hostchan_hdr *h, const uint8_t *p)
{
	char set[HOSTCHAN_TEXT_MAX + 1], pol[256], err[160];
	uint8_t buf[sizeof(pol) + 8];
	struct hostchan_buf r, b;

	hc_reader(&r, p, h->len);
	hc_get_str(&r, set, sizeof(set));
	hc_end(&r);
	if (r.err) {
		chan_error(h->type, h->id, HOSTCHAN_E_PAYLOAD,
			   "a policy is at most %u bytes of text",
			   HOSTCHAN_TEXT_MAX);
		return;
	}
	if (netlink_policy(set, pol, sizeof(pol), err, sizeof(err))) {
		chan_error(h->type, h->id, HOSTCHAN_E_PAYLOAD, "%s", err);
		return;
	}
	if (set[0])
		logs_self("run-loop policy set by the host: %s", pol);
	hc_writer(&b, buf, sizeof(buf));
	hc_put_str(&b, pol);
	chan_reply(h->type, h->id, buf, (uint32_t)b.off);
}

static void on_request(const struct hostchan_hdr *h, const uint8_t *p)
{
	if (h->type == HOSTCHAN_HELLO) {
		on_hello(h, p);
		return;
	}
	if (!up) {
		chan_error(h->type, h->id, HOSTCHAN_E_HELLO,
			   "HELLO first");
		return;
	}
	if (h->version != version) {
		chan_error(h->type, h->id, HOSTCHAN_E_VERSION,
			   "version %u, the channel speaks %u", h->version,
			   version);
		return;
	}
	switch (h->type) {
	case HOSTCHAN_STATUS:
		reply_status(h);
		break;
	case HOSTCHAN_TIMELINE:
		reply_timeline(h);
		break;
	case HOSTCHAN_STATS:
		reply_stats(h, p);
		break;
	case HOSTCHAN_VTL0:
	case HOSTCHAN_WORKERS:
		on_command(h, p);
		break;
	case HOSTCHAN_SHUTDOWN:
		chan_reply(h->type, h->id, NULL, 0);
		supervise_shutdown();
		break;
	case HOSTCHAN_POLICY:
		reply_policy(h, p);
		break;
	default:
		chan_error(h->type, h->id, HOSTCHAN_E_TYPE,
			   "%s is not a request to the paravisor",
			   hostchan_type_name(h->type));
		break;
	}
}

static void on_reply(const struct hostchan_hdr *h, const uint8_t *p)
{
	for (int i = 0; i < MAX_PENDING; i++) {
		struct pending *q = &pending[i];

		if (!q->id || q->id != h->id || q->type != h->type)
			continue;
		q->id = 0;
		if (h->type == HOSTCHAN_HELLO)
			on_hello_reply(h, p);
		else if (q->fn)
			q->fn(q->ctx, h, p);
		return;
	}
	/* an answer nobody waits for (timed out): dropped */
}

static void refused(int why, const struct hostchan_hdr *h)
{
	static const char *const what[] = {
		[HOSTCHAN_RX_CRC] = "CRC mismatch",
		[HOSTCHAN_RX_TOOBIG] = "length above the limit",
		[HOSTCHAN_RX_FLAGS] = "unknown flags",
		[HOSTCHAN_RX_STALE] = "truncated (the line went quiet)",
	};

	if (errs_this_tick++ >= ERR_PER_TICK)
		return;
	chan_error(h && h->type < HOSTCHAN_NR_TYPES ? h->type : 0,
		   h ? h->id : 0, HOSTCHAN_E_BADFRAME, "frame refused: %s",
		   what[why]);
}

static void on_frame(const struct hostchan_hdr *h, const uint8_t *p)
{
	int ok = hostchan_check_payload(h, p);

	if (h->flags & HOSTCHAN_F_REPLY) {
		if (!ok)
			on_reply(h, p);
		return;
	}
	if (h->flags & HOSTCHAN_F_NOREPLY)
		return;		/* nothing the host may notify us of */
	if (ok == -2) {
		chan_error(h->type, h->id, HOSTCHAN_E_TYPE,
			   "unknown request type %u", h->type);
		return;
	}
	if (ok) {
		chan_error(h->type, h->id, HOSTCHAN_E_PAYLOAD,
			   "malformed %s payload (%u bytes)",
			   hostchan_type_name(h->type), h->len);
		return;
	}
	on_request(h, p);
}

static void on_input(struct watch *wt, uint32_t events)
{
	uint8_t buf[4096];
	struct hostchan_hdr h;
	const uint8_t *p;
	ssize_t n;
	size_t off;
	int ret;

	if (events & EPOLLOUT)
		tx_write();
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = read(wt->fd, buf, sizeof(buf));
	if (n <= 0)
		return;
	idle_ticks = 0;
	for (off = 0; off < (size_t)n;) {
		off += hostchan_rx_push(&rx, buf + off, n - off);
		while ((ret = hostchan_rx_next(&rx, &h, &p)) != 0) {
			if (ret == 1)
				on_frame(&h, p);
			else
				refused(-ret, &h);
		}
	}
}

/* ---- the tick -------------------------------------------------------------- */

void chan_tick(void)
{
	uint64_t now = uptime_ms();

	if (w.fd < 0)
		return;
	errs_this_tick = 0;
	ticks++;
	if (!up && ticks % HELLO_EVERY == 0)
		send_hello();
	if (rx.have && ++idle_ticks >= IDLE_TICKS) {
		idle_ticks = 0;
		if (hostchan_rx_idle(&rx))
			refused(HOSTCHAN_RX_STALE, NULL);
	}
	if (rx.bytes_skipped != skipped_told && up) {
		chan_error(0, 0, HOSTCHAN_E_BADFRAME,
			   "%llu bytes skipped looking for a frame",
			   (unsigned long long)(rx.bytes_skipped - skipped_told));
		skipped_told = rx.bytes_skipped;
	}
	for (int i = 0; i < MAX_PENDING; i++) {
		struct pending *q = &pending[i];
		struct hostchan_hdr h = { version, q->type,
					  HOSTCHAN_F_REPLY | HOSTCHAN_F_ERROR,
					  q->id, 0 };
		uint8_t buf[64];
		struct hostchan_buf b;

		if (!q->id || now < q->deadline)
			continue;
		q->id = 0;
		if (!q->fn)
			continue;
		hc_writer(&b, buf, sizeof(buf));
		hc_put_u32(&b, HOSTCHAN_E_IO);
		hc_put_str(&b, "no answer from the host");
		h.len = (uint32_t)b.off;
		q->fn(q->ctx, &h, buf);
	}
}

void chan_flush(unsigned int ms)
{
	uint64_t end = uptime_ms() + ms;
	int outq;

	if (w.fd < 0 || !up)
		return;
	while (uptime_ms() < end) {
		struct pollfd pfd = { .fd = w.fd, .events = POLLOUT };

		tx_write();
		if (!head && (ioctl(w.fd, TIOCOUTQ, &outq) || !outq))
			return;
		poll(&pfd, 1, 20);
	}
}

/* ---- the UART ------------------------------------------------------------ */

/* /dev/ttySN whose I/O port is @port (sysfs "port" is "0x2F8") */
static int find_tty(uint16_t port, char *path, size_t len)
{
	struct dirent *d;
	DIR *dir = opendir("/sys/class/tty");
	int found = -1;

	if (!dir)
		return -1;
	while (found && (d = readdir(dir))) {
		char p[300], val[32];
		FILE *f;

		if (strncmp(d->d_name, "ttyS", 4))
			continue;
		snprintf(p, sizeof(p), "/sys/class/tty/%s/port", d->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (fgets(val, sizeof(val), f) &&
		    strtoul(val, NULL, 16) == port) {
			snprintf(path, len, "/dev/%.40s", d->d_name);
			found = 0;
		}
		fclose(f);
	}
	closedir(dir);
	return found;
}

bool chan_init(void)
{
	struct termios t;
	char path[64];

	hostchan_rx_init(&rx, HOSTCHAN_MAX_PAYLOAD);
	if (!have_dt || !dt.has_host_channel)
		return false;
	if (find_tty(dt.host_channel_port, path, sizeof(path))) {
		printf("openvmm_hcl: host channel: no tty at port %#x\n",
		       dt.host_channel_port);
		return false;
	}
	w.fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (w.fd < 0 || tcgetattr(w.fd, &t)) {
		printf("openvmm_hcl: host channel: %s: %s\n", path,
		       strerror(errno));
		if (w.fd >= 0)
			close(w.fd);
		w.fd = -1;
		return false;
	}
	/* bytes as they are; the speed is the UART's fastest */
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	cfsetispeed(&t, B115200);
	cfsetospeed(&t, B115200);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(w.fd, TCSANOW, &t) || tcflush(w.fd, TCIOFLUSH)) {
		printf("openvmm_hcl: host channel: %s: %s\n", path,
		       strerror(errno));
		close(w.fd);
		w.fd = -1;
		return false;
	}
	if (chan_attach(w.fd))
		return false;
	printf("openvmm_hcl: host channel on %s (I/O port %#x, IRQ %u)\n", path,
	       dt.host_channel_port, dt.host_channel_irq);
	return true;
}

int chan_attach(int fd)
{
	hostchan_rx_init(&rx, HOSTCHAN_MAX_PAYLOAD);
	w.fd = fd;
	w.fn = on_input;
	if (loop_watch(&w, EPOLLIN)) {
		close(w.fd);
		w.fd = -1;
		return -1;
	}
	send_hello();
	return 0;
}
