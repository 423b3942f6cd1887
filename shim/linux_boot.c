// SPDX-License-Identifier: GPL-2.0
/* The x86 boot protocol: setup header in, boot_params out (linux_boot.h). */
#include <string.h>

#include "linux_boot.h"

#define PFX "kernel: "

static uint32_t get(const uint8_t *b, uint32_t off, int n)
{
	uint32_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | b[off + i];
	return v;
}

static void put(uint8_t *b, uint32_t off, uint32_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		b[off + i] = (uint8_t)v;
}

int hcl_bzimage_parse(const void *image, uint64_t size,
		      struct hcl_bzimage *bz, char *err, size_t errlen)
{
	const uint8_t *b = image;
	uint32_t sects;

	memset(bz, 0, sizeof(*bz));
	if (errlen)
		err[0] = 0;
	if (size < HCL_BP_INIT_SIZE + 4)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX "%u bytes, too small for a bzImage",
				 (unsigned long long)size);
	if (get(b, HCL_BP_HEADER, 4) != HCL_BZ_MAGIC ||
	    get(b, HCL_BP_BOOT_FLAG, 2) != 0xaa55)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX "not a bzImage (no \"HdrS\" at 0x202 or no 0xaa55 at 0x1fe)");
	bz->file_size = size;
	bz->version = (uint16_t)get(b, HCL_BP_VERSION, 2);
	if (bz->version < HCL_BZ_MIN_VERSION)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX "boot protocol %x, need 0x20c (2.12) or newer",
				 (unsigned long long)bz->version);
	bz->xloadflags = (uint16_t)get(b, HCL_BP_XLOADFLAGS, 2);
	if (!(bz->xloadflags & HCL_XLF_KERNEL_64))
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX "no 64-bit entry point (xloadflags %x)",
				 (unsigned long long)bz->xloadflags);
	if (!(b[HCL_BP_LOADFLAGS] & HCL_LOADED_HIGH))
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX "not loadable high (loadflags %x)",
				 (unsigned long long)b[HCL_BP_LOADFLAGS]);
	if (!b[HCL_BP_RELOCATABLE])
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX "not relocatable");
	bz->kernel_alignment = get(b, HCL_BP_KERNEL_ALIGNMENT, 4);
	if (bz->kernel_alignment < 0x1000 ||
	    bz->kernel_alignment > 0x40000000 ||
	    (bz->kernel_alignment & (bz->kernel_alignment - 1)))
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX "kernel_alignment %x is not a power of two from 4 KiB to 1 GiB",
				 (unsigned long long)bz->kernel_alignment);
	sects = b[HCL_BP_SETUP_SECTS];
	bz->setup_size = ((sects ? sects : 4) + 1) * 512;
	bz->hdr_end = 0x202 + b[HCL_BP_JUMP_LEN];
	if (bz->setup_size >= size || bz->hdr_end > bz->setup_size ||
	    bz->hdr_end > HCL_BP_E820_TABLE ||
	    bz->hdr_end < HCL_BP_INIT_SIZE + 4)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX "setup of %x bytes with its header ending at %x does not fit the %x-byte file",
				 (unsigned long long)bz->setup_size,
				 (unsigned long long)bz->hdr_end,
				 (unsigned long long)size);
	bz->init_size = get(b, HCL_BP_INIT_SIZE, 4);
	if (!bz->init_size)
		return shim_errf(err, errlen, SHIM_EINVAL, PFX "init_size is 0");
	bz->pref_address = get(b, HCL_BP_PREF_ADDRESS, 4) |
			   (uint64_t)get(b, HCL_BP_PREF_ADDRESS + 4, 4) << 32;
	bz->cmdline_size = get(b, HCL_BP_CMDLINE_SIZE, 4);
	bz->initrd_addr_max = get(b, HCL_BP_INITRD_ADDR_MAX, 4);
	return 0;
}

int hcl_bzimage_check_load(const struct hcl_bzimage *bz, uint64_t gpa,
			   uint64_t reserve, char *err, size_t errlen)
{
	uint64_t pm = bz->file_size - bz->setup_size;

	if (gpa & (bz->kernel_alignment - 1))
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX "load address %x is not a multiple of kernel_alignment %x",
				 (unsigned long long)gpa,
				 (unsigned long long)bz->kernel_alignment);
	/*
	 * A relocatable kernel loaded below its preferred address
	 * (LOAD_PHYSICAL_ADDR) decompresses at that address instead: outside
	 * the area the image keeps for it.
	 */
	if (gpa < bz->pref_address)
		return shim_errf(err, errlen, SHIM_ERANGE,
				 PFX "load address %x is below the preferred address %x, where the kernel would decompress instead",
				 (unsigned long long)gpa,
				 (unsigned long long)bz->pref_address);
	if (bz->init_size > reserve || pm > reserve)
		return shim_errf(err, errlen, SHIM_ERANGE,
				 PFX "needs %x bytes (init_size) and %x (protected-mode part) at %x, the image keeps %x free there",
				 (unsigned long long)bz->init_size,
				 (unsigned long long)pm,
				 (unsigned long long)gpa,
				 (unsigned long long)reserve);
	return 0;
}

/* cuts @out (a piece) around @r: keeps the larger side */
static void exclude(struct hcl_host_range *out, const struct hcl_host_range *r)
{
	uint64_t a = out->base, b = out->base + out->size;
	uint64_t ra = r->base, rb = r->base + r->size;

	if (!hcl_range_overlap(out, r))
		return;
	if (ra <= a && rb >= b) {
		out->size = 0;
		return;
	}
	if (ra > a && (rb >= b || ra - a >= b - rb)) {
		out->size = ra - a;		/* the part below r */
		return;
	}
	out->base = rb;				/* the part above r */
	out->size = b - rb;
}

