// SPDX-License-Identifier: GPL-2.0
/*
 * IGVM writer: headers are appended in the
 * caller's order as TLV entries padded with zeros to 8 bytes; data blobs
 * are appended to the file data section; when the file is finished, every
 * file_offset that refers to a blob becomes data_start + blob position,
 * and the checksum covers the fixed header (checksum 0) and the headers.
 */
#include <stdlib.h>
#include <string.h>

#include "igvm.h"

static bool grow(void **buf, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return true;
	while (n < need) {
		if (n > SIZE_MAX / 2 / elem)
			return false;
		n *= 2;
	}
	p = realloc(*buf, n * elem);
	if (!p)
		return false;
	*buf = p;
	*cap = n;
	return true;
}

void igvm_writer_init(struct igvm_writer *w, uint32_t version)
{
	memset(w, 0, sizeof(*w));
	w->version = version;
}

void igvm_writer_free(struct igvm_writer *w)
{
	free(w->hdrs);
	free(w->data);
	free(w->patches);
	memset(w, 0, sizeof(*w));
}

size_t igvm_writer_data(struct igvm_writer *w, const void *buf, size_t len)
{
	size_t pos = w->data_len;

	if (w->failed || len > SIZE_MAX - pos ||
	    !grow((void **)&w->data, &w->data_cap, pos + len, 1)) {
		w->failed = true;
		return IGVM_NO_DATA;
	}
	memcpy(w->data + pos, buf, len);
	w->data_len += len;
	return pos;
}

bool igvm_type_writable(uint32_t type)
{
	switch (type) {
	case IGVM_VHT_CCA_POLICY:
	case IGVM_VHT_SNP_ID_BLOCK:
	case IGVM_VHT_VBS_MEASUREMENT:
		return false;	/* no encoder for these raw bodies */
	default:
		return igvm_type_body_size(type) != 0;
	}
}

int igvm_writer_add(struct igvm_writer *w, const struct igvm_header *h,
		    size_t data)
{
	uint8_t body[48] = { 0 };
	uint32_t len = igvm_type_body_size(h->type);
	size_t padded = (8 + (size_t)len + 7) & ~(size_t)7;
	size_t pos = w->hdrs_len;
	int fo;

	if (w->failed || !igvm_type_writable(h->type) ||
	    len > sizeof(body)) {
		w->failed = true;
		return -1;
	}
	fo = igvm_encode_body(h, body);
	if (data != IGVM_NO_DATA && fo < 0) {
		w->failed = true;
		return -1;
	}
	if (!grow((void **)&w->hdrs, &w->hdrs_cap, pos + padded, 1)) {
		w->failed = true;
		return -1;
	}
	memset(w->hdrs + pos, 0, padded);
	igvm_put32(w->hdrs + pos, h->type);
	igvm_put32(w->hdrs + pos + 4, len);
	memcpy(w->hdrs + pos + 8, body, len);
	w->hdrs_len += padded;
	if (data != IGVM_NO_DATA) {
		if (!grow((void **)&w->patches, &w->patches_cap,
			  w->npatches + 1, sizeof(*w->patches))) {
			w->failed = true;
			return -1;
		}
		w->patches[w->npatches].hdr_pos = pos + 8 + fo;
		w->patches[w->npatches].data_pos = data;
		w->npatches++;
	}
	return 0;
}

int igvm_writer_finish(struct igvm_writer *w, uint8_t **out, size_t *len)
{
	size_t fixed = w->version == 2 ? IGVM_FIXED_V2_SIZE :
					 IGVM_FIXED_V1_SIZE;
	uint64_t data_start = fixed + (uint64_t)w->hdrs_len;
	uint64_t total = data_start + w->data_len;
	uint8_t *f;
	uint32_t crc;

	if (w->failed || total > UINT32_MAX || w->data_len == 0)
		return -1;
	f = calloc(1, total);
	if (!f)
		return -1;
	for (size_t i = 0; i < w->npatches; i++)
		igvm_put32(w->hdrs + w->patches[i].hdr_pos,
			   (uint32_t)(data_start + w->patches[i].data_pos));
	igvm_put32(f, IGVM_MAGIC);
	igvm_put32(f + 4, w->version);
	igvm_put32(f + 8, (uint32_t)fixed);
	igvm_put32(f + 12, (uint32_t)w->hdrs_len);
	igvm_put32(f + 16, (uint32_t)total);
	if (w->version == 2) {
		igvm_put32(f + 24, IGVM_ARCH_X64);
		igvm_put32(f + 28, IGVM_PAGE_SIZE);
	}
	memcpy(f + fixed, w->hdrs, w->hdrs_len);
	memcpy(f + data_start, w->data, w->data_len);
	igvm_compute_checksum(f, total, &crc);
	igvm_put32(f + 20, crc);
	*out = f;
	*len = total;
	return 0;
}
