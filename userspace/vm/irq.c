// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "irq.h"

int irq_hcl_ioctl(void *arg, unsigned long req, void *data)
{
	return ioctl(*(int *)arg, req, data);
}

int irq_init(struct irq *irq, irq_ioctl_fn ioctl_fn, void *arg)
{
	struct hcl_create_irqchip chip = { 0 };
	/* lowering GSI 0 is harmless and tells whether the irqchip is there */
	struct hcl_irq_line probe = { .gsi = 0, .level = 0 };

	memset(irq, 0, sizeof(*irq));
	irq->ioctl = ioctl_fn;
	irq->arg = arg;
	/*
	 * Before the first VP.  EEXIST: made already; EBUSY (a VP exists)
	 * and ENOTTY (a module without it) leave the probe to decide.
	 */
	if (irq->ioctl(irq->arg, HCL_CREATE_IRQCHIP, &chip) &&
	    errno != EEXIST && errno != EBUSY && errno != ENOTTY)
		return -errno;
	if (!irq->ioctl(irq->arg, HCL_IRQ_LINE, &probe)) {
		irq->present = true;
		return 0;
	}
	/* ENOTTY: a module without the UAPI; ENXIO: with it, no irqchip */
	if (errno == ENOTTY || errno == ENXIO) {
		fprintf(stderr, "underhill_vm: no in-kernel irqchip: device interrupts are not delivered, the guest must poll\n");
		return 1;
	}
	return -errno;
}

int irq_line_init(struct irq_line *line, struct irq *irq, uint32_t gsi)
{
	if (gsi >= IRQ_NR_GSIS)
		return -EINVAL;
	line->irq = irq;
	line->gsi = gsi;
	line->level = -1;
	return 0;
}

int irq_line_set(struct irq_line *line, int level)
{
	struct hcl_irq_line arg = { .gsi = line->gsi, .level = !!level };
	struct irq *irq = line->irq;

	if (line->level == !!level)
		return 0;
	line->level = !!level;
	if (!irq || !irq->present)
		return 0;
	if (irq->ioctl(irq->arg, HCL_IRQ_LINE, &arg)) {
		irq->errors++;
		line->level = -1;	/* unknown: send the next one again */
		return -errno;
	}
	return 0;
}

static int irqfd(struct irq *irq, int eventfd, uint32_t gsi, uint32_t flags,
		 int resamplefd)
{
	struct hcl_irqfd arg = {
		.fd = eventfd, .gsi = gsi, .flags = flags,
		.resamplefd = resamplefd,
	};

	if (gsi >= IRQ_NR_GSIS || eventfd < 0)
		return -EINVAL;
	if (!irq->present)
		return -ENOTTY;
	return irq->ioctl(irq->arg, HCL_IRQFD, &arg) ? -errno : 0;
}

int irq_add_irqfd(struct irq *irq, int eventfd, uint32_t gsi, int resamplefd)
{
	if (resamplefd >= 0)
		return irqfd(irq, eventfd, gsi, HCL_IRQFD_RESAMPLE, resamplefd);
	return irqfd(irq, eventfd, gsi, 0, 0);
}

int irq_del_irqfd(struct irq *irq, int eventfd, uint32_t gsi)
{
	return irqfd(irq, eventfd, gsi, HCL_IRQFD_DEASSIGN, 0);
}
