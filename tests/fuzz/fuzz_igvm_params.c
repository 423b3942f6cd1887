// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what the shim reads from the IGVM parameters
 * (shim/igvm_params.c): the measured parameter block, parameter area 0
 * (memory map and VP count), their cross-check against the host device
 * tree, and the host command-line area.
 *
 * Input: struct fuzz_head (the parameter block, the GPA it was found at
 * and the size of the shim's memory image; zero-filled when the input is
 * shorter), then parameter area 0: every remaining byte, the VP count at
 * HCL_IGVM_VP_COUNT_OFFSET as the shim reads it.  The same bytes also
 * serve as the host command-line area.  The host device tree is fixed:
 * the loader's tree for a 1 GiB, 2-CPU machine, built and parsed once,
 * so that the cross-check can pass.
 *
 * What is accepted must keep the promises of igvm_params.h, checked here
 * independently of the code under test: every piece of the parameter
 * block page aligned, inside the VTL2 range and disjoint from the others;
 * the memory map sorted, in bounds and its RAM exactly the merged RAM
 * entries; after the cross-check, the image's VTL2 range inside that RAM.
 * A rejection must leave one message.  Any violation aborts.
 *
 * `fuzz_igvm_params --write-seed FILE` writes a valid input (the block
 * igvmtool writes for a 128 MiB VTL2 range, the loader's memory map) and
 * exits; scripts/fuzz-smoke.sh seeds the corpus with it.
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

#include <libfdt.h>

#include "host_config.h"
#include "igvm_params.h"

#include "../common/shim_inputs.h"
#include "fuzz_shim.h"

#define MIB		0x100000ull
#define VB		HCL_IGVM_VTL2_BASE
#define SHIM_BASE	(VB + HCL_IGVM_OFF_SHIM)
#define PAGE		HCL_PAGE_SIZE
#define VTL0_END	0x3ffe0000ull	/* 1 GiB minus QEMU's ACPI tables */

struct fuzz_head {
	struct hcl_igvm_params p;
	uint64_t params_gpa;		/* RSI at the shim's entry */
	uint32_t shim_mem;		/* __shim_end - __shim_start */
	uint32_t pad;
};

_Static_assert(sizeof(struct fuzz_head) == 296, "fuzz input layout");

static struct hcl_host_config cfg;
static struct hcl_igvm_params good;

/* ---- the fixed configuration --------------------------------------------- */

#define OK(x) do { if ((x) < 0) abort(); } while (0)

static void range_prop(void *fdt, const char *name, uint64_t base,
		       uint64_t size)
{
	fdt32_t c[4] = {
		cpu_to_fdt32(base >> 32), cpu_to_fdt32((uint32_t)base),
		cpu_to_fdt32(size >> 32), cpu_to_fdt32((uint32_t)size),
	};

	OK(fdt_property(fdt, name, c, sizeof(c)));
}

/* the host device tree the loader writes: RAM below 640 KiB and above 1 MiB */
static void build_host_config(void)
{
	static char fdt[4096] __attribute__((aligned(8)));
	fdt32_t reg[8] = {
		0, 0, 0, cpu_to_fdt32(0x9f000),
		0, cpu_to_fdt32(MIB), 0, cpu_to_fdt32(VTL0_END - MIB),
	};
	char err[256];

	OK(fdt_create(fdt, sizeof(fdt)));
	OK(fdt_finish_reservemap(fdt));
	OK(fdt_begin_node(fdt, ""));
	OK(fdt_property_u32(fdt, "#address-cells", 2));
	OK(fdt_property_u32(fdt, "#size-cells", 2));
	OK(fdt_begin_node(fdt, "cpus"));
	OK(fdt_property_u32(fdt, "#address-cells", 1));
	OK(fdt_property_u32(fdt, "#size-cells", 0));
	OK(fdt_begin_node(fdt, "cpu@0"));
	OK(fdt_property_string(fdt, "device_type", "cpu"));
	OK(fdt_property_u32(fdt, "reg", 0));
	OK(fdt_end_node(fdt));
	OK(fdt_begin_node(fdt, "cpu@1"));
	OK(fdt_property_string(fdt, "device_type", "cpu"));
	OK(fdt_property_u32(fdt, "reg", 1));
	OK(fdt_end_node(fdt));
	OK(fdt_end_node(fdt));
	OK(fdt_begin_node(fdt, "memory@0"));
	OK(fdt_property_string(fdt, "device_type", "memory"));
	OK(fdt_property(fdt, "reg", reg, sizeof(reg)));
	OK(fdt_end_node(fdt));
	OK(fdt_begin_node(fdt, "openhcl"));
	range_prop(fdt, "vtl2-range", VB, 128 * MIB);
	range_prop(fdt, "vtl0-range", 256 * MIB, VTL0_END - 256 * MIB);
	OK(fdt_end_node(fdt));
	OK(fdt_end_node(fdt));
	OK(fdt_finish(fdt));
	if (hcl_host_config_parse(fdt, fdt_totalsize(fdt), &cfg, err,
				  sizeof(err))) {
		fprintf(stderr, "fuzz_igvm_params: host tree: %s\n", err);
		abort();
	}
}

static int write_seed(const char *path)
{
	static uint8_t seed[sizeof(struct fuzz_head) +
			    HCL_IGVM_AREA_MEMMAP_SIZE];
	uint8_t *area = seed + sizeof(struct fuzz_head);
	struct fuzz_head h = {
		.params_gpa = VB, .shim_mem = SHIM_INPUTS_SHIM_SIZE,
	};
	uint32_t vps = cfg.ncpus;

	/* the block igvmtool writes for a 128 MiB VTL2 range */
	shim_inputs_params(&h.p, 1256);
	memcpy(seed, &h, sizeof(h));
	/* as the loader writes area 0 for the tree above */
	shim_inputs_mm_put(area, 0, 0, 0x9f000, HCL_IGVM_MM_MEMORY);
	shim_inputs_mm_put(area, 1, MIB, VB - MIB, HCL_IGVM_MM_MEMORY);
	shim_inputs_mm_put(area, 2, VB, 128 * MIB,
			   HCL_IGVM_MM_VTL2_PROTECTABLE);
	shim_inputs_mm_put(area, 3, 256 * MIB, VTL0_END - 256 * MIB,
			   HCL_IGVM_MM_MEMORY);
	shim_inputs_mm_put(area, 4, 0xfffc0000ull, 0x40000,
			   HCL_IGVM_MM_PLATFORM_RESERVED);
	memcpy(area + HCL_IGVM_VP_COUNT_OFFSET, &vps, sizeof(vps));
	return fuzz_write_file(path, seed, sizeof(seed));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	build_host_config();
	shim_inputs_params(&good, 1256);
	fuzz_seed_option(*argc, *argv, write_seed);
	return 0;
}

/* ---- what must hold ------------------------------------------------------ */

struct span {
	uint64_t base, size;
};

static void check_params(const struct hcl_igvm_params *p, uint64_t gpa,
			 uint32_t shim_mem)
{
	uint64_t lo = p->vtl2.gpa, hi = lo + p->vtl2.size;
	uint64_t smem = p->shim.size > shim_mem ? p->shim.size : shim_mem;
	const struct span s[] = {
		{ gpa, PAGE },
		{ p->command_line.gpa, p->command_line.size + 1 },
		{ p->gdt.gpa, p->gdt.size },
		{ p->page_tables.gpa, p->page_tables.size },
		{ p->stack.gpa, p->stack.size },
		{ p->memory_map.gpa, p->memory_map.size },
		{ p->host_command_line.gpa, p->host_command_line.size },
		{ p->device_tree.gpa, p->device_tree.size },
		{ p->shim.gpa, smem },
		{ p->kernel.gpa, p->kernel_reserve },
		{ p->initrd.gpa, p->initrd.size },
		{ p->vtl0_image.gpa, p->vtl0_image.size },
		{ p->free.gpa, p->free.size },
	};
	const size_t n = sizeof(s) / sizeof(s[0]);

	/* the VTL2 range: 2 MiB aligned, in the shim's identity map */
	if (!p->vtl2.size || hi < lo || hi > HCL_SHIM_MAP_END ||
	    (lo | p->vtl2.size) & (2 * MIB - 1) ||
	    gpa != lo + HCL_IGVM_OFF_PARAMS)
		abort();
	/* the shim where it was linked, its entry inside it */
	if (p->shim.gpa != SHIM_BASE || p->shim_entry < p->shim.gpa ||
	    p->shim_entry - p->shim.gpa >= p->shim.size)
		abort();
	if (!p->kernel.size || p->kernel.gpa & (HCL_IGVM_KERNEL_ALIGN - 1) ||
	    p->kernel_reserve < p->kernel.size ||
	    p->stack_top != p->stack.gpa + p->stack.size ||
	    p->command_line.size > HCL_IGVM_CMDLINE_MAX ||
	    p->device_tree.size < 64 || !p->host_command_line.size)
		abort();
	/* the shim reads the VP count word inside area 0 */
	if (p->vp_count_gpa != p->memory_map.gpa + HCL_IGVM_VP_COUNT_OFFSET ||
	    p->memory_map.size < HCL_IGVM_VP_COUNT_OFFSET + 4)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (s[i].base & (PAGE - 1) || s[i].base < lo ||
		    s[i].base > hi || s[i].size > hi - s[i].base)
			abort();
		for (size_t j = 0; j < i; j++)
			if (s[i].size && s[j].size &&
			    s[i].base < s[j].base + s[j].size &&
			    s[j].base < s[i].base + s[i].size)
				abort();
	}
}

