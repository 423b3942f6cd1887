// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the /openhcl device-tree configuration (kmod/config.c):
 * a valid map as the shim writes it, then each rule broken once, and the
 * trees the shim's own builder writes for several machines
 * (config_kunit_trees.h, generated at build time by
 * tests/user/host_openhcl_dt.c; see kmod/kmod.mk).
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include <hcl/openhcl_dt.h>

#include "hcl_kunit.h"
#include "config.h"
#include "config_kunit_trees.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define MAX_ENTRIES	8

struct cfg_case {
	__be32 map[MAX_ENTRIES * OPENHCL_DT_MAP_CELLS];
	unsigned int n;
	__be32 vtl0[OPENHCL_DT_RANGE_CELLS];
	__be32 image[OPENHCL_DT_RANGE_CELLS];
	__be32 vps;
	bool has_image, has_vps;
};

static void put64(__be32 *p, u64 v)
{
	p[0] = cpu_to_be32(upper_32_bits(v));
	p[1] = cpu_to_be32(lower_32_bits(v));
}

static void add(struct cfg_case *c, u32 type, u64 base, u64 size)
{
	__be32 *e = c->map + c->n * OPENHCL_DT_MAP_CELLS;

	e[0] = cpu_to_be32(type);
	put64(e + 1, base);
	put64(e + 3, size);
	c->n++;
}

/* the map of a 1 GiB machine as the shim describes it */
static void good(struct cfg_case *c)
{
	memset(c, 0, sizeof(*c));
	add(c, OPENHCL_MEM_VTL2_RAM, 0x1000, 0x9e000);
	add(c, OPENHCL_MEM_UNASSIGNED, 0x100000, 0x7f00000);
	add(c, OPENHCL_MEM_VTL2_RAM, 0x8000000, 0x6000000);
	add(c, OPENHCL_MEM_VTL2_RESERVED, 0xe000000, 0x2000000);
	add(c, OPENHCL_MEM_VTL0_RAM, 0x10000000, 0x30000000);
	add(c, OPENHCL_MEM_MMIO, 0xfee00000, 0x1000);
	put64(c->vtl0, 0x10000000);
	put64(c->vtl0 + 2, 0x30000000);
	put64(c->image, 0xe001000);
	put64(c->image + 2, 834);
	c->vps = cpu_to_be32(4);
	c->has_image = true;
	c->has_vps = true;
}

static int parse(struct cfg_case *c, struct hcl_config *cfg)
{
	return hcl_config_parse(c->map, c->n * OPENHCL_DT_MAP_ENTRY_SIZE,
				c->vtl0, sizeof(c->vtl0),
				c->has_image ? c->image : NULL,
				sizeof(c->image),
				c->has_vps ? &c->vps : NULL, sizeof(c->vps),
				cfg);
}

static void config_good(struct kunit *test)
{
	struct hcl_config cfg;
	struct cfg_case c;

	good(&c);
	KUNIT_ASSERT_EQ(test, parse(&c, &cfg), 0);
	KUNIT_EXPECT_EQ(test, cfg.vtl0_base, 0x10000000ULL);
	KUNIT_EXPECT_EQ(test, cfg.vtl0_size, 0x30000000ULL);
	KUNIT_EXPECT_EQ(test, cfg.image_base, 0xe001000ULL);
	KUNIT_EXPECT_EQ(test, cfg.image_size, 834ULL);
	KUNIT_EXPECT_EQ(test, cfg.vp_count, 4U);
	KUNIT_EXPECT_EQ(test, cfg.map_entries, 6U);

	/* the optional properties may be missing */
	c.has_image = false;
	c.has_vps = false;
	KUNIT_ASSERT_EQ(test, parse(&c, &cfg), 0);
	KUNIT_EXPECT_EQ(test, cfg.image_size, 0ULL);
	KUNIT_EXPECT_EQ(test, cfg.vp_count, 0U);
}

struct bad_case {
	const char *name;
	void (*mangle)(struct cfg_case *c);
	const char *msg;	/* a part of the expected message */
};

static void m_no_vtl0(struct cfg_case *c)
{
	c->map[4 * 5] = cpu_to_be32(OPENHCL_MEM_UNASSIGNED);
}

static void m_two_vtl0(struct cfg_case *c)
{
	c->map[1 * 5] = cpu_to_be32(OPENHCL_MEM_VTL0_RAM);
}

static void m_bad_type(struct cfg_case *c)
{
	c->map[2 * 5] = cpu_to_be32(6);
}

static void m_overlap(struct cfg_case *c)
{
	put64(c->map + 3 * 5 + 1, 0xdfff000);
}

static void m_unaligned(struct cfg_case *c)
{
	put64(c->map + 5 * 5 + 3, 0x800);
}

static void m_empty(struct cfg_case *c)
{
	put64(c->map + 1 * 5 + 3, 0);
}

static void m_wrap(struct cfg_case *c)
{
	put64(c->map + 5 * 5 + 1, 0xfffffffffffff000ULL);
	put64(c->map + 5 * 5 + 3, 0x2000);
}

static void m_vtl0_differs(struct cfg_case *c)
{
	put64(c->vtl0 + 2, 0x20000000);
}

static void m_image_outside(struct cfg_case *c)
{
	put64(c->image, 0x10000000);
}

static void m_image_empty(struct cfg_case *c)
{
	put64(c->image + 2, 0);
}

static void m_vps_zero(struct cfg_case *c)
{
	c->vps = 0;
}

