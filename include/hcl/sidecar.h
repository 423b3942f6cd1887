/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sidecar contract: the one definition of the memory the shim
 * (shim/boot/smp.c), the sidecar kernel (sidecar/) and hcl.ko
 * (kmod/sidecar.c) share.  Fixed-width types and macros only, so it
 * compiles freestanding, in the kernel and in userspace.  docs/sidecar.md
 * has the design around it.
 *
 * ---- The pieces in memory
 *
 * The sidecar image: a flat binary (sidecar/, `make sidecar`) linked at
 * VTL2 base + HCL_IGVM_OFF_SIDECAR (igvm_layout.h), whose first bytes are
 * struct hcl_sidecar_image.  The shim checks the header and reports the
 * image's memory [base, image_end) as OPENHCL_MEM_SIDECAR.
 *
 * The sidecar region, which the shim carves from the top of VTL2's free
 * memory (also OPENHCL_MEM_SIDECAR: e820 reserved, /reserved-memory
 * no-map, so Linux never allocates it; hcl.ko memremaps it):
 *
 *   page 0                  the control page (struct hcl_sidecar_control)
 *   pages 1 .. N            command page of sidecar CPU i at page 1 + i
 *                           (struct hcl_sidecar_cmd_page)
 *   N x HCL_SIDECAR_PRIV_PAGES  each CPU's private pages (the layout
 *                           below): only that CPU touches them
 *
 * with N = cpu_count.  HCL_SIDECAR_REGION_SIZE(N) is its size.
 *
 * Sidecar CPU i is the i-th CPU the shim did not give to Linux, in VP
 * index order; /openhcl/sidecar/apic-ids lists their APIC ids in the
 * same order (openhcl_dt.h), and control->cpu[i].apic_id repeats it.
 *
 * ---- Per-CPU status (control->cpu[i].status)
 *
 *   OFFLINE   never started, or gave no sign of life before the shim's
 *             timeout (the shim prints one line and moves on)
 *   STARTING  the shim sent INIT-SIPI-SIPI; the CPU has not finished its
 *             setup (start_tsc is set once it runs sidecar code)
 *   IDLE      in the dispatch loop, waiting for a command (ready_tsc)
 *   BUSY      executing a command
 *   REMOVED   torn down for Linux (REMOVE): halted with interrupts off,
 *             waiting for INIT; Linux may now boot it (INIT-SIPI)
 *   FAULT     an exception on the CPU, or a setup step that failed: the
 *             fault_* fields say which; the CPU halts for good
 *
 *   OFFLINE -shim-> STARTING -cpu-> IDLE <-cpu-> BUSY
 *   IDLE/BUSY -cpu(REMOVE)-> REMOVED;  any -cpu(exception)-> FAULT
 *
 * The shim writes the whole control page before it starts any CPU (all
 * OFFLINE, then STARTING just before each CPU's INIT).  From then on a
 * CPU's entry is written only by that CPU, and read by the shim (until
 * the handoff) and hcl.ko.
 *
 * ---- Commands (struct hcl_sidecar_cmd_page, one per sidecar CPU)
 *
 * hcl.ko (the only writer of command, args and seq) posts a command:
 *
 *   1. the CPU's ack equals seq (no command in flight), status IDLE
 *   2. writes command and its arguments
 *   3. store-release seq = seq + 1 (smp_store_release: the arguments are
 *      visible before the new seq)
 *   4. sends an IPI with any vector >= 32 to the CPU's APIC id: every
 *      vector from 32 up is an EOI-and-return on the sidecar's IDT
 *
 * The sidecar CPU, with interrupts off, loads seq (acquire); if it
 * differs from ack it sets status BUSY, executes the command, writes
 * result (and the command's outputs), sets status IDLE (or REMOVED),
 * then store-releases ack = seq, and then, if the control page names a
 * notify_vector, sends it to notify_apic_id.  Otherwise it executes "sti; hlt" (the
 * STI shadow makes a pending IPI wake the HLT, so no wake-up is lost)
 * and looks again.  hcl.ko waits for load-acquire(ack) == seq, with a
 * timeout, and reads result after that; a status of FAULT while it
 * waits ends the wait (the fault report says why).  x86 is TSO: plain
 * ordered stores and loads with compiler barriers are release/acquire on
 * the sidecar's side.
 *
 *   PING     answers HCL_SIDECAR_RES_OK; counts in pings
 *   RUN_VP   runs a VTL0 VP: vmcb_pa and vp_save_pa (below) name the
 *            VMCB and the register save area hcl.ko prepared in its own
 *            memory (page aligned, below HCL_SIDECAR_MAP_END, else
 *            BAD_ARG); the sidecar VMRUNs it with GIF clear and the GPRs
 *            switched, until a #VMEXIT other than a physical
 *            interrupt (INTR: it takes the interrupt and re-enters,
 *            unless stop is set: result STOPPED), and reports the exit
 *            in exit_code (also in the VMCB) and the TSC cycles in
 *            run_tsc.  The VMCB must intercept INTR, NMI and SHUTDOWN.
 *            Around the run it switches the guest's FPU state (XRSTOR /
 *            XSAVE of xsave_mask with XCR0 = xcr0), IA32_TSC_AUX and
 *            DR0-3 (struct hcl_sidecar_vp_save).  A stop word already
 *            set when the run starts makes the first VMRUN exit right
 *            after entry (a self-IPI pending across it): an injected
 *            event is delivered, then the run ends STOPPED.  A VMCB
 *            other than the one this CPU ran last gets its clean field
 *            zeroed and TLB_CONTROL set to flush every ASID, so nothing
 *            cached for another VMCB is used
 *   STOP     a no-op on an idle CPU (answers OK); a running RUN_VP is
 *            stopped with the stop flag, not with a command
 *   REMOVE   hands the CPU to Linux: STGI, EFER.SVME and VM_HSAVE_PA
 *            cleared, CR4.MCE set, status REMOVED, then ack, then halt
 *            with interrupts off until INIT
 *
 * Any other command answers HCL_SIDECAR_RES_BAD_COMMAND.
 */
