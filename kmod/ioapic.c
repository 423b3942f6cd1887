// SPDX-License-Identifier: GPL-2.0
/*
 * The IOAPIC: 24 redirection entries that turn pin levels into APIC
 * messages (lapic.c), with remote IRR for level-triggered pins until the
 * guest's EOI.  Pins are driven by HCL_IRQ_LINE and irqfds (irq.c); the
 * guest programs it through IOREGSEL/IOWIN at HCL_IOAPIC_BASE.
 *
 * Locking is described at struct hcl_ioapic (ioapic.h).
 */
#define pr_fmt(fmt) "hcl: ioapic: " fmt

#include <linux/kernel.h>
#include <kunit/visibility.h>

#include "irq.h"

/* bits the guest may write: all but delivery status and remote IRR */
#define RTE_WRITABLE	(GENMASK_ULL(11, 0) | HCL_IOAPIC_RTE_POLARITY | \
			 HCL_IOAPIC_RTE_LEVEL | HCL_IOAPIC_RTE_MASKED | \
			 GENMASK_ULL(63, 56))

void hcl_ioapic_init(struct hcl_ioapic *io, u32 id)
{
	unsigned int i;

	spin_lock_init(&io->lock);
	io->id = id & 0xf;
	io->regsel = 0;
	for (i = 0; i < HCL_IOAPIC_PINS; i++)
		io->rte[i] = HCL_IOAPIC_RTE_MASKED;
	memset(io->level, 0, sizeof(io->level));
	io->irqs = 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_ioapic_init);

static bool pin_level(const struct hcl_ioapic *io, u32 pin)
{
	unsigned int s;

	for (s = 0; s < HCL_NR_IRQ_SRC; s++)
		if (io->level[s] & BIT(pin))
			return true;
	return false;
}

/*
 * Sends pin @pin's interrupt if its entry lets it: not masked and, when
 * level-triggered, no remote IRR.  Lock held.
 */
static void service(struct hcl_irqchip *chip, u32 pin)
{
	struct hcl_ioapic *io = &chip->ioapic;
	u64 e = io->rte[pin];
	struct hcl_apic_irq irq = {
		.vector = e & 0xff,
		.delivery_mode = (e >> HCL_IOAPIC_RTE_DM_SHIFT) & 7,
		.logical = e & HCL_IOAPIC_RTE_LOGICAL,
		.level_trig = e & HCL_IOAPIC_RTE_LEVEL,
		.assert = true,
		.dest = e >> HCL_IOAPIC_RTE_DEST_SHIFT,
	};

	if (e & HCL_IOAPIC_RTE_MASKED)
		return;
	if (irq.level_trig) {
		if (e & HCL_IOAPIC_RTE_REMOTE_IRR)
			return;
		io->rte[pin] |= HCL_IOAPIC_RTE_REMOTE_IRR;
	}
	io->irqs++;
	hcl_apic_deliver(chip, NULL, &irq);
}

