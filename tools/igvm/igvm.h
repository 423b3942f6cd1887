/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IGVM files: format constants, a strict parser/validator and a writer.
 *
 * The format is the public IGVM specification (microsoft/igvm): a fixed
 * header, TLV variable headers padded to 8 bytes, file data addressed by
 * absolute offsets, CRC-32 over the fixed and variable headers.  Bodies
 * are always read and written field by field in little endian; no packed
 * structs are laid over file bytes.
 *
 * Parsing never trusts the input: every offset and size is checked in
 * 64-bit arithmetic against the buffer before it is used, so any byte
 * string is either accepted or rejected with exactly one error.
 */
#ifndef HCL_IGVM_H
#define HCL_IGVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define IGVM_MAGIC		0x4D564749u	/* "IGVM" on disk */
#define IGVM_FIXED_V1_SIZE	24u
#define IGVM_FIXED_V2_SIZE	32u
#define IGVM_PAGE_SIZE		4096u
#define IGVM_ARCH_X64		0u
#define IGVM_ARCH_AARCH64	1u

/* variable header types */
enum {
	IGVM_VHT_SUPPORTED_PLATFORM	= 0x001,
	IGVM_VHT_GUEST_POLICY		= 0x101,
	IGVM_VHT_RELOCATABLE_REGION	= 0x102,
	IGVM_VHT_PAGE_TABLE_RELOCATION	= 0x103,
	IGVM_VHT_CORIM_DOCUMENT		= 0x104,
	IGVM_VHT_CORIM_SIGNATURE	= 0x105,
	IGVM_VHT_CCA_POLICY		= 0x106,
	IGVM_VHT_PARAMETER_AREA		= 0x301,
	IGVM_VHT_PAGE_DATA		= 0x302,
	IGVM_VHT_PARAMETER_INSERT	= 0x303,
	IGVM_VHT_VP_CONTEXT		= 0x304,
	IGVM_VHT_REQUIRED_MEMORY	= 0x305,
	IGVM_VHT_RESERVED_306		= 0x306,
	IGVM_VHT_VP_COUNT_PARAMETER	= 0x307,
	IGVM_VHT_SRAT			= 0x308,
	IGVM_VHT_MADT			= 0x309,
	IGVM_VHT_MMIO_RANGES		= 0x30A,
	IGVM_VHT_SNP_ID_BLOCK		= 0x30B,
	IGVM_VHT_MEMORY_MAP		= 0x30C,
	IGVM_VHT_ERROR_RANGE		= 0x30D,
	IGVM_VHT_COMMAND_LINE		= 0x30E,
	IGVM_VHT_SLIT			= 0x30F,
	IGVM_VHT_PPTT			= 0x310,
	IGVM_VHT_VBS_MEASUREMENT	= 0x311,
	IGVM_VHT_DEVICE_TREE		= 0x312,
	IGVM_VHT_ENVIRONMENT_INFO	= 0x313,
};

/* header sections, by type range */
enum igvm_section {
	IGVM_SECTION_NONE = 0,
	IGVM_SECTION_PLATFORM,	/* 0x001-0x100 */
	IGVM_SECTION_INIT,	/* 0x101-0x200 */
	IGVM_SECTION_DIRECTIVE,	/* 0x301-0x400 */
};

/* platform types */
enum {
	IGVM_PLATFORM_NATIVE		= 0,
	IGVM_PLATFORM_VSM_ISOLATION	= 1,
	IGVM_PLATFORM_SEV_SNP		= 2,
	IGVM_PLATFORM_TDX		= 3,
	IGVM_PLATFORM_SEV		= 4,
	IGVM_PLATFORM_SEV_ES		= 5,
	IGVM_PLATFORM_CCA		= 6,
	IGVM_PLATFORM_MAX		= 6,
};

#define IGVM_PAGE_FLAG_2MB		0x1u
#define IGVM_PAGE_FLAG_UNMEASURED	0x2u
#define IGVM_PAGE_FLAG_SHARED		0x4u
#define IGVM_PAGE_TYPE_MAX		3u	/* NORMAL, SECRETS, CPUID_DATA, CPUID_XF */
#define IGVM_REQMEM_VTL2_PROTECTABLE	0x1u
#define IGVM_RELOC_IS_VTL2		0x1u
#define IGVM_RELOC_APPLY_RIP		0x2u
#define IGVM_RELOC_APPLY_GDTR		0x4u

