// SPDX-License-Identifier: GPL-2.0
/*
 * hclctl serve: the host end of the host channel.
 *
 *   hclctl serve --qemu QEMU.sock --listen CTL.sock --log FILE
 *                --store VMGS
 *
 * Connects to QEMU's socket for the paravisor's UART (retrying until
 * QEMU has made it), says HELLO every 2 s until the paravisor answers or
 * says its own, then: answers the paravisor's store requests from the
 * store file (checked when the daemon starts; a store that fails its
 * checks is refused, never replaced), appends its log records and
 * events to FILE (and to `hclctl log -f` followers), and relays CLI
 * requests from CTL.sock.  Nothing blocks on the paravisor: its socket
 * is non-blocking with a bounded queue.  Ends when QEMU closes the
 * socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hclctl.h"
#include "vmgs.h"

#define MAX_CLIENTS	16
#define MAX_FWD		64
#define TXQ_MAX		(1 << 20)
#define FWD_TIMEOUT_MS	15000

struct client {
	int fd;				/* -1: free */
	bool follow;
	struct hostchan_rx rx;
};

struct fwd {
	uint32_t chan_id;		/* 0: free */
	int client;
	uint32_t client_id;
	uint8_t type;
	uint64_t deadline;
};

static int qfd = -1, lfd = -1;
static struct client clients[MAX_CLIENTS];
static struct fwd fwds[MAX_FWD];
static struct hostchan_rx rx;
static uint8_t *txq;
static size_t txq_len;
static uint32_t next_id;
static FILE *logf;
static const char *store_path;
static struct vmgs store;
static struct vmgs_uploads uploads;
/* the payload size we offer (HCLCTL_MAX_PAYLOAD, for tests: small chunks) */
static uint32_t our_max = HOSTCHAN_MAX_PAYLOAD;
static char store_state[256];
static bool store_bad;
/* the paravisor's side */
static bool up;
static uint8_t version = HOSTCHAN_VERSION_MAX;
static uint32_t peer_max = HOSTCHAN_MIN_PAYLOAD;
static char peer[HOSTCHAN_NAME_MAX + 1];
static uint32_t error_frames, log_records, log_dropped;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the log ----------------------------------------------------------- */

static void send_client(int i, uint8_t type, uint16_t flags, uint32_t id,
			const void *p, uint32_t len);

/* one line to the file and the followers */
static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
	char line[HOSTCHAN_TEXT_MAX + 256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (logf) {
		fprintf(logf, "%s\n", line);
		fflush(logf);
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0 && clients[i].follow)
			send_client(i, HCLCTL_LINE, HOSTCHAN_F_NOREPLY, 0, line,
				    (uint32_t)n);
}

/* ---- the channel --------------------------------------------------------- */

