// SPDX-License-Identifier: GPL-2.0
/*
 * The hcl paravisor image, laid out as include/hcl/igvm_layout.h documents
 * and in the header order OpenVMM's igvmfilegen uses: platform; parameter
 * areas with their parameter headers; REQUIRED_MEMORY; the VP context; the
 * parameter inserts; then every PAGE_DATA.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcl_igvm_build.h"
#include "igvm.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the parameter block is copied as a struct: little-endian hosts only"
#endif

#define GIB	0x40000000ull
#define PAGE	((uint64_t)IGVM_PAGE_SIZE)

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void add_page_hdr(struct igvm_writer *w, uint64_t gpa, size_t blob)
{
	struct igvm_header h = { .type = IGVM_VHT_PAGE_DATA };

	h.u.page.gpa = gpa;
	h.u.page.mask = HCL_IGVM_PLATFORM_MASK;
	igvm_writer_add(w, &h, blob);
}

/* size bytes at gpa, one PAGE_DATA per page; zero pages carry no data */
static void add_pages(struct igvm_writer *w, uint64_t gpa, const void *data,
		      uint64_t size)
{
	static const uint8_t zero[IGVM_PAGE_SIZE];
	const uint8_t *p = data;

	for (uint64_t off = 0; off < size; off += PAGE) {
		uint8_t page[IGVM_PAGE_SIZE] = { 0 };
		uint64_t n = size - off < PAGE ? size - off : PAGE;
		size_t blob = IGVM_NO_DATA;

		if (p)
			memcpy(page, p + off, n);
		if (memcmp(page, zero, sizeof(page)))
			blob = igvm_writer_data(w, page, sizeof(page));
		add_page_hdr(w, gpa + off, blob);
	}
}

static void add_param(struct igvm_writer *w, uint32_t type, uint32_t index,
		      uint32_t byte_offset)
{
	struct igvm_header h = { .type = type };

	h.u.param.index = index;
	h.u.param.byte_offset = byte_offset;
	igvm_writer_add(w, &h, IGVM_NO_DATA);
}

static void add_area(struct igvm_writer *w, uint32_t index, uint64_t bytes)
{
	struct igvm_header h = { .type = IGVM_VHT_PARAMETER_AREA };

	h.u.area.number_of_bytes = bytes;
	h.u.area.index = index;
	igvm_writer_add(w, &h, IGVM_NO_DATA);
}

static void add_insert(struct igvm_writer *w, uint32_t index, uint64_t gpa)
{
	struct igvm_header h = { .type = IGVM_VHT_PARAMETER_INSERT };

	h.u.insert.gpa = gpa;
	h.u.insert.mask = HCL_IGVM_PLATFORM_MASK;
	h.u.insert.index = index;
	igvm_writer_add(w, &h, IGVM_NO_DATA);
}

/* ---- the VBS register list */

static uint8_t *reg_rec(uint8_t *list, unsigned int i, uint32_t name)
{
	uint8_t *r = list + IGVM_VBS_HEADER_SIZE + i * IGVM_VBS_REG_SIZE;

	r[0] = 2;	/* VTL 2 */
	igvm_put32(r + 1, name);
	return r + 16;	/* the value */
}

static void reg_int(uint8_t *list, unsigned int *i, uint32_t name,
		    uint64_t v)
{
	igvm_put64(reg_rec(list, (*i)++, name), v);
}

static void reg_seg(uint8_t *list, unsigned int *i, uint32_t name,
		    uint16_t sel, uint16_t attr, uint32_t limit)
{
	uint8_t *v = reg_rec(list, (*i)++, name);

	igvm_put64(v, 0);
	igvm_put32(v + 8, limit);
	igvm_put16(v + 12, sel);
	igvm_put16(v + 14, attr);
}

static void reg_table(uint8_t *list, unsigned int *i, uint32_t name,
		      uint16_t limit, uint64_t base)
{
	uint8_t *v = reg_rec(list, (*i)++, name);

	igvm_put16(v + 6, limit);
	igvm_put64(v + 8, base);
}

static size_t vbs_context(struct igvm_writer *w,
			  const struct hcl_igvm_params *p)
{
	/* every data segment flat, in this order */
	static const uint32_t data_segs[] = {
		HV_X64_REG_DS, HV_X64_REG_ES, HV_X64_REG_FS, HV_X64_REG_GS,
		HV_X64_REG_SS,
	};
	uint8_t list[IGVM_VBS_HEADER_SIZE +
		     HCL_IGVM_NREGS * IGVM_VBS_REG_SIZE] = { 0 };
	unsigned int n = 0;

	reg_int(list, &n, HV_X64_REG_CR0, 0x80000021);	/* PG|NE|PE */
	reg_int(list, &n, HV_X64_REG_CR3, p->page_tables.gpa);
	reg_int(list, &n, HV_X64_REG_CR4, 0x20);	/* PAE */
	reg_int(list, &n, HV_X64_REG_EFER, 0xd00);	/* NXE|LMA|LME */
	reg_int(list, &n, HV_X64_REG_PAT, 0x0007040600070406ull);
	reg_table(list, &n, HV_X64_REG_GDTR, 0x17, p->gdt.gpa);
	reg_seg(list, &n, HV_X64_REG_CS, HCL_IGVM_SEL_CODE, 0xa09b,
		0xffffffff);
	for (size_t i = 0; i < sizeof(data_segs) / sizeof(data_segs[0]); i++)
		reg_seg(list, &n, data_segs[i], HCL_IGVM_SEL_DATA, 0xc093,
			0xffffffff);
	/* a busy TSS, as OpenVMM's builder sets for VTL2 on Hyper-V */
	reg_seg(list, &n, HV_X64_REG_TR, 0, 0x8b, 0xffff);
	reg_int(list, &n, HV_X64_REG_RSP, p->stack_top);
	reg_int(list, &n, HV_X64_REG_RSI, p->vtl2.gpa + HCL_IGVM_OFF_PARAMS);
	reg_int(list, &n, HV_X64_REG_RFLAGS, 0x2);
	reg_int(list, &n, HV_X64_REG_RIP, p->shim_entry);
	igvm_put32(list, n);
	return igvm_writer_data(w, list, IGVM_VBS_HEADER_SIZE +
				n * IGVM_VBS_REG_SIZE);
}

static uint32_t le32_at(const uint8_t *b, size_t off)
{
	return b[off] | (uint32_t)b[off + 1] << 8 |
	       (uint32_t)b[off + 2] << 16 | (uint32_t)b[off + 3] << 24;
}

/*
 * The bytes the kernel needs from its GPA: the file, or for a bzImage
 * (boot protocol 2.10+, which has init_size) its setup plus init_size
 * if that is more; page aligned.
 */
static uint64_t kernel_reserve(const struct hcl_igvm_blob *k)
{
	uint64_t need = k->size, setup, init;

	if (k->size >= HCL_BZ_INIT_SIZE + 4 &&
	    le32_at(k->data, HCL_BZ_HEADER) == HCL_BZ_HEADER_MAGIC &&
	    (k->data[HCL_BZ_VERSION] | k->data[HCL_BZ_VERSION + 1] << 8) >=
	    0x20a) {
		setup = k->data[HCL_BZ_SETUP_SECTS];
		setup = ((setup ? setup : 4) + 1) * 512;
		init = le32_at(k->data, HCL_BZ_INIT_SIZE);
		if (setup + init > need)
			need = setup + init;
	}
	return align_up(need, PAGE);
}

