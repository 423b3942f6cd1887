/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The world switch: VMRUN with the guest's general registers loaded.
 *
 * void hcl_svm_vmrun(u64 vmcb_pa, struct hcl_gprs *gprs, u64 host_save_pa)
 *
 * Called with GIF clear (and RFLAGS.IF set, see svm_enter()).  VMRUN
 * saves and restores RAX, RSP, RIP, RFLAGS, segment and control state
 * through the host save area; FS, GS, TR, LDTR and the syscall MSRs are switched with
 * VMSAVE/VMLOAD through a per-CPU host save page; the remaining GPRs are
 * switched here.  struct hcl_gprs is indexed by x86 register number.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#define GPR(n)	((n) * 8)
#define RCX	GPR(1)
#define RDX	GPR(2)
#define RBX	GPR(3)
#define RBP	GPR(5)
#define RSI	GPR(6)
#define RDI	GPR(7)
#define R8	GPR(8)
#define R9	GPR(9)
#define R10	GPR(10)
#define R11	GPR(11)
#define R12	GPR(12)
#define R13	GPR(13)
#define R14	GPR(14)
#define R15	GPR(15)

	.text
SYM_FUNC_START(hcl_svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* 16(%rsp) = gprs, 8(%rsp) = guest VMCB, 0(%rsp) = host save page */
	push	%rsi
	push	%rdi
	push	%rdx

	/* host FS/GS/TR/LDTR/syscall MSRs out, the guest's in */
	mov	%rdx, %rax
	vmsave	%rax
	mov	8(%rsp), %rax
	vmload	%rax

	mov	RCX(%rsi), %rcx
	mov	RDX(%rsi), %rdx
	mov	RBX(%rsi), %rbx
	mov	RBP(%rsi), %rbp
	mov	RDI(%rsi), %rdi
	mov	R8(%rsi), %r8
	mov	R9(%rsi), %r9
	mov	R10(%rsi), %r10
	mov	R11(%rsi), %r11
	mov	R12(%rsi), %r12
	mov	R13(%rsi), %r13
	mov	R14(%rsi), %r14
	mov	R15(%rsi), %r15
	mov	RSI(%rsi), %rsi

	/* RAX = guest VMCB physical address */
	vmrun	%rax

	/* back with the host's RSP; the guest's RSI goes via the stack */
	push	%rsi
	mov	24(%rsp), %rsi
	mov	%rcx, RCX(%rsi)
	mov	%rdx, RDX(%rsi)
	mov	%rbx, RBX(%rsi)
	mov	%rbp, RBP(%rsi)
	mov	%rdi, RDI(%rsi)
	mov	%r8, R8(%rsi)
	mov	%r9, R9(%rsi)
	mov	%r10, R10(%rsi)
	mov	%r11, R11(%rsi)
	mov	%r12, R12(%rsi)
	mov	%r13, R13(%rsi)
	mov	%r14, R14(%rsi)
	mov	%r15, R15(%rsi)
	pop	%rax
	mov	%rax, RSI(%rsi)

	mov	8(%rsp), %rax
	vmsave	%rax
	mov	(%rsp), %rax
	vmload	%rax
	add	$24, %rsp

	/* leave no guest value in a caller-saved register */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%eax, %eax

	/*
	 * Before the first RET after #VMEXIT, as KVM does: the return stack
	 * buffer may hold the guest's entries, so it is filled with harmless
	 * ones where the CPU needs it (X86_FEATURE_RSB_VMEXIT), and return
	 * predictions the guest trained are undone where the kernel's
	 * retbleed / SRSO mitigation says so (UNTRAIN_RET_VM: untraining, or
	 * an IBPB with X86_FEATURE_IBPB_ON_VMEXIT).  Both are patched in at
	 * load by the kernel's alternatives, so a CPU without the bugs runs
	 * a jump and NOPs.  They clobber RAX, RCX and RDX, all cleared above.
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT
	UNTRAIN_RET_VM

	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(hcl_svm_vmrun)
