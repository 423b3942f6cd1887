/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error codes and one-line error messages for the shim's pure-logic parts
 * (cmdline.c, host_config.c, dt_build.c).  Freestanding: no stdio, no
 * errno.  A failing function returns one of the negative codes below and
 * writes ONE precise, NUL-terminated message into the caller's buffer.
 */
#ifndef HCL_SHIM_ERR_H
#define HCL_SHIM_ERR_H

#include <stddef.h>

enum shim_err {
	SHIM_OK = 0,
	SHIM_EFDT = -1,		/* malformed blob, or a libfdt call failed */
	SHIM_EMISSING = -2,	/* a required node or property is absent */
	SHIM_ECPU = -3,		/* bad, duplicate or missing CPU */
	SHIM_ERANGE = -4,	/* empty, unaligned or wrapping range */
	SHIM_EOVERLAP = -5,	/* two ranges that must be disjoint overlap */
	SHIM_EOUTSIDE = -6,	/* a range that must lie inside RAM does not */
	SHIM_ETOOMANY = -7,	/* more entries than the fixed tables hold */
	SHIM_ECMDLINE = -8,	/* bad command line or policy flag */
	SHIM_ENOSPC = -9,	/* the caller's output buffer is too small */
	SHIM_EINVAL = -10,	/* a property has the wrong size or value */
};

/* "SHIM_EFDT" etc. for a code; "SHIM_E?" for an unknown one */
const char *shim_err_name(int code);

/*
 * Formats into @err (at most @errlen bytes, always NUL-terminated when
 * @errlen > 0, silently truncated) and returns @code.  Conversions:
 * %s (const char *), %u (unsigned long long, decimal), %x (unsigned long
 * long, printed as 0x...), %% .  Anything else is copied as is.
 */
int shim_errf(char *err, size_t errlen, int code, const char *fmt, ...);

#endif /* HCL_SHIM_ERR_H */
