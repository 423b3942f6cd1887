// SPDX-License-Identifier: GPL-2.0
/*
 * VP files: one anonymous-inode file per VP, carrying register access,
 * the CPUID table, the run page (mmap) and the run loop (HCL_VP_RUN).
 */
#define pr_fmt(fmt) "hcl: vp: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hcl.h"

static bool all_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/*
 * The run loop.  Exits the kernel handles itself never leave it; the loop
 * ends on an exit for userspace, a pending signal or immediate_exit.
 */
static long hcl_vp_run(struct hcl_vp *vp)
{
	struct hcl_run *run = vp->run;
	long ret;

	if (mutex_lock_interruptible(&vp->lock))
		return -EINTR;
	if (!vp->regs_set || !vp->sregs_set) {
		ret = -EBADFD;
		goto out;
	}
	hcl_complete_user_exit(vp);
	run->exit_reason = HCL_EXIT_NONE;
	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = HCL_EXIT_INTR;
		ret = -EINTR;
		goto out;
	}
	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = HCL_EXIT_INTR;
			ret = -EINTR;
			break;
		}
		cond_resched();
		hcl_backend->enter(vp);
		if (hcl_handle_exit(vp) == HCL_ACT_USER) {
			vp->nr_user_exits++;
			ret = 0;
			break;
		}
	}
out:
	mutex_unlock(&vp->lock);
	return ret;
}

static long hcl_vp_set_cpuid(struct hcl_vp *vp, void __user *argp)
{
	struct hcl_cpuid_table *t, *old;
	struct hcl_cpuid hdr;
	int ret;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || !all_zero(hdr.reserved, sizeof(hdr.reserved)))
		return -EINVAL;
	if (hdr.nent > HCL_CPUID_MAX_ENTRIES)
		return -E2BIG;
	t = kvzalloc(struct_size(t, entries, hdr.nent), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	t->nent = hdr.nent;
	if (copy_from_user(t->entries, u64_to_user_ptr(hdr.entries),
			   flex_array_size(t, entries, hdr.nent))) {
		kvfree(t);
		return -EFAULT;
	}
	ret = hcl_cpuid_validate(t->entries, t->nent);
	if (ret) {
		kvfree(t);
		return ret;
	}
	mutex_lock(&vp->lock);
	old = vp->cpuid;
	vp->cpuid = t;
	mutex_unlock(&vp->lock);
	kvfree(old);
	return 0;
}

static long hcl_vp_regs_ioctl(struct hcl_vp *vp, unsigned int cmd,
			      void __user *argp)
{
	struct hcl_sregs sregs;
	struct hcl_regs regs;
	long ret = 0;

	switch (cmd) {
	case HCL_VP_GET_REGS:
		mutex_lock(&vp->lock);
		hcl_backend->get_regs(vp, &regs);
		mutex_unlock(&vp->lock);
		memset(regs.reserved, 0, sizeof(regs.reserved));
		return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
	case HCL_VP_SET_REGS:
		if (copy_from_user(&regs, argp, sizeof(regs)))
			return -EFAULT;
		if (!all_zero(regs.reserved, sizeof(regs.reserved)))
			return -EINVAL;
		mutex_lock(&vp->lock);
		ret = hcl_backend->set_regs(vp, &regs);
		if (!ret)
			vp->regs_set = true;
		mutex_unlock(&vp->lock);
		return ret;
	case HCL_VP_GET_SREGS:
		mutex_lock(&vp->lock);
		hcl_backend->get_sregs(vp, &sregs);
		mutex_unlock(&vp->lock);
		return copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
	case HCL_VP_SET_SREGS:
		if (copy_from_user(&sregs, argp, sizeof(sregs)))
			return -EFAULT;
		if (!all_zero(sregs.reserved, sizeof(sregs.reserved)) ||
		    !all_zero(sregs.gdt.pad, sizeof(sregs.gdt.pad)) ||
		    !all_zero(sregs.idt.pad, sizeof(sregs.idt.pad)))
			return -EINVAL;
		mutex_lock(&vp->lock);
		ret = hcl_backend->set_sregs(vp, &sregs);
		if (!ret)
			vp->sregs_set = true;
		mutex_unlock(&vp->lock);
		return ret;
	}
	return -ENOTTY;
}

static long hcl_vp_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct hcl_vp *vp = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case HCL_VP_RUN:
		return hcl_vp_run(vp);
	case HCL_VP_GET_REGS:
	case HCL_VP_SET_REGS:
	case HCL_VP_GET_SREGS:
	case HCL_VP_SET_SREGS:
		return hcl_vp_regs_ioctl(vp, cmd, argp);
	case HCL_VP_SET_CPUID:
		return hcl_vp_set_cpuid(vp, argp);
	default:
		return hcl_ioctl_unknown(cmd);
	}
}

/* The run page: offset 0, exactly one page, shared. */
static int hcl_vp_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hcl_vp *vp = file->private_data;

	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != HCL_RUN_SIZE ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	return vm_insert_page(vma, vma->vm_start, virt_to_page(vp->run));
}

static void hcl_vp_free(struct hcl_vp *vp)
{
	if (vp->vmcb)
		hcl_backend->vp_destroy(vp);
	kvfree(vp->cpuid);
	free_page((unsigned long)vp->run);
	kfree(vp);
}

static int hcl_vp_release(struct inode *inode, struct file *file)
{
	struct hcl_vp *vp = file->private_data;
	struct hcl_partition *part = vp->part;

	mutex_lock(&part->lock);
	part->vps[vp->index] = NULL;
	mutex_unlock(&part->lock);
	hcl_vp_free(vp);
	hcl_partition_put(part);
	return 0;
}

static const struct file_operations hcl_vp_fops = {
	.owner = THIS_MODULE,
	.release = hcl_vp_release,
	.mmap = hcl_vp_mmap,
	.unlocked_ioctl = hcl_vp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

int hcl_vp_create(struct hcl_partition *part, const struct hcl_create_vp *args)
{
	struct hcl_vp *vp;
	int ret, fd;

	BUILD_BUG_ON(sizeof(struct hcl_run) > HCL_RUN_SIZE);
	if (args->flags || !all_zero(args->reserved, sizeof(args->reserved)))
		return -EINVAL;
	if (args->vp_index >= part->max_vps)
		return -EINVAL;

	vp = kzalloc(sizeof(*vp), GFP_KERNEL_ACCOUNT);
	if (!vp)
		return -ENOMEM;
	mutex_init(&vp->lock);
	vp->part = part;
	vp->index = args->vp_index;
	vp->run = (struct hcl_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	ret = vp->run ? hcl_backend->vp_init(vp) : -ENOMEM;
	if (ret) {
		hcl_vp_free(vp);
		return ret;
	}

	mutex_lock(&part->lock);
	if (part->vps[vp->index]) {
		mutex_unlock(&part->lock);
		hcl_vp_free(vp);
		return -EEXIST;
	}
	part->vps[vp->index] = vp;
	kref_get(&part->ref);
	fd = anon_inode_getfd("hcl-vp", &hcl_vp_fops, vp, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		part->vps[vp->index] = NULL;
		mutex_unlock(&part->lock);
		hcl_vp_free(vp);
		hcl_partition_put(part);
		return fd;
	}
	mutex_unlock(&part->lock);
	return fd;
}
