// SPDX-License-Identifier: GPL-2.0
/*
 * igvmtool: builds, dumps and checks IGVM files.
 *
 *   igvmtool build -o OUT --shim F --kernel F --initrd F --vtl0 F
 *            [--cmdline "..."] [--vtl2-size BYTES] [--shim-entry OFFSET]
 *            [--sidecar F]
 *   igvmtool vtl0-linux -o OUT --kernel F [--initrd F] [--cmdline "..."]
 *            (a VTL0 Linux bundle, hcl/vtl0_bundle.h, for build --vtl0)
 *   igvmtool dump FILE
 *   igvmtool check FILE
 *
 * Exit status: 0 success, 1 invalid file or failed build, 2 usage or I/O.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcl/vtl0_bundle.h"
#include "hcl_igvm_build.h"
#include "igvm.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: igvmtool build -o OUT.igvm --shim FILE --kernel FILE --initrd FILE\n"
		"                      --vtl0 FILE [--cmdline \"...\"] [--vtl2-size BYTES]\n"
		"                      [--shim-entry OFFSET] [--sidecar FILE]\n"
		"       igvmtool vtl0-linux -o OUT --kernel BZIMAGE [--initrd FILE]\n"
		"                      [--cmdline \"...\"]\n"
		"       igvmtool dump FILE\n"
		"       igvmtool check FILE\n");
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, n = 0;
	uint8_t *b = NULL;

	if (!f) {
		fprintf(stderr, "igvmtool: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(b, cap);
			if (!nb) {
				fprintf(stderr, "igvmtool: %s: out of memory\n",
					path);
				free(b);
				fclose(f);
				return -1;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "igvmtool: %s: read error\n", path);
		free(b);
		fclose(f);
		return -1;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len) {
		fprintf(stderr, "igvmtool: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (fclose(f)) {
		fprintf(stderr, "igvmtool: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	static const char units[] = "kmg";
	const char *unit;
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	/* a K, M or G suffix: 2^10, 2^20 or 2^30 */
	unit = *end ? strchr(units, tolower((unsigned char)*end)) : NULL;
	if (unit) {
		unsigned int shift = 10 * (unsigned int)(unit - units + 1);

		if (x > UINT64_MAX >> shift)
			return -1;
		x <<= shift;
		end++;
	}
	if (*end)
		return -1;
	*v = x;
	return 0;
}

static int cmd_build(int argc, char **argv)
{
	/* the first NREQ are required */
	enum { NREQ = 4, NBLOB = 5 };
	const char *out = NULL, *paths[NBLOB] = { NULL };
	static const char *const opts[NBLOB] = {
		"--shim", "--kernel", "--initrd", "--vtl0", "--sidecar",
	};
	struct hcl_igvm_blob *blobs[NBLOB];
	struct hcl_igvm_inputs in = { 0 };
	uint8_t *image = NULL;
	size_t len;
	char err[256];
	int rc = 2;

	blobs[0] = &in.shim;
	blobs[1] = &in.kernel;
	blobs[2] = &in.initrd;
	blobs[3] = &in.vtl0;
	blobs[4] = &in.sidecar;
	for (int i = 0; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool known = false;

		if (!v) {
			fprintf(stderr, "igvmtool: %s needs a value\n", a);
			usage();
			return 2;
		}
		for (int k = 0; k < NBLOB; k++) {
			if (!strcmp(a, opts[k])) {
				paths[k] = v;
				known = true;
			}
		}
		if (!strcmp(a, "-o")) {
			out = v;
		} else if (!strcmp(a, "--cmdline")) {
			in.cmdline = v;
		} else if (!strcmp(a, "--vtl2-size")) {
			if (parse_u64(v, &in.vtl2_size)) {
				fprintf(stderr, "igvmtool: bad --vtl2-size %s\n",
					v);
				return 2;
			}
		} else if (!strcmp(a, "--shim-entry")) {
			if (parse_u64(v, &in.shim_entry)) {
				fprintf(stderr, "igvmtool: bad --shim-entry %s\n",
					v);
				return 2;
			}
		} else if (!known) {
			fprintf(stderr, "igvmtool: unknown option %s\n", a);
			usage();
			return 2;
		}
	}
	if (!out) {
		fprintf(stderr, "igvmtool: build needs -o OUT\n");
		usage();
		return 2;
	}
	for (int k = 0; k < NREQ; k++) {
		if (!paths[k]) {
			fprintf(stderr, "igvmtool: build needs %s FILE\n",
				opts[k]);
			usage();
			return 2;
		}
	}
	for (int k = 0; k < NBLOB; k++) {
		uint8_t *b;

		if (!paths[k])
			continue;
		if (read_file(paths[k], &b, &blobs[k]->size))
			goto out;
		blobs[k]->data = b;
	}
	if (hcl_igvm_build(&in, &image, &len, NULL, err, sizeof(err))) {
		fprintf(stderr, "igvmtool: build: %s\n", err);
		rc = 1;
		goto out;
	}
	rc = write_file(out, image, len) ? 2 : 0;
out:
	for (int k = 0; k < NBLOB; k++)
		free((void *)blobs[k]->data);
	free(image);
	return rc;
}

