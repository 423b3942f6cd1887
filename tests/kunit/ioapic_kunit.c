// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the IOAPIC (kmod/ioapic.c): its registers, redirection
 * to the local APICs, masking, edge and level pins, remote IRR until EOI.
 */
#include <kunit/test.h>

#include "hcl_kunit.h"
#include "irq.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static u32 io_rd(struct hcl_irqchip *chip, u32 reg)
{
	hcl_ioapic_write(chip, HCL_IOAPIC_REGSEL, reg);
	return hcl_ioapic_read(chip, HCL_IOAPIC_WIN);
}

static void io_wr(struct hcl_irqchip *chip, u32 reg, u32 val)
{
	hcl_ioapic_write(chip, HCL_IOAPIC_REGSEL, reg);
	hcl_ioapic_write(chip, HCL_IOAPIC_WIN, val);
}

static struct hcl_irqchip *chip_new(struct kunit *test, u32 n)
{
	struct hcl_irqchip *chip = hcl_irqchip_alloc(NULL, n);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, chip);
	for (i = 0; i < n; i++)
		hcl_lapic_write(&chip->apics[i], HCL_APIC_SVR, 0x1ff, false);
	return chip;
}

static void ioapic_registers(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 2);
	unsigned int i;

	/* the ID follows the VPs' */
	KUNIT_EXPECT_EQ(test, io_rd(chip, 0), 2U << 24);
	KUNIT_EXPECT_EQ(test, io_rd(chip, 1), 0x170011U);
	KUNIT_EXPECT_EQ(test, io_rd(chip, 2), 2U << 24);
	io_wr(chip, 0, 0x0f000000);
	KUNIT_EXPECT_EQ(test, io_rd(chip, 0), 0x0f000000U);
	io_wr(chip, 1, 0);
	KUNIT_EXPECT_EQ(test, io_rd(chip, 1), 0x170011U);
	KUNIT_EXPECT_EQ(test, hcl_ioapic_read(chip, HCL_IOAPIC_REGSEL), 1U);
	for (i = 0; i < HCL_IOAPIC_PINS; i++)
		KUNIT_EXPECT_EQ(test, io_rd(chip, 0x10 + 2 * i), 0x10000U);
	/* delivery status, remote IRR and reserved bits are read-only */
	io_wr(chip, 0x10, 0xffffffff);
	KUNIT_EXPECT_EQ(test, io_rd(chip, 0x10), 0x1afffU);
	io_wr(chip, 0x11, 0xffffffff);
	KUNIT_EXPECT_EQ(test, io_rd(chip, 0x11), 0xff000000U);
	/* beyond the table: 0 */
	KUNIT_EXPECT_EQ(test, io_rd(chip, 0x10 + 2 * HCL_IOAPIC_PINS), 0U);
	hcl_irqchip_free(chip);
}

static void ioapic_edge(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 2);
	struct hcl_lapic *a1 = &chip->apics[1];

	/* pin 4: vector 0x34, physical destination 1, masked */
	io_wr(chip, 0x11 + 8, 1U << 24);
	io_wr(chip, 0x10 + 8, 0x10034);
	hcl_ioapic_set_level(chip, 4, HCL_IRQ_SRC_USER, true);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a1), -1);
	hcl_ioapic_set_level(chip, 4, HCL_IRQ_SRC_USER, false);
	io_wr(chip, 0x10 + 8, 0x34);
	/* edge: fires on the rising edge only */
	hcl_ioapic_set_level(chip, 4, HCL_IRQ_SRC_USER, true);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a1), 0x34);
	KUNIT_EXPECT_FALSE(test, test_bit(0x34, a1->tmr));
	clear_bit(0x34, a1->irr);
	hcl_ioapic_set_level(chip, 4, HCL_IRQ_SRC_USER, true);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a1), -1);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(&chip->apics[0]), -1);
	hcl_ioapic_set_level(chip, 4, HCL_IRQ_SRC_USER, false);
	/* a pulse is an edge */
	hcl_ioapic_pulse(chip, 4);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a1), 0x34);
	/* no remote IRR for edges */
	KUNIT_EXPECT_EQ(test, io_rd(chip, 0x10 + 8) & BIT(14), 0U);
	KUNIT_EXPECT_EQ(test, chip->ioapic.irqs, 2ULL);
	hcl_irqchip_free(chip);
}