static void chan_write(void)
{
	while (txq_len && qfd >= 0) {
		ssize_t n = write(qfd, txq, txq_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		memmove(txq, txq + n, txq_len - n);
		txq_len -= n;
	}
}

static void chan_raw(const void *p, size_t len)
{
	if (txq_len + len > TXQ_MAX) {
		log_line("[host] channel queue full: %zu bytes dropped", len);
		return;
	}
	memcpy(txq + txq_len, p, len);
	txq_len += len;
	chan_write();
}

static void chan_send(uint8_t type, uint16_t flags, uint32_t id,
		      const void *p, uint32_t len)
{
	uint8_t f[HOSTCHAN_MAX_FRAME];
	struct hostchan_hdr h = { version, type, flags, id, len };
	size_t n = hostchan_encode(f, sizeof(f), &h, p);

	if (n)
		chan_raw(f, n);
}

static void chan_error(uint8_t type, uint32_t id, uint32_t code,
		       const char *msg)
{
	uint8_t buf[HOSTCHAN_TEXT_MAX + 8];
	struct hostchan_buf b;

	hc_writer(&b, buf, sizeof(buf));
	hc_put_u32(&b, code);
	hc_put_str(&b, msg);
	chan_send(type, HOSTCHAN_F_REPLY | HOSTCHAN_F_ERROR, id, buf,
		  (uint32_t)b.off);
}

static void send_hello(void)
{
	uint8_t buf[64];
	struct hostchan_buf b;

	hc_writer(&b, buf, sizeof(buf));
	hc_put_u16(&b, HOSTCHAN_VERSION_MIN);
	hc_put_u16(&b, HOSTCHAN_VERSION_MAX);
	hc_put_u32(&b, our_max);
	hc_put_str(&b, "hclctl");
	if (!++next_id)
		next_id = 1;
	chan_send(HOSTCHAN_HELLO, 0, next_id, buf, (uint32_t)b.off);
}

static void became_up(const char *name, unsigned int v, uint32_t max)
{
	peer_max = max < our_max ? max : our_max;
	if (!up)
		log_line("[host] %s said HELLO: protocol %u, payloads up to %u bytes",
			 name, v, peer_max);
	up = true;
	version = (uint8_t)v;
	snprintf(peer, sizeof(peer), "%s", name);
}

static void on_hello(const struct hostchan_hdr *h, const uint8_t *p)
{
	struct hostchan_buf b;
	uint16_t lo, hi;
	uint32_t max;
	char name[HOSTCHAN_NAME_MAX + 1];
	uint8_t out[64];
	unsigned int v;

	hc_reader(&b, p, h->len);
	lo = hc_get_u16(&b);
	hi = hc_get_u16(&b);
	max = hc_get_u32(&b);
	hc_get_str(&b, name, sizeof(name));
	if (h->flags & HOSTCHAN_F_REPLY) {
		if (lo >= HOSTCHAN_VERSION_MIN && lo <= HOSTCHAN_VERSION_MAX &&
		    max >= HOSTCHAN_MIN_PAYLOAD)
			became_up(name, lo, max);
		return;
	}
	v = hostchan_pick_version(lo, hi);
	if (!v || max < HOSTCHAN_MIN_PAYLOAD) {
		chan_error(h->type, h->id, HOSTCHAN_E_VERSION,
			   "no common version or payload size");
		return;
	}
	version = (uint8_t)v;
	hc_writer(&b, out, sizeof(out));
	hc_put_u16(&b, (uint16_t)v);
	hc_put_u16(&b, 0);
	hc_put_u32(&b, max < our_max ? max : our_max);
	hc_put_str(&b, "hclctl");
	chan_send(HOSTCHAN_HELLO, HOSTCHAN_F_REPLY, h->id, out,
		  (uint32_t)b.off);
	became_up(name, v, max);
}

/* a GET: the chunk of @name at the request's offset */
static void store_get(const struct hostchan_hdr *h, const char *name,
		      uint32_t off)
{
	static uint8_t out[HOSTCHAN_MAX_PAYLOAD];
	const struct vmgs_blob *blob = vmgs_find(&store, name);
	struct hostchan_buf b;
	uint32_t n;

	if (!blob) {
		chan_error(h->type, h->id, HOSTCHAN_E_NOTFOUND, "no such blob");
		return;
	}
	if (off > blob->size) {
		chan_error(h->type, h->id, HOSTCHAN_E_PAYLOAD,
			   "offset past the blob's end");
		return;
	}
	/* u32 size, crc, offset and the blob's length: 16 bytes */
	n = blob->size - off;
	if (n > peer_max - 16)
		n = peer_max - 16;
	hc_writer(&b, out, peer_max);
	hc_put_u32(&b, blob->size);
	hc_put_u32(&b, hostchan_crc32(0, blob->data, blob->size));
	hc_put_u32(&b, off);
	hc_put_blob(&b, blob->data + off, n);
	if (!b.err)
		chan_send(h->type, HOSTCHAN_F_REPLY, h->id, out,
			  (uint32_t)b.off);
}

/*
 * A PUT: the chunk joins its transfer; the last one, if the whole
 * checks, replaces the blob in the file before the reply.
 */
static void store_put(const struct hostchan_hdr *h, const char *name,
		      struct hostchan_buf *b)
{
	uint32_t size = hc_get_u32(b), crc = hc_get_u32(b);
	uint32_t off = hc_get_u32(b), len, have;
	const uint8_t *chunk;
	uint8_t *data, le[4];
	char err[512];
	int ret;

	len = hc_get_blob(b, &chunk);
	ret = vmgs_upload_chunk(&uploads, name, size, crc, off, chunk, len,
				HOSTCHAN_STORE_MAX, &have, &data, err,
				sizeof(err));
	if (ret < 0) {
		log_line("[host] store: %s refused: %s", name, err);
		chan_error(h->type, h->id, (uint32_t)-ret, err);
		return;
	}
	if (ret == 1) {
		ret = vmgs_set(&store, name, data, size);
		free(data);
		if (ret) {
			chan_error(h->type, h->id, HOSTCHAN_E_TOOBIG,
				   "too many blobs");
			return;
		}
		if (vmgs_save(store_path, &store, err, sizeof(err))) {
			log_line("[host] store: %s", err);
			chan_error(h->type, h->id, HOSTCHAN_E_IO, err);
			return;
		}
		log_line("[host] store: %s written (%u bytes)", name, size);
	}
	for (int i = 0; i < 4; i++)
		le[i] = (uint8_t)(have >> (8 * i));
	chan_send(h->type, HOSTCHAN_F_REPLY, h->id, le, sizeof(le));
}

static void on_store(const struct hostchan_hdr *h, const uint8_t *p)
{
	char name[HOSTCHAN_NAME_MAX + 1];
	struct hostchan_buf b;

	hc_reader(&b, p, h->len);
	hc_get_str(&b, name, sizeof(name));
	if (store_bad) {
		chan_error(h->type, h->id, HOSTCHAN_E_CORRUPT, store_state);
		return;
	}
	if (!vmgs_name_ok(name)) {
		chan_error(h->type, h->id, HOSTCHAN_E_PAYLOAD, "bad blob name");
		return;
	}
	if (h->type == HOSTCHAN_STORE_GET)
		store_get(h, name, hc_get_u32(&b));
	else
		store_put(h, name, &b);
}

static void on_log(const uint8_t *p, uint32_t len)
{
	struct hostchan_buf b;
	char tag[HOSTCHAN_NAME_MAX + 1], text[HOSTCHAN_TEXT_MAX + 1];
	uint32_t lost;
	uint64_t us;
	size_t n;

	hc_reader(&b, p, len);
	hc_get_u8(&b);
	hc_get_u8(&b);
	hc_get_u16(&b);
	lost = hc_get_u32(&b);
	us = hc_get_u64(&b);
	hc_get_str(&b, tag, sizeof(tag));
	hc_get_str(&b, text, sizeof(text));
	log_records++;
	if (lost) {
		log_dropped += lost;
		log_line("[host] %u log records lost before this one", lost);
	}
	/* "tag: text", once: a process's lines often name it already */
	n = strlen(tag);
	if (n && !strncmp(text, tag, n) && text[n] == ':')
		log_line("[%5llu.%06llu] %s", (unsigned long long)(us / 1000000),
			 (unsigned long long)(us % 1000000), text);
	else
		log_line("[%5llu.%06llu] %s: %s",
			 (unsigned long long)(us / 1000000),
			 (unsigned long long)(us % 1000000), tag, text);
}

static void on_event(const uint8_t *p, uint32_t len)
{
	struct hostchan_buf b;
	char kind[HOSTCHAN_NAME_MAX + 1], name[HOSTCHAN_NAME_MAX + 1];
	char text[HOSTCHAN_TEXT_MAX + 1];
	int32_t pid, code, sig;

	hc_reader(&b, p, len);
	hc_get_str(&b, kind, sizeof(kind));
	hc_get_str(&b, name, sizeof(name));
	pid = (int32_t)hc_get_u32(&b);
	code = (int32_t)hc_get_u32(&b);
	sig = (int32_t)hc_get_u32(&b);
	hc_get_str(&b, text, sizeof(text));
	if (sig)
		log_line("[event] %s %s pid %d: killed by signal %d (%s): %s",
			 kind, name, pid, sig, strsignal(sig), text);
	else if (code >= 0)
		log_line("[event] %s %s pid %d: exit status %d: %s", kind,
			 name, pid, code, text);
	else
		log_line("[event] %s %s pid %d: %s", kind, name, pid, text);
}

static void to_client(const struct hostchan_hdr *h, const uint8_t *p)
{
	for (int i = 0; i < MAX_FWD; i++) {
		struct fwd *f = &fwds[i];

		if (!f->chan_id || f->chan_id != h->id || f->type != h->type)
			continue;
		f->chan_id = 0;
		if (clients[f->client].fd >= 0)
			send_client(f->client, h->type, h->flags, f->client_id,
				    p, h->len);
		return;
	}
	if (h->flags & HOSTCHAN_F_ERROR) {
		struct hostchan_buf b;
		char msg[HOSTCHAN_TEXT_MAX + 1];
		uint32_t code;

		hc_reader(&b, p, h->len);
		code = hc_get_u32(&b);
		hc_get_str(&b, msg, sizeof(msg));
		error_frames++;
		log_line("[host] error from %s: %s: %s",
			 peer[0] ? peer : "the paravisor",
			 hostchan_err_name(code), msg);
	}
}

static void on_frame(const struct hostchan_hdr *h, const uint8_t *p)
{
	int ok = hostchan_check_payload(h, p);

	if (h->type == HOSTCHAN_HELLO && !ok) {
		on_hello(h, p);
		return;
	}
	if (h->flags & HOSTCHAN_F_REPLY) {
		if (!ok)
			to_client(h, p);
		return;
	}
	if (ok) {
		if (!(h->flags & HOSTCHAN_F_NOREPLY))
			chan_error(h->type, h->id, ok == -2 ? HOSTCHAN_E_TYPE :
				   HOSTCHAN_E_PAYLOAD, "malformed request");
		return;
	}
	switch (h->type) {
	case HOSTCHAN_LOG:
		on_log(p, h->len);
		break;
	case HOSTCHAN_EVENT:
		on_event(p, h->len);
		break;
	case HOSTCHAN_STORE_GET:
	case HOSTCHAN_STORE_PUT:
		if (up)
			on_store(h, p);
		else
			chan_error(h->type, h->id, HOSTCHAN_E_HELLO,
				   "HELLO first");
		break;
	default:
		if (!(h->flags & HOSTCHAN_F_NOREPLY))
			chan_error(h->type, h->id, HOSTCHAN_E_TYPE,
				   "not a request to the host");
		break;
	}
}

static bool chan_input(void)
{
	uint8_t buf[4096];
	struct hostchan_hdr h;
	const uint8_t *p;
	ssize_t n = read(qfd, buf, sizeof(buf));
	size_t off;
	int ret;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	for (off = 0; off < (size_t)n;) {
		off += hostchan_rx_push(&rx, buf + off, n - off);
		while ((ret = hostchan_rx_next(&rx, &h, &p)) != 0)
			if (ret == 1)
				on_frame(&h, p);
	}
	return true;
}

/* ---- clients ------------------------------------------------------------- */

static void drop_client(int i)
{
	close(clients[i].fd);
	clients[i].fd = -1;
	clients[i].follow = false;
	for (int k = 0; k < MAX_FWD; k++)
		if (fwds[k].chan_id && fwds[k].client == i)
			fwds[k].chan_id = 0;
}

static void send_client(int i, uint8_t type, uint16_t flags, uint32_t id,
			const void *p, uint32_t len)
{
	uint8_t f[HOSTCHAN_MAX_FRAME];
	struct hostchan_hdr h = { HOSTCHAN_VERSION_MAX, type, flags, id, len };
	size_t n = hostchan_encode(f, sizeof(f), &h, p), done = 0;

	while (n && done < n) {
		/* SO_SNDTIMEO bounds a client that does not read */
		ssize_t k = send(clients[i].fd, f + done, n - done,
				 MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			drop_client(i);
			return;
		}
		done += k;
	}
}

static void client_error(int i, const struct hostchan_hdr *h, uint32_t code,
			 const char *msg)
{
	uint8_t buf[HOSTCHAN_TEXT_MAX + 8];
	struct hostchan_buf b;

	hc_writer(&b, buf, sizeof(buf));
	hc_put_u32(&b, code);
	hc_put_str(&b, msg);
	send_client(i, h->type, HOSTCHAN_F_REPLY | HOSTCHAN_F_ERROR, h->id,
		    buf, (uint32_t)b.off);
}

static void send_log_file(int i, const char *path)
{
	char line[HOSTCHAN_MAX_PAYLOAD];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (clients[i].fd >= 0 && fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");

		send_client(i, HCLCTL_LINE, HOSTCHAN_F_NOREPLY, 0, line,
			    (uint32_t)n);
	}
	fclose(f);
}

static void host_status(int i, const struct hostchan_hdr *h)
{
	uint8_t buf[1024];
	struct hostchan_buf b;

	hc_writer(&b, buf, sizeof(buf));
	hc_put_u8(&b, qfd >= 0);
	hc_put_u8(&b, up);
	hc_put_u16(&b, version);
	hc_put_str(&b, peer);
	hc_put_u64(&b, rx.frames);
	hc_put_u64(&b, rx.bad_frames);
	hc_put_u64(&b, rx.bytes_skipped);
	hc_put_u32(&b, error_frames);
	hc_put_u32(&b, log_records);
	hc_put_u32(&b, log_dropped);
	hc_put_strn(&b, store_state, strnlen(store_state, HOSTCHAN_NAME_MAX));
	send_client(i, h->type, HOSTCHAN_F_REPLY, h->id, buf, (uint32_t)b.off);
}

static const char *log_path;

static void client_frame(int i, const struct hostchan_hdr *h,
			 const uint8_t *p)
{
	struct fwd *f = NULL;

	if (h->flags) {
		client_error(i, h, HOSTCHAN_E_BADFRAME, "requests carry no flags");
		return;
	}
	switch (h->type) {
	case HCLCTL_LOG:
		send_log_file(i, log_path);
		if (clients[i].fd < 0)
			return;
		if (h->len && p[0])
			clients[i].follow = true;
		else
			send_client(i, h->type, HOSTCHAN_F_REPLY, h->id, NULL,
				    0);
		return;
	case HCLCTL_RAW:
		chan_raw(p, h->len);
		send_client(i, h->type, HOSTCHAN_F_REPLY, h->id, NULL, 0);
		return;
	case HCLCTL_HOST:
		host_status(i, h);
		return;
	}
	if (hostchan_check_payload(h, p)) {
		client_error(i, h, HOSTCHAN_E_PAYLOAD, "malformed request");
		return;
	}
	if (!up) {
		client_error(i, h, HOSTCHAN_E_HELLO,
			     "the paravisor has not said HELLO (yet)");
		return;
	}
	for (int k = 0; k < MAX_FWD && !f; k++)
		if (!fwds[k].chan_id)
			f = &fwds[k];
	if (!f) {
		client_error(i, h, HOSTCHAN_E_STATE, "too many requests");
		return;
	}
	if (!++next_id)
		next_id = 1;
	*f = (struct fwd){ next_id, i, h->id, h->type,
			   now_ms() + FWD_TIMEOUT_MS };
	chan_send(h->type, 0, next_id, p, h->len);
}

static void client_input(int i)
{
	uint8_t buf[4096];
	struct hostchan_hdr h;
	const uint8_t *p;
	ssize_t n = recv(clients[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
	size_t off;
	int ret;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop_client(i);
		return;
	}
	for (off = 0; off < (size_t)n && clients[i].fd >= 0;) {
		off += hostchan_rx_push(&clients[i].rx, buf + off, n - off);
		while (clients[i].fd >= 0 &&
		       (ret = hostchan_rx_next(&clients[i].rx, &h, &p)) != 0)
			if (ret == 1)
				client_frame(i, &h, p);
	}
}

static void accept_client(void)
{
	struct timeval tv = { 1, 0 };
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (clients[i].fd >= 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		clients[i].fd = fd;
		clients[i].follow = false;
		hostchan_rx_init(&clients[i].rx, HOSTCHAN_MAX_PAYLOAD);
		return;
	}
	close(fd);
}

static void timeouts(void)
{
	uint64_t t = now_ms();

	for (int k = 0; k < MAX_FWD; k++) {
		struct fwd *f = &fwds[k];
		struct hostchan_hdr h;

		if (!f->chan_id || t < f->deadline)
			continue;
		f->chan_id = 0;
		h = (struct hostchan_hdr){ HOSTCHAN_VERSION_MAX, f->type, 0,
					   f->client_id, 0 };
		if (clients[f->client].fd >= 0)
			client_error(f->client, &h, HOSTCHAN_E_IO,
				     "no answer from the paravisor");
	}
}

/* ---- setup ----------------------------------------------------------------- */

static int unix_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path)) {
		fprintf(stderr, "hclctl: %s: path too long for a socket\n",
			path);
		return -1;
	}
	strcpy(a->sun_path, path);
	return 0;
}

