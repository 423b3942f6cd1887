/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host channel's codec (wire format: include/hcl/hostchan.h): frame
 * encoding, a resynchronising frame parser for a lossy byte stream, and
 * payload field readers and writers.  Pure computation, no I/O: the same
 * file is compiled into openvmm_hcl, hclctl, the host tests and the
 * fuzzer.
 */
#ifndef HCL_USER_HOSTCHAN_H
#define HCL_USER_HOSTCHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hcl/hostchan.h>

uint32_t hostchan_crc32(uint32_t crc, const void *buf, size_t len);

struct hostchan_hdr {
	uint8_t version;
	uint8_t type;
	uint16_t flags;
	uint32_t id;
	uint32_t len;
};

/*
 * Writes one frame (header and @len payload bytes) to @out of @cap
 * bytes.  Returns its size, or 0 if it does not fit or @len exceeds
 * HOSTCHAN_MAX_PAYLOAD.
 */
size_t hostchan_encode(uint8_t *out, size_t cap, const struct hostchan_hdr *h,
		       const void *payload);

/* the parser's reasons for refusing bytes (negative returns of next()) */
enum hostchan_rx_err {
	HOSTCHAN_RX_CRC = 1,		/* header found, CRC wrong */
	HOSTCHAN_RX_TOOBIG = 2,		/* length above the limit */
	HOSTCHAN_RX_FLAGS = 3,		/* unknown flag bits */
	HOSTCHAN_RX_STALE = 4,		/* partial frame dropped on idle */
};

struct hostchan_rx {
	uint32_t max_payload;		/* the receiver's limit */
	size_t have;			/* bytes in buf */
	size_t consumed;		/* the last frame returned, dropped next */
	/* counters, for status */
	uint64_t frames, bad_frames, bytes_skipped;
	uint8_t buf[HOSTCHAN_MAX_FRAME];
};

/* an empty parser accepting payloads up to @max_payload bytes */
void hostchan_rx_init(struct hostchan_rx *rx, uint32_t max_payload);

/*
 * Appends up to @len bytes; returns how many it took (fewer when the
 * buffer is full: call next() and push the rest).
 */
size_t hostchan_rx_push(struct hostchan_rx *rx, const void *data,
			size_t len);

/*
 * The next frame: 1 with *h and *payload (valid until the next call),
 * 0 when more bytes are needed, or -enum hostchan_rx_err when a frame
 * was refused (*h then holds its unchecked header, for an error reply);
 * call again until it returns 0.
 */
int hostchan_rx_next(struct hostchan_rx *rx, struct hostchan_hdr *h,
		     const uint8_t **payload);

/*
 * Drops a partial frame (the line went quiet in the middle of one):
 * -HOSTCHAN_RX_STALE if there was one, else 0.
 */
int hostchan_rx_idle(struct hostchan_rx *rx);

/* ---- payload fields ---------------------------------------------------- */

/*
 * A payload being written or read.  Any overflow or short read sets
 * err and makes every later call a no-op; check err once at the end.
 */
struct hostchan_buf {
	uint8_t *p;			/* NULL-safe for readers: const data */
	size_t cap;			/* writer: room; reader: length */
	size_t off;
	bool err;
};

void hc_writer(struct hostchan_buf *b, uint8_t *p, size_t cap);
void hc_reader(struct hostchan_buf *b, const uint8_t *p, size_t len);

void hc_put_u8(struct hostchan_buf *b, uint8_t v);
void hc_put_u16(struct hostchan_buf *b, uint16_t v);
void hc_put_u32(struct hostchan_buf *b, uint32_t v);
void hc_put_u64(struct hostchan_buf *b, uint64_t v);
/* a str of at most 0xffff bytes */
void hc_put_str(struct hostchan_buf *b, const char *s);
void hc_put_strn(struct hostchan_buf *b, const char *s, size_t n);
void hc_put_blob(struct hostchan_buf *b, const void *p, uint32_t n);

uint8_t hc_get_u8(struct hostchan_buf *b);
uint16_t hc_get_u16(struct hostchan_buf *b);
uint32_t hc_get_u32(struct hostchan_buf *b);
uint64_t hc_get_u64(struct hostchan_buf *b);
/*
 * A str into @out (@outlen bytes, NUL-terminated); err if it is longer
 * than @outlen - 1 or holds a NUL or a byte below 0x20 other than tab
 * (names and messages are printable text).
 */
void hc_get_str(struct hostchan_buf *b, char *out, size_t outlen);
/* a blob: its bytes in place (*p), its length returned; err on overrun */
uint32_t hc_get_blob(struct hostchan_buf *b, const uint8_t **p);
/* err unless every byte was read */
void hc_end(struct hostchan_buf *b);

/*
 * Checks a payload against its type's layout (include/hcl/hostchan.h):
 * every field present, every str printable and within its limit, no
 * byte left over.  0 if it is sound, -1 if not, -2 for an unknown type.
 * A reply is checked against the reply's layout, an error reply against
 * the error's.
 */
int hostchan_check_payload(const struct hostchan_hdr *h, const uint8_t *p);

/* names for messages */
const char *hostchan_type_name(unsigned int type);
const char *hostchan_err_name(unsigned int code);

/*
 * HELLO: the version both sides speak, from the peer's range; 0 if
 * there is none.
 */
unsigned int hostchan_pick_version(unsigned int peer_min,
				   unsigned int peer_max);

#endif
