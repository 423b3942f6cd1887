// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing the backend at load: the first candidate whose init accepts
 * this CPU.  See backend.h and docs/backend.md.
 */
#define pr_fmt(fmt) "hcl: " fmt

#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/printk.h>

#include "backend.h"
#include "log.h"
#include "stats.h"

/* written once at module load, before /dev/hcl exists; read-only after */
const struct hcl_backend_ops *hcl_backend;
u64 hcl_features;

int hcl_backend_probe(const struct hcl_backend_ops *const *candidates,
		      unsigned int n)
{
	unsigned int i;
	int ret = -ENODEV;

	for (i = 0; i < n; i++) {
		const struct hcl_backend_ops *ops = candidates[i];

		if (WARN_ON(ops->nr_stats > HCL_MAX_BACKEND_STATS))
			continue;
		ret = ops->init(&hcl_features);
		if (!ret) {
			hcl_backend = ops;
			return 0;
		}
		hcl_dbg("backend %s: %d\n", ops->name, ret);
		if (ret != -ENODEV)
			return ret;
	}
	return ret;
}

void hcl_backend_remove(void)
{
	hcl_backend->exit();
	hcl_backend = NULL;
}
