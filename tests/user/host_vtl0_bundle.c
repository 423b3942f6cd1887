// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: the VTL0 Linux bundle (include/hcl/vtl0_bundle.h,
 * tools/igvm/vtl0_bundle.c): what igvmtool writes, underhill_vm reads
 * back, and every malformed header is refused with its line.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "hcl/vtl0_bundle.h"

static const uint8_t kernel[5000] = { 'M', 'Z' };
static const uint8_t initrd[100] = { 0x1f, 0x8b };
#define CMDLINE "console=ttyS0 hcl.cmd=true"

FIXTURE(bundle) {
	uint8_t *b;
	size_t len;
	struct hcl_vtl0_bundle *h;
	struct hcl_vtl0_linux out;
	char err[256];
};

FIXTURE_SETUP(bundle)
{
	struct hcl_vtl0_linux in = {
		.kernel = kernel, .kernel_len = sizeof(kernel),
		.initrd = initrd, .initrd_len = sizeof(initrd),
		.cmdline = CMDLINE,
	};

	ASSERT_EQ(0, hcl_vtl0_bundle_build(&in, &self->b, &self->len,
					   self->err, sizeof(self->err)));
	self->h = (struct hcl_vtl0_bundle *)self->b;
}

FIXTURE_TEARDOWN(bundle)
{
	free(self->b);
}

static int parse(struct _test_data_bundle *self)
{
	return hcl_vtl0_bundle_parse(self->b, self->len, &self->out,
				     self->err, sizeof(self->err));
}

#define EXPECT_REFUSED(what) do {					\
	EXPECT_EQ(-1, parse(self));					\
	EXPECT_NE(NULL, strstr(self->err, what)) TH_LOG("%s", self->err); \
	EXPECT_EQ(0, strncmp(self->err, "bundle: ", 8));		\
} while (0)

TEST_F(bundle, round_trip)
{
	ASSERT_TRUE(hcl_vtl0_bundle_is(self->b, self->len));
	ASSERT_EQ(0, parse(self)) TH_LOG("%s", self->err);
	ASSERT_EQ(sizeof(kernel), self->out.kernel_len);
	EXPECT_EQ(0, memcmp(self->out.kernel, kernel, sizeof(kernel)));
	ASSERT_EQ(sizeof(initrd), self->out.initrd_len);
	EXPECT_EQ(0, memcmp(self->out.initrd, initrd, sizeof(initrd)));
	EXPECT_STREQ(CMDLINE, self->out.cmdline);
	/* page-aligned pieces in order, the header first */
	EXPECT_EQ(4096u, self->h->kernel.offset);
	EXPECT_EQ(12288u, self->h->initrd.offset);
	EXPECT_EQ(16384u, self->h->cmdline.offset);
	EXPECT_EQ(sizeof(CMDLINE), self->h->cmdline.size);
	EXPECT_EQ(self->len, self->h->size);
}

/* the staged image is page-padded: what follows the bundle is ignored */
TEST_F(bundle, padding_after_it)
{
	uint8_t *p = calloc(1, self->len + 4096);

	ASSERT_NE(NULL, p);
	memcpy(p, self->b, self->len);
	memset(p + self->len, 0xee, 4096);
	EXPECT_EQ(0, hcl_vtl0_bundle_parse(p, self->len + 4096, &self->out,
					   self->err, sizeof(self->err)));
	EXPECT_STREQ(CMDLINE, self->out.cmdline);
	free(p);
}

TEST(kernel_only)
{
	struct hcl_vtl0_linux in = { .kernel = kernel, .kernel_len = 1 }, out;
	char err[256];
	uint8_t *b;
	size_t len;

	ASSERT_EQ(0, hcl_vtl0_bundle_build(&in, &b, &len, err, sizeof(err)));
	ASSERT_EQ(0, hcl_vtl0_bundle_parse(b, len, &out, err, sizeof(err)));
	EXPECT_EQ(1u, out.kernel_len);
	EXPECT_EQ(NULL, out.initrd);
	EXPECT_EQ(0u, out.initrd_len);
	EXPECT_STREQ("", out.cmdline);
	free(b);
}

TEST(build_refuses)
{
	struct hcl_vtl0_linux in = { .kernel = kernel, .kernel_len = 0 };
	static char longline[HCL_VTL0_BUNDLE_CMDLINE_MAX + 2];
	char err[256];
	uint8_t *b;
	size_t len;

	EXPECT_EQ(-1, hcl_vtl0_bundle_build(&in, &b, &len, err, sizeof(err)));
	EXPECT_STREQ("bundle: no kernel", err);
	in.kernel_len = 1;
	memset(longline, 'x', sizeof(longline) - 1);
	in.cmdline = longline;
	EXPECT_EQ(-1, hcl_vtl0_bundle_build(&in, &b, &len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "command line of 4096 bytes"));
}

TEST_F(bundle, short_input)
{
	self->len = 50;
	EXPECT_REFUSED("50 bytes, the header alone is 104");
}

TEST_F(bundle, bad_magic)
{
	self->h->magic[7] = 'X';
	EXPECT_FALSE(hcl_vtl0_bundle_is(self->b, self->len));
	EXPECT_REFUSED("bad magic");
}

TEST_F(bundle, other_version)
{
	self->h->version = 2;
	EXPECT_REFUSED("version 2, this reader knows 1");
}

TEST_F(bundle, header_size)
{
	self->h->header_size = 96;
	EXPECT_REFUSED("header size 96");
}

TEST_F(bundle, reserved_set)
{
	self->h->reserved[3] = 1;
	EXPECT_REFUSED("reserved field 3 is not zero");
}

TEST_F(bundle, size_beyond_input)
{
	self->h->size = self->len + 1;
	EXPECT_REFUSED("bytes are there");
	self->h->size = 10;
	EXPECT_REFUSED("size 0xa");
}

TEST_F(bundle, no_kernel)
{
	self->h->kernel.size = 0;
	EXPECT_REFUSED("no kernel");
}

TEST_F(bundle, misaligned_piece)
{
	self->h->initrd.offset += 8;
	EXPECT_REFUSED("initrd: offset 0x3008 not page aligned");
}

TEST_F(bundle, overlapping_pieces)
{
	self->h->initrd.offset = 4096;
	EXPECT_REFUSED("initrd: offset 0x1000 overlaps");
	self->h->initrd.offset = 12288;
	self->h->kernel.offset = 0;
	EXPECT_REFUSED("kernel: offset 0x0 overlaps");
}

TEST_F(bundle, piece_past_the_end)
{
	self->h->cmdline.size = 0xffffffffffffff00ull;
	EXPECT_REFUSED("command line: [0x4000, +0xffffffffffffff00) runs past");
	self->h->cmdline.size = sizeof(CMDLINE);
	self->h->initrd.offset = 0xfffffffffffff000ull;
	EXPECT_REFUSED("initrd: [0xfffffffffffff000");
}

TEST_F(bundle, empty_piece_with_an_offset)
{
	self->h->initrd.size = 0;
	EXPECT_REFUSED("initrd: offset 0x3000 with size 0");
}

TEST_F(bundle, command_line_nul)
{
	char *c = (char *)self->b + self->h->cmdline.offset;

	c[sizeof(CMDLINE) - 1] = 'x';
	EXPECT_REFUSED("does not end with its only NUL");
	c[sizeof(CMDLINE) - 1] = 0;
	c[3] = 0;
	EXPECT_REFUSED("does not end with its only NUL");
}

TEST_HARNESS_MAIN
