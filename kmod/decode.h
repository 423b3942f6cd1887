/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl.ko: decoding the guest instruction behind an MMIO exit, and the
 * guest page-table walk that finds its bytes.  Pure logic: no hardware
 * access and no global state, so both are tested by KUnit in isolation.
 */
#ifndef HCL_DECODE_H
#define HCL_DECODE_H

#include <linux/types.h>

/* ---- MMIO instruction decoder (decode.c) ------------------------------- */

enum hcl_mmio_op {
	HCL_MMIO_MOV,		/* 88, 89, 8a, 8b, a0-a3: plain move */
	HCL_MMIO_MOVZX,		/* 0f b6, 0f b7: load, zero-extend */
	HCL_MMIO_MOVSX,		/* 0f be, 0f bf: load, sign-extend */
	HCL_MMIO_STORE_IMM,	/* c6 /0, c7 /0: store an immediate */
};

/*
 * What an MMIO-touching instruction does.  The memory operand's address
 * is not reported: the nested page fault already gave the GPA.
 *
 * reg is the ModRM reg field extended by REX.R (0..15, HCL_REG_*), or
 * HCL_REG_RAX for the moffs forms; unused (0) for HCL_MMIO_STORE_IMM.
 * When high8 is set the operand is AH, CH, DH or BH: reg is still the
 * encoded 4..7 and the byte is bits 15:8 of GPR reg - 4.
 *
 * dst_size is the register operand's width: for loads the width written
 * (the caller zero-extends a 4-byte write to 64 bits and merges 1- and
 * 2-byte writes, as the CPU does); for register stores it equals size;
 * 0 for HCL_MMIO_STORE_IMM.
 *
 * imm is the value an HCL_MMIO_STORE_IMM stores, zero-extended from
 * size bytes, except that for size 8 it is the imm32 sign-extended.
 */
struct hcl_mmio_insn {
	u8 len;			/* bytes, prefixes included: RIP += len */
	u8 size;		/* memory access size: 1, 2, 4 or 8 */
	bool write;		/* the instruction stores to memory */
	enum hcl_mmio_op op;
	u8 reg;			/* register operand, see above */
	u8 dst_size;		/* register operand width, see above */
	bool high8;		/* register operand is AH/CH/DH/BH */
	u64 imm;		/* HCL_MMIO_STORE_IMM: the value stored */
};

/*
 * Decodes the instruction in @bytes[0 .. @avail - 1] for a guest whose
 * code size is @mode (16, 32 or 64).  Returns 0 and fills @out, or:
 *   -EFAULT  the bytes end before the instruction does (fetch more, or
 *            the guest's instruction fetch would fault)
 *   -EINVAL  not a supported memory-operand MOV, longer than 15 bytes,
 *            or a bad @mode
 * Never reads beyond @avail bytes; @out is untouched on error.
 */
int hcl_decode_mmio(const u8 *bytes, unsigned int avail, unsigned int mode,
		    struct hcl_mmio_insn *out);

/* ---- guest page-table walk (gpt.c) ------------------------------------- */

/*
 * Reads the 8 bytes of guest physical memory at @gpa, which is always
 * 8-byte aligned; returns 0 or -EFAULT.
 */
typedef int (*hcl_gpa_read_t)(void *ctx, u64 gpa, u64 *val);

/* The guest's paging controls, as in its VMCB save area. */
struct hcl_paging {
	u64 cr0, cr3, cr4, efer;
};

/*
 * Translates @gva to a guest physical address through the guest's own
 * page tables, as a CPL 0 access.  Returns 0 and sets @gpa, or:
 *   -EFAULT  an entry is not present (or @read failed: its errno)
 *   -EACCES  a write to a read-only page with CR0.WP, or a fetch from a
 *            no-execute page
 *   -EINVAL  a reserved bit is set, @gva is not canonical, or the
 *            control registers are inconsistent
 * Reads at most 5 entries and never sets accessed or dirty bits.
 */
int hcl_gva_to_gpa(const struct hcl_paging *pg, u64 gva, bool write,
		   bool fetch, hcl_gpa_read_t read, void *ctx, u64 *gpa);

#endif /* HCL_DECODE_H */
