// SPDX-License-Identifier: GPL-2.0
/*
 * The host VMM's job for an IGVM file, read generically from its headers
 * (the image layout header is the shim's contract, not the loader's):
 *
 * - Platform: the VSM_ISOLATION platform header; its compatibility mask
 *   selects the headers that apply.  Other platforms' headers are skipped.
 * - Checks before anything is written: every REQUIRED_MEMORY range lies
 *   in RAM, clear of the loader's memory; every import (PAGE_DATA,
 *   inserted parameter area) lies in RAM below 4 GiB and outside the
 *   loader's own memory; every header type that applies is one the
 *   loader implements.  If the IGVM module itself
 *   overlaps an import or a REQUIRED_MEMORY range, it is moved to free
 *   RAM and parsed again.
 * - The VTL split: VTL2 is the REQUIRED_MEMORY range (several must join
 *   into one).  VTL0 is the largest page-aligned piece of RAM that is
 *   left after removing VTL2 from every RAM range (the lowest such piece
 *   on a tie); it must be at least 16 MiB.
 * - Directives in file order: PARAMETER_AREA (a buffer, zeroed or with
 *   the file's initial content); VP_COUNT_PARAMETER (u32), MEMORY_MAP
 *   (24-byte IGVM entries for RAM, the VTL2 range typed VTL2_PROTECTABLE
 *   when its REQUIRED_MEMORY says so, sorted), COMMAND_LINE (the host
 *   line, NUL-terminated), DEVICE_TREE (hostdt.c), ENVIRONMENT_INFO (u32
 *   0: memory is not shared), MADT/SRAT/SLIT/PPTT (the host's ACPI table);
 *   each must fit its area and not overlap another parameter in it;
 *   PARAMETER_INSERT copies the area to its GPA; PAGE_DATA places 4 KiB
 *   of data or zeroes.  GUEST_POLICY has no meaning for VSM and the
 *   relocation headers are honoured by loading at the file's own
 *   addresses.  Anything else that applies is rejected.
 * - The VP context (VBS register list, boot CPU only) is checked against
 *   what was placed (segment registers against the image's GDT, the
 *   loader's trampoline identity-mapped by the image's page tables) and
 *   loaded; then the loader jumps.
 */
#include <string.h>

#include "loader.h"
#include "rt.h"

#define VTL0_MIN		(16ull << 20)
#define MEMMAP_MEMORY		0u
#define MEMMAP_VTL2_PROTECTABLE	3u

#define CR0_PE			0x1ull
#define CR0_PG			0x80000000ull
#define CR4_PAE			0x20ull
#define CR4_LA57		0x1000ull
#define MSR_EFER		0xc0000080u
#define MSR_PAT			0x277u
#define EFER_LME		0x100ull
#define EFER_LMA		0x400ull
#define EFER_NXE		0x800ull
#define SEG_ATTR_L		0x2000u

/* a target range and the header that writes it */
struct target {
	struct lrange r;
	uint32_t hdr;
};

struct area {
	uint32_t index;
	uint64_t bytes;
	uint8_t *buf;
	bool inserted;
};

/* what one parameter header wrote into an area */
struct written {
	uint32_t area, hdr;
	uint64_t off, len;
};

struct acpi_copy {
	char sig[5];
	const void *data;
	uint32_t len;
};

static struct igvm_file file;
static struct igvm_error perr;
static uint32_t mask;			/* the VSM platform's bit */
static struct target *targets;		/* sorted by base, merged */
static size_t ntargets;
static const struct igvm_header *vp_hdr;
static struct area *areas;
static size_t nareas;
static struct written *writes;
static size_t nwrites;
static struct acpi_copy acpi_copies[4];
static bool has_dt;
static struct enter_ctx ctx;

static const char *hname(const struct igvm_header *h)
{
	return igvm_type_name(h->type);
}

static bool applies(const struct igvm_header *h)
{
	return !h->has_mask || (h->mask & mask);
}

static void *alloc(size_t n, const char *what)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		fail("out of loader memory for %s (0x%zx bytes)", what, n);
	return p;
}

static void parse(struct machine *m)
{
	const uint8_t *buf = (const uint8_t *)(uintptr_t)m->module.base;

	if (igvm_parse(buf, m->module.end - m->module.base, 0, &file, &perr))
		fail("%s", perr.msg);
}

