// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the local APIC (kmod/lapic.c): registers, priorities,
 * EOI, the timer modes and IPI delivery rules, on an irqchip with no VPs.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <asm/msr-index.h>

#include "hcl_kunit.h"
#include "irq.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static struct hcl_irqchip *chip_new(struct kunit *test, u32 n)
{
	struct hcl_irqchip *chip = hcl_irqchip_alloc(NULL, n);

	KUNIT_ASSERT_NOT_NULL(test, chip);
	return chip;
}

/* an MSR access by the guest */
static int guest_msr(struct hcl_lapic *a, u32 index, bool write, u64 *v)
{
	return hcl_lapic_msr(a, index, write, v, false);
}

static u64 rd(struct hcl_lapic *a, u32 off)
{
	u64 v = 0xdead;

	WARN_ON(hcl_lapic_read(a, off, &v, false));
	return v;
}

static void wr(struct hcl_lapic *a, u32 off, u32 v)
{
	WARN_ON(hcl_lapic_write(a, off, v, false));
}

/* writes @v to the register at @off; returns what it then reads */
static u64 wr_rd(struct hcl_lapic *a, u32 off, u32 v)
{
	wr(a, off, v);
	return rd(a, off);
}

/* software-enable the APIC with spurious vector 0xff */
static void enable(struct hcl_lapic *a)
{
	wr(a, HCL_APIC_SVR, 0x1ff);
}

static void lapic_reset_state(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 2);
	struct hcl_lapic *a = &chip->apics[0], *b = &chip->apics[1];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_ID), 0ULL);
	KUNIT_EXPECT_EQ(test, rd(b, HCL_APIC_ID), 1ULL << 24);
	/* version 0x14, 6 LVTs (max LVT 5), no directed EOI */
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_VER), 0x50014ULL);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_SVR), 0xffULL);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_DFR), 0xffffffffULL);
	for (i = 0; i < HCL_NR_LVT; i++)
		KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_LVTT + i * 16),
				(u64)HCL_APIC_LVT_MASKED);
	KUNIT_EXPECT_EQ(test, a->base, HCL_APIC_DEFAULT_BASE |
			HCL_APIC_BASE_ENABLE | HCL_APIC_BASE_BSP);
	KUNIT_EXPECT_EQ(test, b->base, HCL_APIC_DEFAULT_BASE |
			HCL_APIC_BASE_ENABLE);
	KUNIT_EXPECT_TRUE(test, hcl_lapic_mmio_claims(a, 0xfee000b0));
	KUNIT_EXPECT_FALSE(test, hcl_lapic_mmio_claims(a, 0xfee01000));
	hcl_irqchip_free(chip);
}

