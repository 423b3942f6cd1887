// SPDX-License-Identifier: GPL-2.0
/*
 * Where the partition's memory and VP count come from.
 *
 * The shim (openhcl_boot) describes the machine in the device tree it
 * hands Linux.  Of its /openhcl node (schema: include/hcl/openhcl_dt.h)
 * the module reads:
 *
 *   memory-map  the typed map: sorted by base, no overlaps, known types
 *   vtl0-range  must equal the one VTL0 RAM entry of the map
 *   vtl0-image  (optional) the staged VTL0 image, inside a VTL2-reserved
 *               entry; read through /sys/class/misc/hcl/vtl0_image
 *   vp-count    the VM's VPs, Linux's CPUs and the sidecar's
 *
 * hcl_config_parse() checks all of it; hcl_config_init() reads the node.
 * The vtl0_base/vtl0_size module parameters replace the device tree for a
 * kernel booted without the shim (the range must then be kept from Linux
 * with memmap=); max_vps replaces vp-count.
 *
 * hcl_config is written once at module init, before /dev/hcl exists, and
 * only read afterwards: it needs no lock.
 */
#define pr_fmt(fmt) "hcl: " fmt

#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/sysfs.h>
#include <kunit/visibility.h>

#include "config.h"
#include "npt.h"

struct hcl_config hcl_config;

static u64 cells64(const __be32 *p)
{
	return ((u64)be32_to_cpu(p[0]) << 32) | be32_to_cpu(p[1]);
}

static bool range_ok(u64 base, u64 size)
{
	return size && PAGE_ALIGNED(base) && PAGE_ALIGNED(size) &&
	       base + size > base;
}

/**
 * hcl_config_parse() - check the /openhcl properties and extract VTL0
 * @map: the memory-map property
 * @map_len: its length in bytes
 * @vtl0: the vtl0-range property
 * @vtl0_len: its length in bytes
 * @image: the vtl0-image property or NULL
 * @image_len: its length in bytes
 * @vp_count: the vp-count property or NULL
 * @vp_len: its length in bytes
 * @cfg: filled on success
 *
 * Return: 0, or -EINVAL with one line in @cfg->err saying what is wrong.
 */
VISIBLE_IF_KUNIT int hcl_config_parse(const __be32 *map, size_t map_len,
				      const __be32 *vtl0, size_t vtl0_len,
				      const __be32 *image, size_t image_len,
				      const __be32 *vp_count, size_t vp_len,
				      struct hcl_config *cfg)
{
	u64 prev_end = 0, image_base = 0, image_size = 0;
	bool image_in_reserved = false;
	unsigned int i, n, nvtl0 = 0;

	memset(cfg, 0, sizeof(*cfg));
#define BAD(...) ({ snprintf(cfg->err, sizeof(cfg->err), __VA_ARGS__); \
		    -EINVAL; })
	if (!map || !map_len || map_len % OPENHCL_DT_MAP_ENTRY_SIZE ||
	    map_len / OPENHCL_DT_MAP_ENTRY_SIZE > OPENHCL_DT_MAP_MAX)
		return BAD("memory-map: %zu bytes, not 1..%d x %d", map_len,
			   OPENHCL_DT_MAP_MAX, OPENHCL_DT_MAP_ENTRY_SIZE);
	if (!vtl0 || vtl0_len != OPENHCL_DT_RANGE_SIZE)
		return BAD("vtl0-range: %zu bytes, not %d", vtl0_len,
			   OPENHCL_DT_RANGE_SIZE);
	if (image) {
		if (image_len != OPENHCL_DT_RANGE_SIZE)
			return BAD("vtl0-image: %zu bytes, not %d", image_len,
				   OPENHCL_DT_RANGE_SIZE);
		image_base = cells64(image);
		image_size = cells64(image + 2);
		if (!image_size || image_base + image_size < image_base)
			return BAD("vtl0-image %#llx+%#llx is empty or wraps",
				   image_base, image_size);
	}
	if (vp_count) {
		if (vp_len != OPENHCL_DT_CELL_SIZE)
			return BAD("vp-count: %zu bytes, not %d", vp_len,
				   OPENHCL_DT_CELL_SIZE);
		cfg->vp_count = be32_to_cpu(*vp_count);
		if (!cfg->vp_count || cfg->vp_count > HCL_BOOT_MAX_VPS)
			return BAD("vp-count %u is not 1..%d", cfg->vp_count,
				   HCL_BOOT_MAX_VPS);
	}

	n = map_len / OPENHCL_DT_MAP_ENTRY_SIZE;
	for (i = 0; i < n; i++) {
		const __be32 *e = map + i * OPENHCL_DT_MAP_CELLS;
		u32 type = be32_to_cpu(e[0]);
		u64 base = cells64(e + 1), size = cells64(e + 3);

		if (type >= OPENHCL_MEM_NR_TYPES)
			return BAD("memory-map entry %u: unknown type %u", i,
				   type);
		if (!range_ok(base, size))
			return BAD("memory-map entry %u: %#llx+%#llx is empty, unaligned or wraps",
				   i, base, size);
		if (i && base < prev_end)
			return BAD("memory-map entry %u at %#llx overlaps or is out of order",
				   i, base);
		prev_end = base + size;
		if (type == OPENHCL_MEM_VTL0_RAM) {
			nvtl0++;
			cfg->vtl0_base = base;
			cfg->vtl0_size = size;
		}
		if (type == OPENHCL_MEM_VTL2_RESERVED && image &&
		    image_base >= base && image_base + image_size <= base + size)
			image_in_reserved = true;
	}
	cfg->map_entries = n;
	if (nvtl0 != 1)
		return BAD("memory-map has %u VTL0 RAM ranges, need exactly one",
			   nvtl0);
	if (cells64(vtl0) != cfg->vtl0_base ||
	    cells64(vtl0 + 2) != cfg->vtl0_size)
		return BAD("vtl0-range %#llx+%#llx differs from the memory map's %#llx+%#llx",
			   cells64(vtl0), cells64(vtl0 + 2), cfg->vtl0_base,
			   cfg->vtl0_size);
	if (cfg->vtl0_size > HCL_NPT_MAX_GPA)
		return BAD("VTL0 RAM of %#llx bytes is more than %#llx",
			   cfg->vtl0_size, (u64)HCL_NPT_MAX_GPA);
	if (image && !image_in_reserved)
		return BAD("vtl0-image %#llx+%#llx is not inside VTL2-reserved memory",
			   image_base, image_size);
	cfg->image_base = image_base;
	cfg->image_size = image_size;
