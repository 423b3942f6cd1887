// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: booting Linux in VTL0 (linux_load.c with the shim's
 * boot-protocol code, guest_linux.c's CPUID table and probe): what lands
 * in VTL0 RAM (kernel, initrd, command line, boot_params with its e820
 * table, page tables, GDT), the BSP's entry state and an AP's, and the
 * one-line errors for what cannot boot.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "guest.h"
#include "guest_linux.h"
#include "linux_load.h"

#define MEM_SIZE	(64ull << 20)
#define IMG_SIZE	(64 * 1024)
#define SETUP_SIZE	1024		/* setup_sects 1 */

static void put(uint8_t *b, unsigned int off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		b[off + i] = (uint8_t)v;
}

static uint64_t get(const uint8_t *b, uint64_t off, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | b[off + i];
	return v;
}

/* a bzImage header like Debian's 6.1 kernel's, init_size 8 MiB */
static uint8_t *make_bzimage(void)
{
	uint8_t *b = calloc(1, IMG_SIZE);
	unsigned int i;

	b[HCL_BP_SETUP_SECTS] = 1;
	put(b, HCL_BP_BOOT_FLAG, 0xaa55, 2);
	b[HCL_BP_JUMP_LEN] = 0x6a;			/* header to 0x26c */
	memcpy(b + HCL_BP_HEADER, "HdrS", 4);
	put(b, HCL_BP_VERSION, 0x020f, 2);
	b[HCL_BP_LOADFLAGS] = HCL_LOADED_HIGH;
	put(b, HCL_BP_INITRD_ADDR_MAX, 0x7fffffff, 4);
	put(b, HCL_BP_KERNEL_ALIGNMENT, 0x200000, 4);
	b[HCL_BP_RELOCATABLE] = 1;
	put(b, HCL_BP_XLOADFLAGS, HCL_XLF_KERNEL_64, 2);
	put(b, HCL_BP_CMDLINE_SIZE, 2047, 4);
	put(b, HCL_BP_PREF_ADDRESS, 0x1000000, 8);
	put(b, HCL_BP_INIT_SIZE, 0x800000, 4);
	for (i = SETUP_SIZE; i < IMG_SIZE; i++)
		b[i] = (uint8_t)(i * 7);		/* the "kernel" */
	return b;
}

FIXTURE(load) {
	uint8_t *mem;
	uint8_t *img;
	uint8_t initrd[8192];
	struct linux_payload p;
	struct linux_layout l;
	struct hcl_regs regs;
	struct hcl_sregs sregs;
	char err[256];
};

FIXTURE_SETUP(load)
{
	self->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	self->img = make_bzimage();
	memset(self->initrd, 0x5a, sizeof(self->initrd));
	self->p = (struct linux_payload){
		.kernel = self->img, .kernel_len = IMG_SIZE,
		.initrd = self->initrd, .initrd_len = 5000,
		.cmdline = "console=ttyS0 hcl.cmd=\"true\"",
	};
	self->err[0] = 0;
}

FIXTURE_TEARDOWN(load)
{
	munmap(self->mem, MEM_SIZE);
	free(self->img);
}