#ifndef HCL_SIDECAR_H
#define HCL_SIDECAR_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#include "hcl/openhcl_dt.h"

#define HCL_SIDECAR_PAGE_SIZE		4096u
#define HCL_SIDECAR_MAGIC		0x52444353u	/* "SCDR" */
#define HCL_SIDECAR_VERSION		3u
/* one CPU always runs Linux */
#define HCL_SIDECAR_MAX_CPUS		(HCL_BOOT_MAX_VPS - 1)

/* ---- the image header, at offset 0 of the sidecar binary */

#define HCL_SIDECAR_IMAGE_MAGIC		0x4d494353u	/* "SCIM" */

struct hcl_sidecar_image {
	uint32_t magic;			/* HCL_SIDECAR_IMAGE_MAGIC */
	uint32_t version;		/* HCL_SIDECAR_VERSION */
	uint64_t base;			/* link address (the image's GPA) */
	uint64_t image_end;		/* end of its memory, .bss included */
	uint64_t entry64;		/* 64-bit entry, RDI = control page */
	uint64_t cr3;			/* its page tables, below 4 GiB */
	uint64_t reserved[3];
};

/*
 * The AP's state at entry64 (the shim's trampoline sets it up): 64-bit
 * long mode, paging on with CR3 = image.cr3 (which identity-maps [0,
 * HCL_SIDECAR_MAP_END) with the local APIC page uncached), interrupts
 * off, CS a flat 64-bit code segment of the trampoline's GDT, no usable
 * stack, RDI = the control page's physical address.
 */
#define HCL_SIDECAR_MAP_END		0x200000000ull	/* 8 GiB */

/* ---- the control page */

enum hcl_sidecar_status {
	HCL_SIDECAR_OFFLINE = 0,
	HCL_SIDECAR_STARTING = 1,
	HCL_SIDECAR_IDLE = 2,
	HCL_SIDECAR_BUSY = 3,
	HCL_SIDECAR_REMOVED = 4,
	HCL_SIDECAR_FAULT = 5,
	HCL_SIDECAR_NR_STATUS
};

#define HCL_SIDECAR_STATUS_NAMES {			\
	[HCL_SIDECAR_OFFLINE] = "offline",		\
	[HCL_SIDECAR_STARTING] = "starting",		\
	[HCL_SIDECAR_IDLE] = "idle",			\
	[HCL_SIDECAR_BUSY] = "busy",			\
	[HCL_SIDECAR_REMOVED] = "removed",		\
	[HCL_SIDECAR_FAULT] = "fault",			\
}