/* a VTL0 Linux bundle: the staged VTL0 image of a Linux-in-VTL0 build */
static int cmd_vtl0_linux(int argc, char **argv)
{
	const char *out = NULL, *kernel = NULL, *initrd = NULL;
	struct hcl_vtl0_linux in = { .cmdline = "" };
	uint8_t *k = NULL, *i = NULL, *bundle = NULL;
	size_t len;
	char err[256];
	int rc = 2;

	for (int a = 0; a < argc; a += 2) {
		const char *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!v) {
			fprintf(stderr, "igvmtool: %s needs a value\n", argv[a]);
			usage();
			return 2;
		}
		if (!strcmp(argv[a], "-o")) {
			out = v;
		} else if (!strcmp(argv[a], "--kernel")) {
			kernel = v;
		} else if (!strcmp(argv[a], "--initrd")) {
			initrd = v;
		} else if (!strcmp(argv[a], "--cmdline")) {
			in.cmdline = v;
		} else {
			fprintf(stderr, "igvmtool: unknown option %s\n", argv[a]);
			usage();
			return 2;
		}
	}
	if (!out || !kernel) {
		fprintf(stderr, "igvmtool: vtl0-linux needs -o OUT and --kernel FILE\n");
		usage();
		return 2;
	}
	if (read_file(kernel, &k, &in.kernel_len) ||
	    (initrd && read_file(initrd, &i, &in.initrd_len)))
		goto out;
	in.kernel = k;
	in.initrd = i;
	if (hcl_vtl0_bundle_build(&in, &bundle, &len, err, sizeof(err))) {
		fprintf(stderr, "igvmtool: vtl0-linux: %s\n", err);
		rc = 1;
		goto out;
	}
	rc = write_file(out, bundle, len) ? 2 : 0;
out:
	free(k);
	free(i);
	free(bundle);
	return rc;
}

static int cmd_parse(const char *path, bool dump)
{
	struct igvm_file f;
	struct igvm_error err;
	uint8_t *buf;
	size_t len;
	int rc;

	if (read_file(path, &buf, &len))
		return 2;
	rc = igvm_parse(buf, len, 0, &f, &err);
	if (rc) {
		fprintf(stderr, "%s\n", err.msg);
		free(buf);
		return 1;
	}
	if (dump) {
		printf("%s: 0x%zx bytes\n", path, len);
		igvm_dump(stdout, &f);
	} else {
		printf("%s: valid IGVM v%u file, %zu headers, 0x%zx bytes\n",
		       path, f.version, f.nheaders, len);
	}
	igvm_file_free(&f);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "build"))
		return cmd_build(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "vtl0-linux"))
		return cmd_vtl0_linux(argc - 2, argv + 2);
	if (argc == 3 && !strcmp(argv[1], "dump"))
		return cmd_parse(argv[2], true);
	if (argc == 3 && !strcmp(argv[1], "check"))
		return cmd_parse(argv[2], false);
	usage();
	return 2;
}
