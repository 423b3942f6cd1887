/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel command-line handling for underhill_init: split the line the way
 * the kernel does (double quotes group, no escapes) and collect the
 * parameters meant for one module ("hcl.x=y" becomes "x=y"), as modprobe
 * does for modules loaded after boot.
 */
#ifndef HCL_CMDLINE_H
#define HCL_CMDLINE_H

#include <stddef.h>

/*
 * Calls fn(word, len, arg) for each word of @line.  Quotes are stripped
 * from the reported word's span only when they enclose the whole word.
 * Returns the number of words, or -1 for an unterminated quote.
 */
int cmdline_split(const char *line,
		  void (*fn)(const char *word, size_t len, void *arg),
		  void *arg);

/*
 * Writes the space-separated "param=value" words for @module into @out
 * (NUL-terminated); '-' and '_' in module names are the same.  Returns the length, or -1 if @out is too small or
 * the line is malformed.
 */
int cmdline_module_params(const char *line, const char *module,
			  char *out, size_t outsz);

#endif
