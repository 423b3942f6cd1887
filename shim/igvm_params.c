// SPDX-License-Identifier: GPL-2.0
/* The parameter block and parameter areas, checked (igvm_params.h). */
#include <string.h>

#include "igvm_params.h"

#define PFX_P	"parameter block: "
#define PFX_M	"IGVM memory map: "
#define PAGE	HCL_PAGE_SIZE
#define MIB2	0x200000ull
#define NRESERVED \
	(sizeof(((struct hcl_igvm_params *)0)->reserved) / sizeof(uint64_t))

struct piece {
	const char *name;
	uint64_t base, size;
};

static bool wraps(uint64_t base, uint64_t size)
{
	return base + size < base;
}

/* page aligned, no wrap, inside [lo, hi) */
static int check_piece(const struct piece *c, uint64_t lo, uint64_t hi,
		       char *err, size_t errlen)
{
	if (c->base & (PAGE - 1))
		return shim_errf(err, errlen, SHIM_ERANGE,
				 PFX_P "%s at %x is not 4 KiB aligned",
				 c->name, (unsigned long long)c->base);
	if (wraps(c->base, c->size) || c->base < lo ||
	    c->base + c->size > hi)
		return shim_errf(err, errlen, SHIM_EOUTSIDE,
				 PFX_P "%s %x+%x is not inside the VTL2 range %x+%x",
				 c->name, (unsigned long long)c->base,
				 (unsigned long long)c->size,
				 (unsigned long long)lo,
				 (unsigned long long)(hi - lo));
	return 0;
}

