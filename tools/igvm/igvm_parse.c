// SPDX-License-Identifier: GPL-2.0
/*
 * IGVM parser and validator.
 *
 * Applies the checks the igvm crate (and so QEMU and OpenVMM) applies when
 * loading a file, plus the load-time rules OpenVMM adds (no overlapping
 * imports, parameter offsets inside their area, VBS register VTL equal to
 * the platform's highest VTL), as the reference loaders do.
 *
 * All arithmetic on offsets and sizes from the file is done in uint64_t
 * after checking each operand, so nothing wraps and nothing is read
 * outside [buf, buf + len).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "igvm.h"

struct area {
	uint32_t index;
	uint64_t bytes;
	bool inserted;
};

struct range {
	uint64_t gpa, end;	/* [gpa, end) */
	uint32_t mask;
	uint32_t hdr;
};

struct vpctx {
	uint32_t mask;
	uint16_t vp_index;
	int vbs_vtl;		/* VTL of a VBS list, -1 otherwise */
};

struct state {
	const uint8_t *buf;
	size_t len;
	struct igvm_file *f;
	struct igvm_error *err;
	struct area *areas;
	size_t nareas;
	struct range *ranges;
	size_t nranges;
	struct vpctx *vps;
	size_t nvps;
	uint32_t platform_types;	/* bit per platform type seen */
	size_t npt_relocs;		/* PAGE_TABLE_RELOCATION headers */
};

static int __attribute__((format(printf, 3, 4)))
fail_file(struct state *s, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	s->err->code = code;
	s->err->header = -1;
	s->err->offset = 0;
	n = snprintf(s->err->msg, sizeof(s->err->msg), "igvm: ");
	va_start(ap, fmt);
	vsnprintf(s->err->msg + n, sizeof(s->err->msg) - n, fmt, ap);
	va_end(ap);
	return code;
}

static int __attribute__((format(printf, 4, 5)))
fail_hdr(struct state *s, int code, const struct igvm_header *h,
	 const char *fmt, ...)
{
	va_list ap;
	int n;

	s->err->code = code;
	s->err->header = h->index;
	s->err->offset = h->offset;
	n = snprintf(s->err->msg, sizeof(s->err->msg),
		     "igvm: header %u (%s) at offset 0x%x: ", h->index,
		     igvm_type_name(h->type), h->offset);
	va_start(ap, fmt);
	vsnprintf(s->err->msg + n, sizeof(s->err->msg) - n, fmt, ap);
	va_end(ap);
	return code;
}

static bool page_aligned(uint64_t v)
{
	return (v & (IGVM_PAGE_SIZE - 1)) == 0;
}