static int connect_qemu(const char *path)
{
	struct sockaddr_un a;

	if (unix_addr(&a, path))
		return -1;
	/* QEMU makes its socket when it starts: up to 60 s */
	for (int tries = 0; tries < 600; tries++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a))) {
			fcntl(fd, F_SETFL, O_NONBLOCK);
			return fd;
		}
		close(fd);
		usleep(100000);
	}
	fprintf(stderr, "hclctl: %s: %s\n", path, strerror(errno));
	return -1;
}

static int listen_ctl(const char *path)
{
	struct sockaddr_un a;
	int fd;

	if (unix_addr(&a, path))
		return -1;
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 8)) {
		fprintf(stderr, "hclctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return fd;
}

static void load_store(void)
{
	char err[512];
	int ret = vmgs_load(store_path, &store, err, sizeof(err));

	if (ret < 0) {
		store_bad = true;
		snprintf(store_state, sizeof(store_state), "corrupt: %.200s", err);
		log_line("[host] store %s REFUSED: %s (left as it is; move it away to start afresh)",
			 store_path, err);
	} else if (!ret) {
		snprintf(store_state, sizeof(store_state), "new");
		log_line("[host] store %s: none yet, made on the first write",
			 store_path);
	} else {
		snprintf(store_state, sizeof(store_state), "%u blobs",
			 store.count);
		log_line("[host] store %s: %u blobs", store_path, store.count);
	}
}

int hclctl_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "qemu", required_argument, NULL, 'q' },
		{ "listen", required_argument, NULL, 'l' },
		{ "log", required_argument, NULL, 'L' },
		{ "store", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *qemu = NULL, *listen_path = NULL;
	uint64_t next_hello = 0;
	int c;

	log_path = NULL;
	store_path = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'q': qemu = optarg; break;
		case 'l': listen_path = optarg; break;
		case 'L': log_path = optarg; break;
		case 's': store_path = optarg; break;
		default: goto usage;
		}
	}
	if (!qemu || !listen_path || !log_path || !store_path || optind != argc)
		goto usage;
	if (getenv("HCLCTL_MAX_PAYLOAD")) {
		unsigned long v = strtoul(getenv("HCLCTL_MAX_PAYLOAD"), NULL, 0);

		if (v < HOSTCHAN_MIN_PAYLOAD || v > HOSTCHAN_MAX_PAYLOAD) {
			fprintf(stderr, "hclctl: HCLCTL_MAX_PAYLOAD: %u..%u\n",
				HOSTCHAN_MIN_PAYLOAD, HOSTCHAN_MAX_PAYLOAD);
			return 2;
		}
		our_max = (uint32_t)v;
	}
	signal(SIGPIPE, SIG_IGN);
	txq = malloc(TXQ_MAX);
	logf = fopen(log_path, "w");
	if (!txq || !logf) {
		fprintf(stderr, "hclctl: %s: %s\n", log_path, strerror(errno));
		return 1;
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	hostchan_rx_init(&rx, HOSTCHAN_MAX_PAYLOAD);
	load_store();
	lfd = listen_ctl(listen_path);
	if (lfd < 0)
		return 1;
	qfd = connect_qemu(qemu);
	if (qfd < 0) {
		unlink(listen_path);
		return 1;
	}
	log_line("[host] connected to %s; CLI socket %s", qemu, listen_path);
	for (;;) {
		struct pollfd pfd[2 + MAX_CLIENTS];
		int n = 0, idx[MAX_CLIENTS];

		if (!up && now_ms() >= next_hello) {
			send_hello();
			next_hello = now_ms() + 2000;
		}
		pfd[n++] = (struct pollfd){ qfd, POLLIN | (txq_len ? POLLOUT : 0),
					    0 };
		pfd[n++] = (struct pollfd){ lfd, POLLIN, 0 };
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (clients[i].fd >= 0) {
				idx[n - 2] = i;
				pfd[n++] = (struct pollfd){ clients[i].fd,
							    POLLIN, 0 };
			}
		if (poll(pfd, n, 200) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLOUT)
			chan_write();
		if ((pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !chan_input())
			break;
		if (pfd[1].revents & POLLIN)
			accept_client();
		for (int k = 2; k < n; k++)
			if (pfd[k].revents && clients[idx[k - 2]].fd >= 0)
				client_input(idx[k - 2]);
		timeouts();
	}
	log_line("[host] QEMU closed the channel: the VM is gone");
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			drop_client(i);
	unlink(listen_path);
	vmgs_free(&store);
	vmgs_uploads_free(&uploads);
	fclose(logf);
	return 0;
usage:
	fprintf(stderr, "usage: hclctl serve --qemu QEMU.sock --listen CTL.sock --log FILE --store VMGS\n");
	return 2;
}