int hcl_params_check(const struct hcl_igvm_params *p, uint64_t params_gpa,
		     uint64_t shim_base, uint64_t shim_end, char *err,
		     size_t errlen)
{
	uint64_t lo = p->vtl2.gpa, hi = p->vtl2.gpa + p->vtl2.size;
	uint64_t shim_mem;
	struct piece pc[15];
	int n = 0, rc;

	if (errlen)
		err[0] = 0;
	if (p->magic != HCL_IGVM_PARAMS_MAGIC)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX_P "magic %x, expected %x",
				 (unsigned long long)p->magic,
				 (unsigned long long)HCL_IGVM_PARAMS_MAGIC);
	if (p->version != HCL_IGVM_PARAMS_VERSION)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX_P "version %u, this shim reads version %u",
				 (unsigned long long)p->version,
				 (unsigned long long)HCL_IGVM_PARAMS_VERSION);
	if (p->size != sizeof(*p))
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX_P "size %u, expected %u",
				 (unsigned long long)p->size,
				 (unsigned long long)sizeof(*p));
	if (p->flags)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX_P "flags %x, expected 0",
				 (unsigned long long)p->flags);
	for (size_t i = 0; i < NRESERVED; i++)
		if (p->reserved[i])
			return shim_errf(err, errlen, SHIM_EINVAL,
					 PFX_P "reserved word %u is %x, expected 0",
					 (unsigned long long)i,
					 (unsigned long long)p->reserved[i]);
	if (!p->vtl2.size || ((lo | p->vtl2.size) & (MIB2 - 1)) ||
	    wraps(lo, p->vtl2.size) || hi > HCL_SHIM_MAP_END)
		return shim_errf(err, errlen, SHIM_ERANGE,
				 PFX_P "VTL2 range %x+%x is empty, not 2 MiB aligned or ends above %x",
				 (unsigned long long)lo,
				 (unsigned long long)p->vtl2.size,
				 HCL_SHIM_MAP_END);
	if (params_gpa != lo + HCL_IGVM_OFF_PARAMS)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX_P "found at %x, the VTL2 range starts at %x",
				 (unsigned long long)params_gpa,
				 (unsigned long long)lo);
	if (p->shim.gpa != shim_base)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX_P "shim at %x, but this shim is linked at %x",
				 (unsigned long long)p->shim.gpa,
				 (unsigned long long)shim_base);
	if (p->shim_entry < p->shim.gpa ||
	    p->shim_entry - p->shim.gpa >= p->shim.size)
		return shim_errf(err, errlen, SHIM_EOUTSIDE,
				 PFX_P "shim entry %x is outside the shim %x+%x",
				 (unsigned long long)p->shim_entry,
				 (unsigned long long)p->shim.gpa,
				 (unsigned long long)p->shim.size);
	if (p->command_line.size > HCL_IGVM_CMDLINE_MAX)
		return shim_errf(err, errlen, SHIM_ERANGE,
				 PFX_P "static command line of %u bytes, at most %u",
				 (unsigned long long)p->command_line.size,
				 (unsigned long long)HCL_IGVM_CMDLINE_MAX);
	if (!p->kernel.size || p->kernel.gpa & (HCL_IGVM_KERNEL_ALIGN - 1))
		return shim_errf(err, errlen, SHIM_ERANGE,
				 PFX_P "kernel %x+%x is empty or not 2 MiB aligned",
				 (unsigned long long)p->kernel.gpa,
				 (unsigned long long)p->kernel.size);
	if (p->kernel_reserve < p->kernel.size ||
	    p->kernel_reserve & (PAGE - 1))
		return shim_errf(err, errlen, SHIM_ERANGE,
				 PFX_P "kernel area of %x bytes for a %x-byte kernel",
				 (unsigned long long)p->kernel_reserve,
				 (unsigned long long)p->kernel.size);
	if (p->stack_top != p->stack.gpa + p->stack.size)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX_P "stack top %x is not the end of the stack %x+%x",
				 (unsigned long long)p->stack_top,
				 (unsigned long long)p->stack.gpa,
				 (unsigned long long)p->stack.size);
	if (p->vp_count_gpa < p->memory_map.gpa || p->vp_count_gpa & 3 ||
	    p->vp_count_gpa - p->memory_map.gpa + 4 > p->memory_map.size ||
	    p->vp_count_gpa - p->memory_map.gpa != HCL_IGVM_VP_COUNT_OFFSET)
		return shim_errf(err, errlen, SHIM_EOUTSIDE,
				 PFX_P "VP count at %x is not at offset %x of the memory map area %x+%x",
				 (unsigned long long)p->vp_count_gpa,
				 (unsigned long long)HCL_IGVM_VP_COUNT_OFFSET,
				 (unsigned long long)p->memory_map.gpa,
				 (unsigned long long)p->memory_map.size);
	if (p->device_tree.size < 64 || p->host_command_line.size < 1)
		return shim_errf(err, errlen, SHIM_ERANGE,
				 PFX_P "host device tree area (%x bytes) or command line area (%x bytes) too small",
				 (unsigned long long)p->device_tree.size,
				 (unsigned long long)p->host_command_line.size);

	if (p->sidecar.size &&
	    (p->sidecar.gpa != lo + HCL_IGVM_OFF_SIDECAR ||
	     p->sidecar.size > HCL_IGVM_SIDECAR_MAX))
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX_P "sidecar %x+%x is not at offset %x or larger than %x",
				 (unsigned long long)p->sidecar.gpa,
				 (unsigned long long)p->sidecar.size,
				 (unsigned long long)HCL_IGVM_OFF_SIDECAR,
				 (unsigned long long)HCL_IGVM_SIDECAR_MAX);

	/* the shim in memory: the larger of its file and its .bss end */
	shim_mem = p->shim.size;
	if (shim_end > shim_base && shim_end - shim_base > shim_mem)
		shim_mem = shim_end - shim_base;

	pc[n++] = (struct piece){ "parameter block", params_gpa, PAGE };
	pc[n++] = (struct piece){ "static command line",
				  p->command_line.gpa,
				  p->command_line.size + 1 };
	pc[n++] = (struct piece){ "GDT", p->gdt.gpa, p->gdt.size };
	pc[n++] = (struct piece){ "page tables", p->page_tables.gpa,
				  p->page_tables.size };
	pc[n++] = (struct piece){ "stack", p->stack.gpa, p->stack.size };
	pc[n++] = (struct piece){ "memory map area", p->memory_map.gpa,
				  p->memory_map.size };
	pc[n++] = (struct piece){ "host command line area",
				  p->host_command_line.gpa,
				  p->host_command_line.size };
	pc[n++] = (struct piece){ "host device tree area",
				  p->device_tree.gpa, p->device_tree.size };
	pc[n++] = (struct piece){ "shim", p->shim.gpa, shim_mem };
	pc[n++] = (struct piece){ "kernel area", p->kernel.gpa,
				  p->kernel_reserve };
	pc[n++] = (struct piece){ "initrd", p->initrd.gpa, p->initrd.size };
	pc[n++] = (struct piece){ "VTL0 image", p->vtl0_image.gpa,
				  p->vtl0_image.size };
	pc[n++] = (struct piece){ "free memory", p->free.gpa, p->free.size };
	if (p->sidecar.size)
		pc[n++] = (struct piece){ "sidecar", p->sidecar.gpa,
					  p->sidecar.size };
	for (int i = 0; i < n; i++) {
		rc = check_piece(&pc[i], lo, hi, err, errlen);
		if (rc)
			return rc;
		for (int j = 0; j < i; j++) {
			struct hcl_host_range a = { pc[i].base, pc[i].size };
			struct hcl_host_range b = { pc[j].base, pc[j].size };

			if (hcl_range_overlap(&a, &b))
				return shim_errf(err, errlen, SHIM_EOVERLAP,
						 PFX_P "%s %x+%x overlaps %s %x+%x",
						 pc[i].name,
						 (unsigned long long)a.base,
						 (unsigned long long)a.size,
						 pc[j].name,
						 (unsigned long long)b.base,
						 (unsigned long long)b.size);
		}
	}
	return 0;
}

int hcl_igvm_memmap_parse(const void *area, size_t size,
			  struct hcl_igvm_memmap *mm, char *err,
			  size_t errlen)
{
	const uint8_t *b = area;
	uint64_t prev_end = 0;
	size_t max = size;

	memset(mm, 0, sizeof(*mm));
	if (errlen)
		err[0] = 0;
	if (max > HCL_IGVM_VP_COUNT_OFFSET)
		max = HCL_IGVM_VP_COUNT_OFFSET;
	max /= sizeof(struct hcl_igvm_mm_entry);
	for (uint32_t i = 0; i < max; i++) {
		struct hcl_igvm_mm_entry e;
		uint64_t base, len;

		memcpy(&e, b + i * sizeof(e), sizeof(e));
		if (!e.pages)
			break;
		if (e.type > HCL_IGVM_MM_HIDDEN || e.flags || e.reserved)
			return shim_errf(err, errlen, SHIM_EINVAL,
					 PFX_M "entry %u: type %u, flags %x, reserved %x (known types 0..5, the rest 0)",
					 (unsigned long long)i,
					 (unsigned long long)e.type,
					 (unsigned long long)e.flags,
					 (unsigned long long)e.reserved);
		if (e.gpa_page >= (1ull << 40) || e.pages > (1ull << 40) -
		    e.gpa_page)
			return shim_errf(err, errlen, SHIM_ERANGE,
					 PFX_M "entry %u: pages %x+%x reach beyond 2^52",
					 (unsigned long long)i,
					 (unsigned long long)e.gpa_page,
					 (unsigned long long)e.pages);
		base = e.gpa_page << 12;
		len = e.pages << 12;
		if (i && base < prev_end)
			return shim_errf(err, errlen, SHIM_EOVERLAP,
					 PFX_M "entry %u at %x is not above the previous entry's end %x",
					 (unsigned long long)i,
					 (unsigned long long)base,
					 (unsigned long long)prev_end);
		prev_end = base + len;
		mm->nentries++;
		if (e.type != HCL_IGVM_MM_MEMORY &&
		    e.type != HCL_IGVM_MM_VTL2_PROTECTABLE)
			continue;
		if (mm->nram &&
		    mm->ram[mm->nram - 1].base + mm->ram[mm->nram - 1].size ==
		    base) {
			mm->ram[mm->nram - 1].size += len;
		} else {
			mm->ram[mm->nram].base = base;
			mm->ram[mm->nram].size = len;
			mm->nram++;
		}
	}
	if (!mm->nentries)
		return shim_errf(err, errlen, SHIM_EMISSING,
				 PFX_M "no entries (the host left parameter area 0 empty)");
	if (!mm->nram)
		return shim_errf(err, errlen, SHIM_EMISSING,
				 PFX_M "no RAM entry");
	return 0;
}

/* the host DT's sorted RAM ranges, adjacent ones merged, one at a time */
static bool next_merged(const struct hcl_host_config *cfg, uint32_t *i,
			struct hcl_host_range *r)
{
	if (*i >= cfg->nram)
		return false;
	*r = cfg->ram[(*i)++];
	while (*i < cfg->nram && r->base + r->size == cfg->ram[*i].base)
		r->size += cfg->ram[(*i)++].size;
	return true;
}

int hcl_igvm_cross_check(const struct hcl_igvm_params *p,
			 const struct hcl_igvm_memmap *mm, uint32_t vp_count,
			 const struct hcl_host_config *cfg, char *err,
			 size_t errlen)
{
	struct hcl_host_range r;
	uint32_t i = 0, k = 0;

	if (cfg->vtl2.base != p->vtl2.gpa || cfg->vtl2.size != p->vtl2.size)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 "host device tree: vtl2-range %x+%x is not the image's VTL2 range %x+%x",
				 (unsigned long long)cfg->vtl2.base,
				 (unsigned long long)cfg->vtl2.size,
				 (unsigned long long)p->vtl2.gpa,
				 (unsigned long long)p->vtl2.size);
	if (vp_count != cfg->ncpus)
		return shim_errf(err, errlen, SHIM_ECPU,
				 "VP count parameter %u, but the host device tree lists %u CPUs",
				 (unsigned long long)vp_count,
				 (unsigned long long)cfg->ncpus);
	while (next_merged(cfg, &i, &r)) {
		if (k >= mm->nram || mm->ram[k].base != r.base ||
		    mm->ram[k].size != r.size)
			return shim_errf(err, errlen, SHIM_EINVAL,
					 PFX_M "RAM differs from the host device tree's at %x+%x",
					 (unsigned long long)r.base,
					 (unsigned long long)r.size);
		k++;
	}
	if (k != mm->nram)
		return shim_errf(err, errlen, SHIM_EINVAL,
				 PFX_M "RAM %x+%x is not in the host device tree",
				 (unsigned long long)mm->ram[k].base,
				 (unsigned long long)mm->ram[k].size);
	return 0;
}

int hcl_igvm_host_cmdline(const char *area, size_t size, const char **line,
			  char *err, size_t errlen)
{
	size_t n = 0;

	*line = NULL;
	while (n < size && area[n])
		n++;
	if (n == size || n > 0x7fffffff)
		return shim_errf(err, errlen, SHIM_ECMDLINE,
				 "host command line: no NUL within the %u-byte parameter area",
				 (unsigned long long)size);
	*line = area;
	return (int)n;
}