TEST_F(load, places_everything)
{
	const uint8_t *bp = self->mem + LINUX_BP_GPA;
	const struct hcl_e820_entry *e;

	ASSERT_EQ(0, linux_load(self->mem, MEM_SIZE, &self->p, &self->l,
				&self->regs, &self->sregs, self->err,
				sizeof(self->err))) TH_LOG("%s", self->err);
	/* the kernel at its preferred address, byte for byte */
	EXPECT_EQ(0x1000000ull, self->l.kernel_gpa);
	EXPECT_EQ(0, memcmp(self->mem + 0x1000000, self->img + SETUP_SIZE,
			    IMG_SIZE - SETUP_SIZE));
	/* the initrd page-aligned at the top of RAM */
	EXPECT_EQ(MEM_SIZE - 8192, self->l.initrd_gpa);
	EXPECT_EQ(0, memcmp(self->mem + self->l.initrd_gpa, self->initrd,
			    5000));
	EXPECT_STREQ(self->p.cmdline,
		     (const char *)self->mem + LINUX_CMDLINE_GPA);
	/* an AP before its SIPI: cli; hlt; jmp to the hlt */
	EXPECT_EQ(0xfdebf4faull, get(self->mem, LINUX_AP_WAIT_GPA, 4));

	/* boot_params: the header copied, the loader's fields set */
	EXPECT_EQ(0x53726448ull, get(bp, HCL_BP_HEADER, 4));
	EXPECT_EQ(0xffull, get(bp, HCL_BP_TYPE_OF_LOADER, 1));
	EXPECT_EQ(LINUX_CMDLINE_GPA, get(bp, HCL_BP_CMD_LINE_PTR, 4));
	EXPECT_EQ(MEM_SIZE - 8192, get(bp, HCL_BP_RAMDISK_IMAGE, 4));
	EXPECT_EQ(5000ull, get(bp, HCL_BP_RAMDISK_SIZE, 4));
	EXPECT_EQ(0x800000ull, get(bp, HCL_BP_INIT_SIZE, 4));

	/* e820: low RAM, the EBDA and BIOS areas reserved, RAM above 1 MiB */
	ASSERT_EQ(4ull, get(bp, HCL_BP_E820_ENTRIES, 1));
	e = (const struct hcl_e820_entry *)(bp + HCL_BP_E820_TABLE);
	EXPECT_EQ(0ull, e[0].addr);
	EXPECT_EQ(0x9fc00ull, e[0].size);
	EXPECT_EQ(HCL_E820_RAM, e[0].type);
	EXPECT_EQ(0x9fc00ull, e[1].addr);
	EXPECT_EQ(HCL_E820_RESERVED, e[1].type);
	EXPECT_EQ(0xf0000ull, e[2].addr);
	EXPECT_EQ(0x10000ull, e[2].size);
	EXPECT_EQ(HCL_E820_RESERVED, e[2].type);
	EXPECT_EQ(0x100000ull, e[3].addr);
	EXPECT_EQ(MEM_SIZE - 0x100000, e[3].size);
	EXPECT_EQ(HCL_E820_RAM, e[3].type);
}

TEST_F(load, long_mode_entry)
{
	const uint64_t *pml4, *pdpt, *pd, *gdt;

	ASSERT_EQ(0, linux_load(self->mem, MEM_SIZE, &self->p, &self->l,
				&self->regs, &self->sregs, self->err,
				sizeof(self->err)));
	EXPECT_EQ(0x1000200ull, self->regs.rip);
	EXPECT_EQ(LINUX_BP_GPA, self->regs.gprs[HCL_REG_RSI]);
	EXPECT_EQ(0ull, self->regs.rflags & 0x200);	/* IF clear */
	EXPECT_EQ(0x10, self->sregs.cs.selector);
	EXPECT_EQ(0x18, self->sregs.ds.selector);
	EXPECT_EQ(0x18, self->sregs.ss.selector);
	EXPECT_NE(0, self->sregs.cs.attrib & 0x200);	/* L */
	EXPECT_EQ(0x500ull, self->sregs.efer & 0x500);	/* LME LMA */
	EXPECT_NE(0ull, self->sregs.cr0 & 0x80000001ull);
	EXPECT_EQ(LINUX_PT_GPA, self->sregs.cr3);
	/* GDT: 0x10 is 64-bit code, 0x18 data */
	gdt = (const uint64_t *)(self->mem + self->sregs.gdt.base);
	EXPECT_EQ(31, self->sregs.gdt.limit);
	EXPECT_NE(0ull, gdt[2] & (1ull << 53));		/* L */
	EXPECT_EQ(0x93ull, (gdt[3] >> 40) & 0xff);
	/* 4 GiB identity-mapped: walk a few addresses */
	pml4 = (const uint64_t *)(self->mem + LINUX_PT_GPA);
	pdpt = (const uint64_t *)(self->mem + (pml4[0] & ~0xfffull));
	for (uint64_t va = 0; va < (4ull << 30); va += 0x3fe00000ull) {
		pd = (const uint64_t *)(self->mem +
					(pdpt[va >> 30] & ~0xfffull));
		EXPECT_EQ(va & ~0x1fffffull,
			  pd[(va >> 21) & 511] & ~0xfffull);
		EXPECT_NE(0ull, pd[(va >> 21) & 511] & 0x80);	/* PS */
	}
}