static void ioapic_level_eoi(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 1);
	struct hcl_lapic *a = &chip->apics[0];

	/* pin 9: vector 0x59, level, destination 0 */
	io_wr(chip, 0x11 + 18, 0);
	io_wr(chip, 0x10 + 18, 0x8059);
	hcl_ioapic_set_level(chip, 9, HCL_IRQ_SRC_USER, true);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), 0x59);
	KUNIT_EXPECT_TRUE(test, test_bit(0x59, a->tmr));
	KUNIT_EXPECT_NE(test, io_rd(chip, 0x10 + 18) & BIT(14), 0U);
	/* remote IRR holds it until the EOI */
	hcl_lapic_accept(a, 0x59);
	hcl_ioapic_set_level(chip, 9, HCL_IRQ_SRC_USER, true);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a), -1);
	/* EOI while still asserted: sent again */
	hcl_lapic_write(a, HCL_APIC_EOI, 0, false);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), 0x59);
	KUNIT_EXPECT_NE(test, io_rd(chip, 0x10 + 18) & BIT(14), 0U);
	/* lowered, then EOI: remote IRR clears, nothing more */
	hcl_lapic_accept(a, 0x59);
	hcl_ioapic_set_level(chip, 9, HCL_IRQ_SRC_USER, false);
	hcl_lapic_write(a, HCL_APIC_EOI, 0, false);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a), -1);
	KUNIT_EXPECT_EQ(test, io_rd(chip, 0x10 + 18) & BIT(14), 0U);
	/* masked while asserted; unmasking delivers */
	io_wr(chip, 0x10 + 18, 0x18059);
	hcl_ioapic_set_level(chip, 9, HCL_IRQ_SRC_USER, true);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a), -1);
	io_wr(chip, 0x10 + 18, 0x8059);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a), 0x59);
	hcl_irqchip_free(chip);
}

static void ioapic_resample(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 1);
	struct hcl_lapic *a = &chip->apics[0];

	io_wr(chip, 0x10 + 10, 0x8065);		/* pin 5, level, 0x65 */
	hcl_ioapic_set_level(chip, 5, HCL_IRQ_SRC_RESAMPLE, true);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), 0x65);
	hcl_lapic_accept(a, 0x65);
	/* the EOI lowers a resampled source and reports its pin */
	KUNIT_EXPECT_EQ(test, hcl_ioapic_eoi(chip, 0x65), BIT(5));
	KUNIT_EXPECT_EQ(test, chip->ioapic.level[HCL_IRQ_SRC_RESAMPLE], 0U);
	KUNIT_EXPECT_EQ(test, hcl_ioapic_eoi(chip, 0x65), 0U);
	hcl_irqchip_free(chip);
}

static void ioapic_logical_lowest(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 3);
	unsigned int i;

	for (i = 0; i < 3; i++)
		hcl_lapic_write(&chip->apics[i], HCL_APIC_LDR, BIT(i) << 24,
				false);
	/* logical flat 0x6 = VPs 1 and 2, lowest priority: VP 1 */
	io_wr(chip, 0x11, 0x06000000);
	io_wr(chip, 0x10, 0x0970 | BIT(11));
	hcl_ioapic_pulse(chip, 0);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(&chip->apics[1]), 0x70);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(&chip->apics[2]), -1);
	/* fixed, physical broadcast 0xff: all of them */
	io_wr(chip, 0x11, 0xff000000);
	io_wr(chip, 0x10, 0x71);
	hcl_ioapic_pulse(chip, 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(&chip->apics[i]),
				0x71);
	hcl_irqchip_free(chip);
}

static struct kunit_case hcl_ioapic_cases[] = {
	KUNIT_CASE(ioapic_registers),
	KUNIT_CASE(ioapic_edge),
	KUNIT_CASE(ioapic_level_eoi),
	KUNIT_CASE(ioapic_resample),
	KUNIT_CASE(ioapic_logical_lowest),
	{}
};

HCL_KUNIT_SUITE(ioapic, hcl_ioapic_cases);
