// SPDX-License-Identifier: GPL-2.0
/*
 * What QEMU's firmware leaves behind that a paravisor's host must not
 * show VTL2: the MP table.
 *
 * QEMU starts a PVH kernel through its BIOS (SeaBIOS or qboot), and both
 * write an Intel MP table.  Linux reads it before the device tree (with
 * acpi=off the MP table is its first source of CPUs), so VTL2 would see
 * every CPU of the machine, the sidecar's too, and register the local
 * APIC twice.  A real host gives VTL2 no such table; the loader removes
 * the MP floating pointer wherever Linux would look for it (the first
 * KiB, the last KiB of base memory, the EBDA, the BIOS area at 0xf0000).
 *
 * The BIOS area is read-only once the BIOS is done (the chipset's PAM
 * registers); the loader opens it for writing on the i440FX and Q35 host
 * bridges QEMU has, clears the signature and closes it again.
 */
#include <string.h>

#include "loader.h"
#include "rt.h"

#define MPF_SIG		0x5f504d5fu	/* "_MP_" */
#define BIOS_AREA	0xf0000u
#define PCI_ADDR	0xcf8
#define PCI_DATA	0xcfc

struct pam {
	uint16_t device;	/* host bridge 00:00.0, vendor Intel */
	uint8_t reg;		/* PAM0: bits 5:4 are 0xf0000-0xfffff */
	const char *name;
};

static const struct pam pams[] = {
	{ 0x1237, 0x59, "i440FX" },
	{ 0x29c0, 0x90, "Q35" },
};

static uint32_t pci_addr(uint8_t reg)
{
	return 0x80000000u | (reg & 0xfc);	/* bus 0, device 0, fn 0 */
}

static uint32_t pci_read32(uint8_t reg)
{
	outl(PCI_ADDR, pci_addr(reg));
	return inl(PCI_DATA);
}

static uint8_t pci_read8(uint8_t reg)
{
	outl(PCI_ADDR, pci_addr(reg));
	return inb(PCI_DATA + (reg & 3));
}

static void pci_write8(uint8_t reg, uint8_t v)
{
	outl(PCI_ADDR, pci_addr(reg));
	outb(PCI_DATA + (reg & 3), v);
}

/* a pointer the compiler cannot prove null: low memory starts at 0 */
static uint8_t *phys_ptr(uint64_t a)
{
	uint8_t *p;

	__asm__("" : "=r"(p) : "0"(a));
	return p;
}

static bool mpf_at(const uint8_t *p)
{
	uint32_t sig;
	uint8_t sum = 0;

	memcpy(&sig, p, 4);
	if (sig != MPF_SIG || p[8] != 1)	/* length: 1 paragraph */
		return false;
	for (int i = 0; i < 16; i++)
		sum += p[i];
	return sum == 0;
}

/* the PAM register of this machine's host bridge, or NULL */
static const struct pam *find_pam(void)
{
	uint32_t id = pci_read32(0);

	if ((id & 0xffff) != 0x8086)
		return NULL;
	for (unsigned int i = 0; i < sizeof(pams) / sizeof(pams[0]); i++)
		if (pams[i].device == id >> 16)
			return &pams[i];
	return NULL;
}

static void clear_mpf(uint8_t *p)
{
	const struct pam *pam = NULL;
	uint8_t saved = 0;
	uint64_t at = (uint64_t)(uintptr_t)p;

	if (at >= BIOS_AREA) {
		pam = find_pam();
		if (!pam)
			fail("the firmware's MP table at 0x%llx is in read-only BIOS memory of an unknown chipset",
			     (unsigned long long)at);
		saved = pci_read8(pam->reg);
		pci_write8(pam->reg, saved | 0x30);	/* read and write */
	}
	memset(p, 0, 16);
	if (pam)
		pci_write8(pam->reg, saved);
	if (mpf_at(p))
		fail("cannot remove the firmware's MP table at 0x%llx",
		     (unsigned long long)at);
	rt_printf("hcl-loader: removed the firmware's MP table at 0x%llx%s%s\n",
		  (unsigned long long)at, pam ? " via " : "",
		  pam ? pam->name : "");
}

/* 16-byte steps over [base, base + len), as Linux scans */
static void scan(uint64_t base, uint64_t len)
{
	for (uint64_t a = base; a + 16 <= base + len; a += 16) {
		uint8_t *p = phys_ptr(a);

		if (mpf_at(p))
			clear_mpf(p);
	}
}

void legacy_remove_mptable(void)
{
	uint16_t ebda_seg;

	scan(0, 0x400);
	scan(639 * 0x400, 0x400);
	memcpy(&ebda_seg, phys_ptr(0x40e), sizeof(ebda_seg));
	if (ebda_seg && ((uint64_t)ebda_seg << 4) < 0xa0000)
		scan((uint64_t)ebda_seg << 4, 0x400);
	scan(BIOS_AREA, 0x10000);
}
