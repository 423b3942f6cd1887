/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Linux guest's profile: an unmodified x86-64 bzImage (Debian's own
 * kernel), its initramfs and command line, booted with the 64-bit boot
 * protocol (linux_load.h) on a machine described by an MP table
 * (mptable.h): VP 0 is the BSP, the other VPs are APs waiting for INIT
 * and SIPI, which hcl.ko's local APIC delivers.
 *
 * The platform it adds beyond COM1: the CMOS RTC, the reset and
 * power-off ports, the absorbed legacy ports, and a catch-all for every
 * other port; COM1's interrupt is ISA IRQ 4 (IOAPIC pin 4), and the
 * host's standard input is COM1's receive side.
 *
 * Its CPUID table (guest_linux_cpuid) is an AMD CPU with the host's
 * family and basic features minus what hcl.ko does not emulate (XSAVE
 * and AVX, MONITOR, PCID/INVPCID, RDTSCP/RDPID, MCE/MTRR, performance
 * monitoring, SVM), plus what lets Linux run without the PIT: the local
 * APIC with x2APIC and TSC-deadline, ARAT, an invariant TSC, and KVM's
 * signature with kvmclock (KVM_FEATURE_CLOCKSOURCE2 and the stable bit),
 * so that the kernel takes the TSC and CPU frequencies from kvmclock and
 * turns x2APIC on (APIC accesses become MSR exits, no MMIO decoding).
 * Each VP's APIC id is its index (CPUID 1 EBX, 0xb), the VP count is in
 * the topology leaves.
 */
#ifndef HCL_VM_GUEST_LINUX_H
#define HCL_VM_GUEST_LINUX_H

#include <stdint.h>
#include <linux/hcl.h>

/* the guest's exit status when underhill_vm reports a reset */
#define GUEST_LINUX_RESET_RESULT	0x100

/* the host's CPUID(@fn, @idx): out[0..3] = EAX, EBX, ECX, EDX */
typedef void (*host_cpuid_fn)(uint32_t fn, uint32_t idx, uint32_t out[4]);

void guest_linux_host_cpuid(uint32_t fn, uint32_t idx, uint32_t out[4]);

/*
 * VP @vp's CPUID table (of @nr_vps) into @e (room for @max).  Returns
 * the entry count, 0 when @max is too small.
 */
unsigned int guest_linux_cpuid(struct hcl_cpuid_entry *e, unsigned int max,
			       unsigned int vp, unsigned int nr_vps,
			       host_cpuid_fn host);

#endif
