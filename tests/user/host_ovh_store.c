// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: openvmm_hcl's guest-state store client
 * (userspace/openvmm_hcl/store.c) and its channel on a socketpair,
 * against a host that keeps its blobs with hclctl's store code
 * (tools/hclctl/vmgs.c) and offers 512-byte payloads: blobs of several
 * KB fetched and stored in chunks, the stored blob replaced only when
 * the whole arrived, a blob that changes while it is read fetched
 * again, a damaged chunk or a store the host refuses reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "openvmm_hcl/openvmm_hcl.h"
#include "vmgs.h"

/* ---- test doubles for what the rest of openvmm_hcl provides ------------ */

struct hcl_dt_info dt;
bool have_dt;
const char *pv_stage = "vtl0-running";
const char *const stage_key[ST_NR] = { "a", "b", "c", "d", "e", "f", "g",
				       "h", "i" };
static struct watch *watched;

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
	return 0;
}

pid_t supervise_pid(void)
{
	return 42;
}

bool supervise_shutting_down(void)
{
	return false;
}

void supervise_shutdown(void)
{
}

int supervise_command(const char *cmd, supervise_done_fn done, void *ctx)
{
	(void)cmd;
	done(ctx, true, "");
	return 0;
}

void vtpm_channel_up(void)
{
}

void timeline_stamps(uint64_t tsc[ST_NR], double *per_ns)
{
	memset(tsc, 0, ST_NR * sizeof(*tsc));
	*per_ns = 1.0;
}

int vp_stats_collect(unsigned int vp, struct vp_counter *c, unsigned int max)
{
	(void)vp;
	(void)c;
	(void)max;
	return 0;
}

int netlink_policy(const char *set, char *buf, size_t len, char *err,
		   size_t errlen)
{
	(void)set;
	(void)err;
	(void)errlen;
	snprintf(buf, len, "x");
	return 0;
}

void logs_self(const char *fmt, ...)
{
	(void)fmt;
}

/* ---- the host: hclctl's store rules, 512-byte payloads -------------------- */

#define PAYLOAD	512

static int host = -1;
static struct hostchan_rx hrx;
static struct vmgs store;
static struct vmgs_uploads uploads;
/* what the host does besides answering */
static bool corrupt;			/* answer every request CORRUPT */
static int change_after = -1;		/* replace "big" after N GET chunks */
static bool damage_next_chunk;		/* flip a byte of the next GET chunk */
static unsigned int ngets, nputs, nputs_before_commit;

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

static void host_error(const struct hostchan_hdr *h, uint32_t code)
{
	uint8_t buf[64];
	struct hostchan_buf b;

	hc_writer(&b, buf, sizeof(buf));
	hc_put_u32(&b, code);
	hc_put_str(&b, "test host says no");
	host_send(h->type, HOSTCHAN_F_REPLY | HOSTCHAN_F_ERROR, h->id, buf,
		  (uint32_t)b.off);
}

static void fill(uint8_t *p, uint32_t n, uint8_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 13 + seed + (i >> 7));
}

static void host_get(const struct hostchan_hdr *h, struct hostchan_buf *r,
		     const char *name)
{
	uint32_t off = hc_get_u32(r), n;
	const struct vmgs_blob *blob = vmgs_find(&store, name);
	uint8_t out[PAYLOAD], chunk[PAYLOAD];
	struct hostchan_buf b;

	if (!blob) {
		host_error(h, HOSTCHAN_E_NOTFOUND);
		return;
	}
	n = blob->size - off < PAYLOAD - 16 ? blob->size - off : PAYLOAD - 16;
	memcpy(chunk, blob->data + off, n);
	if (damage_next_chunk && n) {
		chunk[0] ^= 1;
		damage_next_chunk = false;
	}
	hc_writer(&b, out, sizeof(out));
	hc_put_u32(&b, blob->size);
	hc_put_u32(&b, hostchan_crc32(0, blob->data, blob->size));
	hc_put_u32(&b, off);
	hc_put_blob(&b, chunk, n);
	host_send(h->type, HOSTCHAN_F_REPLY, h->id, out, (uint32_t)b.off);
	if (!strcmp(name, "big") && change_after >= 0 && !change_after--) {
		static uint8_t other[7000];

		fill(other, sizeof(other), 99);
		vmgs_set(&store, "big", other, sizeof(other));
	}
}

