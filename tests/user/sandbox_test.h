/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the sandbox tests share: they run as root against directories
 * made for the test, owned by the worker's user, and remove them after.
 */
#ifndef HCL_SANDBOX_TEST_H
#define HCL_SANDBOX_TEST_H

#include <ftw.h>
#include <stdio.h>

#define NOBODY 65534

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	return remove(path);
}

/* Removes the tree at @path, files before their directories: 0 or -1. */
static inline int remove_tree(const char *path)
{
	return nftw(path, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

#endif