static void lapic_register_semantics(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 1);
	struct hcl_lapic *a = &chip->apics[0];
	u64 v;

	/* read-only registers ignore xAPIC writes */
	KUNIT_EXPECT_EQ(test, wr_rd(a, HCL_APIC_VER, 0), 0x50014ULL);
	KUNIT_EXPECT_EQ(test, wr_rd(a, HCL_APIC_PPR, 0xff), 0ULL);
	/* reserved bits: TPR 8 bits, LDR bits 31:24, DFR model only */
	KUNIT_EXPECT_EQ(test, wr_rd(a, HCL_APIC_TPR, 0x1234), 0x34ULL);
	wr(a, HCL_APIC_TPR, 0);
	KUNIT_EXPECT_EQ(test, wr_rd(a, HCL_APIC_LDR, 0x12345678), 0x12000000ULL);
	KUNIT_EXPECT_EQ(test, wr_rd(a, HCL_APIC_DFR, 0), 0x0fffffffULL);
	/* a software-disabled APIC keeps its LVTs masked */
	KUNIT_EXPECT_EQ(test, wr_rd(a, HCL_APIC_LVT0, 0x700), 0x10700ULL);
	enable(a);
	KUNIT_EXPECT_EQ(test, wr_rd(a, HCL_APIC_LVT0, 0xffffffff), 0x1a7ffULL);
	KUNIT_EXPECT_EQ(test, wr_rd(a, HCL_APIC_LVTT, 0xffffffff), 0x700ffULL);
	KUNIT_EXPECT_EQ(test, wr_rd(a, HCL_APIC_TDCR, 0xff), 0xbULL);
	/* misaligned offsets read 0 */
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_VER + 4), 0ULL);
	/* clearing SVR.enable masks the LVTs again */
	wr(a, HCL_APIC_SVR, 0xff);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_LVT0) & HCL_APIC_LVT_MASKED,
			(u64)HCL_APIC_LVT_MASKED);

	/* x2APIC: MSRs #GP until it is on */
	v = 0;
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x802, false, &v), -EINVAL);
	v = HCL_APIC_DEFAULT_BASE | HCL_APIC_BASE_X2APIC;
	KUNIT_EXPECT_EQ(test, guest_msr(a, MSR_IA32_APICBASE, true, &v),
			-EINVAL);	/* x2APIC without enable */
	v |= HCL_APIC_BASE_ENABLE;
	KUNIT_EXPECT_EQ(test, guest_msr(a, MSR_IA32_APICBASE, true, &v), 0);
	KUNIT_EXPECT_TRUE(test, hcl_lapic_x2apic(a));
	KUNIT_EXPECT_FALSE(test, hcl_lapic_mmio_claims(a, 0xfee000b0));
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x802, false, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0ULL);		/* 32-bit ID */
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x80d, false, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1ULL);		/* LDR: cluster 0, bit 0 */
	v = 5;
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x802, true, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x80d, true, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x80e, false, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x831, false, &v), -EINVAL);
	v = 1;
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x80b, true, &v), -EINVAL);
	v = 0x1ULL << 32;
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x808, true, &v), -EINVAL);
	/* x2APIC -> xAPIC directly is refused; via disabled it works */
	v = HCL_APIC_DEFAULT_BASE | HCL_APIC_BASE_ENABLE;
	KUNIT_EXPECT_EQ(test, guest_msr(a, MSR_IA32_APICBASE, true, &v),
			-EINVAL);
	v = HCL_APIC_DEFAULT_BASE;
	KUNIT_EXPECT_EQ(test, guest_msr(a, MSR_IA32_APICBASE, true, &v), 0);
	KUNIT_EXPECT_FALSE(test, hcl_lapic_hw_enabled(a));
	v = HCL_APIC_DEFAULT_BASE | HCL_APIC_BASE_ENABLE;
	KUNIT_EXPECT_EQ(test, guest_msr(a, MSR_IA32_APICBASE, true, &v), 0);
	KUNIT_EXPECT_EQ(test, a->base & HCL_APIC_BASE_BSP, HCL_APIC_BASE_BSP);
	/* the guest cannot move the BSP bit, userspace can */
	v = HCL_APIC_DEFAULT_BASE | HCL_APIC_BASE_ENABLE;
	KUNIT_EXPECT_EQ(test, guest_msr(a, MSR_IA32_APICBASE, true, &v), 0);
	KUNIT_EXPECT_EQ(test, a->base & HCL_APIC_BASE_BSP, HCL_APIC_BASE_BSP);
	KUNIT_EXPECT_EQ(test, hcl_lapic_msr(a, MSR_IA32_APICBASE, true, &v,
					    true), 0);
	KUNIT_EXPECT_EQ(test, a->base & HCL_APIC_BASE_BSP, 0ULL);
	/* x2APIC: reserved bits of SVR, LVTs and TDCR are dropped */
	v |= HCL_APIC_BASE_X2APIC;
	KUNIT_EXPECT_EQ(test, guest_msr(a, MSR_IA32_APICBASE, true, &v), 0);
	v = 0x13ff;
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x80f, true, &v), 0);
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x80f, false, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x3ffULL);
	v = 0xfffff;
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x835, true, &v), 0);
	KUNIT_EXPECT_EQ(test, guest_msr(a, 0x835, false, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x1a7ffULL);
	hcl_irqchip_free(chip);
}

