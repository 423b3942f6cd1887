// SPDX-License-Identifier: GPL-2.0
/* Readable listing of a parsed (hence valid) IGVM file. */
#include <inttypes.h>

#include "igvm.h"

static const char *page_type_name(uint16_t t)
{
	static const char *const names[] = {
		"NORMAL", "SECRETS", "CPUID_DATA", "CPUID_XF",
	};

	return t <= IGVM_PAGE_TYPE_MAX ? names[t] : "?";
}

static void dump_vbs(FILE *out, const struct igvm_file *f,
		     const struct igvm_header *h)
{
	uint32_t n = igvm_vbs_count(f, h);

	fprintf(out, "        VBS register list: %" PRIu32 " registers, 0x%" PRIx32
		" bytes\n", n, IGVM_VBS_HEADER_SIZE + n * IGVM_VBS_REG_SIZE);
	for (uint32_t i = 0; i < n; i++) {
		struct igvm_vbs_reg r;
		const uint8_t *v = r.value;

		igvm_vbs_get(f, h, i, &r);
		fprintf(out, "        vtl %u %-8s ", r.vtl,
			igvm_reg_name(r.name));
		switch (igvm_reg_kind(r.name)) {
		case IGVM_REG_SEGMENT:
			fprintf(out, "sel 0x%x base 0x%" PRIx64 " limit 0x%"
				PRIx32 " attr 0x%x\n", igvm_le16(v + 12),
				igvm_le64(v), igvm_le32(v + 8),
				igvm_le16(v + 14));
			break;
		case IGVM_REG_TABLE:
			fprintf(out, "base 0x%" PRIx64 " limit 0x%x\n",
				igvm_le64(v + 8), igvm_le16(v + 6));
			break;
		default:
			fprintf(out, "0x%" PRIx64 "\n", igvm_le64(v));
			break;
		}
	}
}

