// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the shim's pure logic (shim/): the command-line
 * policy, the host device-tree parser and its validation rules, and the
 * device tree built for Linux, read back with libfdt (and dtc if present),
 * the IGVM parameter block and areas, and the x86 boot protocol (setup
 * header, boot_params, e820).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libfdt.h>

#include "kselftest_harness.h"
#include "shim_err.h"
#include "cmdline.h"
#include "cpu_split.h"
#include "host_config.h"
#include "dt_build.h"
#include "igvm_params.h"
#include "linux_boot.h"

#include "../common/shim_inputs.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

/* ---- a host device tree, built with libfdt from knobs ------------------ */

struct host_dt {
	int ncpus;
	uint32_t apic[80];
	uint32_t boot;
	int cpu_reg_len;		/* 4 unless changed */
	int nmem;
	uint64_t mem[40][2];
	int mem_nodes;			/* ranges spread over this many nodes */
	uint64_t vtl2[2], vtl0[2];
	bool no_vtl2, no_openhcl, short_vtl0;
	uint64_t loader_tsc;
	int exit_port_len;		/* 0: no debug-exit-port */
	uint32_t exit_port;
	int entropy_len;		/* -1: no entropy property */
	int chan_len;			/* 0: no host-channel */
	uint32_t chan[2];		/* <io-port irq> */
	bool serial;
	uint32_t serial_reg[3];
	const char *bootargs;
	bool no_cpus;
	int addr_cells;
};

static void defaults(struct host_dt *h)
{
	memset(h, 0, sizeof(*h));
	h->entropy_len = -1;
	h->ncpus = 4;
	for (int i = 0; i < 4; i++)
		h->apic[i] = (uint32_t)i * 2;
	h->boot = 0;
	h->cpu_reg_len = 4;
	h->nmem = 2;
	h->mem[0][0] = 0;
	h->mem[0][1] = 3 * GiB;
	h->mem[1][0] = 4 * GiB;
	h->mem[1][1] = 1 * GiB;
	h->mem_nodes = 2;
	h->vtl2[0] = 128 * MiB;
	h->vtl2[1] = 128 * MiB;
	h->vtl0[0] = 256 * MiB;
	h->vtl0[1] = 64 * MiB;
	h->loader_tsc = 0x123456789abull;
	h->serial = true;
	h->serial_reg[0] = 1;
	h->serial_reg[1] = 0x3f8;
	h->serial_reg[2] = 8;
	h->bootargs = "console=ttyS0 debug";
	h->addr_cells = 2;
}

static void u64s(fdt32_t *c, uint64_t a, uint64_t b)
{
	c[0] = cpu_to_fdt32(a >> 32);
	c[1] = cpu_to_fdt32((uint32_t)a);
	c[2] = cpu_to_fdt32(b >> 32);
	c[3] = cpu_to_fdt32((uint32_t)b);
}

#define OK(x) do { if ((x) < 0) abort(); } while (0)

static int mk(const struct host_dt *h, void *buf, int size)
{
	char name[32];
	fdt32_t c[200];

	OK(fdt_create(buf, size));
	OK(fdt_finish_reservemap(buf));
	OK(fdt_begin_node(buf, ""));
	OK(fdt_property_u32(buf, "#address-cells", h->addr_cells));
	OK(fdt_property_u32(buf, "#size-cells", 2));
	if (!h->no_cpus) {
		OK(fdt_begin_node(buf, "cpus"));
		OK(fdt_property_u32(buf, "#address-cells", 1));
		OK(fdt_property_u32(buf, "#size-cells", 0));
		for (int i = 0; i < h->ncpus; i++) {
			snprintf(name, sizeof(name), "cpu@%x", h->apic[i]);
			OK(fdt_begin_node(buf, name));
			OK(fdt_property_string(buf, "device_type", "cpu"));
			c[0] = cpu_to_fdt32(h->apic[i]);
			c[1] = 0;
			OK(fdt_property(buf, "reg", c, h->cpu_reg_len));
			OK(fdt_end_node(buf));
		}
		/* a disabled CPU is skipped, even with a duplicate id */
		OK(fdt_begin_node(buf, "cpu@ff"));
		OK(fdt_property_u32(buf, "reg", h->apic[0]));
		OK(fdt_property_string(buf, "status", "disabled"));
		OK(fdt_end_node(buf));
		OK(fdt_end_node(buf));
	}
	for (int n = 0; n < h->mem_nodes; n++) {
		int k = 0;

		snprintf(name, sizeof(name), "memory@%llx",
			 (unsigned long long)h->mem[n][0]);
		OK(fdt_begin_node(buf, name));
		OK(fdt_property_string(buf, "device_type", "memory"));
		for (int i = n; i < h->nmem; i += h->mem_nodes) {
			if (h->addr_cells == 2) {
				u64s(c + k, h->mem[i][0], h->mem[i][1]);
				k += 4;
			} else {
				c[k++] = cpu_to_fdt32((uint32_t)h->mem[i][0]);
				c[k++] = cpu_to_fdt32(h->mem[i][1] >> 32);
				c[k++] = cpu_to_fdt32((uint32_t)h->mem[i][1]);
			}
		}
		OK(fdt_property(buf, "reg", c, k * 4));
		OK(fdt_end_node(buf));
	}
	if (!h->no_openhcl) {
		OK(fdt_begin_node(buf, "openhcl"));
		u64s(c, h->vtl2[0], h->vtl2[1]);
		if (!h->no_vtl2)
			OK(fdt_property(buf, "vtl2-range", c, 16));
		u64s(c, h->vtl0[0], h->vtl0[1]);
		OK(fdt_property(buf, "vtl0-range", c, h->short_vtl0 ? 8 : 16));
		if (h->loader_tsc)
			OK(fdt_property_u64(buf, "loader-tsc", h->loader_tsc));
		if (h->exit_port_len) {
			c[0] = cpu_to_fdt32(h->exit_port);
			c[1] = 0;
			OK(fdt_property(buf, "debug-exit-port", c,
					h->exit_port_len));
		}
		if (h->entropy_len >= 0) {
			static uint8_t seed[OPENHCL_DT_ENTROPY_MAX + 1];

			for (unsigned int i = 0; i < sizeof(seed); i++)
				seed[i] = (uint8_t)(i * 37 + 1);
			OK(fdt_property(buf, "entropy", seed, h->entropy_len));
		}
		if (h->chan_len) {
			c[0] = cpu_to_fdt32(h->chan[0]);
			c[1] = cpu_to_fdt32(h->chan[1]);
			OK(fdt_property(buf, "host-channel", c, h->chan_len));
		}
		OK(fdt_end_node(buf));
	}
	if (h->serial) {
		OK(fdt_begin_node(buf, "isa"));
		OK(fdt_property_u32(buf, "#address-cells", 2));
		OK(fdt_property_u32(buf, "#size-cells", 1));
		OK(fdt_begin_node(buf, "serial@i3f8"));
		OK(fdt_property_string(buf, "compatible", "ns16550a"));
		for (int i = 0; i < 3; i++)
			c[i] = cpu_to_fdt32(h->serial_reg[i]);
		OK(fdt_property(buf, "reg", c, 12));
		OK(fdt_end_node(buf));
		OK(fdt_end_node(buf));
	}
	if (h->bootargs) {
		OK(fdt_begin_node(buf, "chosen"));
		OK(fdt_property_string(buf, "bootargs", h->bootargs));
		OK(fdt_end_node(buf));
	}
	OK(fdt_end_node(buf));
	OK(fdt_finish(buf));
	fdt_set_boot_cpuid_phys(buf, h->boot);
	return (int)fdt_totalsize(buf);
}

static char dtbuf[65536] __attribute__((aligned(8)));
static char errbuf[256];
static struct hcl_host_config cfg;

static int parse(const struct host_dt *h)
{
	int n = mk(h, dtbuf, sizeof(dtbuf));

	return hcl_host_config_parse(dtbuf, (size_t)n, &cfg, errbuf,
				     sizeof(errbuf));
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* ---- host device tree: the good case ----------------------------------- */

TEST(host_dt_parses_every_field)
{
	struct host_dt h;

	defaults(&h);
	h.boot = 4;
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	EXPECT_STREQ("", errbuf);
	EXPECT_EQ(4, cfg.ncpus);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(i * 2, cfg.apic_id[i]);
	EXPECT_EQ(2, cfg.boot_cpu);
	EXPECT_EQ(2, cfg.nram);
	EXPECT_EQ(0, cfg.ram[0].base);
	EXPECT_EQ(3 * GiB, cfg.ram[0].size);
	EXPECT_EQ(4 * GiB, cfg.ram[1].base);
	EXPECT_EQ(GiB, cfg.ram[1].size);
	EXPECT_EQ(128 * MiB, cfg.vtl2.base);
	EXPECT_EQ(128 * MiB, cfg.vtl2.size);
	EXPECT_EQ(256 * MiB, cfg.vtl0.base);
	EXPECT_EQ(64 * MiB, cfg.vtl0.size);
	EXPECT_EQ(0x123456789abull, cfg.loader_tsc);
	EXPECT_TRUE(cfg.has_serial);
	EXPECT_EQ(0x3f8, cfg.serial_port);
	EXPECT_EQ(8, cfg.serial_size);
	EXPECT_TRUE(cfg.has_bootargs);
	EXPECT_STREQ("console=ttyS0 debug", cfg.bootargs);
}

TEST(host_dt_optional_parts_absent_and_ranges_sorted)
{
	struct host_dt h;

	defaults(&h);
	h.serial = false;
	h.bootargs = NULL;
	h.loader_tsc = 0;
	/* three ranges in one node, out of order, adjacent */
	h.nmem = 3;
	h.mem_nodes = 1;
	h.mem[0][0] = 2 * GiB;
	h.mem[0][1] = GiB;
	h.mem[1][0] = 0;
	h.mem[1][1] = GiB;
	h.mem[2][0] = GiB;
	h.mem[2][1] = GiB;
	h.vtl0[0] = GiB - 32 * MiB;	/* straddles two adjacent ranges */
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	EXPECT_FALSE(cfg.has_serial);
	EXPECT_FALSE(cfg.has_bootargs);
	EXPECT_EQ(0, cfg.loader_tsc);
	ASSERT_EQ(3, cfg.nram);
	EXPECT_EQ(0, cfg.ram[0].base);
	EXPECT_EQ(GiB, cfg.ram[1].base);
	EXPECT_EQ(2 * GiB, cfg.ram[2].base);
}

TEST(host_dt_root_cells_one_address_cell)
{
	struct host_dt h;

	defaults(&h);
	h.addr_cells = 1;
	h.nmem = 1;
	h.mem_nodes = 1;
	h.mem[0][1] = 6 * GiB;	/* size needs the second cell */
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	EXPECT_EQ(6 * GiB, cfg.ram[0].size);
}

/* ---- host device tree: each rule violated once --------------------------- */

#define EXPECT_FAIL(code, prefix) do {					\
	int rc_ = parse(&h);						\
	EXPECT_EQ(code, rc_) TH_LOG("%s: %s", shim_err_name(rc_), errbuf); \
	EXPECT_TRUE(starts(errbuf, prefix)) TH_LOG("got: %s", errbuf);	\
	EXPECT_EQ(0, cfg.ncpus);					\
} while (0)