static void lapic_priority_eoi(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 1);
	struct hcl_lapic *a = &chip->apics[0];

	/* disabled by software: fixed interrupts are not accepted */
	KUNIT_EXPECT_FALSE(test, hcl_lapic_set_irq(a, 0x40, false));
	enable(a);
	KUNIT_EXPECT_FALSE(test, hcl_lapic_set_irq(a, 0x0f, false));
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), -1);
	KUNIT_EXPECT_TRUE(test, hcl_lapic_set_irq(a, 0x41, false));
	KUNIT_EXPECT_TRUE(test, hcl_lapic_set_irq(a, 0x62, false));
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_IRR + 0x30), 0x4ULL);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_IRR + 0x20), 0x2ULL);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), 0x62);
	/* TPR masks the class and below */
	wr(a, HCL_APIC_TPR, 0x60);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_PPR), 0x60ULL);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), -1);
	KUNIT_EXPECT_FALSE(test, hcl_lapic_wake_ready(a));
	wr(a, HCL_APIC_TPR, 0x5f);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), 0x62);
	wr(a, HCL_APIC_TPR, 0);
	/* in service: PPR is the class, lower classes wait */
	hcl_lapic_accept(a, 0x62);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_ISR + 0x30), 0x4ULL);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_PPR), 0x60ULL);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), -1);
	/* a higher class nests */
	hcl_lapic_set_irq(a, 0x81, false);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), 0x81);
	hcl_lapic_accept(a, 0x81);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_PPR), 0x80ULL);
	/* the same class does not */
	hcl_lapic_set_irq(a, 0x8f, false);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), -1);
	/* EOI retires the highest in service */
	wr(a, HCL_APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_ISR + 0x40), 0ULL);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_PPR), 0x60ULL);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), 0x8f);
	hcl_lapic_accept(a, 0x8f);
	wr(a, HCL_APIC_EOI, 0);
	wr(a, HCL_APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_PPR), 0ULL);
	KUNIT_EXPECT_EQ(test, hcl_lapic_pending(a), 0x41);
	/* TMR follows the trigger mode */
	hcl_lapic_set_irq(a, 0x50, true);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_TMR + 0x20), 0x10000ULL);
	hcl_irqchip_free(chip);
}

/*
 * Enables @chip's APIC 0 and starts its timer: divide configuration
 * @tdcr, LVT @lvtt, initial count @tmict.  Returns that APIC.
 */
static struct hcl_lapic *timer_start(struct hcl_irqchip *chip, u32 tdcr,
				     u32 lvtt, u32 tmict)
{
	struct hcl_lapic *a = &chip->apics[0];

	enable(a);
	wr(a, HCL_APIC_TDCR, tdcr);
	wr(a, HCL_APIC_LVTT, lvtt);
	wr(a, HCL_APIC_TMICT, tmict);
	return a;
}

static void lapic_timer_oneshot(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 1);
	/* divide by 1, one-shot at vector 0x40, 0.5 s at 1 GHz */
	struct hcl_lapic *a = timer_start(chip, 0xb, 0x40, 500000000);
	u64 cnt;

	cnt = rd(a, HCL_APIC_TMCCT);
	KUNIT_EXPECT_GT(test, cnt, 0ULL);
	KUNIT_EXPECT_LE(test, cnt, 500000000ULL);
	wr(a, HCL_APIC_TMICT, 200000);		/* 200 us */
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->timer_fires), 1);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a), 0x40);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_TMCCT), 0ULL);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->timer_fires), 1);
	/* masked: it expires, but nothing is delivered */
	hcl_lapic_accept(a, 0x40);
	wr(a, HCL_APIC_EOI, 0);
	wr(a, HCL_APIC_LVTT, 0x10040);
	wr(a, HCL_APIC_TMICT, 100000);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->timer_fires), 2);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a), -1);
	hcl_irqchip_free(chip);
}

