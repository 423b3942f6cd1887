// SPDX-License-Identifier: GPL-2.0
/*
 * The contract between the shim and hcl.ko: the trees the shim's builder
 * (shim/dt_build.c) writes are the ones the module's parser
 * (hcl_config_parse in kmod/config.c) is tested with.
 *
 * The module's parser runs in the VTL2 kernel, so the trees travel as
 * data: tests/kunit/config_kunit_trees.h holds, for each machine below,
 * the /openhcl properties the module reads (memory-map, vtl0-range,
 * vtl0-image, vp-count) and what the module must make of them.  This test
 * builds every machine with the shim's code and fails if the header is not
 * exactly what the shim writes today; the config KUnit suite parses each
 * tree with hcl_config_parse and checks the result.  After a change of the
 * shim's tree, regenerate the header:
 *
 *   build/tests/openhcl_dt --write tests/kunit/config_kunit_trees.h
 *
 * (make openhcl-dt-trees does the same.)
 */
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

#include "dt_build.h"
#include "hcl/openhcl_dt.h"
#include "host_config.h"

/* the generated header uses the kernel's __aligned() */
#ifndef __aligned
#define __aligned(x) __attribute__((aligned(x)))
#endif
#include "../kunit/config_kunit_trees.h"

#define MiB	0x100000ull
#define GiB	0x40000000ull
#define PAGE	0x1000ull
#define REGEN	" (make openhcl-dt-trees rewrites the header)"

struct machine {
	const char *name;
	uint32_t ncpus;
	uint32_t nram;
	struct hcl_host_range ram[HCL_HOST_MAX_RANGES];
	struct hcl_host_range vtl2, vtl0;
	struct hcl_host_range image;	/* size 0: none */
	struct hcl_host_range low;	/* RAM lent to Linux; size 0: none */
	uint32_t nmmio;
	struct hcl_host_range mmio[4];
	bool no_sidecar;
};

/*
 * The machines, from the loader's usual one to the limits: as many VPs
 * as the contract allows, RAM above 4 GiB and in many pieces, VTL0 below
 * VTL2, no VTL0 image.
 */
static const struct machine machines[] = {
	{
		.name = "qemu 1 GiB, 2 VPs, image, low RAM lent",
		.ncpus = 2, .nram = 2,
		.ram = { { 0, 0x9f000 }, { MiB, GiB - 2 * MiB } },
		.vtl2 = { 128 * MiB, 128 * MiB },
		.vtl0 = { 256 * MiB, GiB - 256 * MiB - MiB },
		.image = { 224 * MiB + PAGE, 834 },
		.low = { PAGE, 0x9e000 },
	},
	{
		.name = "6 GiB with a PCI hole, HCL_BOOT_MAX_VPS VPs, MMIO",
		.ncpus = HCL_BOOT_MAX_VPS, .nram = 3,
		.ram = { { 0, 0x9f000 }, { MiB, 2 * GiB - MiB },
			 { 4 * GiB, 2 * GiB } },
		.vtl2 = { 128 * MiB, 256 * MiB },
		.vtl0 = { 4 * GiB, 2 * GiB },
		.image = { 300 * MiB, 5 * MiB + 17 },
		.low = { PAGE, 0x9e000 },
		.nmmio = 2,
		.mmio = { { 0xfec00000, PAGE }, { 0xfee00000, PAGE } },
	},
	{
		.name = "1 VP, no image, no sidecar, VTL0 below VTL2",
		.ncpus = 1, .nram = 1,
		.ram = { { 0, 512 * MiB } },
		.vtl2 = { 256 * MiB, 128 * MiB },
		.vtl0 = { 2 * MiB, 250 * MiB },
		.no_sidecar = true,
	},
	{
		.name = "RAM in HCL_HOST_MAX_RANGES pieces, 4 VPs, no sidecar",
		.ncpus = 4, .nram = HCL_HOST_MAX_RANGES,
		/* filled in by machine_ram(): 16 MiB pieces 32 MiB apart */
		.vtl2 = { 0, 16 * MiB },
		.vtl0 = { (HCL_HOST_MAX_RANGES - 1) * 32 * MiB, 16 * MiB },
		.image = { 8 * MiB, 3 * PAGE },
		.no_sidecar = true,
	},
};

#define NMACHINES	(sizeof(machines) / sizeof(machines[0]))

static char tree[256 * 1024] __attribute__((aligned(8)));
static char err[256];

static void machine_ram(const struct machine *m, struct hcl_host_config *h)
{
	h->nram = m->nram;
	if (m->ram[0].size) {
		memcpy(h->ram, m->ram, sizeof(h->ram));
		return;
	}
	for (uint32_t i = 0; i < m->nram; i++)
		h->ram[i] = (struct hcl_host_range){ i * 32 * MiB, 16 * MiB };
}

