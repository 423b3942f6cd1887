// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "mptable.h"

#define MP_SPEC_REV	4	/* 1.4 */
#define LAPIC_VERSION	0x14
#define IOAPIC_VERSION	0x11
#define NR_ISA_IRQS	16

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* the byte that makes @len bytes from @p sum to 0 */
static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)-sum;
}

/* ISA IRQs with an IOAPIC pin: all but 2 (the PICs' cascade) */
static unsigned int nr_ioints(void)
{
	return NR_ISA_IRQS - 1;
}

size_t mptable_size(unsigned int nr_cpus)
{
	return MP_FLOAT_SIZE + MP_HEADER_SIZE + nr_cpus * MP_CPU_SIZE +
	       (2 + nr_ioints() + 2) * MP_ENTRY_SIZE;
}

static uint8_t *entry8(uint8_t *p, uint8_t type, uint8_t a, uint16_t flags,
		       uint8_t bus, uint8_t irq, uint8_t dst, uint8_t pin)
{
	p[0] = type;
	p[1] = a;
	put16(p + 2, flags);
	p[4] = bus;
	p[5] = irq;
	p[6] = dst;
	p[7] = pin;
	return p + MP_ENTRY_SIZE;
}

size_t mptable_write(void *buf, size_t room, uint64_t gpa,
		     unsigned int nr_cpus, uint32_t cpu_signature,
		     uint32_t cpu_features)
{
	size_t size = mptable_size(nr_cpus);
	uint8_t *fp = buf, *hdr = fp + MP_FLOAT_SIZE, *p;
	uint8_t ioapic_id = (uint8_t)nr_cpus;
	unsigned int i, irq, count = 0;

	if (!nr_cpus || nr_cpus > MPTABLE_MAX_CPUS || gpa % 16 ||
	    gpa + size > 0x100000000ULL || room < size)
		return 0;
	memset(buf, 0, size);

	p = hdr + MP_HEADER_SIZE;
	for (i = 0; i < nr_cpus; i++, count++) {
		p[0] = MP_CPU;
		p[1] = (uint8_t)i;			/* APIC id */
		p[2] = LAPIC_VERSION;
		p[3] = 0x01 | (i == 0 ? 0x02 : 0);	/* enabled, BSP */
		put32(p + 4, cpu_signature);
		put32(p + 8, cpu_features);
		p += MP_CPU_SIZE;
	}
	p[0] = MP_BUS;
	memcpy(p + 2, "ISA   ", 6);
	p += MP_ENTRY_SIZE;
	count++;
	p[0] = MP_IOAPIC;
	p[1] = ioapic_id;
	p[2] = IOAPIC_VERSION;
	p[3] = 0x01;					/* enabled */
	put32(p + 4, MPTABLE_IOAPIC_ADDR);
	p += MP_ENTRY_SIZE;
	count++;
	for (irq = 0; irq < NR_ISA_IRQS; irq++) {
		if (irq == 2)
			continue;
		p = entry8(p, MP_IOINT, MP_INT_INT, 0, 0, (uint8_t)irq,
			   ioapic_id, (uint8_t)(irq ? irq : 2));
		count++;
	}
	/* destination 0xff: every local APIC */
	p = entry8(p, MP_LINT, MP_INT_EXTINT, 0, 0, 0, 0xff, 0);
	p = entry8(p, MP_LINT, MP_INT_NMI, 0, 0, 0, 0xff, 1);
	count += 2;

	memcpy(hdr, "PCMP", 4);
	put16(hdr + 4, (uint16_t)(p - hdr));		/* base table length */
	hdr[6] = MP_SPEC_REV;
	memcpy(hdr + 8, "HCL     ", 8);			/* OEM */
	memcpy(hdr + 16, "VTL0        ", 12);		/* product */
	put16(hdr + 34, (uint16_t)count);
	put32(hdr + 36, MPTABLE_LAPIC_ADDR);
	hdr[7] = checksum(hdr, (size_t)(p - hdr));

	memcpy(fp, "_MP_", 4);
	put32(fp + 4, (uint32_t)(gpa + MP_FLOAT_SIZE));
	fp[8] = 1;					/* length: 16 bytes */
	fp[9] = MP_SPEC_REV;
	fp[10] = checksum(fp, MP_FLOAT_SIZE);
	return size;
}