static void lapic_timer_periodic(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 1);
	/* divide by 16, periodic at vector 0x41, every 1 ms */
	struct hcl_lapic *a = timer_start(chip, 0x3, 0x20041, 62500);
	int n;

	msleep(30);
	n = atomic_read(&a->timer_fires);
	KUNIT_EXPECT_GE(test, n, 3);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a), 0x41);
	/* a mode change stops it */
	wr(a, HCL_APIC_LVTT, 0x41);
	KUNIT_EXPECT_EQ(test, rd(a, HCL_APIC_TMICT), 0ULL);
	n = atomic_read(&a->timer_fires);
	msleep(20);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->timer_fires), n);
	hcl_irqchip_free(chip);
}

static void lapic_timer_deadline(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 1);
	struct hcl_lapic *a = &chip->apics[0];
	u64 v, deadline, now;
	int n;

	enable(a);
	/* not in deadline mode: the MSR write is ignored */
	v = 1;
	KUNIT_EXPECT_EQ(test, guest_msr(a, MSR_IA32_TSC_DEADLINE, true, &v),
			0);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->timer_fires), 0);
	wr(a, HCL_APIC_LVTT, 0x40042);		/* TSC-deadline, vector 0x42 */
	/* TMICT is ignored in this mode */
	KUNIT_EXPECT_EQ(test, wr_rd(a, HCL_APIC_TMICT, 1000), 0ULL);
	/* in the past: fires at once and disarms */
	KUNIT_EXPECT_EQ(test, guest_msr(a, MSR_IA32_TSC_DEADLINE, true, &v),
			0);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->timer_fires), 1);
	KUNIT_EXPECT_EQ(test, hcl_lapic_highest_irr(a), 0x42);
	KUNIT_EXPECT_EQ(test, guest_msr(a, MSR_IA32_TSC_DEADLINE, false, &v),
			0);
	KUNIT_EXPECT_EQ(test, v, 0ULL);
	/*
	 * 10 ms ahead: not fired yet, unless that time has passed already
	 * (a debug kernel under QEMU can be that slow between two lines)
	 */
	deadline = rdtsc() + 10 * chip->tsc_khz;
	v = deadline;
	guest_msr(a, MSR_IA32_TSC_DEADLINE, true, &v);
	n = atomic_read(&a->timer_fires);
	KUNIT_EXPECT_TRUE(test, n == 1 || rdtsc() >= deadline);
	msleep(40);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->timer_fires), 2);
	KUNIT_EXPECT_EQ(test, guest_msr(a, MSR_IA32_TSC_DEADLINE, false, &v),
			0);
	KUNIT_EXPECT_EQ(test, v, 0ULL);	/* spent */
	/* writing 0 disarms: no fire after it, and none before unless due */
	deadline = rdtsc() + 10 * chip->tsc_khz;
	v = deadline;
	guest_msr(a, MSR_IA32_TSC_DEADLINE, true, &v);
	v = 0;
	guest_msr(a, MSR_IA32_TSC_DEADLINE, true, &v);
	now = rdtsc();
	n = atomic_read(&a->timer_fires);
	KUNIT_EXPECT_TRUE(test, n == 2 || (n == 3 && now >= deadline));
	msleep(40);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->timer_fires), n);
	hcl_irqchip_free(chip);
}

/* sends an IPI from @a through the xAPIC ICR */
static void icr(struct hcl_lapic *a, u32 dest, u32 lo)
{
	wr(a, HCL_APIC_ICR2, dest << 24);
	wr(a, HCL_APIC_ICR, lo);
}

static u32 irr_mask(struct hcl_irqchip *chip, u8 vec)
{
	u32 i, m = 0;

	for (i = 0; i < chip->nr_apics; i++)
		if (test_and_clear_bit(vec, chip->apics[i].irr))
			m |= BIT(i);
	return m;
}