static void check_memmap(const uint8_t *area, size_t size,
			 const struct hcl_igvm_memmap *mm)
{
	size_t max = (size < HCL_IGVM_VP_COUNT_OFFSET ?
		      size : HCL_IGVM_VP_COUNT_OFFSET) /
		     sizeof(struct hcl_igvm_mm_entry);
	uint64_t prev_end = 0, ram_bytes = 0, merged_bytes = 0;

	if (!mm->nentries || mm->nentries > max || !mm->nram ||
	    mm->nram > mm->nentries)
		abort();
	/* the list ends with a 0-page entry or at the VP count */
	if (mm->nentries < max) {
		struct hcl_igvm_mm_entry e;

		memcpy(&e, area + mm->nentries * sizeof(e), sizeof(e));
		if (e.pages)
			abort();
	}
	for (uint32_t i = 0; i < mm->nentries; i++) {
		struct hcl_igvm_mm_entry e;
		uint64_t base, end;
		bool in_ram = false;

		memcpy(&e, area + i * sizeof(e), sizeof(e));
		if (!e.pages || e.type > HCL_IGVM_MM_HIDDEN || e.flags ||
		    e.reserved || e.gpa_page >> 40 || e.pages >> 41 ||
		    e.gpa_page + e.pages > 1ull << 40)
			abort();
		base = e.gpa_page << 12;
		end = base + (e.pages << 12);
		if (i && base < prev_end)
			abort();
		prev_end = end;
		if (e.type != HCL_IGVM_MM_MEMORY &&
		    e.type != HCL_IGVM_MM_VTL2_PROTECTABLE)
			continue;
		/* every RAM entry lies in one merged range */
		for (uint32_t k = 0; k < mm->nram; k++)
			if (mm->ram[k].base <= base &&
			    end <= mm->ram[k].base + mm->ram[k].size)
				in_ram = true;
		if (!in_ram)
			abort();
		ram_bytes += end - base;
	}
	/* the merged ranges: sorted, apart, nothing but those entries */
	for (uint32_t k = 0; k < mm->nram; k++) {
		const struct hcl_host_range *r = &mm->ram[k];

		if (!r->size || (r->base | r->size) & (PAGE - 1) ||
		    r->base + r->size > 1ull << 52)
			abort();
		if (k && mm->ram[k - 1].base + mm->ram[k - 1].size >= r->base)
			abort();
		merged_bytes += r->size;
	}
	if (merged_bytes != ram_bytes)
		abort();
}

/* the host tree's RAM, adjacent ranges merged, equals the map's */
static void check_cross(const struct hcl_igvm_params *p,
			const struct hcl_igvm_memmap *mm, uint32_t vp_count)
{
	uint32_t k = 0;
	bool vtl2_in_ram = false;

	if (vp_count != cfg.ncpus || p->vtl2.gpa != cfg.vtl2.base ||
	    p->vtl2.size != cfg.vtl2.size)
		abort();
	for (uint32_t i = 0; i < cfg.nram; k++) {
		uint64_t base = cfg.ram[i].base;
		uint64_t end = base + cfg.ram[i].size;

		while (++i < cfg.nram && cfg.ram[i].base == end)
			end += cfg.ram[i].size;
		if (k >= mm->nram || mm->ram[k].base != base ||
		    mm->ram[k].size != end - base)
			abort();
	}
	if (k != mm->nram)
		abort();
	/* merged and apart: a range in RAM lies in one of them */
	for (uint32_t i = 0; i < mm->nram; i++)
		if (mm->ram[i].base <= p->vtl2.gpa &&
		    p->vtl2.gpa + p->vtl2.size <=
		    mm->ram[i].base + mm->ram[i].size)
			vtl2_in_ram = true;
	if (!vtl2_in_ram)
		abort();
}

static void check_host_cmdline(const char *area, size_t size)
{
	const char *line = area;
	char err[128];
	int n;

	n = hcl_igvm_host_cmdline(area, size, &line, err, sizeof(err));
	if (n >= 0) {
		if (line != area || (size_t)n >= size ||
		    memchr(area, 0, size) != area + n)
			abort();
	} else {
		check_rejected(n, err, sizeof(err));
		if (line || memchr(area, 0, size))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hcl_igvm_memmap mm;
	struct fuzz_head h;
	size_t alen;
	const struct hcl_igvm_params *p = &good;
	uint32_t vp_count = 0;
	uint8_t *area;
	char err[256];
	int rc;

	area = fuzz_split(data, size, &h, sizeof(h), &alen);
	if (!area)
		return 0;

	rc = hcl_params_check(&h.p, h.params_gpa, SHIM_BASE,
			      SHIM_BASE + h.shim_mem, err, sizeof(err));
	if (rc == 0) {
		check_params(&h.p, h.params_gpa, h.shim_mem);
		p = &h.p;
	} else {
		check_rejected(rc, err, sizeof(err));
	}

	rc = hcl_igvm_memmap_parse(area, alen, &mm, err, sizeof(err));
	if (rc == 0) {
		check_memmap(area, alen, &mm);
		if (alen >= HCL_IGVM_VP_COUNT_OFFSET + sizeof(vp_count))
			memcpy(&vp_count, area + HCL_IGVM_VP_COUNT_OFFSET,
			       sizeof(vp_count));
		rc = hcl_igvm_cross_check(p, &mm, vp_count, &cfg, err,
					  sizeof(err));
		if (rc == 0)
			check_cross(p, &mm, vp_count);
		else
			check_rejected(rc, err, sizeof(err));
	} else {
		check_rejected(rc, err, sizeof(err));
	}

	check_host_cmdline((const char *)area, alen);
	free(area);
	return 0;
}