int hcl_low_ram(const struct hcl_host_config *cfg, struct hcl_host_range *low,
		char *err, size_t errlen)
{
	struct hcl_host_range best = { 0, 0 };
	uint64_t start, end;

	for (uint32_t i = 0; i < cfg->nram; i++) {
		struct hcl_host_range p = cfg->ram[i];

		if (p.base >= HCL_LOW_RAM_END)
			break;
		if (p.base + p.size > HCL_LOW_RAM_END)
			p.size = HCL_LOW_RAM_END - p.base;
		exclude(&p, &cfg->vtl0);
		exclude(&p, &cfg->vtl2);
		if (p.size > best.size)
			best = p;
	}
	start = best.base > HCL_LOW_RAM_KEEP ? best.base : HCL_LOW_RAM_KEEP;
	end = best.base + best.size;
	if (best.size && end > start && end - start >= HCL_LOW_RAM_MIN) {
		*low = best;
		return 0;
	}
	return shim_errf(err, errlen, SHIM_EMISSING,
			 "no RAM below %x outside VTL0 for Linux's real-mode trampoline: need %x bytes above %x",
			 HCL_LOW_RAM_END, HCL_LOW_RAM_MIN, HCL_LOW_RAM_KEEP);
}

int hcl_e820_from_map(const struct hcl_mem_entry *map, int nmap,
		      struct hcl_e820_entry *e820, uint32_t max, char *err,
		      size_t errlen)
{
	uint32_t n = 0;

	for (int i = 0; i < nmap; i++) {
		uint32_t type;

		if (map[i].type == OPENHCL_MEM_VTL2_RAM)
			type = HCL_E820_RAM;
		else if (map[i].type == OPENHCL_MEM_VTL2_RESERVED ||
			 map[i].type == OPENHCL_MEM_SIDECAR)
			type = HCL_E820_RESERVED;
		else
			continue;
		if (n && e820[n - 1].type == type &&
		    e820[n - 1].addr + e820[n - 1].size == map[i].base) {
			e820[n - 1].size += map[i].size;
			continue;
		}
		if (n == max)
			return shim_errf(err, errlen, SHIM_ETOOMANY,
					 "e820: more than %u entries",
					 (unsigned long long)max);
		e820[n].addr = map[i].base;
		e820[n].size = map[i].size;
		e820[n].type = type;
		n++;
	}
	if (!n)
		return shim_errf(err, errlen, SHIM_EMISSING,
				 "e820: no VTL2 memory");
	return (int)n;
}

int hcl_boot_params_fill(void *bp, const struct hcl_boot_in *in, char *err,
			 size_t errlen)
{
	const struct hcl_bzimage *bz = in->bz;
	uint8_t *b = bp;
	uint64_t initrd_end = in->initrd_gpa + in->initrd_size;
	uint64_t initrd_gpa = in->initrd_size ? in->initrd_gpa : 0;

	if (in->cmdline_len > bz->cmdline_size)
		return shim_errf(err, errlen, SHIM_ECMDLINE,
				 PFX "command line of %u bytes, the kernel takes %u",
				 (unsigned long long)in->cmdline_len,
				 (unsigned long long)bz->cmdline_size);
	if (in->initrd_size && initrd_end - 1 > bz->initrd_addr_max &&
	    !(bz->xloadflags & HCL_XLF_ABOVE_4G))
		return shim_errf(err, errlen, SHIM_ERANGE,
				 PFX "initrd ends at %x, above initrd_addr_max %x",
				 (unsigned long long)initrd_end,
				 (unsigned long long)bz->initrd_addr_max);
	if (!in->ne820 || in->ne820 > HCL_BP_E820_MAX)
		return shim_errf(err, errlen, SHIM_ETOOMANY,
				 "e820: %u entries, the zero page holds 1..%u",
				 (unsigned long long)in->ne820,
				 (unsigned long long)HCL_BP_E820_MAX);
	memset(b, 0, HCL_BP_SIZE);
	memcpy(b + HCL_BP_HDR, (const uint8_t *)in->image + HCL_BP_HDR,
	       bz->hdr_end - HCL_BP_HDR);
	b[HCL_BP_TYPE_OF_LOADER] = HCL_LOADER_UNDEFINED;
	put(b, HCL_BP_CMD_LINE_PTR, (uint32_t)in->cmdline_gpa, 4);
	put(b, HCL_BP_EXT_CMD_LINE_PTR, (uint32_t)(in->cmdline_gpa >> 32), 4);
	/*
	 * Written even without an initrd (the protocol's "write
	 * (obligatory)"): the file's header may hold any value there, and
	 * Linux would take it for an initrd.
	 */
	put(b, HCL_BP_RAMDISK_IMAGE, (uint32_t)initrd_gpa, 4);
	put(b, HCL_BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd_gpa >> 32), 4);
	put(b, HCL_BP_RAMDISK_SIZE, (uint32_t)in->initrd_size, 4);
	put(b, HCL_BP_EXT_RAMDISK_SIZE, (uint32_t)(in->initrd_size >> 32), 4);
	put(b, HCL_BP_SETUP_DATA, (uint32_t)in->setup_data_gpa, 4);
	put(b, HCL_BP_SETUP_DATA + 4, (uint32_t)(in->setup_data_gpa >> 32), 4);
	b[HCL_BP_E820_ENTRIES] = (uint8_t)in->ne820;
	memcpy(b + HCL_BP_E820_TABLE, in->e820,
	       in->ne820 * sizeof(struct hcl_e820_entry));
	return 0;
}
