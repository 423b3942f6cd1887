// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: the host channel's codec (userspace/lib/hostchan.c):
 * frames round-trip, the parser resynchronises after garbage, bad CRCs,
 * oversized and truncated frames, payload layouts are enforced, HELLO's
 * version choice.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "hostchan.h"

static size_t frame(uint8_t *out, uint8_t type, uint16_t flags, uint32_t id,
		    const void *p, uint32_t len)
{
	struct hostchan_hdr h = { HOSTCHAN_VERSION_MAX, type, flags, id, len };

	return hostchan_encode(out, HOSTCHAN_MAX_FRAME, &h, p);
}

static struct hostchan_rx rx;

TEST(crc32_known_value)
{
	/* the CRC-32 check value of "123456789" */
	EXPECT_EQ(0xcbf43926u, hostchan_crc32(0, "123456789", 9));
}

TEST(roundtrip)
{
	uint8_t f[HOSTCHAN_MAX_FRAME];
	struct hostchan_hdr h;
	const uint8_t *p;
	size_t n = frame(f, HOSTCHAN_STATUS, HOSTCHAN_F_REPLY, 77, "abc", 3);

	ASSERT_EQ(HOSTCHAN_HDR_SIZE + 3, n);
	EXPECT_EQ(0, memcmp(f, "HCLF", 4));
	hostchan_rx_init(&rx, HOSTCHAN_MAX_PAYLOAD);
	ASSERT_EQ(n, hostchan_rx_push(&rx, f, n));
	ASSERT_EQ(1, hostchan_rx_next(&rx, &h, &p));
	EXPECT_EQ(HOSTCHAN_STATUS, h.type);
	EXPECT_EQ(HOSTCHAN_F_REPLY, h.flags);
	EXPECT_EQ(77u, h.id);
	EXPECT_EQ(3u, h.len);
	EXPECT_EQ(0, memcmp(p, "abc", 3));
	EXPECT_EQ(0, hostchan_rx_next(&rx, &h, &p));
	EXPECT_EQ(1u, rx.frames);
}

TEST(byte_by_byte_after_garbage)
{
	uint8_t buf[256], f[64];
	struct hostchan_hdr h;
	const uint8_t *p;
	size_t n, len = 0;
	int got = 0;

	memcpy(buf, "junkHCHCL", 9);
	len = 9;
	n = frame(f, HOSTCHAN_SHUTDOWN, 0, 1, NULL, 0);
	memcpy(buf + len, f, n);
	len += n;
	memcpy(buf + len, "HCL", 3);	/* a partial magic, then a frame */
	len += 3;
	memcpy(buf + len, f, n);
	len += n;
	hostchan_rx_init(&rx, HOSTCHAN_MAX_PAYLOAD);
	for (size_t i = 0; i < len; i++) {
		ASSERT_EQ(1u, hostchan_rx_push(&rx, buf + i, 1));
		while (hostchan_rx_next(&rx, &h, &p) == 1) {
			EXPECT_EQ(HOSTCHAN_SHUTDOWN, h.type);
			got++;
		}
	}
	EXPECT_EQ(2, got);
	EXPECT_EQ(12u, rx.bytes_skipped);
}

TEST(bad_crc_then_good_frame)
{
	uint8_t buf[128];
	struct hostchan_hdr h;
	const uint8_t *p;
	size_t n = frame(buf, HOSTCHAN_STATUS, 0, 5, "xy", 2);
	size_t m;

	buf[HOSTCHAN_HDR_SIZE] ^= 1;	/* corrupt the payload */
	m = frame(buf + n, HOSTCHAN_TIMELINE, 0, 6, NULL, 0);
	hostchan_rx_init(&rx, HOSTCHAN_MAX_PAYLOAD);
	hostchan_rx_push(&rx, buf, n + m);
	ASSERT_EQ(-HOSTCHAN_RX_CRC, hostchan_rx_next(&rx, &h, &p));
	EXPECT_EQ(5u, h.id);		/* the unchecked header, for a reply */
	ASSERT_EQ(1, hostchan_rx_next(&rx, &h, &p));
	EXPECT_EQ(HOSTCHAN_TIMELINE, h.type);
	EXPECT_EQ(6u, h.id);
	EXPECT_EQ(1u, rx.bad_frames);
}

TEST(too_big_refused)
{
	static uint8_t buf[HOSTCHAN_MAX_FRAME], data[1000];
	struct hostchan_hdr h;
	const uint8_t *p;
	size_t n = frame(buf, HOSTCHAN_STORE_PUT, 0, 9, data, sizeof(data));

	hostchan_rx_init(&rx, 512);
	hostchan_rx_push(&rx, buf, n);
	EXPECT_EQ(-HOSTCHAN_RX_TOOBIG, hostchan_rx_next(&rx, &h, &p));
	while (hostchan_rx_next(&rx, &h, &p) < 0)
		;
	EXPECT_EQ(0, hostchan_rx_next(&rx, &h, &p));
	/* the encoder refuses more than the protocol's maximum */
	h.len = HOSTCHAN_MAX_PAYLOAD + 1;
	EXPECT_EQ(0u, hostchan_encode(buf, sizeof(buf), &h, buf));
}

