// SPDX-License-Identifier: GPL-2.0
/*
 * IGVM header types: names, sections, exact body sizes, the body
 * encodings (field by field, little endian), register names and CRC-32.
 */
#include <string.h>

#include "igvm.h"

/*
 * A header body's fields: each one's offset on disk and member of struct
 * igvm_header (its size is the member's), where the compatibility mask
 * sits and where the writer patches the file offset.  One description
 * for both directions, igvm_decode_body() and igvm_encode_body().
 */
struct body_field {
	uint8_t off;		/* in the body */
	uint8_t size;		/* 1, 2, 4 or 8 bytes */
	uint16_t at;		/* offsetof(struct igvm_header, ...) */
};

struct body_layout {
	int8_t mask_off;	/* -1: no compatibility mask */
	int8_t file_offset;	/* -1: no file_offset field */
	uint8_t n;
	struct body_field f[9];
};

#define FIELD(o, m)							\
	{ (o), sizeof(((struct igvm_header *)0)->u.m),			\
	  offsetof(struct igvm_header, u.m) }

static const struct body_layout platform_body = { 0, -1, 5, {
	FIELD(0, platform.mask), FIELD(4, platform.highest_vtl),
	FIELD(5, platform.platform_type), FIELD(6, platform.platform_version),
	FIELD(8, platform.shared_gpa_boundary) } };
static const struct body_layout policy_body = { 8, -1, 3, {
	FIELD(0, policy.policy), FIELD(8, policy.mask),
	FIELD(12, policy.reserved) } };
static const struct body_layout reloc_body = { 0, -1, 9, {
	FIELD(0, reloc.mask), FIELD(4, reloc.vp_index), FIELD(6, reloc.vtl),
	FIELD(7, reloc.flags), FIELD(8, reloc.alignment), FIELD(16, reloc.gpa),
	FIELD(24, reloc.size), FIELD(32, reloc.minimum_gpa),
	FIELD(40, reloc.maximum_gpa) } };
static const struct body_layout pt_reloc_body = { 0, -1, 7, {
	FIELD(0, pt_reloc.mask), FIELD(4, pt_reloc.vp_index),
	FIELD(6, pt_reloc.vtl), FIELD(7, pt_reloc.reserved),
	FIELD(8, pt_reloc.gpa), FIELD(16, pt_reloc.size),
	FIELD(24, pt_reloc.used_size) } };
static const struct body_layout area_body = { -1, 12, 3, {
	FIELD(0, area.number_of_bytes), FIELD(8, area.index),
	FIELD(12, area.file_offset) } };
static const struct body_layout page_body = { 8, 12, 6, {
	FIELD(0, page.gpa), FIELD(8, page.mask), FIELD(12, page.file_offset),
	FIELD(16, page.flags), FIELD(20, page.data_type),
	FIELD(22, page.reserved) } };
static const struct body_layout insert_body = { 8, -1, 3, {
	FIELD(0, insert.gpa), FIELD(8, insert.mask),
	FIELD(12, insert.index) } };
static const struct body_layout vp_body = { 8, 12, 5, {
	FIELD(0, vp.gpa), FIELD(8, vp.mask), FIELD(12, vp.file_offset),
	FIELD(16, vp.vp_index), FIELD(18, vp.reserved) } };
static const struct body_layout req_body = { 8, -1, 5, {
	FIELD(0, req.gpa), FIELD(8, req.mask), FIELD(12, req.number_of_bytes),
	FIELD(16, req.flags), FIELD(20, req.reserved) } };
static const struct body_layout error_range_body = { 8, -1, 3, {
	FIELD(0, error_range.gpa), FIELD(8, error_range.mask),
	FIELD(12, error_range.size) } };
/* the parameter headers: an area index and a byte offset, no mask */
static const struct body_layout param_body = { -1, -1, 2, {
	FIELD(0, param.index), FIELD(4, param.byte_offset) } };
/* raw bodies: the mask first, the rest kept in h->body, no encoder */
static const struct body_layout raw_body = { 0, -1, 0, { { 0 } } };

#undef FIELD

struct type_info {
	uint32_t type;
	const char *name;
	uint32_t size;		/* exact body size */
	bool supported;		/* false: known but rejected */
	const struct body_layout *body;	/* NULL: not decoded */
};