TEST(host_dt_bad_header)
{
	struct host_dt h;
	int n;

	defaults(&h);
	n = mk(&h, dtbuf, sizeof(dtbuf));
	dtbuf[0] ^= 1;
	EXPECT_EQ(SHIM_EFDT, hcl_host_config_parse(dtbuf, n, &cfg, errbuf,
						   sizeof(errbuf)));
	EXPECT_STREQ("host device tree: bad header: FDT_ERR_BADMAGIC", errbuf);
	EXPECT_EQ(SHIM_EFDT, hcl_host_config_parse(dtbuf, 10, &cfg, errbuf,
						   sizeof(errbuf)));
	EXPECT_STREQ("host device tree: 10 bytes, too small for a header",
		     errbuf);
	dtbuf[0] ^= 1;
	memmove(dtbuf + 1, dtbuf, n);
	EXPECT_EQ(SHIM_EFDT, hcl_host_config_parse(dtbuf + 1, n, &cfg, errbuf,
						   sizeof(errbuf)));
	EXPECT_STREQ("host device tree: bad header: FDT_ERR_ALIGNMENT", errbuf);
	memmove(dtbuf, dtbuf + 1, n);
	/* the structure block moved off its 4-byte alignment */
	fdt_set_off_dt_struct(dtbuf, fdt_off_dt_struct(dtbuf) + 2);
	fdt_set_size_dt_struct(dtbuf, fdt_size_dt_struct(dtbuf) - 2);
	EXPECT_EQ(SHIM_EFDT, hcl_host_config_parse(dtbuf, n, &cfg, errbuf,
						   sizeof(errbuf)));
	EXPECT_TRUE(strstr(errbuf, "is not 4-byte aligned") != NULL)
		TH_LOG("%s", errbuf);
	fdt_set_off_dt_struct(dtbuf, fdt_off_dt_struct(dtbuf) - 2);
	fdt_set_size_dt_struct(dtbuf, fdt_size_dt_struct(dtbuf) + 2);
	EXPECT_EQ(SHIM_EFDT, hcl_host_config_parse(dtbuf, n - 1, &cfg, errbuf,
						   sizeof(errbuf)));
	EXPECT_TRUE(starts(errbuf, "host device tree: totalsize "));
}

TEST(host_dt_no_cpus)
{
	struct host_dt h;

	defaults(&h);
	h.no_cpus = true;
	EXPECT_FAIL(SHIM_EMISSING, "host device tree: no /cpus node");
	defaults(&h);
	h.ncpus = 0;
	EXPECT_FAIL(SHIM_ECPU, "host device tree: /cpus lists no usable CPU");
}

TEST(host_dt_duplicate_cpu)
{
	struct host_dt h;

	defaults(&h);
	h.apic[3] = 2;
	EXPECT_FAIL(SHIM_ECPU,
		    "host device tree: /cpus/cpu@2: APIC id 0x2 already used by CPU 1");
}

TEST(host_dt_bad_cpu_reg)
{
	struct host_dt h;

	defaults(&h);
	h.cpu_reg_len = 8;
	EXPECT_FAIL(SHIM_ECPU,
		    "host device tree: /cpus/cpu@0: reg must be 4 bytes");
}

TEST(host_dt_too_many_cpus)
{
	struct host_dt h;

	defaults(&h);
	h.ncpus = HCL_BOOT_MAX_VPS + 1;
	for (int i = 0; i < h.ncpus; i++)
		h.apic[i] = i;
	EXPECT_FAIL(SHIM_ETOOMANY, "host device tree: more than 64 CPUs");
}

TEST(host_dt_boot_cpu_missing)
{
	struct host_dt h;

	defaults(&h);
	h.boot = 5;
	EXPECT_FAIL(SHIM_ECPU,
		    "host device tree: boot CPU (boot_cpuid_phys 0x5) is not in /cpus");
}

TEST(host_dt_no_memory)
{
	struct host_dt h;

	defaults(&h);
	h.mem_nodes = 0;
	EXPECT_FAIL(SHIM_EMISSING, "host device tree: no memory node");
}

TEST(host_dt_empty_range)
{
	struct host_dt h;

	defaults(&h);
	h.mem[1][1] = 0;
	EXPECT_FAIL(SHIM_ERANGE,
		    "host device tree: memory@100000000: empty range at 0x100000000");
}

TEST(host_dt_unaligned_range)
{
	struct host_dt h;

	defaults(&h);
	h.mem[1][0] += 0x800;
	EXPECT_FAIL(SHIM_ERANGE,
		    "host device tree: memory@100000800: range 0x100000800+0x40000000 is not 4 KiB aligned");
}

TEST(host_dt_wrapping_range)
{
	struct host_dt h;

	defaults(&h);
	h.mem[1][0] = 0xfffffffffffff000ull;
	h.mem[1][1] = 0x2000;
	EXPECT_FAIL(SHIM_ERANGE, "host device tree: memory@fffffffffffff000: range 0xfffffffffffff000+0x2000 wraps past 2^64");
}

TEST(host_dt_overlapping_ranges)
{
	struct host_dt h;

	defaults(&h);
	h.mem[1][0] = 3 * GiB - 0x1000;
	EXPECT_FAIL(SHIM_EOVERLAP,
		    "host device tree: memory ranges 0x0+0xc0000000 and 0xbffff000+0x40000000 overlap");
}

TEST(host_dt_too_many_ranges)
{
	struct host_dt h;

	defaults(&h);
	h.nmem = HCL_HOST_MAX_RANGES + 1;
	h.mem_nodes = 1;
	for (int i = 0; i < h.nmem; i++) {
		h.mem[i][0] = (uint64_t)i * GiB;
		h.mem[i][1] = GiB;
	}
	EXPECT_FAIL(SHIM_ETOOMANY, "host device tree: more than 32 memory ranges");
}

TEST(host_dt_bad_memory_reg)
{
	struct host_dt h;

	defaults(&h);
	h.nmem = 1;
	h.mem_nodes = 2;	/* second node gets an empty reg */
	EXPECT_FAIL(SHIM_EINVAL, "host device tree: /memory@100000000: reg must be a non-empty list of 16-byte (base, size) pairs");
}

TEST(host_dt_openhcl_missing)
{
	struct host_dt h;

	defaults(&h);
	h.no_openhcl = true;
	EXPECT_FAIL(SHIM_EMISSING, "host device tree: no /openhcl node");
	defaults(&h);
	h.no_vtl2 = true;
	EXPECT_FAIL(SHIM_EMISSING,
		    "host device tree: /openhcl: no vtl2-range property");
	defaults(&h);
	h.short_vtl0 = true;
	EXPECT_FAIL(SHIM_EINVAL,
		    "host device tree: /openhcl/vtl0-range: 8 bytes, expected 16");
}

TEST(host_dt_vtl2_unaligned_empty)
{
	struct host_dt h;

	defaults(&h);
	h.vtl2[1] = 0;
	EXPECT_FAIL(SHIM_ERANGE, "host device tree: vtl2-range: empty range");
	defaults(&h);
	h.vtl2[0] += 0x10;
	EXPECT_FAIL(SHIM_ERANGE, "host device tree: vtl2-range: range 0x8000010+0x8000000 is not 4 KiB aligned");
}

TEST(host_dt_vtl2_outside_ram)
{
	struct host_dt h;

	defaults(&h);
	h.vtl2[0] = 3 * GiB;	/* the hole between 3 and 4 GiB */
	EXPECT_FAIL(SHIM_EOUTSIDE,
		    "host device tree: /openhcl/vtl2-range: 0xc0000000+0x8000000 is not inside RAM");
	defaults(&h);
	h.vtl0[0] = 5 * GiB - 32 * MiB;	/* runs off the end of RAM */
	EXPECT_FAIL(SHIM_EOUTSIDE,
		    "host device tree: /openhcl/vtl0-range: 0x13e000000+0x4000000 is not inside RAM");
}

TEST(host_dt_vtl0_overlaps_vtl2)
{
	struct host_dt h;

	defaults(&h);
	h.vtl0[0] = 192 * MiB;
	EXPECT_FAIL(SHIM_EOVERLAP,
		    "host device tree: /openhcl: vtl0-range 0xc000000+0x4000000 overlaps vtl2-range 0x8000000+0x8000000");
}

TEST(host_dt_bad_serial)
{
	struct host_dt h;

	defaults(&h);
	h.serial_reg[0] = 0;
	EXPECT_FAIL(SHIM_EINVAL,
		    "host device tree: serial@i3f8: reg is not in I/O space (flags 0x0)");
	defaults(&h);
	h.serial_reg[1] = 0xfffc;
	EXPECT_FAIL(SHIM_ERANGE,
		    "host device tree: serial@i3f8: I/O ports 0xfffc+0x8 outside 0..0xffff");
}

TEST(host_dt_bootargs_too_long)
{
	static char longline[HCL_BOOTARGS_MAX + 1];
	struct host_dt h;

	memset(longline, 'a', HCL_BOOTARGS_MAX);
	defaults(&h);
	h.bootargs = longline;
	EXPECT_FAIL(SHIM_ETOOMANY,
		    "host device tree: /chosen/bootargs: 2048 bytes, limit 2047");
}

TEST(host_dt_small_err_buffer_truncates)
{
	struct host_dt h;
	char small[8];
	int n;

	defaults(&h);
	h.no_cpus = true;
	n = mk(&h, dtbuf, sizeof(dtbuf));
	EXPECT_EQ(SHIM_EMISSING, hcl_host_config_parse(dtbuf, n, &cfg, small,
						       sizeof(small)));
	EXPECT_STREQ("host de", small);
	EXPECT_EQ(SHIM_EMISSING, hcl_host_config_parse(dtbuf, n, &cfg, NULL,
						       0));
}

/* ---- command line -------------------------------------------------------- */

static char out[SHIM_CMDLINE_MAX + 1];

static int build(const char *s, const char *host)
{
	return shim_cmdline_build(s, strlen(s) + 1, host, out, sizeof(out),
				  errbuf, sizeof(errbuf));
}

TEST(cmdline_default_ignores_host)
{
	EXPECT_EQ(13, build("console=ttyS0", "evil=1"));
	EXPECT_STREQ("console=ttyS0", out);
	EXPECT_EQ(34, build("a openhcl_boot.host_cmdline=ignore", "evil=1"));
	EXPECT_STREQ("a openhcl_boot.host_cmdline=ignore", out);
}

TEST(cmdline_append)
{
	EXPECT_EQ(42, build("a openhcl_boot.host_cmdline=append", "  b=\"x y\" "));
	EXPECT_STREQ("a openhcl_boot.host_cmdline=append b=\"x y\"", out);
	/* last one wins */
	build("openhcl_boot.host_cmdline=append openhcl_boot.host_cmdline=ignore", "x");
	EXPECT_STREQ("openhcl_boot.host_cmdline=append openhcl_boot.host_cmdline=ignore", out);
	/* the host cannot turn the policy on */
	build("quiet", "openhcl_boot.host_cmdline=append");
	EXPECT_STREQ("quiet", out);
	/* empty static line, host appended without a leading space */
	EXPECT_EQ(0, build("", NULL));
	EXPECT_EQ(36, build(" openhcl_boot.host_cmdline=append ", "x"));
	EXPECT_STREQ(" openhcl_boot.host_cmdline=append  x", out);
	/* a quoted word containing the flag is not the flag */
	build("\"openhcl_boot.host_cmdline=append\"", "x");
	EXPECT_STREQ("\"openhcl_boot.host_cmdline=append\"", out);
}

TEST(cmdline_sidecar)
{
	bool on = false;

	EXPECT_EQ(0, shim_cmdline_sidecar("quiet", &on, errbuf,
					  sizeof(errbuf)));
	EXPECT_TRUE(on);
	EXPECT_EQ(0, shim_cmdline_sidecar("openhcl_boot.sidecar=off x", &on,
					  errbuf, sizeof(errbuf)));
	EXPECT_FALSE(on);
	/* the last one wins */
	EXPECT_EQ(0, shim_cmdline_sidecar("openhcl_boot.sidecar=off openhcl_boot.sidecar=on",
					  &on, errbuf, sizeof(errbuf)));
	EXPECT_TRUE(on);
	EXPECT_EQ(SHIM_ECMDLINE,
		  shim_cmdline_sidecar("a openhcl_boot.sidecar=maybe", &on,
				       errbuf, sizeof(errbuf)));
	EXPECT_STREQ("command line: openhcl_boot.sidecar= at offset 2: expected on or off",
		     errbuf);
	{
		static const char *const four[] = { "a", "b", "c", "d" };
		int idx = 0;

		EXPECT_EQ(SHIM_ECMDLINE,
			  shim_cmdline_option("x=e", 3, "x=", four, 4, &idx,
					      "line", errbuf, sizeof(errbuf)));
		EXPECT_STREQ("line: x= at offset 0: expected a, b, c or d",
			     errbuf);
		EXPECT_EQ(0, shim_cmdline_option("x=c y x=d", 9, "x=", four,
						 4, &idx, "line", errbuf,
						 sizeof(errbuf)));
		EXPECT_EQ(3, idx);
	}
}