TEST_F(load, without_initrd)
{
	self->p.initrd = NULL;
	ASSERT_EQ(0, linux_load(self->mem, MEM_SIZE, &self->p, &self->l,
				&self->regs, &self->sregs, self->err,
				sizeof(self->err)));
	EXPECT_EQ(0ull, self->l.initrd_gpa);
	EXPECT_EQ(0ull, get(self->mem + LINUX_BP_GPA, HCL_BP_RAMDISK_SIZE, 4));
	EXPECT_EQ(0ull, get(self->mem + LINUX_BP_GPA, HCL_BP_RAMDISK_IMAGE, 4));
}

TEST_F(load, not_a_bzimage)
{
	memcpy(self->img + HCL_BP_HEADER, "HdrX", 4);
	EXPECT_EQ(-1, linux_load(self->mem, MEM_SIZE, &self->p, &self->l,
				 &self->regs, &self->sregs, self->err,
				 sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "not a bzImage"));
}

TEST_F(load, old_protocol)
{
	put(self->img, HCL_BP_VERSION, 0x020b, 2);
	EXPECT_EQ(-1, linux_load(self->mem, MEM_SIZE, &self->p, &self->l,
				 &self->regs, &self->sregs, self->err,
				 sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "boot protocol")) TH_LOG("%s", self->err);
}

TEST_F(load, no_64bit_entry)
{
	put(self->img, HCL_BP_XLOADFLAGS, 0, 2);
	EXPECT_EQ(-1, linux_load(self->mem, MEM_SIZE, &self->p, &self->l,
				 &self->regs, &self->sregs, self->err,
				 sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "64-bit"));
}

TEST_F(load, kernel_too_large)
{
	/* 60 MiB from 16 MiB: past 64 MiB of RAM */
	put(self->img, HCL_BP_INIT_SIZE, 60ull << 20, 4);
	EXPECT_EQ(-1, linux_load(self->mem, MEM_SIZE, &self->p, &self->l,
				 &self->regs, &self->sregs, self->err,
				 sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "VTL0 RAM has 64 MiB")) TH_LOG("%s", self->err);
}

TEST_F(load, initrd_too_large)
{
	static uint8_t big[48 << 20];

	self->p.initrd = big;
	self->p.initrd_len = sizeof(big);
	EXPECT_EQ(-1, linux_load(self->mem, MEM_SIZE, &self->p, &self->l,
				 &self->regs, &self->sregs, self->err,
				 sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "initramfs")) TH_LOG("%s", self->err);
}

TEST_F(load, command_line_too_long)
{
	char *line = malloc(4000);

	memset(line, 'x', 3999);
	line[3999] = 0;
	self->p.cmdline = line;
	EXPECT_EQ(-1, linux_load(self->mem, MEM_SIZE, &self->p, &self->l,
				 &self->regs, &self->sregs, self->err,
				 sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "command line")) TH_LOG("%s", self->err);
	free(line);
}

TEST(ap_waits_in_real_mode)
{
	struct hcl_regs regs;
	struct hcl_sregs sregs;

	linux_ap_state(&regs, &sregs);
	EXPECT_EQ(0xfff0ull, regs.rip);
	EXPECT_EQ(0xf000, sregs.cs.selector);
	EXPECT_EQ(0xf0000ull, sregs.cs.base);
	EXPECT_EQ(0ull, sregs.cr0 & 0x80000001ull);	/* no PE, no PG */
	EXPECT_EQ(0ull, sregs.efer);
}

