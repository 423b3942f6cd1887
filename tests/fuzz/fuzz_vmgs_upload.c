// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the guest-state store's chunked uploads
 * (vmgs_upload_chunk() in tools/hclctl/vmgs.c), which assemble what a
 * paravisor sends in STORE_PUT chunks.  The input is a script of chunks
 * (7 bytes each: u8 name, u16 size, u16 offset, u16 length (sizes and
 * offsets modulo 8 KiB, lengths cut at its end), with the
 * CRC of the declared bytes or, when the name byte's top bit is set,
 * a wrong one; the bytes come from a fixed pattern).  Whatever the
 * order, a blob is handed over only whole, with the CRC it was
 * announced with, and a model of the rules gives the same answers.
 *
 * fuzz-build: hclctl
 * fuzz-seed: text \0\0\20\0\0\0\10\0\0\20\0\10\0\10\1\0\1\0\0\0\1
 * fuzz-run: max_len=512 seconds=5
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostchan.h"
#include "vmgs.h"

#define NAMES	6
#define LIMIT	6000		/* the size limit the uploads get */

static uint8_t pattern[1 << 13];

/* what the rules say about one name: an open transfer and its place */
struct model {
	bool open;
	uint32_t size, crc, have;
	uint64_t touched;
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmgs_uploads up;
	struct model m[NAMES] = { 0 };
	uint64_t clock = 0;
	char err[256];

	if (!pattern[1])
		for (size_t i = 0; i < sizeof(pattern); i++)
			pattern[i] = (uint8_t)(i * 31 + (i >> 8));
	for (size_t at = 0; at + 7 <= size; at += 7) {
		unsigned int k = (data[at] & 0x7f) % NAMES, open = 0;
		uint32_t sz = rd16(data + at + 1) % sizeof(pattern);
		uint32_t off = rd16(data + at + 3) % sizeof(pattern);
		uint32_t len = rd16(data + at + 5), crc, have;
		char name[8];
		uint8_t *blob;
		int ret, want;

		if (off > sz)
			off = sz;
		if (len > sizeof(pattern) - off)
			len = sizeof(pattern) - off;
		crc = hostchan_crc32(0, pattern, sz);
		if (data[at] & 0x80)
			crc ^= 0x5a5a;
		snprintf(name, sizeof(name), "b%u", k);
		ret = vmgs_upload_chunk(&up, name, sz, crc, off, pattern + off,
					len, LIMIT, &have, &blob, err,
					sizeof(err));
		/* the model */
		if (!off && sz > LIMIT) {
			want = -HOSTCHAN_E_TOOBIG;
		} else if (off && (!m[k].open || m[k].size != sz ||
				   m[k].crc != crc || m[k].have != off)) {
			want = -HOSTCHAN_E_STATE;
		} else if (len > sz - off) {
			want = -HOSTCHAN_E_PAYLOAD;
		} else if (off + len < sz) {
			want = 0;
		} else {
			want = crc == hostchan_crc32(0, pattern, sz) ? 1 :
			       -HOSTCHAN_E_PAYLOAD;
		}
		if (ret != want)
			abort();
		if (!off && want != -HOSTCHAN_E_TOOBIG) {
			/* a new transfer; a full table evicts the oldest */
			for (unsigned int i = 0; i < NAMES; i++)
				open += m[i].open && i != k;
			if (open >= VMGS_UPLOADS) {
				unsigned int old = NAMES;

				for (unsigned int i = 0; i < NAMES; i++)
					if (m[i].open && i != k &&
					    (old == NAMES ||
					     m[i].touched < m[old].touched))
						old = i;
				m[old].open = false;
			}
			m[k] = (struct model){ true, sz, crc, 0, 0 };
		}
		if (ret < 0 || ret == 1) {
			m[k].open = false;
		} else {
			m[k].have = off + len;
			m[k].touched = ++clock;
		}
		if (ret == 1) {
			if (!blob || have != sz || memcmp(blob, pattern, sz))
				abort();
			free(blob);
		} else if (blob) {
			abort();
		}
	}
	vmgs_uploads_free(&up);
	return 0;
}