TEST(truncated_frame_dropped_on_idle)
{
	uint8_t buf[64];
	struct hostchan_hdr h;
	const uint8_t *p;
	size_t n = frame(buf, HOSTCHAN_STATUS, 0, 1, "abcd", 4);

	hostchan_rx_init(&rx, HOSTCHAN_MAX_PAYLOAD);
	hostchan_rx_push(&rx, buf, n - 2);
	EXPECT_EQ(0, hostchan_rx_next(&rx, &h, &p));
	EXPECT_EQ(-HOSTCHAN_RX_STALE, hostchan_rx_idle(&rx));
	EXPECT_EQ(0, hostchan_rx_idle(&rx));
	hostchan_rx_push(&rx, buf, n);
	EXPECT_EQ(1, hostchan_rx_next(&rx, &h, &p));
}

TEST(unknown_flags_skipped_whole)
{
	uint8_t buf[64];
	struct hostchan_hdr h;
	const uint8_t *p;
	size_t n = frame(buf, HOSTCHAN_STATUS, 0x100, 1, "HCLF", 4);

	hostchan_rx_init(&rx, HOSTCHAN_MAX_PAYLOAD);
	hostchan_rx_push(&rx, buf, n);
	EXPECT_EQ(-HOSTCHAN_RX_FLAGS, hostchan_rx_next(&rx, &h, &p));
	EXPECT_EQ(0, hostchan_rx_next(&rx, &h, &p));
}

TEST(payload_fields)
{
	uint8_t buf[256];
	struct hostchan_buf w, r;
	const uint8_t *blob;
	char s[8];

	hc_writer(&w, buf, sizeof(buf));
	hc_put_u8(&w, 0xab);
	hc_put_u16(&w, 0x1234);
	hc_put_u32(&w, 0xdeadbeef);
	hc_put_u64(&w, 0x0102030405060708ull);
	hc_put_str(&w, "vp0");
	hc_put_blob(&w, "\0\1\2", 3);
	ASSERT_FALSE(w.err);
	EXPECT_EQ(0x34, buf[1]);	/* little endian */
	hc_reader(&r, buf, w.off);
	EXPECT_EQ(0xab, hc_get_u8(&r));
	EXPECT_EQ(0x1234, hc_get_u16(&r));
	EXPECT_EQ(0xdeadbeefu, hc_get_u32(&r));
	EXPECT_EQ(0x0102030405060708ull, hc_get_u64(&r));
	hc_get_str(&r, s, sizeof(s));
	EXPECT_STREQ("vp0", s);
	EXPECT_EQ(3u, hc_get_blob(&r, &blob));
	EXPECT_EQ(2, blob[2]);
	hc_end(&r);
	EXPECT_FALSE(r.err);
	/* past the end, a too-long string, a control byte */
	EXPECT_EQ(0u, hc_get_u32(&r));
	EXPECT_TRUE(r.err);
	hc_writer(&w, buf, sizeof(buf));
	hc_put_str(&w, "much too long");
	hc_reader(&r, buf, w.off);
	hc_get_str(&r, s, sizeof(s));
	EXPECT_TRUE(r.err);
	hc_writer(&w, buf, sizeof(buf));
	hc_put_str(&w, "a\nb");
	hc_reader(&r, buf, w.off);
	hc_get_str(&r, s, sizeof(s));
	EXPECT_TRUE(r.err);
	/* a writer that runs out of room */
	hc_writer(&w, buf, 3);
	hc_put_u32(&w, 1);
	EXPECT_TRUE(w.err);
}

