/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOAPIC (ioapic.c): 24 pins routed to the local APICs, MMIO at
 * HCL_IOAPIC_BASE, in the kernel (docs/irqchip.md says why).
 */
#ifndef HCL_IOAPIC_H
#define HCL_IOAPIC_H

#include <linux/spinlock.h>
#include <linux/types.h>
#include <uapi/linux/hcl.h>

struct hcl_irqchip;

/* who drives a pin; the pin's level is the OR of its sources */
enum {
	HCL_IRQ_SRC_USER,	/* HCL_IRQ_LINE */
	HCL_IRQ_SRC_RESAMPLE,	/* resampling irqfds, lowered at EOI */
	HCL_NR_IRQ_SRC
};

/* redirection entry bits */
#define HCL_IOAPIC_RTE_DM_SHIFT		8
#define HCL_IOAPIC_RTE_LOGICAL		BIT_ULL(11)
#define HCL_IOAPIC_RTE_STATUS		BIT_ULL(12)
#define HCL_IOAPIC_RTE_POLARITY		BIT_ULL(13)
#define HCL_IOAPIC_RTE_REMOTE_IRR	BIT_ULL(14)
#define HCL_IOAPIC_RTE_LEVEL		BIT_ULL(15)
#define HCL_IOAPIC_RTE_MASKED		BIT_ULL(16)
#define HCL_IOAPIC_RTE_DEST_SHIFT	56

#define HCL_IOAPIC_REGSEL	0x00
#define HCL_IOAPIC_WIN		0x10
#define HCL_IOAPIC_VERSION	0x170011	/* 24 entries, version 0x11 */

/*
 * lock protects everything here; it is taken with interrupts off because
 * irqfd wakeups (any context, eventfd's lock held) raise pins.  Delivery
 * to the local APICs happens under it (lock-free there).
 */
struct hcl_ioapic {
	spinlock_t lock;		/* everything below */
	u32 regsel;
	u32 id;
	u64 rte[HCL_IOAPIC_PINS];
	u32 level[HCL_NR_IRQ_SRC];	/* one bit per pin */
	u64 irqs;			/* interrupts sent to the APICs */
};

void hcl_ioapic_init(struct hcl_ioapic *io, u32 id);
void hcl_ioapic_set_level(struct hcl_irqchip *chip, u32 pin,
			  unsigned int src, bool level);
void hcl_ioapic_pulse(struct hcl_irqchip *chip, u32 pin);
u32 hcl_ioapic_eoi(struct hcl_irqchip *chip, u8 vector);
u32 hcl_ioapic_read(struct hcl_irqchip *chip, u64 offset);
void hcl_ioapic_write(struct hcl_irqchip *chip, u64 offset, u32 val);

#endif /* HCL_IOAPIC_H */