/*
 * fault_vector: 0..31 an exception (fault_error its error code or 0,
 * fault_rip where, fault_cr2 the CR2 at the time); from 0x100 a setup
 * step that failed (fault_error has the detail, e.g. the MSR value).
 */
#define HCL_SIDECAR_FAULT_NO_SVM	0x100u	/* CPUID has no SVM */
#define HCL_SIDECAR_FAULT_SVM_DISABLED	0x101u	/* VM_CR.SVMDIS set */
#define HCL_SIDECAR_FAULT_NO_APIC	0x102u	/* APIC off or x2APIC */

/* test_fault: the shim's openhcl_boot.sidecar_fault=, on sidecar CPU 0 */
enum hcl_sidecar_test_fault {
	HCL_SIDECAR_TEST_NONE = 0,
	HCL_SIDECAR_TEST_UD = 1,	/* ud2 */
	HCL_SIDECAR_TEST_PF = 2,	/* a write past the identity map */
	HCL_SIDECAR_TEST_DE = 3,	/* a divide by zero */
};

/* one sidecar CPU's entry: written by that CPU only (shim: see above) */
struct hcl_sidecar_cpu {
	uint32_t status;		/* enum hcl_sidecar_status */
	uint32_t apic_id;		/* shim */
	uint32_t fault_vector;
	uint32_t pings;			/* PING commands answered */
	uint64_t fault_error;
	uint64_t fault_rip;
	uint64_t fault_cr2;
	uint64_t start_tsc;		/* first sidecar instruction */
	uint64_t ready_tsc;		/* first IDLE */
	uint64_t cr3;			/* its CR3, set before its first IDLE */
};

struct hcl_sidecar_control {
	uint32_t magic;			/* HCL_SIDECAR_MAGIC */
	uint32_t version;		/* HCL_SIDECAR_VERSION */
	uint32_t cpu_count;		/* 0..HCL_SIDECAR_MAX_CPUS */
	uint32_t test_fault;		/* enum hcl_sidecar_test_fault */
	uint64_t region_size;		/* HCL_SIDECAR_REGION_SIZE(cpu_count) */
	uint64_t start_tsc;		/* shim: before the first INIT */
	uint64_t ready_tsc;		/* shim: every CPU IDLE or given up */
	/*
	 * hcl.ko (0 from the shim): after it acknowledges a command, a CPU
	 * sends a fixed IPI with notify_vector (if not 0) to the APIC id
	 * notify_apic_id, so that hcl.ko sleeps instead of polling.  Written
	 * before the first command that relies on it, read by the CPU after
	 * each ack.
	 */
	uint32_t notify_vector;
	uint32_t notify_apic_id;
	uint64_t reserved[2];
	struct hcl_sidecar_cpu cpu[HCL_SIDECAR_MAX_CPUS];
};

/* ---- the command pages */

enum hcl_sidecar_command {
	HCL_SIDECAR_CMD_NONE = 0,
	HCL_SIDECAR_CMD_PING = 1,
	HCL_SIDECAR_CMD_RUN_VP = 2,
	HCL_SIDECAR_CMD_STOP = 3,
	HCL_SIDECAR_CMD_REMOVE = 4,
};

enum hcl_sidecar_result {
	HCL_SIDECAR_RES_OK = 0,
	HCL_SIDECAR_RES_BAD_COMMAND = 1,
	HCL_SIDECAR_RES_UNSUPPORTED = 2,
	HCL_SIDECAR_RES_STOPPED = 3,	/* RUN_VP ended by stop */
	HCL_SIDECAR_RES_BAD_ARG = 4,	/* e.g. an unaligned vmcb_pa */
};

struct hcl_sidecar_cmd_page {
	uint32_t command;		/* hcl.ko: enum hcl_sidecar_command */
	uint32_t seq;			/* hcl.ko: +1 posts the command */
	uint32_t ack;			/* sidecar: = seq when done */
	uint32_t result;		/* sidecar: enum hcl_sidecar_result */
	uint32_t stop;			/* hcl.ko: ends a RUN_VP early */
	uint32_t reserved0;
	/* RUN_VP in */
	uint64_t vmcb_pa;		/* 4 KiB aligned */
	uint64_t vp_save_pa;		/* struct hcl_sidecar_vp_save, 4 KiB */
	/* RUN_VP out */
	uint64_t exit_code;		/* the VMCB's EXITCODE */
	uint64_t run_tsc;		/* TSC cycles inside VMRUN */
	uint64_t reserved[505];
};