static void pick_platform(void)
{
	for (size_t i = 0; i < file.nheaders; i++) {
		const struct igvm_header *h = &file.headers[i];

		if (h->type == IGVM_VHT_SUPPORTED_PLATFORM &&
		    h->u.platform.platform_type == IGVM_PLATFORM_VSM_ISOLATION) {
			mask = h->u.platform.mask;
			return;
		}
	}
	fail("the image has no VSM_ISOLATION platform header (the loader starts VBS images only)");
}

static struct area *find_area(uint32_t index)
{
	for (size_t i = 0; i < nareas; i++)
		if (areas[i].index == index)
			return &areas[i];
	return NULL;
}

static int cmp_target(const void *a, const void *b)
{
	const struct target *x = a, *y = b;

	if (x->r.base != y->r.base)
		return x->r.base < y->r.base ? -1 : 1;
	return 0;
}

static const void *acpi_copy_of(const struct machine *m, const char *sig,
				uint32_t *len)
{
	size_t i;

	for (i = 0; i < 4 && acpi_copies[i].sig[0]; i++) {
		if (!memcmp(acpi_copies[i].sig, sig, 4)) {
			*len = acpi_copies[i].len;
			return acpi_copies[i].data;
		}
	}
	if (i == 4)
		return NULL;
	{
		uint32_t n;
		const void *t = acpi_find_table(m, sig, &n);
		void *copy;

		if (!t)
			return NULL;
		copy = alloc(n, "an ACPI table copy");
		memcpy(copy, t, n);
		memcpy(acpi_copies[i].sig, sig, 4);
		acpi_copies[i].data = copy;
		acpi_copies[i].len = n;
		*len = n;
		return copy;
	}
}

static const char *acpi_sig(uint32_t type)
{
	switch (type) {
	case IGVM_VHT_MADT:
		return "APIC";
	case IGVM_VHT_SRAT:
		return "SRAT";
	case IGVM_VHT_SLIT:
		return "SLIT";
	case IGVM_VHT_PPTT:
		return "PPTT";
	default:
		return NULL;
	}
}

static void unsupported(const struct igvm_header *h, const char *why)
{
	fail("header %u (%s) at offset 0x%x: %s", h->index, hname(h),
	     h->offset, why);
}

/*
 * Everything that can be checked before a byte is written: header types,
 * the VTL2 range, where the imports go.  Fills targets[] (sorted, merged).
 */
