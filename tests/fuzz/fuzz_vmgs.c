// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the guest-state store's file format
 * (tools/hclctl/vmgs.c), which hclctl reads from a file anyone may have
 * damaged.  Any input must be accepted or refused with a message, never
 * crash; an accepted store must serialise back to the same bytes, and
 * re-parse to the same blobs.
 *
 * `fuzz_vmgs --write-seed FILE` writes a store of three blobs.
 *
 * fuzz-build: hclctl
 * fuzz-seed: self
 * fuzz-run: max_len=8192 seconds=5
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmgs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmgs s, t;
	char err[256];
	uint8_t *out;
	size_t len;

	if (vmgs_parse(data, size, &s, err, sizeof(err))) {
		if (!err[0] || s.count)
			abort();
		return 0;
	}
	out = vmgs_serialize(&s, &len);
	if (!out || len != size || memcmp(out, data, size))
		abort();
	if (vmgs_parse(out, len, &t, err, sizeof(err)) || t.count != s.count)
		abort();
	for (unsigned int i = 0; i < s.count; i++)
		if (strcmp(s.blob[i].name, t.blob[i].name) ||
		    s.blob[i].size != t.blob[i].size ||
		    memcmp(s.blob[i].data, t.blob[i].data, s.blob[i].size))
			abort();
	free(out);
	vmgs_free(&s);
	vmgs_free(&t);
	return 0;
}

static int write_seed(const char *path)
{
	static struct vmgs s;
	uint8_t *out;
	size_t len;
	FILE *f;

	if (vmgs_set(&s, "openvmm_hcl.boots", "\3\0\0\0", 4) ||
	    vmgs_set(&s, "tpm.permall", "state", 5) ||
	    vmgs_set(&s, "empty", NULL, 0))
		return 1;
	out = vmgs_serialize(&s, &len);
	f = fopen(path, "wb");
	if (!out || !f || fwrite(out, 1, len, f) != len)
		return 1;
	return fclose(f) ? 1 : 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (*argc == 3 && !strcmp((*argv)[1], "--write-seed"))
		exit(write_seed((*argv)[2]));
	return 0;
}