TEST(cmdline_bad_policy)
{
	EXPECT_EQ(SHIM_ECMDLINE, build("a openhcl_boot.host_cmdline=yes", "x"));
	EXPECT_STREQ("static command line: openhcl_boot.host_cmdline= at offset 2: expected ignore or append", errbuf);
	EXPECT_STREQ("", out);
}

TEST(cmdline_control_chars)
{
	EXPECT_EQ(SHIM_ECMDLINE, build("a\tb", NULL));
	EXPECT_STREQ("static command line: character 0x9 at offset 1 is not printable ASCII", errbuf);
	EXPECT_EQ(SHIM_ECMDLINE, build("openhcl_boot.host_cmdline=append", "ok\n"));
	EXPECT_STREQ("host command line: character 0xa at offset 2 is not printable ASCII", errbuf);
	EXPECT_EQ(SHIM_ECMDLINE, build("x\x80", NULL));
	EXPECT_TRUE(starts(errbuf, "static command line: character 0x80"));
	/* a bad host line is fine when it is ignored */
	EXPECT_EQ(1, build("x", "ok\n"));
}

TEST(cmdline_quotes)
{
	EXPECT_EQ(SHIM_ECMDLINE, build("a=\"b c", NULL));
	EXPECT_STREQ("static command line: unbalanced double quote at offset 2", errbuf);
	EXPECT_EQ(SHIM_ECMDLINE, build("openhcl_boot.host_cmdline=append", "\"x\" \"y"));
	EXPECT_STREQ("host command line: unbalanced double quote at offset 4", errbuf);
}

TEST(cmdline_not_terminated)
{
	EXPECT_EQ(SHIM_ECMDLINE, shim_cmdline_build("abcd", 4, NULL, out,
						    sizeof(out), errbuf,
						    sizeof(errbuf)));
	EXPECT_STREQ("static command line: no NUL within 4 bytes", errbuf);
}

TEST(cmdline_lengths)
{
	static char s[SHIM_CMDLINE_MAX + 2];
	char small[8];

	memset(s, 'a', SHIM_CMDLINE_MAX);
	EXPECT_EQ((int)SHIM_CMDLINE_MAX, build(s, NULL));
	EXPECT_EQ(SHIM_ECMDLINE, build("openhcl_boot.host_cmdline=append",
				       s + 32));
	EXPECT_STREQ("command line: 2048 bytes exceed the limit of 2047", errbuf);
	EXPECT_EQ(SHIM_ENOSPC, shim_cmdline_build("12345678", 9, NULL, small,
						  sizeof(small), errbuf,
						  sizeof(errbuf)));
	EXPECT_STREQ("command line: 8 bytes do not fit a 8-byte buffer", errbuf);
	EXPECT_STREQ("", small);
	EXPECT_EQ(7, shim_cmdline_build("1234567", 8, NULL, small,
					sizeof(small), errbuf, sizeof(errbuf)));
}

/* ---- the Linux device tree ----------------------------------------------- */

static char linux_dt[65536] __attribute__((aligned(8)));

static const struct hcl_mem_entry extras[] = {
	{ OPENHCL_MEM_VTL2_RESERVED, 128 * MiB, 2 * MiB },
	{ OPENHCL_MEM_SIDECAR, 200 * MiB, 4 * MiB },
	{ OPENHCL_MEM_MMIO, 0xfec00000ull, 0x1000 },
};

static void input(struct hcl_dt_input *in)
{
	memset(in, 0, sizeof(*in));
	in->host = &cfg;
	in->bootargs = "console=ttyS0 openhcl_boot.host_cmdline=append debug";
	in->extra = extras;
	in->nextra = 3;
	in->shim_tsc = 0xabcdef01234ull;
}

static const void *prop(int node, const char *name, int *len)
{
	const void *p = fdt_getprop(linux_dt, node, name, len);

	if (!p)
		*len = -1;
	return p;
}

static uint32_t cell(const void *p, int i)
{
	return fdt32_ld((const fdt32_t *)p + i);
}

static uint64_t cell64(const void *p, int i)
{
	return (uint64_t)cell(p, i) << 32 | cell(p, i + 1);
}

static void check_memory_map(struct __test_metadata *_metadata, int node)
{
	static const uint64_t want[][3] = {
		{ OPENHCL_MEM_UNASSIGNED, 0, 128 * MiB },
		{ OPENHCL_MEM_VTL2_RESERVED, 128 * MiB, 2 * MiB },
		{ OPENHCL_MEM_VTL2_RAM, 130 * MiB, 70 * MiB },
		{ OPENHCL_MEM_SIDECAR, 200 * MiB, 4 * MiB },
		{ OPENHCL_MEM_VTL2_RAM, 204 * MiB, 52 * MiB },
		{ OPENHCL_MEM_VTL0_RAM, 256 * MiB, 64 * MiB },
		{ OPENHCL_MEM_UNASSIGNED, 320 * MiB, 3 * GiB - 320 * MiB },
		{ OPENHCL_MEM_MMIO, 0xfec00000ull, 0x1000 },
		{ OPENHCL_MEM_UNASSIGNED, 4 * GiB, GiB },
	};
	const int nw = sizeof(want) / sizeof(want[0]);
	const void *p;
	int len;

	p = prop(node, "memory-map", &len);
	ASSERT_EQ(nw * 20, len);
	for (int i = 0; i < nw; i++) {
		EXPECT_EQ(want[i][0], cell(p, i * 5)) TH_LOG("entry %d", i);
		EXPECT_EQ(want[i][1], cell64(p, i * 5 + 1)) TH_LOG("entry %d", i);
		EXPECT_EQ(want[i][2], cell64(p, i * 5 + 3)) TH_LOG("entry %d", i);
	}
}

TEST(linux_dt_every_node)
{
	struct hcl_dt_input in;
	struct host_dt h;
	const void *p;
	int n, node, len, sub;

	defaults(&h);
	h.boot = 2;
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	input(&in);
	in.sidecar_region.base = 200 * MiB;
	in.sidecar_region.size = HCL_SIDECAR_REGION_SIZE(3);
	n = hcl_dt_build(&in, linux_dt, sizeof(linux_dt), errbuf,
			 sizeof(errbuf));
	ASSERT_GT(n, 0) TH_LOG("%s", errbuf);
	ASSERT_EQ(0, fdt_check_header(linux_dt));
	EXPECT_EQ(n, fdt_totalsize(linux_dt));
	EXPECT_EQ(2, fdt_boot_cpuid_phys(linux_dt));

	/* root */
	EXPECT_EQ(2, fdt_address_cells(linux_dt, 0));
	EXPECT_EQ(2, fdt_size_cells(linux_dt, 0));
	EXPECT_STREQ("hcl,vtl2", (const char *)prop(0, "compatible", &len));

	/* /chosen */
	node = fdt_path_offset(linux_dt, "/chosen");
	ASSERT_GE(node, 0);
	EXPECT_STREQ(in.bootargs, (const char *)prop(node, "bootargs", &len));

	/* /cpus: every CPU, the sidecar's too (maxcpus= keeps them off) */
	node = fdt_path_offset(linux_dt, "/cpus");
	ASSERT_GE(node, 0);
	EXPECT_EQ(1, fdt_address_cells(linux_dt, node));
	EXPECT_EQ(0, fdt_size_cells(linux_dt, node));
	n = 0;
	fdt_for_each_subnode(sub, linux_dt, node)
		n++;
	EXPECT_EQ(4, n);
	for (uint32_t id = 0; id < 8; id += 2) {
		char path[32];

		snprintf(path, sizeof(path), "/cpus/cpu@%x", id);
		node = fdt_path_offset(linux_dt, path);
		ASSERT_GE(node, 0) TH_LOG("%s", path);
		p = prop(node, "reg", &len);
		ASSERT_EQ(4, len);
		EXPECT_EQ(id, cell(p, 0));
		EXPECT_STREQ("cpu",
			     (const char *)prop(node, "device_type", &len));
		EXPECT_STREQ("okay", (const char *)prop(node, "status", &len));
	}

	/* /memory: VTL2 only */
	node = fdt_path_offset(linux_dt, "/memory@8000000");
	ASSERT_GE(node, 0);
	EXPECT_STREQ("memory", (const char *)prop(node, "device_type", &len));
	p = prop(node, "reg", &len);
	ASSERT_EQ(16, len);
	EXPECT_EQ(128 * MiB, cell64(p, 0));
	EXPECT_EQ(128 * MiB, cell64(p, 2));

	/* /reserved-memory */
	node = fdt_path_offset(linux_dt, "/reserved-memory");
	ASSERT_GE(node, 0);
	EXPECT_EQ(2, fdt_address_cells(linux_dt, node));
	EXPECT_EQ(2, fdt_size_cells(linux_dt, node));
	EXPECT_NE(NULL, prop(node, "ranges", &len));
	EXPECT_EQ(0, len);
	node = fdt_path_offset(linux_dt, "/reserved-memory/reserved@8000000");
	ASSERT_GE(node, 0);
	p = prop(node, "reg", &len);
	ASSERT_EQ(16, len);
	EXPECT_EQ(128 * MiB, cell64(p, 0));
	EXPECT_EQ(2 * MiB, cell64(p, 2));
	EXPECT_NE(NULL, prop(node, "no-map", &len));
	node = fdt_path_offset(linux_dt, "/reserved-memory/reserved@c800000");
	ASSERT_GE(node, 0);
	p = prop(node, "reg", &len);
	EXPECT_EQ(4 * MiB, cell64(p, 2));
	EXPECT_GT(0, fdt_path_offset(linux_dt,
				     "/reserved-memory/reserved@fec00000"));

	/* LAPIC */
	node = fdt_node_offset_by_compatible(linux_dt, -1,
					     "intel,ce4100-lapic");
	ASSERT_GE(node, 0);
	EXPECT_EQ(node, fdt_path_offset(linux_dt,
					"/interrupt-controller@fee00000"));
	p = prop(node, "reg", &len);
	ASSERT_EQ(16, len);
	EXPECT_EQ(0xfee00000ull, cell64(p, 0));
	EXPECT_EQ(0x1000, cell64(p, 2));
	EXPECT_NE(NULL, prop(node, "interrupt-controller", &len));

	/* serial on /isa */
	node = fdt_path_offset(linux_dt, "/isa@legacy");
	ASSERT_GE(node, 0);
	EXPECT_STREQ("isa", (const char *)prop(node, "compatible", &len));
	EXPECT_STREQ("isa", (const char *)prop(node, "device_type", &len));
	EXPECT_EQ(2, fdt_address_cells(linux_dt, node));
	EXPECT_EQ(1, fdt_size_cells(linux_dt, node));
	p = prop(node, "ranges", &len);
	ASSERT_EQ(20, len);
	EXPECT_EQ(1, cell(p, 0));
	EXPECT_EQ(0x10000, cell(p, 4));
	node = fdt_path_offset(linux_dt, "/isa@legacy/serial@i3f8");
	ASSERT_GE(node, 0);
	EXPECT_EQ(0, fdt_node_check_compatible(linux_dt, node, "ns16550a"));
	p = prop(node, "reg", &len);
	ASSERT_EQ(12, len);
	EXPECT_EQ(1, cell(p, 0));
	EXPECT_EQ(0x3f8, cell(p, 1));
	EXPECT_EQ(8, cell(p, 2));
	p = prop(node, "clock-frequency", &len);
	ASSERT_EQ(4, len);
	EXPECT_EQ(1843200, cell(p, 0));

	/* /openhcl */
	node = fdt_path_offset(linux_dt, "/openhcl");
	ASSERT_GE(node, 0);
	EXPECT_STREQ("hcl,openhcl", (const char *)prop(node, "compatible", &len));
	p = prop(node, "vtl2-range", &len);
	ASSERT_EQ(16, len);
	EXPECT_EQ(128 * MiB, cell64(p, 0));
	EXPECT_EQ(128 * MiB, cell64(p, 2));
	p = prop(node, "vtl0-range", &len);
	ASSERT_EQ(16, len);
	EXPECT_EQ(256 * MiB, cell64(p, 0));
	EXPECT_EQ(64 * MiB, cell64(p, 2));
	p = prop(node, "vp-count", &len);
	ASSERT_EQ(4, len);
	EXPECT_EQ(4, cell(p, 0));

	check_memory_map(_metadata, node);

	sub = fdt_path_offset(linux_dt, "/openhcl/sidecar");
	ASSERT_GE(sub, 0);
	p = fdt_getprop(linux_dt, sub, "apic-ids", &len);
	ASSERT_EQ(12, len);
	EXPECT_EQ(0, cell(p, 0));
	EXPECT_EQ(4, cell(p, 1));
	EXPECT_EQ(6, cell(p, 2));
	p = fdt_getprop(linux_dt, sub, "cpu-count", &len);
	ASSERT_EQ(4, len);
	EXPECT_EQ(3, cell(p, 0));
	p = fdt_getprop(linux_dt, sub, "region", &len);
	ASSERT_EQ(16, len);
	EXPECT_EQ(200 * MiB, cell64(p, 0));
	EXPECT_EQ(HCL_SIDECAR_REGION_SIZE(3), cell64(p, 2));

	sub = fdt_path_offset(linux_dt, "/openhcl/timestamps");
	ASSERT_GE(sub, 0);
	p = fdt_getprop(linux_dt, sub, "loader-tsc", &len);
	ASSERT_EQ(8, len);
	EXPECT_EQ(0x123456789abull, cell64(p, 0));
	p = fdt_getprop(linux_dt, sub, "shim-tsc", &len);
	ASSERT_EQ(8, len);
	EXPECT_EQ(0xabcdef01234ull, cell64(p, 0));
	/* the sidecar's stamps: 0 until the shim patches them in place */
	p = fdt_getprop(linux_dt, sub, "sidecar-start-tsc", &len);
	ASSERT_EQ(8, len);
	EXPECT_EQ(0, cell64(p, 0));
	EXPECT_EQ(0, hcl_dt_set_tsc(linux_dt, OPENHCL_DT_TS_SIDECAR_READY,
				    0x5555aaaa1234ull));
	p = fdt_getprop(linux_dt, sub, "sidecar-ready-tsc", &len);
	ASSERT_EQ(8, len);
	EXPECT_EQ(0x5555aaaa1234ull, cell64(p, 0));
}