static void host_put(const struct hostchan_hdr *h, struct hostchan_buf *r,
		     const char *name)
{
	uint32_t size = hc_get_u32(r), crc = hc_get_u32(r), off = hc_get_u32(r);
	uint32_t len, have;
	const uint8_t *chunk;
	uint8_t *data, le[4];
	char err[256];
	int ret;

	len = hc_get_blob(r, &chunk);
	ret = vmgs_upload_chunk(&uploads, name, size, crc, off, chunk, len,
				HOSTCHAN_STORE_MAX, &have, &data, err,
				sizeof(err));
	if (ret < 0) {
		host_error(h, (uint32_t)-ret);
		return;
	}
	if (ret == 1) {
		vmgs_set(&store, name, data, size);
		free(data);
	} else if (!strcmp(name, "big")) {
		nputs_before_commit++;
	}
	for (int i = 0; i < 4; i++)
		le[i] = (uint8_t)(have >> (8 * i));
	host_send(h->type, HOSTCHAN_F_REPLY, h->id, le, sizeof(le));
}

/* answers what openvmm_hcl sent until it sends nothing more */
static void host_serve(void)
{
	uint8_t buf[4096];
	struct hostchan_hdr h;
	const uint8_t *p;
	int ret;

	for (;;) {
		ssize_t n;

		while ((ret = hostchan_rx_next(&hrx, &h, &p)) != 0) {
			struct hostchan_buf r;
			char name[HOSTCHAN_NAME_MAX + 1];

			if (ret != 1 || (h.flags & HOSTCHAN_F_NOREPLY))
				continue;
			if (hostchan_check_payload(&h, p))
				abort();
			if (h.type == HOSTCHAN_HELLO && !(h.flags & HOSTCHAN_F_REPLY)) {
				uint8_t out[64];
				struct hostchan_buf b;

				hc_writer(&b, out, sizeof(out));
				hc_put_u16(&b, HOSTCHAN_VERSION_MAX);
				hc_put_u16(&b, 0);
				hc_put_u32(&b, PAYLOAD);
				hc_put_str(&b, "test-host");
				host_send(h.type, HOSTCHAN_F_REPLY, h.id, out,
					  (uint32_t)b.off);
				continue;
			}
			if (h.type != HOSTCHAN_STORE_GET &&
			    h.type != HOSTCHAN_STORE_PUT)
				continue;
			/* a payload over the negotiated size is a bug */
			if (h.len > PAYLOAD)
				abort();
			if (corrupt) {
				host_error(&h, HOSTCHAN_E_CORRUPT);
				continue;
			}
			hc_reader(&r, p, h.len);
			hc_get_str(&r, name, sizeof(name));
			if (h.type == HOSTCHAN_STORE_GET) {
				ngets++;
				host_get(&h, &r, name);
			} else {
				nputs++;
				host_put(&h, &r, name);
			}
		}
		watched->fn(watched, EPOLLOUT);
		n = recv(host, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			return;
		for (size_t off = 0; off < (size_t)n;)
			off += hostchan_rx_push(&hrx, buf + off, n - off);
	}
}

/* ---- the client's answers --------------------------------------------------- */

static int got_err = -1, put_err = -1;
static uint8_t got_data[HOSTCHAN_STORE_MAX];
static uint32_t got_len;

static void got(void *ctx, int err, const char *msg, const uint8_t *data,
		uint32_t len)
{
	(void)ctx;
	(void)msg;
	got_err = err;
	got_len = len;
	if (!err)
		memcpy(got_data, data, len);
}

static void put_done(void *ctx, int err, const char *msg)
{
	(void)ctx;
	(void)msg;
	put_err = err;
}

FIXTURE(store) {
	int fds[2];
};

FIXTURE_SETUP(store)
{
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, self->fds));
	fcntl(self->fds[0], F_SETFL, O_NONBLOCK);
	host = self->fds[1];
	hostchan_rx_init(&hrx, HOSTCHAN_MAX_PAYLOAD);
	ASSERT_EQ(0, chan_attach(self->fds[0]));
	host_serve();			/* HELLO, then the boot counter */
	ASSERT_TRUE(chan_up());
	ASSERT_EQ(PAYLOAD, chan_max_payload());
	ASSERT_NE(NULL, vmgs_find(&store, "openvmm_hcl.boots"));
	ngets = nputs = 0;
}