static const struct type_info types[] = {
	{ IGVM_VHT_SUPPORTED_PLATFORM, "SUPPORTED_PLATFORM", 16, true,
	  &platform_body },
	{ IGVM_VHT_GUEST_POLICY, "GUEST_POLICY", 16, true, &policy_body },
	{ IGVM_VHT_RELOCATABLE_REGION, "RELOCATABLE_REGION", 48, true,
	  &reloc_body },
	{ IGVM_VHT_PAGE_TABLE_RELOCATION, "PAGE_TABLE_RELOCATION_REGION", 32,
	  true, &pt_reloc_body },
	/* only with the igvm crate's corim feature; default loaders reject */
	{ IGVM_VHT_CORIM_DOCUMENT, "CORIM_DOCUMENT", 16, false, NULL },
	{ IGVM_VHT_CORIM_SIGNATURE, "CORIM_SIGNATURE", 16, false, NULL },
	{ IGVM_VHT_CCA_POLICY, "CCA_POLICY", 32, true, &raw_body },
	{ IGVM_VHT_PARAMETER_AREA, "PARAMETER_AREA", 16, true, &area_body },
	{ IGVM_VHT_PAGE_DATA, "PAGE_DATA", 24, true, &page_body },
	{ IGVM_VHT_PARAMETER_INSERT, "PARAMETER_INSERT", 16, true,
	  &insert_body },
	{ IGVM_VHT_VP_CONTEXT, "VP_CONTEXT", 20, true, &vp_body },
	{ IGVM_VHT_REQUIRED_MEMORY, "REQUIRED_MEMORY", 24, true, &req_body },
	{ IGVM_VHT_RESERVED_306, "RESERVED_306", 0, false, NULL },
	{ IGVM_VHT_VP_COUNT_PARAMETER, "VP_COUNT_PARAMETER", 8, true,
	  &param_body },
	{ IGVM_VHT_SRAT, "SRAT", 8, true, &param_body },
	{ IGVM_VHT_MADT, "MADT", 8, true, &param_body },
	{ IGVM_VHT_MMIO_RANGES, "MMIO_RANGES", 8, true, &param_body },
	{ IGVM_VHT_SNP_ID_BLOCK, "SNP_ID_BLOCK", 696, true, &raw_body },
	{ IGVM_VHT_MEMORY_MAP, "MEMORY_MAP", 8, true, &param_body },
	{ IGVM_VHT_ERROR_RANGE, "ERROR_RANGE", 16, true, &error_range_body },
	{ IGVM_VHT_COMMAND_LINE, "COMMAND_LINE", 8, true, &param_body },
	{ IGVM_VHT_SLIT, "SLIT", 8, true, &param_body },
	{ IGVM_VHT_PPTT, "PPTT", 8, true, &param_body },
	{ IGVM_VHT_VBS_MEASUREMENT, "VBS_MEASUREMENT", 864, true, &raw_body },
	{ IGVM_VHT_DEVICE_TREE, "DEVICE_TREE", 8, true, &param_body },
	{ IGVM_VHT_ENVIRONMENT_INFO, "ENVIRONMENT_INFO_PARAMETER", 8, true,
	  &param_body },
};

static const struct type_info *type_info(uint32_t type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return &types[i];
	return NULL;
}

const char *igvm_type_name(uint32_t type)
{
	const struct type_info *t = type_info(type);

	return t ? t->name : "UNKNOWN";
}

uint32_t igvm_type_body_size(uint32_t type)
{
	const struct type_info *t = type_info(type);

	return t && t->supported ? t->size : 0;
}

enum igvm_section igvm_type_section(uint32_t type)
{
	if (type >= 0x001 && type <= 0x100)
		return IGVM_SECTION_PLATFORM;
	if (type >= 0x101 && type <= 0x200)
		return IGVM_SECTION_INIT;
	if (type >= 0x301 && type <= 0x400)
		return IGVM_SECTION_DIRECTIVE;
	return IGVM_SECTION_NONE;
}

const char *igvm_platform_name(uint32_t platform_type)
{
	static const char *const names[] = {
		"NATIVE", "VSM_ISOLATION", "SEV_SNP", "TDX", "SEV", "SEV_ES",
		"CCA",
	};

	return platform_type <= IGVM_PLATFORM_MAX ? names[platform_type] :
						    "UNKNOWN";
}

