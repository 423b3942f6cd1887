// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel irqchip of a partition: creation, the hooks the core
 * calls (MSRs, MMIO, the run loop's halt and wait-for-SIPI, HCL_VP_
 * INTERRUPT), interrupt lines and irqfds.
 *
 * irqfd: an eventfd bound to an IOAPIC pin.  Its wait-queue callback
 * runs in whatever context signals the eventfd (a device worker's
 * write(), eventfd_signal() in a driver, even hard interrupt context)
 * with the eventfd's lock held and interrupts off, and raises the pin
 * right there: no VP exit, no user round trip.  The binding ends at
 * HCL_IRQFD_DEASSIGN, at EPOLLHUP (the eventfd's last reference went)
 * or with the partition; the callback cannot remove itself from the
 * wait queue it runs under, so every ending goes through a shutdown work
 * on the irqchip's workqueue, the same scheme as KVM's irqfd.
 */
#define pr_fmt(fmt) "hcl: irq: " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "irq.h"
#include "partition.h"
#include "vp.h"

/*
 * One binding.  Lives from HCL_IRQFD until its shutdown work frees it;
 * on chip->irqfds (active) until it is deactivated, under irqfd_lock.
 */
struct hcl_irqfd_bind {
	struct hcl_irqchip *chip;
	struct eventfd_ctx *efd;
	struct eventfd_ctx *resample;	/* or NULL: edge */
	u32 gsi;
	bool active;			/* on chip->irqfds; irqfd_lock */
	wait_queue_entry_t wait;
	wait_queue_head_t *wqh;
	poll_table pt;
	struct work_struct shutdown;
	struct list_head node;
	struct rcu_head rcu;
};

struct hcl_irqchip *hcl_irqchip_alloc(struct hcl_partition *part, u32 n)
{
	struct hcl_irqchip *chip;
	u32 i;

	chip = kzalloc(struct_size(chip, apics, n), GFP_KERNEL_ACCOUNT);
	if (!chip)
		return NULL;
	chip->wq = alloc_workqueue("hcl-irqfd", 0, 0);
	if (!chip->wq) {
		kfree(chip);
		return NULL;
	}
	chip->part = part;
	chip->nr_apics = n;
	spin_lock_init(&chip->irqfd_lock);
	INIT_LIST_HEAD(&chip->irqfds);
	/* the IOAPIC's ID follows the APICs' */
	hcl_ioapic_init(&chip->ioapic, n);
	for (i = 0; i < n; i++)
		hcl_lapic_init(&chip->apics[i], chip, i);
	hcl_pvclock_init(chip);
	return chip;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_irqchip_alloc);

/* Takes a binding off the list and queues its end; irqfd_lock held. */
static void irqfd_deactivate(struct hcl_irqfd_bind *b)
{
	if (!b->active)
		return;
	b->active = false;
	list_del_rcu(&b->node);
	queue_work(b->chip->wq, &b->shutdown);
}

void hcl_irqchip_free(struct hcl_irqchip *chip)
{
	struct hcl_irqfd_bind *b, *t;
	unsigned long flags;
	u32 i;

	if (!chip)
		return;
	spin_lock_irqsave(&chip->irqfd_lock, flags);
	list_for_each_entry_safe(b, t, &chip->irqfds, node)
		irqfd_deactivate(b);
	spin_unlock_irqrestore(&chip->irqfd_lock, flags);
	/* runs every shutdown work: no callback runs after this */
	destroy_workqueue(chip->wq);
	for (i = 0; i < chip->nr_apics; i++)
		hcl_lapic_stop(&chip->apics[i]);
	kfree(chip);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_irqchip_free);

/* The partition's release: no VP is left. */
void hcl_irqchip_destroy(struct hcl_partition *part)
{
	hcl_irqchip_free(part->irqchip);
	part->irqchip = NULL;
}

static bool all_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static long create_irqchip(struct hcl_partition *part, void __user *argp)
{
	struct hcl_create_irqchip args;
	struct hcl_irqchip *chip;
	long ret = 0;
	u32 i;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags || args.pad ||
	    !all_zero(args.reserved, sizeof(args.reserved)))
		return -EINVAL;
	chip = hcl_irqchip_alloc(part, part->max_vps);
	if (!chip)
		return -ENOMEM;
	mutex_lock(&part->lock);
	if (part->irqchip)
		ret = -EEXIST;
	for (i = 0; !ret && i < part->max_vps; i++)
		if (part->vps[i])
			ret = -EBUSY;
	if (!ret)
		WRITE_ONCE(part->irqchip, chip);
	mutex_unlock(&part->lock);
	if (ret)
		hcl_irqchip_free(chip);
	return ret;
}

