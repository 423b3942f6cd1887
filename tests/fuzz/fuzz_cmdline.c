// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the shim's command-line builder (shim/cmdline.c).
 * Input: the static line (bytes up to the first NUL, or all of them),
 * then after that NUL the host line.  The static line is handed over
 * without a terminating NUL in its bound when the input has none, as a
 * measured page filled to the brim would be.
 *
 * A result must be what the policy promises: printable ASCII, within
 * SHIM_CMDLINE_MAX, starting with the static line, with the host line
 * only when the static line asked for it.
 *
 * fuzz-build: shim
 * fuzz-seed: text console=ttyS0 openhcl_boot.host_cmdline=append\0quiet a="b c"
 * fuzz-seed: text openhcl_boot.host_cmdline=ignore x=1\0y
 * fuzz-run: max_len=4096 seconds=10
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t slen = nul ? (size_t)(nul - data) + 1 : size;
	char *s = malloc(slen ? slen : 1);
	char *h = NULL, out[SHIM_CMDLINE_MAX + 1], err[128];
	int n;

	if (!s)
		return 0;
	memcpy(s, data, slen);
	if (nul) {
		size_t hl = size - slen;

		h = malloc(hl + 1);
		if (!h) {
			free(s);
			return 0;
		}
		memcpy(h, data + slen, hl);
		h[hl] = 0;
	}
	n = shim_cmdline_build(s, slen, h, out, sizeof(out), err,
			       sizeof(err));
	if (n >= 0) {
		size_t l = strlen(out);

		if ((size_t)n != l || l > SHIM_CMDLINE_MAX || !nul ||
		    memcmp(out, s, slen - 1))
			abort();
		for (size_t i = 0; i < l; i++)
			if (out[i] < 0x20 || out[i] > 0x7e)
				abort();
		if (!strstr(s, SHIM_CMDLINE_POLICY_WORD "append") &&
		    l != slen - 1)
			abort();
	} else if (!err[0] || out[0]) {
		abort();
	}
	free(s);
	free(h);
	return 0;
}
