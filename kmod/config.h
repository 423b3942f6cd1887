/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's configuration (config.c): VTL0 RAM, the VP count and the
 * staged VTL0 image, from the shim's /openhcl device-tree node or from
 * module parameters.  The node's schema and the VP limit
 * (HCL_BOOT_MAX_VPS) are the boot contract's, <hcl/openhcl_dt.h>.
 */
#ifndef HCL_CONFIG_H
#define HCL_CONFIG_H

#include <linux/types.h>
#include <hcl/openhcl_dt.h>

struct attribute_group;

/* what the module runs the partition with; see config.c for the rules */
struct hcl_config {
	u64 vtl0_base;		/* host-physical; VTL0 sees it at GPA 0 */
	u64 vtl0_size;
	u64 image_base;		/* the staged VTL0 image, 0/0 if none */
	u64 image_size;
	u32 vp_count;		/* 0: not given */
	u32 map_entries;
	bool from_params;	/* vtl0_base=/vtl0_size= instead of the DT */
	char err[128];		/* why hcl_config_parse() failed */
};

extern struct hcl_config hcl_config;
extern const struct attribute_group *hcl_attr_groups[];

int hcl_config_init(u64 param_base, u64 param_size);
void hcl_config_publish(void);
#if IS_ENABLED(CONFIG_KUNIT)
int hcl_config_parse(const __be32 *map, size_t map_len,
		     const __be32 *vtl0, size_t vtl0_len,
		     const __be32 *image, size_t image_len,
		     const __be32 *vp_count, size_t vp_len,
		     struct hcl_config *cfg);
#endif

#endif /* HCL_CONFIG_H */
