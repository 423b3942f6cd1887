/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt lines into VTL0: the in-kernel interrupt controller's inputs
 * (the IOAPIC's 24 pins, GSI 0..23), driven by userspace devices with
 * HCL_IRQ_LINE and by eventfds bound to a GSI with HCL_IRQFD.
 *
 * A device owns a struct irq_line and sets it to its interrupt output's
 * level whenever that changes; the IOAPIC pin's trigger mode (from the
 * MP table: ISA lines are edge-triggered, active high) decides whether a
 * rising edge or the level is what interrupts.  irq_line_set() sends only
 * changes.
 *
 * irq_init() creates the in-kernel interrupt controller
 * (HCL_CREATE_IRQCHIP), so it must run before the first VP is created.
 * Without one (a module older than the interrupt UAPI answers ENOTTY, a
 * partition whose VPs exist already ENXIO) it logs one line, "no
 * in-kernel irqchip", and every line stays silent: devices keep working
 * for a guest that polls them.
 *
 * The ioctl goes through a callback so that host tests can stand in for
 * /dev/hcl.  Locking: an irq_line belongs to its device and is set under
 * the device's lock (the bus lock); the struct irq is read-only once
 * initialised.
 */
#ifndef HCL_VM_IRQ_H
#define HCL_VM_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#include "irq_uapi.h"

#define IRQ_NR_GSIS	24

/* ioctl(2) on /dev/hcl: 0, or -1 with errno set */
typedef int (*irq_ioctl_fn)(void *arg, unsigned long req, void *data);

struct irq {
	irq_ioctl_fn ioctl;
	void *arg;
	bool present;		/* the kernel has the interrupt UAPI */
	uint64_t errors;	/* HCL_IRQ_LINE calls that failed otherwise */
};

struct irq_line {
	struct irq *irq;	/* NULL: not connected */
	uint32_t gsi;
	int level;		/* last level sent; -1: none yet */
};

/*
 * Creates the partition's interrupt controller and probes it: 0 when
 * there is one, 1 when there is none (logged once on stderr), a negative
 * errno on another failure.
 */
int irq_init(struct irq *irq, irq_ioctl_fn ioctl_fn, void *arg);

/* irq_ioctl_fn for a /dev/hcl fd passed as (int *) */
int irq_hcl_ioctl(void *arg, unsigned long req, void *data);

/* Connects @line to @gsi (< IRQ_NR_GSIS) of @irq: 0 or -EINVAL. */
int irq_line_init(struct irq_line *line, struct irq *irq, uint32_t gsi);

/*
 * Drives the line to @level (0 or 1) if it is not there already.  0 when
 * sent or nothing to do (also without an irqchip), else -errno.
 */
int irq_line_set(struct irq_line *line, int level);

/*
 * Binds @eventfd to @gsi; with @resamplefd >= 0 the line is
 * level-triggered and @resamplefd is signalled at the guest's EOI.
 * -ENOTTY without an irqchip.
 */
int irq_add_irqfd(struct irq *irq, int eventfd, uint32_t gsi, int resamplefd);
int irq_del_irqfd(struct irq *irq, int eventfd, uint32_t gsi);

#endif