FIXTURE_TEARDOWN(store)
{
	close(self->fds[1]);
}

TEST_F(store, a_big_blob_fetched_in_chunks)
{
	static uint8_t blob[10000];

	fill(blob, sizeof(blob), 1);
	ASSERT_EQ(0, vmgs_set(&store, "big", blob, sizeof(blob)));
	ASSERT_EQ(0, store_get("big", got, NULL));
	host_serve();
	ASSERT_EQ(0, got_err);
	ASSERT_EQ(sizeof(blob), got_len);
	EXPECT_EQ(0, memcmp(got_data, blob, sizeof(blob)));
	/* 496 bytes a chunk */
	EXPECT_EQ(21u, ngets);
	/* none there */
	ASSERT_EQ(0, store_get("none", got, NULL));
	host_serve();
	EXPECT_EQ(HOSTCHAN_E_NOTFOUND, got_err);
}

TEST_F(store, a_big_blob_stored_whole_at_its_last_chunk)
{
	static uint8_t old[100], blob[10000];

	fill(old, sizeof(old), 2);
	fill(blob, sizeof(blob), 3);
	ASSERT_EQ(0, vmgs_set(&store, "big", old, sizeof(old)));
	ASSERT_EQ(0, store_put("big", blob, sizeof(blob), put_done, NULL));
	/* the first chunk is on its way: nothing replaced yet */
	EXPECT_EQ(sizeof(old), vmgs_find(&store, "big")->size);
	host_serve();
	ASSERT_EQ(0, put_err);
	EXPECT_LT(15u, nputs);
	EXPECT_EQ(nputs - 1, nputs_before_commit);
	ASSERT_EQ(sizeof(blob), vmgs_find(&store, "big")->size);
	EXPECT_EQ(0, memcmp(vmgs_find(&store, "big")->data, blob,
			    sizeof(blob)));
	/* an empty blob: one chunk */
	ASSERT_EQ(0, store_put("empty", NULL, 0, put_done, NULL));
	host_serve();
	EXPECT_EQ(0, put_err);
	EXPECT_EQ(0u, vmgs_find(&store, "empty")->size);
	/* over the limit: refused before anything is sent */
	EXPECT_EQ(-1, store_put("huge", got_data, HOSTCHAN_STORE_MAX + 1,
				put_done, NULL));
}

TEST_F(store, a_blob_replaced_while_read_is_read_again)
{
	static uint8_t blob[3000], other[7000];

	fill(blob, sizeof(blob), 4);
	fill(other, sizeof(other), 99);
	ASSERT_EQ(0, vmgs_set(&store, "big", blob, sizeof(blob)));
	change_after = 1;
	ASSERT_EQ(0, store_get("big", got, NULL));
	host_serve();
	ASSERT_EQ(0, got_err);
	ASSERT_EQ(sizeof(other), got_len);
	EXPECT_EQ(0, memcmp(got_data, other, sizeof(other)));
}

TEST_F(store, a_damaged_chunk_fails_the_crc)
{
	static uint8_t blob[3000];

	fill(blob, sizeof(blob), 5);
	ASSERT_EQ(0, vmgs_set(&store, "big", blob, sizeof(blob)));
	damage_next_chunk = true;
	ASSERT_EQ(0, store_get("big", got, NULL));
	host_serve();
	EXPECT_EQ(HOSTCHAN_E_PAYLOAD, got_err);
	EXPECT_EQ(0u, got_len);
}

TEST_F(store, a_refused_store_is_never_written)
{
	corrupt = true;
	ASSERT_EQ(0, store_get("big", got, NULL));
	host_serve();
	EXPECT_EQ(HOSTCHAN_E_CORRUPT, got_err);
	EXPECT_EQ(-1, store_put("big", "x", 1, put_done, NULL));
	EXPECT_EQ(0u, nputs);
}

TEST_HARNESS_MAIN