static long irq_line(struct hcl_partition *part, void __user *argp)
{
	struct hcl_irqchip *chip = READ_ONCE(part->irqchip);
	struct hcl_irq_line l;

	if (copy_from_user(&l, argp, sizeof(l)))
		return -EFAULT;
	if (l.reserved || l.gsi >= HCL_IOAPIC_PINS || l.level > 1)
		return -EINVAL;
	if (!chip)
		return -ENXIO;
	hcl_ioapic_set_level(chip, l.gsi, HCL_IRQ_SRC_USER, l.level);
	return 0;
}

/* ---- irqfd -------------------------------------------------------------- */

static void irqfd_shutdown(struct work_struct *work)
{
	struct hcl_irqfd_bind *b = container_of(work, struct hcl_irqfd_bind,
						shutdown);
	u64 cnt;

	/* waits for a callback in progress; none comes after */
	eventfd_ctx_remove_wait_queue(b->efd, &b->wait, &cnt);
	if (b->resample)
		hcl_ioapic_set_level(b->chip, b->gsi, HCL_IRQ_SRC_RESAMPLE,
				     false);
	/* EOI resampling walks the list under RCU */
	synchronize_rcu();
	if (b->resample)
		eventfd_ctx_put(b->resample);
	eventfd_ctx_put(b->efd);
	kfree(b);
}

/* the eventfd's wait-queue callback: wqh->lock held, interrupts off */
static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode, int sync,
			void *key)
{
	struct hcl_irqfd_bind *b = container_of(wait, struct hcl_irqfd_bind,
						wait);
	__poll_t flags = key_to_poll(key);
	struct hcl_irqchip *chip = b->chip;
	unsigned long irqflags;
	u64 cnt;

	if (flags & EPOLLIN) {
		eventfd_ctx_do_read(b->efd, &cnt);
		if (b->resample)
			hcl_ioapic_set_level(chip, b->gsi,
					     HCL_IRQ_SRC_RESAMPLE, true);
		else
			hcl_ioapic_pulse(chip, b->gsi);
	}
	if (flags & EPOLLHUP) {
		spin_lock_irqsave(&chip->irqfd_lock, irqflags);
		irqfd_deactivate(b);
		spin_unlock_irqrestore(&chip->irqfd_lock, irqflags);
	}
	return 0;
}

static void irqfd_queue(struct file *file, wait_queue_head_t *wqh,
			poll_table *pt)
{
	struct hcl_irqfd_bind *b = container_of(pt, struct hcl_irqfd_bind, pt);

	b->wqh = wqh;
	add_wait_queue_priority(wqh, &b->wait);
}

