/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sidecar's entry, its interrupt entry points and its page tables.
 *
 * sidecar_entry64: the shim's trampoline (shim/boot/trampoline.S) jumps
 * here on every sidecar CPU in the state hcl/sidecar.h describes: long
 * mode on these page tables, interrupts off, no stack, RDI = the control
 * page.  The CPU takes the TSC (start_tsc), finds its own entry in the
 * control page by its APIC id (CPUID 1, EBX[31:24]), moves onto its own
 * stack in its private pages and calls sidecar_main(control, index,
 * start_tsc).  A CPU whose APIC id is not listed halts with interrupts
 * off: it has no entry to report into.
 *
 * Offsets in the control page (asserted in main.c): cpu_count at 8,
 * cpu[i] at 64 + 64 * i, its apic_id at +4.
 */

#include "exc_entry.h"

#define CTL_CPU_COUNT	8
#define CTL_CPU		64
#define CPU_SHIFT	6
#define CPU_APIC_ID	4
#define PAGE_SHIFT	12
#define PRIV_PAGES	9	/* HCL_SIDECAR_PRIV_PAGES */
#define STACK_PAGES	4	/* HCL_SIDECAR_STACK_PAGES, at priv page 0 */
#define LAPIC_EOI	0xfee000b0

	.text
	.code64
	.globl	sidecar_entry64
sidecar_entry64:
	cli
	cld
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	movq	%rax, %r12		/* start_tsc */
	movq	%rdi, %r13		/* the control page */
	movl	$1, %eax
	xorl	%ecx, %ecx
	cpuid
	shrl	$24, %ebx		/* the initial APIC id */
	movl	CTL_CPU_COUNT(%r13), %ecx
	xorl	%esi, %esi
1:	cmpl	%ecx, %esi
	jae	3f
	movl	%esi, %eax
	shlq	$CPU_SHIFT, %rax
	cmpl	CTL_CPU + CPU_APIC_ID(%r13, %rax), %ebx
	je	2f
	incl	%esi
	jmp	1b
	/* RSP = control + ((1 + n) + i * PRIV_PAGES + STACK_PAGES) pages */
2:	movl	%ecx, %eax
	incq	%rax
	movl	%esi, %edx
	imulq	$PRIV_PAGES, %rdx
	addq	%rdx, %rax
	addq	$STACK_PAGES, %rax
	shlq	$PAGE_SHIFT, %rax
	addq	%r13, %rax
	movq	%rax, %rsp
	xorl	%ebp, %ebp
	movq	%r13, %rdi
	/* RSI = the index (zero-extended by the 32-bit ops above) */
	movq	%r12, %rdx
	call	sidecar_main
3:	cli
	hlt
	jmp	3b

/*
 * Exceptions (rt/exc_entry.h): on the IST1 stack, the common part calls
 * sidecar_exception(vector, error, rip, cpu), which reports and never
 * returns.  cpu, the CPU's control-page entry, is the last word of the
 * IST page (desc.c), found from RSP: GS may hold a guest's base around
 * VMRUN, so the handler does not trust it.
 */
	exc_entries sc_exc, sc_exc_common

sc_exc_common:
	movq	(%rsp), %rdi		/* vector */
	movq	8(%rsp), %rsi		/* error code */
	movq	16(%rsp), %rdx		/* RIP */
	movq	%rsp, %rcx
	orq	$0xfff, %rcx
	movq	-7(%rcx), %rcx		/* the IST page's last word */
	andq	$-16, %rsp
	call	sidecar_exception
4:	cli
	hlt
	jmp	4b

/*
 * Vectors 32..255: a wake-up.  The IPI's only job is to end the HLT in
 * the dispatch loop, so the handler sends the EOI and returns.
 */
	.globl	sidecar_irq
	.balign	16
sidecar_irq:
	pushq	%rax
	xorl	%eax, %eax
	movabsl	%eax, LAPIC_EOI
	popq	%rax
	iretq

	.section .rodata
	.balign	8
	.globl	sidecar_exc_table
sidecar_exc_table:
	exc_table sc_exc

/*
 * The page tables every sidecar CPU shares, read-only once built: an
 * identity map of [0, 8 GiB) (HCL_SIDECAR_MAP_END) with 2 MiB pages,
 * write-back except the local APIC's page (PCD|PWT).  Static, so the
 * trampoline can load them before any sidecar code runs.
 */
#define PTE_P_RW	0x3
#define PDE_2M		0x83
#define PDE_2M_UC	0x9b
#define LAPIC_2M	0xfee00000

	.section .data.pagetables, "aw"
	.balign	4096
	.globl	sidecar_pml4
sidecar_pml4:
	.quad	sidecar_pdpt + PTE_P_RW
	.fill	511, 8, 0
sidecar_pdpt:
	.set	pd_i, 0
	.rept	8
	.quad	sidecar_pd + pd_i * 4096 + PTE_P_RW
	.set	pd_i, pd_i + 1
	.endr
	.fill	504, 8, 0
sidecar_pd:
	.set	pa, 0
	.rept	8 * 512
	.if	pa == LAPIC_2M
	.quad	pa + PDE_2M_UC
	.else
	.quad	pa + PDE_2M
	.endif
	.set	pa, pa + 0x200000
	.endr

	.section .note.GNU-stack, "", @progbits