#undef BAD
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_config_parse);

static int hcl_config_from_dt(void)
{
	const __be32 *map, *vtl0, *image, *vps;
	struct device_node *np;
	int map_len = 0, vtl0_len = 0, image_len = 0, vp_len = 0, ret;

	np = of_find_node_by_path(OPENHCL_DT_PATH);
	if (!np) {
		pr_err("no VTL0 memory: the device tree has no /openhcl node and vtl0_base=/vtl0_size= are not set\n");
		return -ENODEV;
	}
	map = of_get_property(np, OPENHCL_DT_MEMORY_MAP, &map_len);
	vtl0 = of_get_property(np, OPENHCL_DT_VTL0_RANGE, &vtl0_len);
	image = of_get_property(np, OPENHCL_DT_VTL0_IMAGE, &image_len);
	vps = of_get_property(np, OPENHCL_DT_VP_COUNT, &vp_len);
	ret = hcl_config_parse(map, map_len, vtl0, vtl0_len, image, image_len,
			       vps, vp_len, &hcl_config);
	of_node_put(np);
	if (ret)
		pr_err("/openhcl: %s\n", hcl_config.err);
	return ret;
}

int hcl_config_init(u64 param_base, u64 param_size)
{
	int ret;

	if (param_size) {
		memset(&hcl_config, 0, sizeof(hcl_config));
		hcl_config.vtl0_base = param_base;
		hcl_config.vtl0_size = param_size;
		hcl_config.from_params = true;
		if (!range_ok(param_base, param_size) ||
		    param_size > HCL_NPT_MAX_GPA) {
			pr_err("VTL0 range %#llx+%#llx is not page aligned or too big\n",
			       param_base, param_size);
			return -EINVAL;
		}
	} else {
		ret = hcl_config_from_dt();
		if (ret)
			return ret;
	}
	/* whatever the source, Linux must not own VTL0's memory */
	if (region_intersects(hcl_config.vtl0_base, hcl_config.vtl0_size,
			      IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT) {
		pr_err("VTL0 range %#llx+%#llx overlaps System RAM%s\n",
		       hcl_config.vtl0_base, hcl_config.vtl0_size,
		       hcl_config.from_params ? "; reserve it (memmap=)" : "");
		return -EINVAL;
	}
	return 0;
}

/* /sys/class/misc/hcl/vtl0_image: the staged VTL0 image, read-only */
static ssize_t vtl0_image_read(struct file *file, struct kobject *kobj,
			       struct bin_attribute *attr, char *buf,
			       loff_t off, size_t count)
{
	void *p;

	if (off < 0 || off >= hcl_config.image_size)
		return 0;
	count = min_t(u64, count, hcl_config.image_size - off);
	p = memremap(hcl_config.image_base + off, count, MEMREMAP_WB);
	if (!p)
		return -ENOMEM;
	memcpy(buf, p, count);
	memunmap(p);
	return count;
}

static struct bin_attribute vtl0_image_attr = {
	.attr = { .name = "vtl0_image", .mode = 0400 },
	.read = vtl0_image_read,
};

static struct bin_attribute *hcl_bin_attrs[] = {
	&vtl0_image_attr,
	NULL,
};

static umode_t hcl_bin_visible(struct kobject *kobj,
			       struct bin_attribute *attr, int n)
{
	return hcl_config.image_size ? attr->attr.mode : 0;
}

static const struct attribute_group hcl_attr_group = {
	.bin_attrs = hcl_bin_attrs,
	.is_bin_visible = hcl_bin_visible,
};

const struct attribute_group *hcl_attr_groups[] = {
	&hcl_attr_group,
	NULL,
};

/* called before the device (and so the attribute) is registered */
void hcl_config_publish(void)
{
	vtl0_image_attr.size = hcl_config.image_size;
}
