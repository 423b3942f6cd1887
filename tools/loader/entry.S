/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl-loader entry: the PVH ELF note, the 32-bit PVH entry (EBX = struct
 * hvm_start_info), identity page tables for the first 4 GiB with 2 MiB
 * pages, long mode, the loader's GDT and IDT, then loader_main in C.
 * Also the exception entry points and the trampoline into the image.
 */

#include "exc_entry.h"

#define CR0_PE		0x00000001
#define CR0_PG		0x80000000
#define CR4_PAE		0x00000020
#define MSR_EFER	0xc0000080
#define EFER_LME	0x00000100
#define MSR_FS_BASE	0xc0000100
#define MSR_GS_BASE	0xc0000101
#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define STACK_SIZE	0x10000

/* XEN_ELFNOTE_PHYS32_ENTRY: QEMU reads the descriptor as a pointer */
	.section .note.Xen, "a"
	.balign 4
	.long 4f - 3f		/* name size */
	.long 6f - 5f		/* descriptor size */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
3:	.asciz "Xen"
4:	.balign 4
5:	.quad pvh_start
6:	.balign 4

	.section .text.entry, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	rdtsc
	movl %eax, boot_tsc
	movl %edx, boot_tsc + 4
	movl %ebx, boot_start_info

	/* zero .bss (page tables and stack included) */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl %eax, boot_start_info + 4
	movl $stack_top, %esp

	/* PD entries: 2048 x 2 MiB pages, present|writable|large */
	movl $pd, %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax
	movl %eax, (%edi, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 1b
	/* PDPT[0..3] -> the four PDs; PML4[0] -> PDPT */
	movl $pdpt, %edi
	movl $pd + 3, %eax
	xorl %ecx, %ecx
2:	movl %eax, (%edi, %ecx, 8)
	addl $0x1000, %eax
	incl %ecx
	cmpl $4, %ecx
	jb 2b
	movl $pdpt + 3, pml4

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	lgdt gdt_desc
	ljmp $SEL_CODE64, $long_entry

	.code64
long_entry:
	movl $SEL_DATA, %eax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	movq $stack_top, %rsp
	call loader_idt_init
	lidt idt_desc(%rip)
	movq boot_start_info(%rip), %rdi
	movq boot_tsc(%rip), %rsi
	call loader_main
3:	cli
	hlt
	jmp 3b

/* ---- exceptions: push (error code, vector) and call loader_exception */

	exc_entries exc, exc_common

exc_common:
	movq %rsp, %rdi		/* vector, error, rip, cs, rflags, rsp, ss */
	andq $-16, %rsp
	call loader_exception
4:	cli
	hlt
	jmp 4b

	.section .rodata
	.balign 8
	.globl loader_exception_entries
loader_exception_entries:
	exc_table exc

/*
 * loader_enter_image(const struct enter_ctx *c): called on the loader's
 * stack with interrupts off, after the control registers and MSRs are
 * set.  It must stay identity-mapped in the image's page tables (the
 * loader checks that before calling).  RAX, RBX, RCX, RDX, RDI and
 * R13-R15, which a VBS register list cannot name, start as 0.
 */
	.text
	.globl loader_enter_image
loader_enter_image:
	cli
	movq 0(%rdi), %rax		/* cr3 */
	movq %rax, %cr3
	subq $16, %rsp
	movq 16(%rdi), %rax		/* gdtr */
	movw %ax, (%rsp)
	movq 8(%rdi), %rax
	movq %rax, 2(%rsp)
	lgdt (%rsp)
	movq 32(%rdi), %rax		/* idtr */
	movw %ax, (%rsp)
	movq 24(%rdi), %rax
	movq %rax, 2(%rsp)
	lidt (%rsp)
	addq $16, %rsp
	pushq 40(%rdi)			/* cs */
	leaq 5f(%rip), %rax
	pushq %rax
	lretq
5:	movq 48(%rdi), %rax
	mov %ax, %ss
	movq 56(%rdi), %rax
	mov %ax, %ds
	movq 64(%rdi), %rax
	mov %ax, %es
	movq 72(%rdi), %rax
	mov %ax, %fs
	movq 80(%rdi), %rax
	mov %ax, %gs
	movl $MSR_FS_BASE, %ecx
	movl 88(%rdi), %eax
	movl 92(%rdi), %edx
	wrmsr
	movl $MSR_GS_BASE, %ecx
	movl 96(%rdi), %eax
	movl 100(%rdi), %edx
	wrmsr
	movq 104(%rdi), %rax
	movq %rax, enter_rsp(%rip)
	movq 176(%rdi), %rax
	movq %rax, enter_rip(%rip)
	pushq 168(%rdi)			/* rflags, popped last */
	movq 112(%rdi), %rbp
	movq 120(%rdi), %rsi
	movq 128(%rdi), %r8
	movq 136(%rdi), %r9
	movq 144(%rdi), %r10
	movq 152(%rdi), %r11
	movq 160(%rdi), %r12
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %edi, %edi
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	popfq
	movq enter_rsp(%rip), %rsp
	jmp *enter_rip(%rip)
	.globl loader_enter_end
loader_enter_end:

	.data
	.balign 8
gdt:
	.quad 0
	.quad 0x00af9b000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf93000000ffff	/* 0x10: data */
gdt_end:
	.balign 8
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt
	.balign 8
	.word 0
	.globl idt_desc
idt_desc:
	.word 32 * 16 - 1
	.quad loader_idt
enter_rsp:
	.quad 0
enter_rip:
	.quad 0
	.globl boot_tsc
boot_tsc:
	.quad 0
boot_start_info:
	.quad 0

	.bss
	.balign 4096
pml4:
	.skip 4096
pdpt:
	.skip 4096
pd:
	.skip 4 * 4096
	.globl loader_idt
loader_idt:
	.skip 32 * 16
	.balign 16
stack:
	.skip STACK_SIZE
stack_top:
