// SPDX-License-Identifier: GPL-2.0
/*
 * The MOV-family decoder for MMIO exits.
 *
 * The CPU we target offers neither decode assists nor a saved next RIP,
 * so for a nested page fault on MMIO the run loop fetches the guest's
 * instruction bytes and asks this file what the instruction does and how
 * long it is.  Only the moves a driver uses on device registers are
 * understood; anything else is refused and goes to userspace unhandled.
 *
 * Instruction layout: legacy prefixes, then in 64-bit mode an optional
 * REX (both scanned by hcl_insn_prefixes(), insn.c), then the opcode
 * (one byte or 0f + one), ModRM, SIB, displacement, immediate.  The rules
 * applied, from the architecture manuals:
 *
 *  - 66 selects the other operand size (16 <-> 32); REX.W selects 64 bits
 *    and wins over 66.  Byte forms ignore both.
 *  - 67 selects the other address size, which here only changes how many
 *    ModRM/SIB/displacement bytes (or moffs bytes) follow.
 *  - Segment overrides are accepted and ignored: the fault's GPA already
 *    says where the access went.
 *  - LOCK (f0) makes a MOV #UD; REP/REPNE (f3/f2) change it into other
 *    instructions or are undefined for it.  Both are refused.
 *  - REX counts only immediately before the opcode.  A REX followed by a
 *    legacy prefix is ignored, and of several REX bytes in a row only the
 *    last counts.  Outside 64-bit mode 40-4f are INC/DEC, so refused.
 *  - Any REX, even a bare 40, turns byte registers 4..7 from AH, CH, DH,
 *    BH into SPL, BPL, SIL, DIL.
 *  - The memory operand's REX.B and REX.X only change the address, never
 *    the length: rm = 100 still means a SIB, and rm = 101 or SIB base =
 *    101 with mod = 00 still means a disp32, whatever REX.B says.
 *  - No instruction may be longer than 15 bytes.
 *
 * Errors: anything that can be refused from the bytes present is -EINVAL;
 * -EFAULT means the bytes ran out before the instruction was complete.
 * A byte at offset 15 or beyond is never needed, so an instruction that
 * would need one is -EINVAL whatever @avail is.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/types.h>
#include <kunit/visibility.h>

#include "decode.h"
#include "insn.h"

/* REX.X and REX.B only extend the address registers */
#define REX_R		HCL_REX_R
#define REX_W		HCL_REX_W

struct dec {
	const u8 *bytes;
	unsigned int avail;
	unsigned int pos;
};

/* Makes sure @n more bytes exist: -EINVAL past 15, -EFAULT past @avail. */
static int dec_need(const struct dec *d, unsigned int n)
{
	if (d->pos + n > HCL_INSN_MAX)
		return -EINVAL;
	if (d->pos + n > d->avail)
		return -EFAULT;
	return 0;
}

static int dec_byte(struct dec *d, u8 *b)
{
	int ret = dec_need(d, 1);

	if (ret)
		return ret;
	*b = d->bytes[d->pos++];
	return 0;
}

/* Consumes @n bytes and returns them as a little-endian value. */
static int dec_le(struct dec *d, unsigned int n, u64 *val)
{
	unsigned int i;
	u64 v = 0;
	int ret;

	ret = dec_need(d, n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		v |= (u64)d->bytes[d->pos + i] << (8 * i);
	d->pos += n;
	*val = v;
	return 0;
}

/*
 * Consumes what follows the ModRM byte @modrm of a memory operand: the SIB
 * and the displacement.  mod = 11 names a register, not memory: refused.
 *
 * 16-bit addressing has no SIB; mod 01 adds a disp8, mod 10 a disp16, and
 * mod 00 with rm 110 is a bare disp16 (there is no plain [bp]).
 *
 * 32/64-bit addressing: rm 100 brings a SIB; mod 01 adds a disp8, mod 10
 * a disp32; with mod 00, rm 101 is a bare disp32 (RIP-relative in 64-bit
 * mode) and a SIB base of 101 means "no base, disp32".
 */
static int dec_mem(struct dec *d, unsigned int addr_size, u8 modrm)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7, disp;
	u8 sib = 0;
	u64 ignored;
	int ret;

	if (mod == 3)
		return -EINVAL;
	if (addr_size == 16) {
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || rm == 6)
			disp = 2;
		else
			disp = 0;
		return dec_le(d, disp, &ignored);
	}
	if (rm == 4) {
		ret = dec_byte(d, &sib);
		if (ret)
			return ret;
	}
	if (mod == 1)
		disp = 1;
	else if (mod == 2)
		disp = 4;
	else if (rm == 5 || (rm == 4 && (sib & 7) == 5))
		disp = 4;
	else
		disp = 0;
	return dec_le(d, disp, &ignored);
}