static void prepass(struct machine *m)
{
	struct lrange req[8];
	size_t nreq = 0;
	struct target *t;
	size_t n = 0;

	targets = alloc(file.nheaders * sizeof(*targets), "the import list");
	areas = alloc(file.nheaders * sizeof(*areas), "the area list");
	nareas = 0;
	vp_hdr = NULL;
	has_dt = false;
	for (size_t i = 0; i < file.nheaders; i++) {
		const struct igvm_header *h = &file.headers[i];
		struct area *a;
		uint32_t len;

		if (h->type == IGVM_VHT_PARAMETER_AREA) {
			a = &areas[nareas++];
			a->index = h->u.area.index;
			a->bytes = h->u.area.number_of_bytes;
			continue;
		}
		if (h->type == IGVM_VHT_SUPPORTED_PLATFORM || !applies(h))
			continue;
		switch (h->type) {
		case IGVM_VHT_GUEST_POLICY:
		case IGVM_VHT_RELOCATABLE_REGION:
		case IGVM_VHT_PAGE_TABLE_RELOCATION:
		case IGVM_VHT_VP_COUNT_PARAMETER:
		case IGVM_VHT_MEMORY_MAP:
		case IGVM_VHT_COMMAND_LINE:
		case IGVM_VHT_ENVIRONMENT_INFO:
			break;
		case IGVM_VHT_DEVICE_TREE:
			has_dt = true;
			break;
		case IGVM_VHT_MADT:
		case IGVM_VHT_SRAT:
		case IGVM_VHT_SLIT:
		case IGVM_VHT_PPTT:
			if (!acpi_copy_of(m, acpi_sig(h->type), &len))
				unsupported(h, "the host has no such ACPI table");
			break;
		case IGVM_VHT_PAGE_DATA:
			if (h->u.page.data_type)
				unsupported(h, "only NORMAL page data is supported on VSM_ISOLATION");
			t = &targets[n++];
			t->r.base = h->u.page.gpa;
			t->r.end = h->u.page.gpa + IGVM_PAGE_SIZE;
			t->hdr = h->index;
			break;
		case IGVM_VHT_PARAMETER_INSERT:
			a = find_area(h->u.insert.index);
			if (!a)	/* the parser makes this impossible */
				unsupported(h, "insert of an undeclared area");
			t = &targets[n++];
			t->r.base = h->u.insert.gpa;
			t->r.end = h->u.insert.gpa + a->bytes;
			t->hdr = h->index;
			if (t->r.end < t->r.base)
				unsupported(h, "the area wraps around");
			break;
		case IGVM_VHT_REQUIRED_MEMORY: {
			struct lrange r = {
				h->u.req.gpa,
				h->u.req.gpa + h->u.req.number_of_bytes
			};

			if (!in_ram(m, &r))
				fail("header %u (REQUIRED_MEMORY): [0x%llx, 0x%llx) is not inside RAM",
				     h->index, (unsigned long long)r.base,
				     (unsigned long long)r.end);
			if (lrange_overlap(&r, &m->loader))
				fail("header %u (REQUIRED_MEMORY): [0x%llx, 0x%llx) overlaps the loader's memory [0x%llx, 0x%llx)",
				     h->index, (unsigned long long)r.base,
				     (unsigned long long)r.end,
				     (unsigned long long)m->loader.base,
				     (unsigned long long)m->loader.end);
			if (nreq == sizeof(req) / sizeof(req[0]))
				unsupported(h, "more than 8 REQUIRED_MEMORY ranges");
			if (h->u.req.flags & IGVM_REQMEM_VTL2_PROTECTABLE)
				m->vtl2_protectable = true;
			req[nreq++] = r;
			break;
		}
		case IGVM_VHT_VP_CONTEXT:
			if (h->u.vp.vp_index != 0)
				unsupported(h, "only the boot CPU's context (vp_index 0) is supported");
			vp_hdr = h;
			break;
		default:
			unsupported(h, "not supported by hcl-loader");
		}
	}
	if (!vp_hdr)
		fail("the image has no VP context for the VSM_ISOLATION platform");
	if (m->fault && !has_dt)
		fail("hcl.loader.fault=%s, but the image has no DEVICE_TREE parameter",
		     m->fault);

	/* VTL2: the REQUIRED_MEMORY ranges, which must join into one */
	if (!nreq)
		fail("the image has no REQUIRED_MEMORY: the VTL2 range is unknown");
	m->vtl2 = req[0];
	for (size_t pass = 0; pass < nreq; pass++) {
		for (size_t i = 1; i < nreq; i++) {
			if (req[i].base <= m->vtl2.end &&
			    req[i].end >= m->vtl2.base) {
				if (req[i].base < m->vtl2.base)
					m->vtl2.base = req[i].base;
				if (req[i].end > m->vtl2.end)
					m->vtl2.end = req[i].end;
			}
		}
	}
	for (size_t i = 0; i < nreq; i++)
		if (req[i].base < m->vtl2.base || req[i].end > m->vtl2.end)
			fail("REQUIRED_MEMORY [0x%llx, 0x%llx) and [0x%llx, 0x%llx) do not join into one VTL2 range",
			     (unsigned long long)req[0].base,
			     (unsigned long long)req[0].end,
			     (unsigned long long)req[i].base,
			     (unsigned long long)req[i].end);

	/* imports: in RAM, mapped, clear of the loader */
	for (size_t i = 0; i < n; i++) {
		const struct lrange *r = &targets[i].r;
		const struct igvm_header *h = &file.headers[targets[i].hdr];

		if (!in_ram(m, r))
			fail("header %u (%s): [0x%llx, 0x%llx) is not inside RAM",
			     h->index, hname(h), (unsigned long long)r->base,
			     (unsigned long long)r->end);
		if (r->end > LOADER_MAPPED_END)
			fail("header %u (%s): [0x%llx, 0x%llx) is above 4 GiB, which the loader does not map",
			     h->index, hname(h), (unsigned long long)r->base,
			     (unsigned long long)r->end);
		if (lrange_overlap(r, &m->loader))
			fail("header %u (%s): [0x%llx, 0x%llx) overlaps the loader's memory [0x%llx, 0x%llx)",
			     h->index, hname(h), (unsigned long long)r->base,
			     (unsigned long long)r->end,
			     (unsigned long long)m->loader.base,
			     (unsigned long long)m->loader.end);
	}
	/* the module keeps out of the whole VTL2 range, not only imports */
	for (size_t i = 0; i < nreq; i++) {
		targets[n].r = req[i];
		targets[n++].hdr = 0;
	}
	qsort(targets, n, sizeof(*targets), cmp_target);
	ntargets = 0;
	for (size_t i = 0; i < n; i++) {
		if (ntargets && targets[i].r.base <= targets[ntargets - 1].r.end) {
			if (targets[i].r.end > targets[ntargets - 1].r.end)
				targets[ntargets - 1].r.end = targets[i].r.end;
		} else {
			targets[ntargets++] = targets[i];
		}
	}
}