static void lapic_ipi_destinations(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 4);
	unsigned int i;

	for (i = 0; i < 4; i++)
		enable(&chip->apics[i]);
	/* physical */
	icr(&chip->apics[0], 2, 0x30);
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x30), 0x4U);
	icr(&chip->apics[0], 0xff, 0x30);
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x30), 0xfU);
	/* shorthands: self, all, all but self */
	icr(&chip->apics[1], 0, 0x30 | (HCL_SH_SELF << 18));
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x30), 0x2U);
	icr(&chip->apics[1], 0, 0x30 | (HCL_SH_ALL << 18));
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x30), 0xfU);
	icr(&chip->apics[1], 0, 0x30 | (HCL_SH_OTHERS << 18));
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x30), 0xdU);
	/* logical flat: LDR bit per CPU */
	for (i = 0; i < 4; i++)
		wr(&chip->apics[i], HCL_APIC_LDR, BIT(i) << 24);
	icr(&chip->apics[0], 0x6, 0x31 | BIT(11));
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x31), 0x6U);
	/* logical cluster: cluster 1 = VPs 2, 3 */
	for (i = 0; i < 4; i++) {
		wr(&chip->apics[i], HCL_APIC_DFR, 0x0fffffff);
		wr(&chip->apics[i], HCL_APIC_LDR,
		   (((i / 2) << 4) | BIT(i % 2)) << 24);
	}
	icr(&chip->apics[0], 0x13, 0x32 | BIT(11));
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x32), 0xcU);
	icr(&chip->apics[0], 0x01, 0x32 | BIT(11));
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x32), 0x1U);
	/* an illegal vector is an error, not an IPI */
	icr(&chip->apics[0], 1, 0x05);
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x05), 0U);
	wr(&chip->apics[0], HCL_APIC_ESR, 0);
	KUNIT_EXPECT_EQ(test, rd(&chip->apics[0], HCL_APIC_ESR), 0x20ULL);
	wr(&chip->apics[0], HCL_APIC_ESR, 0);
	KUNIT_EXPECT_EQ(test, rd(&chip->apics[0], HCL_APIC_ESR), 0ULL);
	/* a software-disabled target drops fixed IPIs */
	wr(&chip->apics[3], HCL_APIC_SVR, 0xff);
	icr(&chip->apics[0], 3, 0x33);
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x33), 0U);
	hcl_irqchip_free(chip);
}

static void lapic_ipi_x2apic(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 20);
	u64 v;
	unsigned int i;

	for (i = 0; i < 20; i++) {
		v = HCL_APIC_DEFAULT_BASE | HCL_APIC_BASE_ENABLE |
		    HCL_APIC_BASE_X2APIC;
		KUNIT_ASSERT_EQ(test, guest_msr(&chip->apics[i],
						MSR_IA32_APICBASE, true, &v),
				0);
		v = 0x1ff;
		guest_msr(&chip->apics[i], 0x80f, true, &v);
	}
	/* VP 17: cluster 1, bit 1 */
	KUNIT_EXPECT_EQ(test, chip->apics[17].ldr, 0x10002U);
	/* physical, 32-bit destination in the 64-bit ICR */
	v = (17ULL << 32) | 0x40;
	KUNIT_EXPECT_EQ(test, guest_msr(&chip->apics[0], 0x830, true, &v),
			0);
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x40), BIT(17));
	/* logical cluster 0, bits 0 and 3 */
	v = (0x9ULL << 32) | 0x40 | BIT(11);
	guest_msr(&chip->apics[5], 0x830, true, &v);
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x40), BIT(0) | BIT(3));
	/* broadcast */
	v = (0xffffffffULL << 32) | 0x40;
	guest_msr(&chip->apics[5], 0x830, true, &v);
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x40), GENMASK(19, 0));
	/* SELF_IPI */
	v = 0x44;
	KUNIT_EXPECT_EQ(test, guest_msr(&chip->apics[7], 0x83f, true, &v),
			0);
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x44), BIT(7));
	v = 0x144;
	KUNIT_EXPECT_EQ(test, guest_msr(&chip->apics[7], 0x83f, true, &v),
			-EINVAL);
	hcl_irqchip_free(chip);
}

