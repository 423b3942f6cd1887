// SPDX-License-Identifier: GPL-2.0
/*
 * The host channel's codec (see hostchan.h and include/hcl/hostchan.h).
 * Every length is checked before it is used; the parser holds at most
 * one frame of the largest size and never trusts a byte it has not
 * checked against the CRC.
 */
#include <string.h>

#include "hostchan.h"

static const uint8_t magic[4] = { HOSTCHAN_MAGIC0, HOSTCHAN_MAGIC1,
				  HOSTCHAN_MAGIC2, HOSTCHAN_MAGIC3 };

/* CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320), bitwise */
uint32_t hostchan_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

size_t hostchan_encode(uint8_t *out, size_t cap, const struct hostchan_hdr *h,
		       const void *payload)
{
	uint32_t crc;

	if (h->len > HOSTCHAN_MAX_PAYLOAD || cap < HOSTCHAN_HDR_SIZE + h->len)
		return 0;
	memcpy(out, magic, 4);
	out[4] = h->version;
	out[5] = h->type;
	le16(out + 6, h->flags);
	le32(out + 8, h->id);
	le32(out + 12, h->len);
	if (h->len)
		memmove(out + HOSTCHAN_HDR_SIZE, payload, h->len);
	crc = hostchan_crc32(0, out, 16);
	crc = hostchan_crc32(crc, out + HOSTCHAN_HDR_SIZE, h->len);
	le32(out + 16, crc);
	return HOSTCHAN_HDR_SIZE + h->len;
}

void hostchan_rx_init(struct hostchan_rx *rx, uint32_t max_payload)
{
	memset(rx, 0, sizeof(*rx));
	if (max_payload > HOSTCHAN_MAX_PAYLOAD)
		max_payload = HOSTCHAN_MAX_PAYLOAD;
	rx->max_payload = max_payload;
}

static void drop(struct hostchan_rx *rx, size_t n)
{
	if (n > rx->have)
		n = rx->have;
	memmove(rx->buf, rx->buf + n, rx->have - n);
	rx->have -= n;
}

size_t hostchan_rx_push(struct hostchan_rx *rx, const void *data, size_t len)
{
	size_t room;

	if (rx->consumed) {
		drop(rx, rx->consumed);
		rx->consumed = 0;
	}
	room = sizeof(rx->buf) - rx->have;
	if (len > room)
		len = room;
	memcpy(rx->buf + rx->have, data, len);
	rx->have += len;
	return len;
}

/* the offset of the first (possibly partial) magic; have if none */
static size_t find_magic(const struct hostchan_rx *rx)
{
	for (size_t i = 0; i < rx->have; i++) {
		size_t n = rx->have - i < 4 ? rx->have - i : 4;

		if (!memcmp(rx->buf + i, magic, n))
			return i;
	}
	return rx->have;
}

/* a refused frame: one byte dropped so the search starts past its magic */
static int refuse(struct hostchan_rx *rx, int why)
{
	drop(rx, 1);
	rx->bytes_skipped++;
	rx->bad_frames++;
	return -why;
}

int hostchan_rx_next(struct hostchan_rx *rx, struct hostchan_hdr *h,
		     const uint8_t **payload)
{
	size_t skip;
	uint32_t crc;

	if (rx->consumed) {
		drop(rx, rx->consumed);
		rx->consumed = 0;
	}
	skip = find_magic(rx);
	if (skip) {
		drop(rx, skip);
		rx->bytes_skipped += skip;
	}
	if (rx->have < HOSTCHAN_HDR_SIZE)
		return 0;
	h->version = rx->buf[4];
	h->type = rx->buf[5];
	h->flags = rd16(rx->buf + 6);
	h->id = rd32(rx->buf + 8);
	h->len = rd32(rx->buf + 12);
	if (h->len > rx->max_payload)
		return refuse(rx, HOSTCHAN_RX_TOOBIG);
	if (rx->have < HOSTCHAN_HDR_SIZE + h->len)
		return 0;
	crc = hostchan_crc32(0, rx->buf, 16);
	crc = hostchan_crc32(crc, rx->buf + HOSTCHAN_HDR_SIZE, h->len);
	if (crc != rd32(rx->buf + 16))
		return refuse(rx, HOSTCHAN_RX_CRC);
	if (h->flags & ~HOSTCHAN_F_ALL) {
		/* a sound frame with a meaning we do not know: skip it all */
		rx->consumed = HOSTCHAN_HDR_SIZE + h->len;
		rx->bad_frames++;
		return -HOSTCHAN_RX_FLAGS;
	}
	*payload = rx->buf + HOSTCHAN_HDR_SIZE;
	rx->consumed = HOSTCHAN_HDR_SIZE + h->len;
	rx->frames++;
	return 1;
}

