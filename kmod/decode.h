/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl.ko: decoding the guest instruction behind an MMIO exit (decode.c).
 * Pure logic: no hardware access and no global state, so KUnit tests it
 * in isolation.  The instruction's bytes come from hcl_fetch_insn()
 * (emulate.c) through the guest page-table walk (gpt.h).
 */
#ifndef HCL_DECODE_H
#define HCL_DECODE_H

#include <linux/types.h>

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

#endif /* HCL_DECODE_H */