static int popcount32(uint32_t v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/* a platform header whose mask is exactly mask */
const struct igvm_header *igvm_platform_by_mask(const struct igvm_file *f,
						uint32_t mask)
{
	for (size_t i = 0; i < f->nheaders; i++) {
		const struct igvm_header *h = &f->headers[i];

		if (h->type == IGVM_VHT_SUPPORTED_PLATFORM &&
		    h->u.platform.mask == mask)
			return h;
	}
	return NULL;
}

/* the platform header with exactly this mask (platforms come first) */
static const struct igvm_platform *platform_of_bit(struct state *s,
						   uint32_t bit)
{
	const struct igvm_header *h = igvm_platform_by_mask(s->f, bit);

	return h ? &h->u.platform : NULL;
}

static int check_data(struct state *s, const struct igvm_header *h,
		      uint32_t fo, uint64_t n, const char *what)
{
	if (fo < s->f->data_start)
		return fail_hdr(s, IGVM_ERR_DATA_BOUNDS, h,
				"%s file_offset 0x%x is before the data section at 0x%x",
				what, fo, s->f->data_start);
	if (n > s->len || fo > s->len - n)
		return fail_hdr(s, IGVM_ERR_DATA_BOUNDS, h,
				"%s file_offset 0x%x + 0x%llx bytes runs past the end of the file (0x%zx)",
				what, fo, (unsigned long long)n, s->len);
	return 0;
}

static int check_mask(struct state *s, const struct igvm_header *h)
{
	if (!h->has_mask)
		return 0;
	if (h->mask == 0)
		return fail_hdr(s, IGVM_ERR_MASK, h,
				"compatibility mask 0 names no platform");
	if (h->mask & ~s->f->platform_masks)
		return fail_hdr(s, IGVM_ERR_MASK, h,
				"compatibility mask 0x%x names undeclared platforms (declared 0x%x)",
				h->mask, s->f->platform_masks);
	return 0;
}

static struct area *find_area(struct state *s, uint32_t index)
{
	for (size_t i = 0; i < s->nareas; i++)
		if (s->areas[i].index == index)
			return &s->areas[i];
	return NULL;
}

static int add_range(struct state *s, const struct igvm_header *h,
		     uint64_t gpa, uint64_t size)
{
	struct range *r;

	if (size > UINT64_MAX - gpa)
		return fail_hdr(s, IGVM_ERR_VALUE, h,
				"gpa 0x%llx + 0x%llx bytes wraps around",
				(unsigned long long)gpa,
				(unsigned long long)size);
	/* at most one range per header: the array was sized for that */
	r = &s->ranges[s->nranges++];
	r->gpa = gpa;
	r->end = gpa + size;
	r->mask = h->mask;
	r->hdr = h->index;
	return 0;
}

static int check_platform(struct state *s, const struct igvm_header *h)
{
	const struct igvm_platform *p = &h->u.platform;
	uint32_t arch = s->f->architecture;

	if (popcount32(p->mask) != 1)
		return fail_hdr(s, IGVM_ERR_PLATFORM, h,
				"compatibility mask 0x%x must have exactly one bit set",
				p->mask);
	if (p->mask & s->f->platform_masks)
		return fail_hdr(s, IGVM_ERR_PLATFORM, h,
				"compatibility mask 0x%x already used by another platform",
				p->mask);
	if (p->platform_type > IGVM_PLATFORM_MAX)
		return fail_hdr(s, IGVM_ERR_PLATFORM, h,
				"unknown platform type %u", p->platform_type);
	if (s->platform_types & 1u << p->platform_type)
		return fail_hdr(s, IGVM_ERR_PLATFORM, h,
				"platform type %s declared twice",
				igvm_platform_name(p->platform_type));
	if (p->platform_version != 1)
		return fail_hdr(s, IGVM_ERR_PLATFORM, h,
				"platform_version %u, expected 1",
				p->platform_version);
	if (p->highest_vtl != 0 && p->highest_vtl != 2)
		return fail_hdr(s, IGVM_ERR_PLATFORM, h,
				"highest_vtl %u is not 0 or 2", p->highest_vtl);
	if (p->platform_type == IGVM_PLATFORM_NATIVE && p->highest_vtl != 0)
		return fail_hdr(s, IGVM_ERR_PLATFORM, h,
				"highest_vtl %u on NATIVE, expected 0",
				p->highest_vtl);
	if ((p->platform_type == IGVM_PLATFORM_NATIVE ||
	     p->platform_type == IGVM_PLATFORM_VSM_ISOLATION) &&
	    p->shared_gpa_boundary)
		return fail_hdr(s, IGVM_ERR_PLATFORM, h,
				"shared_gpa_boundary 0x%llx on %s, expected 0",
				(unsigned long long)p->shared_gpa_boundary,
				igvm_platform_name(p->platform_type));
	if (p->platform_type == IGVM_PLATFORM_CCA ? arch != IGVM_ARCH_AARCH64 :
	    p->platform_type != IGVM_PLATFORM_VSM_ISOLATION &&
	    arch != IGVM_ARCH_X64)
		return fail_hdr(s, IGVM_ERR_PLATFORM, h,
				"platform %s not allowed on architecture %u",
				igvm_platform_name(p->platform_type), arch);
	s->f->platform_masks |= p->mask;
	s->platform_types |= 1u << p->platform_type;
	return 0;
}

static bool ranges_meet(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	/* callers checked a + asz and b + bsz do not wrap */
	return a < b + bsz && b < a + asz;
}

static int check_reloc(struct state *s, const struct igvm_header *h)
{
	const struct igvm_relocatable_region *r = &h->u.reloc;
	uint64_t al = r->alignment;

	if (r->vtl != 0 && r->vtl != 2)
		return fail_hdr(s, IGVM_ERR_RELOCATION, h, "vtl %u", r->vtl);
	if (al == 0 || !page_aligned(al))
		return fail_hdr(s, IGVM_ERR_RELOCATION, h,
				"relocation_alignment 0x%llx not a multiple of 4096",
				(unsigned long long)al);
	if (r->gpa % al || r->minimum_gpa % al || r->maximum_gpa % al)
		return fail_hdr(s, IGVM_ERR_RELOCATION, h,
				"region, minimum or maximum gpa not aligned to 0x%llx",
				(unsigned long long)al);
	if (!page_aligned(r->size) || r->size == 0)
		return fail_hdr(s, IGVM_ERR_RELOCATION, h,
				"size 0x%llx not a non-zero multiple of 4096",
				(unsigned long long)r->size);
	if (r->size > UINT64_MAX - r->gpa)
		return fail_hdr(s, IGVM_ERR_RELOCATION, h, "region wraps");
	if (r->minimum_gpa > r->maximum_gpa)
		return fail_hdr(s, IGVM_ERR_RELOCATION, h,
				"minimum gpa above maximum gpa");
	return 0;
}

static int check_pt_reloc(struct state *s, const struct igvm_header *h)
{
	const struct igvm_page_table_relocation *r = &h->u.pt_reloc;

	if (r->reserved)
		return fail_hdr(s, IGVM_ERR_RESERVED, h, "reserved 0x%x",
				r->reserved);
	if (r->vtl != 0 && r->vtl != 2)
		return fail_hdr(s, IGVM_ERR_RELOCATION, h, "vtl %u", r->vtl);
	if (!page_aligned(r->gpa) || !page_aligned(r->size) ||
	    !page_aligned(r->used_size))
		return fail_hdr(s, IGVM_ERR_PAGE_ALIGN, h,
				"gpa 0x%llx, size 0x%llx or used_size 0x%llx not page aligned",
				(unsigned long long)r->gpa,
				(unsigned long long)r->size,
				(unsigned long long)r->used_size);
	if (r->used_size > r->size)
		return fail_hdr(s, IGVM_ERR_RELOCATION, h,
				"used_size above size");
	if (r->size > UINT64_MAX - r->gpa)
		return fail_hdr(s, IGVM_ERR_RELOCATION, h, "region wraps");
	s->npt_relocs++;
	return 0;
}

/* relocation headers against each other; all init headers are parsed */
static int check_reloc_set(struct state *s, size_t upto)
{
	struct igvm_header *hs = s->f->headers;

	for (size_t i = 0; i < upto; i++) {
		uint64_t ga, sa;

		if (hs[i].type == IGVM_VHT_RELOCATABLE_REGION) {
			ga = hs[i].u.reloc.gpa;
			sa = hs[i].u.reloc.size;
		} else if (hs[i].type == IGVM_VHT_PAGE_TABLE_RELOCATION) {
			ga = hs[i].u.pt_reloc.gpa;
			sa = hs[i].u.pt_reloc.size;
		} else {
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			uint64_t gb, sb;

			if (!(hs[j].mask & hs[i].mask))
				continue;
			if (hs[j].type == IGVM_VHT_RELOCATABLE_REGION) {
				gb = hs[j].u.reloc.gpa;
				sb = hs[j].u.reloc.size;
			} else if (hs[j].type ==
				   IGVM_VHT_PAGE_TABLE_RELOCATION) {
				if (hs[i].type ==
				    IGVM_VHT_PAGE_TABLE_RELOCATION)
					return fail_hdr(s, IGVM_ERR_RELOCATION,
							&hs[i],
							"second page table relocation region for mask 0x%x",
							hs[i].mask & hs[j].mask);
				gb = hs[j].u.pt_reloc.gpa;
				sb = hs[j].u.pt_reloc.size;
			} else {
				continue;
			}
			if (ranges_meet(ga, sa, gb, sb))
				return fail_hdr(s, IGVM_ERR_RELOCATION, &hs[i],
						"region overlaps header %zu", j);
		}
	}
	return 0;
}

static int check_cca_policy(struct state *s, const struct igvm_header *h)
{
	const uint8_t *b = h->body;
	uint64_t zeroes = igvm_le64(b + 8), ones = igvm_le64(b + 16);

	for (uint32_t m = h->mask; m; m &= m - 1) {
		const struct igvm_platform *p = platform_of_bit(s, m & -m);

		if (!p || p->platform_type != IGVM_PLATFORM_CCA)
			return fail_hdr(s, IGVM_ERR_MASK, h,
					"compatibility mask 0x%x names a non-CCA platform",
					h->mask);
	}
	if (igvm_le32(b + 4) || igvm_le16(b + 26) || igvm_le32(b + 28))
		return fail_hdr(s, IGVM_ERR_RESERVED, h,
				"reserved fields not zero");
	if (b[24] > 2)
		return fail_hdr(s, IGVM_ERR_VALUE, h, "hash_algorithm %u",
				b[24]);
	if (zeroes & ones)
		return fail_hdr(s, IGVM_ERR_VALUE, h,
				"required-zero and required-one attributes overlap");
	return 0;
}

static int check_area(struct state *s, const struct igvm_header *h)
{
	const struct igvm_parameter_area *a = &h->u.area;
	struct area *ar;
	int rc;

	if (a->number_of_bytes == 0 || !page_aligned(a->number_of_bytes))
		return fail_hdr(s, IGVM_ERR_PAGE_ALIGN, h,
				"number_of_bytes 0x%llx not a non-zero multiple of 4096",
				(unsigned long long)a->number_of_bytes);
	if (find_area(s, a->index))
		return fail_hdr(s, IGVM_ERR_PARAM_INDEX, h,
				"parameter area %u declared twice", a->index);
	if (a->file_offset) {
		rc = check_data(s, h, a->file_offset, a->number_of_bytes,
				"area");
		if (rc)
			return rc;
	}
	ar = &s->areas[s->nareas++];
	ar->index = a->index;
	ar->bytes = a->number_of_bytes;
	ar->inserted = false;
	return 0;
}

static int check_param(struct state *s, const struct igvm_header *h)
{
	const struct igvm_parameter *p = &h->u.param;
	struct area *a = find_area(s, p->index);

	if (!a)
		return fail_hdr(s, IGVM_ERR_PARAM_INDEX, h,
				"parameter area %u not declared", p->index);
	if (a->inserted)
		return fail_hdr(s, IGVM_ERR_PARAM_INDEX, h,
				"parameter area %u used after its insert",
				p->index);
	if (p->byte_offset >= a->bytes)
		return fail_hdr(s, IGVM_ERR_PARAM_OFFSET, h,
				"byte_offset 0x%x outside parameter area %u (0x%llx bytes)",
				p->byte_offset, p->index,
				(unsigned long long)a->bytes);
	return 0;
}

static int check_insert(struct state *s, const struct igvm_header *h)
{
	const struct igvm_parameter_insert *p = &h->u.insert;
	struct area *a;

	if (!page_aligned(p->gpa))
		return fail_hdr(s, IGVM_ERR_PAGE_ALIGN, h,
				"gpa 0x%llx not page aligned",
				(unsigned long long)p->gpa);
	a = find_area(s, p->index);
	if (!a)
		return fail_hdr(s, IGVM_ERR_PARAM_INDEX, h,
				"parameter area %u not declared", p->index);
	if (a->inserted)
		return fail_hdr(s, IGVM_ERR_PARAM_INDEX, h,
				"parameter area %u inserted twice", p->index);
	a->inserted = true;
	for (size_t i = 0; s->npt_relocs && i < s->f->nheaders; i++) {
		const struct igvm_header *t = &s->f->headers[i];

		if (t->index >= h->index)
			break;
		if (t->type == IGVM_VHT_PAGE_TABLE_RELOCATION &&
		    (t->mask & h->mask) &&
		    ranges_meet(p->gpa, 1, t->u.pt_reloc.gpa,
				t->u.pt_reloc.size))
			return fail_hdr(s, IGVM_ERR_RELOCATION, h,
					"insert at gpa 0x%llx inside the page table region",
					(unsigned long long)p->gpa);
	}
	return add_range(s, h, p->gpa, a->bytes);
}

static int check_page(struct state *s, const struct igvm_header *h)
{
	const struct igvm_page_data *p = &h->u.page;
	int rc;

	if (!page_aligned(p->gpa))
		return fail_hdr(s, IGVM_ERR_PAGE_ALIGN, h,
				"gpa 0x%llx not page aligned",
				(unsigned long long)p->gpa);
	if (p->data_type > IGVM_PAGE_TYPE_MAX)
		return fail_hdr(s, IGVM_ERR_VALUE, h, "data_type %u unknown",
				p->data_type);
	if (p->reserved)
		return fail_hdr(s, IGVM_ERR_RESERVED, h, "reserved 0x%x",
				p->reserved);
	if (p->flags & IGVM_PAGE_FLAG_2MB)
		return fail_hdr(s, IGVM_ERR_VALUE, h,
				"2 MiB pages are not supported");
	if (p->file_offset) {
		rc = check_data(s, h, p->file_offset, IGVM_PAGE_SIZE, "page");
		if (rc)
			return rc;
	}
	return add_range(s, h, p->gpa, IGVM_PAGE_SIZE);
}

static int check_vbs_list(struct state *s, const struct igvm_header *h,
			  const struct igvm_platform *p, struct vpctx *v)
{
	uint32_t fo = h->u.vp.file_offset, count;
	int rc;

	if (s->f->architecture != IGVM_ARCH_X64)
		return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
				"VBS register lists are only checked for x64");
	if (h->u.vp.vp_index != 0)
		return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
				"VBS context for vp_index %u, only 0 allowed",
				h->u.vp.vp_index);
	rc = check_data(s, h, fo, IGVM_VBS_HEADER_SIZE, "context");
	if (rc)
		return rc;
	count = igvm_le32(s->buf + fo);
	if (count == 0)
		return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
				"VBS register list is empty");
	rc = check_data(s, h, fo,
			IGVM_VBS_HEADER_SIZE + (uint64_t)count * IGVM_VBS_REG_SIZE,
			"context");
	if (rc)
		return rc;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *r = s->buf + fo + IGVM_VBS_HEADER_SIZE +
				   (size_t)i * IGVM_VBS_REG_SIZE;
		uint32_t name = igvm_le32(r + 1);

		if (!igvm_reg_supported_x64(name))
			return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
					"register %u: name 0x%x not supported",
					i, name);
		if (r[0] != p->highest_vtl)
			return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
					"register %u (%s): vtl %u, platform highest_vtl is %u",
					i, igvm_reg_name(name), r[0],
					p->highest_vtl);
		/*
		 * Every earlier record is supported and unique, so this
		 * loop is bounded by the number of supported names.
		 */
		for (uint32_t j = 0; j < i; j++) {
			const uint8_t *q = r - (size_t)(i - j) *
					   IGVM_VBS_REG_SIZE;

			if (igvm_le32(q + 1) == name)
				return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
						"register %u (%s) repeats register %u",
						i, igvm_reg_name(name), j);
		}
	}
	v->vbs_vtl = p->highest_vtl;
	return 0;
}

static int check_vp_context(struct state *s, const struct igvm_header *h)
{
	const struct igvm_vp_context *c = &h->u.vp;
	const struct igvm_platform *p = platform_of_bit(s, c->mask);
	struct vpctx *v;
	int rc;

	if (!p)
		return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
				"compatibility mask 0x%x must equal exactly one platform's mask",
				c->mask);
	for (size_t i = 0; i < s->nvps; i++)
		if (s->vps[i].mask == c->mask &&
		    s->vps[i].vp_index == c->vp_index)
			return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
					"second context for vp %u on platform mask 0x%x",
					c->vp_index, c->mask);
	if (c->file_offset == 0)
		return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
				"file_offset 0: a VP context needs data");
	v = &s->vps[s->nvps];
	v->mask = c->mask;
	v->vp_index = c->vp_index;
	v->vbs_vtl = -1;

	switch (p->platform_type) {
	case IGVM_PLATFORM_NATIVE:
	case IGVM_PLATFORM_SEV:
		if (c->gpa)
			return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
					"gpa 0x%llx on %s, expected 0",
					(unsigned long long)c->gpa,
					igvm_platform_name(p->platform_type));
		rc = check_data(s, h, c->file_offset, IGVM_PAGE_SIZE,
				"context");
		if (rc)
			return rc;
		for (uint32_t i = IGVM_NATIVE_CONTEXT_SIZE; i < IGVM_PAGE_SIZE;
		     i++)
			if (s->buf[c->file_offset + i])
				return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
						"native context byte 0x%x beyond the structure is not zero",
						i);
		break;
	case IGVM_PLATFORM_VSM_ISOLATION:
		if (c->gpa)
			return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
					"gpa 0x%llx on VSM_ISOLATION, expected 0",
					(unsigned long long)c->gpa);
		rc = check_vbs_list(s, h, p, v);
		if (rc)
			return rc;
		break;
	case IGVM_PLATFORM_SEV_SNP:
	case IGVM_PLATFORM_SEV_ES:
		if (!page_aligned(c->gpa))
			return fail_hdr(s, IGVM_ERR_PAGE_ALIGN, h,
					"VMSA gpa 0x%llx not page aligned",
					(unsigned long long)c->gpa);
		rc = check_data(s, h, c->file_offset, IGVM_PAGE_SIZE,
				"context");
		if (rc)
			return rc;
		break;
	case IGVM_PLATFORM_CCA:
		rc = check_data(s, h, c->file_offset, IGVM_PAGE_SIZE,
				"context");
		if (rc)
			return rc;
		break;
	default:
		return fail_hdr(s, IGVM_ERR_VP_CONTEXT, h,
				"platform %s has no VP context format",
				igvm_platform_name(p->platform_type));
	}
	s->nvps++;
	return 0;
}

