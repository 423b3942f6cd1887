/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The partition (partition.c): VTL0 memory and its nested page table, the
 * claimed ranges and the VP slots.  A backend wraps struct hcl_partition
 * with its own state (struct hcl_svm_partition in svm/svm.h).
 */
#ifndef HCL_PARTITION_H
#define HCL_PARTITION_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include "npt.h"

struct hcl_irqchip;
struct hcl_range_set;
struct hcl_vp;

/*
 * Lifetime: kref; /dev/hcl's open file and every VP file hold a reference.
 * Only one partition exists at a time (hcl_partition_busy, partition.c).
 */
struct hcl_partition {
	struct kref ref;
	struct hcl_npt npt;
	u64 mem_size;
	u32 max_vps;
	/* protects vps[]: slots are filled once and cleared on VP release */
	struct mutex lock;
	struct hcl_vp **vps;
	/* claimed ranges: RCU for readers, updated under lock */
	struct hcl_range_set __rcu *ranges;
	/*
	 * VTL0 RAM as the kernel sees it (instruction fetch, page walks,
	 * string I/O): the module's mapping (partition.c), not the
	 * partition's own
	 */
	void *mem;
	/* the in-kernel irqchip (irq.h) or NULL; set once, before any VP */
	struct hcl_irqchip *irqchip;
};

int hcl_partition_map_vtl0(void);
void hcl_partition_unmap_vtl0(void);
int hcl_partition_create(u32 max_vps, struct hcl_partition **out);
void hcl_partition_put(struct hcl_partition *part);
bool hcl_partition_exists(void);
/* main.c: max_vps=, else the device tree's vp-count, else the CPUs */
u32 hcl_partition_vp_limit(void);
long hcl_partition_add_range(struct hcl_partition *part, void __user *argp);
long hcl_partition_del_range(struct hcl_partition *part, void __user *argp);
long hcl_ioctl_unknown(unsigned int cmd);

#endif /* HCL_PARTITION_H */