/* Source @src drives pin @pin to @level; any context. */
void hcl_ioapic_set_level(struct hcl_irqchip *chip, u32 pin,
			  unsigned int src, bool level)
{
	struct hcl_ioapic *io = &chip->ioapic;
	unsigned long flags;
	bool old;

	spin_lock_irqsave(&io->lock, flags);
	old = pin_level(io, pin);
	if (level)
		io->level[src] |= BIT(pin);
	else
		io->level[src] &= ~BIT(pin);
	if (level && (!old || (io->rte[pin] & HCL_IOAPIC_RTE_LEVEL)))
		service(chip, pin);
	spin_unlock_irqrestore(&io->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_ioapic_set_level);

/* An edge on pin @pin (an irqfd signal): as if it went up and down. */
void hcl_ioapic_pulse(struct hcl_irqchip *chip, u32 pin)
{
	struct hcl_ioapic *io = &chip->ioapic;
	unsigned long flags;

	spin_lock_irqsave(&io->lock, flags);
	if (!pin_level(io, pin) || (io->rte[pin] & HCL_IOAPIC_RTE_LEVEL))
		service(chip, pin);
	spin_unlock_irqrestore(&io->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_ioapic_pulse);

/*
 * A level-triggered @vector was EOId: clear remote IRR of the pins that
 * sent it, lower their resampled sources, and send again what is still
 * asserted.  Returns the pins whose resamplers are due (irq.c).
 */
u32 hcl_ioapic_eoi(struct hcl_irqchip *chip, u8 vector)
{
	struct hcl_ioapic *io = &chip->ioapic;
	unsigned long flags;
	u32 pins = 0;
	u32 pin;

	spin_lock_irqsave(&io->lock, flags);
	for (pin = 0; pin < HCL_IOAPIC_PINS; pin++) {
		u64 e = io->rte[pin];

		if ((e & 0xff) != vector || !(e & HCL_IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~HCL_IOAPIC_RTE_REMOTE_IRR;
		if (io->level[HCL_IRQ_SRC_RESAMPLE] & BIT(pin)) {
			io->level[HCL_IRQ_SRC_RESAMPLE] &= ~BIT(pin);
			pins |= BIT(pin);
		}
		if (pin_level(io, pin))
			service(chip, pin);
	}
	spin_unlock_irqrestore(&io->lock, flags);
	return pins;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_ioapic_eoi);

static u32 read_reg(struct hcl_ioapic *io)
{
	u32 r = io->regsel;

	switch (r) {
	case 0:
		return io->id << 24;
	case 1:
		return HCL_IOAPIC_VERSION;
	case 2:
		return io->id << 24;	/* arbitration ID */
	}
	if (r >= 0x10 && r < 0x10 + 2 * HCL_IOAPIC_PINS) {
		u64 e = io->rte[(r - 0x10) / 2];

		return r & 1 ? e >> 32 : (u32)e;
	}
	return 0;
}

static void write_reg(struct hcl_irqchip *chip, u32 val)
{
	struct hcl_ioapic *io = &chip->ioapic;
	u32 r = io->regsel;
	u32 pin;
	u64 e;

	if (r == 0) {
		io->id = (val >> 24) & 0xf;
		return;
	}
	if (r < 0x10 || r >= 0x10 + 2 * HCL_IOAPIC_PINS)
		return;		/* version, arbitration: read-only */
	pin = (r - 0x10) / 2;
	e = io->rte[pin];
	if (r & 1)
		e = (e & 0xffffffffULL) | ((u64)val << 32);
	else
		e = (e & ~0xffffffffULL) | val;
	e = (e & RTE_WRITABLE) | (io->rte[pin] & HCL_IOAPIC_RTE_REMOTE_IRR);
	/* an edge-triggered pin has no remote IRR */
	if (!(e & HCL_IOAPIC_RTE_LEVEL))
		e &= ~HCL_IOAPIC_RTE_REMOTE_IRR;
	io->rte[pin] = e;
	/* an unmasked level-triggered pin that is asserted fires now */
	if ((e & HCL_IOAPIC_RTE_LEVEL) && !(e & HCL_IOAPIC_RTE_MASKED) &&
	    pin_level(io, pin))
		service(chip, pin);
}

/* MMIO at HCL_IOAPIC_BASE + @offset: IOREGSEL and IOWIN (32 bits). */
u32 hcl_ioapic_read(struct hcl_irqchip *chip, u64 offset)
{
	struct hcl_ioapic *io = &chip->ioapic;
	unsigned long flags;
	u32 v = 0;

	spin_lock_irqsave(&io->lock, flags);
	if (offset == HCL_IOAPIC_REGSEL)
		v = io->regsel;
	else if (offset == HCL_IOAPIC_WIN)
		v = read_reg(io);
	spin_unlock_irqrestore(&io->lock, flags);
	return v;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_ioapic_read);

void hcl_ioapic_write(struct hcl_irqchip *chip, u64 offset, u32 val)
{
	struct hcl_ioapic *io = &chip->ioapic;
	unsigned long flags;

	spin_lock_irqsave(&io->lock, flags);
	if (offset == HCL_IOAPIC_REGSEL)
		io->regsel = val & 0xff;
	else if (offset == HCL_IOAPIC_WIN)
		write_reg(chip, val);
	spin_unlock_irqrestore(&io->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_ioapic_write);
