// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the host channel's frame parser and payload checks
 * (userspace/lib/hostchan.c), which read every byte the host sends to
 * openvmm_hcl.  The first input byte picks the receiver's payload limit,
 * the second how many bytes each push carries; the rest is the stream.
 * Every accepted frame must pass its CRC (checked again here), stay
 * within the limit, and encode back to the same bytes; the payload
 * checker and the field readers run on it; the parser must keep its
 * buffer bounded and go quiet after idle().
 *
 * `fuzz_hostchan --write-seed FILE` writes a HELLO, a STATUS reply and
 * a corrupted frame.
 *
 * fuzz-build: hostchan
 * fuzz-seed: self
 * fuzz-run: max_len=16384 seconds=5
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostchan.h"

static struct hostchan_rx rx;

static void check_frame(const struct hostchan_hdr *h, const uint8_t *p)
{
	static uint8_t again[HOSTCHAN_MAX_FRAME];
	struct hostchan_buf b;
	const uint8_t *blob;
	char s[HOSTCHAN_TEXT_MAX + 1];
	size_t n;

	if (h->len > rx.max_payload)
		abort();
	n = hostchan_encode(again, sizeof(again), h, p);
	if (n != HOSTCHAN_HDR_SIZE + h->len ||
	    memcmp(again + HOSTCHAN_HDR_SIZE, p, h->len))
		abort();
	if (hostchan_check_payload(h, p) == 0 &&
	    h->type == HOSTCHAN_STORE_PUT && !(h->flags & HOSTCHAN_F_REPLY)) {
		/* a sound layout reads back without error */
		hc_reader(&b, p, h->len);
		hc_get_str(&b, s, HOSTCHAN_NAME_MAX + 1);
		hc_get_u32(&b);
		hc_get_u32(&b);
		hc_get_u32(&b);
		hc_get_blob(&b, &blob);
		hc_end(&b);
		if (b.err)
			abort();
	}
	hc_reader(&b, p, h->len);
	while (!b.err) {
		hc_get_str(&b, s, sizeof(s));
		hc_get_u8(&b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostchan_hdr h;
	const uint8_t *p;
	size_t chunk, off = 2;
	int ret;

	if (size < 2)
		return 0;
	hostchan_rx_init(&rx, HOSTCHAN_MIN_PAYLOAD +
			 data[0] * (HOSTCHAN_MAX_PAYLOAD - HOSTCHAN_MIN_PAYLOAD) / 255);
	chunk = data[1] ? data[1] : 4096;
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;

		n = hostchan_rx_push(&rx, data + off, n);
		off += n;
		while ((ret = hostchan_rx_next(&rx, &h, &p)) != 0) {
			if (ret == 1)
				check_frame(&h, p);
			else if (ret < -HOSTCHAN_RX_STALE)
				abort();
		}
		if (rx.have > sizeof(rx.buf))
			abort();
	}
	hostchan_rx_idle(&rx);
	if (rx.have || hostchan_rx_next(&rx, &h, &p))
		abort();
	return 0;
}

static int write_seed(const char *path)
{
	static uint8_t out[3 * HOSTCHAN_MAX_FRAME];
	uint8_t pl[256];
	struct hostchan_buf b;
	struct hostchan_hdr h = { 2, HOSTCHAN_HELLO, 0, 1, 0 };
	size_t n = 2;
	FILE *f;

	out[0] = 255;
	out[1] = 7;
	hc_writer(&b, pl, sizeof(pl));
	hc_put_u16(&b, HOSTCHAN_VERSION_MIN);
	hc_put_u16(&b, HOSTCHAN_VERSION_MAX);
	hc_put_u32(&b, 4096);
	hc_put_str(&b, "seed");
	h.len = (uint32_t)b.off;
	n += hostchan_encode(out + n, sizeof(out) - n, &h, pl);
	hc_writer(&b, pl, sizeof(pl));
	hc_put_u64(&b, 1234);
	hc_put_str(&b, "vtl0-running");
	hc_put_u32(&b, 40);
	hc_put_u16(&b, 1);
	hc_put_str(&b, "running");
	hc_put_u64(&b, 99);
	hc_put_u32(&b, 1);
	hc_put_u32(&b, 0);
	hc_put_u64(&b, 0);
	hc_put_u32(&b, 0);
	hc_put_u32(&b, 1500);
	h = (struct hostchan_hdr){ 2, HOSTCHAN_STATUS, HOSTCHAN_F_REPLY, 2,
				   (uint32_t)b.off };
	n += hostchan_encode(out + n, sizeof(out) - n, &h, pl);
	h = (struct hostchan_hdr){ 2, HOSTCHAN_STORE_GET, 0, 3, 8 };
	n += hostchan_encode(out + n, sizeof(out) - n, &h, "\2\0ab\0\0\0\0");
	out[n - 1] ^= 0x40;
	f = fopen(path, "wb");
	if (!f || fwrite(out, 1, n, f) != n)
		return 1;
	return fclose(f) ? 1 : 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (*argc == 3 && !strcmp((*argv)[1], "--write-seed"))
		exit(write_seed((*argv)[2]));
	return 0;
}
