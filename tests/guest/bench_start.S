/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bench guest entry: the runner starts every VP here in 64-bit long mode
 * with its own RSP and its mailbox address in RBX.  No .bss to clear
 * (several VPs enter at once), so straight to bench_main(mailbox).
 */
	.section .text.start, "ax"
	.globl _start
	.code64
_start:
	mov	%rbx, %rdi
	call	bench_main
1:	cli
	hlt
	jmp	1b