static int check_required_memory(struct state *s, const struct igvm_header *h)
{
	const struct igvm_required_memory *r = &h->u.req;

	if (!page_aligned(r->gpa) || !page_aligned(r->number_of_bytes))
		return fail_hdr(s, IGVM_ERR_PAGE_ALIGN, h,
				"gpa 0x%llx or number_of_bytes 0x%x not page aligned",
				(unsigned long long)r->gpa, r->number_of_bytes);
	if (r->reserved)
		return fail_hdr(s, IGVM_ERR_RESERVED, h, "reserved 0x%x",
				r->reserved);
	if (r->number_of_bytes > UINT64_MAX - r->gpa)
		return fail_hdr(s, IGVM_ERR_VALUE, h, "range wraps around");
	if (r->flags & IGVM_REQMEM_VTL2_PROTECTABLE) {
		for (uint32_t m = r->mask; m; m &= m - 1) {
			const struct igvm_platform *p =
				platform_of_bit(s, m & -m);

			if (p && p->highest_vtl != 2)
				return fail_hdr(s, IGVM_ERR_VALUE, h,
						"vtl2_protectable on platform mask 0x%x whose highest_vtl is %u",
						m & -m, p->highest_vtl);
		}
	}
	return 0;
}

static int check_header(struct state *s, const struct igvm_header *h)
{
	int rc;

	if (h->type == IGVM_VHT_SUPPORTED_PLATFORM)
		return check_platform(s, h);
	rc = check_mask(s, h);
	if (rc)
		return rc;
	switch (h->type) {
	case IGVM_VHT_GUEST_POLICY:
		if (h->u.policy.reserved)
			return fail_hdr(s, IGVM_ERR_RESERVED, h,
					"reserved 0x%x", h->u.policy.reserved);
		return 0;
	case IGVM_VHT_RELOCATABLE_REGION:
		return check_reloc(s, h);
	case IGVM_VHT_PAGE_TABLE_RELOCATION:
		return check_pt_reloc(s, h);
	case IGVM_VHT_CCA_POLICY:
		return check_cca_policy(s, h);
	case IGVM_VHT_PARAMETER_AREA:
		return check_area(s, h);
	case IGVM_VHT_PAGE_DATA:
		return check_page(s, h);
	case IGVM_VHT_PARAMETER_INSERT:
		return check_insert(s, h);
	case IGVM_VHT_VP_CONTEXT:
		return check_vp_context(s, h);
	case IGVM_VHT_REQUIRED_MEMORY:
		return check_required_memory(s, h);
	case IGVM_VHT_ERROR_RANGE:
		if (!page_aligned(h->u.error_range.gpa) ||
		    !page_aligned(h->u.error_range.size))
			return fail_hdr(s, IGVM_ERR_PAGE_ALIGN, h,
					"gpa 0x%llx or size 0x%x not page aligned",
					(unsigned long long)h->u.error_range.gpa,
					h->u.error_range.size);
		return 0;
	default:	/* SNP_ID_BLOCK, VBS_MEASUREMENT: the mask only */
		return igvm_type_is_param(h->type) ? check_param(s, h) : 0;
	}
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->gpa != y->gpa)
		return x->gpa < y->gpa ? -1 : 1;
	return x->hdr < y->hdr ? -1 : x->hdr > y->hdr;
}