/* memory map entries the loader writes into a MEMORY_MAP parameter */
#define IGVM_MEMMAP_ENTRY_SIZE		24u

/* VBS (VSM_ISOLATION) VP context: u32 count, then count 32-byte records */
#define IGVM_VBS_HEADER_SIZE		4u
#define IGVM_VBS_REG_SIZE		32u
#define IGVM_NATIVE_CONTEXT_SIZE	232u

/* Hyper-V register names the igvm crate accepts in an x64 VBS context */
enum {
	HV_X64_REG_RSP		= 0x00020004,
	HV_X64_REG_RBP		= 0x00020005,
	HV_X64_REG_RSI		= 0x00020006,
	HV_X64_REG_R8		= 0x00020008,
	HV_X64_REG_R9		= 0x00020009,
	HV_X64_REG_R10		= 0x0002000A,
	HV_X64_REG_R11		= 0x0002000B,
	HV_X64_REG_R12		= 0x0002000C,
	HV_X64_REG_RIP		= 0x00020010,
	HV_X64_REG_RFLAGS	= 0x00020011,
	HV_X64_REG_CR0		= 0x00040000,
	HV_X64_REG_CR3		= 0x00040002,
	HV_X64_REG_CR4		= 0x00040003,
	HV_X64_REG_ES		= 0x00060000,
	HV_X64_REG_CS		= 0x00060001,
	HV_X64_REG_SS		= 0x00060002,
	HV_X64_REG_DS		= 0x00060003,
	HV_X64_REG_FS		= 0x00060004,
	HV_X64_REG_GS		= 0x00060005,
	HV_X64_REG_TR		= 0x00060007,
	HV_X64_REG_IDTR		= 0x00070000,
	HV_X64_REG_GDTR		= 0x00070001,
	HV_X64_REG_EFER		= 0x00080001,
	HV_X64_REG_PAT		= 0x00080004,
	HV_X64_REG_MTRR_DEF_TYPE = 0x0008000E,
	HV_X64_REG_MTRR_PHYS_BASE0 = 0x00080010,	/* ..4 */
	HV_X64_REG_MTRR_PHYS_MASK0 = 0x00080040,	/* ..4 */
	HV_X64_REG_MTRR_FIX64K_00000 = 0x00080070,
	HV_X64_REG_MTRR_FIX16K_80000 = 0x00080071,
	HV_X64_REG_MTRR_FIX4K_E0000 = 0x00080077,
	HV_X64_REG_MTRR_FIX4K_E8000 = 0x00080078,
	HV_X64_REG_MTRR_FIX4K_F0000 = 0x00080079,
	HV_X64_REG_MTRR_FIX4K_F8000 = 0x0008007A,
};

enum igvm_reg_kind { IGVM_REG_INT, IGVM_REG_SEGMENT, IGVM_REG_TABLE };

/* ---- decoded header bodies (natural C layout; not the on-disk layout) */

struct igvm_platform {
	uint32_t mask;
	uint8_t highest_vtl, platform_type;
	uint16_t platform_version;
	uint64_t shared_gpa_boundary;
};

struct igvm_guest_policy {
	uint64_t policy;
	uint32_t mask, reserved;
};

struct igvm_relocatable_region {
	uint32_t mask;
	uint16_t vp_index;
	uint8_t vtl, flags;
	uint64_t alignment, gpa, size, minimum_gpa, maximum_gpa;
};

struct igvm_page_table_relocation {
	uint32_t mask;
	uint16_t vp_index;
	uint8_t vtl, reserved;
	uint64_t gpa, size, used_size;
};

struct igvm_parameter_area {
	uint64_t number_of_bytes;
	uint32_t index, file_offset;
};

struct igvm_page_data {
	uint64_t gpa;
	uint32_t mask, file_offset, flags;
	uint16_t data_type, reserved;
};

struct igvm_parameter_insert {
	uint64_t gpa;
	uint32_t mask, index;
};

struct igvm_parameter {		/* VP_COUNT, MEMORY_MAP, COMMAND_LINE, ... */
	uint32_t index, byte_offset;
};

