/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzzers of the shim's logic share: the rule every rejection
 * keeps, and the --write-seed option of a fuzzer that writes its own
 * valid input (fuzz-seed: self, scripts/fuzz-smoke.sh).
 */
#ifndef HCL_FUZZ_SHIM_H
#define HCL_FUZZ_SHIM_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim_err.h"

/* a rejection: one of the shim's error codes and one NUL-ended message */
static inline void check_rejected(int rc, const char *err, size_t errlen)
{
	if (rc >= 0 || rc < SHIM_EINVAL || !err[0] ||
	    !memchr(err, 0, errlen))
		abort();
}

/*
 * An input as a fixed head of hsize bytes (zero-filled when the input is
 * shorter) and the rest: its length in *rest and a copy in an exactly
 * sized buffer, so that ASan sees any over-read.  The caller frees it;
 * NULL when memory runs out.
 */
static inline uint8_t *fuzz_split(const uint8_t *data, size_t size,
				  void *head, size_t hsize, size_t *rest)
{
	size_t hl = size < hsize ? size : hsize;
	uint8_t *buf;

	*rest = size - hl;
	buf = malloc(*rest ? *rest : 1);
	if (!buf)
		return NULL;
	memset(head, 0, hsize);
	memcpy(head, data, hl);
	memcpy(buf, data + hl, *rest);
	return buf;
}

/* writes size bytes to path; 0, or 1 with a message */
static inline int fuzz_write_file(const char *path, const void *data,
				  size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, size, 1, f) != 1 || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

/* from LLVMFuzzerInitialize: `fuzz_x --write-seed FILE` writes and exits */
static inline void fuzz_seed_option(int argc, char **argv,
				    int (*write_seed)(const char *path))
{
	if (argc == 3 && !strcmp(argv[1], "--write-seed"))
		exit(write_seed(argv[2]));
}

#endif /* HCL_FUZZ_SHIM_H */
