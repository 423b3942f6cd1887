// SPDX-License-Identifier: GPL-2.0
/*
 * The partition: VTL0 memory (one physical range from config.c, seen by
 * VTL0 at GPA 0), its nested page table, the claimed ranges, the VP slots
 * and the backend's per-partition state around it.
 */
#define pr_fmt(fmt) "hcl: " fmt

#include <linux/eventfd.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "backend.h"
#include "config.h"
#include "irq.h"
#include "log.h"
#include "partition.h"
#include "range.h"

/* Set while a partition exists: VTL0 memory has one owner at a time. */
static atomic_t hcl_partition_busy = ATOMIC_INIT(0);

/*
 * VTL0 RAM as the kernel sees it, mapped at module load and kept until
 * unload; each partition borrows it (part->mem).  Partitions come and
 * go (every VMM, every test), and mapping GiBs for each costs page
 * tables and a TLB flush, and on a debug kernel a DEBUG_OBJECTS walk of
 * every page at the unmap: over 15 s for 895 MiB under QEMU, in the
 * exiting VMM's last fput.
 */
static void *hcl_vtl0_mem;

int hcl_partition_map_vtl0(void)
{
	hcl_vtl0_mem = memremap(hcl_config.vtl0_base, hcl_config.vtl0_size,
				MEMREMAP_WB);
	if (!hcl_vtl0_mem) {
		pr_err("cannot map VTL0 RAM %#llx+%#llx\n",
		       hcl_config.vtl0_base, hcl_config.vtl0_size);
		return -ENOMEM;
	}
	return 0;
}

void hcl_partition_unmap_vtl0(void)
{
	memunmap(hcl_vtl0_mem);
	hcl_vtl0_mem = NULL;
}

static void hcl_partition_free(struct kref *ref)
{
	struct hcl_partition *part = container_of(ref, struct hcl_partition,
						  ref);

	hcl_irqchip_destroy(part);
	hcl_backend->partition_destroy(part);
	/* no VP is left, so nobody reads the ranges any more */
	hcl_range_set_free(rcu_dereference_protected(part->ranges, true),
			   true);
	hcl_npt_destroy(&part->npt);
	kfree(part->vps);
	kfree(part);
	atomic_set_release(&hcl_partition_busy, 0);
}

/* Whether a partition exists now (a snapshot: it may change at once). */
bool hcl_partition_exists(void)
{
	return atomic_read_acquire(&hcl_partition_busy);
}

void hcl_partition_put(struct hcl_partition *part)
{
	kref_put(&part->ref, hcl_partition_free);
}

/* The one partition, with @max_vps VP slots; -EBUSY while one exists. */
int hcl_partition_create(u32 max_vps, struct hcl_partition **out)
{
	struct hcl_partition *part;
	int ret;

	if (atomic_cmpxchg(&hcl_partition_busy, 0, 1))
		return -EBUSY;

	part = kzalloc(hcl_backend->partition_size, GFP_KERNEL_ACCOUNT);
	if (!part) {
		atomic_set(&hcl_partition_busy, 0);
		return -ENOMEM;
	}
	kref_init(&part->ref);
	mutex_init(&part->lock);
	part->mem_size = hcl_config.vtl0_size;
	part->max_vps = max_vps;
	part->vps = kcalloc(part->max_vps, sizeof(*part->vps),
			    GFP_KERNEL_ACCOUNT);
	ret = part->vps ? hcl_npt_init(&part->npt,
					  pgtable_l5_enabled() ? 5 : 4) : -ENOMEM;
	if (!ret)
		ret = hcl_npt_map(&part->npt, 0, hcl_config.vtl0_base,
				  hcl_config.vtl0_size);
	part->mem = hcl_vtl0_mem;
	if (!ret)
		ret = hcl_backend->partition_init(part);
	if (ret) {
		hcl_partition_put(part);
		return ret;
	}
	hcl_dbg("partition opened: %u VPs, NPT %d levels, %lu table pages\n",
		part->max_vps, part->npt.levels, part->npt.nr_tables);
	*out = part;
	return 0;
}

long hcl_partition_add_range(struct hcl_partition *part, void __user *argp)
{
	struct hcl_range_set *old, *set;
	struct hcl_range_ent ent = {};
	struct hcl_range r;
	int ret;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	ret = hcl_range_validate(&r, part->mem_size);
	if (ret)
		return ret;
	ent.space = r.space;
	ent.kind = r.kind;
	ent.start = r.start;
	ent.end = r.start + r.len;
	if (r.kind == HCL_RANGE_DOORBELL) {
		ent.efd = eventfd_ctx_fdget(r.eventfd);
		if (IS_ERR(ent.efd))
			return PTR_ERR(ent.efd);
	}

	mutex_lock(&part->lock);
	old = rcu_dereference_protected(part->ranges,
					lockdep_is_held(&part->lock));
	set = hcl_range_set_add(old, &ent);
	if (IS_ERR(set)) {
		mutex_unlock(&part->lock);
		if (ent.efd)
			eventfd_ctx_put(ent.efd);
		return PTR_ERR(set);
	}
	rcu_assign_pointer(part->ranges, set);
	mutex_unlock(&part->lock);
	/* the eventfd references moved into the new set */
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

long hcl_partition_del_range(struct hcl_partition *part, void __user *argp)
{
	struct hcl_range_set *old, *set;
	struct hcl_range_ent gone;
	struct hcl_range r;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.pad || r.reserved[0] || r.reserved[1] ||
	    r.start + r.len < r.start)
		return -EINVAL;

	mutex_lock(&part->lock);
	old = rcu_dereference_protected(part->ranges,
					lockdep_is_held(&part->lock));
	set = hcl_range_set_del(old, r.space, r.start, r.start + r.len, &gone);
	if (IS_ERR(set)) {
		mutex_unlock(&part->lock);
		return PTR_ERR(set);
	}
	rcu_assign_pointer(part->ranges, set);
	mutex_unlock(&part->lock);
	/* a running VP may still be signalling the doorbell: wait it out */
	synchronize_rcu();
	kfree(old);
	if (gone.efd)
		eventfd_ctx_put(gone.efd);
	return 0;
}

/*
 * An ioctl of ours with the wrong size or direction encoded is a caller
 * bug worth telling apart from an unknown request.  For /dev/hcl and the
 * VP files alike.
 */
long hcl_ioctl_unknown(unsigned int cmd)
{
	static const unsigned int known[] = {
		HCL_GET_INFO, HCL_CREATE_VP, HCL_ADD_RANGE, HCL_DEL_RANGE,
		HCL_IRQ_LINE, HCL_IRQFD, HCL_CREATE_IRQCHIP,
		HCL_VP_GET_REGS, HCL_VP_SET_REGS, HCL_VP_GET_SREGS,
		HCL_VP_SET_SREGS, HCL_VP_SET_CPUID, HCL_VP_GET_MSRS,
		HCL_VP_SET_MSRS, HCL_VP_SET_MSR_POLICY, HCL_VP_INTERRUPT,
		HCL_VP_GET_DEBUGREGS, HCL_VP_SET_DEBUGREGS, HCL_VP_RUN,
	};
	unsigned int i;

	if (_IOC_TYPE(cmd) != HCL_IOCTL_TYPE)
		return -ENOTTY;
	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (_IOC_NR(known[i]) == _IOC_NR(cmd))
			return -EINVAL;
	return -ENOTTY;
}
