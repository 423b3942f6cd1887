// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-state store's client: blobs the host keeps in its store file
 * (docs/hostchan.md), read and written in chunks with STORE_GET/
 * STORE_PUT, one chunk in flight per transfer.  The host checks the
 * file; when it fails its checks (HOSTCHAN_E_CORRUPT) this boot reports
 * it once, uses no stored state and writes none: the store is never
 * reset behind the operator's back.
 *
 * Users: the boot counter, "openvmm_hcl.boots" (u64), read and
 * incremented once per boot when the channel comes up, and the vTPM's
 * permanent state (vtpm.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openvmm_hcl.h"

#define BOOTS_BLOB	"openvmm_hcl.boots"
#define MAX_XFERS	4
#define MAX_RESTARTS	3	/* a blob replaced while we read it */

/* a transfer: the whole blob in @buf, @off bytes done */
struct xfer {
	bool busy, put;
	char name[HOSTCHAN_NAME_MAX + 1];
	uint8_t *buf;
	uint32_t size, crc, off;
	uint32_t chunk;			/* PUT: the bytes in flight */
	unsigned int restarts;
	store_get_fn get;
	store_put_fn putfn;
	void *ctx;
};

static struct xfer xfers[MAX_XFERS];
static bool refused;		/* the host said the store is corrupt */

static struct xfer *new_xfer(const char *name)
{
	if (strlen(name) > HOSTCHAN_NAME_MAX)
		return NULL;
	for (unsigned int i = 0; i < MAX_XFERS; i++)
		if (!xfers[i].busy) {
			xfers[i] = (struct xfer){ .busy = true };
			snprintf(xfers[i].name, sizeof(xfers[i].name), "%s",
				 name);
			return &xfers[i];
		}
	return NULL;
}

/* the transfer ends: its callback, with the blob for a good GET */
static void finish(struct xfer *x, int err, const char *msg)
{
	struct xfer done = *x;

	x->busy = false;
	x->buf = NULL;
	if (done.put) {
		if (done.putfn)
			done.putfn(done.ctx, err, msg);
	} else if (done.get) {
		done.get(done.ctx, err, msg, err ? NULL : done.buf,
			 err ? 0 : done.size);
	}
	free(done.buf);
}

/* an error reply's code and message; 0 for a success */
static int error_of(const struct hostchan_hdr *h, const uint8_t *p,
		    char *msg, size_t len)
{
	struct hostchan_buf b;
	uint32_t code;

	msg[0] = 0;
	if (!(h->flags & HOSTCHAN_F_ERROR))
		return 0;
	hc_reader(&b, p, h->len);
	code = hc_get_u32(&b);
	hc_get_str(&b, msg, len);
	if (code == HOSTCHAN_E_CORRUPT && !refused) {
		refused = true;
		printf("openvmm_hcl: guest-state store refused by the host: %s; this boot keeps no state\n",
		       msg);
		chan_event("store-corrupt", "vmgs", 0, -1, 0, "%s", msg);
	}
	return code ? (int)code : HOSTCHAN_E_IO;
}

static void got(void *arg, const struct hostchan_hdr *h, const uint8_t *p);

/* the next chunk's request */
static void send_next(struct xfer *x)
{
	uint8_t buf[HOSTCHAN_MAX_PAYLOAD];
	struct hostchan_buf b;
	uint32_t room, n = 0;

	hc_writer(&b, buf, sizeof(buf));
	hc_put_str(&b, x->name);
	if (x->put) {
		/* name, size, crc, offset and the blob's length */
		room = chan_max_payload() - (uint32_t)b.off - 16;
		n = x->size - x->off < room ? x->size - x->off : room;
		hc_put_u32(&b, x->size);
		hc_put_u32(&b, x->crc);
		hc_put_u32(&b, x->off);
		hc_put_blob(&b, x->buf + x->off, n);
		x->chunk = n;
	} else {
		hc_put_u32(&b, x->off);
	}
	if (b.err || chan_request(x->put ? HOSTCHAN_STORE_PUT :
				  HOSTCHAN_STORE_GET, buf, (uint32_t)b.off,
				  got, x))
		finish(x, HOSTCHAN_E_IO, "the channel cannot take the request");
}

static void got_chunk(struct xfer *x, const uint8_t *p, uint32_t len)
{
	struct hostchan_buf b;
	const uint8_t *data;
	uint32_t size, crc, off, n;

	hc_reader(&b, p, len);
	size = hc_get_u32(&b);
	crc = hc_get_u32(&b);
	off = hc_get_u32(&b);
	n = hc_get_blob(&b, &data);
	if (off != x->off) {
		finish(x, HOSTCHAN_E_PAYLOAD, "a chunk for another offset");
		return;
	}
	if (!x->buf) {
		if (size > HOSTCHAN_STORE_MAX) {
			finish(x, HOSTCHAN_E_TOOBIG, "the blob is over the limit");
			return;
		}
		x->buf = malloc(size ? size : 1);
		if (!x->buf) {
			finish(x, HOSTCHAN_E_IO, "out of memory");
			return;
		}
		x->size = size;
		x->crc = crc;
	} else if (size != x->size || crc != x->crc) {
		/* replaced since the first chunk: read it again */
		if (++x->restarts > MAX_RESTARTS) {
			finish(x, HOSTCHAN_E_STATE, "the blob keeps changing");
			return;
		}
		free(x->buf);
		x->buf = NULL;
		x->off = 0;
		send_next(x);
		return;
	}
	if (n > x->size - x->off || (!n && x->off < x->size)) {
		finish(x, HOSTCHAN_E_PAYLOAD, "a chunk of the wrong length");
		return;
	}
	memcpy(x->buf + x->off, data, n);
	x->off += n;
	if (x->off < x->size) {
		send_next(x);
		return;
	}
	if (hostchan_crc32(0, x->buf, x->size) != x->crc) {
		finish(x, HOSTCHAN_E_PAYLOAD, "the blob fails its CRC");
		return;
	}
	finish(x, 0, "");
}

static void got(void *arg, const struct hostchan_hdr *h, const uint8_t *p)
{
	struct xfer *x = arg;
	char msg[HOSTCHAN_TEXT_MAX + 1];
	int err = error_of(h, p, msg, sizeof(msg));
	struct hostchan_buf b;
	uint32_t have;

	if (err) {
		finish(x, err, msg);
		return;
	}
	if (!x->put) {
		got_chunk(x, p, h->len);
		return;
	}
	hc_reader(&b, p, h->len);
	have = hc_get_u32(&b);
	if (have != x->off + x->chunk) {
		finish(x, HOSTCHAN_E_STATE, "the host lost the transfer's place");
		return;
	}
	x->off = have;
	if (x->off < x->size)
		send_next(x);
	else
		finish(x, 0, "");
}

int store_get(const char *name, store_get_fn fn, void *ctx)
{
	struct xfer *x = new_xfer(name);

	if (!x)
		return -1;
	x->get = fn;
	x->ctx = ctx;
	send_next(x);
	return 0;
}

int store_put(const char *name, const void *data, uint32_t len,
	      store_put_fn fn, void *ctx)
{
	struct xfer *x;

	if (refused || len > HOSTCHAN_STORE_MAX)
		return -1;
	x = new_xfer(name);
	if (!x)
		return -1;
	x->buf = malloc(len ? len : 1);
	if (!x->buf) {
		x->busy = false;
		return -1;
	}
	if (len)
		memcpy(x->buf, data, len);
	x->put = true;
	x->size = len;
	x->crc = hostchan_crc32(0, data, len);
	x->putfn = fn;
	x->ctx = ctx;
	send_next(x);
	return 0;
}

/* ---- the boot counter ---------------------------------------------------- */

static uint64_t boots;

static void boots_put(void *ctx, int err, const char *msg)
{
	(void)ctx;
	if (err)
		printf("openvmm_hcl: guest-state store: writing %s: %s (%s)\n",
		       BOOTS_BLOB, hostchan_err_name(err), msg);
	else
		printf("openvmm_hcl: guest-state store: boot %" PRIu64 " recorded\n",
		       boots);
}

static void boots_got(void *ctx, int err, const char *msg,
		      const uint8_t *data, uint32_t len)
{
	uint8_t le[8];

	(void)ctx;
	if (err == HOSTCHAN_E_NOTFOUND) {
		boots = 0;
	} else if (err) {
		if (err != HOSTCHAN_E_CORRUPT)
			printf("openvmm_hcl: guest-state store: reading %s: %s (%s)\n",
			       BOOTS_BLOB, hostchan_err_name(err), msg);
		return;
	} else if (len != 8) {
		printf("openvmm_hcl: guest-state store: %s is %u bytes, not 8: left alone\n",
		       BOOTS_BLOB, len);
		return;
	} else {
		boots = 0;
		for (int i = 7; i >= 0; i--)
			boots = boots << 8 | data[i];
	}
	boots++;
	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(boots >> (8 * i));
	if (store_put(BOOTS_BLOB, le, sizeof(le), boots_put, NULL))
		printf("openvmm_hcl: guest-state store: cannot write %s\n",
		       BOOTS_BLOB);
}

void store_boot(void)
{
	vtpm_channel_up();
	if (store_get(BOOTS_BLOB, boots_got, NULL))
		printf("openvmm_hcl: guest-state store: cannot ask the host\n");
}