TEST(linux_dt_single_cpu_no_serial)
{
	struct hcl_dt_input in;
	struct host_dt h;
	int node, len;

	defaults(&h);
	h.ncpus = 1;
	h.serial = false;
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	input(&in);
	in.nextra = 0;
	ASSERT_GT(hcl_dt_build(&in, linux_dt, sizeof(linux_dt), errbuf,
			       sizeof(errbuf)), 0) TH_LOG("%s", errbuf);
	EXPECT_GT(0, fdt_path_offset(linux_dt, "/isa@legacy"));
	node = fdt_path_offset(linux_dt, "/openhcl/sidecar");
	ASSERT_GE(node, 0);
	EXPECT_NE(NULL, fdt_getprop(linux_dt, node, "apic-ids", &len));
	EXPECT_EQ(0, len);
}

TEST(linux_dt_no_sidecar)
{
	struct hcl_dt_input in;
	struct host_dt h;
	const void *p;
	int node, sub, len, n = 0;

	defaults(&h);
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	input(&in);
	in.no_sidecar = true;
	ASSERT_GT(hcl_dt_build(&in, linux_dt, sizeof(linux_dt), errbuf,
			       sizeof(errbuf)), 0) TH_LOG("%s", errbuf);
	/* every CPU in /cpus, by APIC id, in VP order */
	node = fdt_path_offset(linux_dt, "/cpus");
	ASSERT_GE(node, 0);
	fdt_for_each_subnode(sub, linux_dt, node) {
		p = prop(sub, "reg", &len);
		ASSERT_EQ(4, len);
		EXPECT_EQ(cfg.apic_id[n], cell(p, 0));
		n++;
	}
	EXPECT_EQ((int)cfg.ncpus, n);
	node = fdt_path_offset(linux_dt, "/openhcl/sidecar");
	ASSERT_GE(node, 0);
	EXPECT_NE(NULL, fdt_getprop(linux_dt, node, "apic-ids", &len));
	EXPECT_EQ(0, len);
	p = fdt_getprop(linux_dt, node, "cpu-count", &len);
	ASSERT_EQ(4, len);
	EXPECT_EQ(0, cell(p, 0));
}

TEST(linux_dt_errors)
{
	struct hcl_mem_entry bad[2];
	struct hcl_dt_input in;
	struct host_dt h;

	defaults(&h);
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	input(&in);
	EXPECT_EQ(SHIM_ENOSPC, hcl_dt_build(&in, linux_dt, 256, errbuf,
					    sizeof(errbuf)));
	EXPECT_TRUE(starts(errbuf, "Linux device tree: does not fit the 256-byte buffer"))
		TH_LOG("%s", errbuf);

	in.extra = bad;
	in.nextra = 1;
	bad[0] = (struct hcl_mem_entry){ OPENHCL_MEM_VTL2_RESERVED, 0, 0x1000 };
	EXPECT_EQ(SHIM_EOUTSIDE, hcl_dt_build(&in, linux_dt, sizeof(linux_dt),
					      errbuf, sizeof(errbuf)));
	EXPECT_STREQ("Linux device tree: extra range 0: vtl2-reserved 0x0+0x1000 is not inside the VTL2 range", errbuf);
	bad[0] = (struct hcl_mem_entry){ OPENHCL_MEM_MMIO, 0, 0x1000 };
	EXPECT_EQ(SHIM_EOVERLAP, hcl_dt_build(&in, linux_dt, sizeof(linux_dt),
					      errbuf, sizeof(errbuf)));
	EXPECT_STREQ("Linux device tree: extra range 0: mmio 0x0+0x1000 overlaps RAM", errbuf);
	bad[0] = (struct hcl_mem_entry){ OPENHCL_MEM_VTL0_RAM, 0, 0x1000 };
	EXPECT_EQ(SHIM_EINVAL, hcl_dt_build(&in, linux_dt, sizeof(linux_dt),
					    errbuf, sizeof(errbuf)));
	bad[0] = (struct hcl_mem_entry){ OPENHCL_MEM_SIDECAR, 128 * MiB, 0x800 };
	EXPECT_EQ(SHIM_ERANGE, hcl_dt_build(&in, linux_dt, sizeof(linux_dt),
					    errbuf, sizeof(errbuf)));
	bad[0] = (struct hcl_mem_entry){ OPENHCL_MEM_SIDECAR, 128 * MiB, 0x2000 };
	bad[1] = (struct hcl_mem_entry){ OPENHCL_MEM_SIDECAR, 128 * MiB + 0x1000,
					 0x1000 };
	in.nextra = 2;
	EXPECT_EQ(SHIM_EOVERLAP, hcl_dt_build(&in, linux_dt, sizeof(linux_dt),
					      errbuf, sizeof(errbuf)));
	EXPECT_STREQ("Linux device tree: extra ranges 0 and 1 overlap", errbuf);
}

TEST(linux_dt_dtc_decompiles_cleanly)
{
	char cmd[256], line[512];
	struct hcl_dt_input in;
	struct host_dt h;
	int fd, n, lines = 0, warnings = 0;
	FILE *f;

	if (system("command -v dtc > /dev/null 2>&1"))
		SKIP(return, "dtc is not installed (package device-tree-compiler)");
	defaults(&h);
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	input(&in);
	n = hcl_dt_build(&in, linux_dt, sizeof(linux_dt), errbuf,
			 sizeof(errbuf));
	ASSERT_GT(n, 0) TH_LOG("%s", errbuf);
	/* an anonymous file dtc inherits: nothing to clean up on failure */
	fd = memfd_create("hcl-linux-dtb", 0);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(n, pwrite(fd, linux_dt, n, 0));
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts /dev/fd/%d 2>&1", fd);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		lines++;
		if (strstr(line, "Warning") || strstr(line, "ERROR")) {
			warnings++;
			TH_LOG("dtc: %s", line);
		}
	}
	EXPECT_EQ(0, pclose(f));
	close(fd);
	EXPECT_GT(lines, 20);
	EXPECT_EQ(0, warnings);
}

TEST(err_names)
{
	EXPECT_STREQ("SHIM_OK", shim_err_name(0));
	EXPECT_STREQ("SHIM_EINVAL", shim_err_name(SHIM_EINVAL));
	EXPECT_STREQ("SHIM_E?", shim_err_name(-99));
	EXPECT_STREQ("SHIM_E?", shim_err_name(3));
}

/* ---- host device tree: the debug-exit port ------------------------------- */

TEST(host_dt_exit_port)
{
	struct host_dt h;

	defaults(&h);
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	EXPECT_FALSE(cfg.has_exit_port);
	h.exit_port_len = 4;
	h.exit_port = 0xf4;
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	EXPECT_TRUE(cfg.has_exit_port);
	EXPECT_EQ(0xf4, cfg.exit_port);
	h.exit_port = 0;
	EXPECT_FAIL(SHIM_ERANGE,
		    "host device tree: /openhcl/debug-exit-port: 0x0 is not an I/O port (1..0xffff)");
	h.exit_port = 0x10000;
	EXPECT_FAIL(SHIM_ERANGE,
		    "host device tree: /openhcl/debug-exit-port: 0x10000 is not an I/O port");
	h.exit_port = 0xf4;
	h.exit_port_len = 8;
	EXPECT_FAIL(SHIM_EINVAL,
		    "host device tree: /openhcl/debug-exit-port: 8 bytes, expected 4");
}

TEST(host_dt_entropy)
{
	struct hcl_dt_input in;
	struct host_dt h;
	const uint8_t *p;
	int len, node;

	defaults(&h);
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	EXPECT_EQ(0, cfg.entropy_len);
	h.entropy_len = 64;
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	ASSERT_EQ(64, cfg.entropy_len);
	EXPECT_EQ(1, cfg.entropy[0]);
	EXPECT_EQ((uint8_t)(63 * 37 + 1), cfg.entropy[63]);

	/* passed on to Linux's tree byte for byte */
	memset(&in, 0, sizeof(in));
	in.host = &cfg;
	in.bootargs = "";
	ASSERT_GT(hcl_dt_build(&in, dtbuf, sizeof(dtbuf), errbuf,
			       sizeof(errbuf)), 0) TH_LOG("%s", errbuf);
	node = fdt_path_offset(dtbuf, "/openhcl");
	ASSERT_GE(node, 0);
	p = fdt_getprop(dtbuf, node, "entropy", &len);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(64, len);
	EXPECT_EQ(0, memcmp(p, cfg.entropy, 64));

	h.entropy_len = 0;
	EXPECT_FAIL(SHIM_EINVAL,
		    "host device tree: /openhcl/entropy: 0 bytes, expected 1..256");
	h.entropy_len = OPENHCL_DT_ENTROPY_MAX + 1;
	EXPECT_FAIL(SHIM_EINVAL,
		    "host device tree: /openhcl/entropy: 257 bytes, expected 1..256");
	h.entropy_len = OPENHCL_DT_ENTROPY_MAX;
	EXPECT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
}

/* ---- host device tree: the host channel's UART ----------------------------- */

