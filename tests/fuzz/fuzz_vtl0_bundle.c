// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the VTL0 Linux bundle reader (tools/igvm/
 * vtl0_bundle.c), which underhill_vm runs on the staged VTL0 image.  A
 * bundle it accepts must keep every piece inside the input, the kernel
 * non-empty and the command line NUL-terminated within its piece; and
 * building a bundle from the accepted pieces and reading it back must give
 * the same bytes.  Any violation aborts.
 *
 * `fuzz_vtl0_bundle --write-seed FILE` writes a small valid bundle.
 *
 * fuzz-build: igvm
 * fuzz-seed: self
 * fuzz-run: max_len=16384 seconds=5
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcl/vtl0_bundle.h"

static void check_inside(const uint8_t *buf, size_t len, const void *p,
			 size_t n)
{
	const uint8_t *q = p;

	if (n && (q < buf || q > buf + len || n > (size_t)(buf + len - q)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hcl_vtl0_linux l, again;
	size_t clen, blen;
	uint8_t *b;
	char err[256];

	if (hcl_vtl0_bundle_parse(data, size, &l, err, sizeof(err))) {
		if (strncmp(err, "bundle: ", 8))
			abort();
		return 0;
	}
	if (!l.kernel_len || !l.cmdline || (!l.initrd) != (!l.initrd_len))
		abort();
	check_inside(data, size, l.kernel, l.kernel_len);
	check_inside(data, size, l.initrd, l.initrd_len);
	clen = strlen(l.cmdline);
	if (clen)
		check_inside(data, size, l.cmdline, clen + 1);
	if (hcl_vtl0_bundle_build(&l, &b, &blen, err, sizeof(err)))
		abort();
	if (hcl_vtl0_bundle_parse(b, blen, &again, err, sizeof(err)) ||
	    again.kernel_len != l.kernel_len ||
	    memcmp(again.kernel, l.kernel, l.kernel_len) ||
	    again.initrd_len != l.initrd_len ||
	    (l.initrd_len && memcmp(again.initrd, l.initrd, l.initrd_len)) ||
	    strcmp(again.cmdline, l.cmdline))
		abort();
	free(b);
	return 0;
}

static int write_seed(const char *path)
{
	static const uint8_t kernel[] = "kernel bytes";
	static const uint8_t initrd[] = "initrd bytes";
	struct hcl_vtl0_linux l = {
		.kernel = kernel, .kernel_len = sizeof(kernel),
		.initrd = initrd, .initrd_len = sizeof(initrd),
		.cmdline = "console=ttyS0 hcl.cmd=true",
	};
	char err[256];
	uint8_t *b;
	size_t len;
	FILE *f;
	int bad;

	if (hcl_vtl0_bundle_build(&l, &b, &len, err, sizeof(err)))
		return 1;
	f = fopen(path, "wb");
	bad = !f || fwrite(b, 1, len, f) != len;
	free(b);
	if (f && fclose(f))
		bad = 1;
	return bad;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (*argc == 3 && !strcmp((*argv)[1], "--write-seed"))
		exit(write_seed((*argv)[2]));
	return 0;
}
