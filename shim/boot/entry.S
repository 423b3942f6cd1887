/* SPDX-License-Identifier: GPL-2.0 */
/*
 * openhcl_boot's entry, its exception entry points and the jump to Linux.
 *
 * The host loader starts the boot CPU here (offset 0 of the flat binary)
 * in 64-bit long mode, on the IGVM image's GDT, page tables and stack,
 * with RSI = the measured parameter block.  Before any C runs the shim
 * moves onto its own state, all of it in its own .data/.bss:
 *
 *   1. the TSC (shim-tsc), before anything else;
 *   2. its GDT: null, 0x08 unused, 0x10 flat 64-bit code, 0x18 flat
 *      data -- 0x10/0x18 are the boot protocol's __BOOT_CS/__BOOT_DS,
 *      so the same GDT and segments are what Linux is started with;
 *   3. its stack (SHIM_STACK_SIZE, in .bss), CS reloaded with a far
 *      return, DS/ES/SS/FS/GS = 0x18;
 *   4. .bss cleared (the image carries it as zero pages, but memory may
 *      hold anything after a reset);
 *   5. its page tables: an identity map of [0, 8 GiB) with 2 MiB pages
 *      (one PML4, one PDPT, eight PDs).  That covers every VTL2 range the
 *      image format allows (the parameter check enforces it), the low
 *      RAM lent to Linux, and everything Linux's 64-bit entry needs
 *      identity-mapped: the kernel area, boot_params, the command line
 *      and setup_data;
 *   6. its IDT (shim_idt_init, in C): vectors 0..31 report
 *      "openhcl_boot: exception <vector> at RIP ... error ..." and stop;
 *   7. shim_main(params, shim_tsc), which never returns.
 */

#include "exc_entry.h"

/* ECX page-table entries at RDI: RAX, then RAX + step for each next one */
	.macro	fill_entries step
2:	movq	%rax, (%rdi)
	addq	$8, %rdi
	addq	$\step, %rax
	decl	%ecx
	jnz	2b
	.endm

#define SEL_CODE	0x10
#define SEL_DATA	0x18
#define SHIM_STACK_SIZE	0x8000
#define PTE_P_RW	0x3
#define PDE_2M		0x83	/* present, writable, 2 MiB page */

	.section .text.entry, "ax"
	.code64
	.globl	shim_entry
shim_entry:
	cli
	cld
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	movq	%rax, %r12		/* shim-tsc */
	movq	%rsi, %r13		/* the parameter block */

	lgdt	shim_gdt_desc(%rip)
	leaq	shim_stack_top(%rip), %rsp
	pushq	$SEL_CODE
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq
1:	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs

	/* clear .bss (the stack is empty: nothing on it is needed) */
	leaq	__bss_start(%rip), %rdi
	leaq	__bss_end(%rip), %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	rep stosb

	/* PML4[0] -> PDPT */
	leaq	shim_pdpt(%rip), %rax
	orq	$PTE_P_RW, %rax
	movq	%rax, shim_pml4(%rip)
	/* PDPT[0..7] -> PD 0..7 */
	leaq	shim_pdpt(%rip), %rdi
	leaq	shim_pd(%rip), %rax
	orq	$PTE_P_RW, %rax
	movl	$8, %ecx
	fill_entries 0x1000
	/* 8 * 512 2 MiB pages from 0 */
	leaq	shim_pd(%rip), %rdi
	movl	$PDE_2M, %eax
	movl	$(8 * 512), %ecx
	fill_entries 0x200000
	leaq	shim_pml4(%rip), %rax
	movq	%rax, %cr3

	call	shim_idt_init
	movq	%r13, %rdi
	movq	%r12, %rsi
	call	shim_main
4:	cli
	hlt
	jmp	4b

/*
 * noreturn void shim_start_linux(uint64_t entry, uint64_t boot_params):
 * the 64-bit boot protocol's entry state -- CS 0x10, DS/ES/SS 0x18 (set
 * above and never changed), interrupts off, RSI = boot_params.
 */
	.text
	.globl	shim_start_linux
shim_start_linux:
	cli
	movq	%rdi, %rax
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	jmp	*%rax

/*
 * Exception entry points (rt/exc_entry.h): the common part calls
 * shim_exception(vector, error, rip) on an aligned stack.
 */
	exc_entries isr, isr_common

isr_common:
	movq	(%rsp), %rdi		/* vector */
	movq	8(%rsp), %rsi		/* error code */
	movq	16(%rsp), %rdx		/* RIP */
	andq	$-16, %rsp
	call	shim_exception
5:	cli
	hlt
	jmp	5b

	.section .rodata
	.align	8
	.globl	shim_isr_table
shim_isr_table:
	exc_table isr

	.section .data
	.align	16
shim_gdt:
	.quad	0
	.quad	0
	.quad	0x00af9b000000ffff	/* 0x10: 64-bit code, flat */
	.quad	0x00cf93000000ffff	/* 0x18: data, flat, 4 GiB */
shim_gdt_end:
	.align	16
	.word	0
	.word	0
	.word	0
shim_gdt_desc:
	.word	shim_gdt_end - shim_gdt - 1
	.quad	shim_gdt

	.section .bss
	.align	4096
shim_pml4:
	.skip	4096
shim_pdpt:
	.skip	4096
shim_pd:
	.skip	8 * 4096
	.align	16
shim_stack:
	.skip	SHIM_STACK_SIZE
shim_stack_top:

	.section .note.GNU-stack, "", @progbits
