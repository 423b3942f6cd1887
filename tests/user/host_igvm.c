// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: the IGVM library in tools/igvm/ — the hcl image
 * builder, the writer and the strict parser.  A built image is read back
 * field by field, then each validation rule is broken once by mutating a
 * valid image in memory (re-computing the checksum unless the checksum is
 * what is tested).
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "hcl_igvm_build.h"
#include "igvm.h"

#define BASE HCL_IGVM_VTL2_BASE

static uint8_t shim[5000], kernel[3 * 4096 + 100], initrd[4097], vtl0[100];
static const char cmdline[] = "console=ttyS0 hcl.test=1";

static void fill_inputs(void)
{
	for (size_t i = 0; i < sizeof(shim); i++)
		shim[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(kernel); i++)	/* page 1 is zero */
		kernel[i] = i / 4096 == 1 ? 0 : (uint8_t)(i * 13 + 5);
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i ^ 0x5a) | 1;
	for (size_t i = 0; i < sizeof(vtl0); i++)
		vtl0[i] = (uint8_t)(0xf0 + i);
}

static struct hcl_igvm_inputs default_inputs(void)
{
	struct hcl_igvm_inputs in = {
		.shim = { shim, sizeof(shim) },
		.kernel = { kernel, sizeof(kernel) },
		.initrd = { initrd, sizeof(initrd) },
		.vtl0 = { vtl0, sizeof(vtl0) },
		.cmdline = cmdline,
		.shim_entry = 0x10,
	};

	fill_inputs();
	return in;
}

static void fix_crc(uint8_t *buf, size_t len)
{
	uint32_t crc;

	if (igvm_compute_checksum(buf, len, &crc) == 0)
		igvm_put32(buf + 20, crc);
}

/* n-th header of a type in a parsed file */
static const struct igvm_header *nth(const struct igvm_file *f, uint32_t type,
				     int n)
{
	for (size_t i = 0; i < f->nheaders; i++)
		if (f->headers[i].type == type && n-- == 0)
			return &f->headers[i];
	return NULL;
}

/* copies n bytes at gpa from the PAGE_DATA of f (zero pages read as 0) */
static int read_gpa(const struct igvm_file *f, uint64_t gpa, void *out,
		    size_t n)
{
	uint8_t *o = out;

	while (n) {
		uint64_t page = gpa & ~0xfffull, off = gpa - page;
		size_t k = 4096 - off < n ? 4096 - off : n;
		const struct igvm_header *h = NULL;

		for (size_t i = 0; i < f->nheaders && !h; i++)
			if (f->headers[i].type == IGVM_VHT_PAGE_DATA &&
			    f->headers[i].u.page.gpa == page)
				h = &f->headers[i];
		if (!h)
			return -1;
		if (h->u.page.file_offset)
			memcpy(o, f->data + h->u.page.file_offset + off, k);
		else
			memset(o, 0, k);
		o += k;
		gpa += k;
		n -= k;
	}
	return 0;
}

static bool vbs_reg(const struct igvm_file *f, uint32_t name,
		    struct igvm_vbs_reg *r)
{
	const struct igvm_header *h = nth(f, IGVM_VHT_VP_CONTEXT, 0);

	for (uint32_t i = 0; h && i < igvm_vbs_count(f, h); i++) {
		igvm_vbs_get(f, h, i, r);
		if (r->name == name)
			return true;
	}
	return false;
}

/* ---- a built image, parsed; tests mutate a copy in buf */

FIXTURE(img) {
	uint8_t *orig, *buf;
	size_t len;
	struct hcl_igvm_params p;
	struct igvm_file f;	/* parsed from orig: header offsets */
	struct igvm_error err;
};

FIXTURE_SETUP(img)
{
	struct hcl_igvm_inputs in = default_inputs();
	char err[256];

	ASSERT_EQ(0, hcl_igvm_build(&in, &self->orig, &self->len, &self->p,
				    err, sizeof(err)));
	self->buf = malloc(self->len);
	ASSERT_NE(NULL, self->buf);
	memcpy(self->buf, self->orig, self->len);
	ASSERT_EQ(0, igvm_parse(self->orig, self->len, 0, &self->f,
				&self->err)) TH_LOG("%s", self->err.msg);
}

FIXTURE_TEARDOWN(img)
{
	igvm_file_free(&self->f);
	free(self->orig);
	free(self->buf);
}

/* body of the n-th header of a type in the mutable copy */
static uint8_t *body_of(FIXTURE_DATA(img) *self, uint32_t type, int n)
{
	const struct igvm_header *h = nth(&self->f, type, n);

	return h ? self->buf + h->offset + 8 : NULL;
}

static int reparse(FIXTURE_DATA(img) *self, size_t len, bool crc)
{
	struct igvm_file f;
	int rc;

	if (crc)
		fix_crc(self->buf, len);
	rc = igvm_parse(self->buf, len, 0, &f, &self->err);
	if (rc == 0)
		igvm_file_free(&f);
	else if (!strchr(self->err.msg, '\n') && self->err.msg[0])
		fprintf(stderr, "# %s\n", self->err.msg);
	return rc;
}

#define EXPECT_REJECT(code, substr) do {				\
	EXPECT_EQ(code, reparse(self, self->len, true));		\
	EXPECT_NE(NULL, strstr(self->err.msg, substr))			\
		TH_LOG("message: %s", self->err.msg);			\
} while (0)

/* ---- round trip */