TEST(host_dt_host_channel)
{
	struct hcl_dt_input in;
	struct host_dt h;
	const fdt32_t *p;
	int len, node;

	defaults(&h);
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	EXPECT_FALSE(cfg.has_host_channel);
	h.chan_len = 8;
	h.chan[0] = 0x2f8;
	h.chan[1] = 3;
	h.serial = true;
	h.serial_reg[0] = 1;
	h.serial_reg[1] = 0x3f8;
	h.serial_reg[2] = 8;
	h.exit_port_len = 4;
	h.exit_port = 0xf4;
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	EXPECT_TRUE(cfg.has_host_channel);
	EXPECT_EQ(0x2f8, cfg.host_channel_port);
	EXPECT_EQ(3, cfg.host_channel_irq);

	/* passed on to Linux's tree under /openhcl */
	memset(&in, 0, sizeof(in));
	in.host = &cfg;
	in.bootargs = "";
	ASSERT_GT(hcl_dt_build(&in, dtbuf, sizeof(dtbuf), errbuf,
			       sizeof(errbuf)), 0) TH_LOG("%s", errbuf);
	node = fdt_path_offset(dtbuf, "/openhcl");
	ASSERT_GE(node, 0);
	p = fdt_getprop(dtbuf, node, "host-channel", &len);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(8, len);
	EXPECT_EQ(0x2f8u, fdt32_to_cpu(p[0]));
	EXPECT_EQ(3u, fdt32_to_cpu(p[1]));

	h.chan_len = 4;
	EXPECT_FAIL(SHIM_EINVAL,
		    "host device tree: /openhcl/host-channel: 4 bytes, expected 8 (<io-port irq>)");
	h.chan_len = 8;
	h.chan[0] = 0;
	EXPECT_FAIL(SHIM_ERANGE,
		    "host device tree: /openhcl/host-channel: I/O ports 0x0+8 outside 1..0xffff");
	h.chan[0] = 0xfff9;
	EXPECT_FAIL(SHIM_ERANGE, "host device tree: /openhcl/host-channel: I/O ports 0xfff9+8");
	h.chan[0] = 0x2f8;
	h.chan[1] = 16;
	EXPECT_FAIL(SHIM_ERANGE,
		    "host device tree: /openhcl/host-channel: IRQ 16 is not an ISA IRQ (0..15)");
	h.chan[1] = 0;			/* polled */
	EXPECT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	h.chan[0] = 0x3fc;		/* shares the console's ports */
	EXPECT_FAIL(SHIM_EOVERLAP,
		    "host device tree: /openhcl/host-channel: I/O ports 0x3fc+8 overlap the console's 0x3f8+0x8");
	h.chan[0] = 0xf0;		/* holds the exit port */
	EXPECT_FAIL(SHIM_EOVERLAP,
		    "host device tree: /openhcl/host-channel: I/O ports 0xf0+8 hold debug-exit-port 0xf4");
}

/* the port alone, from a tree the full parser rejects */
TEST(host_dt_exit_port_of_a_bad_tree)
{
	struct host_dt h;
	int n;

	defaults(&h);
	h.exit_port_len = 4;
	h.exit_port = 0xf4;
	h.vtl0[0] = h.vtl2[0];		/* overlap: rejected */
	n = mk(&h, dtbuf, sizeof(dtbuf));
	EXPECT_GT(0, hcl_host_config_parse(dtbuf, n, &cfg, errbuf,
					   sizeof(errbuf)));
	EXPECT_EQ(0xf4, hcl_host_exit_port(dtbuf, n));
	EXPECT_EQ(0, hcl_host_exit_port(dtbuf, n - 1));	/* truncated */
	EXPECT_EQ(0, hcl_host_exit_port(dtbuf + 1, n));	/* unaligned */
	EXPECT_EQ(0, hcl_host_exit_port(NULL, n));
	h.exit_port_len = 0;
	n = mk(&h, dtbuf, sizeof(dtbuf));
	EXPECT_EQ(0, hcl_host_exit_port(dtbuf, n));
	h.exit_port_len = 4;
	h.exit_port = 0x10000;
	n = mk(&h, dtbuf, sizeof(dtbuf));
	EXPECT_EQ(0, hcl_host_exit_port(dtbuf, n));
	dtbuf[0] ^= 1;
	EXPECT_EQ(0, hcl_host_exit_port(dtbuf, n));
}

/* ---- the Linux device tree: what the handoff adds ------------------------ */

TEST(linux_dt_handoff_additions)
{
	const struct hcl_mem_entry ex[] = {
		{ OPENHCL_MEM_VTL2_RAM, 0, 0x9f000 },
		{ OPENHCL_MEM_VTL2_RESERVED, 240 * MiB, 3 * 0x1000 },
	};
	struct hcl_dt_input in;
	struct host_dt h;
	const void *p;
	int node, len, n;

	defaults(&h);
	h.exit_port_len = 4;
	h.exit_port = 0xf4;
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	input(&in);
	in.extra = ex;
	in.nextra = 2;
	in.vtl0_image.base = 240 * MiB;
	in.vtl0_image.size = 0x2345;
	n = hcl_dt_build(&in, linux_dt, sizeof(linux_dt), errbuf,
			 sizeof(errbuf));
	ASSERT_GT(n, 0) TH_LOG("%s", errbuf);

	/* the low RAM is a second /memory node and VTL2 RAM in the map */
	node = fdt_path_offset(linux_dt, "/memory@0");
	ASSERT_GE(node, 0);
	p = prop(node, "reg", &len);
	ASSERT_EQ(16, len);
	EXPECT_EQ(0, cell64(p, 0));
	EXPECT_EQ(0x9f000, cell64(p, 2));
	EXPECT_GE(fdt_path_offset(linux_dt, "/memory@8000000"), 0);
	EXPECT_GT(0, fdt_path_offset(linux_dt, "/reserved-memory/reserved@0"));
	EXPECT_GE(fdt_path_offset(linux_dt,
				  "/reserved-memory/reserved@f000000"), 0);

	node = fdt_path_offset(linux_dt, "/openhcl");
	ASSERT_GE(node, 0);
	p = prop(node, "memory-map", &len);
	ASSERT_GE(len, 3 * 20);
	EXPECT_EQ(OPENHCL_MEM_VTL2_RAM, cell(p, 0));
	EXPECT_EQ(0, cell64(p, 1));
	EXPECT_EQ(0x9f000, cell64(p, 3));
	EXPECT_EQ(OPENHCL_MEM_UNASSIGNED, cell(p, 5));
	EXPECT_EQ(0x9f000, cell64(p, 6));
	p = prop(node, "vtl0-image", &len);
	ASSERT_EQ(16, len);
	EXPECT_EQ(240 * MiB, cell64(p, 0));
	EXPECT_EQ(0x2345, cell64(p, 2));
	p = prop(node, "debug-exit-port", &len);
	ASSERT_EQ(4, len);
	EXPECT_EQ(0xf4, cell(p, 0));

	/* handoff-tsc: 0 until set in place, nothing else moves */
	node = fdt_path_offset(linux_dt, "/openhcl/timestamps");
	ASSERT_GE(node, 0);
	p = prop(node, "handoff-tsc", &len);
	ASSERT_EQ(8, len);
	EXPECT_EQ(0, cell64(p, 0));
	EXPECT_EQ(0, hcl_dt_set_tsc(linux_dt, OPENHCL_DT_TS_HANDOFF, 0x1122334455667788ull));
	EXPECT_EQ(n, fdt_totalsize(linux_dt));
	p = prop(node, "handoff-tsc", &len);
	EXPECT_EQ(0x1122334455667788ull, cell64(p, 0));
	p = prop(node, "shim-tsc", &len);
	EXPECT_EQ(0xabcdef01234ull, cell64(p, 0));

	/* without a VTL0 image or exit port, neither property */
	h.exit_port_len = 0;
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	in.vtl0_image.size = 0;
	ASSERT_GT(hcl_dt_build(&in, linux_dt, sizeof(linux_dt), errbuf,
			       sizeof(errbuf)), 0);
	node = fdt_path_offset(linux_dt, "/openhcl");
	EXPECT_EQ(NULL, fdt_getprop(linux_dt, node, "vtl0-image", &len));
	EXPECT_EQ(NULL, fdt_getprop(linux_dt, node, "debug-exit-port", &len));
	EXPECT_EQ(-FDT_ERR_NOTFOUND, hcl_dt_set_tsc(dtbuf, OPENHCL_DT_TS_HANDOFF, 1));
}

TEST(linux_dt_vtl2_ram_extra_rules)
{
	struct hcl_mem_entry bad = { OPENHCL_MEM_VTL2_RAM, 0, 0x9f000 };
	struct hcl_dt_input in;
	struct host_dt h;

	defaults(&h);
	h.vtl0[0] = 0;		/* VTL0 takes the low RAM */
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	input(&in);
	in.extra = &bad;
	in.nextra = 1;
	EXPECT_EQ(SHIM_EOUTSIDE, hcl_dt_build(&in, linux_dt, sizeof(linux_dt),
					      errbuf, sizeof(errbuf)));
	EXPECT_STREQ("Linux device tree: extra range 0: vtl2-ram 0x0+0x9f000 is not RAM outside the VTL2 and VTL0 ranges", errbuf);
	defaults(&h);
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	bad.base = 3 * GiB;	/* the MMIO hole */
	EXPECT_EQ(SHIM_EOUTSIDE, hcl_dt_build(&in, linux_dt, sizeof(linux_dt),
					      errbuf, sizeof(errbuf)));
	bad.base = 128 * MiB;	/* inside VTL2 */
	EXPECT_EQ(SHIM_EOUTSIDE, hcl_dt_build(&in, linux_dt, sizeof(linux_dt),
					      errbuf, sizeof(errbuf)));
	in.nextra = 0;
	in.vtl0_image.base = 255 * MiB;
	in.vtl0_image.size = 2 * MiB;
	EXPECT_EQ(SHIM_EOUTSIDE, hcl_dt_build(&in, linux_dt, sizeof(linux_dt),
					      errbuf, sizeof(errbuf)));
	EXPECT_STREQ("Linux device tree: vtl0-image 0xff00000+0x200000 is not inside the VTL2 range", errbuf);
}

/* ---- the IGVM parameter block -------------------------------------------- */

#define VB HCL_IGVM_VTL2_BASE
#define SHIM_BASE (VB + HCL_IGVM_OFF_SHIM)

/* the block igvmtool writes for a 128 MiB VTL2 range (igvm_layout.h) */
static void good_params(struct hcl_igvm_params *p)
{
	shim_inputs_params(p, 0x2345);
}

static int pcheck(const struct hcl_igvm_params *p)
{
	return hcl_params_check(p, VB, SHIM_BASE,
				SHIM_BASE + SHIM_INPUTS_SHIM_SIZE, errbuf,
				sizeof(errbuf));
}

#define EXPECT_PARAMS(code, prefix) do {				\
	int rc_ = pcheck(&p);						\
	EXPECT_EQ(code, rc_) TH_LOG("%s: %s", shim_err_name(rc_), errbuf); \
	EXPECT_TRUE(starts(errbuf, prefix)) TH_LOG("got: %s", errbuf);	\
	good_params(&p);						\
} while (0)

TEST(params_good)
{
	struct hcl_igvm_params p;

	good_params(&p);
	EXPECT_EQ(0, pcheck(&p)) TH_LOG("%s", errbuf);
	/* no initrd, no VTL0 image */
	p.initrd.size = 0;
	p.vtl0_image.size = 0;
	EXPECT_EQ(0, pcheck(&p)) TH_LOG("%s", errbuf);
}