static bool hits_target(const struct lrange *r)
{
	for (size_t i = 0; i < ntargets; i++)
		if (lrange_overlap(r, &targets[i].r))
			return true;
	return false;
}

/*
 * The module is in the way of an import: move it to the lowest free RAM
 * at or above 1 MiB, below 4 GiB, clear of the loader and every import.
 */
static void move_module(struct machine *m)
{
	uint64_t size = m->module.end - m->module.base;

	for (uint32_t i = 0; i < m->nram; i++) {
		uint64_t at = m->ram[i].base < 0x100000 ? 0x100000 :
			      m->ram[i].base;

		while (at + size <= m->ram[i].end &&
		       at + size <= LOADER_MAPPED_END) {
			struct lrange r = { at, at + size };
			uint64_t next = 0;

			if (lrange_overlap(&r, &m->loader))
				next = m->loader.end;
			for (size_t j = 0; !next && j < ntargets; j++)
				if (lrange_overlap(&r, &targets[j].r))
					next = targets[j].r.end;
			if (!next) {
				memmove((void *)(uintptr_t)at,
					(const void *)(uintptr_t)m->module.base,
					size);
				m->module = r;
				return;
			}
			at = align_up(next, LOADER_PAGE);
		}
	}
	fail("the IGVM module [0x%llx, 0x%llx) overlaps the image's memory and there is no free RAM to move it to",
	     (unsigned long long)m->module.base,
	     (unsigned long long)m->module.end);
}

/* VTL0: the largest RAM piece outside VTL2 (see the top of this file) */
static void pick_vtl0(struct machine *m)
{
	struct lrange best = { 0, 0 };

	for (uint32_t i = 0; i < m->nram; i++) {
		struct lrange piece[2] = { m->ram[i], m->ram[i] };

		if (lrange_overlap(&m->ram[i], &m->vtl2)) {
			piece[0].end = m->vtl2.base;
			piece[1].base = m->vtl2.end;
		} else {
			piece[1].end = piece[1].base;
		}
		for (int j = 0; j < 2; j++) {
			struct lrange p = {
				align_up(piece[j].base, LOADER_PAGE),
				align_down(piece[j].end, LOADER_PAGE),
			};

			if (p.end > p.base &&
			    p.end - p.base > best.end - best.base)
				best = p;
		}
	}
	if (best.end - best.base < VTL0_MIN)
		fail("no RAM range of at least 16 MiB outside VTL2 [0x%llx, 0x%llx) for VTL0 (largest: 0x%llx bytes)",
		     (unsigned long long)m->vtl2.base,
		     (unsigned long long)m->vtl2.end,
		     (unsigned long long)(best.end - best.base));
	m->vtl0 = best;
}

/* ---- parameters */

static uint8_t *param_dest(const struct igvm_header *h, uint64_t len)
{
	struct area *a = find_area(h->u.param.index);
	uint64_t off = h->u.param.byte_offset;

	if (!a || !a->buf || a->inserted)
		unsupported(h, "its parameter area is not open");
	if (off > a->bytes || len > a->bytes - off)
		fail("header %u (%s): 0x%llx bytes at offset 0x%llx do not fit the 0x%llx-byte parameter area %u",
		     h->index, hname(h), (unsigned long long)len,
		     (unsigned long long)off, (unsigned long long)a->bytes,
		     a->index);
	for (size_t i = 0; i < nwrites; i++) {
		const struct written *w = &writes[i];

		if (w->area == a->index && len && w->len &&
		    off < w->off + w->len && w->off < off + len)
			fail("header %u (%s): bytes [0x%llx, 0x%llx) of parameter area %u overlap header %u's",
			     h->index, hname(h), (unsigned long long)off,
			     (unsigned long long)(off + len), a->index,
			     w->hdr);
	}
	return a->buf + off;
}

static void param_written(const struct igvm_header *h, uint64_t len)
{
	struct written *w = &writes[nwrites++];

	w->area = h->u.param.index;
	w->hdr = h->index;
	w->off = h->u.param.byte_offset;
	w->len = len;
}

