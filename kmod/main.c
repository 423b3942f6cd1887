// SPDX-License-Identifier: GPL-2.0
/*
 * hcl.ko: module setup, the backend probe and /dev/hcl (whose file
 * holds the partition, partition.c).
 *
 * VTL0 memory is one physical range, taken from the shim's device tree
 * (config.c) or from the module parameters vtl0_base and vtl0_size (both
 * accepting memparse suffixes: K, M, G) for a kernel booted without the
 * shim.  The range must not overlap System RAM.  VTL0 sees it at GPA 0.
 */
#define pr_fmt(fmt) "hcl: " fmt

#include <linux/cpumask.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/uaccess.h>

#include "backend.h"
#include "config.h"
#include "irq.h"
#include "netlink.h"
#include "partition.h"
#include "sidecar.h"
#include "stats.h"
#include "vp.h"

/* the backends hcl.ko can run VTL0 with, in the order they are tried */
static const struct hcl_backend_ops *const hcl_backends[] = {
	&hcl_svm_ops,
};

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

/* The VP slots a partition gets. */
u32 hcl_partition_vp_limit(void)
{
	return min_t(u32, hcl_max_vps ?: hcl_config.vp_count ?:
		     num_possible_cpus(), HCL_BOOT_MAX_VPS);
}

static int hcl_open(struct inode *inode, struct file *file)
{
	struct hcl_partition *part;
	int ret;

	ret = hcl_partition_create(hcl_partition_vp_limit(), &part);
	if (ret)
		return ret;
	file->private_data = part;
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
		return hcl_partition_add_range(part, argp);
	case HCL_DEL_RANGE:
		return hcl_partition_del_range(part, argp);
	case HCL_CREATE_IRQCHIP:
	case HCL_IRQ_LINE:
	case HCL_IRQFD:
		return hcl_irq_ioctl(part, cmd, argp);
	default:
		return hcl_ioctl_unknown(cmd);
	}
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
	ret = hcl_partition_map_vtl0();
	if (ret)
		return ret;
	ret = hcl_backend_probe(hcl_backends, ARRAY_SIZE(hcl_backends));
	if (ret)
		goto err_unmap;
	hcl_stats_init();
	/* a sidecar that is absent or broken is reported, not fatal */
	ret = hcl_sidecar_init();
	if (ret)
		pr_err("sidecar: not used (error %d)\n", ret);
	ret = hcl_nl_init();
	if (ret)
		goto err_sidecar;
	ret = misc_register(&hcl_misc);
	if (ret)
		goto err_nl;
	pr_info("VTL0 RAM %#llx+%#llx (%s), VTL0 image %#llx bytes, backend %s, API %u\n",
		hcl_config.vtl0_base, hcl_config.vtl0_size,
		hcl_config.from_params ? "module parameters" : "device tree",
		hcl_config.image_size, hcl_backend->name, HCL_API_VERSION);
	return 0;

err_nl:
	hcl_nl_exit();
err_sidecar:
	hcl_sidecar_exit();
	hcl_stats_exit();
	hcl_backend_remove();
err_unmap:
	hcl_partition_unmap_vtl0();
	return ret;
}

static void __exit hcl_exit(void)
{
	misc_deregister(&hcl_misc);
	hcl_nl_exit();
	hcl_sidecar_exit();
	hcl_stats_exit();
	hcl_backend_remove();
	hcl_partition_unmap_vtl0();
}

module_init(hcl_init);
module_exit(hcl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hcl paravisor: VTL0 run loop");
