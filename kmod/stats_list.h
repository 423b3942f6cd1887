/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic counters, one table (no include guard: included with
 * HCL_STAT(ENUM, name) defined, see stats.h).  HCL_STAT_<ENUM> is shown as
 * "name" in debugfs; keep the names: README and the tests read them.
 * A backend lists its own the same way (svm/svm_stats.h).
 */
HCL_STAT(EXITS, exits)			/* every exit from the guest */
HCL_STAT(USER_EXITS, user_exits)	/* exits that reached userspace */
HCL_STAT(CPUID, cpuid)
HCL_STAT(IO_USER, io_user)
HCL_STAT(IO_KERNEL, io_kernel)		/* unclaimed ports */
HCL_STAT(IO_DOORBELL, io_doorbell)
HCL_STAT(IO_STRING, io_string)		/* INS/OUTS exits done in the kernel */
HCL_STAT(MMIO_USER, mmio_user)
HCL_STAT(MMIO_DOORBELL, mmio_doorbell)
HCL_STAT(MSR_KERNEL, msr_kernel)
HCL_STAT(MSR_USER, msr_user)
HCL_STAT(HLT_WAIT, hlt_wait)		/* halts waited out in the kernel */
HCL_STAT(HLT_USER, hlt_user)
HCL_STAT(INTR, host_interrupt)		/* host interrupts and NMIs */
HCL_STAT(VINTR, irq_window)		/* interrupt windows */
HCL_STAT(VTL_VIOLATION, vtl_violation)
HCL_STAT(INJECTIONS, injections)
HCL_STAT(SHUTDOWN, shutdown)
HCL_STAT(HYPERCALL, hypercall)		/* answered in the kernel */
HCL_STAT(HYPERCALL_USER, hypercall_user)
HCL_STAT(DR, debug_reg)			/* debug register accesses */
HCL_STAT(OTHER, other)
HCL_STAT(GUEST_NS, guest_ns)		/* in the guest (with the switch) */
HCL_STAT(KERNEL_NS, kernel_ns)		/* in exit handlers */
HCL_STAT(USER_NS, user_ns)		/* from a user exit to the next run */
HCL_STAT(HALT_NS, halt_ns)		/* halted, waiting for an interrupt */
HCL_STAT(APIC_MMIO, apic_mmio)		/* xAPIC page accesses */
HCL_STAT(APIC_MSR, apic_msr)		/* APIC base, x2APIC, TSC deadline */
HCL_STAT(IOAPIC_MMIO, ioapic_mmio)
HCL_STAT(APIC_TIMER, apic_timer)	/* APIC timer expirations */
HCL_STAT(IPI, ipi_sent)			/* IPIs this VP sent */
HCL_STAT(PAUSE, pause_exits)		/* PAUSE exits: the guest spins */
HCL_STAT(YIELD_TO, yield_to)		/* pause exits yielded to another VP */
HCL_STAT(YIELD_NONE, yield_none)	/* pause exits no VP could use */
