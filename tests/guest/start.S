/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VTL0 test guest entry: underhill_vm starts the VP here in 64-bit long
 * mode with paging on and RSP set; clear .bss and call guest_main.
 */
	.section .text.start, "ax"
	.globl _start
	.code64
_start:
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb
	call	guest_main
1:	hlt
	jmp	1b
