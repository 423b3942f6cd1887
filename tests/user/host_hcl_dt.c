// SPDX-License-Identifier: GPL-2.0
/*
 * The contract between the shim and VTL2 userspace: the shim's device-tree
 * builder (shim/dt_build.c) writes a tree, openvmm_hcl's reader
 * (userspace/lib/hcl_dt.c) reads it back; then each rule of the reader is
 * broken once on a copy of that tree.
 */
#include <libfdt.h>
#include <string.h>

#include "kselftest_harness.h"

#include "dt_build.h"
#include "hcl_dt.h"
#include "host_config.h"

#define MiB	0x100000ull
#define GiB	0x40000000ull

static char tree[65536] __attribute__((aligned(8)));
static char copy[65536] __attribute__((aligned(8)));
static char err[256];

/* a 1 GiB, 4-CPU machine: VTL2 at 128 MiB, VTL0 above it */
static int build(void)
{
	static struct hcl_host_config h;
	static const struct hcl_mem_entry extra[] = {
		{ OPENHCL_MEM_VTL2_RESERVED, 250 * MiB, 2 * MiB },
	};
	struct hcl_dt_input in;

	memset(&h, 0, sizeof(h));
	h.ncpus = 4;
	for (uint32_t i = 0; i < 4; i++)
		h.apic_id[i] = i;
	h.nram = 1;
	h.ram[0] = (struct hcl_host_range){ 0, GiB };
	h.vtl2 = (struct hcl_host_range){ 128 * MiB, 128 * MiB };
	h.vtl0 = (struct hcl_host_range){ 256 * MiB, 768 * MiB };
	h.loader_tsc = 1000;
	h.has_serial = true;
	h.serial_port = 0x3f8;
	h.serial_size = 8;
	h.has_host_channel = true;
	h.host_channel_port = 0x2f8;
	h.host_channel_irq = 3;

	memset(&in, 0, sizeof(in));
	in.host = &h;
	in.bootargs = "console=ttyS0 acpi=off";
	in.extra = extra;
	in.nextra = 1;
	in.shim_tsc = 2000;
	return hcl_dt_build(&in, tree, sizeof(tree), err, sizeof(err));
}

static int reparse(struct hcl_dt_info *info)
{
	return hcl_dt_parse(copy, fdt_totalsize(copy), info, err, sizeof(err));
}

FIXTURE(dt) {
	struct hcl_dt_info info;
	int node;
};

FIXTURE_SETUP(dt)
{
	ASSERT_GT(build(), 0) TH_LOG("%s", err);
	ASSERT_EQ(0, fdt_open_into(tree, copy, sizeof(copy)));
	self->node = fdt_path_offset(copy, "/openhcl");
	ASSERT_GE(self->node, 0);
}

FIXTURE_TEARDOWN(dt)
{
}

