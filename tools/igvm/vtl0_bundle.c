// SPDX-License-Identifier: GPL-2.0
/*
 * The VTL0 Linux bundle (include/hcl/vtl0_bundle.h): igvmtool builds it,
 * underhill_vm parses it.  x86 only, so the little-endian fields are the
 * host's own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcl/vtl0_bundle.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errlen)
		return -1;
	n = snprintf(err, errlen, "bundle: ");
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

int hcl_vtl0_bundle_is(const void *buf, size_t len)
{
	return len >= 8 && !memcmp(buf, HCL_VTL0_BUNDLE_MAGIC, 8);
}

/*
 * A piece within [@floor, @size), page aligned; its end goes to *next.
 * @floor is where the previous piece ended, so pieces keep their order
 * and never overlap.
 */
static int check_piece(const struct hcl_vtl0_bundle_piece *p,
		       const char *name, uint64_t floor, uint64_t size,
		       uint64_t *next, char *err, size_t errlen)
{
	if (!p->size) {
		if (p->offset)
			return fail(err, errlen,
				    "%s: offset 0x%llx with size 0", name,
				    (unsigned long long)p->offset);
		return 0;
	}
	if (p->offset % HCL_VTL0_BUNDLE_ALIGN)
		return fail(err, errlen, "%s: offset 0x%llx not page aligned",
			    name, (unsigned long long)p->offset);
	if (p->offset < floor)
		return fail(err, errlen,
			    "%s: offset 0x%llx overlaps what comes before it (ends at 0x%llx)",
			    name, (unsigned long long)p->offset,
			    (unsigned long long)floor);
	if (p->offset > size || p->size > size - p->offset)
		return fail(err, errlen,
			    "%s: [0x%llx, +0x%llx) runs past the bundle's 0x%llx bytes",
			    name, (unsigned long long)p->offset,
			    (unsigned long long)p->size,
			    (unsigned long long)size);
	*next = p->offset + p->size;
	return 0;
}

int hcl_vtl0_bundle_parse(const void *buf, size_t len,
			  struct hcl_vtl0_linux *out, char *err,
			  size_t errlen)
{
	const uint8_t *b = buf;
	struct hcl_vtl0_bundle h;
	uint64_t next;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(h))
		return fail(err, errlen, "%zu bytes, the header alone is %zu",
			    len, sizeof(h));
	memcpy(&h, b, sizeof(h));
	if (memcmp(h.magic, HCL_VTL0_BUNDLE_MAGIC, 8))
		return fail(err, errlen, "bad magic");
	if (h.version != HCL_VTL0_BUNDLE_VERSION)
		return fail(err, errlen, "version %u, this reader knows %u",
			    h.version, HCL_VTL0_BUNDLE_VERSION);
	if (h.header_size != sizeof(h))
		return fail(err, errlen, "header size %u, expected %zu",
			    h.header_size, sizeof(h));
	for (i = 0; i < sizeof(h.reserved) / sizeof(h.reserved[0]); i++)
		if (h.reserved[i])
			return fail(err, errlen, "reserved field %u is not zero",
				    i);
	if (h.size < sizeof(h) || h.size > len)
		return fail(err, errlen,
			    "size 0x%llx, but 0x%zx bytes are there",
			    (unsigned long long)h.size, len);
	if (!h.kernel.size)
		return fail(err, errlen, "no kernel");
	next = sizeof(h);
	if (check_piece(&h.kernel, "kernel", next, h.size, &next, err,
			errlen) ||
	    check_piece(&h.initrd, "initrd", next, h.size, &next, err,
			errlen) ||
	    check_piece(&h.cmdline, "command line", next, h.size, &next, err,
			errlen))
		return -1;
	if (h.cmdline.size) {
		const char *c = (const char *)b + h.cmdline.offset;

		if (h.cmdline.size > HCL_VTL0_BUNDLE_CMDLINE_MAX + 1)
			return fail(err, errlen,
				    "command line of %llu bytes, at most %u",
				    (unsigned long long)h.cmdline.size - 1,
				    HCL_VTL0_BUNDLE_CMDLINE_MAX);
		if (memchr(c, 0, h.cmdline.size) != c + h.cmdline.size - 1)
			return fail(err, errlen,
				    "the command line does not end with its only NUL");
		out->cmdline = c;
	} else {
		out->cmdline = "";
	}
	out->kernel = b + h.kernel.offset;
	out->kernel_len = h.kernel.size;
	if (h.initrd.size) {
		out->initrd = b + h.initrd.offset;
		out->initrd_len = h.initrd.size;
	}
	return 0;
}

static uint64_t align_up(uint64_t x)
{
	return (x + HCL_VTL0_BUNDLE_ALIGN - 1) & ~(uint64_t)(HCL_VTL0_BUNDLE_ALIGN - 1);
}

int hcl_vtl0_bundle_build(const struct hcl_vtl0_linux *in, uint8_t **out,
			  size_t *len, char *err, size_t errlen)
{
	size_t cl = in->cmdline ? strlen(in->cmdline) : 0;
	struct hcl_vtl0_bundle h;
	uint64_t off;
	uint8_t *b;

	*out = NULL;
	*len = 0;
	if (!in->kernel_len)
		return fail(err, errlen, "no kernel");
	if (cl > HCL_VTL0_BUNDLE_CMDLINE_MAX)
		return fail(err, errlen,
			    "command line of %zu bytes, at most %u", cl,
			    HCL_VTL0_BUNDLE_CMDLINE_MAX);
	if (in->kernel_len > SIZE_MAX / 4 || in->initrd_len > SIZE_MAX / 4)
		return fail(err, errlen, "the pieces are too large");
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, HCL_VTL0_BUNDLE_MAGIC, 8);
	h.version = HCL_VTL0_BUNDLE_VERSION;
	h.header_size = sizeof(h);
	off = align_up(sizeof(h));
	h.kernel.offset = off;
	h.kernel.size = in->kernel_len;
	off = align_up(off + in->kernel_len);
	if (in->initrd_len) {
		h.initrd.offset = off;
		h.initrd.size = in->initrd_len;
		off = align_up(off + in->initrd_len);
	}
	if (cl) {
		h.cmdline.offset = off;
		h.cmdline.size = cl + 1;
		off += cl + 1;
	}
	h.size = off;
	b = calloc(1, off);
	if (!b)
		return fail(err, errlen, "out of memory for 0x%llx bytes",
			    (unsigned long long)off);
	memcpy(b, &h, sizeof(h));
	memcpy(b + h.kernel.offset, in->kernel, in->kernel_len);
	if (in->initrd_len)
		memcpy(b + h.initrd.offset, in->initrd, in->initrd_len);
	if (cl)
		memcpy(b + h.cmdline.offset, in->cmdline, cl + 1);
	*out = b;
	*len = off;
	return 0;
}