TEST_F(img, round_trip_fixed_and_platform)
{
	const struct igvm_header *h = &self->f.headers[0];

	EXPECT_EQ(1, self->f.version);
	EXPECT_EQ(24, self->f.variable_header_offset);
	EXPECT_EQ(self->len, self->f.total_file_size);
	EXPECT_EQ(self->f.data_start, 24 + self->f.variable_header_size);
	EXPECT_EQ(IGVM_VHT_SUPPORTED_PLATFORM, h->type);
	EXPECT_EQ(16, h->length);
	EXPECT_EQ(1, h->u.platform.mask);
	EXPECT_EQ(2, h->u.platform.highest_vtl);
	EXPECT_EQ(IGVM_PLATFORM_VSM_ISOLATION, h->u.platform.platform_type);
	EXPECT_EQ(1, h->u.platform.platform_version);
	EXPECT_EQ(0, h->u.platform.shared_gpa_boundary);
	/* every header is 8-aligned, in section order, and re-encodes */
	for (size_t i = 0; i < self->f.nheaders; i++) {
		const struct igvm_header *x = &self->f.headers[i];
		uint8_t body[48] = { 0 };

		EXPECT_EQ(0, x->offset % 8);
		if (i)
			EXPECT_LE(igvm_type_section(x[-1].type),
				  igvm_type_section(x->type));
		ASSERT_TRUE(igvm_type_writable(x->type));
		igvm_encode_body(x, body);
		EXPECT_EQ(0, memcmp(body, x->body, x->length));
		if (x->type == IGVM_VHT_VP_CONTEXT) {
			EXPECT_EQ(20, x->length);
			EXPECT_EQ(0, igvm_le32(x->body + 20));	/* padding */
		}
	}
}

TEST_F(img, round_trip_parameter_areas)
{
	static const struct { uint32_t type, index, off; } params[] = {
		{ IGVM_VHT_MEMORY_MAP, 0, 0 },
		{ IGVM_VHT_VP_COUNT_PARAMETER, 0, 0xff8 },
		{ IGVM_VHT_COMMAND_LINE, 1, 0 },
		{ IGVM_VHT_DEVICE_TREE, 2, 0 },
	};
	const uint64_t gpa[3] = { self->p.memory_map.gpa,
				  self->p.host_command_line.gpa,
				  self->p.device_tree.gpa };
	const uint64_t size[3] = { 0x1000, 0x1000, 0x10000 };

	for (int i = 0; i < 3; i++) {
		const struct igvm_header *a =
			nth(&self->f, IGVM_VHT_PARAMETER_AREA, i);
		const struct igvm_header *ins =
			nth(&self->f, IGVM_VHT_PARAMETER_INSERT, i);

		ASSERT_NE(NULL, a);
		ASSERT_NE(NULL, ins);
		EXPECT_EQ(i, a->u.area.index);
		EXPECT_EQ(size[i], a->u.area.number_of_bytes);
		EXPECT_EQ(0, a->u.area.file_offset);
		EXPECT_EQ(i, ins->u.insert.index);
		EXPECT_EQ(gpa[i], ins->u.insert.gpa);
		EXPECT_EQ(1, ins->u.insert.mask);
		EXPECT_LT(a->index, ins->index);
	}
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		const struct igvm_header *h = nth(&self->f, params[i].type, 0);

		ASSERT_NE(NULL, h);
		EXPECT_EQ(params[i].index, h->u.param.index);
		EXPECT_EQ(params[i].off, h->u.param.byte_offset);
	}
	EXPECT_EQ(BASE + 0x20000, self->p.memory_map.gpa);
	EXPECT_EQ(self->p.memory_map.gpa + 0xff8, self->p.vp_count_gpa);
}

TEST_F(img, round_trip_required_memory_and_context)
{
	const struct igvm_header *r = nth(&self->f, IGVM_VHT_REQUIRED_MEMORY, 0);
	const struct igvm_header *v = nth(&self->f, IGVM_VHT_VP_CONTEXT, 0);
	struct igvm_vbs_reg reg;

	ASSERT_NE(NULL, r);
	EXPECT_EQ(BASE, r->u.req.gpa);
	EXPECT_EQ(HCL_IGVM_VTL2_SIZE_DEFAULT, r->u.req.number_of_bytes);
	EXPECT_EQ(IGVM_REQMEM_VTL2_PROTECTABLE, r->u.req.flags);
	EXPECT_EQ(1, r->u.req.mask);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, v->u.vp.gpa);
	EXPECT_EQ(1, v->u.vp.mask);
	EXPECT_EQ(0, v->u.vp.vp_index);
	EXPECT_EQ(self->f.data_start, v->u.vp.file_offset);
	ASSERT_EQ(HCL_IGVM_NREGS, igvm_vbs_count(&self->f, v));
	for (uint32_t i = 0; i < HCL_IGVM_NREGS; i++) {
		igvm_vbs_get(&self->f, v, i, &reg);
		EXPECT_EQ(2, reg.vtl);
	}
	ASSERT_TRUE(vbs_reg(&self->f, HV_X64_REG_RIP, &reg));
	EXPECT_EQ(BASE + HCL_IGVM_OFF_SHIM + 0x10, igvm_le64(reg.value));
	EXPECT_EQ(self->p.shim_entry, igvm_le64(reg.value));
	ASSERT_TRUE(vbs_reg(&self->f, HV_X64_REG_RSI, &reg));
	EXPECT_EQ(BASE, igvm_le64(reg.value));
	ASSERT_TRUE(vbs_reg(&self->f, HV_X64_REG_RSP, &reg));
	EXPECT_EQ(self->p.stack_top, igvm_le64(reg.value));
	ASSERT_TRUE(vbs_reg(&self->f, HV_X64_REG_CR3, &reg));
	EXPECT_EQ(self->p.page_tables.gpa, igvm_le64(reg.value));
	ASSERT_TRUE(vbs_reg(&self->f, HV_X64_REG_CR0, &reg));
	EXPECT_EQ(0x80000021, igvm_le64(reg.value));
	ASSERT_TRUE(vbs_reg(&self->f, HV_X64_REG_EFER, &reg));
	EXPECT_EQ(0xd00, igvm_le64(reg.value));
	ASSERT_TRUE(vbs_reg(&self->f, HV_X64_REG_CS, &reg));
	EXPECT_EQ(0x08, igvm_le16(reg.value + 12));
	EXPECT_EQ(0xa09b, igvm_le16(reg.value + 14));
	ASSERT_TRUE(vbs_reg(&self->f, HV_X64_REG_GDTR, &reg));
	EXPECT_EQ(self->p.gdt.gpa, igvm_le64(reg.value + 8));
	EXPECT_EQ(0x17, igvm_le16(reg.value + 6));
	ASSERT_TRUE(vbs_reg(&self->f, HV_X64_REG_TR, &reg));
	EXPECT_EQ(0x8b, igvm_le16(reg.value + 14));
}

