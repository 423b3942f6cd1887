// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the shim's side of the x86 boot protocol
 * (shim/linux_boot.c): the bzImage setup header, the load check against
 * the image's kernel area, and for an accepted header the e820 table and
 * boot_params.
 *
 * Input: struct fuzz_head (zero-filled when the input is shorter), then
 * the bzImage file: every remaining byte, in an exactly sized buffer.
 * The machine is the loader's 1 GiB, 2-CPU layout with VTL2 at 128 MiB;
 * the head may move its RAM below 1 MiB and put VTL0 there (what the low
 * RAM lent to Linux depends on), places the staged VTL0 image, which the
 * shim keeps out of Linux's RAM, and sizes the command line and the
 * initrd.  The memory map comes from the shim's own code (hcl_low_ram,
 * hcl_dt_memory_map) as in shim/boot/main.c.
 *
 * What is accepted must keep the promises of linux_boot.h, checked here
 * independently of the code under test: the header fields within their
 * rules; a load accepted only when aligned and the kernel area holds
 * init_size and the protected-mode part; the low RAM in host RAM, outside
 * VTL0 and VTL2 with enough above 64 KiB; e820 entries sorted,
 * non-overlapping, merged, and exactly the map's VTL2 memory; boot_params
 * zero but for the copied header and what the loader sets, the command
 * line pointer and size, initrd and e820 fields matching what was asked.
 * A rejection must leave one message.  Any violation aborts.
 *
 * `fuzz_linux_boot --write-seed FILE` writes a valid input (a small
 * bzImage with the VTL2 kernel's setup header) and exits;
 * scripts/fuzz-smoke.sh seeds the corpus with it.
 *
 * fuzz-build: shim
 * fuzz-seed: self
 * fuzz-run: max_len=16384 seconds=5
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt_build.h"
#include "host_config.h"
#include "linux_boot.h"

#include "../common/shim_inputs.h"
#include "fuzz_shim.h"

#define MIB		0x100000ull
#define VB		0x08000000ull	/* VTL2 base */
#define VTL2_SIZE	(128 * MIB)
#define VTL0_END	0x3ffe0000ull
#define PAGE		HCL_PAGE_SIZE
#define KERNEL_GPA	(VB + 2 * MIB)
#define KERNEL_RESERVE	0x225e000ull
#define INITRD_GPA	(KERNEL_GPA + KERNEL_RESERVE)
#define CMDLINE_GPA	(VB + 0x140000)
#define SETUP_DATA_GPA	(VB + 0x150000)

struct fuzz_head {
	uint32_t vtl0_page;	/* VTL0 image: page offset in VTL2 */
	uint32_t vtl0_size;	/* bytes; 0: none */
	uint32_t cmdline_len;	/* the final command line, no NUL */
	uint32_t initrd_size;	/* 0: no initrd */
	uint8_t low_page;	/* RAM below 1 MiB: first page, */
	uint8_t low_pages;	/* pages (0: the loader's [0, 0x9f000)) */
	uint8_t vtl0_low_page;	/* VTL0 in that RAM: first page, */
	uint8_t vtl0_low_pages;	/* pages (0: VTL0 at 256 MiB) */
};

static struct hcl_host_config cfg;

/* ---- the machine --------------------------------------------------------- */

/* what hcl_host_config_parse makes of the loader's tree, moved by @h */
static void machine(const struct fuzz_head *h)
{
	uint64_t lb = (uint64_t)h->low_page * PAGE;
	uint64_t le = lb + (uint64_t)h->low_pages * PAGE;
	uint64_t vb = (uint64_t)h->vtl0_low_page * PAGE;
	uint64_t ve = vb + (uint64_t)h->vtl0_low_pages * PAGE;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ncpus = 2;
	cfg.apic_id[1] = 1;
	cfg.nram = 2;
	cfg.ram[0] = (struct hcl_host_range){ 0, 0x9f000 };
	cfg.ram[1] = (struct hcl_host_range){ MIB, VTL0_END - MIB };
	cfg.vtl2 = (struct hcl_host_range){ VB, VTL2_SIZE };
	cfg.vtl0 = (struct hcl_host_range){ 256 * MIB, VTL0_END - 256 * MIB };
	/* below the RAM at 1 MiB */
	if (h->low_pages && le <= MIB)
		cfg.ram[0] = (struct hcl_host_range){ lb, le - lb };
	if (h->vtl0_low_pages && vb >= cfg.ram[0].base &&
	    ve <= cfg.ram[0].base + cfg.ram[0].size)
		cfg.vtl0 = (struct hcl_host_range){ vb, ve - vb };
}

/* the low RAM for Linux: host RAM outside VTL0 and VTL2, enough of it */
static void check_low(const struct hcl_host_range *low)
{
	const struct hcl_host_range *no[] = { &cfg.vtl0, &cfg.vtl2 };
	uint64_t end = low->base + low->size;
	uint64_t from = low->base > HCL_LOW_RAM_KEEP ?
			low->base : HCL_LOW_RAM_KEEP;
	bool in_ram = false;

	if (!low->size || end > HCL_LOW_RAM_END || end < from ||
	    end - from < HCL_LOW_RAM_MIN)
		abort();
	for (uint32_t i = 0; i < cfg.nram; i++)
		if (cfg.ram[i].base <= low->base &&
		    end <= cfg.ram[i].base + cfg.ram[i].size)
			in_ram = true;
	if (!in_ram)
		abort();
	for (size_t i = 0; i < 2; i++)
		if (low->base < no[i]->base + no[i]->size &&
		    no[i]->base < end)
			abort();
}

static int write_seed(const char *path)
{
	static uint8_t seed[sizeof(struct fuzz_head) + 0x2000];
	struct fuzz_head h = {
		.vtl0_page = 0x271b, .vtl0_size = 1256,
		.cmdline_len = 200, .initrd_size = 5 * MIB + 7,
	};

	memcpy(seed, &h, sizeof(h));
	/* the VTL2 kernel's setup header, 4 setup sectors */
	shim_inputs_bzimage(seed + sizeof(h), 4);
	return fuzz_write_file(path, seed, sizeof(seed));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_seed_option(*argc, *argv, write_seed);
	return 0;
}

/* ---- what must hold ------------------------------------------------------ */

static void check_header(const uint8_t *b, uint64_t size,
			 const struct hcl_bzimage *bz)
{
	uint32_t sects = b[HCL_BP_SETUP_SECTS] ? b[HCL_BP_SETUP_SECTS] : 4;
	uint32_t align = bz->kernel_alignment;

	if (bz->file_size != size || bz->setup_size != (sects + 1) * 512 ||
	    bz->setup_size >= size ||
	    bz->hdr_end != 0x202u + b[HCL_BP_JUMP_LEN] ||
	    bz->hdr_end < HCL_BP_INIT_SIZE + 4 ||
	    bz->hdr_end > bz->setup_size || bz->hdr_end > HCL_BP_E820_TABLE)
		abort();
	if (get_le(b, HCL_BP_HEADER, 4) != HCL_BZ_MAGIC ||
	    get_le(b, HCL_BP_BOOT_FLAG, 2) != 0xaa55 ||
	    bz->version != get_le(b, HCL_BP_VERSION, 2) ||
	    bz->version < HCL_BZ_MIN_VERSION ||
	    bz->xloadflags != get_le(b, HCL_BP_XLOADFLAGS, 2) ||
	    !(bz->xloadflags & HCL_XLF_KERNEL_64) ||
	    !(b[HCL_BP_LOADFLAGS] & HCL_LOADED_HIGH) ||
	    !b[HCL_BP_RELOCATABLE])
		abort();
	if (align != get_le(b, HCL_BP_KERNEL_ALIGNMENT, 4) ||
	    align < 0x1000 || align > 0x40000000 || (align & (align - 1)))
		abort();
	if (bz->pref_address != get_le(b, HCL_BP_PREF_ADDRESS, 8))
		abort();
	if (!bz->init_size || bz->init_size != get_le(b, HCL_BP_INIT_SIZE, 4) ||
	    bz->cmdline_size != get_le(b, HCL_BP_CMDLINE_SIZE, 4) ||
	    bz->initrd_addr_max != get_le(b, HCL_BP_INITRD_ADDR_MAX, 4))
		abort();
}

static void check_load(const struct hcl_bzimage *bz)
{
	static const struct { uint64_t gpa, reserve; } t[] = {
		{ KERNEL_GPA, KERNEL_RESERVE },
		{ KERNEL_GPA, 0x10000 },
		{ KERNEL_GPA + PAGE, KERNEL_RESERVE },
		{ 1ull << 30, ~0ull },
		{ 0, 0 },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool fits = !(t[i].gpa % bz->kernel_alignment) &&
			    t[i].gpa >= bz->pref_address &&
			    bz->init_size <= t[i].reserve &&
			    bz->file_size - bz->setup_size <= t[i].reserve;
		int rc = hcl_bzimage_check_load(bz, t[i].gpa, t[i].reserve,
						err, sizeof(err));

		if (rc == 0 && !fits)
			abort();
		if (rc) {
			check_rejected(rc, err, sizeof(err));
			if (fits)
				abort();
		}
	}
}

static bool reserved_type(uint32_t t)
{
	return t == OPENHCL_MEM_VTL2_RESERVED || t == OPENHCL_MEM_SIDECAR;
}

/* the map's entries of one e820 type, from @base, reach @end */
static bool map_covers(const struct hcl_mem_entry *map, int nmap,
		       uint32_t e820_type, uint64_t base, uint64_t end)
{
	uint64_t at = base;

	for (int i = 0; i < nmap && at < end; i++) {
		bool ram = map[i].type == OPENHCL_MEM_VTL2_RAM;
		bool rsv = reserved_type(map[i].type);

		if (e820_type == HCL_E820_RAM ? !ram : !rsv)
			continue;
		if (map[i].base <= at && at < map[i].base + map[i].size)
			at = map[i].base + map[i].size;
	}
	return at >= end;
}

static void check_e820(const struct hcl_mem_entry *map, int nmap,
		       const struct hcl_e820_entry *e, int n)
{
	if (n < 1 || n > (int)HCL_BP_E820_MAX)
		abort();
	for (int i = 0; i < n; i++) {
		uint64_t end = e[i].addr + e[i].size;

		if (!e[i].size || end < e[i].addr ||
		    (e[i].type != HCL_E820_RAM &&
		     e[i].type != HCL_E820_RESERVED))
			abort();
		/* sorted, apart, adjacent ones of one type merged */
		if (i && (e[i - 1].addr + e[i - 1].size > e[i].addr ||
			  (e[i - 1].addr + e[i - 1].size == e[i].addr &&
			   e[i - 1].type == e[i].type)))
			abort();
		if (!map_covers(map, nmap, e[i].type, e[i].addr, end))
			abort();
	}
	/* and every piece of VTL2 memory in the map is in the table */
	for (int i = 0; i < nmap; i++) {
		uint32_t type = map[i].type == OPENHCL_MEM_VTL2_RAM ?
				HCL_E820_RAM : HCL_E820_RESERVED;
		bool found = false;

		if (map[i].type != OPENHCL_MEM_VTL2_RAM &&
		    !reserved_type(map[i].type))
			continue;
		for (int k = 0; k < n; k++)
			if (e[k].type == type && e[k].addr <= map[i].base &&
			    map[i].base + map[i].size <= e[k].addr + e[k].size)
				found = true;
		if (!found)
			abort();
	}
}

/* the bytes of boot_params the shim sets itself, inside the header */
static bool loader_field(uint32_t off)
{
	return off == HCL_BP_TYPE_OF_LOADER ||
	       (off >= HCL_BP_RAMDISK_IMAGE && off < HCL_BP_RAMDISK_SIZE + 4) ||
	       (off >= HCL_BP_CMD_LINE_PTR && off < HCL_BP_CMD_LINE_PTR + 4) ||
	       (off >= HCL_BP_SETUP_DATA && off < HCL_BP_SETUP_DATA + 8);
}

static void check_boot_params(const uint8_t *bp, const uint8_t *image,
			      const struct hcl_bzimage *bz,
			      const struct hcl_boot_in *in)
{
	uint32_t e820_end = HCL_BP_E820_TABLE +
			    in->ne820 * sizeof(struct hcl_e820_entry);
	uint64_t ramdisk = get_le(bp, HCL_BP_RAMDISK_IMAGE, 4) |
			   get_le(bp, HCL_BP_EXT_RAMDISK_IMAGE, 4) << 32;
	uint64_t ramdisk_size = get_le(bp, HCL_BP_RAMDISK_SIZE, 4) |
				get_le(bp, HCL_BP_EXT_RAMDISK_SIZE, 4) << 32;

	/* zero outside the header, the extended fields and the e820 table */
	for (uint32_t off = 0; off < HCL_BP_SIZE; off++) {
		if (off >= HCL_BP_HDR && off < bz->hdr_end) {
			if (!loader_field(off) && bp[off] != image[off])
				abort();
			continue;
		}
		if ((off >= HCL_BP_EXT_RAMDISK_IMAGE &&
		     off < HCL_BP_EXT_CMD_LINE_PTR + 4) ||
		    off == HCL_BP_E820_ENTRIES ||
		    (off >= HCL_BP_E820_TABLE && off < e820_end))
			continue;
		if (bp[off])
			abort();
	}
	if (bp[HCL_BP_TYPE_OF_LOADER] != HCL_LOADER_UNDEFINED)
		abort();
	/* the command line: where the shim put it, no longer than allowed */
	if ((get_le(bp, HCL_BP_CMD_LINE_PTR, 4) |
	     get_le(bp, HCL_BP_EXT_CMD_LINE_PTR, 4) << 32) != in->cmdline_gpa ||
	    in->cmdline_len > get_le(bp, HCL_BP_CMDLINE_SIZE, 4))
		abort();
	if (ramdisk != (in->initrd_size ? in->initrd_gpa : 0) ||
	    ramdisk_size != in->initrd_size)
		abort();
	if (in->initrd_size && !(bz->xloadflags & HCL_XLF_ABOVE_4G) &&
	    in->initrd_gpa + in->initrd_size - 1 >
	    get_le(bp, HCL_BP_INITRD_ADDR_MAX, 4))
		abort();
	if (get_le(bp, HCL_BP_SETUP_DATA, 8) != in->setup_data_gpa ||
	    bp[HCL_BP_E820_ENTRIES] != in->ne820 ||
	    memcmp(bp + HCL_BP_E820_TABLE, in->e820, e820_end -
		   HCL_BP_E820_TABLE))
		abort();
}

/*
 * The map with the low RAM lent to Linux and the staged VTL0 image at
 * @h's place, as the shim makes it.  The shim stops without low RAM;
 * here the map is then made without it.
 */
static int memory_map(const struct fuzz_head *h, struct hcl_mem_entry *map)
{
	struct hcl_mem_entry extra[2];
	struct hcl_dt_input in = {
		.host = &cfg, .bootargs = "", .extra = extra,
	};
	struct hcl_host_range low;
	char err[256];
	uint32_t nlow;
	int n;

	n = hcl_low_ram(&cfg, &low, err, sizeof(err));
	if (n == 0) {
		check_low(&low);
		extra[in.nextra++] = (struct hcl_mem_entry){
			OPENHCL_MEM_VTL2_RAM, low.base, low.size,
		};
	} else {
		check_rejected(n, err, sizeof(err));
	}
	nlow = in.nextra;

	if (h->vtl0_size) {
		in.vtl0_image.base = VB + (uint64_t)h->vtl0_page * PAGE;
		in.vtl0_image.size = h->vtl0_size;
		extra[in.nextra++] = (struct hcl_mem_entry){
			OPENHCL_MEM_VTL2_RESERVED, in.vtl0_image.base,
			(h->vtl0_size + PAGE - 1) & ~(PAGE - 1),
		};
	}
	n = hcl_dt_memory_map(&in, map, err, sizeof(err));
	if (n >= 0)
		return n;
	/* a VTL0 image outside VTL2: the map without it */
	check_rejected(n, err, sizeof(err));
	in.nextra = nlow;
	in.vtl0_image.size = 0;
	n = hcl_dt_memory_map(&in, map, err, sizeof(err));
	if (n < 0)
		abort();
	return n;
}

static void boot(const struct fuzz_head *h, const uint8_t *image,
		 const struct hcl_bzimage *bz)
{
	static struct hcl_mem_entry map[OPENHCL_DT_MAP_MAX];
	static struct hcl_e820_entry e820[HCL_BP_E820_MAX];
	static struct hcl_e820_entry spare[HCL_BP_E820_MAX];
	static uint8_t bp[HCL_BP_SIZE];
	struct hcl_boot_in in = {
		.image = image, .bz = bz, .cmdline_gpa = CMDLINE_GPA,
		.cmdline_len = h->cmdline_len, .initrd_gpa = INITRD_GPA,
		.initrd_size = h->initrd_size,
		.setup_data_gpa = SETUP_DATA_GPA, .e820 = e820,
	};
	char err[256];
	bool ok;
	int nmap, n, rc;

	nmap = memory_map(h, map);
	for (int i = 1; i < nmap; i++)
		if (map[i - 1].base + map[i - 1].size > map[i].base)
			abort();
	n = hcl_e820_from_map(map, nmap, e820, HCL_BP_E820_MAX, err,
			      sizeof(err));
	if (n < 0)
		abort();	/* the machine always gives Linux memory */
	check_e820(map, nmap, e820, n);
	in.ne820 = (uint32_t)n;
	/* one entry less room, or no map, must be refused */
	if (hcl_e820_from_map(map, nmap, spare, (uint32_t)n - 1, err,
			      sizeof(err)) != SHIM_ETOOMANY ||
	    hcl_e820_from_map(map, 0, spare, HCL_BP_E820_MAX, err,
			      sizeof(err)) != SHIM_EMISSING || !err[0])
		abort();

	ok = in.cmdline_len <= bz->cmdline_size &&
	     (!in.initrd_size || bz->xloadflags & HCL_XLF_ABOVE_4G ||
	      in.initrd_gpa + in.initrd_size - 1 <= bz->initrd_addr_max);
	memset(bp, 0xa5, sizeof(bp));
	rc = hcl_boot_params_fill(bp, &in, err, sizeof(err));
	if (rc == 0 && ok)
		check_boot_params(bp, image, bz, &in);
	else if (rc == 0 || ok)
		abort();
	else
		check_rejected(rc, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_head h;
	size_t len;
	struct hcl_bzimage bz;
	uint8_t *image;
	char err[256];
	int rc;

	image = fuzz_split(data, size, &h, sizeof(h), &len);
	if (!image)
		return 0;

	rc = hcl_bzimage_parse(image, len, &bz, err, sizeof(err));
	if (rc == 0) {
		check_header(image, len, &bz);
		check_load(&bz);
		machine(&h);
		boot(&h, image, &bz);
	} else {
		check_rejected(rc, err, sizeof(err));
	}
	free(image);
	return 0;
}
