// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the IGVM parser (tools/igvm/igvm_parse.c).
 *
 * Every input is parsed twice: strictly, and without the checksum check
 * so that mutated headers get past the CRC and reach the deeper rules.
 * An accepted file must then satisfy what the parser promises: every
 * header and every file_offset lies inside the buffer, each body decodes
 * and re-encodes to the same bytes, and the dumper can print it.
 *
 * fuzz-build: igvm
 * fuzz-seed: igvm
 * fuzz-run: max_len=65536 seconds=20
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "igvm.h"

static FILE *devnull;

static void check_accepted(const uint8_t *data, size_t size,
			   const struct igvm_file *f)
{
	for (size_t i = 0; i < f->nheaders; i++) {
		const struct igvm_header *h = &f->headers[i];
		uint8_t body[48] = { 0 };
		uint64_t fo = 0, n = 0;

		if ((uint64_t)h->offset + 8 + h->length > f->data_start ||
		    h->body != data + h->offset + 8)
			abort();
		if (igvm_type_writable(h->type)) {
			igvm_encode_body(h, body);
			if (memcmp(body, h->body, h->length))
				abort();
		}
		if (h->type == IGVM_VHT_PAGE_DATA) {
			fo = h->u.page.file_offset;
			n = IGVM_PAGE_SIZE;
		} else if (h->type == IGVM_VHT_PARAMETER_AREA) {
			fo = h->u.area.file_offset;
			n = h->u.area.number_of_bytes;
		} else if (h->type == IGVM_VHT_VP_CONTEXT) {
			const struct igvm_header *p =
				igvm_platform_by_mask(f, h->mask);

			fo = h->u.vp.file_offset;
			if (!p || !fo)
				abort();
			n = p->u.platform.platform_type ==
			    IGVM_PLATFORM_VSM_ISOLATION ?
			    IGVM_VBS_HEADER_SIZE + (uint64_t)igvm_vbs_count(f, h) *
			    IGVM_VBS_REG_SIZE : IGVM_PAGE_SIZE;
		}
		if (fo && (fo < f->data_start || fo + n > size))
			abort();
	}
	igvm_dump(devnull, f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct igvm_file f;
	struct igvm_error err;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	for (unsigned int flags = 0; flags <= IGVM_PARSE_NO_CHECKSUM;
	     flags += IGVM_PARSE_NO_CHECKSUM) {
		int rc = igvm_parse(data, size, flags, &f, &err);

		if (rc == 0) {
			check_accepted(data, size, &f);
			igvm_file_free(&f);
		} else if (rc < 0 || rc >= IGVM_ERR_COUNT ||
			   strncmp(err.msg, "igvm: ", 6) ||
			   !memchr(err.msg, 0, sizeof(err.msg))) {
			abort();
		}
	}
	return 0;
}