/* no two imports (pages, inserted areas) of one platform share a page */
static int check_overlaps(struct state *s)
{
	qsort(s->ranges, s->nranges, sizeof(*s->ranges), cmp_range);
	for (uint32_t m = s->f->platform_masks; m; m &= m - 1) {
		uint32_t bit = m & -m;
		const struct range *prev = NULL;

		for (size_t i = 0; i < s->nranges; i++) {
			const struct range *r = &s->ranges[i];

			if (!(r->mask & bit) || r->gpa == r->end)
				continue;
			if (prev && r->gpa < prev->end) {
				const struct range *late =
					prev->hdr > r->hdr ? prev : r;
				const struct range *early =
					late == r ? prev : r;

				return fail_hdr(s, IGVM_ERR_OVERLAP,
						&s->f->headers[late->hdr],
						"gpa 0x%llx overlaps header %u (%s) for platform mask 0x%x",
						(unsigned long long)late->gpa,
						early->hdr,
						igvm_type_name(s->f->headers[early->hdr].type),
						bit);
			}
			if (!prev || r->end > prev->end)
				prev = r;
		}
	}
	return 0;
}

/* relocation needs a VBS context for vp 0 at the same VTL (§2.4) */
static int check_reloc_contexts(struct state *s)
{
	for (size_t i = 0; i < s->f->nheaders; i++) {
		const struct igvm_header *h = &s->f->headers[i];
		unsigned int vtl;
		bool found = false;

		if (h->type == IGVM_VHT_RELOCATABLE_REGION)
			vtl = h->u.reloc.vtl;
		else if (h->type == IGVM_VHT_PAGE_TABLE_RELOCATION)
			vtl = h->u.pt_reloc.vtl;
		else
			continue;
		for (size_t k = 0; k < s->nvps && !found; k++)
			found = s->vps[k].vp_index == 0 &&
				(s->vps[k].mask & h->mask) &&
				s->vps[k].vbs_vtl == (int)vtl;
		if (!found)
			return fail_hdr(s, IGVM_ERR_RELOCATION, h,
					"no VBS VP context for vp 0 at VTL %u",
					vtl);
	}
	return 0;
}

