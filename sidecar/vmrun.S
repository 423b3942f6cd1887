/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sidecar's world switch (RUN_VP):
 *
 *   void sc_vmrun(uint64_t vmcb_pa, uint64_t *gpr, uint64_t host_vmsave_pa)
 *
 * Called with GIF clear.  VMRUN switches RAX, RSP, RIP, RFLAGS and the
 * segment and control state through the host save area (VM_HSAVE_PA);
 * FS, GS (the sidecar's GS base is its control-page entry), TR, LDTR and
 * the syscall MSRs go through VMSAVE/VMLOAD with the CPU's host VMSAVE
 * page; the other GPRs are switched here from and to gpr[], indexed by
 * x86 register number (hcl/sidecar.h, struct hcl_sidecar_vp_save).
 */

#define SLOT(n)	((n) * 8)

	.text
	.code64
	.globl	sc_vmrun
sc_vmrun:
	pushq	%rbp
	pushq	%r15
	pushq	%r14
	pushq	%r13
	pushq	%r12
	pushq	%rbx
	/* 16(%rsp) = gpr, 8(%rsp) = the VMCB, 0(%rsp) = host VMSAVE page */
	pushq	%rsi
	pushq	%rdi
	pushq	%rdx

	movq	%rdx, %rax
	vmsave	%rax
	movq	8(%rsp), %rax
	vmload	%rax

	movq	SLOT(1)(%rsi), %rcx
	movq	SLOT(2)(%rsi), %rdx
	movq	SLOT(3)(%rsi), %rbx
	movq	SLOT(5)(%rsi), %rbp
	movq	SLOT(7)(%rsi), %rdi
	movq	SLOT(8)(%rsi), %r8
	movq	SLOT(9)(%rsi), %r9
	movq	SLOT(10)(%rsi), %r10
	movq	SLOT(11)(%rsi), %r11
	movq	SLOT(12)(%rsi), %r12
	movq	SLOT(13)(%rsi), %r13
	movq	SLOT(14)(%rsi), %r14
	movq	SLOT(15)(%rsi), %r15
	movq	SLOT(6)(%rsi), %rsi

	vmrun	%rax

	/* the host's RSP is back; the guest's RSI goes through the stack */
	pushq	%rsi
	movq	24(%rsp), %rsi
	movq	%rcx, SLOT(1)(%rsi)
	movq	%rdx, SLOT(2)(%rsi)
	movq	%rbx, SLOT(3)(%rsi)
	movq	%rbp, SLOT(5)(%rsi)
	movq	%rdi, SLOT(7)(%rsi)
	movq	%r8, SLOT(8)(%rsi)
	movq	%r9, SLOT(9)(%rsi)
	movq	%r10, SLOT(10)(%rsi)
	movq	%r11, SLOT(11)(%rsi)
	movq	%r12, SLOT(12)(%rsi)
	movq	%r13, SLOT(13)(%rsi)
	movq	%r14, SLOT(14)(%rsi)
	movq	%r15, SLOT(15)(%rsi)
	popq	%rax
	movq	%rax, SLOT(6)(%rsi)

	movq	8(%rsp), %rax
	vmsave	%rax
	movq	(%rsp), %rax
	vmload	%rax
	addq	$24, %rsp

	popq	%rbx
	popq	%r12
	popq	%r13
	popq	%r14
	popq	%r15
	popq	%rbp
	ret

	.section .note.GNU-stack, "", @progbits