struct igvm_vp_context {
	uint64_t gpa;
	uint32_t mask, file_offset;
	uint16_t vp_index, reserved;
};

struct igvm_required_memory {
	uint64_t gpa;
	uint32_t mask, number_of_bytes, flags, reserved;
};

struct igvm_error_range {
	uint64_t gpa;
	uint32_t mask, size;
};

struct igvm_header {
	uint32_t type;
	uint32_t length;	/* body length as on disk */
	uint32_t offset;	/* file offset of the TLV entry */
	uint32_t index;		/* position in the variable header list */
	bool has_mask;
	uint32_t mask;		/* compatibility mask, when has_mask */
	const uint8_t *body;	/* points into the parsed buffer */
	union {
		struct igvm_platform platform;
		struct igvm_guest_policy policy;
		struct igvm_relocatable_region reloc;
		struct igvm_page_table_relocation pt_reloc;
		struct igvm_parameter_area area;
		struct igvm_page_data page;
		struct igvm_parameter_insert insert;
		struct igvm_parameter param;
		struct igvm_vp_context vp;
		struct igvm_required_memory req;
		struct igvm_error_range error_range;
	} u;
};

struct igvm_file {
	const uint8_t *data;	/* the caller's buffer, not copied */
	size_t size;
	uint32_t version, fixed_size;
	uint32_t variable_header_offset, variable_header_size;
	uint32_t total_file_size, checksum;
	uint32_t architecture, page_size;	/* v2; x64/4096 for v1 */
	uint32_t data_start;	/* first byte of the file data section */
	uint32_t platform_masks;	/* union of declared platform masks */
	size_t nheaders;
	struct igvm_header *headers;
};

/* ---- errors */

enum igvm_err {
	IGVM_OK = 0,
	IGVM_ERR_TRUNCATED = 1,	/* shorter than the fixed header */
	IGVM_ERR_MAGIC,
	IGVM_ERR_VERSION,
	IGVM_ERR_FIXED,		/* architecture, page size */
	IGVM_ERR_FILE_SIZE,	/* total_file_size != length */
	IGVM_ERR_SECTION,	/* header section/data section bounds */
	IGVM_ERR_ALIGN,		/* 8-byte alignment of the header section */
	IGVM_ERR_CHECKSUM,
	IGVM_ERR_HEADER_BOUNDS,	/* partial TLV entry, body past the section */
	IGVM_ERR_ORDER,		/* platform -> init -> directive */
	IGVM_ERR_TYPE,		/* unknown or unsupported header type */
	IGVM_ERR_LENGTH,	/* body length not the exact size of its type */
	IGVM_ERR_PLATFORM,	/* platform header rules */
	IGVM_ERR_MASK,		/* compatibility mask */
	IGVM_ERR_RESERVED,	/* reserved field not zero */
	IGVM_ERR_PAGE_ALIGN,	/* GPA or size not 4 KiB aligned */
	IGVM_ERR_VALUE,		/* a field with an invalid value */
	IGVM_ERR_OVERLAP,	/* two imports cover the same page */
	IGVM_ERR_PARAM_INDEX,	/* parameter area lifecycle */
	IGVM_ERR_PARAM_OFFSET,	/* parameter byte_offset outside its area */
	IGVM_ERR_DATA_BOUNDS,	/* file data outside the data section */
	IGVM_ERR_VP_CONTEXT,	/* VP context / register list */
	IGVM_ERR_RELOCATION,	/* relocation headers */
	IGVM_ERR_NOMEM,
	IGVM_ERR_COUNT
};

struct igvm_error {
	int code;		/* enum igvm_err */
	long header;		/* header index, or -1 */
	uint32_t offset;	/* file offset the error is about */
	char msg[256];		/* "igvm: header 7 (PAGE_DATA) at offset ...: ..." */
};

/* parse flags */
#define IGVM_PARSE_NO_CHECKSUM	0x1u	/* fuzzing only: skip the CRC check */