TEST_F(dt, reads_what_the_shim_wrote)
{
	struct hcl_dt_info *i = &self->info;
	int vtl0 = 0;

	ASSERT_EQ(0, hcl_dt_parse(tree, fdt_totalsize(tree), i, err,
				  sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(256 * MiB, i->vtl0_base);
	EXPECT_EQ(768 * MiB, i->vtl0_size);
	EXPECT_EQ(4, i->vp_count);
	EXPECT_EQ(1, i->linux_cpus);
	EXPECT_EQ(3, i->sidecar_cpus);
	EXPECT_TRUE(i->has_serial);
	EXPECT_EQ(0x3f8, i->serial_port);
	EXPECT_TRUE(i->has_host_channel);
	EXPECT_EQ(0x2f8, i->host_channel_port);
	EXPECT_EQ(3, i->host_channel_irq);
	EXPECT_EQ(1000, i->loader_tsc);
	EXPECT_EQ(2000, i->shim_tsc);
	EXPECT_STREQ("console=ttyS0 acpi=off", i->bootargs);
	for (uint32_t n = 0; n < i->nmap; n++) {
		if (n)
			EXPECT_GE(i->map[n].base,
				  i->map[n - 1].base + i->map[n - 1].size);
		if (i->map[n].type == OPENHCL_MEM_VTL0_RAM)
			vtl0++;
		EXPECT_STRNE("?", hcl_dt_type_name(i->map[n].type));
	}
	EXPECT_EQ(1, vtl0);
}

TEST_F(dt, truncated)
{
	EXPECT_EQ(-1, hcl_dt_parse(tree, fdt_totalsize(tree) - 8,
				   &self->info, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "device tree:")) TH_LOG("%s", err);
	EXPECT_EQ(-1, hcl_dt_parse(tree, 16, &self->info, err, sizeof(err)));
}

TEST_F(dt, bad_magic)
{
	memcpy(copy, "XXXX", 4);
	EXPECT_EQ(-1, hcl_dt_parse(copy, sizeof(copy), &self->info, err,
				   sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "device tree:")) TH_LOG("%s", err);
}

TEST_F(dt, no_openhcl)
{
	ASSERT_EQ(0, fdt_del_node(copy, self->node));
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_STREQ("device tree has no /openhcl node", err);
}

TEST_F(dt, no_memory_map)
{
	ASSERT_EQ(0, fdt_delprop(copy, self->node, "memory-map"));
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_STREQ("/openhcl has no memory-map", err);
}

TEST_F(dt, memory_map_odd_length)
{
	ASSERT_EQ(0, fdt_setprop(copy, self->node, "memory-map", "abcdefgh",
				 8));
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_NE(NULL, strstr(err, "not 1..")) TH_LOG("%s", err);
}

/* rewrites entry @n of the memory map */
static void set_entry(struct __test_metadata *_metadata, int node, int n,
		      uint32_t type, uint64_t base, uint64_t size)
{
	fdt32_t *p;
	int len;

	p = fdt_getprop_w(copy, node, "memory-map", &len);
	ASSERT_NE(NULL, p);
	ASSERT_GT(len, n * 20);
	p += n * 5;
	p[0] = cpu_to_fdt32(type);
	p[1] = cpu_to_fdt32(base >> 32);
	p[2] = cpu_to_fdt32((uint32_t)base);
	p[3] = cpu_to_fdt32(size >> 32);
	p[4] = cpu_to_fdt32((uint32_t)size);
}

TEST_F(dt, unknown_type)
{
	set_entry(_metadata, self->node, 0, 9, 0, 128 * MiB);
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_STREQ("memory-map entry 0 has unknown type 9", err);
}

TEST_F(dt, overlapping_entries)
{
	set_entry(_metadata, self->node, 0, OPENHCL_MEM_UNASSIGNED, 0,
		  129 * MiB);
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_NE(NULL, strstr(err, "overlaps")) TH_LOG("%s", err);
}

TEST_F(dt, two_vtl0_ranges)
{
	set_entry(_metadata, self->node, 0, OPENHCL_MEM_VTL0_RAM, 0, 128 * MiB);
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_STREQ("memory-map has 2 VTL0 RAM ranges, need exactly one",
		     err);
}

TEST_F(dt, vtl0_range_differs)
{
	fdt32_t r[4] = { 0, cpu_to_fdt32(256 * MiB), 0,
			 cpu_to_fdt32(64 * MiB) };

	ASSERT_EQ(0, fdt_setprop(copy, self->node, "vtl0-range", r,
				 sizeof(r)));
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_STREQ("vtl0-range differs from the memory map", err);
}

TEST_F(dt, vp_count_disagrees)
{
	ASSERT_EQ(0, fdt_setprop_u32(copy, self->node, "vp-count", 5));
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_STREQ("/cpus lists 4 CPUs, 3 for the sidecar, vp-count 5", err);
	ASSERT_EQ(0, fdt_setprop_u32(copy, self->node, "vp-count", 0));
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_STREQ("/openhcl/vp-count 0 is not 1..64", err);
	ASSERT_EQ(0, fdt_setprop_u32(copy, self->node, OPENHCL_DT_VP_COUNT,
				     HCL_BOOT_MAX_VPS + 1));
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_STREQ("/openhcl/vp-count 65 is not 1..64", err);
}

TEST_F(dt, bad_timestamp)
{
	int ts = fdt_subnode_offset(copy, self->node, "timestamps");

	ASSERT_GE(ts, 0);
	ASSERT_EQ(0, fdt_setprop_u32(copy, ts, "shim-tsc", 1));
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_STREQ("/openhcl/timestamps/shim-tsc is 4 bytes, not 8", err);
}

TEST_F(dt, host_channel)
{
	fdt32_t c[2] = { cpu_to_fdt32(0x2f8), cpu_to_fdt32(16) };

	ASSERT_EQ(0, fdt_setprop(copy, self->node, "host-channel", c, 8));
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_STREQ("/openhcl/host-channel <0x2f8 16> is not an I/O port and an ISA IRQ",
		     err);
	c[0] = cpu_to_fdt32(0xfffc);
	c[1] = cpu_to_fdt32(3);
	ASSERT_EQ(0, fdt_setprop(copy, self->node, "host-channel", c, 8));
	EXPECT_EQ(-1, reparse(&self->info));
	ASSERT_EQ(0, fdt_setprop(copy, self->node, "host-channel", c, 4));
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_STREQ("/openhcl/host-channel is 4 bytes, not 8", err);
	/* optional: a tree without it has no channel */
	ASSERT_EQ(0, fdt_delprop(copy, self->node, "host-channel"));
	ASSERT_EQ(0, reparse(&self->info)) TH_LOG("%s", err);
	EXPECT_FALSE(self->info.has_host_channel);
}

TEST_F(dt, no_cpus)
{
	ASSERT_EQ(0, fdt_del_node(copy, fdt_path_offset(copy, "/cpus")));
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_STREQ("device tree lists no CPU in /cpus", err);
}

TEST_F(dt, bootargs_not_a_string)
{
	int chosen = fdt_path_offset(copy, "/chosen");

	ASSERT_EQ(0, fdt_setprop(copy, chosen, "bootargs", "abc", 3));
	EXPECT_EQ(-1, reparse(&self->info));
	EXPECT_NE(NULL, strstr(err, "bootargs")) TH_LOG("%s", err);
}

TEST(file_errors)
{
	struct hcl_dt_info info;

	EXPECT_EQ(-1, hcl_dt_parse_file("/nonexistent/fdt", &info, err,
					sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "No such file")) TH_LOG("%s", err);
	EXPECT_EQ(-1, hcl_dt_parse_file("/dev/null", &info, err,
					sizeof(err)));
}

TEST_HARNESS_MAIN
