/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 instruction prefixes and the small instruction checks built on
 * them (insn.c).  Every decoder in hcl.ko finds the opcode of a guest
 * instruction with hcl_insn_prefixes(): the MMIO decoder (decode.c), the
 * MOV DR, CR-write and INS/OUTS decoders, the single-step check for NMI
 * windows and the PAUSE check for pause exits (all here).
 */
#ifndef HCL_INSN_H
#define HCL_INSN_H

#include <linux/bits.h>
#include <linux/types.h>

#define HCL_INSN_MAX		15	/* bytes in the longest instruction */

/* legacy prefixes seen (struct hcl_insn_prefixes.legacy) */
#define HCL_PFX_OPSIZE		BIT(0)	/* 66 */
#define HCL_PFX_ADSIZE		BIT(1)	/* 67 */
#define HCL_PFX_SEG		BIT(2)	/* 26 2e 36 3e 64 65 */
#define HCL_PFX_LOCK		BIT(3)	/* f0 */
#define HCL_PFX_REPNE		BIT(4)	/* f2 */
#define HCL_PFX_REP		BIT(5)	/* f3 */

/* REX is 0100WRXB */
#define HCL_REX_B		0x1
#define HCL_REX_X		0x2
#define HCL_REX_R		0x4
#define HCL_REX_W		0x8

struct hcl_insn_prefixes {
	u8 len;			/* prefix bytes: the opcode is at bytes[len] */
	u8 legacy;		/* HCL_PFX_* */
	u8 rex;			/* the REX that counts, or 0 */
	u8 seg;			/* the last segment override (HCL_SEG_*) */
};

/* segment registers, in the encoding's order (ModRM.reg of MOV Sreg) */
enum hcl_seg {
	HCL_SEG_ES, HCL_SEG_CS, HCL_SEG_SS, HCL_SEG_DS, HCL_SEG_FS, HCL_SEG_GS,
	HCL_NR_SEGS
};

int hcl_insn_prefixes(const u8 *bytes, unsigned int avail, unsigned int mode,
		      struct hcl_insn_prefixes *p);

/*
 * The operand size without REX.W (2 or 4 bytes: 66 swaps the mode's
 * default) and the address size (2, 4 or 8 bytes: 67 swaps 16 and 32
 * outside 64-bit code, 64 for 32 in it) of code of @mode with @p.
 */
static inline unsigned int hcl_insn_op_size(const struct hcl_insn_prefixes *p,
					    unsigned int mode)
{
	bool swap = p->legacy & HCL_PFX_OPSIZE;

	return (mode == 16) != swap ? 2 : 4;
}

static inline unsigned int hcl_insn_addr_size(const struct hcl_insn_prefixes *p,
					      unsigned int mode)
{
	bool swap = p->legacy & HCL_PFX_ADSIZE;

	if (mode == 64)
		return swap ? 4 : 8;
	return (mode == 16) != swap ? 2 : 4;
}

int hcl_decode_mov_dr(const u8 *bytes, unsigned int avail, unsigned int mode,
		      unsigned int *len, unsigned int *gpr, bool *to_dr);
/* the instructions that write CR0, CR4 or CR8 (hcl_decode_cr_write()) */
enum hcl_cr_write {
	HCL_CR_MOV,		/* MOV to CRn from a GPR */
	HCL_CR_LMSW,		/* LMSW from a GPR: CR0 bits 3:0, PE never cleared */
	HCL_CR_CLTS,		/* CLTS: CR0.TS cleared */
};

int hcl_decode_cr_write(const u8 *bytes, unsigned int avail,
			unsigned int mode, unsigned int *len,
			enum hcl_cr_write *kind, unsigned int *cr,
			unsigned int *gpr);
/*
 * INS or OUTS (6c-6f), as the string I/O emulation (string_io.c) needs
 * it: the element size, the address size, the segment of the memory
 * operand (ES for INS, which takes no override) and whether a REP (f3,
 * or f2, which the CPU treats alike here) repeats it.
 */
struct hcl_string_io_insn {
	u8 len;			/* bytes, prefixes included */
	u8 size;		/* element: 1, 2 or 4 bytes */
	u8 addr_size;		/* RSI/RDI and RCX: 2, 4 or 8 bytes */
	u8 seg;			/* HCL_SEG_* of the memory operand */
	bool in;		/* INS (else OUTS) */
	bool rep;
};

int hcl_decode_string_io(const u8 *bytes, unsigned int avail,
			 unsigned int mode, struct hcl_string_io_insn *insn);
bool hcl_insn_step_safe(const u8 *bytes, unsigned int avail,
			unsigned int mode);
unsigned int hcl_insn_pause_len(const u8 *bytes, unsigned int avail,
				unsigned int mode);

#endif /* HCL_INSN_H */
