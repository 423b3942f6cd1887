/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VTL0 test guest entry: underhill_vm starts the VP here in 64-bit long
 * mode with paging on and RSP set.  The first VP to get here stamps the
 * TSC for the boot timeline; then clear .bss and call guest_main.
 */
#include "vtl0_test_abi.h"

	.section .text.start, "ax"
	.globl _start
	.code64
_start:
	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	xor	%eax, %eax
	lock cmpxchg %rdx, HCL_GUEST_FIRST_TSC_GPA
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb
	call	guest_main
1:	hlt
	jmp	1b