static long irqfd_assign(struct hcl_irqchip *chip, const struct hcl_irqfd *a)
{
	struct hcl_irqfd_bind *b, *o;
	struct eventfd_ctx *efd;
	unsigned long flags;
	struct file *file;
	__poll_t events;
	long ret;

	/* -EBADF, or -EINVAL for a file that is no eventfd */
	file = eventfd_fget(a->fd);
	if (IS_ERR(file))
		return PTR_ERR(file);
	efd = eventfd_ctx_fileget(file);
	if (IS_ERR(efd)) {
		fput(file);
		return PTR_ERR(efd);
	}
	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b) {
		ret = -ENOMEM;
		goto err_ctx;
	}
	b->chip = chip;
	b->efd = efd;
	b->gsi = a->gsi;
	INIT_WORK(&b->shutdown, irqfd_shutdown);
	INIT_LIST_HEAD(&b->node);
	if (a->flags & HCL_IRQFD_RESAMPLE) {
		b->resample = eventfd_ctx_fdget(a->resamplefd);
		if (IS_ERR(b->resample)) {
			ret = PTR_ERR(b->resample);
			goto err_free;
		}
	}
	init_waitqueue_func_entry(&b->wait, irqfd_wakeup);
	init_poll_funcptr(&b->pt, irqfd_queue);

	spin_lock_irqsave(&chip->irqfd_lock, flags);
	list_for_each_entry(o, &chip->irqfds, node) {
		if (o->efd == efd) {
			spin_unlock_irqrestore(&chip->irqfd_lock, flags);
			ret = -EBUSY;
			goto err_resample;
		}
	}
	b->active = true;
	list_add_tail_rcu(&b->node, &chip->irqfds);
	spin_unlock_irqrestore(&chip->irqfd_lock, flags);

	/*
	 * Hooks the callback; a signal already pending fires now.  Its count
	 * stays in the eventfd (reading it needs the wait queue's lock, which
	 * only the callback holds): the next signal's callback takes both.
	 */
	events = vfs_poll(file, &b->pt);
	if (events & EPOLLIN) {
		if (b->resample)
			hcl_ioapic_set_level(chip, b->gsi,
					     HCL_IRQ_SRC_RESAMPLE, true);
		else
			hcl_ioapic_pulse(chip, b->gsi);
	}
	fput(file);
	return 0;

err_resample:
	if (b->resample)
		eventfd_ctx_put(b->resample);
err_free:
	kfree(b);
err_ctx:
	eventfd_ctx_put(efd);
	fput(file);
	return ret;
}

static long irqfd_deassign(struct hcl_irqchip *chip, const struct hcl_irqfd *a)
{
	struct hcl_irqfd_bind *b, *t;
	struct eventfd_ctx *efd;
	unsigned long flags;
	long ret = -ENOENT;

	efd = eventfd_ctx_fdget(a->fd);
	if (IS_ERR(efd))
		return PTR_ERR(efd);
	spin_lock_irqsave(&chip->irqfd_lock, flags);
	list_for_each_entry_safe(b, t, &chip->irqfds, node) {
		if (b->efd == efd && b->gsi == a->gsi) {
			irqfd_deactivate(b);
			ret = 0;
		}
	}
	spin_unlock_irqrestore(&chip->irqfd_lock, flags);
	eventfd_ctx_put(efd);
	/* the eventfd is no longer watched when we return */
	flush_workqueue(chip->wq);
	return ret;
}

static long irqfd(struct hcl_partition *part, void __user *argp)
{
	struct hcl_irqchip *chip = READ_ONCE(part->irqchip);
	struct hcl_irqfd a;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (!all_zero(a.reserved, sizeof(a.reserved)) ||
	    a.gsi >= HCL_IOAPIC_PINS ||
	    a.flags & ~(HCL_IRQFD_DEASSIGN | HCL_IRQFD_RESAMPLE))
		return -EINVAL;
	if (a.flags & HCL_IRQFD_DEASSIGN) {
		if (a.flags != HCL_IRQFD_DEASSIGN || a.resamplefd)
			return -EINVAL;
	} else if (!(a.flags & HCL_IRQFD_RESAMPLE) && a.resamplefd) {
		return -EINVAL;
	}
	if (!chip)
		return -ENXIO;
	if (a.flags & HCL_IRQFD_DEASSIGN)
		return irqfd_deassign(chip, &a);
	return irqfd_assign(chip, &a);
}

/*
 * A level-triggered vector was EOId: the IOAPIC re-arms its pins, and
 * the resamplers of pins that were raised through them are told.
 */
void hcl_irq_eoi(struct hcl_irqchip *chip, u8 vector)
{
	struct hcl_irqfd_bind *b;
	u32 pins = hcl_ioapic_eoi(chip, vector);

	if (!pins)
		return;
	rcu_read_lock();
	list_for_each_entry_rcu(b, &chip->irqfds, node)
		if (b->resample && (pins & BIT(b->gsi)))
			eventfd_signal(b->resample);
	rcu_read_unlock();
}
EXPORT_SYMBOL_IF_KUNIT(hcl_irq_eoi);

