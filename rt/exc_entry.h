/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 exception entry points the shim and the host loader both have,
 * as assembler macros for their entry.S:
 *
 *   exc_entries PREFIX, COMMON   PREFIX_0 .. PREFIX_31: each pushes a zero
 *                                where the CPU pushes no error code, then
 *                                its vector, and jumps to COMMON with the
 *                                stack holding vector, error code, RIP,
 *                                CS, RFLAGS, RSP, SS
 *   exc_table PREFIX             their 32 addresses, by vector, as quads
 *                                in the current section
 *
 * Vectors 8, 10-14, 17, 21, 29 and 30 are the ones with an error code.
 */
#ifndef HCL_RT_EXC_ENTRY_H
#define HCL_RT_EXC_ENTRY_H

#ifndef __ASSEMBLER__
#error "exc_entry.h holds assembler macros"
#endif

	.macro	exc_entry prefix, common, vec
	.balign	16
\prefix\()_\vec:
	.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || \
	    (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	\common
	.endm

	.macro	exc_entries prefix, common
	.irp	vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	exc_entry \prefix, \common, \vec
	.endr
	.irp	vec, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	exc_entry \prefix, \common, \vec
	.endr
	.endm

	.macro	exc_table prefix
	.irp	vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	.quad	\prefix\()_\vec
	.endr
	.irp	vec, 16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	\prefix\()_\vec
	.endr
	.endm

#endif /* HCL_RT_EXC_ENTRY_H */