/*
 * RUN_VP's register save area (hcl.ko's memory, 4 KiB aligned): the
 * guest GPRs the VMCB does not hold, indexed by x86 register number
 * like the local path's (RAX = 0 ... R15 = 15; RAX and RSP are in the
 * VMCB, with RIP, CR2 and the segment state, so their slots are unused),
 * XCR0 and the XSAVE area for the guest's FPU state; the host's own are
 * the sidecar's and never leave the CPU.  The guest's FS, GS, TR, LDTR
 * and syscall MSRs are VMLOADed from and VMSAVEd to the VMCB around the
 * VMRUN, the sidecar's through its own host VMSAVE page.
 */
struct hcl_sidecar_vp_save {
	uint64_t gpr[16];		/* by x86 register number */
	/*
	 * XCR0 while the guest runs (the host's: the guest's XSETBV exits),
	 * and the components restored from and saved to xsave[] with
	 * XRSTOR/XSAVE around the run (a subset of xcr0; 0: no FPU switch,
	 * and then xcr0 is not written either).
	 */
	uint64_t xcr0;
	uint64_t xsave_mask;
	uint64_t tsc_aux;		/* IA32_TSC_AUX: loaded, and saved */
	uint64_t dr[4];			/* DR0-3, loaded if HCL_SIDECAR_LOAD_DR */
	uint64_t flags;			/* HCL_SIDECAR_LOAD_* */
	uint8_t xsave[4096 - 192] __attribute__((aligned(64)));
};

/* the guest's DR7 enables a breakpoint: DR0-3 go into the CPU */
#define HCL_SIDECAR_LOAD_DR		1ull
/* the CPU has IA32_TSC_AUX (RDTSCP or RDPID): switch it */
#define HCL_SIDECAR_LOAD_TSC_AUX	2ull

/* ---- each CPU's private pages, after the command pages */

#define HCL_SIDECAR_PRIV_STACK		0u	/* 4 pages, RSP at the top */
#define HCL_SIDECAR_STACK_PAGES		4u
#define HCL_SIDECAR_PRIV_IST		4u	/* exception stack (IST1) */
#define HCL_SIDECAR_PRIV_HSAVE		5u	/* VM_HSAVE_PA */
#define HCL_SIDECAR_PRIV_GDT		6u	/* GDT, then the TSS */
#define HCL_SIDECAR_PRIV_IDT		7u	/* 256 gates */
#define HCL_SIDECAR_PRIV_VMSAVE		8u	/* the host's VMSAVE area */
#define HCL_SIDECAR_PRIV_PAGES		9u

#define HCL_SIDECAR_CMD_OFFSET(i) \
	((uint64_t)(1 + (i)) * HCL_SIDECAR_PAGE_SIZE)
#define HCL_SIDECAR_PRIV_OFFSET(n, i) \
	(((uint64_t)(1 + (n)) + (uint64_t)(i) * HCL_SIDECAR_PRIV_PAGES) * \
	 HCL_SIDECAR_PAGE_SIZE)
#define HCL_SIDECAR_REGION_SIZE(n)	HCL_SIDECAR_PRIV_OFFSET(n, n)

#ifndef __cplusplus
_Static_assert(sizeof(struct hcl_sidecar_cpu) == 64, "sidecar cpu entry");
_Static_assert(sizeof(struct hcl_sidecar_control) == HCL_SIDECAR_PAGE_SIZE,
	       "sidecar control page");
_Static_assert(sizeof(struct hcl_sidecar_cmd_page) == HCL_SIDECAR_PAGE_SIZE,
	       "sidecar command page");
_Static_assert(sizeof(struct hcl_sidecar_vp_save) == HCL_SIDECAR_PAGE_SIZE,
	       "sidecar save area");
_Static_assert(sizeof(struct hcl_sidecar_image) == 64, "sidecar image");
#endif

#endif /* HCL_SIDECAR_H */