TEST_F(img, round_trip_page_contents)
{
	struct { uint64_t gpa; const uint8_t *data; size_t size; } blobs[] = {
		{ self->p.shim.gpa, shim, sizeof(shim) },
		{ self->p.kernel.gpa, kernel, sizeof(kernel) },
		{ self->p.initrd.gpa, initrd, sizeof(initrd) },
		{ self->p.vtl0_image.gpa, vtl0, sizeof(vtl0) },
	};
	struct hcl_igvm_params p;
	char line[4096];
	uint8_t page[4096], zero[4096] = { 0 };

	EXPECT_EQ(BASE + HCL_IGVM_OFF_SHIM, self->p.shim.gpa);
	EXPECT_EQ(0, self->p.kernel.gpa % HCL_IGVM_KERNEL_ALIGN);
	EXPECT_LE(self->p.shim.gpa + sizeof(shim), self->p.kernel.gpa);
	for (size_t i = 0; i < 4; i++) {
		uint8_t *got = malloc(blobs[i].size);
		size_t tail = (4096 - blobs[i].size % 4096) % 4096;

		ASSERT_NE(NULL, got);
		ASSERT_EQ(0, read_gpa(&self->f, blobs[i].gpa, got,
				      blobs[i].size));
		EXPECT_EQ(0, memcmp(got, blobs[i].data, blobs[i].size));
		/* the last page is zero-padded */
		ASSERT_EQ(0, read_gpa(&self->f, blobs[i].gpa + blobs[i].size,
				      page, tail));
		EXPECT_EQ(0, memcmp(page, zero, tail));
		/* then the next piece, or nothing (after shim and VTL0) */
		if (i + 1 < 4)
			EXPECT_LE(blobs[i].gpa + blobs[i].size + tail,
				  blobs[i + 1].gpa);
		if (i == 0 || i == 3)
			EXPECT_EQ(-1, read_gpa(&self->f, blobs[i].gpa +
					       blobs[i].size + tail, page, 1));
		free(got);
	}
	/* the zero kernel page is a PAGE_DATA without file data */
	for (size_t i = 0; i < self->f.nheaders; i++)
		if (self->f.headers[i].type == IGVM_VHT_PAGE_DATA &&
		    self->f.headers[i].u.page.gpa == self->p.kernel.gpa + 4096)
			EXPECT_EQ(0, self->f.headers[i].u.page.file_offset);

	/* measured parameter block and static command line */
	ASSERT_EQ(0, read_gpa(&self->f, BASE, &p, sizeof(p)));
	EXPECT_EQ(0, memcmp(&p, &self->p, sizeof(p)));
	EXPECT_EQ(HCL_IGVM_PARAMS_MAGIC, p.magic);
	EXPECT_EQ(sizeof(p), p.size);
	EXPECT_EQ(sizeof(shim), p.shim.size);
	EXPECT_EQ(sizeof(kernel), p.kernel.size);
	EXPECT_EQ(sizeof(initrd), p.initrd.size);
	EXPECT_EQ(sizeof(vtl0), p.vtl0_image.size);
	EXPECT_EQ(BASE + HCL_IGVM_VTL2_SIZE_DEFAULT, p.free.gpa + p.free.size);
	EXPECT_EQ(0, p.free.gpa % 4096);
	EXPECT_LE(p.vtl0_image.gpa + p.vtl0_image.size, p.free.gpa);
	ASSERT_EQ(0, read_gpa(&self->f, p.command_line.gpa, line,
			      sizeof(line)));
	EXPECT_STREQ(cmdline, line);
	EXPECT_EQ(strlen(cmdline), p.command_line.size);
}

TEST_F(img, round_trip_page_tables_map_the_entry)
{
	uint64_t e, entry = self->p.shim_entry, gdt[3];

	ASSERT_EQ(0, read_gpa(&self->f, self->p.page_tables.gpa +
			      8 * ((entry >> 39) & 511), &e, 8));
	EXPECT_EQ(1, e & 1);
	ASSERT_EQ(0, read_gpa(&self->f, (e & ~0xfffull) +
			      8 * ((entry >> 30) & 511), &e, 8));
	EXPECT_EQ(1, e & 1);
	ASSERT_EQ(0, read_gpa(&self->f, (e & ~0xfffull) +
			      8 * ((entry >> 21) & 511), &e, 8));
	EXPECT_EQ(0x83, e & 0xff);
	EXPECT_EQ(entry & ~0x1fffffull, e & ~0xfffull);
	ASSERT_EQ(0, read_gpa(&self->f, self->p.gdt.gpa, gdt, sizeof(gdt)));
	EXPECT_EQ(0, gdt[0]);
	EXPECT_EQ(0x00af9b000000ffffull, gdt[1]);
	EXPECT_EQ(0x00cf93000000ffffull, gdt[2]);
}

