// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-state store's client: blobs the host keeps in its store file
 * (docs/hostchan.md), read and written with STORE_GET/STORE_PUT.  The
 * host checks the file; when it fails its checks (HOSTCHAN_E_CORRUPT)
 * this boot reports it, uses no stored state and writes none: the store
 * is never reset behind the operator's back.
 *
 * Its user today: the boot counter, "openvmm_hcl.boots" (u64), read and
 * incremented once per boot when the channel comes up, which shows the
 * store surviving power-offs.  store_get()/store_put() are the API the
 * vTPM's state is meant to move to.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "openvmm_hcl.h"

#define BOOTS_BLOB	"openvmm_hcl.boots"

typedef void (*store_get_fn)(void *ctx, int err, const char *msg,
			     const uint8_t *data, uint32_t len);
typedef void (*store_put_fn)(void *ctx, int err, const char *msg);

struct store_req {
	bool busy;
	store_get_fn get;
	store_put_fn put;
	void *ctx;
};

static struct store_req reqs[4];
static bool refused;		/* the host said the store is corrupt */

static struct store_req *new_req(void)
{
	for (unsigned int i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		if (!reqs[i].busy) {
			reqs[i] = (struct store_req){ .busy = true };
			return &reqs[i];
		}
	return NULL;
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

static void got(void *arg, const struct hostchan_hdr *h, const uint8_t *p)
{
	struct store_req *r = arg;
	char msg[HOSTCHAN_TEXT_MAX + 1];
	int err = error_of(h, p, msg, sizeof(msg));
	const uint8_t *data = NULL;
	uint32_t len = 0;

	if (!err) {
		struct hostchan_buf b;

		hc_reader(&b, p, h->len);
		len = hc_get_blob(&b, &data);
	}
	r->busy = false;
	if (h->type == HOSTCHAN_STORE_GET && r->get)
		r->get(r->ctx, err, msg, data, len);
	else if (r->put)
		r->put(r->ctx, err, msg);
}

/* reads blob @name: @fn(ctx, 0, "", data, len) or an error code */
static int store_get(const char *name, store_get_fn fn, void *ctx)
{
	struct store_req *r = new_req();
	uint8_t buf[HOSTCHAN_NAME_MAX + 2];
	struct hostchan_buf b;

	if (!r)
		return -1;
	r->get = fn;
	r->ctx = ctx;
	hc_writer(&b, buf, sizeof(buf));
	hc_put_str(&b, name);
	if (b.err || chan_request(HOSTCHAN_STORE_GET, buf, (uint32_t)b.off,
				  got, r)) {
		r->busy = false;
		return -1;
	}
	return 0;
}

/* writes blob @name (the host makes it durable before it answers) */
static int store_put(const char *name, const void *data, uint32_t len,
		     store_put_fn fn, void *ctx)
{
	struct store_req *r;
	uint8_t buf[HOSTCHAN_MAX_PAYLOAD];
	struct hostchan_buf b;

	if (refused)
		return -1;
	r = new_req();
	if (!r)
		return -1;
	r->put = fn;
	r->ctx = ctx;
	hc_writer(&b, buf, sizeof(buf));
	hc_put_str(&b, name);
	hc_put_blob(&b, data, len);
	if (b.err || chan_request(HOSTCHAN_STORE_PUT, buf, (uint32_t)b.off,
				  got, r)) {
		r->busy = false;
		return -1;
	}
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
	if (store_get(BOOTS_BLOB, boots_got, NULL))
		printf("openvmm_hcl: guest-state store: cannot ask the host\n");
}
