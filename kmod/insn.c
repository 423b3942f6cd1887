// SPDX-License-Identifier: GPL-2.0
/*
 * x86 instruction prefixes, the one scanner every decoder in hcl.ko uses,
 * and the small decoders built on it.
 *
 * The rules, from the architecture manuals:
 *  - Legacy prefixes (66, 67, the segment overrides, f0, f2, f3) come in
 *    any order and number, within the 15-byte limit.
 *  - In 64-bit mode a REX (40-4f) counts only immediately before the
 *    opcode: a legacy prefix after it voids it, and of several REX bytes
 *    in a row only the last counts.  Outside 64-bit mode 40-4f are
 *    INC/DEC, i.e. opcodes.
 *  - No instruction is longer than 15 bytes.
 *
 * Errors: -EINVAL when the prefixes leave no room for an opcode within 15
 * bytes, -EFAULT when the bytes run out first.  Never reads beyond
 * @avail bytes.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "insn.h"

static u8 legacy_prefix(u8 b)
{
	switch (b) {
	case 0x66:
		return HCL_PFX_OPSIZE;
	case 0x67:
		return HCL_PFX_ADSIZE;
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
		return HCL_PFX_SEG;
	case 0xf0:
		return HCL_PFX_LOCK;
	case 0xf2:
		return HCL_PFX_REPNE;
	case 0xf3:
		return HCL_PFX_REP;
	}
	return 0;
}

/* 26 2e 36 3e: ES CS SS DS; 64 65: FS GS */
static u8 seg_prefix(u8 b)
{
	return b >= 0x64 ? HCL_SEG_FS + (b - 0x64) : (b - 0x26) >> 3;
}

/*
 * Scans the prefixes of the instruction in @bytes[0 .. @avail - 1] for a
 * guest whose code size is @mode (16, 32 or 64) and fills @p: where the
 * opcode starts, which legacy prefixes came before it and the REX that
 * counts.  Returns 0, -EINVAL or -EFAULT (above); on an error @p holds
 * what was seen before the scan stopped.
 */
int hcl_insn_prefixes(const u8 *bytes, unsigned int avail, unsigned int mode,
		      struct hcl_insn_prefixes *p)
{
	u8 pfx;