static void dump_header(FILE *out, const struct igvm_file *f,
			const struct igvm_header *h)
{
	fprintf(out, "[%4" PRIu32 "] 0x%06" PRIx32 " %-22s len %-3" PRIu32 " ",
		h->index, h->offset, igvm_type_name(h->type), h->length);
	switch (h->type) {
	case IGVM_VHT_SUPPORTED_PLATFORM:
		fprintf(out, "mask 0x%" PRIx32 " type %s highest_vtl %u version %u shared_gpa_boundary 0x%" PRIx64 "\n",
			h->u.platform.mask,
			igvm_platform_name(h->u.platform.platform_type),
			h->u.platform.highest_vtl,
			h->u.platform.platform_version,
			h->u.platform.shared_gpa_boundary);
		break;
	case IGVM_VHT_GUEST_POLICY:
		fprintf(out, "mask 0x%" PRIx32 " policy 0x%" PRIx64 "\n",
			h->mask, h->u.policy.policy);
		break;
	case IGVM_VHT_RELOCATABLE_REGION:
		fprintf(out, "mask 0x%" PRIx32 " vp %u vtl %u flags 0x%x gpa 0x%" PRIx64
			" size 0x%" PRIx64 " align 0x%" PRIx64 " min 0x%" PRIx64
			" max 0x%" PRIx64 "\n", h->mask, h->u.reloc.vp_index,
			h->u.reloc.vtl, h->u.reloc.flags, h->u.reloc.gpa,
			h->u.reloc.size, h->u.reloc.alignment,
			h->u.reloc.minimum_gpa, h->u.reloc.maximum_gpa);
		break;
	case IGVM_VHT_PAGE_TABLE_RELOCATION:
		fprintf(out, "mask 0x%" PRIx32 " vp %u vtl %u gpa 0x%" PRIx64
			" size 0x%" PRIx64 " used 0x%" PRIx64 "\n", h->mask,
			h->u.pt_reloc.vp_index, h->u.pt_reloc.vtl,
			h->u.pt_reloc.gpa, h->u.pt_reloc.size,
			h->u.pt_reloc.used_size);
		break;
	case IGVM_VHT_PARAMETER_AREA:
		fprintf(out, "area %" PRIu32 " bytes 0x%" PRIx64 " file_offset 0x%"
			PRIx32 "%s\n", h->u.area.index,
			h->u.area.number_of_bytes, h->u.area.file_offset,
			h->u.area.file_offset ? "" : " (zero-filled)");
		break;
	case IGVM_VHT_PAGE_DATA:
		fprintf(out, "gpa 0x%" PRIx64 " mask 0x%" PRIx32 " file_offset 0x%"
			PRIx32 "%s flags 0x%" PRIx32 "%s%s type %s\n",
			h->u.page.gpa, h->mask, h->u.page.file_offset,
			h->u.page.file_offset ? "" : " (zero page)",
			h->u.page.flags,
			h->u.page.flags & IGVM_PAGE_FLAG_UNMEASURED ?
			" unmeasured" : "",
			h->u.page.flags & IGVM_PAGE_FLAG_SHARED ? " shared" : "",
			page_type_name(h->u.page.data_type));
		break;
	case IGVM_VHT_PARAMETER_INSERT:
		fprintf(out, "gpa 0x%" PRIx64 " mask 0x%" PRIx32 " area %" PRIu32 "\n",
			h->u.insert.gpa, h->mask, h->u.insert.index);
		break;
	case IGVM_VHT_VP_CONTEXT: {
		const struct igvm_header *p = igvm_platform_by_mask(f, h->mask);

		fprintf(out, "gpa 0x%" PRIx64 " mask 0x%" PRIx32 " file_offset 0x%"
			PRIx32 " vp %u\n", h->u.vp.gpa, h->mask,
			h->u.vp.file_offset, h->u.vp.vp_index);
		if (p && p->u.platform.platform_type ==
		    IGVM_PLATFORM_VSM_ISOLATION)
			dump_vbs(out, f, h);
		else
			fprintf(out, "        4096-byte %s context\n",
				p ? igvm_platform_name(p->u.platform.platform_type) : "?");
		break;
	}
	case IGVM_VHT_REQUIRED_MEMORY:
		fprintf(out, "gpa 0x%" PRIx64 " mask 0x%" PRIx32 " bytes 0x%" PRIx32
			" flags 0x%" PRIx32 "%s\n", h->u.req.gpa, h->mask,
			h->u.req.number_of_bytes, h->u.req.flags,
			h->u.req.flags & IGVM_REQMEM_VTL2_PROTECTABLE ?
			" vtl2_protectable" : "");
		break;
	case IGVM_VHT_ERROR_RANGE:
		fprintf(out, "gpa 0x%" PRIx64 " mask 0x%" PRIx32 " size 0x%" PRIx32 "\n",
			h->u.error_range.gpa, h->mask, h->u.error_range.size);
		break;
	case IGVM_VHT_CCA_POLICY:
	case IGVM_VHT_SNP_ID_BLOCK:
	case IGVM_VHT_VBS_MEASUREMENT:
		fprintf(out, "mask 0x%" PRIx32 "\n", h->mask);
		break;
	default:
		fprintf(out, "area %" PRIu32 " byte_offset 0x%" PRIx32 "\n",
			h->u.param.index, h->u.param.byte_offset);
		break;
	}
}

void igvm_dump(FILE *out, const struct igvm_file *f)
{
	fprintf(out, "fixed header: magic 0x%08" PRIx32 " version %" PRIu32
		" variable headers 0x%" PRIx32 "+0x%" PRIx32 " total_file_size 0x%"
		PRIx32 " checksum 0x%08" PRIx32 "\n", (uint32_t)IGVM_MAGIC,
		f->version, f->variable_header_offset,
		f->variable_header_size, f->total_file_size, f->checksum);
	if (f->version == 2)
		fprintf(out, "              architecture %" PRIu32 " page_size 0x%"
			PRIx32 "\n", f->architecture, f->page_size);
	fprintf(out, "file data: 0x%" PRIx32 "..0x%zx (0x%zx bytes); %zu headers\n",
		f->data_start, f->size, f->size - f->data_start, f->nheaders);
	fprintf(out, "[   #] offset   type                   len body\n");
	for (size_t i = 0; i < f->nheaders; i++)
		dump_header(out, f, &f->headers[i]);
}