/* The register operand named by ModRM.reg, for a @size-byte operand. */
static void set_reg(struct hcl_mmio_insn *insn, u8 modrm, u8 rex,
		    unsigned int size)
{
	insn->reg = ((modrm >> 3) & 7) | (rex & REX_R ? 8 : 0);
	insn->high8 = size == 1 && !rex && insn->reg >= 4;
}

int hcl_decode_mmio(const u8 *bytes, unsigned int avail, unsigned int mode,
		    struct hcl_mmio_insn *out)
{
	struct hcl_mmio_insn insn = {};
	struct dec d = { .bytes = bytes, .avail = avail };
	struct hcl_insn_prefixes pfx;
	unsigned int osz, asz;
	u8 op, modrm, rex;
	u64 imm;
	int ret;

	if (mode != 16 && mode != 32 && mode != 64)
		return -EINVAL;

	/* prefixes, by the rules in insn.c */
	ret = hcl_insn_prefixes(bytes, avail, mode, &pfx);
	if (pfx.legacy & (HCL_PFX_LOCK | HCL_PFX_REPNE | HCL_PFX_REP))
		return -EINVAL;
	if (ret)
		return ret;
	rex = pfx.rex;
	d.pos = pfx.len;
	ret = dec_byte(&d, &op);
	if (ret)
		return ret;

	osz = rex & REX_W ? 8 : hcl_insn_op_size(&pfx, mode);
	asz = hcl_insn_addr_size(&pfx, mode) * 8;	/* in bits here */

	switch (op) {
	case 0x88:	/* mov r/m8, r8 */
	case 0x89:	/* mov r/m, r */
	case 0x8a:	/* mov r8, r/m8 */
	case 0x8b:	/* mov r, r/m */
		ret = dec_byte(&d, &modrm);
		if (!ret)
			ret = dec_mem(&d, asz, modrm);
		if (ret)
			return ret;
		insn.op = HCL_MMIO_MOV;
		insn.write = !(op & 2);
		insn.size = op & 1 ? osz : 1;
		insn.dst_size = insn.size;
		set_reg(&insn, modrm, rex, insn.size);
		break;
	case 0xa0:	/* mov al, moffs8 */
	case 0xa1:	/* mov rax, moffs */
	case 0xa2:	/* mov moffs8, al */
	case 0xa3:	/* mov moffs, rax */
		/* the offset is address-size wide: 2, 4 or 8 bytes */
		ret = dec_le(&d, asz / 8, &imm);
		if (ret)
			return ret;
		insn.op = HCL_MMIO_MOV;
		insn.write = op & 2;
		insn.size = op & 1 ? osz : 1;
		insn.dst_size = insn.size;
		insn.reg = 0;	/* AL/AX/EAX/RAX, never AH; REX.B plays no part */
		break;
	case 0xc6:	/* mov r/m8, imm8 */
	case 0xc7:	/* mov r/m, imm16/32 */
		ret = dec_byte(&d, &modrm);
		if (ret)
			return ret;
		/* only /0 is MOV (c6 f8 and c7 f8 are XABORT and XBEGIN) */
		if (modrm & 0x38)
			return -EINVAL;
		ret = dec_mem(&d, asz, modrm);
		if (ret)
			return ret;
		insn.op = HCL_MMIO_STORE_IMM;
		insn.write = true;
		insn.size = op & 1 ? osz : 1;
		/* a 64-bit store takes an imm32 and sign-extends it */
		ret = dec_le(&d, insn.size == 8 ? 4 : insn.size, &imm);
		if (ret)
			return ret;
		insn.imm = insn.size == 8 ? (u64)(s64)(s32)imm : imm;
		break;
	case 0x0f:
		ret = dec_byte(&d, &op);
		if (ret)
			return ret;
		switch (op) {
		case 0xb6:	/* movzx r, r/m8 */
		case 0xb7:	/* movzx r, r/m16 */
			insn.op = HCL_MMIO_MOVZX;
			break;
		case 0xbe:	/* movsx r, r/m8 */
		case 0xbf:	/* movsx r, r/m16 */
			insn.op = HCL_MMIO_MOVSX;
			break;
		default:
			return -EINVAL;
		}
		ret = dec_byte(&d, &modrm);
		if (!ret)
			ret = dec_mem(&d, asz, modrm);
		if (ret)
			return ret;
		insn.size = op & 1 ? 2 : 1;
		insn.dst_size = osz;
		/* the destination is never a byte register, so never AH */
		set_reg(&insn, modrm, rex, osz);
		break;
	default:
		return -EINVAL;
	}

	insn.len = d.pos;
	*out = insn;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_decode_mmio);