TEST(params_each_rule)
{
	struct hcl_igvm_params p;

	good_params(&p);
	p.magic++;
	EXPECT_PARAMS(SHIM_EINVAL, "parameter block: magic 0x504c4349, expected 0x504c4348");
	p.version = 2;
	EXPECT_PARAMS(SHIM_EINVAL, "parameter block: version 2, this shim reads version 1");
	p.size = 8;
	EXPECT_PARAMS(SHIM_EINVAL, "parameter block: size 8, expected 280");
	p.flags = 1;
	EXPECT_PARAMS(SHIM_EINVAL, "parameter block: flags 0x1, expected 0");
	p.reserved[0] = 5;
	EXPECT_PARAMS(SHIM_EINVAL, "parameter block: reserved word 0 is 0x5");
	p.sidecar.gpa = VB + HCL_IGVM_OFF_SIDECAR + 4096;
	p.sidecar.size = 4096;
	EXPECT_PARAMS(SHIM_EINVAL, "parameter block: sidecar 0x8041000+0x1000 is not at offset 0x40000");
	p.sidecar.gpa = VB + HCL_IGVM_OFF_SIDECAR;
	p.sidecar.size = HCL_IGVM_SIDECAR_MAX + 4096;
	EXPECT_PARAMS(SHIM_EINVAL, "parameter block: sidecar 0x8040000+0xc1000");
	p.sidecar.gpa = VB + HCL_IGVM_OFF_SIDECAR;
	p.sidecar.size = 4096;
	EXPECT_EQ(0, pcheck(&p)) TH_LOG("%s", errbuf);
	good_params(&p);
	p.vtl2.size = 3 * MiB;
	EXPECT_PARAMS(SHIM_ERANGE, "parameter block: VTL2 range 0x8000000+0x300000 is empty, not 2 MiB aligned or ends above 0x200000000");
	p.vtl2.size = 8 * GiB;
	EXPECT_PARAMS(SHIM_ERANGE, "parameter block: VTL2 range");
	EXPECT_EQ(SHIM_EINVAL, hcl_params_check(&p, VB + 4096, SHIM_BASE,
						SHIM_BASE, errbuf,
						sizeof(errbuf)));
	EXPECT_STREQ("parameter block: found at 0x8001000, the VTL2 range starts at 0x8000000", errbuf);
	EXPECT_EQ(SHIM_EINVAL, hcl_params_check(&p, VB, SHIM_BASE + 4096,
						SHIM_BASE, errbuf,
						sizeof(errbuf)));
	EXPECT_STREQ("parameter block: shim at 0x8100000, but this shim is linked at 0x8101000", errbuf);
	p.shim_entry = SHIM_BASE + 0x36000;
	EXPECT_PARAMS(SHIM_EOUTSIDE, "parameter block: shim entry 0x8136000 is outside the shim");
	p.command_line.size = 4096;
	EXPECT_PARAMS(SHIM_ERANGE, "parameter block: static command line of 4096 bytes, at most 4095");
	p.kernel.gpa += 4096;
	EXPECT_PARAMS(SHIM_ERANGE, "parameter block: kernel 0x8201000+0xa0007b is empty or not 2 MiB aligned");
	p.kernel.size = 0;
	EXPECT_PARAMS(SHIM_ERANGE, "parameter block: kernel 0x8200000+0x0 is empty");
	p.kernel_reserve = 0x1000;
	EXPECT_PARAMS(SHIM_ERANGE, "parameter block: kernel area of 0x1000 bytes for a 0xa0007b-byte kernel");
	p.stack_top -= 16;
	EXPECT_PARAMS(SHIM_EINVAL, "parameter block: stack top 0x8010ff0 is not the end of the stack");
	p.vp_count_gpa = p.memory_map.gpa;
	EXPECT_PARAMS(SHIM_EOUTSIDE, "parameter block: VP count at 0x8020000 is not at offset 0xff8");
	p.device_tree.size = 0;
	EXPECT_PARAMS(SHIM_ERANGE, "parameter block: host device tree area (0x0 bytes)");
	p.initrd.gpa += 1;
	EXPECT_PARAMS(SHIM_ERANGE, "parameter block: initrd at 0xa45e001 is not 4 KiB aligned");
	p.free.size += 4096;
	EXPECT_PARAMS(SHIM_EOUTSIDE, "parameter block: free memory 0xaa61000+0x55a0000 is not inside the VTL2 range 0x8000000+0x8000000");
	p.initrd.gpa -= 4096;	/* into the kernel area */
	EXPECT_PARAMS(SHIM_EOVERLAP, "parameter block: initrd 0xa45d000+0x500007 overlaps kernel area 0x8200000+0x225e000");
	/* the shim's .bss running into the kernel */
	EXPECT_EQ(SHIM_EOVERLAP, hcl_params_check(&p, VB, SHIM_BASE,
						  SHIM_BASE + 2 * MiB,
						  errbuf, sizeof(errbuf)));
	EXPECT_STREQ("parameter block: kernel area 0x8200000+0x225e000 overlaps shim 0x8100000+0x200000", errbuf);
	p.gdt.gpa = p.stack.gpa;
	EXPECT_PARAMS(SHIM_EOVERLAP, "parameter block: stack 0x800d000+0x4000 overlaps GDT");
}

/* ---- the IGVM memory map, VP count and host command line ----------------- */

static uint8_t area0[4096];

static void mm_put(int i, uint64_t base, uint64_t size, uint16_t type)
{
	shim_inputs_mm_put(area0, i, base, size, type);
}

static struct hcl_igvm_memmap mm;

static int mm_parse(void)
{
	return hcl_igvm_memmap_parse(area0, sizeof(area0), &mm, errbuf,
				     sizeof(errbuf));
}

/* the memory map matching defaults(): [0, 3G) and [4G, 5G) */
static void mm_good(void)
{
	memset(area0, 0, sizeof(area0));
	mm_put(0, 0, 128 * MiB, HCL_IGVM_MM_MEMORY);
	mm_put(1, 128 * MiB, 128 * MiB, HCL_IGVM_MM_VTL2_PROTECTABLE);
	mm_put(2, 256 * MiB, 3 * GiB - 256 * MiB, HCL_IGVM_MM_MEMORY);
	mm_put(3, 3 * GiB + 0x10000000, 0x1000, HCL_IGVM_MM_PLATFORM_RESERVED);
	mm_put(4, 4 * GiB, GiB, HCL_IGVM_MM_MEMORY);
}

TEST(memmap_parse_and_cross_check)
{
	struct hcl_igvm_params p;
	struct host_dt h;

	defaults(&h);
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	good_params(&p);
	mm_good();
	ASSERT_EQ(0, mm_parse()) TH_LOG("%s", errbuf);
	EXPECT_EQ(5, mm.nentries);
	ASSERT_EQ(2, mm.nram);
	EXPECT_EQ(0, mm.ram[0].base);
	EXPECT_EQ(3 * GiB, mm.ram[0].size);
	EXPECT_EQ(4 * GiB, mm.ram[1].base);
	EXPECT_EQ(0, hcl_igvm_cross_check(&p, &mm, 4, &cfg, errbuf,
					  sizeof(errbuf))) TH_LOG("%s", errbuf);

	EXPECT_EQ(SHIM_ECPU, hcl_igvm_cross_check(&p, &mm, 3, &cfg, errbuf,
						  sizeof(errbuf)));
	EXPECT_STREQ("VP count parameter 3, but the host device tree lists 4 CPUs", errbuf);
	p.vtl2.size = 64 * MiB;
	EXPECT_EQ(SHIM_EINVAL, hcl_igvm_cross_check(&p, &mm, 4, &cfg, errbuf,
						   sizeof(errbuf)));
	EXPECT_STREQ("host device tree: vtl2-range 0x8000000+0x8000000 is not the image's VTL2 range 0x8000000+0x4000000", errbuf);
	good_params(&p);

	/* RAM the host DT does not have, and the other way round */
	mm_put(5, 6 * GiB, GiB, HCL_IGVM_MM_MEMORY);
	ASSERT_EQ(0, mm_parse());
	EXPECT_EQ(SHIM_EINVAL, hcl_igvm_cross_check(&p, &mm, 4, &cfg, errbuf,
						   sizeof(errbuf)));
	EXPECT_STREQ("IGVM memory map: RAM 0x180000000+0x40000000 is not in the host device tree", errbuf);
	mm_put(5, 0, 0, 0);
	mm_put(4, 4 * GiB, GiB / 2, HCL_IGVM_MM_MEMORY);
	ASSERT_EQ(0, mm_parse());
	EXPECT_EQ(SHIM_EINVAL, hcl_igvm_cross_check(&p, &mm, 4, &cfg, errbuf,
						   sizeof(errbuf)));
	EXPECT_STREQ("IGVM memory map: RAM differs from the host device tree's at 0x100000000+0x40000000", errbuf);
}

TEST(memmap_each_rule)
{
	struct hcl_igvm_mm_entry e;

	memset(area0, 0, sizeof(area0));
	EXPECT_EQ(SHIM_EMISSING, mm_parse());
	EXPECT_STREQ("IGVM memory map: no entries (the host left parameter area 0 empty)", errbuf);
	mm_put(0, 0, 4096, HCL_IGVM_MM_PLATFORM_RESERVED);
	EXPECT_EQ(SHIM_EMISSING, mm_parse());
	EXPECT_STREQ("IGVM memory map: no RAM entry", errbuf);
	mm_put(0, 0, 4096, 6);
	EXPECT_EQ(SHIM_EINVAL, mm_parse());
	EXPECT_STREQ("IGVM memory map: entry 0: type 6, flags 0x0, reserved 0x0 (known types 0..5, the rest 0)", errbuf);
	mm_good();
	memcpy(&e, area0 + 24, sizeof(e));
	e.flags = 1;
	memcpy(area0 + 24, &e, sizeof(e));
	EXPECT_EQ(SHIM_EINVAL, mm_parse());
	mm_good();
	mm_put(2, 64 * MiB, 4096, HCL_IGVM_MM_MEMORY);
	EXPECT_EQ(SHIM_EOVERLAP, mm_parse());
	EXPECT_STREQ("IGVM memory map: entry 2 at 0x4000000 is not above the previous entry's end 0x10000000", errbuf);
	mm_good();
	e = (struct hcl_igvm_mm_entry){ (1ull << 40) - 1, 2, 0, 0, 0 };
	memcpy(area0 + 5 * 24, &e, sizeof(e));
	EXPECT_EQ(SHIM_ERANGE, mm_parse());
	EXPECT_STREQ("IGVM memory map: entry 5: pages 0xffffffffff+0x2 reach beyond 2^52", errbuf);

	/* a full area: the VP count word bounds the list */
	memset(area0, 0, sizeof(area0));
	for (unsigned int i = 0; i < HCL_IGVM_MM_MAX; i++)
		mm_put(i, (uint64_t)i * 2 * 4096, 4096, HCL_IGVM_MM_MEMORY);
	memset(area0 + HCL_IGVM_VP_COUNT_OFFSET, 0xff, 8);
	ASSERT_EQ(0, mm_parse()) TH_LOG("%s", errbuf);
	EXPECT_EQ(HCL_IGVM_MM_MAX, mm.nentries);
	EXPECT_EQ(HCL_IGVM_MM_MAX, mm.nram);
}

TEST(host_cmdline_area)
{
	char area[8] = "abc";
	const char *line;

	EXPECT_EQ(3, hcl_igvm_host_cmdline(area, sizeof(area), &line, errbuf,
					   sizeof(errbuf)));
	EXPECT_EQ((const char *)area, line);
	memset(area, 'x', sizeof(area));
	EXPECT_EQ(SHIM_ECMDLINE, hcl_igvm_host_cmdline(area, sizeof(area),
						       &line, errbuf,
						       sizeof(errbuf)));
	EXPECT_STREQ("host command line: no NUL within the 8-byte parameter area", errbuf);
	EXPECT_EQ(NULL, line);
}

/* ---- the x86 boot protocol ----------------------------------------------- */

static uint8_t bzimage[0x8000];

/* a setup header like the VTL2 kernel's: 39 setup sectors, 2.15 */
static void good_bzimage(void)
{
	memset(bzimage, 0x5a, sizeof(bzimage));
	shim_inputs_bzimage(bzimage, 39);
	/* the fields a loader writes start out zero */
	put_le(bzimage, HCL_BP_TYPE_OF_LOADER, 0, 1);
	put_le(bzimage, HCL_BP_CMD_LINE_PTR, 0, 4);
	put_le(bzimage, HCL_BP_RAMDISK_IMAGE, 0, 8);
	put_le(bzimage, HCL_BP_SETUP_DATA, 0, 8);
	put_le(bzimage, HCL_BP_PREF_ADDRESS, 0x1000000, 8);
}

static struct hcl_bzimage bz;

static int bz_parse(void)
{
	return hcl_bzimage_parse(bzimage, sizeof(bzimage), &bz, errbuf,
				 sizeof(errbuf));
}

