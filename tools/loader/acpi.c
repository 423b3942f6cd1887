// SPDX-License-Identifier: GPL-2.0
/*
 * The host's ACPI tables, read-only: RSDP (from the PVH start info, or
 * searched for in the BIOS area as a PC firmware would) -> XSDT or RSDT
 * -> a table by signature.  Every table read has its checksum verified.
 * The CPUs are the enabled processor local APIC and local x2APIC entries
 * of the MADT ("APIC"), in table order.
 */
#include <string.h>

#include "loader.h"
#include "rt.h"

#define ACPI_HDR_LEN	36u
#define MADT_LAPIC	0u
#define MADT_X2APIC	9u
#define MADT_ENABLED	0x1u

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool sum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s += p[i];
	return s == 0;
}

static bool readable(uint64_t pa, uint64_t len)
{
	return pa && pa < LOADER_MAPPED_END && len <= LOADER_MAPPED_END - pa;
}

static const uint8_t *rsdp_at(uint64_t pa)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)pa;

	if (!readable(pa, 36) || memcmp(p, "RSD PTR ", 8) || !sum_ok(p, 20))
		return NULL;
	if (p[15] >= 2) {
		uint32_t len = le32(p + 20);

		if (len < 36 || len > 4096 || !readable(pa, len) ||
		    !sum_ok(p, len))
			return NULL;
	}
	return p;
}

static const uint8_t *find_rsdp(const struct machine *m)
{
	const uint8_t *p;

	if (m->rsdp) {
		p = rsdp_at(m->rsdp);
		if (!p)
			fail("ACPI: no valid RSDP at 0x%llx (the PVH start info's rsdp_paddr)",
			     (unsigned long long)m->rsdp);
		return p;
	}
	/* the BIOS read-only area, on 16-byte boundaries */
	for (uint64_t pa = 0xe0000; pa < 0x100000; pa += 16) {
		p = rsdp_at(pa);
		if (p)
			return p;
	}
	fail("ACPI: no RSDP (none in the PVH start info or the BIOS area)");
}

/* a table header at @pa with a sane length and a good checksum */
static const uint8_t *table_at(uint64_t pa, const char *what)
{
	const uint8_t *t = (const uint8_t *)(uintptr_t)pa;
	uint32_t len;

	if (!readable(pa, ACPI_HDR_LEN))
		fail("ACPI: %s at 0x%llx is not below 4 GiB", what,
		     (unsigned long long)pa);
	len = le32(t + 4);
	if (len < ACPI_HDR_LEN || len > (16u << 20) || !readable(pa, len))
		fail("ACPI: %s at 0x%llx has a bad length %u", what,
		     (unsigned long long)pa, len);
	if (!sum_ok(t, len))
		fail("ACPI: %s (%.4s) at 0x%llx has a bad checksum", what,
		     (const char *)t, (unsigned long long)pa);
	return t;
}

const void *acpi_find_table(const struct machine *m, const char *sig,
			    uint32_t *len)
{
	const uint8_t *rsdp = find_rsdp(m), *root, *t;
	uint32_t n, step;
	bool x = rsdp[15] >= 2 && le64(rsdp + 24);

	root = table_at(x ? le64(rsdp + 24) : le32(rsdp + 16),
			x ? "XSDT" : "RSDT");
	if (memcmp(root, x ? "XSDT" : "RSDT", 4))
		fail("ACPI: the root table's signature is '%.4s', not %s",
		     (const char *)root, x ? "XSDT" : "RSDT");
	step = x ? 8 : 4;
	n = (le32(root + 4) - ACPI_HDR_LEN) / step;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = root + ACPI_HDR_LEN + i * step;
		uint64_t pa = x ? le64(e) : le32(e);

		if (!readable(pa, ACPI_HDR_LEN))
			continue;
		if (memcmp((const void *)(uintptr_t)pa, sig, 4))
			continue;
		t = table_at(pa, sig);
		*len = le32(t + 4);
		return t;
	}
	return NULL;
}

static void add_cpu(struct machine *m, uint32_t apic_id)
{
	for (uint32_t i = 0; i < m->ncpus; i++)
		if (m->apic_id[i] == apic_id)
			fail("ACPI: the MADT lists APIC id %u twice", apic_id);
	if (m->ncpus == LOADER_MAX_CPUS)
		fail("ACPI: the MADT lists more than %u CPUs",
		     LOADER_MAX_CPUS);
	m->apic_id[m->ncpus++] = apic_id;
}

void acpi_find_cpus(struct machine *m)
{
	uint32_t len, eax, ebx, ecx, edx;
	const uint8_t *madt = acpi_find_table(m, "APIC", &len), *e, *end;
	bool boot = false;

	if (!madt)
		fail("ACPI: no MADT (APIC table): cannot tell the CPUs");
	if (len < ACPI_HDR_LEN + 8)
		fail("ACPI: the MADT is only %u bytes", len);
	end = madt + len;
	for (e = madt + ACPI_HDR_LEN + 8; e < end; e += e[1]) {
		if (end - e < 2 || e[1] < 2 || e[1] > end - e)
			fail("ACPI: MADT entry at offset %u runs past the table",
			     (uint32_t)(e - madt));
		if (e[0] == MADT_LAPIC) {
			if (e[1] < 8)
				fail("ACPI: MADT local APIC entry of %u bytes",
				     e[1]);
			if (le32(e + 4) & MADT_ENABLED)
				add_cpu(m, e[3]);
		} else if (e[0] == MADT_X2APIC) {
			if (e[1] < 16)
				fail("ACPI: MADT local x2APIC entry of %u bytes",
				     e[1]);
			if (le32(e + 8) & MADT_ENABLED)
				add_cpu(m, le32(e + 4));
		}
	}
	if (!m->ncpus)
		fail("ACPI: the MADT lists no enabled CPU");
	/* this CPU is the boot CPU: its initial APIC id from CPUID */
	cpuid(1, 0, &eax, &ebx, &ecx, &edx);
	m->boot_apic_id = ebx >> 24;
	cpuid(0, 0, &eax, &ebx, &ecx, &edx);
	if (eax >= 0xb) {
		cpuid(0xb, 0, &eax, &ebx, &ecx, &edx);
		if (ebx)
			m->boot_apic_id = edx;	/* x2APIC id */
	}
	for (uint32_t i = 0; i < m->ncpus; i++)
		boot |= m->apic_id[i] == m->boot_apic_id;
	if (!boot)
		fail("ACPI: the boot CPU (APIC id %u) is not in the MADT",
		     m->boot_apic_id);
}