long hcl_irq_ioctl(struct hcl_partition *part, unsigned int cmd,
		   void __user *argp)
{
	switch (cmd) {
	case HCL_CREATE_IRQCHIP:
		return create_irqchip(part, argp);
	case HCL_IRQ_LINE:
		return irq_line(part, argp);
	case HCL_IRQFD:
		return irqfd(part, argp);
	}
	return -ENOTTY;
}

/* ---- VPs ---------------------------------------------------------------- */

/*
 * A new VP takes its APIC (reset; in wait-for-SIPI if @flags asks).
 * Under the partition lock, before anyone else can see the VP.
 */
int hcl_irq_vp_attach(struct hcl_vp *vp, u32 flags)
{
	struct hcl_irqchip *chip = vp->part->irqchip;
	struct hcl_lapic *apic;

	if (!chip)
		return flags & HCL_CREATE_VP_WAIT_SIPI ? -EINVAL : 0;
	apic = &chip->apics[vp->index];
	hcl_lapic_init(apic, chip, vp->index);
	apic->wait_sipi = flags & HCL_CREATE_VP_WAIT_SIPI;
	vp->apic = apic;
	rcu_assign_pointer(apic->vp, vp);
	return 0;
}

/* The VP goes away: nobody may kick it any more. */
void hcl_irq_vp_detach(struct hcl_vp *vp)
{
	struct hcl_lapic *apic = vp->apic;

	if (!apic)
		return;
	rcu_assign_pointer(apic->vp, NULL);
	synchronize_rcu();
	hcl_lapic_stop(apic);
	vp->apic = NULL;
}

/*
 * Makes @vp notice new work: out of the guest (a reschedule IPI to its
 * CPU makes it exit; the run loop then injects) and out of a halt.  Any
 * context, also hard interrupts.
 */
void hcl_irq_kick(struct hcl_vp *vp)
{
	int cpu;

	WRITE_ONCE(vp->kicked, true);
	/* the IRR/event write before running_cpu; pairs with svm_enter() */
	smp_mb();
	cpu = READ_ONCE(vp->running_cpu);
	if (cpu >= 0)
		arch_smp_send_reschedule(cpu);
	hcl_vp_wake_remote(vp);
	wake_up_interruptible(&vp->wq);
}

/* For the halt wait: is there something for the VP to do? */
bool hcl_irq_vp_ready(struct hcl_vp *vp)
{
	struct hcl_lapic *apic = vp->apic;

	if (hcl_lapic_wake_ready(apic))
		return true;
	if (apic->wait_sipi)
		return false;
	return hcl_vp_nmi_wakes(vp) ||
	       find_first_bit(vp->irq_pending, 256) < 256;
}

/* The VP waits for a start-up IPI and has none: HCL_VP_RUN may wait. */
bool hcl_irq_vp_waiting(struct hcl_vp *vp)
{
	return vp->apic && vp->apic->wait_sipi;
}

/* Starts the VP in real mode at @vector << 8 : 0, like a SIPI does. */
static int start_up(struct hcl_vp *vp, u8 vector)
{
	struct hcl_segment data = {
		.limit = 0xffff, .attrib = 0x93,	/* present, RW data */
	};
	struct hcl_regs regs = { .rflags = 0x2 };
	struct hcl_sregs sr = {
		.cs = { .base = (u64)vector << 12, .limit = 0xffff,
			.selector = (u16)vector << 8, .attrib = 0x9b },
		.tr = { .limit = 0xffff, .attrib = 0x8b },
		.ldt = { .limit = 0xffff, .attrib = 0x82 },
		.gdt = { .limit = 0xffff },
		.idt = { .limit = 0xffff },
		.cr0 = 0x60000010,	/* CD, NW, ET */
	};
	int ret;

	sr.ds = data;
	sr.es = data;
	sr.fs = data;
	sr.gs = data;
	sr.ss = data;
	ret = hcl_backend->set_sregs(vp, &sr);
	if (!ret)
		ret = hcl_backend->set_regs(vp, &regs);
	if (ret)
		return ret;
	vp->regs_set = true;
	vp->sregs_set = true;
	return 0;
}