TEST(build_variants_are_accepted)
{
	struct hcl_igvm_inputs in = default_inputs();
	static char big[HCL_IGVM_CMDLINE_MAX + 2];
	struct igvm_file f;
	struct igvm_error e;
	uint8_t *out;
	size_t len;
	char err[256];

	memset(big, 'x', HCL_IGVM_CMDLINE_MAX);
	in.cmdline = big;
	in.vtl2_size = 4 << 20;		/* just enough */
	in.initrd.size = 0;
	in.vtl0.size = 0;
	in.shim_entry = 0;
	ASSERT_EQ(0, hcl_igvm_build(&in, &out, &len, NULL, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(0, igvm_parse(out, len, 0, &f, &e)) TH_LOG("%s", e.msg);
	igvm_file_free(&f);
	free(out);

	/* rejected inputs */
	big[HCL_IGVM_CMDLINE_MAX] = 'x';
	EXPECT_EQ(-1, hcl_igvm_build(&in, &out, &len, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "command line"));
	in.cmdline = NULL;
	in.vtl2_size = 3 << 20;
	EXPECT_EQ(-1, hcl_igvm_build(&in, &out, &len, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "multiple of 2 MiB"));
	in.vtl2_size = 2 << 20;
	EXPECT_EQ(-1, hcl_igvm_build(&in, &out, &len, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "needs"));
	in.vtl2_size = 0;
	in.shim_entry = sizeof(shim);
	EXPECT_EQ(-1, hcl_igvm_build(&in, &out, &len, NULL, err, sizeof(err)));
}

/* --sidecar: at its fixed offset, page rounded, measured like the rest */
TEST(build_places_the_sidecar)
{
	struct hcl_igvm_inputs in = default_inputs();
	static uint8_t sidecar[HCL_IGVM_SIDECAR_MAX + 1];
	struct hcl_igvm_params p;
	struct igvm_file f;
	struct igvm_error e;
	uint8_t *out;
	size_t len;
	char err[256];

	memset(sidecar, 0x5c, sizeof(sidecar));
	in.sidecar.data = sidecar;
	in.sidecar.size = 5000;
	ASSERT_EQ(0, hcl_igvm_build(&in, &out, &len, &p, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(BASE + HCL_IGVM_OFF_SIDECAR, p.sidecar.gpa);
	EXPECT_EQ(8192, p.sidecar.size);
	EXPECT_EQ(0, p.reserved[0]);
	EXPECT_EQ(0, igvm_parse(out, len, 0, &f, &e)) TH_LOG("%s", e.msg);
	igvm_file_free(&f);
	free(out);

	/* without one the range is empty */
	in.sidecar.size = 0;
	ASSERT_EQ(0, hcl_igvm_build(&in, &out, &len, &p, err, sizeof(err)));
	EXPECT_EQ(0, p.sidecar.gpa);
	EXPECT_EQ(0, p.sidecar.size);
	free(out);

	in.sidecar.size = sizeof(sidecar);
	EXPECT_EQ(-1, hcl_igvm_build(&in, &out, &len, NULL, err, sizeof(err)));
	EXPECT_STREQ("the sidecar is 0xc0001 bytes, at most 0xc0000 fit", err);
}

/* a bzImage keeps setup + init_size bytes free after the kernel GPA */
TEST(build_reserves_bzimage_init_size)
{
	struct hcl_igvm_inputs in = default_inputs();
	static uint8_t bz[0x2000];
	struct hcl_igvm_params p;
	uint8_t *out;
	size_t len;
	char err[256];

	memcpy(bz, kernel, sizeof(bz));
	bz[HCL_BZ_SETUP_SECTS] = 3;			/* setup: 4 * 512 */
	igvm_put32(bz + HCL_BZ_HEADER, HCL_BZ_HEADER_MAGIC);
	igvm_put16(bz + HCL_BZ_VERSION, 0x20f);
	igvm_put32(bz + HCL_BZ_INIT_SIZE, 0x300000 + 0x123);
	in.kernel.data = bz;
	in.kernel.size = sizeof(bz);
	ASSERT_EQ(0, hcl_igvm_build(&in, &out, &len, &p, err, sizeof(err)))
		TH_LOG("%s", err);
	free(out);
	EXPECT_EQ(sizeof(bz), p.kernel.size);
	EXPECT_EQ(0x301000, p.kernel_reserve);	/* 0x800 + 0x300123 */
	EXPECT_EQ(p.kernel.gpa + p.kernel_reserve, p.initrd.gpa);

	/* an old protocol (no init_size) or no "HdrS": the file size */
	igvm_put16(bz + HCL_BZ_VERSION, 0x209);
	ASSERT_EQ(0, hcl_igvm_build(&in, &out, &len, &p, err, sizeof(err)));
	free(out);
	EXPECT_EQ(sizeof(bz), p.kernel_reserve);
	igvm_put16(bz + HCL_BZ_VERSION, 0x20f);
	bz[HCL_BZ_HEADER] = 'X';
	ASSERT_EQ(0, hcl_igvm_build(&in, &out, &len, &p, err, sizeof(err)));
	free(out);
	EXPECT_EQ(sizeof(bz), p.kernel_reserve);

	/* the reservation must fit the VTL2 range */
	bz[HCL_BZ_HEADER] = 'H';
	in.vtl2_size = 4 << 20;
	EXPECT_EQ(-1, hcl_igvm_build(&in, &out, &len, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "needs"));
}
TEST_F(img, file_data_is_not_checksummed)
{
	self->buf[self->len - 1] ^= 0xff;
	EXPECT_EQ(0, reparse(self, self->len, false));
}

/* ---- fixed header */

TEST_F(img, bad_magic)
{
	self->buf[0] = 'X';
	EXPECT_REJECT(IGVM_ERR_MAGIC, "igvm: fixed header: magic 0x4d564758");
}

TEST_F(img, bad_version)
{
	igvm_put32(self->buf + 4, 3);
	EXPECT_REJECT(IGVM_ERR_VERSION, "format_version 3");
}

TEST_F(img, bad_checksum)
{
	self->buf[20] ^= 1;
	EXPECT_EQ(IGVM_ERR_CHECKSUM, reparse(self, self->len, false));
	EXPECT_EQ(0, strncmp(self->err.msg, "igvm: fixed header: checksum",
			     28));
	memcpy(self->buf, self->orig, self->len);
	body_of(self, IGVM_VHT_PAGE_DATA, 3)[0] ^= 1;	/* a header byte */
	EXPECT_EQ(IGVM_ERR_CHECKSUM, reparse(self, self->len, false));
}

TEST_F(img, truncated)
{
	size_t cuts[] = { 0, 1, 23, 24, 100, self->f.data_start,
			  self->f.data_start + 1, self->len - 4096,
			  self->len - 1 };

	EXPECT_EQ(IGVM_ERR_TRUNCATED, reparse(self, 0, false));
	EXPECT_EQ(IGVM_ERR_TRUNCATED, reparse(self, 23, false));
	EXPECT_NE(NULL, strstr(self->err.msg, "shorter than"));
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		int rc = reparse(self, cuts[i], false);

		EXPECT_TRUE(rc == IGVM_ERR_TRUNCATED ||
			    rc == IGVM_ERR_FILE_SIZE) TH_LOG("cut %zu", cuts[i]);
	}
	EXPECT_EQ(IGVM_ERR_FILE_SIZE, reparse(self, self->len - 1, false));
	EXPECT_NE(NULL, strstr(self->err.msg, "total_file_size"));
}

TEST_F(img, truncated_with_consistent_size)
{
	/* the file claims to end early: at the data start, in the headers,
	 * and in the middle of the data
	 */
	igvm_put32(self->buf + 16, self->f.data_start);
	EXPECT_EQ(IGVM_ERR_SECTION, reparse(self, self->f.data_start, true));
	EXPECT_NE(NULL, strstr(self->err.msg, "no file data"));
	igvm_put32(self->buf + 16, 0x100);
	EXPECT_EQ(IGVM_ERR_SECTION, reparse(self, 0x100, false));
	igvm_put32(self->buf + 16, self->f.data_start + 0x300);
	EXPECT_EQ(IGVM_ERR_DATA_BOUNDS,
		  reparse(self, self->f.data_start + 0x300, true));
	EXPECT_NE(NULL, strstr(self->err.msg, "runs past the end"));
}

TEST_F(img, misaligned_header_section)
{
	igvm_put32(self->buf + 8, 28);
	EXPECT_REJECT(IGVM_ERR_ALIGN, "variable_header_offset 0x1c not 8-byte aligned");
	memcpy(self->buf, self->orig, self->len);
	igvm_put32(self->buf + 12, self->f.variable_header_size - 4);
	EXPECT_REJECT(IGVM_ERR_ALIGN, "not a multiple of 8");
	memcpy(self->buf, self->orig, self->len);
	igvm_put32(self->buf + 8, 16);
	EXPECT_REJECT(IGVM_ERR_SECTION, "inside the 24-byte fixed header");
}

TEST_F(img, header_section_out_of_file)
{
	igvm_put32(self->buf + 12, 0xfffffff8);	/* offset + size wraps u32 */
	EXPECT_REJECT(IGVM_ERR_SECTION, "leave no file data");
	memcpy(self->buf, self->orig, self->len);
	igvm_put32(self->buf + 12, self->f.variable_header_size - 8);
	EXPECT_REJECT(IGVM_ERR_HEADER_BOUNDS, "runs past the header section");
}

TEST_F(img, header_body_past_section)
{
	const struct igvm_header *last = &self->f.headers[self->f.nheaders - 1];

	igvm_put32(self->buf + last->offset + 4, 0x1000);
	EXPECT_REJECT(IGVM_ERR_HEADER_BOUNDS, "length 4096 runs past");
}

/* ---- types, lengths, order */

TEST_F(img, unknown_types)
{
	static const uint32_t bad[] = {
		0x314, 0x250, 0x306, 0x104, 0x0, 0x401, 0x80000302, 0x200,
	};
	const struct igvm_header *h = nth(&self->f, IGVM_VHT_PAGE_DATA, 2);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(self->buf, self->orig, self->len);
		igvm_put32(self->buf + h->offset, bad[i]);
		EXPECT_EQ(IGVM_ERR_TYPE, reparse(self, self->len, true))
			TH_LOG("type 0x%x", bad[i]);
		EXPECT_EQ(0, strncmp(self->err.msg, "igvm: header ", 13));
	}
}

TEST_F(img, vp_context_length_24)
{
	const struct igvm_header *h = nth(&self->f, IGVM_VHT_VP_CONTEXT, 0);

	igvm_put32(self->buf + h->offset + 4, 24);	/* same TLV size */
	EXPECT_REJECT(IGVM_ERR_LENGTH, "length 24, expected 20");
}

TEST_F(img, platform_after_directive)
{
	const struct igvm_header *h = nth(&self->f, IGVM_VHT_PARAMETER_AREA, 1);

	igvm_put32(self->buf + h->offset, IGVM_VHT_SUPPORTED_PLATFORM);
	EXPECT_REJECT(IGVM_ERR_ORDER, "platform header after directive headers");
}

TEST_F(img, init_after_directive)
{
	const struct igvm_header *h =
		nth(&self->f, IGVM_VHT_PARAMETER_INSERT, 0);

	igvm_put32(self->buf + h->offset, IGVM_VHT_GUEST_POLICY);
	EXPECT_REJECT(IGVM_ERR_ORDER,
		      "initialization header after directive headers");
}

TEST_F(img, directive_before_platform)
{
	uint8_t tmp[24];

	/* swap the platform header with the first PARAMETER_AREA */
	memcpy(tmp, self->buf + 24, 24);
	memcpy(self->buf + 24, self->buf + 48, 24);
	memcpy(self->buf + 48, tmp, 24);
	EXPECT_REJECT(IGVM_ERR_PLATFORM, "no SUPPORTED_PLATFORM header");
}

/* ---- platform header */

TEST_F(img, platform_rules)
{
	uint8_t *b = self->buf + 24 + 8;

	igvm_put32(b, 0x3);
	EXPECT_REJECT(IGVM_ERR_PLATFORM, "exactly one bit");
	memcpy(self->buf, self->orig, self->len);
	b[4] = 1;
	EXPECT_REJECT(IGVM_ERR_PLATFORM, "highest_vtl 1 is not 0 or 2");
	memcpy(self->buf, self->orig, self->len);
	b[5] = 9;
	EXPECT_REJECT(IGVM_ERR_PLATFORM, "unknown platform type 9");
	memcpy(self->buf, self->orig, self->len);
	igvm_put16(b + 6, 2);
	EXPECT_REJECT(IGVM_ERR_PLATFORM, "platform_version 2");
	memcpy(self->buf, self->orig, self->len);
	igvm_put64(b + 8, 1ull << 46);
	EXPECT_REJECT(IGVM_ERR_PLATFORM, "shared_gpa_boundary");
}

/* ---- masks */

TEST_F(img, bad_compatibility_mask)
{
	uint8_t *b = body_of(self, IGVM_VHT_PAGE_DATA, 5);

	igvm_put32(b + 8, 0x2);
	EXPECT_REJECT(IGVM_ERR_MASK, "mask 0x2 names undeclared platforms");
	igvm_put32(b + 8, 0);
	EXPECT_REJECT(IGVM_ERR_MASK, "mask 0 names no platform");
	memcpy(self->buf, self->orig, self->len);
	b = body_of(self, IGVM_VHT_VP_CONTEXT, 0);
	igvm_put32(b + 8, 0x3);
	EXPECT_REJECT(IGVM_ERR_MASK, "undeclared");
}

/* ---- alignment and values of directives */

TEST_F(img, misaligned_gpa)
{
	const struct igvm_header *h = nth(&self->f, IGVM_VHT_PAGE_DATA, 0);
	char want[160];

	igvm_put64(self->buf + h->offset + 8, BASE + 1);
	snprintf(want, sizeof(want),
		 "igvm: header %u (PAGE_DATA) at offset 0x%x: gpa 0x8000001 not page aligned",
		 h->index, h->offset);
	EXPECT_EQ(IGVM_ERR_PAGE_ALIGN, reparse(self, self->len, true));
	EXPECT_STREQ(want, self->err.msg);
	EXPECT_EQ(h->index, self->err.header);
	EXPECT_EQ(h->offset, self->err.offset);

	memcpy(self->buf, self->orig, self->len);
	igvm_put64(body_of(self, IGVM_VHT_PARAMETER_INSERT, 1), BASE + 0x800);
	EXPECT_REJECT(IGVM_ERR_PAGE_ALIGN, "not page aligned");
	memcpy(self->buf, self->orig, self->len);
	igvm_put64(body_of(self, IGVM_VHT_PARAMETER_AREA, 2), 0x800);
	EXPECT_REJECT(IGVM_ERR_PAGE_ALIGN, "number_of_bytes 0x800");
	memcpy(self->buf, self->orig, self->len);
	igvm_put32(body_of(self, IGVM_VHT_REQUIRED_MEMORY, 0) + 12, 0x1234);
	EXPECT_REJECT(IGVM_ERR_PAGE_ALIGN, "number_of_bytes 0x1234");
}

TEST_F(img, page_data_values)
{
	uint8_t *b = body_of(self, IGVM_VHT_PAGE_DATA, 4);

	igvm_put16(b + 20, 4);
	EXPECT_REJECT(IGVM_ERR_VALUE, "data_type 4");
	memcpy(self->buf, self->orig, self->len);
	igvm_put16(b + 22, 1);
	EXPECT_REJECT(IGVM_ERR_RESERVED, "reserved");
	memcpy(self->buf, self->orig, self->len);
	igvm_put32(b + 16, IGVM_PAGE_FLAG_2MB);
	EXPECT_REJECT(IGVM_ERR_VALUE, "2 MiB");
	memcpy(self->buf, self->orig, self->len);
	igvm_put32(body_of(self, IGVM_VHT_REQUIRED_MEMORY, 0) + 20, 1);
	EXPECT_REJECT(IGVM_ERR_RESERVED, "reserved");
}

TEST_F(img, overlapping_page_data)
{
	const struct igvm_header *a = nth(&self->f, IGVM_VHT_PAGE_DATA, 6);
	const struct igvm_header *b = nth(&self->f, IGVM_VHT_PAGE_DATA, 7);
	char want[96];

	igvm_put64(self->buf + b->offset + 8, a->u.page.gpa);
	snprintf(want, sizeof(want), "overlaps header %u (PAGE_DATA)",
		 a->index);
	EXPECT_REJECT(IGVM_ERR_OVERLAP, want);
	EXPECT_EQ(b->index, self->err.header);
}

TEST_F(img, page_data_inside_parameter_area)
{
	const struct igvm_header *b = nth(&self->f, IGVM_VHT_PAGE_DATA, 7);

	igvm_put64(self->buf + b->offset + 8, self->p.device_tree.gpa + 0x3000);
	EXPECT_REJECT(IGVM_ERR_OVERLAP, "(PARAMETER_INSERT)");
}

/* ---- parameter area lifecycle */

TEST_F(img, insert_before_area_declaration)
{
	const struct igvm_header *area =
		nth(&self->f, IGVM_VHT_PARAMETER_AREA, 0);
	const struct igvm_header *ins =
		nth(&self->f, IGVM_VHT_PARAMETER_INSERT, 0);
	uint8_t tmp[24];
	char want[96];

	/* both entries are 24 bytes: swap them */
	memcpy(tmp, self->buf + area->offset, 24);
	memcpy(self->buf + area->offset, self->buf + ins->offset, 24);
	memcpy(self->buf + ins->offset, tmp, 24);
	snprintf(want, sizeof(want),
		 "igvm: header %u (PARAMETER_INSERT) at offset 0x%x: parameter area 0 not declared",
		 area->index, area->offset);
	EXPECT_EQ(IGVM_ERR_PARAM_INDEX, reparse(self, self->len, true));
	EXPECT_STREQ(want, self->err.msg);
}

TEST_F(img, double_insert)
{
	igvm_put32(body_of(self, IGVM_VHT_PARAMETER_INSERT, 1) + 12, 0);
	EXPECT_REJECT(IGVM_ERR_PARAM_INDEX, "parameter area 0 inserted twice");
}

TEST_F(img, area_declared_twice)
{
	igvm_put32(body_of(self, IGVM_VHT_PARAMETER_AREA, 1) + 8, 0);
	EXPECT_REJECT(IGVM_ERR_PARAM_INDEX, "parameter area 0 declared twice");
}

TEST_F(img, parameter_of_undeclared_area)
{
	igvm_put32(body_of(self, IGVM_VHT_DEVICE_TREE, 0), 7);
	EXPECT_REJECT(IGVM_ERR_PARAM_INDEX, "parameter area 7 not declared");
}

TEST_F(img, parameter_offset_outside_area)
{
	igvm_put32(body_of(self, IGVM_VHT_VP_COUNT_PARAMETER, 0) + 4, 0x1000);
	EXPECT_REJECT(IGVM_ERR_PARAM_OFFSET, "byte_offset 0x1000 outside");
}

/* ---- file data offsets */

TEST_F(img, file_offset_out_of_bounds)
{
	uint8_t *b = body_of(self, IGVM_VHT_PAGE_DATA, 0);

	igvm_put32(b + 12, (uint32_t)self->len - 100);
	EXPECT_REJECT(IGVM_ERR_DATA_BOUNDS, "runs past the end of the file");
	igvm_put32(b + 12, 0xffffffff);
	EXPECT_REJECT(IGVM_ERR_DATA_BOUNDS, "runs past the end of the file");
	igvm_put32(b + 12, 0x20);	/* inside the headers */
	EXPECT_REJECT(IGVM_ERR_DATA_BOUNDS, "before the data section");
	memcpy(self->buf, self->orig, self->len);
	b = body_of(self, IGVM_VHT_VP_CONTEXT, 0);
	igvm_put32(b + 12, (uint32_t)self->len - 2);
	EXPECT_REJECT(IGVM_ERR_DATA_BOUNDS, "context file_offset");
	memcpy(self->buf, self->orig, self->len);
	igvm_put32(body_of(self, IGVM_VHT_PARAMETER_AREA, 2) + 12,
		   self->f.data_start);	/* 64 KiB of initial data: too far */
	EXPECT_REJECT(IGVM_ERR_DATA_BOUNDS, "area file_offset");
}

/* ---- the VBS register list (file data: not in the checksum) */

TEST_F(img, register_list_rules)
{
	uint8_t *list = self->buf + self->f.data_start;
	uint8_t *reg3 = list + 4 + 3 * 32;

	igvm_put32(reg3 + 1, 0x00020007);	/* Rdi */
	EXPECT_REJECT(IGVM_ERR_VP_CONTEXT, "register 3: name 0x20007 not supported");
	memcpy(self->buf, self->orig, self->len);
	igvm_put32(reg3 + 1, HV_X64_REG_CR0);	/* register 0 */
	EXPECT_REJECT(IGVM_ERR_VP_CONTEXT, "register 3 (Cr0) repeats register 0");
	memcpy(self->buf, self->orig, self->len);
	reg3[0] = 0;
	EXPECT_REJECT(IGVM_ERR_VP_CONTEXT, "vtl 0, platform highest_vtl is 2");
	memcpy(self->buf, self->orig, self->len);
	igvm_put32(list, 0);
	EXPECT_REJECT(IGVM_ERR_VP_CONTEXT, "empty");
	igvm_put32(list, 0xffffffff);
	EXPECT_REJECT(IGVM_ERR_DATA_BOUNDS, "runs past the end");
	memcpy(self->buf, self->orig, self->len);
	igvm_put16(body_of(self, IGVM_VHT_VP_CONTEXT, 0) + 16, 1);
	EXPECT_REJECT(IGVM_ERR_VP_CONTEXT, "vp_index 1, only 0 allowed");
	memcpy(self->buf, self->orig, self->len);
	igvm_put32(body_of(self, IGVM_VHT_VP_CONTEXT, 0) + 12, 0);
	EXPECT_REJECT(IGVM_ERR_VP_CONTEXT, "needs data");
}

/* ---- small files made with the writer */

static void add(struct igvm_writer *w, struct igvm_header h, size_t data)
{
	igvm_writer_add(w, &h, data);
}

static struct igvm_header platform(uint32_t mask, uint8_t type, uint8_t vtl)
{
	struct igvm_header h = { .type = IGVM_VHT_SUPPORTED_PLATFORM };

	h.u.platform.mask = mask;
	h.u.platform.platform_type = type;
	h.u.platform.highest_vtl = vtl;
	h.u.platform.platform_version = 1;
	return h;
}

static int finish(struct igvm_writer *w, struct igvm_error *e)
{
	struct igvm_file f;
	uint8_t *out;
	size_t len;
	int rc;

	if (igvm_writer_finish(w, &out, &len))
		return -1;
	igvm_writer_free(w);
	rc = igvm_parse(out, len, 0, &f, e);
	if (rc == 0)
		igvm_file_free(&f);
	free(out);
	return rc;
}

TEST(parameter_used_after_insert)
{
	struct igvm_writer w;
	struct igvm_error e;
	struct igvm_header h = { .type = IGVM_VHT_PARAMETER_AREA };
	uint8_t page[4096] = { 1 };

	igvm_writer_init(&w, 1);
	add(&w, platform(1, IGVM_PLATFORM_NATIVE, 0), IGVM_NO_DATA);
	h.u.area.number_of_bytes = 4096;
	h.u.area.index = 5;
	add(&w, h, IGVM_NO_DATA);
	h = (struct igvm_header){ .type = IGVM_VHT_PARAMETER_INSERT };
	h.u.insert.gpa = 0x1000;
	h.u.insert.mask = 1;
	h.u.insert.index = 5;
	add(&w, h, IGVM_NO_DATA);
	h = (struct igvm_header){ .type = IGVM_VHT_MEMORY_MAP };
	h.u.param.index = 5;
	add(&w, h, IGVM_NO_DATA);
	h = (struct igvm_header){ .type = IGVM_VHT_PAGE_DATA };
	h.u.page.mask = 1;
	add(&w, h, igvm_writer_data(&w, page, sizeof(page)));
	EXPECT_EQ(IGVM_ERR_PARAM_INDEX, finish(&w, &e));
	EXPECT_NE(NULL, strstr(e.msg, "header 3 (MEMORY_MAP)"));
	EXPECT_NE(NULL, strstr(e.msg, "parameter area 5 used after its insert"));
}

TEST(vp_context_mask_must_name_one_platform)
{
	struct igvm_writer w;
	struct igvm_error e;
	struct igvm_header h = { .type = IGVM_VHT_VP_CONTEXT };
	uint8_t native[4096] = { 0 };

	igvm_writer_init(&w, 1);
	add(&w, platform(1, IGVM_PLATFORM_NATIVE, 0), IGVM_NO_DATA);
	add(&w, platform(2, IGVM_PLATFORM_VSM_ISOLATION, 2), IGVM_NO_DATA);
	h.u.vp.mask = 3;
	add(&w, h, igvm_writer_data(&w, native, sizeof(native)));
	EXPECT_EQ(IGVM_ERR_VP_CONTEXT, finish(&w, &e));
	EXPECT_NE(NULL, strstr(e.msg, "mask 0x3 must equal exactly one"));

	/* a native context with a non-zero tail */
	igvm_writer_init(&w, 1);
	add(&w, platform(1, IGVM_PLATFORM_NATIVE, 0), IGVM_NO_DATA);
	h.u.vp.mask = 1;
	native[IGVM_NATIVE_CONTEXT_SIZE] = 1;
	add(&w, h, igvm_writer_data(&w, native, sizeof(native)));
	EXPECT_EQ(IGVM_ERR_VP_CONTEXT, finish(&w, &e));
	EXPECT_NE(NULL, strstr(e.msg, "beyond the structure"));
}

TEST(duplicate_platform_and_shared_masks)
{
	struct igvm_writer w;
	struct igvm_error e;
	struct igvm_header h = { .type = IGVM_VHT_PAGE_DATA };
	uint8_t page[4096] = { 2 };

	igvm_writer_init(&w, 1);
	add(&w, platform(1, IGVM_PLATFORM_NATIVE, 0), IGVM_NO_DATA);
	add(&w, platform(1, IGVM_PLATFORM_VSM_ISOLATION, 2), IGVM_NO_DATA);
	add(&w, h, igvm_writer_data(&w, page, sizeof(page)));
	EXPECT_EQ(IGVM_ERR_PLATFORM, finish(&w, &e));
	EXPECT_NE(NULL, strstr(e.msg, "already used"));

	igvm_writer_init(&w, 1);
	add(&w, platform(1, IGVM_PLATFORM_NATIVE, 0), IGVM_NO_DATA);
	add(&w, platform(4, IGVM_PLATFORM_NATIVE, 0), IGVM_NO_DATA);
	h.u.page.mask = 5;
	add(&w, h, igvm_writer_data(&w, page, sizeof(page)));
	EXPECT_EQ(IGVM_ERR_PLATFORM, finish(&w, &e));
	EXPECT_NE(NULL, strstr(e.msg, "NATIVE declared twice"));

	/* one page for two platforms, then the same GPA for one of them */
	igvm_writer_init(&w, 1);
	add(&w, platform(1, IGVM_PLATFORM_NATIVE, 0), IGVM_NO_DATA);
	add(&w, platform(2, IGVM_PLATFORM_VSM_ISOLATION, 2), IGVM_NO_DATA);
	h.u.page.mask = 3;
	add(&w, h, igvm_writer_data(&w, page, sizeof(page)));
	h.u.page.mask = 2;
	add(&w, h, IGVM_NO_DATA);
	EXPECT_EQ(IGVM_ERR_OVERLAP, finish(&w, &e));
	EXPECT_NE(NULL, strstr(e.msg, "platform mask 0x2"));

	/* the same GPA on two different platforms is fine */
	igvm_writer_init(&w, 1);
	add(&w, platform(1, IGVM_PLATFORM_NATIVE, 0), IGVM_NO_DATA);
	add(&w, platform(2, IGVM_PLATFORM_VSM_ISOLATION, 2), IGVM_NO_DATA);
	h.u.page.mask = 1;
	add(&w, h, igvm_writer_data(&w, page, sizeof(page)));
	h.u.page.mask = 2;
	add(&w, h, IGVM_NO_DATA);
	EXPECT_EQ(0, finish(&w, &e)) TH_LOG("%s", e.msg);
}

TEST(relocation_needs_vbs_context)
{
	struct igvm_writer w;
	struct igvm_error e;
	struct igvm_header h = { .type = IGVM_VHT_RELOCATABLE_REGION };
	uint8_t page[4096] = { 3 };

	igvm_writer_init(&w, 1);
	add(&w, platform(1, IGVM_PLATFORM_VSM_ISOLATION, 2), IGVM_NO_DATA);
	h.u.reloc.mask = 1;
	h.u.reloc.vtl = 2;
	h.u.reloc.flags = IGVM_RELOC_IS_VTL2;
	h.u.reloc.alignment = 0x200000;
	h.u.reloc.gpa = 0x200000;
	h.u.reloc.size = 0x200000;
	h.u.reloc.minimum_gpa = 0x200000;
	h.u.reloc.maximum_gpa = 1ull << 40;
	add(&w, h, IGVM_NO_DATA);
	h = (struct igvm_header){ .type = IGVM_VHT_PAGE_DATA };
	h.u.page.mask = 1;
	add(&w, h, igvm_writer_data(&w, page, sizeof(page)));
	EXPECT_EQ(IGVM_ERR_RELOCATION, finish(&w, &e));
	EXPECT_NE(NULL, strstr(e.msg, "no VBS VP context for vp 0 at VTL 2"));
}

TEST(version_2_header)
{
	struct igvm_writer w;
	struct igvm_error e;
	struct igvm_header h = { .type = IGVM_VHT_PAGE_DATA };
	struct igvm_file f;
	uint8_t page[4096] = { 4 }, *out;
	size_t len;

	igvm_writer_init(&w, 2);
	add(&w, platform(1, IGVM_PLATFORM_NATIVE, 0), IGVM_NO_DATA);
	h.u.page.mask = 1;
	add(&w, h, igvm_writer_data(&w, page, sizeof(page)));
	ASSERT_EQ(0, igvm_writer_finish(&w, &out, &len));
	igvm_writer_free(&w);
	ASSERT_EQ(0, igvm_parse(out, len, 0, &f, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(32, f.data_start - f.variable_header_size);
	EXPECT_EQ(f.data_start, f.headers[1].u.page.file_offset);
	igvm_file_free(&f);
	igvm_put32(out + 28, 0x10000);
	fix_crc(out, len);
	EXPECT_EQ(IGVM_ERR_FIXED, igvm_parse(out, len, 0, &f, &e));
	EXPECT_NE(NULL, strstr(e.msg, "page_size 0x10000"));
	free(out);
}

/* ---- robustness: random mutations never crash and give one line */

TEST_F(img, random_mutations)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int accepted = 0;

	for (int round = 0; round < 3000; round++) {
		struct igvm_file f;
		size_t len = self->len;
		int rc;

		memcpy(self->buf, self->orig, self->len);
		for (int k = 0; k < 1 + round % 4; k++) {
			size_t pos;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* mostly in the headers, where the rules are */
			pos = x % (round & 1 ? self->f.data_start + 600 : len);
			self->buf[pos] = (uint8_t)(x >> 32);
		}
		if (round % 7 == 0)
			len = x % self->len;
		if (round % 3)
			fix_crc(self->buf, len);
		rc = igvm_parse(self->buf, len, 0, &f, &self->err);
		if (rc == 0) {
			accepted++;
			igvm_file_free(&f);
			continue;
		}
		ASSERT_TRUE(rc > 0 && rc < IGVM_ERR_COUNT);
		ASSERT_EQ(0, strncmp(self->err.msg, "igvm: ", 6));
		ASSERT_EQ(NULL, strchr(self->err.msg, '\n'));
	}
	TH_LOG("%d of 3000 mutated images still valid", accepted);
}

TEST_HARNESS_MAIN
