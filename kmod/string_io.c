// SPDX-License-Identifier: GPL-2.0
/*
 * String I/O in the kernel: INS and OUTS, with or without REP, like the
 * string path of KVM's emulator (emulator_pio_in_out()), element by
 * element:
 *
 *  - The instruction is fetched and decoded here (insn.c): the exit gives
 *    the port, the element size and the direction, but not always the
 *    address size or the segment (QEMU's TCG sets neither), and the
 *    decoded instruction must agree with the exit.
 *  - Each element's address is the segment's base plus RSI (OUTS) or RDI
 *    (INS), masked to the address size; outside 64-bit mode the segment
 *    must be present, of the right type and its limit must cover the
 *    element.  The linear address goes through the guest's page tables
 *    (an element may cross a page) to VTL0 RAM.
 *  - Where the port goes (hcl_io_route()): unclaimed ports and doorbells
 *    are done here, up to HCL_STRING_IO_BATCH bytes per exit; a port
 *    userspace serves gets one element per exit, an ordinary HCL_EXIT_IO
 *    (the VMM sees no difference from IN and OUT), an INS element written
 *    to memory when the VMM answers (hcl_complete_user_exit()).
 *  - RSI or RDI moves by the element size (down with RFLAGS.DF), RCX
 *    counts down, both within the address size; RIP moves past the
 *    instruction once RCX is 0 and otherwise stays, so the guest runs
 *    the instruction again, and takes interrupts in between as on the
 *    CPU.
 *
 * What is not done here goes to userspace raw (HCL_EXIT_UNHANDLED), as
 * before: string I/O at CPL > 0 (the walk is a supervisor's: U/S and
 * SMAP are not checked), an element whose translation faults (no #PF is
 * injected), one outside VTL0 RAM, a segment check that fails (no #GP),
 * an expand-down segment.
 */
#include <linux/bits.h>
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <asm/processor-flags.h>
#include <kunit/visibility.h>

#include "partition.h"
#include "stats.h"
#include "string_io.h"

/* VMCB segment attributes */
#define SEG_TYPE_CODE	BIT(3)
#define SEG_TYPE_EXPAND	BIT(2)		/* data: expand-down */
#define SEG_TYPE_RW	BIT(1)		/* data: writable; code: readable */
#define SEG_S		BIT(4)		/* code or data, not system */
#define SEG_P		BIT(7)

/* RSI, RDI and RCX change only within the address size */
static void reg_add(u64 *r, unsigned int addr_size, s64 delta)
{
	u64 mask;

	if (addr_size == 8) {
		*r += delta;
		return;
	}
	if (addr_size == 4) {
		*r = (u32)(*r + delta);
		return;
	}
	mask = GENMASK_ULL(addr_size * 8 - 1, 0);
	*r = (*r & ~mask) | ((*r + delta) & mask);
}

/* Whether the segment lets this access through (outside 64-bit mode). */
static bool seg_ok(const struct hcl_seg_reg *s, bool pe, u64 off,
		   unsigned int size, bool write)
{
	u16 a = s->attrib;

	if (pe) {
		if (!(a & SEG_P) || !(a & SEG_S))
			return false;
		if (a & SEG_TYPE_CODE) {
			if (write || !(a & SEG_TYPE_RW))
				return false;
		} else if ((a & SEG_TYPE_EXPAND) ||
			   (write && !(a & SEG_TYPE_RW))) {
			return false;
		}
	}
	return off + size - 1 <= s->limit;
}

/*
 * The last page an exit's elements went through: a batch walks the
 * guest's page tables once per page, not once per element (as a CPU's
 * TLB would serve it).
 */
struct page_memo {
	u64 la;			/* page-aligned; 1: none yet */
	u64 gpa;
};

static int page_gpa(struct hcl_vp *vp, const struct hcl_string_io_exit *x,
		    bool write, u64 at, struct page_memo *m, u64 *gpa)
{
	u64 page = at & PAGE_MASK;
	int ret;

	if (page != m->la) {
		ret = hcl_guest_data_gpa(vp, &x->code.pg, page, write,
					 &m->gpa);
		if (ret)
			return ret;
		m->la = page;
	}
	*gpa = m->gpa + (at & ~PAGE_MASK);
	return 0;
}

/*
 * Where the element at offset @off goes in VTL0 RAM: @gpa[0] for the
 * first *@first bytes, @gpa[1] for the rest when it crosses a page.
 * Returns 0 or a negative errno (the caller leaves it to userspace).
 */
static int element_gpa(struct hcl_vp *vp, const struct hcl_string_io_exit *x,
		       const struct hcl_string_io_insn *insn, u64 off,
		       struct page_memo *m, u64 gpa[2], unsigned int *first)
{
	const struct hcl_seg_reg *s = &x->seg[insn->seg];
	u64 mem = vp->part->mem_size, la;
	unsigned int i;
	int ret;

