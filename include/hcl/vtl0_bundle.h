/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VTL0 Linux bundle: a kernel, an initramfs and a command line for
 * VTL0 in one file, so that they travel in the IGVM image as its staged
 * VTL0 image (measured PAGE_DATA, like the test guest; OpenHCL's
 * Linux-direct VTL0 mode).  `igvmtool vtl0-linux` writes it
 * (tools/igvm/vtl0_bundle.c); underhill_vm recognises it by its magic
 * in /sys/class/misc/hcl/vtl0_image and boots its pieces in the Linux
 * profile.  The contract between the two, defined once here.
 *
 * Layout, little endian: struct hcl_vtl0_bundle at offset 0, then the
 * pieces, each at a page-aligned offset after the header, in the order
 * kernel, initrd, command line, none overlapping another.  The kernel
 * is required (a bzImage), the initrd may be empty; the command line,
 * when present, ends with its only NUL (size counts it).  `size` is the
 * whole bundle; what follows it (the staged image's padding) is ignored.
 * Every field is checked before use: the image is measured, but a
 * bundle is still input from outside VTL2.
 */
#ifndef HCL_VTL0_BUNDLE_H
#define HCL_VTL0_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#define HCL_VTL0_BUNDLE_MAGIC		"HCLVTL0L"	/* 8 bytes, no NUL */
#define HCL_VTL0_BUNDLE_VERSION		1u
#define HCL_VTL0_BUNDLE_ALIGN		4096u
#define HCL_VTL0_BUNDLE_CMDLINE_MAX	4095u	/* bytes without the NUL */

struct hcl_vtl0_bundle_piece {
	uint64_t offset;	/* from the bundle's start; 0 when size is 0 */
	uint64_t size;
};

struct hcl_vtl0_bundle {
	char magic[8];
	uint32_t version;	/* HCL_VTL0_BUNDLE_VERSION */
	uint32_t header_size;	/* sizeof(struct hcl_vtl0_bundle) */
	uint64_t size;		/* the whole bundle, header included */
	struct hcl_vtl0_bundle_piece kernel, initrd, cmdline;
	uint64_t reserved[4];	/* zero */
};

_Static_assert(sizeof(struct hcl_vtl0_bundle) == 104,
	       "the bundle header is part of the image format");

/* The pieces of a parsed bundle: pointers into the caller's buffer. */
struct hcl_vtl0_linux {
	const uint8_t *kernel;
	size_t kernel_len;
	const uint8_t *initrd;		/* NULL when there is none */
	size_t initrd_len;
	const char *cmdline;		/* "" when there is none */
};

/* Whether @buf starts with the bundle's magic (then parse it). */
int hcl_vtl0_bundle_is(const void *buf, size_t len);

/*
 * Checks the bundle in @buf (@len bytes available) and points @out into
 * it: 0, or -1 with one line in @err ("bundle: ...").
 */
int hcl_vtl0_bundle_parse(const void *buf, size_t len,
			  struct hcl_vtl0_linux *out, char *err,
			  size_t errlen);

/*
 * Builds a bundle from @in into a malloc'd buffer (*out, *len): 0, or -1
 * with one line in @err.  The initrd and the command line may be empty.
 */
int hcl_vtl0_bundle_build(const struct hcl_vtl0_linux *in, uint8_t **out,
			  size_t *len, char *err, size_t errlen);

#endif
