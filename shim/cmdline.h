/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VTL2 kernel command line the shim hands to Linux.
 *
 * It is the measured static command line (the IGVM image's command-line
 * page) followed, only if that static line says so, by the host's command
 * line (unmeasured: the host device tree's /chosen/bootargs):
 *
 *   openhcl_boot.host_cmdline=ignore   (the default) the host line is
 *                                      dropped
 *   openhcl_boot.host_cmdline=append   the host line is appended after
 *                                      one space
 *
 * The flag is read from the static line only (the last occurrence wins);
 * the same word in the host line has no effect on the policy.  Any other
 * value is an error.  Both lines must be printable ASCII (0x20..0x7e: no
 * NUL, tab, newline or other control character), hold balanced double
 * quotes, and the result must fit SHIM_CMDLINE_MAX bytes and the output
 * buffer (with its NUL).
 */
#ifndef HCL_SHIM_CMDLINE_H
#define HCL_SHIM_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shim_err.h"

/* x86 COMMAND_LINE_SIZE is 2048 including the NUL */
#define SHIM_CMDLINE_MAX	2047u

/*
 * The shim's own options carry its name: Linux ignores dotted words it
 * has no module for, and underhill_init hands hcl.* words to hcl.ko.
 */
#define SHIM_CMDLINE_POLICY_WORD	"openhcl_boot.host_cmdline="
#define SHIM_CMDLINE_SIDECAR_WORD	"openhcl_boot.sidecar="
#define SHIM_CMDLINE_SIDECAR_FAULT_WORD	"openhcl_boot.sidecar_fault="

enum shim_host_cmdline_policy {
	SHIM_HOST_CMDLINE_IGNORE = 0,
	SHIM_HOST_CMDLINE_APPEND = 1,
};

/*
 * Checks one line of @len bytes (no NUL inside); @what names it in the
 * message ("static command line").  Returns 0 or SHIM_ECMDLINE.
 */
int shim_cmdline_validate(const char *line, size_t len, const char *what,
			  char *err, size_t errlen);

/*
 * Finds the last "@word<value>" word of @line (@len bytes) and sets *@idx
 * to the index of its value in @values (left alone when the word is
 * absent).  A value not in the list is an error naming @what.
 */
int shim_cmdline_option(const char *line, size_t len, const char *word,
			const char *const *values, int nvalues, int *idx,
			const char *what, char *err, size_t errlen);

/*
 * Reads the openhcl_boot.host_cmdline= policy from the (already valid)
 * static line of @len bytes.  Returns 0 and sets *@policy, or
 * SHIM_ECMDLINE.
 */
int shim_cmdline_policy(const char *line, size_t len,
			enum shim_host_cmdline_policy *policy,
			char *err, size_t errlen);

/*
 * Builds the final line into @out (@outsz bytes with the NUL).
 * @static_line is read up to its first NUL but never past @static_max
 * bytes (the measured page); not finding a NUL there is an error.
 * @host_line may be NULL (no host line); it is NUL-terminated.
 * Returns the length written (without the NUL) or a negative shim_err;
 * on error @out holds "" when @outsz > 0.
 */
/*
 * openhcl_boot.sidecar=on (the default) or off on the final line: off
 * gives every CPU to Linux and none to the sidecar.
 */
int shim_cmdline_sidecar(const char *line, bool *enabled, char *err,
			 size_t errlen);

/*
 * openhcl_boot.sidecar_fault=none (the default), ud, pf or de: the test
 * exception sidecar CPU 0 raises before it reports IDLE
 * (enum hcl_sidecar_test_fault, in the same order).
 */
int shim_cmdline_sidecar_fault(const char *line, uint32_t *kind, char *err,
			       size_t errlen);

/*
 * Appends " maxcpus=<n>" to the NUL-terminated @line in its @size-byte
 * buffer: Linux boots only its own CPUs and leaves the sidecar's present
 * but offline (the last maxcpus= on the line wins).  SHIM_ECMDLINE if
 * the result would not fit SHIM_CMDLINE_MAX or the buffer.
 */
int shim_cmdline_append_maxcpus(char *line, size_t size, uint32_t n,
				char *err, size_t errlen);

int shim_cmdline_build(const char *static_line, size_t static_max,
		       const char *host_line, char *out, size_t outsz,
		       char *err, size_t errlen);

#endif /* HCL_SHIM_CMDLINE_H */
