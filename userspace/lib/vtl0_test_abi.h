/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between underhill_vm and the VTL0 test guest: where the
 * guest is loaded, the test device's port, and the CPUID leaves the guest
 * checks.  Included by both sides (the guest is freestanding).
 */
#ifndef HCL_VTL0_TEST_ABI_H
#define HCL_VTL0_TEST_ABI_H

#define HCL_GUEST_LOAD_GPA	0x100000ULL	/* image and entry point */
#define HCL_GUEST_STACK_TOP	0x80000ULL
/* VP n's stack: 64 KiB each from 2 MiB up (VP 0 may use either) */
#define HCL_GUEST_VP_STACK(n)	(0x200000ULL + ((n) + 1) * 0x10000ULL)
#define HCL_GUEST_GDT_GPA	0x500ULL
/* u64: the TSC at the first VP's first instruction (for the timeline) */
#define HCL_GUEST_FIRST_TSC_GPA	0x400	/* no suffix: start.S uses it */
#define HCL_GUEST_PML4_GPA	0x1000ULL	/* then PDPT, then PD */
#define HCL_GUEST_PT_PAGES	3

#define HCL_COM1_PORT		0x3f8
/*
 * The test device: a 32-bit OUT reports the guest's result, 0 for pass,
 * otherwise the number of the check that failed.
 */
#define HCL_TEST_PORT		0x600

/*
 * The vTPM (a sandboxed device worker): TIS registers at HCL_TPM_BASE,
 * and a control port where a 32-bit OUT of 1 kills the worker (the VMM
 * restarts it) and a 32-bit IN reads how many times it died.
 */
#define HCL_TPM_BASE		0xfed40000ULL
#define HCL_TPM_CTL_PORT	0x610
#define HCL_TPM_CTL_KILL	1

/* Hypervisor leaves the guest checks (answered from the VP's table). */
#define HCL_CPUID_SIG_LEAF	0x40000000U
#define HCL_CPUID_SIG_EBX	0x706c6368U	/* "hclp" */
#define HCL_CPUID_SIG_ECX	0x76617261U	/* "arav" */
#define HCL_CPUID_SIG_EDX	0x726f7369U	/* "isor" */
#define HCL_CPUID_TEST_LEAF	0x40000001U
#define HCL_CPUID_TEST_EAX	0x1c1c0001U
#define HCL_CPUID_TEST_EDX	0x600dcafeU
#define HCL_CPUID_ABSENT_LEAF	0x4000007fU	/* must read as zeroes */

/* VMMCALL codes hcl.ko answers in the kernel (see linux/hcl.h) */
#define HCL_GUEST_HC_VP_INDEX	1

#endif
