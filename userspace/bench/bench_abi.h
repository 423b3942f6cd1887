/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the bench runners (hcl-bench-hcl, hcl-bench-kvm)
 * and the freestanding bench guest: where each VP's mailbox and stack
 * live, the ports and the MMIO address the loops touch, and the mailbox
 * layout.  Included by both sides (the guest is freestanding).
 *
 * Protocol: the runner writes a command (kind, arg, warmup, iters) into
 * the VP's mailbox and runs the VP.  The guest runs the loop @warmup
 * times, then @iters times between two RDTSCs, stores both stamps,
 * increments @done and halts with interrupts disabled, which reaches
 * the runner as a halt exit.  The next run resumes after the HLT and
 * reads the next command.  The guest finds its mailbox in RBX at entry.
 */
#ifndef HCL_BENCH_ABI_H
#define HCL_BENCH_ABI_H

#include <stdint.h>

#include "vtl0_test_abi.h"

#define BENCH_MAX_VPS		4
#define BENCH_MAILBOX_GPA	0x80000ULL	/* VP 0's; VP i is i pages up */
#define BENCH_MAILBOX_STRIDE	0x1000ULL
#define BENCH_STACK_STRIDE	0x4000ULL	/* VP i: i strides down */

#define BENCH_PIO_USER_PORT	0x610	/* claimed by userspace */
#define BENCH_PIO_KERNEL_PORT	0x680	/* claimed by nobody */
#define BENCH_MMIO_GPA		0x3c000000ULL	/* past VTL0 RAM, below 1 GiB */
#define BENCH_MMIO_LEN		0x1000ULL
#define BENCH_CPUID_LEAF	0x40000001U

/*
 * Hypercall codes for the VMMCALL loop: HCL_HC_NOP, which hcl answers in
 * the kernel, and a code KVM does not know, which it answers in the
 * kernel with -KVM_ENOSYS.
 */
#define BENCH_HC_HCL_NOP	0x0
#define BENCH_HC_KVM_UNKNOWN	0x1000

enum bench_kind {
	BENCH_KIND_VMMCALL = 1,	/* VMMCALL with RAX = arg */
	BENCH_KIND_CPUID,	/* CPUID leaf BENCH_CPUID_LEAF */
	BENCH_KIND_PIO,		/* 1-byte OUT to port arg */
	BENCH_KIND_MMIO,	/* 4-byte store to BENCH_MMIO_GPA */
};

struct bench_mailbox {
	/* in, written by the runner before the run */
	uint32_t kind;		/* enum bench_kind */
	uint32_t arg;
	uint64_t warmup;
	uint64_t iters;
	/* out, written by the guest before it halts */
	uint64_t tsc_start;
	uint64_t tsc_end;
	uint64_t done;		/* commands completed */
	uint64_t bad;		/* commands with an unknown kind */
};

#define BENCH_MAILBOX(i)	(BENCH_MAILBOX_GPA + (i) * BENCH_MAILBOX_STRIDE)
#define BENCH_STACK_TOP(i)	(HCL_GUEST_STACK_TOP - (i) * BENCH_STACK_STRIDE)

#endif