TEST(profile_probes_bzimage)
{
	uint8_t *img = make_bzimage();
	const struct guest_profile *p = guest_find(img, IMG_SIZE);

	ASSERT_NE(NULL, p);
	EXPECT_STREQ("linux", p->name);
	memset(img + HCL_BP_HEADER, 0, 4);
	p = guest_find(img, IMG_SIZE);
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("test", p->name);
	/* --kernel names the profile whatever the file holds */
	p = guest_by_name("linux");
	ASSERT_NE(NULL, p);
	EXPECT_STREQ("linux", p->name);
	EXPECT_EQ(NULL, guest_by_name("none"));
	free(img);
}

/* a fixed "host": an Intel-like CPU with everything on */
static void fake_host(uint32_t fn, uint32_t idx, uint32_t out[4])
{
	(void)idx;
	out[0] = out[1] = out[2] = out[3] = 0xffffffff;
	if (fn == 1)
		out[0] = 0x000806a1;
	if (fn == 0x80000000)
		out[0] = 0x80000008;
	if (fn == 0x80000008)
		out[0] = 0x3030;
}

static const struct hcl_cpuid_entry *find(const struct hcl_cpuid_entry *e,
					  unsigned int n, uint32_t fn,
					  uint32_t idx)
{
	for (unsigned int i = 0; i < n; i++)
		if (e[i].function == fn &&
		    (!(e[i].flags & HCL_CPUID_F_INDEX) || e[i].index == idx))
			return &e[i];
	return NULL;
}

TEST(cpuid_table)
{
	struct hcl_cpuid_entry e[32];
	const struct hcl_cpuid_entry *l;
	unsigned int n;

	n = guest_linux_cpuid(e, 32, 2, 4, fake_host);
	ASSERT_NE(0, n);
	/* no duplicate (function, index): hcl.ko would refuse the table */
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = 0; j < i; j++)
			EXPECT_FALSE(e[i].function == e[j].function &&
				     e[i].index == e[j].index);
	l = find(e, n, 0, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, memcmp(&l->ebx, "Auth", 4));
	EXPECT_EQ(0, memcmp(&l->edx, "enti", 4));
	EXPECT_EQ(0, memcmp(&l->ecx, "cAMD", 4));
	l = find(e, n, 1, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0x000806a1u, l->eax);
	EXPECT_EQ(2u, l->ebx >> 24);			/* APIC id */
	EXPECT_EQ(4u, (l->ebx >> 16) & 0xff);
	EXPECT_NE(0u, l->ecx & (1u << 21));		/* x2APIC */
	EXPECT_NE(0u, l->ecx & (1u << 24));		/* TSC deadline */
	EXPECT_NE(0u, l->ecx & (1u << 31));		/* hypervisor */
	EXPECT_EQ(0u, l->ecx & (1u << 26 | 1u << 27 | 1u << 28)); /* XSAVE AVX */
	EXPECT_EQ(0u, l->ecx & (1u << 3 | 1u << 5 | 1u << 17)); /* MWAIT VMX PCID */
	EXPECT_NE(0u, l->edx & (1u << 9));		/* APIC */
	EXPECT_EQ(0u, l->edx & (1u << 7 | 1u << 12 | 1u << 14)); /* MCE MTRR MCA */
	l = find(e, n, 6, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(4u, l->eax);				/* ARAT */
	l = find(e, n, 0x40000000, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, memcmp(&l->ebx, "KVMKVMKVM\0\0\0", 12));
	l = find(e, n, 0x40000001, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(1u << 3 | 1u << 24, l->eax);
	l = find(e, n, 0xb, 1);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(2u, l->eax);				/* 4 VPs: 2 bits */
	EXPECT_EQ(4u, l->ebx);
	EXPECT_EQ(2u, l->edx);
	l = find(e, n, 0x80000001, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0u, l->ecx & (1u << 2));		/* SVM */
	EXPECT_EQ(0u, l->edx & (1u << 27));		/* RDTSCP */
	EXPECT_NE(0u, l->edx & (1u << 29));		/* LM */
	l = find(e, n, 0x80000008, 0);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(3u, l->ecx & 0xff);
	EXPECT_EQ(0u, guest_linux_cpuid(e, 4, 0, 1, fake_host));
}

TEST_HARNESS_MAIN