int hostchan_rx_idle(struct hostchan_rx *rx)
{
	if (rx->consumed) {
		drop(rx, rx->consumed);
		rx->consumed = 0;
	}
	if (!rx->have)
		return 0;
	rx->bytes_skipped += rx->have;
	rx->have = 0;
	rx->bad_frames++;
	return -HOSTCHAN_RX_STALE;
}

/* ---- payload fields ---------------------------------------------------- */

void hc_writer(struct hostchan_buf *b, uint8_t *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->off = 0;
	b->err = false;
}

void hc_reader(struct hostchan_buf *b, const uint8_t *p, size_t len)
{
	hc_writer(b, (uint8_t *)p, len);
}

static uint8_t *room(struct hostchan_buf *b, size_t n)
{
	uint8_t *p;

	if (b->err || b->cap - b->off < n) {
		b->err = true;
		return NULL;
	}
	p = b->p + b->off;
	b->off += n;
	return p;
}

void hc_put_u8(struct hostchan_buf *b, uint8_t v)
{
	uint8_t *p = room(b, 1);

	if (p)
		*p = v;
}

void hc_put_u16(struct hostchan_buf *b, uint16_t v)
{
	uint8_t *p = room(b, 2);

	if (p)
		le16(p, v);
}

void hc_put_u32(struct hostchan_buf *b, uint32_t v)
{
	uint8_t *p = room(b, 4);

	if (p)
		le32(p, v);
}

void hc_put_u64(struct hostchan_buf *b, uint64_t v)
{
	uint8_t *p = room(b, 8);

	if (p) {
		le32(p, (uint32_t)v);
		le32(p + 4, (uint32_t)(v >> 32));
	}
}

void hc_put_strn(struct hostchan_buf *b, const char *s, size_t n)
{
	uint8_t *p;

	if (n > 0xffff) {
		b->err = true;
		return;
	}
	hc_put_u16(b, (uint16_t)n);
	p = room(b, n);
	if (p && n)
		memcpy(p, s, n);
}

void hc_put_str(struct hostchan_buf *b, const char *s)
{
	hc_put_strn(b, s, s ? strlen(s) : 0);
}

void hc_put_blob(struct hostchan_buf *b, const void *data, uint32_t n)
{
	uint8_t *p;

	hc_put_u32(b, n);
	p = room(b, n);
	if (p && n)
		memcpy(p, data, n);
}

uint8_t hc_get_u8(struct hostchan_buf *b)
{
	const uint8_t *p = room(b, 1);

	return p ? *p : 0;
}

uint16_t hc_get_u16(struct hostchan_buf *b)
{
	const uint8_t *p = room(b, 2);

	return p ? rd16(p) : 0;
}

uint32_t hc_get_u32(struct hostchan_buf *b)
{
	const uint8_t *p = room(b, 4);

	return p ? rd32(p) : 0;
}

uint64_t hc_get_u64(struct hostchan_buf *b)
{
	const uint8_t *p = room(b, 8);

	return p ? rd32(p) | (uint64_t)rd32(p + 4) << 32 : 0;
}

void hc_get_str(struct hostchan_buf *b, char *out, size_t outlen)
{
	uint16_t n = hc_get_u16(b);
	const uint8_t *p = room(b, n);

	if (outlen)
		out[0] = 0;
	if (!p)
		return;
	if (n >= outlen) {
		b->err = true;
		return;
	}
	for (uint16_t i = 0; i < n; i++)
		if (p[i] < 0x20 && p[i] != '\t') {
			b->err = true;
			return;
		}
	memcpy(out, p, n);
	out[n] = 0;
}

uint32_t hc_get_blob(struct hostchan_buf *b, const uint8_t **data)
{
	uint32_t n = hc_get_u32(b);
	const uint8_t *p = room(b, n);

	*data = p;
	return p ? n : 0;
}

void hc_end(struct hostchan_buf *b)
{
	if (b->off != b->cap)
		b->err = true;
}

const char *hostchan_type_name(unsigned int type)
{
	static const char *const names[HOSTCHAN_NR_TYPES] = {
		[HOSTCHAN_HELLO] = "hello",
		[HOSTCHAN_STATUS] = "status",
		[HOSTCHAN_TIMELINE] = "timeline",
		[HOSTCHAN_STATS] = "stats",
		[HOSTCHAN_LOG] = "log",
		[HOSTCHAN_EVENT] = "event",
		[HOSTCHAN_VTL0] = "vtl0",
		[HOSTCHAN_WORKERS] = "workers",
		[HOSTCHAN_SHUTDOWN] = "shutdown",
		[HOSTCHAN_STORE_GET] = "store-get",
		[HOSTCHAN_STORE_PUT] = "store-put",
		[HOSTCHAN_POLICY] = "policy",
	};

	return type < HOSTCHAN_NR_TYPES && names[type] ? names[type] : "?";
}