static size_t memmap_entries(const struct machine *m, uint8_t *out)
{
	size_t n = 0;

	for (uint32_t i = 0; i < m->nram; i++) {
		struct lrange piece[3] = { m->ram[i], { 0, 0 }, { 0, 0 } };
		uint32_t type[3] = { MEMMAP_MEMORY, MEMMAP_MEMORY,
				     MEMMAP_MEMORY };

		if (lrange_overlap(&m->ram[i], &m->vtl2)) {
			piece[0].end = m->vtl2.base > m->ram[i].base ?
				       m->vtl2.base : m->ram[i].base;
			piece[1].base = piece[0].end;
			piece[1].end = m->vtl2.end < m->ram[i].end ?
				       m->vtl2.end : m->ram[i].end;
			piece[2].base = piece[1].end;
			piece[2].end = m->ram[i].end;
			if (m->vtl2_protectable)
				type[1] = MEMMAP_VTL2_PROTECTABLE;
		}
		for (int j = 0; j < 3; j++) {
			uint8_t *e;

			if (piece[j].end <= piece[j].base)
				continue;
			if (out) {
				e = out + n * IGVM_MEMMAP_ENTRY_SIZE;
				memset(e, 0, IGVM_MEMMAP_ENTRY_SIZE);
				igvm_put64(e, piece[j].base >> 12);
				igvm_put64(e + 8,
					   (piece[j].end - piece[j].base) >> 12);
				igvm_put16(e + 16, (uint16_t)type[j]);
			}
			n++;
		}
	}
	return n;
}

static void do_param(struct machine *m, const struct igvm_header *h)
{
	uint8_t *d;
	uint64_t len;
	uint32_t alen;
	const void *t;

	switch (h->type) {
	case IGVM_VHT_VP_COUNT_PARAMETER:
	case IGVM_VHT_ENVIRONMENT_INFO:
		d = param_dest(h, 4);
		igvm_put32(d, h->type == IGVM_VHT_VP_COUNT_PARAMETER ?
			      m->ncpus : 0);
		param_written(h, 4);
		break;
	case IGVM_VHT_MEMORY_MAP:
		len = (uint64_t)memmap_entries(m, NULL) *
		      IGVM_MEMMAP_ENTRY_SIZE;
		d = param_dest(h, len);
		memmap_entries(m, d);
		param_written(h, len);
		break;
	case IGVM_VHT_COMMAND_LINE:
		len = strlen(m->cmdline) + 1;
		d = param_dest(h, len);
		memcpy(d, m->cmdline, len);
		param_written(h, len);
		break;
	case IGVM_VHT_DEVICE_TREE: {
		struct area *a = find_area(h->u.param.index);

		d = param_dest(h, 0);
		len = hostdt_build(m, d, a->bytes - h->u.param.byte_offset);
		param_dest(h, len);
		param_written(h, len);
		break;
	}
	default:	/* MADT, SRAT, SLIT, PPTT: checked in the prepass */
		t = acpi_copy_of(m, acpi_sig(h->type), &alen);
		d = param_dest(h, alen);
		memcpy(d, t, alen);
		param_written(h, alen);
		break;
	}
}

static void directives(struct machine *m)
{
	const uint8_t *buf = file.data;

	writes = alloc(file.nheaders * sizeof(*writes), "the parameter list");
	nwrites = 0;
	for (size_t i = 0; i < file.nheaders; i++) {
		const struct igvm_header *h = &file.headers[i];
		struct area *a;

		/* MMIO_RANGES never gets here: the first pass rejects it */
		if (igvm_type_is_param(h->type)) {
			do_param(m, h);
			continue;
		}
		switch (h->type) {
		case IGVM_VHT_PARAMETER_AREA:
			a = find_area(h->u.area.index);
			if (a->bytes > SIZE_MAX)
				unsupported(h, "the area is too large");
			a->buf = alloc((size_t)a->bytes, "a parameter area");
			if (h->u.area.file_offset)
				memcpy(a->buf, buf + h->u.area.file_offset,
				       (size_t)a->bytes);
			break;
		case IGVM_VHT_PARAMETER_INSERT:
			if (!applies(h))
				break;
			a = find_area(h->u.insert.index);
			memcpy((void *)(uintptr_t)h->u.insert.gpa, a->buf,
			       (size_t)a->bytes);
			a->inserted = true;
			break;
		case IGVM_VHT_PAGE_DATA:
			if (!applies(h))
				break;
			if (h->u.page.file_offset)
				memcpy((void *)(uintptr_t)h->u.page.gpa,
				       buf + h->u.page.file_offset,
				       IGVM_PAGE_SIZE);
			else
				memset((void *)(uintptr_t)h->u.page.gpa, 0,
				       IGVM_PAGE_SIZE);
			break;
		default:
			break;
		}
	}
}

