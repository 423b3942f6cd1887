/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel irqchip of a partition (irq.c): the local APICs
 * (lapic.c), the IOAPIC (ioapic.c), interrupt lines and irqfds, and
 * kvmclock (pvclock.c); docs/irqchip.md describes it.
 */
#ifndef HCL_IRQ_H
#define HCL_IRQ_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <uapi/linux/hcl.h>

#include "backend.h"
#include "ioapic.h"
#include "lapic.h"

struct hcl_code;
struct hcl_partition;
struct hcl_vp;
struct pvclock_vcpu_time_info;
struct workqueue_struct;

/*
 * Lifetime: created by HCL_CREATE_IRQCHIP before any VP, freed with the
 * partition (hcl_irqchip_destroy() from the partition's release, when no
 * VP is left).  part->irqchip does not change in between, so readers need
 * no lock.
 *
 * irqfds: the list of bindings, RCU for readers (EOI resampling),
 * updated under irqfd_lock (interrupts off: the eventfd wakeup that
 * removes a binding runs with them off).  A binding taken off the list
 * is freed by its shutdown work on wq; destroying wq waits for all.
 */
struct hcl_irqchip {
	struct hcl_partition *part;	/* NULL in KUnit tests */
	u32 nr_apics;
	struct hcl_ioapic ioapic;

	spinlock_t irqfd_lock;		/* irqfds and their active flags */
	struct list_head irqfds;
	struct workqueue_struct *wq;

	/* kvmclock's reference point, fixed at creation (pvclock.c) */
	u32 tsc_khz;			/* the TSC's frequency */
	u64 clock_tsc;
	u32 clock_mul;
	s8 clock_shift;
	u8 clock_flags;

	struct hcl_lapic apics[];	/* by VP index */
};

struct hcl_irqchip *hcl_irqchip_alloc(struct hcl_partition *part, u32 n);
void hcl_irqchip_free(struct hcl_irqchip *chip);

/* hooks for the core */
long hcl_irq_ioctl(struct hcl_partition *part, unsigned int cmd,
		   void __user *argp);
void hcl_irqchip_destroy(struct hcl_partition *part);
int hcl_irq_vp_attach(struct hcl_vp *vp, u32 flags);
void hcl_irq_vp_detach(struct hcl_vp *vp);
int hcl_irq_msr(struct hcl_vp *vp, u32 index, bool write, u64 *val,
		bool host);
bool hcl_irq_mmio_claims(struct hcl_vp *vp, u64 gpa);
void hcl_irq_mmio(struct hcl_vp *vp, u64 gpa, unsigned int size, bool write,
		  u64 *val);
bool hcl_irq_vp_ready(struct hcl_vp *vp);
bool hcl_irq_vp_blocked(struct hcl_vp *vp);
bool hcl_irq_vp_waiting(struct hcl_vp *vp);
bool hcl_irq_vp_interrupt(struct hcl_vp *vp, u8 vector);
void hcl_irq_kick(struct hcl_vp *vp);
void hcl_irq_eoi(struct hcl_irqchip *chip, u8 vector);

/* kvmclock (pvclock.c) */
void hcl_pvclock_init(struct hcl_irqchip *chip);
int hcl_pvclock_msr(struct hcl_vp *vp, u32 index, bool write, u64 *val);
void hcl_pvclock_fill(const struct hcl_irqchip *chip,
		      struct pvclock_vcpu_time_info *t);
u64 hcl_pvclock_guest_ns(const struct hcl_irqchip *chip, u64 tsc);

#endif /* HCL_IRQ_H */