TEST(layouts_checked)
{
	uint8_t buf[256];
	struct hostchan_buf w;
	struct hostchan_hdr h = { 1, HOSTCHAN_HELLO, 0, 1, 0 };

	hc_writer(&w, buf, sizeof(buf));
	hc_put_u16(&w, 1);
	hc_put_u16(&w, 1);
	hc_put_u32(&w, 4096);
	hc_put_str(&w, "test");
	h.len = (uint32_t)w.off;
	EXPECT_EQ(0, hostchan_check_payload(&h, buf));
	h.len--;			/* short */
	EXPECT_EQ(-1, hostchan_check_payload(&h, buf));
	h.len += 2;			/* a byte left over */
	EXPECT_EQ(-1, hostchan_check_payload(&h, buf));
	h.type = 99;
	EXPECT_EQ(-2, hostchan_check_payload(&h, buf));
	/* STATUS replies: a counted list of VPs */
	hc_writer(&w, buf, sizeof(buf));
	hc_put_u64(&w, 1000);
	hc_put_str(&w, "vtl0-running");
	hc_put_u32(&w, 42);
	hc_put_u16(&w, 2);
	hc_put_str(&w, "running");
	hc_put_u64(&w, 5);
	hc_put_str(&w, "running");
	hc_put_u64(&w, 6);
	hc_put_u32(&w, 1);
	hc_put_u32(&w, 0);
	hc_put_u64(&w, 0);
	hc_put_u32(&w, 0);
	hc_put_u32(&w, 1500);
	h = (struct hostchan_hdr){ 1, HOSTCHAN_STATUS, HOSTCHAN_F_REPLY, 1,
				   (uint32_t)w.off };
	EXPECT_EQ(0, hostchan_check_payload(&h, buf));
	buf[8 + 2 + 12 + 4] = 3;	/* the VP count: claim three */
	EXPECT_EQ(-1, hostchan_check_payload(&h, buf));
	/* an error reply: code and message */
	hc_writer(&w, buf, sizeof(buf));
	hc_put_u32(&w, HOSTCHAN_E_TYPE);
	hc_put_str(&w, "no such request");
	h = (struct hostchan_hdr){ 1, HOSTCHAN_STATUS,
				   HOSTCHAN_F_REPLY | HOSTCHAN_F_ERROR, 1,
				   (uint32_t)w.off };
	EXPECT_EQ(0, hostchan_check_payload(&h, buf));
	/* ERROR without REPLY is meaningless */
	h.flags = HOSTCHAN_F_ERROR;
	EXPECT_EQ(-1, hostchan_check_payload(&h, buf));
}

TEST(version_pick)
{
	EXPECT_EQ(2u, hostchan_pick_version(2, 2));
	EXPECT_EQ(2u, hostchan_pick_version(1, 7));
	/* version 1 (a store blob in one frame) is not spoken any more */
	EXPECT_EQ(0u, hostchan_pick_version(1, 1));
	EXPECT_EQ(0u, hostchan_pick_version(3, 7));
	EXPECT_EQ(0u, hostchan_pick_version(0, 0));
	EXPECT_EQ(0u, hostchan_pick_version(3, 1));
}

/* the store's chunk layouts: name and offset, size/CRC/offset + bytes */
TEST(store_chunk_layouts)
{
	uint8_t buf[256];
	struct hostchan_buf w;
	struct hostchan_hdr h;

	hc_writer(&w, buf, sizeof(buf));
	hc_put_str(&w, "tpm.permall");
	hc_put_u32(&w, 4000);
	h = (struct hostchan_hdr){ 2, HOSTCHAN_STORE_GET, 0, 1,
				   (uint32_t)w.off };
	EXPECT_EQ(0, hostchan_check_payload(&h, buf));
	h.len -= 4;			/* version 1's GET: the name alone */
	EXPECT_EQ(-1, hostchan_check_payload(&h, buf));
	hc_writer(&w, buf, sizeof(buf));
	hc_put_u32(&w, 4000);
	hc_put_u32(&w, 0x12345678);
	hc_put_u32(&w, 0);
	hc_put_blob(&w, "abcdef", 6);
	h = (struct hostchan_hdr){ 2, HOSTCHAN_STORE_GET, HOSTCHAN_F_REPLY, 1,
				   (uint32_t)w.off };
	EXPECT_EQ(0, hostchan_check_payload(&h, buf));
	buf[12] = 7;			/* the chunk claims a byte more */
	EXPECT_EQ(-1, hostchan_check_payload(&h, buf));
	hc_writer(&w, buf, sizeof(buf));
	hc_put_str(&w, "tpm.permall");
	hc_put_u32(&w, 4000);
	hc_put_u32(&w, 0x12345678);
	hc_put_u32(&w, 3000);
	hc_put_blob(&w, "abcdef", 6);
	h = (struct hostchan_hdr){ 2, HOSTCHAN_STORE_PUT, 0, 1,
				   (uint32_t)w.off };
	EXPECT_EQ(0, hostchan_check_payload(&h, buf));
	h.len -= 1;
	EXPECT_EQ(-1, hostchan_check_payload(&h, buf));
	hc_writer(&w, buf, sizeof(buf));
	hc_put_u32(&w, 3006);
	h = (struct hostchan_hdr){ 2, HOSTCHAN_STORE_PUT, HOSTCHAN_F_REPLY, 1,
				   (uint32_t)w.off };
	EXPECT_EQ(0, hostchan_check_payload(&h, buf));
	h.len = 0;			/* version 1's empty answer */
	EXPECT_EQ(-1, hostchan_check_payload(&h, buf));
}

TEST_HARNESS_MAIN
