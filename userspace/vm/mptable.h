/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Intel MultiProcessor Specification 1.4 table that tells a guest
 * without ACPI its CPUs and interrupt routing (Linux: X86_MPPARSE, found
 * by scanning 0xf0000-0xfffff):
 *
 *   floating pointer  "_MP_" at @gpa (16-byte aligned), pointing at the
 *                     configuration table right behind it
 *   processors        one per VP: APIC id = VP index, VP 0 the BSP
 *   bus 0             "ISA"
 *   IOAPIC            id = the VP count, at MPTABLE_IOAPIC_ADDR
 *   I/O interrupts    ISA IRQ 0 -> IOAPIC pin 2, IRQs 1 and 3-15 -> the
 *                     pin of the same number; polarity and trigger
 *                     "conform to the bus": edge-triggered, active high
 *   local interrupts  LINT0 ExtINT, LINT1 NMI, on every local APIC
 *
 * The caller reserves the bytes in the guest's e820 table.
 */
#ifndef HCL_VM_MPTABLE_H
#define HCL_VM_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_LAPIC_ADDR	0xfee00000u
#define MPTABLE_IOAPIC_ADDR	0xfec00000u
#define MPTABLE_MAX_CPUS	254	/* APIC ids 0..253, the IOAPIC next */

/* sizes of the structures (MP spec 1.4, chapter 4) */
#define MP_FLOAT_SIZE		16
#define MP_HEADER_SIZE		44
#define MP_CPU_SIZE		20
#define MP_ENTRY_SIZE		8	/* bus, IOAPIC, interrupts */

enum { MP_CPU, MP_BUS, MP_IOAPIC, MP_IOINT, MP_LINT };
enum { MP_INT_INT = 0, MP_INT_NMI = 1, MP_INT_EXTINT = 3 };

/* The table's size for @nr_cpus. */
size_t mptable_size(unsigned int nr_cpus);

/*
 * Writes the table for @nr_cpus (1..MPTABLE_MAX_CPUS) at @buf, which
 * stands for guest-physical @gpa (16-byte aligned, below 4 GiB) and has
 * room for @room bytes.  @cpu_signature and @cpu_features are CPUID
 * 1's EAX and EDX.  Returns the size written, or 0 when the arguments do
 * not allow a table.
 */
size_t mptable_write(void *buf, size_t room, uint64_t gpa,
		     unsigned int nr_cpus, uint32_t cpu_signature,
		     uint32_t cpu_features);

#endif