static int layout(const struct hcl_igvm_inputs *in, struct hcl_igvm_params *p,
		  unsigned int *npd, char *err, size_t errlen)
{
	uint64_t base = HCL_IGVM_VTL2_BASE, size, end, next;
	size_t cl = in->cmdline ? strlen(in->cmdline) : 0;

	size = in->vtl2_size ? in->vtl2_size : HCL_IGVM_VTL2_SIZE_DEFAULT;
	if (size % HCL_IGVM_VTL2_ALIGN || size > HCL_IGVM_VTL2_SIZE_MAX)
		return fail(err, errlen,
			    "VTL2 size 0x%llx is not a multiple of 2 MiB up to 0x%llx",
			    (unsigned long long)size,
			    HCL_IGVM_VTL2_SIZE_MAX);
	if (cl > HCL_IGVM_CMDLINE_MAX)
		return fail(err, errlen,
			    "command line is %zu bytes, at most %u fit", cl,
			    HCL_IGVM_CMDLINE_MAX);
	if (!in->shim.size || !in->kernel.size)
		return fail(err, errlen, "the shim and the kernel must not be empty");
	if (in->shim_entry >= in->shim.size)
		return fail(err, errlen,
			    "shim entry 0x%llx is outside the 0x%zx-byte shim",
			    (unsigned long long)in->shim_entry, in->shim.size);
	if (in->sidecar.size > HCL_IGVM_SIDECAR_MAX)
		return fail(err, errlen,
			    "the sidecar is 0x%zx bytes, at most 0x%llx fit",
			    in->sidecar.size, HCL_IGVM_SIDECAR_MAX);
	end = base + size;
	hcl_igvm_params_fixed(p, base, size);
	if (in->sidecar.size) {
		p->sidecar.gpa = base + HCL_IGVM_OFF_SIDECAR;
		p->sidecar.size = align_up(in->sidecar.size, PAGE);
	}
	p->command_line.size = cl;
	*npd = (unsigned int)(align_up(end, GIB) / GIB);
	p->page_tables.size = (2 + *npd) * PAGE;

	/* the file sizes are below 4 GiB (the file is): nothing wraps */
	p->shim.size = in->shim.size;
	p->shim_entry = p->shim.gpa + in->shim_entry;
	p->kernel.gpa = align_up(p->shim.gpa + p->shim.size,
				 HCL_IGVM_KERNEL_ALIGN);
	p->kernel.size = in->kernel.size;
	p->kernel_reserve = kernel_reserve(&in->kernel);
	p->initrd.gpa = p->kernel.gpa + p->kernel_reserve;
	p->initrd.size = in->initrd.size;
	p->vtl0_image.gpa = align_up(p->initrd.gpa + p->initrd.size, PAGE);
	p->vtl0_image.size = in->vtl0.size;
	next = align_up(p->vtl0_image.gpa + p->vtl0_image.size, PAGE);
	if (next > end)
		return fail(err, errlen,
			    "the image needs 0x%llx bytes of VTL2 memory, the VTL2 size is 0x%llx",
			    (unsigned long long)(next - base),
			    (unsigned long long)size);
	p->free.gpa = next;
	p->free.size = end - next;
	return 0;
}