TEST(bzimage_good)
{
	good_bzimage();
	ASSERT_EQ(0, bz_parse()) TH_LOG("%s", errbuf);
	EXPECT_EQ(40 * 512, bz.setup_size);
	EXPECT_EQ(0x26c, bz.hdr_end);
	EXPECT_EQ(0x225d000, bz.init_size);
	EXPECT_EQ(0x200000, bz.kernel_alignment);
	EXPECT_EQ(0x20f, bz.version);
	EXPECT_EQ(2047, bz.cmdline_size);
	EXPECT_EQ(0, hcl_bzimage_check_load(&bz, 130 * MiB, 0x225e000,
					    errbuf, sizeof(errbuf)));
	EXPECT_EQ(SHIM_EINVAL, hcl_bzimage_check_load(&bz, 129 * MiB,
						      0x225e000, errbuf,
						      sizeof(errbuf)));
	EXPECT_STREQ("kernel: load address 0x8100000 is not a multiple of kernel_alignment 0x200000", errbuf);
	EXPECT_EQ(SHIM_ERANGE, hcl_bzimage_check_load(&bz, 130 * MiB,
						      0x1000000, errbuf,
						      sizeof(errbuf)));
	EXPECT_STREQ("kernel: needs 0x225d000 bytes (init_size) and 0x3000 (protected-mode part) at 0x8200000, the image keeps 0x1000000 free there", errbuf);
	/* below LOAD_PHYSICAL_ADDR it would decompress elsewhere */
	EXPECT_EQ(0x1000000, bz.pref_address);
	EXPECT_EQ(SHIM_ERANGE, hcl_bzimage_check_load(&bz, 14 * MiB,
						      0x225e000, errbuf,
						      sizeof(errbuf)));
	EXPECT_STREQ("kernel: load address 0xe00000 is below the preferred address 0x1000000, where the kernel would decompress instead", errbuf);
	/* setup_sects 0 means 4 */
	bzimage[HCL_BP_SETUP_SECTS] = 0;
	ASSERT_EQ(0, bz_parse()) TH_LOG("%s", errbuf);
	EXPECT_EQ(5 * 512, bz.setup_size);
}

#define EXPECT_BZ(code, msg) do {					\
	int rc_ = bz_parse();						\
	EXPECT_EQ(code, rc_) TH_LOG("%s: %s", shim_err_name(rc_), errbuf); \
	EXPECT_STREQ(msg, errbuf);					\
	good_bzimage();							\
} while (0)

TEST(bzimage_each_rule)
{
	good_bzimage();
	EXPECT_EQ(SHIM_EINVAL, hcl_bzimage_parse(bzimage, 0x200, &bz, errbuf,
						 sizeof(errbuf)));
	EXPECT_STREQ("kernel: 512 bytes, too small for a bzImage", errbuf);
	bzimage[HCL_BP_HEADER] = 'X';
	EXPECT_BZ(SHIM_EINVAL, "kernel: not a bzImage (no \"HdrS\" at 0x202 or no 0xaa55 at 0x1fe)");
	bzimage[HCL_BP_BOOT_FLAG] = 0;
	EXPECT_BZ(SHIM_EINVAL, "kernel: not a bzImage (no \"HdrS\" at 0x202 or no 0xaa55 at 0x1fe)");
	put_le(bzimage, HCL_BP_VERSION, 0x20b, 2);
	EXPECT_BZ(SHIM_EINVAL, "kernel: boot protocol 0x20b, need 0x20c (2.12) or newer");
	put_le(bzimage, HCL_BP_XLOADFLAGS, 0x7e, 2);
	EXPECT_BZ(SHIM_EINVAL, "kernel: no 64-bit entry point (xloadflags 0x7e)");
	bzimage[HCL_BP_LOADFLAGS] = 0x80;
	EXPECT_BZ(SHIM_EINVAL, "kernel: not loadable high (loadflags 0x80)");
	bzimage[HCL_BP_RELOCATABLE] = 0;
	EXPECT_BZ(SHIM_EINVAL, "kernel: not relocatable");
	put_le(bzimage, HCL_BP_KERNEL_ALIGNMENT, 0x300000, 4);
	EXPECT_BZ(SHIM_EINVAL, "kernel: kernel_alignment 0x300000 is not a power of two from 4 KiB to 1 GiB");
	bzimage[HCL_BP_SETUP_SECTS] = 64;	/* 65 * 512 > the file */
	EXPECT_BZ(SHIM_EINVAL, "kernel: setup of 0x8200 bytes with its header ending at 0x26c does not fit the 0x8000-byte file");
	bzimage[HCL_BP_JUMP_LEN] = 0x10;	/* header too short */
	EXPECT_BZ(SHIM_EINVAL, "kernel: setup of 0x5000 bytes with its header ending at 0x212 does not fit the 0x8000-byte file");
	put_le(bzimage, HCL_BP_INIT_SIZE, 0, 4);
	EXPECT_BZ(SHIM_EINVAL, "kernel: init_size is 0");
}

TEST(low_ram)
{
	struct hcl_host_range low;
	struct host_dt h;

	defaults(&h);
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	ASSERT_EQ(0, hcl_low_ram(&cfg, &low, errbuf, sizeof(errbuf)));
	EXPECT_EQ(0, low.base);
	EXPECT_EQ(HCL_LOW_RAM_END, low.size);

	/* VTL0 takes [0x40000, ...): the part below it is too small */
	h.vtl0[0] = 0x40000;
	h.vtl0[1] = 64 * MiB;
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	ASSERT_EQ(0, hcl_low_ram(&cfg, &low, errbuf, sizeof(errbuf)));
	EXPECT_EQ(0, low.base);
	EXPECT_EQ(0x40000, low.size);
	h.vtl0[0] = 0x1f000;
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	EXPECT_EQ(SHIM_EMISSING, hcl_low_ram(&cfg, &low, errbuf,
					     sizeof(errbuf)));
	EXPECT_STREQ("no RAM below 0x9f000 outside VTL0 for Linux's real-mode trampoline: need 0x10000 bytes above 0x10000", errbuf);

	/* VTL0 in the middle of low memory: the larger side is kept */
	h.vtl0[0] = 0x10000;
	h.vtl0[1] = 0x10000;
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	ASSERT_EQ(0, hcl_low_ram(&cfg, &low, errbuf, sizeof(errbuf)));
	EXPECT_EQ(0x20000, low.base);
	EXPECT_EQ(HCL_LOW_RAM_END - 0x20000, low.size);

	/* no RAM below 1 MiB at all */
	defaults(&h);
	h.mem[0][0] = 1 * MiB;
	h.mem[0][1] = 3 * GiB - MiB;
	ASSERT_EQ(0, parse(&h)) TH_LOG("%s", errbuf);
	EXPECT_EQ(SHIM_EMISSING, hcl_low_ram(&cfg, &low, errbuf,
					     sizeof(errbuf)));
}

TEST(e820_and_boot_params)
{
	const struct hcl_mem_entry m[] = {
		{ OPENHCL_MEM_VTL2_RAM, 0, 0x9f000 },
		{ OPENHCL_MEM_UNASSIGNED, 0x9f000, 128 * MiB - 0x9f000 },
		{ OPENHCL_MEM_VTL2_RAM, 128 * MiB, 100 * MiB },
		{ OPENHCL_MEM_VTL2_RESERVED, 228 * MiB, MiB },
		{ OPENHCL_MEM_SIDECAR, 229 * MiB, MiB },
		{ OPENHCL_MEM_VTL2_RAM, 230 * MiB, 26 * MiB },
		{ OPENHCL_MEM_VTL0_RAM, 256 * MiB, 64 * MiB },
		{ OPENHCL_MEM_MMIO, 0xfee00000ull, 0x1000 },
	};
	static uint8_t bp[HCL_BP_SIZE];
	struct hcl_e820_entry e[8];
	struct hcl_boot_in in;
	int n;

	n = hcl_e820_from_map(m, 8, e, 8, errbuf, sizeof(errbuf));
	ASSERT_EQ(4, n) TH_LOG("%s", errbuf);
	EXPECT_EQ(0, e[0].addr);
	EXPECT_EQ(0x9f000, e[0].size);
	EXPECT_EQ(HCL_E820_RAM, e[0].type);
	EXPECT_EQ(128 * MiB, e[1].addr);
	EXPECT_EQ(100 * MiB, e[1].size);
	EXPECT_EQ(228 * MiB, e[2].addr);
	EXPECT_EQ(2 * MiB, e[2].size);		/* reserved + sidecar merged */
	EXPECT_EQ(HCL_E820_RESERVED, e[2].type);
	EXPECT_EQ(230 * MiB, e[3].addr);
	EXPECT_EQ(HCL_E820_RAM, e[3].type);
	EXPECT_EQ(SHIM_ETOOMANY, hcl_e820_from_map(m, 8, e, 3, errbuf,
						   sizeof(errbuf)));
	EXPECT_STREQ("e820: more than 3 entries", errbuf);
	EXPECT_EQ(SHIM_EMISSING, hcl_e820_from_map(m + 6, 2, e, 8, errbuf,
						   sizeof(errbuf)));

	good_bzimage();
	ASSERT_EQ(0, bz_parse());
	memset(&in, 0, sizeof(in));
	in.image = bzimage;
	in.bz = &bz;
	in.cmdline_gpa = 0x123456789ull;
	in.cmdline_len = 2047;
	in.initrd_gpa = 0x1aabbc000ull;
	in.initrd_size = 0x100001234ull;
	in.setup_data_gpa = 0x8113000;
	in.e820 = e;
	in.ne820 = (uint32_t)n;
	memset(bp, 0xee, sizeof(bp));
	ASSERT_EQ(0, hcl_boot_params_fill(bp, &in, errbuf, sizeof(errbuf)))
		TH_LOG("%s", errbuf);
	/* zeroed outside the header and what is set */
	EXPECT_EQ(0, get_le(bp, 0, 8));
	EXPECT_EQ(0, bp[HCL_BP_SENTINEL]);
	EXPECT_EQ(0, bp[0x26c]);
	/* the header, copied */
	EXPECT_EQ(0, memcmp(bp + 0x1f1, bzimage + 0x1f1, 0x210 - 0x1f1));
	EXPECT_EQ(0x225d000, get_le(bp, HCL_BP_INIT_SIZE, 4));
	EXPECT_EQ(HCL_BZ_MAGIC, get_le(bp, HCL_BP_HEADER, 4));
	EXPECT_EQ(0x5a, bp[0x26b]);
	/* what the loader sets */
	EXPECT_EQ(0xff, bp[HCL_BP_TYPE_OF_LOADER]);
	EXPECT_EQ(0x23456789, get_le(bp, HCL_BP_CMD_LINE_PTR, 4));
	EXPECT_EQ(1, get_le(bp, HCL_BP_EXT_CMD_LINE_PTR, 4));
	EXPECT_EQ(0xaabbc000, get_le(bp, HCL_BP_RAMDISK_IMAGE, 4));
	EXPECT_EQ(1, get_le(bp, HCL_BP_EXT_RAMDISK_IMAGE, 4));
	EXPECT_EQ(0x1234, get_le(bp, HCL_BP_RAMDISK_SIZE, 4));
	EXPECT_EQ(1, get_le(bp, HCL_BP_EXT_RAMDISK_SIZE, 4));
	EXPECT_EQ(0x8113000, get_le(bp, HCL_BP_SETUP_DATA, 8));
	EXPECT_EQ(4, bp[HCL_BP_E820_ENTRIES]);
	EXPECT_EQ(0, memcmp(bp + HCL_BP_E820_TABLE, e, 4 * 20));
	EXPECT_EQ(0, get_le(bp, HCL_BP_E820_TABLE + 4 * 20, 8));

	/* limits */
	in.cmdline_len = 2048;
	EXPECT_EQ(SHIM_ECMDLINE, hcl_boot_params_fill(bp, &in, errbuf,
						      sizeof(errbuf)));
	EXPECT_STREQ("kernel: command line of 2048 bytes, the kernel takes 2047", errbuf);
	in.cmdline_len = 1;
	bz.xloadflags &= ~HCL_XLF_ABOVE_4G;
	EXPECT_EQ(SHIM_ERANGE, hcl_boot_params_fill(bp, &in, errbuf,
						    sizeof(errbuf)));
	EXPECT_STREQ("kernel: initrd ends at 0x2aabbd234, above initrd_addr_max 0x7fffffff", errbuf);
	in.initrd_size = 0;
	in.ne820 = 0;
	EXPECT_EQ(SHIM_ETOOMANY, hcl_boot_params_fill(bp, &in, errbuf,
						      sizeof(errbuf)));
	in.ne820 = 1;
	ASSERT_EQ(0, hcl_boot_params_fill(bp, &in, errbuf, sizeof(errbuf)));
	EXPECT_EQ(0, get_le(bp, HCL_BP_RAMDISK_IMAGE, 4));
	EXPECT_EQ(0, get_le(bp, HCL_BP_RAMDISK_SIZE, 4));
}