static void lapic_ipi_lowest_priority(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 3);
	unsigned int i;

	for (i = 0; i < 3; i++) {
		enable(&chip->apics[i]);
		wr(&chip->apics[i], HCL_APIC_LDR, 0x01000000);
	}
	wr(&chip->apics[0], HCL_APIC_TPR, 0x20);
	wr(&chip->apics[1], HCL_APIC_TPR, 0x10);
	wr(&chip->apics[2], HCL_APIC_TPR, 0x30);
	/* logical 1 matches all three: VP 1 has the lowest priority */
	icr(&chip->apics[0], 0x1, 0x50 | (HCL_DM_LOWEST << 8) | BIT(11));
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x50), BIT(1));
	/* among equals the lowest index, every time */
	wr(&chip->apics[1], HCL_APIC_TPR, 0x20);
	icr(&chip->apics[2], 0x1, 0x50 | (HCL_DM_LOWEST << 8) | BIT(11));
	KUNIT_EXPECT_EQ(test, irr_mask(chip, 0x50), BIT(0));
	hcl_irqchip_free(chip);
}

static void lapic_init_sipi(struct kunit *test)
{
	struct hcl_irqchip *chip = chip_new(test, 2);
	struct hcl_lapic *bsp = &chip->apics[0], *ap = &chip->apics[1];

	hcl_lapic_reset(ap, true);
	KUNIT_EXPECT_FALSE(test, hcl_lapic_wake_ready(ap));
	/* a fixed IPI does not wake a VP waiting for SIPI */
	enable(ap);
	icr(bsp, 1, 0x40);
	KUNIT_EXPECT_FALSE(test, hcl_lapic_wake_ready(ap));
	/* INIT level assert */
	icr(bsp, 1, (HCL_DM_INIT << 8) | BIT(14) | BIT(15));
	KUNIT_EXPECT_TRUE(test, test_bit(HCL_APIC_EV_INIT, &ap->events));
	KUNIT_EXPECT_TRUE(test, hcl_lapic_wake_ready(ap));
	clear_bit(HCL_APIC_EV_INIT, &ap->events);
	/* INIT level de-assert: nothing */
	icr(bsp, 1, (HCL_DM_INIT << 8) | BIT(15));
	KUNIT_EXPECT_EQ(test, ap->events, 0UL);
	/* SIPI carries its vector */
	icr(bsp, 1, (HCL_DM_SIPI << 8) | 0x9a);
	KUNIT_EXPECT_TRUE(test, test_bit(HCL_APIC_EV_SIPI, &ap->events));
	KUNIT_EXPECT_EQ(test, ap->sipi_vector, 0x9a);
	/* all but self reaches the AP only */
	ap->events = 0;
	icr(bsp, 0, (HCL_DM_SIPI << 8) | 0x10 | (HCL_SH_OTHERS << 18));
	KUNIT_EXPECT_EQ(test, ap->events, BIT(HCL_APIC_EV_SIPI));
	KUNIT_EXPECT_EQ(test, bsp->events, 0UL);
	hcl_irqchip_free(chip);
}

static struct kunit_case hcl_lapic_cases[] = {
	KUNIT_CASE(lapic_reset_state),
	KUNIT_CASE(lapic_register_semantics),
	KUNIT_CASE(lapic_priority_eoi),
	KUNIT_CASE(lapic_timer_oneshot),
	KUNIT_CASE(lapic_timer_periodic),
	KUNIT_CASE(lapic_timer_deadline),
	KUNIT_CASE(lapic_ipi_destinations),
	KUNIT_CASE(lapic_ipi_x2apic),
	KUNIT_CASE(lapic_ipi_lowest_priority),
	KUNIT_CASE(lapic_init_sipi),
	{}
};

HCL_KUNIT_SUITE(lapic, hcl_lapic_cases);