/* ---- the VP context */

struct seg {
	bool set;
	uint64_t base;
	uint32_t limit;
	uint16_t sel, attr;
};

static uint64_t le64v(const uint8_t *v)
{
	return igvm_le64(v);
}

static void get_seg(const struct igvm_vbs_reg *r, struct seg *s)
{
	s->set = true;
	s->base = le64v(r->value);
	s->limit = igvm_le32(r->value + 8);
	s->sel = igvm_le16(r->value + 12);
	s->attr = igvm_le16(r->value + 14);
}

static uint32_t mtrr_msr(uint32_t name)
{
	if (name == HV_X64_REG_MTRR_DEF_TYPE)
		return 0x2ff;
	if (name >= HV_X64_REG_MTRR_PHYS_BASE0 &&
	    name <= HV_X64_REG_MTRR_PHYS_BASE0 + 4)
		return 0x200 + 2 * (name - HV_X64_REG_MTRR_PHYS_BASE0);
	if (name >= HV_X64_REG_MTRR_PHYS_MASK0 &&
	    name <= HV_X64_REG_MTRR_PHYS_MASK0 + 4)
		return 0x201 + 2 * (name - HV_X64_REG_MTRR_PHYS_MASK0);
	switch (name) {
	case HV_X64_REG_MTRR_FIX64K_00000:
		return 0x250;
	case HV_X64_REG_MTRR_FIX16K_80000:
		return 0x258;
	case HV_X64_REG_MTRR_FIX4K_E0000:
		return 0x26c;
	case HV_X64_REG_MTRR_FIX4K_E8000:
		return 0x26d;
	case HV_X64_REG_MTRR_FIX4K_F0000:
		return 0x26e;
	case HV_X64_REG_MTRR_FIX4K_F8000:
		return 0x26f;
	default:
		return 0;
	}
}

/* a guest-physical range the loader may read, or a failure naming @what */
static const uint8_t *guest(const struct machine *m, uint64_t pa,
			    uint64_t len, const char *what)
{
	struct lrange r = { pa, pa + len };

	if (r.end < r.base || r.end > LOADER_MAPPED_END || !in_ram(m, &r))
		fail("VP context: %s at 0x%llx is not in RAM below 4 GiB",
		     what, (unsigned long long)pa);
	return (const uint8_t *)(uintptr_t)pa;
}