const char *igvm_err_name(int code);
const char *igvm_type_name(uint32_t type);
const char *igvm_platform_name(uint32_t platform_type);
const char *igvm_reg_name(uint32_t name);
enum igvm_reg_kind igvm_reg_kind(uint32_t name);
bool igvm_reg_supported_x64(uint32_t name);
enum igvm_section igvm_type_section(uint32_t type);
bool igvm_type_is_param(uint32_t type);
/* exact body size of a known, supported type; 0 for unknown */
uint32_t igvm_type_body_size(uint32_t type);

uint32_t igvm_crc32(uint32_t crc, const void *buf, size_t len);
/* CRC of a file as the fixed header's checksum field should hold it */
int igvm_compute_checksum(const uint8_t *buf, size_t len, uint32_t *crc);

/*
 * Parses and validates a whole file.  Returns 0 and fills *f (free it with
 * igvm_file_free) or returns a positive enum igvm_err with *err filled in.
 * buf must stay alive while *f is used.
 */
int igvm_parse(const uint8_t *buf, size_t len, unsigned int flags,
	       struct igvm_file *f, struct igvm_error *err);
void igvm_file_free(struct igvm_file *f);

/* decodes a body of a known type into h (type, length and body set) */
void igvm_decode_body(struct igvm_header *h);

/* a decoded VBS register record */
struct igvm_vbs_reg {
	uint8_t vtl;
	uint32_t name;
	uint8_t value[16];
};

/* VBS register list of a parsed VP_CONTEXT on a VSM platform */
uint32_t igvm_vbs_count(const struct igvm_file *f, const struct igvm_header *h);
void igvm_vbs_get(const struct igvm_file *f, const struct igvm_header *h,
		  uint32_t i, struct igvm_vbs_reg *r);
/* the platform header whose mask equals mask, or NULL */
const struct igvm_header *igvm_platform_by_mask(const struct igvm_file *f,
						uint32_t mask);

/* prints every header of a parsed file */
void igvm_dump(FILE *out, const struct igvm_file *f);

/* ---- writer */

struct igvm_writer {
	uint32_t version;
	uint8_t *hdrs;		/* variable header section being built */
	size_t hdrs_len, hdrs_cap;
	uint8_t *data;		/* file data section being built */
	size_t data_len, data_cap;
	struct igvm_patch {
		size_t hdr_pos;	/* position of a file_offset field in hdrs */
		size_t data_pos;	/* blob offset in data */
	} *patches;
	size_t npatches, patches_cap;
	bool failed;
};

#define IGVM_NO_DATA	((size_t)-1)

void igvm_writer_init(struct igvm_writer *w, uint32_t version);
void igvm_writer_free(struct igvm_writer *w);
/* appends len bytes to the file data; returns its blob position */
size_t igvm_writer_data(struct igvm_writer *w, const void *buf, size_t len);
/*
 * Appends header h (type and the union member for it; length is taken
 * from the type).  For PAGE_DATA, PARAMETER_AREA and VP_CONTEXT, data is a
 * blob position from igvm_writer_data whose absolute file offset the
 * writer puts in the file_offset field, or IGVM_NO_DATA for offset 0.
 */
int igvm_writer_add(struct igvm_writer *w, const struct igvm_header *h,
		    size_t data);
/*
 * Encodes h's body (length igvm_type_body_size) into b, at most 48 bytes,
 * for a type igvm_type_writable accepts; returns the position of its
 * file_offset field, or -1 when the type has none.
 */
int igvm_encode_body(const struct igvm_header *h, uint8_t *b);
bool igvm_type_writable(uint32_t type);
/* lays out the file, fills offsets and the checksum; *out is malloc'd */
int igvm_writer_finish(struct igvm_writer *w, uint8_t **out, size_t *len);

/* ---- little-endian helpers */

static inline uint16_t igvm_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t igvm_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t igvm_le64(const uint8_t *p)
{
	return (uint64_t)igvm_le32(p) | (uint64_t)igvm_le32(p + 4) << 32;
}

static inline void igvm_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void igvm_put32(uint8_t *p, uint32_t v)
{
	igvm_put16(p, (uint16_t)v);
	igvm_put16(p + 2, (uint16_t)(v >> 16));
}

static inline void igvm_put64(uint8_t *p, uint64_t v)
{
	igvm_put32(p, (uint32_t)v);
	igvm_put32(p + 4, (uint32_t)(v >> 32));
}

#endif /* HCL_IGVM_H */