	if (x->code.mode == 64) {
		/* only FS and GS have a base in 64-bit mode, and no limit */
		la = off + (insn->seg >= HCL_SEG_FS ? s->base : 0);
	} else {
		if (!seg_ok(s, x->code.pg.cr0 & X86_CR0_PE, off, insn->size,
			    insn->in))
			return -EINVAL;
		la = (u32)(s->base + off);
	}
	*first = min_t(u64, insn->size, PAGE_SIZE - (la & ~PAGE_MASK));
	gpa[1] = 0;
	for (i = 0; i < (*first < insn->size ? 2 : 1); i++) {
		u64 at = i ? la + *first : la;
		unsigned int n = i ? insn->size - *first : *first;

		if (x->code.mode != 64)
			at = (u32)at;
		ret = page_gpa(vp, x, insn->in, at, m, &gpa[i]);
		if (ret)
			return ret;
		if (gpa[i] >= mem || mem - gpa[i] < n)
			return -EFAULT;
	}
	return 0;
}

static u64 element_read(struct hcl_vp *vp, const u64 gpa[2],
			unsigned int first, unsigned int size)
{
	u8 *mem = vp->part->mem;
	u64 v = 0;

	memcpy(&v, mem + gpa[0], first);
	if (first < size)
		memcpy((u8 *)&v + first, mem + gpa[1], size - first);
	return v;
}

static void element_write(struct hcl_vp *vp, const u64 gpa[2],
			  unsigned int first, unsigned int size, u64 v)
{
	u8 *mem = vp->part->mem;

	memcpy(mem + gpa[0], &v, first);
	if (first < size)
		memcpy(mem + gpa[1], (u8 *)&v + first, size - first);
}

/* the VMM answered an INS element's IN: it goes to memory */
static void complete_string_in(struct hcl_vp *vp)
{
	typeof(vp->pending.string_in) *p = &vp->pending.string_in;

	element_write(vp, p->gpa, p->first, p->size,
		      READ_ONCE(vp->run->io.data));
}

enum hcl_exit_action hcl_emulate_string_io(struct hcl_vp *vp,
					   const struct hcl_string_io_exit *x)
{
	struct page_memo memo = { .la = 1 };
	struct hcl_string_io_insn insn;
	unsigned int reg, first, moved = 0;
	u64 *r = vp->gprs.r, count, gpa[2], amask;
	u8 bytes[HCL_INSN_MAX];
	s64 step;
	int n;

	if (x->cpl)
		return HCL_ACT_UNHANDLED;
	n = hcl_fetch_insn(vp, &x->code, bytes);
	if (n < 0 || hcl_decode_string_io(bytes, n, x->code.mode, &insn) ||
	    insn.in != x->in || insn.size != x->size ||
	    insn.rep != x->rep || x->next_rip - vp->rip != insn.len)
		return HCL_ACT_UNHANDLED;
	amask = insn.addr_size == 8 ? ~0ULL :
		GENMASK_ULL(insn.addr_size * 8 - 1, 0);
	reg = insn.in ? HCL_REG_RDI : HCL_REG_RSI;
	step = x->df ? -(s64)insn.size : insn.size;
	count = insn.rep ? r[HCL_REG_RCX] & amask : 1;

	while (count && moved < HCL_STRING_IO_BATCH) {
		enum hcl_io_route route;
		u64 v = 0;

		if (element_gpa(vp, x, &insn, r[reg] & amask, &memo, gpa,
				&first))
			break;
		if (!insn.in)
			v = element_read(vp, gpa, first, insn.size);
		route = hcl_io_route(vp, x->port, insn.size, !insn.in);
		reg_add(&r[reg], insn.addr_size, step);
		if (insn.rep)
			reg_add(&r[HCL_REG_RCX], insn.addr_size, -1);
		count--;
		moved += insn.size;
		if (route == HCL_IO_USER) {
			vp->stats[HCL_STAT_IO_STRING]++;
			if (!count)
				vp->rip = x->next_rip;
			hcl_io_to_user(vp, x->port, insn.size, insn.in, v);
			if (insn.in) {
				vp->pending.string_in.gpa[0] = gpa[0];
				vp->pending.string_in.gpa[1] = gpa[1];
				vp->pending.string_in.first = first;
				vp->pending.string_in.size = insn.size;
				vp->complete_user_exit = complete_string_in;
			}
			return HCL_ACT_USER;
		}
		if (insn.in)
			element_write(vp, gpa, first, insn.size,
				      route == HCL_IO_FLOAT ? ~0ULL : 0);
	}
	/* nothing done: the element the guest gave is for userspace */
	if (!moved && count)
		return HCL_ACT_UNHANDLED;
	vp->stats[HCL_STAT_IO_STRING]++;
	if (!count)
		vp->rip = x->next_rip;
	return HCL_ACT_RESUME;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_emulate_string_io);