/* the segment register @s must match its descriptor in the image's GDT */
static void check_seg(const struct machine *m, const char *name,
		      const struct seg *s, bool check_base)
{
	uint64_t d, base;
	uint32_t limit;
	uint16_t attr;

	if (s->sel & 4)
		fail("VP context: %s selector 0x%x is in an LDT", name,
		     s->sel);
	if ((uint64_t)(s->sel | 7) > ctx.gdtr_limit)
		fail("VP context: %s selector 0x%x is beyond the GDT limit 0x%llx",
		     name, s->sel, (unsigned long long)ctx.gdtr_limit);
	d = igvm_le64(guest(m, ctx.gdtr_base + (s->sel & ~7u), 8, "the GDT"));
	base = ((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24;
	limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
	if (d & (1ull << 55))
		limit = limit << 12 | 0xfff;
	attr = (uint16_t)(((d >> 40) & 0xff) | ((d >> 52) & 0xf) << 12);
	if (((attr ^ s->attr) & ~1u) || limit != s->limit ||
	    (check_base && base != s->base))
		fail("VP context: %s (selector 0x%x, base 0x%llx, limit 0x%x, attributes 0x%x) does not match its GDT descriptor 0x%016llx",
		     name, s->sel, (unsigned long long)s->base, s->limit,
		     s->attr, (unsigned long long)d);
}

/* the physical address @va maps to in the image's page tables, or ~0 */
static uint64_t walk(const struct machine *m, uint64_t cr3, uint64_t va)
{
	uint64_t table = cr3 & 0x000ffffffffff000ull;

	for (int level = 3; level >= 0; level--) {
		unsigned int shift = 12 + 9 * level;
		uint64_t e = igvm_le64(guest(m, table + ((va >> shift) & 511) * 8,
					     8, "a page table"));

		if ((e & 3) != 3 || (e >> 63))	/* present, writable, !NX */
			return ~0ull;
		if (level == 0 || ((e & 0x80) && level <= 2)) {
			uint64_t mask_lo = (1ull << shift) - 1;

			return ((e & 0x000ffffffffff000ull) & ~mask_lo) |
			       (va & mask_lo);
		}
		table = e & 0x000ffffffffff000ull;
	}
	return ~0ull;
}

static void enter(const struct machine *m)
{
	struct seg cs = { 0 }, ss = { 0 }, ds = { 0 }, es = { 0 },
		   fs = { 0 }, gs = { 0 }, tr = { 0 };
	bool have_rip = false, have_gdtr = false, have_idtr = false;
	bool have_cr0 = false, have_cr3 = false, have_cr4 = false;
	bool have_efer = false, have_pat = false;
	uint64_t cr0 = 0, cr4 = 0, efer = 0, pat = 0, cur;
	uint32_t mtrr_name[32];
	uint64_t mtrr_val[32];
	uint32_t nmtrr = 0, n, eax, ebx, ecx, edx;
	struct igvm_vbs_reg r;

	memset(&ctx, 0, sizeof(ctx));
	ctx.rflags = 0x2;
	n = igvm_vbs_count(&file, vp_hdr);
	for (uint32_t i = 0; i < n; i++) {
		uint64_t v;

		igvm_vbs_get(&file, vp_hdr, i, &r);
		v = le64v(r.value);
		switch (r.name) {
		case HV_X64_REG_RSP: ctx.rsp = v; break;
		case HV_X64_REG_RBP: ctx.rbp = v; break;
		case HV_X64_REG_RSI: ctx.rsi = v; break;
		case HV_X64_REG_R8: ctx.r8 = v; break;
		case HV_X64_REG_R9: ctx.r9 = v; break;
		case HV_X64_REG_R10: ctx.r10 = v; break;
		case HV_X64_REG_R11: ctx.r11 = v; break;
		case HV_X64_REG_R12: ctx.r12 = v; break;
		case HV_X64_REG_RIP: ctx.rip = v; have_rip = true; break;
		case HV_X64_REG_RFLAGS: ctx.rflags = v; break;
		case HV_X64_REG_CR0: cr0 = v; have_cr0 = true; break;
		case HV_X64_REG_CR3: ctx.cr3 = v; have_cr3 = true; break;
		case HV_X64_REG_CR4: cr4 = v; have_cr4 = true; break;
		case HV_X64_REG_EFER: efer = v; have_efer = true; break;
		case HV_X64_REG_PAT: pat = v; have_pat = true; break;
		case HV_X64_REG_CS: get_seg(&r, &cs); break;
		case HV_X64_REG_SS: get_seg(&r, &ss); break;
		case HV_X64_REG_DS: get_seg(&r, &ds); break;
		case HV_X64_REG_ES: get_seg(&r, &es); break;
		case HV_X64_REG_FS: get_seg(&r, &fs); break;
		case HV_X64_REG_GS: get_seg(&r, &gs); break;
		case HV_X64_REG_TR: get_seg(&r, &tr); break;
		case HV_X64_REG_GDTR:
			ctx.gdtr_limit = igvm_le16(r.value + 6);
			ctx.gdtr_base = igvm_le64(r.value + 8);
			have_gdtr = true;
			break;
		case HV_X64_REG_IDTR:
			ctx.idtr_limit = igvm_le16(r.value + 6);
			ctx.idtr_base = igvm_le64(r.value + 8);
			have_idtr = true;
			break;
		default:
			if (!mtrr_msr(r.name) || nmtrr == 32)
				fail("VP context: register %s (0x%x) is not supported by hcl-loader",
				     igvm_reg_name(r.name), r.name);
			mtrr_name[nmtrr] = r.name;
			mtrr_val[nmtrr++] = v;
			break;
		}
	}
	if (!have_rip || !have_cr0 || !have_cr3 || !have_cr4 || !have_efer ||
	    !have_gdtr || !cs.set)
		fail("VP context: RIP, CR0, CR3, CR4, EFER, GDTR and CS are required (a long-mode start)");
	if ((cr0 & (CR0_PG | CR0_PE)) != (CR0_PG | CR0_PE) ||
	    !(cr4 & CR4_PAE) || (efer & (EFER_LME | EFER_LMA)) !=
	    (EFER_LME | EFER_LMA) || !(cs.attr & SEG_ATTR_L))
		fail("VP context: CR0 0x%llx CR4 0x%llx EFER 0x%llx CS attributes 0x%x is not 64-bit long mode, the only start the loader supports",
		     (unsigned long long)cr0, (unsigned long long)cr4,
		     (unsigned long long)efer, cs.attr);
	__asm__ volatile("mov %%cr4, %0" : "=r"(cur));
	if ((cr4 ^ cur) & CR4_LA57)
		fail("VP context: CR4.LA57 cannot change in long mode");
	if (efer & EFER_NXE) {
		cpuid(0x80000001, 0, &eax, &ebx, &ecx, &edx);
		if (!(edx & (1u << 20)))
			fail("VP context: EFER.NXE set, but the CPU has no NX");
	}
	if (tr.set && tr.sel)
		fail("VP context: TR selector 0x%x: loading a TSS is not supported (only a null TR)",
		     tr.sel);
	if (cs.sel & 3 || ss.sel & 3)
		fail("VP context: CS 0x%x / SS 0x%x must have RPL 0", cs.sel,
		     ss.sel);
	check_seg(m, "CS", &cs, true);
	if (ss.sel)
		check_seg(m, "SS", &ss, true);
	if (ds.sel)
		check_seg(m, "DS", &ds, true);
	if (es.sel)
		check_seg(m, "ES", &es, true);
	if (fs.sel)
		check_seg(m, "FS", &fs, false);
	if (gs.sel)
		check_seg(m, "GS", &gs, false);
	ctx.cs = cs.sel;
	ctx.ss = ss.sel;
	ctx.ds = ds.sel;
	ctx.es = es.sel;
	ctx.fs = fs.sel;
	ctx.gs = gs.sel;
	ctx.fs_base = fs.base;
	ctx.gs_base = gs.base;
	if (!have_idtr) {
		/*
		 * Not in the context: keep the loader's IDT, which reports
		 * an early fault of the image, if its gates' selector 0x08
		 * is a present 64-bit code segment in the image's GDT too;
		 * otherwise an empty IDT.
		 */
		struct {
			uint16_t limit;
			uint64_t base;
		} __attribute__((packed)) idt;
		uint64_t d = 0;

		if (ctx.gdtr_limit >= 0xf)
			d = igvm_le64(guest(m, ctx.gdtr_base + 8, 8, "the GDT"));
		if ((d >> 47 & 1) && (d >> 44 & 1) && (d >> 43 & 1) &&
		    (d >> 53 & 1)) {
			__asm__ volatile("sidt %0" : "=m"(idt));
			ctx.idtr_limit = idt.limit;
			ctx.idtr_base = idt.base;
		}
	}
	/* the trampoline, its data and the loader's stack stay mapped */
	for (uint64_t va = m->loader.base;
	     va < (uint64_t)(uintptr_t)__loader_end; va += LOADER_PAGE)
		if (walk(m, ctx.cr3, va) != va)
			fail("VP context: the image's page tables (CR3 0x%llx) do not identity-map the loader at 0x%llx (writable, executable), which the switch needs",
			     (unsigned long long)ctx.cr3,
			     (unsigned long long)va);

	rt_printf("hcl-loader: starting shim at 0x%llx\n",
		  (unsigned long long)ctx.rip);

	/* MSRs and control registers, still on the loader's page tables */
	for (uint32_t i = 0; i < nmtrr; i++)
		wrmsr(mtrr_msr(mtrr_name[i]), mtrr_val[i]);
	if (have_pat)
		wrmsr(MSR_PAT, pat);
	cur = rdmsr(MSR_EFER);
	if ((cur ^ efer) & ~EFER_LMA)
		wrmsr(MSR_EFER, (efer & ~EFER_LMA) | (cur & EFER_LMA));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	loader_enter_image(&ctx);
}

void igvm_load(struct machine *m)
{
	parse(m);
	pick_platform();
	prepass(m);
	if (hits_target(&m->module)) {
		rt_printf("hcl-loader: moving the IGVM module out of the image's memory\n");
		move_module(m);
		igvm_file_free(&file);
		parse(m);
		pick_platform();
		prepass(m);
	}
	pick_vtl0(m);
	rt_printf("hcl-loader: IGVM %llu bytes, %zu headers; VTL2 [0x%llx,0x%llx) VTL0 [0x%llx,0x%llx); %u CPUs\n",
		  (unsigned long long)(m->module.end - m->module.base),
		  file.nheaders, (unsigned long long)m->vtl2.base,
		  (unsigned long long)m->vtl2.end,
		  (unsigned long long)m->vtl0.base,
		  (unsigned long long)m->vtl0.end, m->ncpus);
	directives(m);
	enter(m);
	fail("the image returned to the loader");
}