/* found by fuzz_linux_boot: the file's own initrd fields reached Linux */
TEST(boot_params_no_initrd_ignores_the_file)
{
	const struct hcl_e820_entry e = { 128 * MiB, 128 * MiB, HCL_E820_RAM };
	static uint8_t bp[HCL_BP_SIZE];
	struct hcl_boot_in in;

	good_bzimage();
	put_le(bzimage, HCL_BP_RAMDISK_IMAGE, 0xffffffff, 4);
	put_le(bzimage, HCL_BP_RAMDISK_SIZE, 0xfd0eff, 4);
	ASSERT_EQ(0, bz_parse()) TH_LOG("%s", errbuf);
	memset(&in, 0, sizeof(in));
	in.image = bzimage;
	in.bz = &bz;
	in.cmdline_gpa = 0x8140000;
	in.cmdline_len = 10;
	in.e820 = &e;
	in.ne820 = 1;
	ASSERT_EQ(0, hcl_boot_params_fill(bp, &in, errbuf, sizeof(errbuf)))
		TH_LOG("%s", errbuf);
	EXPECT_EQ(0, get_le(bp, HCL_BP_RAMDISK_IMAGE, 8));
	EXPECT_EQ(0, get_le(bp, HCL_BP_EXT_RAMDISK_IMAGE, 8));
}

/* ---- the CPU split and the sidecar's memory (cpu_split.c) */

#define SC_GPA		(128 * MiB + HCL_IGVM_OFF_SIDECAR)
#define SC_FREE		(200 * MiB)
#define SC_FREE_SIZE	(56 * MiB)

static uint8_t sc_image[16384];

static void sc_host(struct hcl_host_config *h, uint32_t n, uint32_t boot)
{
	memset(h, 0, sizeof(*h));
	h->ncpus = n;
	h->boot_cpu = boot;
	for (uint32_t i = 0; i < n; i++)
		h->apic_id[i] = 2 * i;
}

static void sc_good_image(void)
{
	struct hcl_sidecar_image img = {
		.magic = HCL_SIDECAR_IMAGE_MAGIC,
		.version = HCL_SIDECAR_VERSION,
		.base = SC_GPA,
		.image_end = SC_GPA + 0x3100,
		.entry64 = SC_GPA + 0x480,
		.cr3 = SC_GPA + 0x1000,
	};

	memset(sc_image, 0, sizeof(sc_image));
	memcpy(sc_image, &img, sizeof(img));
}

static int sc_plan(const struct hcl_host_config *h, bool want,
		   uint64_t image_size, struct hcl_sidecar_plan *plan)
{
	struct hcl_host_range low = { 0, 0x9f000 };

	return hcl_sidecar_plan(h, want, sc_image, SC_GPA, image_size,
				SC_FREE, SC_FREE_SIZE, &low, plan, errbuf,
				sizeof(errbuf));
}

TEST(sidecar_plan_split)
{
	struct hcl_host_config h;
	struct hcl_sidecar_plan plan;

	sc_good_image();
	sc_host(&h, 4, 1);
	ASSERT_EQ(0, sc_plan(&h, true, sizeof(sc_image), &plan))
		TH_LOG("%s", errbuf);
	EXPECT_TRUE(plan.enabled);
	EXPECT_EQ(1, plan.nlinux);
	EXPECT_EQ(3, plan.nsidecar);
	EXPECT_EQ(SC_GPA, plan.image.base);
	EXPECT_EQ(0x4000, plan.image.size);	/* image_end, page rounded */
	EXPECT_EQ(SC_GPA + 0x480, plan.entry64);
	EXPECT_EQ(SC_GPA + 0x1000, plan.cr3);
	/* at the top of the free memory: control, 3 command, 3 x 9 private */
	EXPECT_EQ((1 + 3 + 3 * 9) * 4096ull, plan.region.size);
	EXPECT_EQ(SC_FREE + SC_FREE_SIZE - plan.region.size,
		  plan.region.base);

	/* every CPU to Linux: off, one CPU, no image */
	ASSERT_EQ(0, sc_plan(&h, false, sizeof(sc_image), &plan));
	EXPECT_FALSE(plan.enabled);
	EXPECT_EQ(4, plan.nlinux);
	EXPECT_EQ(0, plan.nsidecar);
	EXPECT_EQ(0, plan.region.size);
	ASSERT_EQ(0, sc_plan(&h, true, 0, &plan));
	EXPECT_FALSE(plan.enabled);
	EXPECT_EQ(4, plan.nlinux);
	sc_host(&h, 1, 0);
	ASSERT_EQ(0, sc_plan(&h, true, sizeof(sc_image), &plan));
	EXPECT_FALSE(plan.enabled);
	EXPECT_EQ(1, plan.nlinux);

	/* the most CPUs the contract has room for */
	sc_host(&h, HCL_BOOT_MAX_VPS, 0);
	ASSERT_EQ(0, sc_plan(&h, true, sizeof(sc_image), &plan))
		TH_LOG("%s", errbuf);
	EXPECT_EQ(HCL_SIDECAR_MAX_CPUS, plan.nsidecar);
	EXPECT_EQ(HCL_SIDECAR_REGION_SIZE(HCL_SIDECAR_MAX_CPUS),
		  plan.region.size);
}

TEST(sidecar_plan_rejects)
{
	struct hcl_host_config h;
	struct hcl_sidecar_plan plan;
	struct hcl_sidecar_image *img = (void *)sc_image;
	struct hcl_host_range low = { 0, 0x9f000 };
	struct hcl_host_range high = { 0x10000, 0x8f000 };
	char want[128];

	sc_host(&h, 2, 0);
	sc_good_image();
	img->magic = 0;
	EXPECT_EQ(SHIM_EINVAL, sc_plan(&h, true, sizeof(sc_image), &plan));
	snprintf(want, sizeof(want),
		 "sidecar: image magic 0x0 version %u, expected 0x4d494353 version %u",
		 HCL_SIDECAR_VERSION, HCL_SIDECAR_VERSION);
	EXPECT_STREQ(want, errbuf);
	EXPECT_FALSE(plan.enabled);
	sc_good_image();
	EXPECT_EQ(SHIM_EINVAL, sc_plan(&h, true, 16, &plan));
	EXPECT_STREQ("sidecar: image of 16 bytes has no header", errbuf);
	img->base = SC_GPA + 4096;
	EXPECT_EQ(SHIM_EOUTSIDE, sc_plan(&h, true, sizeof(sc_image), &plan));
	sc_good_image();
	img->image_end = SC_GPA + sizeof(sc_image) + 1;	/* .bss not loaded */
	EXPECT_EQ(SHIM_EOUTSIDE, sc_plan(&h, true, sizeof(sc_image), &plan));
	sc_good_image();
	img->entry64 = SC_GPA + 0x3100;
	EXPECT_EQ(SHIM_EOUTSIDE, sc_plan(&h, true, sizeof(sc_image), &plan));
	sc_good_image();
	img->cr3 = SC_GPA + 0x1008;
	EXPECT_EQ(SHIM_EOUTSIDE, sc_plan(&h, true, sizeof(sc_image), &plan));
	EXPECT_STREQ("sidecar: entry 0x8040480 or page tables 0x8041008 outside the image 0x8040000..0x8043100",
		     errbuf);

	/* no room at the top of VTL2 */
	sc_good_image();
	EXPECT_EQ(SHIM_ENOSPC,
		  hcl_sidecar_plan(&h, true, sc_image, SC_GPA, sizeof(sc_image),
				   SC_FREE, 4096, &low, &plan, errbuf,
				   sizeof(errbuf)));
	EXPECT_STREQ("sidecar: needs 0xb000 bytes for 1 CPUs, VTL2 has 0x1000 free",
		     errbuf);
	/* the trampoline page is not in the low RAM */
	EXPECT_EQ(SHIM_EOUTSIDE,
		  hcl_sidecar_plan(&h, true, sc_image, SC_GPA, sizeof(sc_image),
				   SC_FREE, SC_FREE_SIZE, &high, &plan, errbuf,
				   sizeof(errbuf)));
	EXPECT_FALSE(plan.enabled);
	EXPECT_EQ(2, plan.nlinux);
}

TEST(sidecar_control_init)
{
	static uint8_t region[HCL_SIDECAR_REGION_SIZE(3)];
	struct hcl_sidecar_control *ctl = (void *)region;
	struct hcl_host_config h;
	struct hcl_sidecar_plan plan;

	sc_good_image();
	sc_host(&h, 4, 2);
	ASSERT_EQ(0, sc_plan(&h, true, sizeof(sc_image), &plan));
	ASSERT_EQ(sizeof(region), plan.region.size);
	memset(region, 0xee, sizeof(region));
	hcl_sidecar_control_init(region, &h, &plan, HCL_SIDECAR_TEST_PF);
	EXPECT_EQ(HCL_SIDECAR_MAGIC, ctl->magic);
	EXPECT_EQ(HCL_SIDECAR_VERSION, ctl->version);
	EXPECT_EQ(3, ctl->cpu_count);
	EXPECT_EQ(HCL_SIDECAR_TEST_PF, ctl->test_fault);
	EXPECT_EQ(sizeof(region), ctl->region_size);
	/* VP order without the boot CPU (VP 2, APIC id 4) */
	EXPECT_EQ(0, ctl->cpu[0].apic_id);
	EXPECT_EQ(2, ctl->cpu[1].apic_id);
	EXPECT_EQ(6, ctl->cpu[2].apic_id);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(HCL_SIDECAR_OFFLINE, ctl->cpu[i].status);
	EXPECT_EQ(0, ctl->cpu[3].apic_id);
	/* the rest is zero: command pages and private pages */
	size_t nz = 0;

	for (size_t i = sizeof(*ctl); i < sizeof(region); i++)
		nz += region[i] != 0;
	EXPECT_EQ(0, nz);
}

TEST(sidecar_cmdline)
{
	char line[64] = "console=ttyS0";
	char full[SHIM_CMDLINE_MAX + 1];
	uint32_t kind = 9;

	ASSERT_EQ(0, shim_cmdline_append_maxcpus(line, sizeof(line), 1, errbuf,
						 sizeof(errbuf)));
	EXPECT_STREQ("console=ttyS0 maxcpus=1", line);
	ASSERT_EQ(0, shim_cmdline_append_maxcpus(line, sizeof(line), 64,
						 errbuf, sizeof(errbuf)));
	EXPECT_STREQ("console=ttyS0 maxcpus=1 maxcpus=64", line);
	EXPECT_EQ(SHIM_ECMDLINE,
		  shim_cmdline_append_maxcpus(line, 40, 1, errbuf,
					      sizeof(errbuf)));
	EXPECT_STREQ("console=ttyS0 maxcpus=1 maxcpus=64", line);
	memset(full, 'a', SHIM_CMDLINE_MAX - 10);
	full[SHIM_CMDLINE_MAX - 10] = 0;
	ASSERT_EQ(0, shim_cmdline_append_maxcpus(full, sizeof(full), 1, errbuf,
						 sizeof(errbuf)));
	EXPECT_EQ(SHIM_CMDLINE_MAX, strlen(full));
	EXPECT_EQ(SHIM_ECMDLINE,
		  shim_cmdline_append_maxcpus(full, sizeof(full), 1, errbuf,
					      sizeof(errbuf)));

	ASSERT_EQ(0, shim_cmdline_sidecar_fault("a b", &kind, errbuf,
						sizeof(errbuf)));
	EXPECT_EQ(HCL_SIDECAR_TEST_NONE, kind);
	ASSERT_EQ(0, shim_cmdline_sidecar_fault("openhcl_boot.sidecar_fault=ud",
						&kind, errbuf,
						sizeof(errbuf)));
	EXPECT_EQ(HCL_SIDECAR_TEST_UD, kind);
	ASSERT_EQ(0, shim_cmdline_sidecar_fault("openhcl_boot.sidecar_fault=de x",
						&kind, errbuf,
						sizeof(errbuf)));
	EXPECT_EQ(HCL_SIDECAR_TEST_DE, kind);
	EXPECT_GT(0, shim_cmdline_sidecar_fault("openhcl_boot.sidecar_fault=gp",
						&kind, errbuf,
						sizeof(errbuf)));
}

TEST_HARNESS_MAIN