const char *igvm_err_name(int code)
{
	static const char *const names[IGVM_ERR_COUNT] = {
		[IGVM_OK] = "OK",
		[IGVM_ERR_TRUNCATED] = "TRUNCATED",
		[IGVM_ERR_MAGIC] = "MAGIC",
		[IGVM_ERR_VERSION] = "VERSION",
		[IGVM_ERR_FIXED] = "FIXED_HEADER",
		[IGVM_ERR_FILE_SIZE] = "FILE_SIZE",
		[IGVM_ERR_SECTION] = "SECTION",
		[IGVM_ERR_ALIGN] = "ALIGN",
		[IGVM_ERR_CHECKSUM] = "CHECKSUM",
		[IGVM_ERR_HEADER_BOUNDS] = "HEADER_BOUNDS",
		[IGVM_ERR_ORDER] = "ORDER",
		[IGVM_ERR_TYPE] = "TYPE",
		[IGVM_ERR_LENGTH] = "LENGTH",
		[IGVM_ERR_PLATFORM] = "PLATFORM",
		[IGVM_ERR_MASK] = "MASK",
		[IGVM_ERR_RESERVED] = "RESERVED",
		[IGVM_ERR_PAGE_ALIGN] = "PAGE_ALIGN",
		[IGVM_ERR_VALUE] = "VALUE",
		[IGVM_ERR_OVERLAP] = "OVERLAP",
		[IGVM_ERR_PARAM_INDEX] = "PARAM_INDEX",
		[IGVM_ERR_PARAM_OFFSET] = "PARAM_OFFSET",
		[IGVM_ERR_DATA_BOUNDS] = "DATA_BOUNDS",
		[IGVM_ERR_VP_CONTEXT] = "VP_CONTEXT",
		[IGVM_ERR_RELOCATION] = "RELOCATION",
		[IGVM_ERR_NOMEM] = "NOMEM",
	};

	return code >= 0 && code < IGVM_ERR_COUNT ? names[code] : "UNKNOWN";
}

/* ---- registers */

struct reg_info {
	uint32_t name;
	const char *str;
	enum igvm_reg_kind kind;
};

static const struct reg_info regs[] = {
	{ HV_X64_REG_RSP, "Rsp", IGVM_REG_INT },
	{ HV_X64_REG_RBP, "Rbp", IGVM_REG_INT },
	{ HV_X64_REG_RSI, "Rsi", IGVM_REG_INT },
	{ HV_X64_REG_R8, "R8", IGVM_REG_INT },
	{ HV_X64_REG_R9, "R9", IGVM_REG_INT },
	{ HV_X64_REG_R10, "R10", IGVM_REG_INT },
	{ HV_X64_REG_R11, "R11", IGVM_REG_INT },
	{ HV_X64_REG_R12, "R12", IGVM_REG_INT },
	{ HV_X64_REG_RIP, "Rip", IGVM_REG_INT },
	{ HV_X64_REG_RFLAGS, "Rflags", IGVM_REG_INT },
	{ HV_X64_REG_CR0, "Cr0", IGVM_REG_INT },
	{ HV_X64_REG_CR3, "Cr3", IGVM_REG_INT },
	{ HV_X64_REG_CR4, "Cr4", IGVM_REG_INT },
	{ HV_X64_REG_ES, "Es", IGVM_REG_SEGMENT },
	{ HV_X64_REG_CS, "Cs", IGVM_REG_SEGMENT },
	{ HV_X64_REG_SS, "Ss", IGVM_REG_SEGMENT },
	{ HV_X64_REG_DS, "Ds", IGVM_REG_SEGMENT },
	{ HV_X64_REG_FS, "Fs", IGVM_REG_SEGMENT },
	{ HV_X64_REG_GS, "Gs", IGVM_REG_SEGMENT },
	{ HV_X64_REG_TR, "Tr", IGVM_REG_SEGMENT },
	{ HV_X64_REG_IDTR, "Idtr", IGVM_REG_TABLE },
	{ HV_X64_REG_GDTR, "Gdtr", IGVM_REG_TABLE },
	{ HV_X64_REG_EFER, "Efer", IGVM_REG_INT },
	{ HV_X64_REG_PAT, "Pat", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_DEF_TYPE, "MsrMtrrDefType", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_PHYS_BASE0 + 0, "MsrMtrrPhysBase0", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_PHYS_BASE0 + 1, "MsrMtrrPhysBase1", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_PHYS_BASE0 + 2, "MsrMtrrPhysBase2", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_PHYS_BASE0 + 3, "MsrMtrrPhysBase3", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_PHYS_BASE0 + 4, "MsrMtrrPhysBase4", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_PHYS_MASK0 + 0, "MsrMtrrPhysMask0", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_PHYS_MASK0 + 1, "MsrMtrrPhysMask1", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_PHYS_MASK0 + 2, "MsrMtrrPhysMask2", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_PHYS_MASK0 + 3, "MsrMtrrPhysMask3", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_PHYS_MASK0 + 4, "MsrMtrrPhysMask4", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_FIX64K_00000, "MsrMtrrFix64k00000", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_FIX16K_80000, "MsrMtrrFix16k80000", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_FIX4K_E0000, "MsrMtrrFix4kE0000", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_FIX4K_E8000, "MsrMtrrFix4kE8000", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_FIX4K_F0000, "MsrMtrrFix4kF0000", IGVM_REG_INT },
	{ HV_X64_REG_MTRR_FIX4K_F8000, "MsrMtrrFix4kF8000", IGVM_REG_INT },
};