/* builds @m's tree into tree[]; returns its size or a negative shim_err */
static int build(const struct machine *m, int *map_entries)
{
	static struct hcl_host_config h;
	static struct hcl_mem_entry map[OPENHCL_DT_MAP_MAX];
	struct hcl_mem_entry extra[8];
	struct hcl_dt_input in;
	uint32_t n = 0;

	memset(&h, 0, sizeof(h));
	h.ncpus = m->ncpus;
	for (uint32_t i = 0; i < m->ncpus; i++)
		h.apic_id[i] = i * 2;
	machine_ram(m, &h);
	h.vtl2 = m->vtl2;
	h.vtl0 = m->vtl0;
	h.loader_tsc = 1000;

	if (m->low.size)
		extra[n++] = (struct hcl_mem_entry){
			OPENHCL_MEM_VTL2_RAM, m->low.base, m->low.size };
	if (m->image.size)
		extra[n++] = (struct hcl_mem_entry){
			OPENHCL_MEM_VTL2_RESERVED, m->image.base,
			(m->image.size + PAGE - 1) & ~(PAGE - 1) };
	for (uint32_t i = 0; i < m->nmmio; i++)
		extra[n++] = (struct hcl_mem_entry){
			OPENHCL_MEM_MMIO, m->mmio[i].base, m->mmio[i].size };

	memset(&in, 0, sizeof(in));
	in.host = &h;
	in.bootargs = "console=ttyS0";
	in.extra = extra;
	in.nextra = n;
	in.shim_tsc = 2000;
	in.vtl0_image = m->image;
	in.no_sidecar = m->no_sidecar;
	*map_entries = hcl_dt_memory_map(&in, map, err, sizeof(err));
	if (*map_entries < 0)
		return *map_entries;
	return hcl_dt_build(&in, tree, sizeof(tree), err, sizeof(err));
}

static const void *prop(const char *name, int *len)
{
	int node = fdt_path_offset(tree, OPENHCL_DT_PATH);

	*len = 0;
	return node < 0 ? NULL : fdt_getprop(tree, node, name, len);
}

/* ---- the header: written with --write, compared otherwise -------------- */

static void put_bytes(FILE *f, const char *name, int i, const void *p,
		      int len)
{
	const unsigned char *b = p;

	fprintf(f, "static const unsigned char config_tree%d_%s[] __aligned(4) = {",
		i, name);
	for (int k = 0; k < len; k++)
		fprintf(f, "%s0x%02x,", k % 8 ? " " : "\n\t", b[k]);
	fprintf(f, "\n};\n\n");
}

static int write_header(const char *path)
{
	static const char *const props[] = {
		OPENHCL_DT_MEMORY_MAP, OPENHCL_DT_VTL0_RANGE,
		OPENHCL_DT_VTL0_IMAGE, OPENHCL_DT_VP_COUNT,
	};
	static const char *const vars[] = { "map", "vtl0", "image", "vps" };
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return 1;
	}
	fprintf(f, "/* SPDX-License-Identifier: GPL-2.0 */\n"
		"/*\n"
		" * Generated by tests/user/host_openhcl_dt.c (--write) from the\n"
		" * shim's device-tree builder: the /openhcl properties hcl.ko reads,\n"
		" * for the machines listed there, and what it must make of them.\n"
		" * Do not edit; host_openhcl_dt fails when this is out of date.\n"
		" */\n"
		"#ifndef HCL_CONFIG_KUNIT_TREES_H\n"
		"#define HCL_CONFIG_KUNIT_TREES_H\n\n");
	for (size_t i = 0; i < NMACHINES; i++) {
		int entries, len;
		const void *p;

		if (build(&machines[i], &entries) < 0) {
			fprintf(stderr, "%s: %s\n", machines[i].name, err);
			fclose(f);
			return 1;
		}
		for (size_t k = 0; k < 4; k++) {
			p = prop(props[k], &len);
			if (p)
				put_bytes(f, vars[k], (int)i, p, len);
		}
	}
	fprintf(f, "struct config_tree {\n"
		"\tconst char *name;\n"
		"\tconst unsigned char *map, *vtl0, *image, *vps;\n"
		"\tunsigned int map_len, vtl0_len, image_len, vps_len;\n"
		"\t/* what hcl_config_parse must find */\n"
		"\tunsigned long long vtl0_base, vtl0_size;\n"
		"\tunsigned long long image_base, image_size;\n"
		"\tunsigned int vp_count, map_entries;\n"
		"};\n\n"
		"static const struct config_tree config_trees[] = {\n");
	for (size_t i = 0; i < NMACHINES; i++) {
		const struct machine *m = &machines[i];
		int entries, len;

		build(m, &entries);
		fprintf(f, "\t{\n\t\t.name = \"%s\",\n", m->name);
		for (size_t k = 0; k < 4; k++) {
			if (!prop(props[k], &len))
				continue;
			fprintf(f, "\t\t.%s = config_tree%zu_%s,\n", vars[k],
				i, vars[k]);
			fprintf(f, "\t\t.%s_len = sizeof(config_tree%zu_%s),\n",
				vars[k], i, vars[k]);
		}
		fprintf(f, "\t\t.vtl0_base = %#llxULL, .vtl0_size = %#llxULL,\n",
			(unsigned long long)m->vtl0.base,
			(unsigned long long)m->vtl0.size);
		fprintf(f, "\t\t.image_base = %#llxULL, .image_size = %#llxULL,\n",
			(unsigned long long)m->image.base,
			(unsigned long long)m->image.size);
		fprintf(f, "\t\t.vp_count = %u, .map_entries = %d,\n\t},\n",
			m->ncpus, entries);
	}
	fprintf(f, "};\n\n#endif /* HCL_CONFIG_KUNIT_TREES_H */\n");
	return fclose(f) ? 1 : 0;
}