const char *hostchan_err_name(unsigned int code)
{
	static const char *const names[] = {
		[HOSTCHAN_E_BADFRAME] = "bad frame",
		[HOSTCHAN_E_VERSION] = "no common version",
		[HOSTCHAN_E_TYPE] = "unknown request",
		[HOSTCHAN_E_PAYLOAD] = "malformed payload",
		[HOSTCHAN_E_NOTFOUND] = "not found",
		[HOSTCHAN_E_STATE] = "not in this state",
		[HOSTCHAN_E_CORRUPT] = "store corrupt",
		[HOSTCHAN_E_IO] = "host I/O error",
		[HOSTCHAN_E_HELLO] = "no HELLO yet",
		[HOSTCHAN_E_TOOBIG] = "too big",
	};

	return code < sizeof(names) / sizeof(names[0]) && names[code] ?
	       names[code] : "?";
}

unsigned int hostchan_pick_version(unsigned int peer_min,
				   unsigned int peer_max)
{
	unsigned int v = peer_max < HOSTCHAN_VERSION_MAX ? peer_max :
			 HOSTCHAN_VERSION_MAX;

	if (peer_min > peer_max || v < peer_min || v < HOSTCHAN_VERSION_MIN)
		return 0;
	return v;
}

/*
 * The payload layouts, one string per type and direction: b u8, w u16,
 * l u32, q u64, s str, B blob; "w[...]" repeats the bracket as many
 * times as the u16 before it says.
 */
static const char *const layout_req[HOSTCHAN_NR_TYPES] = {
	[HOSTCHAN_HELLO] = "wwls",
	[HOSTCHAN_STATUS] = "",
	[HOSTCHAN_TIMELINE] = "",
	[HOSTCHAN_STATS] = "w",
	[HOSTCHAN_LOG] = "bbwlqsS",
	[HOSTCHAN_EVENT] = "sslllS",
	[HOSTCHAN_VTL0] = "b",
	[HOSTCHAN_WORKERS] = "bs",
	[HOSTCHAN_SHUTDOWN] = "",
	[HOSTCHAN_STORE_GET] = "sl",
	[HOSTCHAN_STORE_PUT] = "slllB",
	[HOSTCHAN_POLICY] = "S",
};

static const char *const layout_rep[HOSTCHAN_NR_TYPES] = {
	[HOSTCHAN_HELLO] = "wwls",
	[HOSTCHAN_STATUS] = "qslw[sq]llqll",
	[HOSTCHAN_TIMELINE] = "lw[sqq]",
	[HOSTCHAN_STATS] = "ww[ww[sq]]",
	[HOSTCHAN_VTL0] = "",
	[HOSTCHAN_WORKERS] = "w[slsls]",
	[HOSTCHAN_SHUTDOWN] = "",
	[HOSTCHAN_STORE_GET] = "lllB",
	[HOSTCHAN_STORE_PUT] = "l",
	[HOSTCHAN_POLICY] = "S",
};

/* the end of the bracket that starts at @s (just past its '[') */
static const char *bracket_end(const char *s)
{
	int depth = 1;

	for (; *s; s++) {
		if (*s == '[')
			depth++;
		else if (*s == ']' && !--depth)
			return s;
	}
	return s;
}

/* walks [s, end) once over b; the u16 last read counts a bracket */
static void walk(struct hostchan_buf *b, const char *s, const char *end)
{
	char text[HOSTCHAN_TEXT_MAX + 1];
	uint16_t last = 0;
	const uint8_t *blob;

	for (; s < end && !b->err; s++) {
		switch (*s) {
		case 'b':
			hc_get_u8(b);
			break;
		case 'w':
			last = hc_get_u16(b);
			break;
		case 'l':
			hc_get_u32(b);
			break;
		case 'q':
			hc_get_u64(b);
			break;
		case 's':	/* a name or a short text */
			hc_get_str(b, text, HOSTCHAN_NAME_MAX + 1);
			break;
		case 'S':	/* a message */
			hc_get_str(b, text, sizeof(text));
			break;
		case 'B':
			hc_get_blob(b, &blob);
			break;
		case '[': {
			const char *close = bracket_end(s + 1);

			for (uint16_t i = 0; i < last && !b->err; i++)
				walk(b, s + 1, close);
			s = close;
			break;
		}
		}
	}
}

int hostchan_check_payload(const struct hostchan_hdr *h, const uint8_t *p)
{
	struct hostchan_buf b;
	const char *lay;

	if (h->type >= HOSTCHAN_NR_TYPES)
		return -2;
	if ((h->flags & (HOSTCHAN_F_REPLY | HOSTCHAN_F_ERROR)) ==
	    (HOSTCHAN_F_REPLY | HOSTCHAN_F_ERROR))
		lay = "lS";
	else if (h->flags & HOSTCHAN_F_ERROR)
		return -1;
	else if (h->flags & HOSTCHAN_F_REPLY)
		lay = layout_rep[h->type];
	else
		lay = layout_req[h->type];
	if (!lay)
		return -2;
	hc_reader(&b, p, h->len);
	walk(&b, lay, lay + strlen(lay));
	hc_end(&b);
	return b.err ? -1 : 0;
}