static const struct reg_info *reg_info(uint32_t name)
{
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (regs[i].name == name)
			return &regs[i];
	return NULL;
}

const char *igvm_reg_name(uint32_t name)
{
	const struct reg_info *r = reg_info(name);

	return r ? r->str : "UNKNOWN";
}

enum igvm_reg_kind igvm_reg_kind(uint32_t name)
{
	const struct reg_info *r = reg_info(name);

	return r ? r->kind : IGVM_REG_INT;
}

bool igvm_reg_supported_x64(uint32_t name)
{
	return reg_info(name) != NULL;
}

/* ---- CRC-32 (IEEE 802.3, reflected 0xEDB88320), table-less and small */

uint32_t igvm_crc32(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	static bool ready;
	const uint8_t *p = buf;

	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		ready = true;
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

int igvm_compute_checksum(const uint8_t *buf, size_t len, uint32_t *crc)
{
	uint8_t fixed[IGVM_FIXED_V2_SIZE];
	uint32_t fsize, off, size;

	if (len < IGVM_FIXED_V1_SIZE)
		return -1;
	fsize = igvm_le32(buf + 4) == 2 ? IGVM_FIXED_V2_SIZE :
					  IGVM_FIXED_V1_SIZE;
	if (len < fsize)
		return -1;
	off = igvm_le32(buf + 8);
	size = igvm_le32(buf + 12);
	if ((uint64_t)off + size > len)
		return -1;
	memcpy(fixed, buf, fsize);
	igvm_put32(fixed + 20, 0);
	*crc = igvm_crc32(igvm_crc32(0, fixed, fsize), buf + off, size);
	return 0;
}

/* ---- body decoding: h->type and h->body (of the exact size) are set */

static const struct body_layout *body_layout(uint32_t type)
{
	const struct type_info *t = type_info(type);

	return t ? t->body : NULL;
}

/* the parameter headers: an area index and a byte offset, no mask */
bool igvm_type_is_param(uint32_t type)
{
	return body_layout(type) == &param_body;
}

static uint64_t get_le(const uint8_t *b, unsigned int size)
{
	switch (size) {
	case 1:
		return b[0];
	case 2:
		return igvm_le16(b);
	case 4:
		return igvm_le32(b);
	default:
		return igvm_le64(b);
	}
}

void igvm_decode_body(struct igvm_header *h)
{
	const struct body_layout *l = body_layout(h->type);

	memset(&h->u, 0, sizeof(h->u));
	h->has_mask = l && l->mask_off >= 0;
	if (!l)
		return;
	for (unsigned int i = 0; i < l->n; i++) {
		const struct body_field *f = &l->f[i];
		uint64_t v = get_le(h->body + f->off, f->size);
		uint8_t *m = (uint8_t *)h + f->at;

		switch (f->size) {
		case 1:
			*m = (uint8_t)v;
			break;
		case 2:
			*(uint16_t *)m = (uint16_t)v;
			break;
		case 4:
			*(uint32_t *)m = (uint32_t)v;
			break;
		default:
			*(uint64_t *)m = v;
			break;
		}
	}
	if (h->has_mask)
		h->mask = igvm_le32(h->body + l->mask_off);
}

int igvm_encode_body(const struct igvm_header *h, uint8_t *b)
{
	const struct body_layout *l = body_layout(h->type);

	if (!l)
		return -1;
	for (unsigned int i = 0; i < l->n; i++) {
		const struct body_field *f = &l->f[i];
		const uint8_t *m = (const uint8_t *)h + f->at;

		switch (f->size) {
		case 1:
			b[f->off] = *m;
			break;
		case 2:
			igvm_put16(b + f->off, *(const uint16_t *)m);
			break;
		case 4:
			igvm_put32(b + f->off, *(const uint32_t *)m);
			break;
		default:
			igvm_put64(b + f->off, *(const uint64_t *)m);
			break;
		}
	}
	return l->file_offset;
}