/*
 * The run loop, before entering: carries out INIT (the VP resets into
 * wait-for-SIPI) and SIPI (a waiting VP starts).  Returns true while the
 * VP has to wait.  The owner, under vp->lock.
 */
bool hcl_irq_vp_blocked(struct hcl_vp *vp)
{
	struct hcl_lapic *apic = vp->apic;

	if (unlikely(READ_ONCE(apic->events))) {
		if (test_and_clear_bit(HCL_APIC_EV_INIT, &apic->events)) {
			/* the BSP ignores INIT (no reset of VTL0 here) */
			if (!(apic->base & HCL_APIC_BASE_BSP)) {
				hcl_lapic_reset(apic, true);
				atomic_set(&vp->nmi_pending, 0);
				bitmap_zero(vp->irq_pending, 256);
			}
		}
		if (test_and_clear_bit(HCL_APIC_EV_SIPI, &apic->events)) {
			/* the event after the vector (hcl_apic_deliver) */
			smp_mb__after_atomic();
			if (apic->wait_sipi &&
			    !start_up(vp, READ_ONCE(apic->sipi_vector)))
				apic->wait_sipi = false;
		}
	}
	if (unlikely(atomic_read(&apic->timer_fires)))
		vp->stats[HCL_STAT_APIC_TIMER] +=
			atomic_xchg(&apic->timer_fires, 0);
	return apic->wait_sipi;
}

/* HCL_VP_INTERRUPT, fixed: into the IRR while the APIC takes them. */
bool hcl_irq_vp_interrupt(struct hcl_vp *vp, u8 vector)
{
	return vp->apic && hcl_lapic_set_irq(vp->apic, vector, false);
}

/* ---- MSRs and MMIO ------------------------------------------------------ */

/*
 * The irqchip's MSRs; -ENOENT for the rest (or without an irqchip).
 * @host: HCL_VP_{GET,SET}_MSRS rather than the guest.
 */
int hcl_irq_msr(struct hcl_vp *vp, u32 index, bool write, u64 *val,
		bool host)
{
	int ret;

	if (!vp->apic)
		return -ENOENT;
	ret = hcl_lapic_msr(vp->apic, index, write, val, host);
	if (ret != -ENOENT) {
		vp->stats[HCL_STAT_APIC_MSR]++;
		return ret;
	}
	return hcl_pvclock_msr(vp, index, write, val);
}

bool hcl_irq_mmio_claims(struct hcl_vp *vp, u64 gpa)
{
	if (!vp->apic)
		return false;
	return hcl_lapic_mmio_claims(vp->apic, gpa) ||
	       (gpa & PAGE_MASK) == HCL_IOAPIC_BASE;
}

/*
 * A decoded access to the APIC page or the IOAPIC.  Registers are 32 bits
 * at 16-byte strides: other sizes and offsets read 0 and drop writes.
 */
void hcl_irq_mmio(struct hcl_vp *vp, u64 gpa, unsigned int size, bool write,
		  u64 *val)
{
	struct hcl_lapic *apic = vp->apic;
	u32 off = gpa & ~PAGE_MASK;

	if (hcl_lapic_mmio_claims(apic, gpa)) {
		vp->stats[HCL_STAT_APIC_MMIO]++;
		if (size != 4 || off & 0xf) {
			if (!write)
				*val = 0;
			return;
		}
		if (write)
			hcl_lapic_write(apic, off, (u32)*val, false);
		else
			hcl_lapic_read(apic, off, val, false);
		return;
	}
	vp->stats[HCL_STAT_IOAPIC_MMIO]++;
	if (size != 4 || off & 0xf) {
		if (!write)
			*val = 0;
		return;
	}
	if (write)
		hcl_ioapic_write(apic->chip, off, *val);
	else
		*val = hcl_ioapic_read(apic->chip, off);
}
