/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A probe in place of the shim, for testing hcl-loader alone: a flat,
 * position-independent 64-bit binary entered as the IGVM VP context
 * says (long mode, RSI = the parameter block, RSP = the image's stack).
 * It checks the parameter block's magic, reads the VP count and the host
 * device tree's magic from the GPAs the block gives, prints
 *   probe: params ok vps=<n> dt=ok        (or dt=bad, or a failure line)
 * and then "probe: cmdline=<the host command line parameter>" on COM1,
 * and exits through the isa-debug-exit port 0xf4: 0 when all is
 * well (QEMU exit status 1), 1 otherwise (status 3).
 *
 * Offsets into struct hcl_igvm_params (include/hcl/igvm_layout.h).
 */
#define PARAMS_MAGIC		0x504c4348	/* "HCLP" */
#define OFF_VP_COUNT_GPA	192
#define OFF_HOST_CMDLINE_GPA	200
#define OFF_DEVICE_TREE_GPA	216
#define FDT_MAGIC_LE		0xedfe0dd0	/* d0 0d fe ed read as LE */
#define COM1			0x3f8
#define EXIT_PORT		0xf4

	.code64
	.text
	.globl _start
_start:
	cld
	movq %rsi, %r12
	cmpl $PARAMS_MAGIC, (%r12)
	jne bad_params
	movq OFF_VP_COUNT_GPA(%r12), %rax
	movl (%rax), %r13d
	movq OFF_DEVICE_TREE_GPA(%r12), %rax
	xorl %r14d, %r14d		/* 0: device tree magic ok */
	cmpl $FDT_MAGIC_LE, (%rax)
	je 1f
	movl $1, %r14d
1:	leaq msg_ok(%rip), %rdi
	call puts
	movl %r13d, %eax
	call put_dec
	leaq msg_dt(%rip), %rdi
	call puts
	leaq msg_good(%rip), %rdi
	testl %r14d, %r14d
	jz 2f
	leaq msg_bad(%rip), %rdi
2:	call puts
	call newline
	leaq msg_cmdline(%rip), %rdi
	call puts
	movq OFF_HOST_CMDLINE_GPA(%r12), %rdi
	call puts
	call newline
	movl %r14d, %eax
	jmp exit

bad_params:
	leaq msg_magic(%rip), %rdi
	call puts
	movl $1, %eax
exit:
	movw $EXIT_PORT, %dx
	outl %eax, %dx
3:	cli
	hlt
	jmp 3b

/* putc: the byte in AL, once the transmitter is empty */
putc:
	movl %eax, %ecx
	movw $COM1 + 5, %dx
4:	inb %dx, %al
	testb $0x20, %al
	jz 4b
	movl %ecx, %eax
	movw $COM1, %dx
	outb %al, %dx
	ret

newline:
	movl $'\r', %eax
	call putc
	movl $'\n', %eax
	jmp putc

/* puts: the NUL-terminated string at RDI */
puts:
	movzbl (%rdi), %eax
	testl %eax, %eax
	jz 5f
	call putc
	incq %rdi
	jmp puts
5:	ret

/* put_dec: EAX in decimal */
put_dec:
	movl $10, %r8d
	xorl %r9d, %r9d		/* digits pushed */
6:	xorl %edx, %edx
	divl %r8d
	pushq %rdx
	incl %r9d
	testl %eax, %eax
	jnz 6b
7:	popq %rax
	addl $'0', %eax
	call putc
	decl %r9d
	jnz 7b
	ret

	.section .rodata
msg_ok:		.asciz "probe: params ok vps="
msg_dt:		.asciz " dt="
msg_good:	.asciz "ok"
msg_bad:	.asciz "bad"
msg_cmdline:	.asciz "probe: cmdline="
msg_magic:	.asciz "probe: bad params magic\r\n"