	p->legacy = 0;
	p->rex = 0;
	p->seg = HCL_SEG_DS;
	for (p->len = 0;; p->len++) {
		/* the opcode needs a byte of its own within the limit */
		if (p->len >= HCL_INSN_MAX)
			return -EINVAL;
		if (p->len >= avail)
			return -EFAULT;
		pfx = legacy_prefix(bytes[p->len]);
		if (pfx) {
			if (pfx == HCL_PFX_SEG)
				p->seg = seg_prefix(bytes[p->len]);
			p->legacy |= pfx;
			p->rex = 0;	/* a legacy prefix after REX voids it */
			continue;
		}
		if (mode == 64 && (bytes[p->len] & 0xf0) == 0x40) {
			p->rex = bytes[p->len];
			continue;
		}
		return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(hcl_insn_prefixes);

/*
 * MOV to/from DRn: 0f 21 /r reads, 0f 23 /r writes; ModRM mod must be 3,
 * reg is the debug register, rm (with REX.B) the GPR.  Of the legacy
 * prefixes only 66 and 67 (which change nothing) are accepted.  Returns
 * 0 or -EINVAL/-EFAULT.
 */
int hcl_decode_mov_dr(const u8 *bytes, unsigned int avail, unsigned int mode,
		      unsigned int *len, unsigned int *gpr, bool *to_dr)
{
	struct hcl_insn_prefixes p;
	unsigned int i;
	u8 modrm;
	int ret;

	ret = hcl_insn_prefixes(bytes, avail, mode, &p);
	if (p.legacy & ~(HCL_PFX_OPSIZE | HCL_PFX_ADSIZE))
		return -EINVAL;
	if (ret)
		return ret;
	i = p.len;
	if (i + 3 > HCL_INSN_MAX)
		return -EINVAL;
	if (i + 3 > avail)
		return -EFAULT;
	if (bytes[i] != 0x0f || (bytes[i + 1] != 0x21 && bytes[i + 1] != 0x23))
		return -EINVAL;
	modrm = bytes[i + 2];
	if ((modrm >> 6) != 3)
		return -EINVAL;
	*to_dr = bytes[i + 1] == 0x23;
	*gpr = (modrm & 7) | (p.rex & HCL_REX_B ? 8 : 0);
	*len = i + 3;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_decode_mov_dr);

/*
 * The instruction at @bytes (@avail of them, guest @mode) that a CR write
 * intercept stopped: MOV to CRn (0f 22; REX.R, or on AMD a LOCK prefix,
 * names CR8 and up), LMSW from a register (0f 01 /6) or CLTS (0f 06).
 * Sets *@len, *@kind, *@cr (0 for LMSW and CLTS) and *@gpr (the source).
 * MOV to CR ignores the ModRM mod bits: the operand is always a register.
 * Returns 0, -EFAULT if more bytes are needed, -EINVAL for anything else
 * (LMSW from memory too: the caller leaves that to userspace).
 */
int hcl_decode_cr_write(const u8 *bytes, unsigned int avail,
			unsigned int mode, unsigned int *len,
			enum hcl_cr_write *kind, unsigned int *cr,
			unsigned int *gpr)
{
	struct hcl_insn_prefixes p;
	unsigned int i;
	u8 modrm;
	int ret;

	ret = hcl_insn_prefixes(bytes, avail, mode, &p);
	if (ret)
		return ret;
	if (p.legacy & ~(HCL_PFX_OPSIZE | HCL_PFX_ADSIZE | HCL_PFX_LOCK))
		return -EINVAL;
	i = p.len;
	if (i + 2 > HCL_INSN_MAX)
		return -EINVAL;
	if (i + 2 > avail)
		return -EFAULT;
	if (bytes[i] != 0x0f)
		return -EINVAL;
	*cr = 0;
	*gpr = 0;
	if (bytes[i + 1] == 0x06 && !(p.legacy & HCL_PFX_LOCK)) {
		*kind = HCL_CR_CLTS;
		*len = i + 2;
		return 0;
	}
	if (bytes[i + 1] != 0x22 && bytes[i + 1] != 0x01)
		return -EINVAL;
	if (i + 3 > HCL_INSN_MAX)
		return -EINVAL;
	if (i + 3 > avail)
		return -EFAULT;
	modrm = bytes[i + 2];
	*gpr = (modrm & 7) | (p.rex & HCL_REX_B ? 8 : 0);
	*len = i + 3;
	if (bytes[i + 1] == 0x01) {
		if ((modrm >> 6) != 3 || ((modrm >> 3) & 7) != 6 ||
		    p.legacy & HCL_PFX_LOCK)
			return -EINVAL;
		*kind = HCL_CR_LMSW;
		return 0;
	}
	*kind = HCL_CR_MOV;
	*cr = ((modrm >> 3) & 7) | (p.rex & HCL_REX_R ? 8 : 0);
	if (p.legacy & HCL_PFX_LOCK) {
		if (*cr)
			return -EINVAL;
		*cr = 8;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_decode_cr_write);

/*
 * INS (6c byte, 6d word or dword) or OUTS (6e, 6f) in @bytes (@avail of
 * them, guest @mode).  66 picks the other of word and dword, 67 the other
 * address size (64-bit code: 32 instead of 64; 16- and 32-bit code swap
 * 16 and 32).  OUTS reads through DS or the last segment override, INS
 * writes through ES whatever the prefixes say.  LOCK makes it #UD: not
 * decoded.  REX changes nothing (REX.W does not make a qword).  Returns 0,
 * -EFAULT when the bytes run out, -EINVAL for anything else.
 */
int hcl_decode_string_io(const u8 *bytes, unsigned int avail,
			 unsigned int mode, struct hcl_string_io_insn *insn)
{
	struct hcl_insn_prefixes p;
	u8 op;
	int ret;

	ret = hcl_insn_prefixes(bytes, avail, mode, &p);
	if (ret)
		return ret;
	op = bytes[p.len];
	if (op < 0x6c || op > 0x6f || (p.legacy & HCL_PFX_LOCK))
		return -EINVAL;
	insn->len = p.len + 1;
	insn->in = op <= 0x6d;
	insn->size = op & 1 ? hcl_insn_op_size(&p, mode) : 1;
	insn->addr_size = hcl_insn_addr_size(&p, mode);
	insn->seg = insn->in ? HCL_SEG_ES : p.seg;
	insn->rep = p.legacy & (HCL_PFX_REP | HCL_PFX_REPNE);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_decode_string_io);

/*
 * Whether the instruction in @bytes (@avail of them, guest @mode 16, 32
 * or 64) may run under a TF of ours: not if it reads or writes RFLAGS.TF
 * (PUSHF, POPF, IRET, SYSCALL/SYSRET, SYSENTER/SYSEXIT), raises an event
 * that pushes RFLAGS (INT3, INT n, INTO, INT1) or may switch tasks (far
 * CALL/JMP), nor if it cannot be read.
 */
bool hcl_insn_step_safe(const u8 *bytes, unsigned int avail,
			unsigned int mode)
{
	struct hcl_insn_prefixes p;
	unsigned int i;

	if (hcl_insn_prefixes(bytes, avail, mode, &p))
		return false;
	i = p.len;
	switch (bytes[i]) {
	case 0x9a: case 0x9c: case 0x9d: case 0xcc: case 0xcd: case 0xce:
	case 0xcf: case 0xea: case 0xf1:
		return false;
	case 0xff:
		/* ModRM reg 3 and 5: far CALL and JMP */
		if (i + 1 >= avail)
			return false;
		return ((bytes[i + 1] >> 3) & 7) != 3 &&
		       ((bytes[i + 1] >> 3) & 7) != 5;
	case 0x0f:
		if (i + 1 >= avail)
			return false;
		switch (bytes[i + 1]) {
		case 0x05: case 0x07: case 0x34: case 0x35:
			return false;
		}
		return true;
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_insn_step_safe);

/*
 * The length of the PAUSE (f3 90) in @bytes, or 0 when they hold anything
 * else.  Other legacy prefixes may come with it (they change nothing),
 * but not LOCK (#UD) nor REPNE (f2 90 is a NOP), and in 64-bit mode not a
 * REX.B, which makes 90 an XCHG with R8.
 */
unsigned int hcl_insn_pause_len(const u8 *bytes, unsigned int avail,
				unsigned int mode)
{
	struct hcl_insn_prefixes p;

	if (hcl_insn_prefixes(bytes, avail, mode, &p))
		return 0;
	if (bytes[p.len] != 0x90 || !(p.legacy & HCL_PFX_REP) ||
	    (p.legacy & (HCL_PFX_LOCK | HCL_PFX_REPNE)) ||
	    (p.rex & HCL_REX_B))
		return 0;
	return p.len + 1;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_insn_pause_len);
