/* SPDX-License-Identifier: GPL-2.0 */
/*
 * String I/O (INS, OUTS, with or without REP) done in the kernel
 * (string_io.c): the backend's exit decoder describes the exit, the
 * emulation moves the elements between guest memory and the port.
 */
#ifndef HCL_STRING_IO_H
#define HCL_STRING_IO_H

#include <linux/types.h>

#include "emulate.h"
#include "insn.h"
#include "vp.h"

/*
 * A segment register.  Of attrib only the low byte is read (type 3:0, S,
 * DPL, P), laid out alike in the VMCB and in VMX's access rights.
 */
struct hcl_seg_reg {
	u64 base;
	u32 limit;		/* in bytes, granularity applied */
	u16 attrib;
};

/*
 * Bytes moved in the kernel per exit before the guest runs again, with
 * RIP still at the instruction: a REP with more to do exits again, and
 * interrupts and signals are taken in between, as between the
 * iterations on the CPU.
 */
#define HCL_STRING_IO_BATCH	4096

/* The exit, as the backend saw it (the instruction is fetched here). */
struct hcl_string_io_exit {
	struct hcl_code code;	/* paging, CS base, code size */
	struct hcl_seg_reg seg[HCL_NR_SEGS];
	u64 next_rip;		/* past the instruction */
	u16 port;
	u8 size;		/* 1, 2 or 4 */
	u8 cpl;
	bool in;
	bool rep;
	bool df;		/* RFLAGS.DF: addresses go down */
};

enum hcl_exit_action hcl_emulate_string_io(struct hcl_vp *vp,
					   const struct hcl_string_io_exit *x);

#endif /* HCL_STRING_IO_H */