int hcl_igvm_build(const struct hcl_igvm_inputs *in, uint8_t **out,
		   size_t *len, struct hcl_igvm_params *layout_out, char *err,
		   size_t errlen)
{
	struct hcl_igvm_params p;
	struct igvm_writer w;
	struct igvm_header h;
	uint8_t page[IGVM_PAGE_SIZE];
	unsigned int npd = 0;
	size_t ctx;
	int rc;

	if ((uint64_t)in->shim.size + in->kernel.size + in->initrd.size +
	    in->vtl0.size + in->sidecar.size > UINT32_MAX)
		return fail(err, errlen, "the inputs do not fit a 4 GiB file");
	if (layout(in, &p, &npd, err, errlen))
		return -1;
	if (npd > HCL_IGVM_MAX_PD)
		return fail(err, errlen, "VTL2 range ends above the identity map");

	igvm_writer_init(&w, 1);

	memset(&h, 0, sizeof(h));
	h.type = IGVM_VHT_SUPPORTED_PLATFORM;
	h.u.platform.mask = HCL_IGVM_PLATFORM_MASK;
	h.u.platform.highest_vtl = 2;
	h.u.platform.platform_type = IGVM_PLATFORM_VSM_ISOLATION;
	h.u.platform.platform_version = 1;
	igvm_writer_add(&w, &h, IGVM_NO_DATA);

	add_area(&w, HCL_IGVM_AREA_MEMMAP, HCL_IGVM_AREA_MEMMAP_SIZE);
	add_param(&w, IGVM_VHT_MEMORY_MAP, HCL_IGVM_AREA_MEMMAP, 0);
	add_param(&w, IGVM_VHT_VP_COUNT_PARAMETER, HCL_IGVM_AREA_MEMMAP,
		  HCL_IGVM_VP_COUNT_OFFSET);
	add_area(&w, HCL_IGVM_AREA_CMDLINE, HCL_IGVM_AREA_CMDLINE_SIZE);
	add_param(&w, IGVM_VHT_COMMAND_LINE, HCL_IGVM_AREA_CMDLINE, 0);
	add_area(&w, HCL_IGVM_AREA_DT, HCL_IGVM_AREA_DT_SIZE);
	add_param(&w, IGVM_VHT_DEVICE_TREE, HCL_IGVM_AREA_DT, 0);

	memset(&h, 0, sizeof(h));
	h.type = IGVM_VHT_REQUIRED_MEMORY;
	h.u.req.gpa = p.vtl2.gpa;
	h.u.req.mask = HCL_IGVM_PLATFORM_MASK;
	h.u.req.number_of_bytes = (uint32_t)p.vtl2.size;
	h.u.req.flags = IGVM_REQMEM_VTL2_PROTECTABLE;
	igvm_writer_add(&w, &h, IGVM_NO_DATA);

	ctx = vbs_context(&w, &p);
	memset(&h, 0, sizeof(h));
	h.type = IGVM_VHT_VP_CONTEXT;
	h.u.vp.mask = HCL_IGVM_PLATFORM_MASK;
	igvm_writer_add(&w, &h, ctx);

	add_insert(&w, HCL_IGVM_AREA_MEMMAP, p.memory_map.gpa);
	add_insert(&w, HCL_IGVM_AREA_CMDLINE, p.host_command_line.gpa);
	add_insert(&w, HCL_IGVM_AREA_DT, p.device_tree.gpa);

	/* parameter block and static command line */
	memset(page, 0, sizeof(page));
	memcpy(page, &p, sizeof(p));
	add_pages(&w, p.vtl2.gpa + HCL_IGVM_OFF_PARAMS, page, PAGE);
	memset(page, 0, sizeof(page));
	if (p.command_line.size)
		memcpy(page, in->cmdline, p.command_line.size);
	add_pages(&w, p.command_line.gpa, page, PAGE);

	/* GDT */
	memset(page, 0, sizeof(page));
	igvm_put64(page + HCL_IGVM_SEL_CODE, 0x00af9b000000ffffull);
	igvm_put64(page + HCL_IGVM_SEL_DATA, 0x00cf93000000ffffull);
	add_pages(&w, p.gdt.gpa, page, PAGE);

	/* PML4 -> PDPT -> npd PDs of 2 MiB pages, identity */
	memset(page, 0, sizeof(page));
	igvm_put64(page, (p.page_tables.gpa + PAGE) | 0x3);
	add_pages(&w, p.page_tables.gpa, page, PAGE);
	memset(page, 0, sizeof(page));
	for (unsigned int i = 0; i < npd; i++)
		igvm_put64(page + 8 * i,
			   (p.page_tables.gpa + (2 + i) * PAGE) | 0x3);
	add_pages(&w, p.page_tables.gpa + PAGE, page, PAGE);
	for (unsigned int i = 0; i < npd; i++) {
		for (unsigned int j = 0; j < 512; j++)
			igvm_put64(page + 8 * j,
				   ((uint64_t)(i * 512 + j) << 21) | 0x83);
		add_pages(&w, p.page_tables.gpa + (2 + i) * PAGE, page, PAGE);
	}

	/* stack: zero pages */
	add_pages(&w, p.stack.gpa, NULL, p.stack.size);

	if (p.sidecar.size)
		add_pages(&w, p.sidecar.gpa, in->sidecar.data,
			  in->sidecar.size);
	add_pages(&w, p.shim.gpa, in->shim.data, p.shim.size);
	add_pages(&w, p.kernel.gpa, in->kernel.data, p.kernel.size);
	add_pages(&w, p.initrd.gpa, in->initrd.data, p.initrd.size);
	add_pages(&w, p.vtl0_image.gpa, in->vtl0.data, p.vtl0_image.size);

	rc = igvm_writer_finish(&w, out, len);
	igvm_writer_free(&w);
	if (rc)
		return fail(err, errlen,
			    "cannot serialize the image (out of memory or over 4 GiB)");
	if (layout_out)
		*layout_out = p;
	return 0;
}