static void m_vps_many(struct cfg_case *c)
{
	c->vps = cpu_to_be32(HCL_BOOT_MAX_VPS + 1);
}

static void m_truncated(struct cfg_case *c)
{
	c->n = 0;
}

static const struct bad_case bad_cases[] = {
	{ "no VTL0 RAM", m_no_vtl0, "0 VTL0 RAM ranges" },
	{ "two VTL0 ranges", m_two_vtl0, "2 VTL0 RAM ranges" },
	{ "unknown type", m_bad_type, "unknown type 6" },
	{ "overlap", m_overlap, "overlaps" },
	{ "unaligned size", m_unaligned, "unaligned" },
	{ "empty entry", m_empty, "empty" },
	{ "wrapping entry", m_wrap, "wraps" },
	{ "vtl0-range differs", m_vtl0_differs, "differs" },
	{ "image outside reserved", m_image_outside, "not inside" },
	{ "empty image", m_image_empty, "vtl0-image" },
	{ "zero VPs", m_vps_zero, "vp-count 0" },
	{ "too many VPs", m_vps_many, "vp-count" },
	{ "empty map", m_truncated, "memory-map" },
};

static void config_bad(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *b = &bad_cases[i];
		struct hcl_config cfg;
		struct cfg_case c;

		good(&c);
		b->mangle(&c);
		KUNIT_EXPECT_EQ_MSG(test, parse(&c, &cfg), -EINVAL, "%s",
				    b->name);
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(cfg.err, b->msg),
					  "%s: message \"%s\"", b->name,
					  cfg.err);
	}
}

static void config_bad_lengths(struct kunit *test)
{
	struct hcl_config cfg;
	struct cfg_case c;

	good(&c);
	/* a map that is not a whole number of entries */
	KUNIT_EXPECT_EQ(test, hcl_config_parse(c.map, c.n * 20 - 4, c.vtl0,
					       16, NULL, 0, NULL, 0, &cfg),
			-EINVAL);
	/* no map, no vtl0-range, short vtl0-image, long vp-count */
	KUNIT_EXPECT_EQ(test, hcl_config_parse(NULL, 0, c.vtl0, 16, NULL, 0,
					       NULL, 0, &cfg), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_config_parse(c.map, c.n * 20, NULL, 0,
					       NULL, 0, NULL, 0, &cfg),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_config_parse(c.map, c.n * 20, c.vtl0, 16,
					       c.image, 8, NULL, 0, &cfg),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_config_parse(c.map, c.n * 20, c.vtl0, 16,
					       NULL, 0, &c.vps, 8, &cfg),
			-EINVAL);
}

/* every tree the shim builds is accepted and read as the shim meant it */
static void config_shim_trees(struct kunit *test)
{
	unsigned int i;

	KUNIT_ASSERT_GT(test, ARRAY_SIZE(config_trees), 0);
	for (i = 0; i < ARRAY_SIZE(config_trees); i++) {
		const struct config_tree *t = &config_trees[i];
		struct hcl_config cfg;

		KUNIT_ASSERT_EQ_MSG(test,
				    hcl_config_parse((const __be32 *)t->map,
						     t->map_len,
						     (const __be32 *)t->vtl0,
						     t->vtl0_len,
						     (const __be32 *)t->image,
						     t->image_len,
						     (const __be32 *)t->vps,
						     t->vps_len, &cfg),
				    0, "%s: %s", t->name, cfg.err);
		KUNIT_EXPECT_EQ_MSG(test, cfg.vtl0_base, t->vtl0_base, "%s",
				    t->name);
		KUNIT_EXPECT_EQ_MSG(test, cfg.vtl0_size, t->vtl0_size, "%s",
				    t->name);
		KUNIT_EXPECT_EQ_MSG(test, cfg.image_base, t->image_base, "%s",
				    t->name);
		KUNIT_EXPECT_EQ_MSG(test, cfg.image_size, t->image_size, "%s",
				    t->name);
		KUNIT_EXPECT_EQ_MSG(test, cfg.vp_count, t->vp_count, "%s",
				    t->name);
		KUNIT_EXPECT_EQ_MSG(test, cfg.map_entries, t->map_entries,
				    "%s", t->name);
	}
}

/* the map limit of the contract: one entry more is refused */
static void config_map_limit(struct kunit *test)
{
	size_t cells = (OPENHCL_DT_MAP_MAX + 1) * OPENHCL_DT_MAP_CELLS;
	__be32 *map = kunit_kcalloc(test, cells, sizeof(*map), GFP_KERNEL);
	struct hcl_config cfg;
	struct cfg_case c;

	KUNIT_ASSERT_NOT_NULL(test, map);
	good(&c);
	memcpy(map, c.map, c.n * OPENHCL_DT_MAP_ENTRY_SIZE);
	KUNIT_EXPECT_EQ(test, hcl_config_parse(map,
					       (OPENHCL_DT_MAP_MAX + 1) *
					       OPENHCL_DT_MAP_ENTRY_SIZE,
					       c.vtl0, sizeof(c.vtl0), NULL, 0,
					       NULL, 0, &cfg), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(cfg.err, "memory-map"));
}

static struct kunit_case hcl_config_cases[] = {
	KUNIT_CASE(config_good),
	KUNIT_CASE(config_bad),
	KUNIT_CASE(config_bad_lengths),
	KUNIT_CASE(config_shim_trees),
	KUNIT_CASE(config_map_limit),
	{}
};

HCL_KUNIT_SUITE(config, hcl_config_cases);