#define NTREES	(sizeof(config_trees) / sizeof(config_trees[0]))

TEST(every_machine_is_in_the_header)
{
	ASSERT_EQ(NMACHINES, NTREES)
		TH_LOG("config_kunit_trees.h is out of date: make openhcl-dt-trees");
	for (size_t i = 0; i < NTREES; i++)
		EXPECT_STREQ(machines[i].name, config_trees[i].name);
}

/* a property as the header has it, compared with what the shim wrote */
static bool same(const void *hdr, unsigned int hdr_len, const char *name)
{
	int len;
	const void *p = prop(name, &len);

	if (!p || !hdr)
		return !p && !hdr;
	return (unsigned int)len == hdr_len && !memcmp(p, hdr, len);
}

TEST(header_is_what_the_shim_writes)
{
	for (size_t i = 0; i < NMACHINES && i < NTREES; i++) {
		const struct config_tree *t = &config_trees[i];
		const struct machine *m = &machines[i];
		int entries;

		ASSERT_LT(0, build(m, &entries))
			TH_LOG("%s: %s", m->name, err);
		EXPECT_TRUE(same(t->map, t->map_len, OPENHCL_DT_MEMORY_MAP))
			TH_LOG("%s: memory-map differs%s", m->name, REGEN);
		EXPECT_TRUE(same(t->vtl0, t->vtl0_len, OPENHCL_DT_VTL0_RANGE))
			TH_LOG("%s: vtl0-range differs%s", m->name, REGEN);
		EXPECT_TRUE(same(t->image, t->image_len,
				 OPENHCL_DT_VTL0_IMAGE))
			TH_LOG("%s: vtl0-image differs%s", m->name, REGEN);
		EXPECT_TRUE(same(t->vps, t->vps_len, OPENHCL_DT_VP_COUNT))
			TH_LOG("%s: vp-count differs%s", m->name, REGEN);
		EXPECT_EQ(m->vtl0.base, t->vtl0_base);
		EXPECT_EQ(m->vtl0.size, t->vtl0_size);
		EXPECT_EQ(m->image.base, t->image_base);
		EXPECT_EQ(m->image.size, t->image_size);
		EXPECT_EQ(m->ncpus, t->vp_count);
		EXPECT_EQ(entries, (int)t->map_entries);
	}
}

/* the encoding the module relies on, for every tree in the header */
TEST(header_trees_follow_the_schema)
{
	for (size_t i = 0; i < NTREES; i++) {
		const struct config_tree *t = &config_trees[i];
		unsigned int vps;

		EXPECT_EQ(0, t->map_len % OPENHCL_DT_MAP_ENTRY_SIZE);
		EXPECT_EQ(t->map_entries,
			  t->map_len / OPENHCL_DT_MAP_ENTRY_SIZE);
		EXPECT_GE(OPENHCL_DT_MAP_MAX, t->map_entries);
		EXPECT_EQ(OPENHCL_DT_RANGE_SIZE, t->vtl0_len);
		EXPECT_EQ(t->image_size ? OPENHCL_DT_RANGE_SIZE : 0,
			  t->image_len);
		ASSERT_EQ(OPENHCL_DT_CELL_SIZE, t->vps_len);
		memcpy(&vps, t->vps, sizeof(vps));
		EXPECT_EQ(t->vp_count, fdt32_to_cpu(vps));
		EXPECT_GE(HCL_BOOT_MAX_VPS, t->vp_count);
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write"))
		return write_header(argv[2]);
	return test_harness_run(argc, argv);
}