static int check_fixed(struct state *s)
{
	struct igvm_file *f = s->f;
	const uint8_t *b = s->buf;
	uint64_t end;

	if (s->len < IGVM_FIXED_V1_SIZE)
		return fail_file(s, IGVM_ERR_TRUNCATED,
				 "fixed header: file is %zu bytes, shorter than the 24-byte fixed header",
				 s->len);
	if (igvm_le32(b) != IGVM_MAGIC)
		return fail_file(s, IGVM_ERR_MAGIC,
				 "fixed header: magic 0x%08x, expected 0x%08x",
				 igvm_le32(b), IGVM_MAGIC);
	f->version = igvm_le32(b + 4);
	if (f->version != 1 && f->version != 2)
		return fail_file(s, IGVM_ERR_VERSION,
				 "fixed header: format_version %u, expected 1 or 2",
				 f->version);
	f->fixed_size = f->version == 1 ? IGVM_FIXED_V1_SIZE :
					  IGVM_FIXED_V2_SIZE;
	if (s->len < f->fixed_size)
		return fail_file(s, IGVM_ERR_TRUNCATED,
				 "fixed header: file is %zu bytes, shorter than the %u-byte v2 fixed header",
				 s->len, f->fixed_size);
	f->variable_header_offset = igvm_le32(b + 8);
	f->variable_header_size = igvm_le32(b + 12);
	f->total_file_size = igvm_le32(b + 16);
	f->checksum = igvm_le32(b + 20);
	f->architecture = IGVM_ARCH_X64;
	f->page_size = IGVM_PAGE_SIZE;
	if (f->version == 2) {
		f->architecture = igvm_le32(b + 24);
		f->page_size = igvm_le32(b + 28);
		if (f->architecture > IGVM_ARCH_AARCH64)
			return fail_file(s, IGVM_ERR_FIXED,
					 "fixed header: architecture %u unknown",
					 f->architecture);
		if (f->page_size != IGVM_PAGE_SIZE)
			return fail_file(s, IGVM_ERR_FIXED,
					 "fixed header: page_size 0x%x, expected 0x1000",
					 f->page_size);
	}
	if (f->total_file_size != s->len)
		return fail_file(s, IGVM_ERR_FILE_SIZE,
				 "fixed header: total_file_size 0x%x but the file is 0x%zx bytes",
				 f->total_file_size, s->len);
	if (f->variable_header_offset < f->fixed_size)
		return fail_file(s, IGVM_ERR_SECTION,
				 "fixed header: variable_header_offset 0x%x inside the %u-byte fixed header",
				 f->variable_header_offset, f->fixed_size);
	if (f->variable_header_offset % 8)
		return fail_file(s, IGVM_ERR_ALIGN,
				 "fixed header: variable_header_offset 0x%x not 8-byte aligned",
				 f->variable_header_offset);
	if (f->variable_header_size % 8)
		return fail_file(s, IGVM_ERR_ALIGN,
				 "fixed header: variable_header_size 0x%x not a multiple of 8",
				 f->variable_header_size);
	if (f->variable_header_size == 0)
		return fail_file(s, IGVM_ERR_SECTION,
				 "fixed header: variable_header_size is 0");
	end = (uint64_t)f->variable_header_offset + f->variable_header_size;
	if (end >= s->len)
		return fail_file(s, IGVM_ERR_SECTION,
				 "fixed header: variable headers 0x%x + 0x%x leave no file data in a 0x%zx-byte file",
				 f->variable_header_offset,
				 f->variable_header_size, s->len);
	f->data_start = (uint32_t)end;
	return 0;
}

