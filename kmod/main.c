// SPDX-License-Identifier: GPL-2.0
/*
 * hcl.ko: module setup, /dev/hcl and the partition.
 *
 * VTL0 memory is one physical range, taken from the shim's device tree
 * (config.c) or from the module parameters vtl0_base and vtl0_size (both
 * accepting memparse suffixes: K, M, G) for a kernel booted without the
 * shim.  The range must not overlap System RAM.  VTL0 sees it at GPA 0.
 */
#define pr_fmt(fmt) "hcl: " fmt

#include <linux/eventfd.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hcl.h"

const struct hcl_backend_ops *hcl_backend;
u64 hcl_features;
static u64 hcl_vtl0_base;
static u64 hcl_vtl0_size;

static int param_set_memsize(const char *val, const struct kernel_param *kp)
{
	char *end;
	u64 v = memparse(val, &end);

	if (end == val || (*end && *end != '\n'))
		return -EINVAL;
	*(u64 *)kp->arg = v;
	return 0;
}

static int param_get_memsize(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%#llx\n", *(u64 *)kp->arg);
}

static const struct kernel_param_ops param_ops_memsize = {
	.set = param_set_memsize,
	.get = param_get_memsize,
};

module_param_cb(vtl0_base, &param_ops_memsize, &hcl_vtl0_base, 0444);
MODULE_PARM_DESC(vtl0_base, "Host-physical base of VTL0 RAM, overriding the device tree");
module_param_cb(vtl0_size, &param_ops_memsize, &hcl_vtl0_size, 0444);
MODULE_PARM_DESC(vtl0_size, "Size of VTL0 RAM in bytes");

static unsigned int hcl_max_vps;
module_param_named(max_vps, hcl_max_vps, uint, 0444);
MODULE_PARM_DESC(max_vps, "VPs per partition (default: the device tree's vp-count, else the number of CPUs; at most 64)");

/* Set while a partition exists: VTL0 memory has one owner at a time. */
static atomic_t hcl_partition_busy = ATOMIC_INIT(0);

/*
 * The partition, for the global counters.  hcl_part_mutex protects the
 * pointer and nests outside part->lock.
 */
static DEFINE_MUTEX(hcl_part_mutex);
static struct hcl_partition *hcl_part;

void hcl_partition_add_live_stats(u64 *sum)
{
	unsigned int i, j;

	mutex_lock(&hcl_part_mutex);
	if (hcl_part) {
		mutex_lock(&hcl_part->lock);
		for (i = 0; i < hcl_part->max_vps; i++) {
			const struct hcl_vp *vp = hcl_part->vps[i];

			for (j = 0; vp && j < HCL_NR_STATS; j++)
				sum[j] += READ_ONCE(vp->stats[j]);
		}
		mutex_unlock(&hcl_part->lock);
	}
	mutex_unlock(&hcl_part_mutex);
}

static void hcl_partition_free(struct kref *ref)
{
	struct hcl_partition *part = container_of(ref, struct hcl_partition,
						  ref);

	mutex_lock(&hcl_part_mutex);
	if (hcl_part == part)
		hcl_part = NULL;
	mutex_unlock(&hcl_part_mutex);

	if (hcl_backend && part->iopm)
		hcl_backend->partition_destroy(part);
	/* no VP is left, so nobody reads the ranges any more */
	hcl_range_set_free(rcu_dereference_protected(part->ranges, true),
			   true);
	if (part->mem)
		memunmap(part->mem);
	hcl_npt_destroy(&part->npt);
	kfree(part->vps);
	kfree(part);
	atomic_set_release(&hcl_partition_busy, 0);
}

void hcl_partition_put(struct hcl_partition *part)
{
	kref_put(&part->ref, hcl_partition_free);
}

