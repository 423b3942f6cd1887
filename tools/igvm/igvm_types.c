// SPDX-License-Identifier: GPL-2.0
/*
 * IGVM header types: names, sections, exact body sizes, the body
 * encodings (field by field, little endian), register names and CRC-32.
 */
#include <string.h>

#include "igvm.h"

struct type_info {
	uint32_t type;
	const char *name;
	uint32_t size;		/* exact body size */
	bool supported;		/* false: known but rejected */
};

static const struct type_info types[] = {
	{ IGVM_VHT_SUPPORTED_PLATFORM, "SUPPORTED_PLATFORM", 16, true },
	{ IGVM_VHT_GUEST_POLICY, "GUEST_POLICY", 16, true },
	{ IGVM_VHT_RELOCATABLE_REGION, "RELOCATABLE_REGION", 48, true },
	{ IGVM_VHT_PAGE_TABLE_RELOCATION, "PAGE_TABLE_RELOCATION_REGION", 32,
	  true },
	/* only with the igvm crate's corim feature; default loaders reject */
	{ IGVM_VHT_CORIM_DOCUMENT, "CORIM_DOCUMENT", 16, false },
	{ IGVM_VHT_CORIM_SIGNATURE, "CORIM_SIGNATURE", 16, false },
	{ IGVM_VHT_CCA_POLICY, "CCA_POLICY", 32, true },
	{ IGVM_VHT_PARAMETER_AREA, "PARAMETER_AREA", 16, true },
	{ IGVM_VHT_PAGE_DATA, "PAGE_DATA", 24, true },
	{ IGVM_VHT_PARAMETER_INSERT, "PARAMETER_INSERT", 16, true },
	{ IGVM_VHT_VP_CONTEXT, "VP_CONTEXT", 20, true },
	{ IGVM_VHT_REQUIRED_MEMORY, "REQUIRED_MEMORY", 24, true },
	{ IGVM_VHT_RESERVED_306, "RESERVED_306", 0, false },
	{ IGVM_VHT_VP_COUNT_PARAMETER, "VP_COUNT_PARAMETER", 8, true },
	{ IGVM_VHT_SRAT, "SRAT", 8, true },
	{ IGVM_VHT_MADT, "MADT", 8, true },
	{ IGVM_VHT_MMIO_RANGES, "MMIO_RANGES", 8, true },
	{ IGVM_VHT_SNP_ID_BLOCK, "SNP_ID_BLOCK", 696, true },
	{ IGVM_VHT_MEMORY_MAP, "MEMORY_MAP", 8, true },
	{ IGVM_VHT_ERROR_RANGE, "ERROR_RANGE", 16, true },
	{ IGVM_VHT_COMMAND_LINE, "COMMAND_LINE", 8, true },
	{ IGVM_VHT_SLIT, "SLIT", 8, true },
	{ IGVM_VHT_PPTT, "PPTT", 8, true },
	{ IGVM_VHT_VBS_MEASUREMENT, "VBS_MEASUREMENT", 864, true },
	{ IGVM_VHT_DEVICE_TREE, "DEVICE_TREE", 8, true },
	{ IGVM_VHT_ENVIRONMENT_INFO, "ENVIRONMENT_INFO_PARAMETER", 8, true },
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

/* the parameter headers: an area index and a byte offset, no mask */
bool igvm_type_is_param(uint32_t type)
{
	switch (type) {
	case IGVM_VHT_VP_COUNT_PARAMETER:
	case IGVM_VHT_SRAT:
	case IGVM_VHT_MADT:
	case IGVM_VHT_MMIO_RANGES:
	case IGVM_VHT_MEMORY_MAP:
	case IGVM_VHT_COMMAND_LINE:
	case IGVM_VHT_SLIT:
	case IGVM_VHT_PPTT:
	case IGVM_VHT_DEVICE_TREE:
	case IGVM_VHT_ENVIRONMENT_INFO:
		return true;
	default:
		return false;
	}
}

void igvm_decode_body(struct igvm_header *h)
{
	const uint8_t *b = h->body;

	memset(&h->u, 0, sizeof(h->u));
	h->has_mask = true;
	if (igvm_type_is_param(h->type)) {
		h->u.param.index = igvm_le32(b);
		h->u.param.byte_offset = igvm_le32(b + 4);
		h->has_mask = false;
		return;
	}
	switch (h->type) {
	case IGVM_VHT_SUPPORTED_PLATFORM:
		h->u.platform.mask = igvm_le32(b);
		h->u.platform.highest_vtl = b[4];
		h->u.platform.platform_type = b[5];
		h->u.platform.platform_version = igvm_le16(b + 6);
		h->u.platform.shared_gpa_boundary = igvm_le64(b + 8);
		h->mask = h->u.platform.mask;
		break;
	case IGVM_VHT_GUEST_POLICY:
		h->u.policy.policy = igvm_le64(b);
		h->u.policy.mask = igvm_le32(b + 8);
		h->u.policy.reserved = igvm_le32(b + 12);
		h->mask = h->u.policy.mask;
		break;
	case IGVM_VHT_RELOCATABLE_REGION:
		h->u.reloc.mask = igvm_le32(b);
		h->u.reloc.vp_index = igvm_le16(b + 4);
		h->u.reloc.vtl = b[6];
		h->u.reloc.flags = b[7];
		h->u.reloc.alignment = igvm_le64(b + 8);
		h->u.reloc.gpa = igvm_le64(b + 16);
		h->u.reloc.size = igvm_le64(b + 24);
		h->u.reloc.minimum_gpa = igvm_le64(b + 32);
		h->u.reloc.maximum_gpa = igvm_le64(b + 40);
		h->mask = h->u.reloc.mask;
		break;
	case IGVM_VHT_PAGE_TABLE_RELOCATION:
		h->u.pt_reloc.mask = igvm_le32(b);
		h->u.pt_reloc.vp_index = igvm_le16(b + 4);
		h->u.pt_reloc.vtl = b[6];
		h->u.pt_reloc.reserved = b[7];
		h->u.pt_reloc.gpa = igvm_le64(b + 8);
		h->u.pt_reloc.size = igvm_le64(b + 16);
		h->u.pt_reloc.used_size = igvm_le64(b + 24);
		h->mask = h->u.pt_reloc.mask;
		break;
	case IGVM_VHT_PARAMETER_AREA:
		h->u.area.number_of_bytes = igvm_le64(b);
		h->u.area.index = igvm_le32(b + 8);
		h->u.area.file_offset = igvm_le32(b + 12);
		h->has_mask = false;
		break;
	case IGVM_VHT_PAGE_DATA:
		h->u.page.gpa = igvm_le64(b);
		h->u.page.mask = igvm_le32(b + 8);
		h->u.page.file_offset = igvm_le32(b + 12);
		h->u.page.flags = igvm_le32(b + 16);
		h->u.page.data_type = igvm_le16(b + 20);
		h->u.page.reserved = igvm_le16(b + 22);
		h->mask = h->u.page.mask;
		break;
	case IGVM_VHT_PARAMETER_INSERT:
		h->u.insert.gpa = igvm_le64(b);
		h->u.insert.mask = igvm_le32(b + 8);
		h->u.insert.index = igvm_le32(b + 12);
		h->mask = h->u.insert.mask;
		break;
	case IGVM_VHT_VP_CONTEXT:
		h->u.vp.gpa = igvm_le64(b);
		h->u.vp.mask = igvm_le32(b + 8);
		h->u.vp.file_offset = igvm_le32(b + 12);
		h->u.vp.vp_index = igvm_le16(b + 16);
		h->u.vp.reserved = igvm_le16(b + 18);
		h->mask = h->u.vp.mask;
		break;
	case IGVM_VHT_REQUIRED_MEMORY:
		h->u.req.gpa = igvm_le64(b);
		h->u.req.mask = igvm_le32(b + 8);
		h->u.req.number_of_bytes = igvm_le32(b + 12);
		h->u.req.flags = igvm_le32(b + 16);
		h->u.req.reserved = igvm_le32(b + 20);
		h->mask = h->u.req.mask;
		break;
	case IGVM_VHT_ERROR_RANGE:
		h->u.error_range.gpa = igvm_le64(b);
		h->u.error_range.mask = igvm_le32(b + 8);
		h->u.error_range.size = igvm_le32(b + 12);
		h->mask = h->u.error_range.mask;
		break;
	case IGVM_VHT_CCA_POLICY:
	case IGVM_VHT_SNP_ID_BLOCK:
	case IGVM_VHT_VBS_MEASUREMENT:
		/* mask first; the rest is kept raw in h->body */
		h->mask = igvm_le32(b);
		break;
	default:
		h->has_mask = false;
		break;
	}
}