/* counts the TLV entries, checking each lies inside the section */
static int count_headers(struct state *s, size_t *count)
{
	uint64_t off = s->f->variable_header_offset;
	uint64_t end = s->f->data_start;
	size_t n = 0;

	while (off < end) {
		uint64_t len, next;

		if (end - off < 8)
			return fail_file(s, IGVM_ERR_HEADER_BOUNDS,
					 "header %zu at offset 0x%llx: partial header at the end of the section",
					 n, (unsigned long long)off);
		len = igvm_le32(s->buf + off + 4);
		next = off + 8 + ((len + 7) & ~7ull);
		if (next > end)
			return fail_file(s, IGVM_ERR_HEADER_BOUNDS,
					 "header %zu (%s) at offset 0x%llx: length %llu runs past the header section end 0x%llx",
					 n, igvm_type_name(igvm_le32(s->buf + off)),
					 (unsigned long long)off,
					 (unsigned long long)len,
					 (unsigned long long)end);
		off = next;
		n++;
	}
	*count = n;
	return 0;
}

static int parse(struct state *s, unsigned int flags)
{
	struct igvm_file *f = s->f;
	enum igvm_section cur = IGVM_SECTION_NONE;
	uint32_t off;
	size_t n = 0;
	int rc;

	rc = check_fixed(s);
	if (rc)
		return rc;
	if (!(flags & IGVM_PARSE_NO_CHECKSUM)) {
		uint32_t crc;

		igvm_compute_checksum(s->buf, s->len, &crc);
		if (crc != f->checksum)
			return fail_file(s, IGVM_ERR_CHECKSUM,
					 "fixed header: checksum 0x%08x, computed 0x%08x",
					 f->checksum, crc);
	}
	rc = count_headers(s, &n);
	if (rc)
		return rc;
	f->headers = calloc(n, sizeof(*f->headers));
	s->areas = calloc(n, sizeof(*s->areas));
	s->ranges = calloc(n, sizeof(*s->ranges));
	s->vps = calloc(n, sizeof(*s->vps));
	if (n && (!f->headers || !s->areas || !s->ranges || !s->vps))
		return fail_file(s, IGVM_ERR_NOMEM, "out of memory");
	f->nheaders = n;

	off = f->variable_header_offset;
	for (size_t i = 0; i < n; i++) {
		struct igvm_header *h = &f->headers[i];
		enum igvm_section sec;
		uint32_t want;

		h->index = (uint32_t)i;
		h->offset = off;
		h->type = igvm_le32(s->buf + off);
		h->length = igvm_le32(s->buf + off + 4);
		h->body = s->buf + off + 8;
		off += 8 + ((h->length + 7) & ~7u);

		sec = igvm_type_section(h->type);
		if (sec == IGVM_SECTION_NONE)
			return fail_hdr(s, IGVM_ERR_TYPE, h,
					"type 0x%x outside every section",
					h->type);
		want = igvm_type_body_size(h->type);
		if (want == 0)
			return fail_hdr(s, IGVM_ERR_TYPE, h,
					"type 0x%x unknown or unsupported",
					h->type);
		if (h->length != want)
			return fail_hdr(s, IGVM_ERR_LENGTH, h,
					"length %u, expected %u", h->length,
					want);
		if (sec < cur)
			return fail_hdr(s, IGVM_ERR_ORDER, h,
					"%s header after %s headers",
					sec == IGVM_SECTION_PLATFORM ?
					"platform" : "initialization",
					cur == IGVM_SECTION_INIT ?
					"initialization" : "directive");
		if (sec != IGVM_SECTION_PLATFORM && !f->platform_masks)
			return fail_hdr(s, IGVM_ERR_PLATFORM, h,
					"no SUPPORTED_PLATFORM header before it");
		if (sec == IGVM_SECTION_DIRECTIVE &&
		    cur != IGVM_SECTION_DIRECTIVE) {
			rc = check_reloc_set(s, i);
			if (rc)
				return rc;
		}
		cur = sec;
		igvm_decode_body(h);
		rc = check_header(s, h);
		if (rc)
			return rc;
	}
	if (cur != IGVM_SECTION_DIRECTIVE) {
		rc = check_reloc_set(s, n);
		if (rc)
			return rc;
	}
	rc = check_reloc_contexts(s);
	if (rc)
		return rc;
	return check_overlaps(s);
}