static int hcl_open(struct inode *inode, struct file *file)
{
	struct hcl_partition *part;
	int ret;

	if (atomic_cmpxchg(&hcl_partition_busy, 0, 1))
		return -EBUSY;

	part = kzalloc(sizeof(*part), GFP_KERNEL_ACCOUNT);
	if (!part) {
		atomic_set(&hcl_partition_busy, 0);
		return -ENOMEM;
	}
	kref_init(&part->ref);
	mutex_init(&part->lock);
	part->mem_size = hcl_config.vtl0_size;
	part->max_vps = min_t(u32, hcl_max_vps ?: hcl_config.vp_count ?:
			      num_possible_cpus(), HCL_RUN_MAX_VPS);
	part->vps = kcalloc(part->max_vps, sizeof(*part->vps),
			    GFP_KERNEL_ACCOUNT);
	ret = part->vps ? hcl_npt_init(&part->npt,
					  pgtable_l5_enabled() ? 5 : 4) : -ENOMEM;
	if (!ret)
		ret = hcl_npt_map(&part->npt, 0, hcl_config.vtl0_base,
				  hcl_config.vtl0_size);
	if (!ret) {
		part->mem = memremap(hcl_config.vtl0_base, hcl_config.vtl0_size,
				     MEMREMAP_WB);
		ret = part->mem ? 0 : -ENOMEM;
	}
	if (!ret)
		ret = hcl_backend->partition_init(part);
	if (ret) {
		hcl_partition_put(part);
		return ret;
	}
	file->private_data = part;
	pr_debug("partition opened: %u VPs, NPT %d levels, %lu table pages\n",
		 part->max_vps, part->npt.levels, part->npt.nr_tables);
	mutex_lock(&hcl_part_mutex);
	hcl_part = part;
	mutex_unlock(&hcl_part_mutex);
	return 0;
}

static int hcl_release(struct inode *inode, struct file *file)
{
	hcl_partition_put(file->private_data);
	return 0;
}

/* VTL0 RAM, mapped shared at its guest-physical offset. */
static int hcl_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hcl_partition *part = file->private_data;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_pgoff > (part->mem_size >> PAGE_SHIFT) ||
	    off + len > part->mem_size || off + len < off)
		return -EINVAL;
	vm_flags_set(vma, VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
	return remap_pfn_range(vma, vma->vm_start,
			       (hcl_config.vtl0_base + off) >> PAGE_SHIFT, len,
			       vma->vm_page_prot);
}

static long hcl_get_info(struct hcl_partition *part, void __user *argp)
{
	struct hcl_info info = {
		.api_version = HCL_API_VERSION,
		.max_vps = part->max_vps,
		.vtl0_mem_size = part->mem_size,
		.features = hcl_features,
	};

	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

static long hcl_add_range(struct hcl_partition *part, void __user *argp)
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

static long hcl_del_range(struct hcl_partition *part, void __user *argp)
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

static long hcl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hcl_partition *part = file->private_data;
	void __user *argp = (void __user *)arg;
	struct hcl_create_vp cvp;

	switch (cmd) {
	case HCL_GET_INFO:
		return hcl_get_info(part, argp);
	case HCL_CREATE_VP:
		if (copy_from_user(&cvp, argp, sizeof(cvp)))
			return -EFAULT;
		return hcl_vp_create(part, &cvp);
	case HCL_ADD_RANGE:
		return hcl_add_range(part, argp);
	case HCL_DEL_RANGE:
		return hcl_del_range(part, argp);
	default:
		return hcl_ioctl_unknown(cmd);
	}
}

/*
 * An ioctl of ours with the wrong size or direction encoded is a caller
 * bug worth telling apart from an unknown request.
 */
long hcl_ioctl_unknown(unsigned int cmd)
{
	static const unsigned int known[] = {
		HCL_GET_INFO, HCL_CREATE_VP, HCL_ADD_RANGE, HCL_DEL_RANGE,
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

static const struct file_operations hcl_fops = {
	.owner = THIS_MODULE,
	.open = hcl_open,
	.release = hcl_release,
	.mmap = hcl_mmap,
	.unlocked_ioctl = hcl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hcl_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hcl",
	.fops = &hcl_fops,
	.mode = 0600,
	.groups = hcl_attr_groups,
};

static int __init hcl_init(void)
{
	int ret;

	ret = hcl_config_init(hcl_vtl0_base, hcl_vtl0_size);
	if (ret)
		return ret;
	hcl_config_publish();
	ret = hcl_svm_init();
	if (ret)
		return ret;
	hcl_stats_init();
	ret = misc_register(&hcl_misc);
	if (ret) {
		hcl_stats_exit();
		hcl_svm_exit();
		return ret;
	}
	pr_info("VTL0 RAM %#llx+%#llx (%s), VTL0 image %#llx bytes, backend %s, API %u\n",
		hcl_config.vtl0_base, hcl_config.vtl0_size,
		hcl_config.from_params ? "module parameters" : "device tree",
		hcl_config.image_size, hcl_backend->name, HCL_API_VERSION);
	return 0;
}

static void __exit hcl_exit(void)
{
	misc_deregister(&hcl_misc);
	hcl_stats_exit();
	hcl_svm_exit();
}

module_init(hcl_init);
module_exit(hcl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hcl paravisor: VTL0 run loop");
