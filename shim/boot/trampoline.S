/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sidecar CPUs' way from the SIPI to the sidecar (smp.c copies it to
 * HCL_SIDECAR_TRAMPOLINE and fills in its three words):
 *
 *   real mode at TRAMP:0 (the SIPI vector's page) -> its own GDT, 32-bit
 *   protected mode -> PAE, CR3 = the sidecar's page tables, EFER.LME|NXE,
 *   paging -> 64-bit code -> RDI = the control page, jump to the
 *   sidecar's entry64.
 *
 * Every AP runs it at once: it uses no stack and writes no memory.  It
 * is assembled for its run address (TRAMP), so every absolute address is
 * TRAMP + (label - sc_tramp_start).
 */

#define TRAMP		0x8000		/* HCL_SIDECAR_TRAMPOLINE */
#define REL(x)		(TRAMP + (x) - sc_tramp_start)
#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18
#define MSR_EFER	0xc0000080
#define EFER_LME_NXE	0x900

	.section .rodata
	.globl	sc_tramp_start, sc_tramp_end
	.globl	sc_tramp_cr3, sc_tramp_control, sc_tramp_entry
	.balign	16
	.code16
sc_tramp_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	(sc_tramp_gdt_desc - sc_tramp_start)
	movl	%cr0, %eax
	orl	$1, %eax		/* PE */
	movl	%eax, %cr0
	ljmpl	$SEL_CODE32, $REL(1f)

	.code32
1:	movl	$SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr4, %eax
	orl	$0x20, %eax		/* PAE */
	movl	%eax, %cr4
	movl	REL(sc_tramp_cr3), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME_NXE, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000000, %eax	/* PG */
	movl	%eax, %cr0
	ljmpl	$SEL_CODE64, $REL(2f)

	.code64
2:	movq	REL(sc_tramp_control), %rdi
	movq	REL(sc_tramp_entry), %rax
	jmp	*%rax

	.balign	8
sc_tramp_gdt:
	.quad	0
	.quad	0x00cf9b000000ffff	/* 0x08: 32-bit code, flat */
	.quad	0x00cf93000000ffff	/* 0x10: data, flat */
	.quad	0x00af9b000000ffff	/* 0x18: 64-bit code, flat */
sc_tramp_gdt_desc:
	.word	4 * 8 - 1
	.long	REL(sc_tramp_gdt)
	.balign	8
sc_tramp_cr3:
	.quad	0
sc_tramp_control:
	.quad	0
sc_tramp_entry:
	.quad	0
sc_tramp_end:

	.section .note.GNU-stack, "", @progbits