int igvm_parse(const uint8_t *buf, size_t len, unsigned int flags,
	       struct igvm_file *f, struct igvm_error *err)
{
	struct igvm_error dummy;
	struct state s = {
		.buf = buf,
		.len = len,
		.f = f,
		.err = err ? err : &dummy,
	};
	int rc;

	memset(f, 0, sizeof(*f));
	memset(s.err, 0, sizeof(*s.err));
	s.err->header = -1;
	f->data = buf;
	f->size = len;
	if (!buf && len)
		return fail_file(&s, IGVM_ERR_TRUNCATED, "no buffer");
	rc = parse(&s, flags);
	free(s.areas);
	free(s.ranges);
	free(s.vps);
	if (rc)
		igvm_file_free(f);
	return rc;
}

void igvm_file_free(struct igvm_file *f)
{
	free(f->headers);
	f->headers = NULL;
	f->nheaders = 0;
}

uint32_t igvm_vbs_count(const struct igvm_file *f, const struct igvm_header *h)
{
	return igvm_le32(f->data + h->u.vp.file_offset);
}

void igvm_vbs_get(const struct igvm_file *f, const struct igvm_header *h,
		  uint32_t i, struct igvm_vbs_reg *r)
{
	const uint8_t *p = f->data + h->u.vp.file_offset +
			   IGVM_VBS_HEADER_SIZE + (size_t)i * IGVM_VBS_REG_SIZE;

	r->vtl = p[0];
	r->name = igvm_le32(p + 1);
	memcpy(r->value, p + 16, sizeof(r->value));
}
