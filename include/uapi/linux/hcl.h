/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hcl: the paravisor's kernel module UAPI.
 *
 * This header is the only contract between hcl.ko and userspace.
 *
 * Objects:
 *   /dev/hcl          the partition: VTL0 memory (mmap at guest-physical
 *                     offsets), partition info, VP creation.  One opener
 *                     at a time; a second open gets -EBUSY.
 *   VP fd             from HCL_CREATE_VP: registers, CPUID table, run.
 *                     mmap offset 0, one page: struct hcl_run.
 *
 * Rules for every struct here: fixed size, explicit padding, and reserved
 * fields that must be zero on input (else -EINVAL).  An ioctl whose number
 * is ours but whose encoded size or direction is not the one defined here
 * fails with -EINVAL; an unknown number fails with -ENOTTY.
 */
#ifndef _UAPI_LINUX_HCL_H
#define _UAPI_LINUX_HCL_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define HCL_API_VERSION		1
#define HCL_IOCTL_TYPE		0xB9

/* ---- /dev/hcl ---------------------------------------------------------- */

#define HCL_FEATURE_NPT		(1ULL << 0)	/* nested paging in use */
#define HCL_FEATURE_VGIF	(1ULL << 1)	/* CPU offers virtual GIF */
#define HCL_FEATURE_NRIPS	(1ULL << 2)	/* CPU saves next RIP */
#define HCL_FEATURE_DECODE	(1ULL << 3)	/* CPU offers decode assists */

struct hcl_info {
	__u32 api_version;	/* HCL_API_VERSION */
	__u32 max_vps;		/* VP indexes are 0 .. max_vps - 1 */
	__u64 vtl0_mem_size;	/* bytes of VTL0 RAM, GPA 0 .. size - 1 */
	__u64 features;		/* HCL_FEATURE_* */
	__u64 reserved[5];
};

/*
 * HCL_CREATE_VP_WAIT_SIPI: the VP starts in wait-for-SIPI, like an
 * application processor after reset (needs the in-kernel irqchip, else
 * -EINVAL).  HCL_VP_RUN on it needs no HCL_VP_SET_REGS/SREGS: it waits in
 * the kernel until another VP's APIC sends INIT and a start-up IPI, which
 * starts it in real mode at CS:IP = vector << 8 : 0.
 */
#define HCL_CREATE_VP_WAIT_SIPI	(1U << 0)

struct hcl_create_vp {
	__u32 vp_index;
	__u32 flags;		/* HCL_CREATE_VP_*; other bits -EINVAL */
	__u64 reserved[3];	/* must be 0 */
};

/*
 * Address ranges userspace claims.  Port I/O and MMIO that no range claims
 * never leave the kernel: unclaimed ports read as all ones and drop
 * writes; an unclaimed GPA outside VTL0 RAM is a VTL violation exit.
 *   HCL_RANGE_USER      accesses exit to userspace (HCL_EXIT_IO/MMIO)
 *   HCL_RANGE_DOORBELL  writes signal @eventfd, reads return 0; no exit
 * MMIO ranges must lie outside VTL0 RAM and below 2^48; ranges may not
 * overlap (-EEXIST); at most HCL_MAX_RANGES exist (-ENOSPC).
 */
#define HCL_RANGE_PIO		0
#define HCL_RANGE_MMIO		1
#define HCL_RANGE_USER		0
#define HCL_RANGE_DOORBELL	1
#define HCL_MAX_RANGES		64

struct hcl_range {
	__u8 space;		/* HCL_RANGE_PIO / HCL_RANGE_MMIO */
	__u8 kind;		/* HCL_RANGE_USER / HCL_RANGE_DOORBELL */
	__u16 pad;		/* must be 0 */
	__s32 eventfd;		/* doorbells only; must be 0 otherwise */
	__u64 start;
	__u64 len;
	__u64 reserved[2];	/* must be 0 */
};

/* Returns the partition description. */
#define HCL_GET_INFO		_IOR(HCL_IOCTL_TYPE, 0x00, struct hcl_info)
/* Creates VP vp_index; returns its fd.  -EEXIST if it exists already. */
#define HCL_CREATE_VP		_IOW(HCL_IOCTL_TYPE, 0x01, struct hcl_create_vp)
/* Claims a range; see struct hcl_range. */
#define HCL_ADD_RANGE		_IOW(HCL_IOCTL_TYPE, 0x02, struct hcl_range)
/* Releases the range with exactly this space, start and len (-ENOENT). */
#define HCL_DEL_RANGE		_IOW(HCL_IOCTL_TYPE, 0x03, struct hcl_range)

/*
 * The in-kernel irqchip (docs/irqchip.md), created by HCL_CREATE_IRQCHIP
 * before the first VP (-EBUSY once a VP exists, -EEXIST the second time):
 *   - a local APIC per VP, ID = VP index, xAPIC at the APIC base MSR's
 *     address (0xfee00000 at reset, enabled; VP 0 is the BSP) or x2APIC
 *     (MSRs 0x800-0x8ff), its timer (one-shot, periodic at a 1 GHz bus
 *     clock, TSC-deadline through MSR 0x6e0) and IPIs between VPs;
 *   - one IOAPIC, 24 pins, MMIO at HCL_IOAPIC_BASE, IOAPIC ID = max_vps;
 *   - kvmclock: MSRs 0x4b564d00/0x4b564d01 (and 0x11/0x12).
 * These MMIO pages and MSRs are then the kernel's: no user range or MSR
 * rule applies to them.  Without an irqchip HCL_IRQ_LINE and HCL_IRQFD
 * fail with -ENXIO.  HCL_VP_INTERRUPT keeps working: a fixed interrupt
 * goes into the APIC's IRR while the APIC is enabled.
 */
#define HCL_IOAPIC_BASE		0xfec00000ULL
#define HCL_IOAPIC_PINS		24

struct hcl_create_irqchip {
	__u32 flags;		/* must be 0 */
	__u32 pad;		/* must be 0 */
	__u64 reserved[3];	/* must be 0 */
};

/*
 * Sets the level of IOAPIC pin @gsi (level 0 or 1).  An edge-triggered pin
 * fires on 0 -> 1; a level-triggered one fires while 1 and, after the
 * guest's EOI, again if still 1.  -EINVAL: gsi >= HCL_IOAPIC_PINS, level
 * > 1 or reserved set; -ENXIO: no irqchip.
 */
struct hcl_irq_line {
	__u32 gsi;
	__u32 level;
	__u64 reserved;		/* must be 0 */
};

/*
 * Binds eventfd @fd to IOAPIC pin @gsi: each signal of the eventfd is
 * an edge on the pin, in the kernel, with no VP exit.  With
 * HCL_IRQFD_RESAMPLE the pin is level-triggered from this source: a
 * signal raises the line and holds it until the guest's EOI of its
 * vector, which lowers it and signals @resamplefd (the device then
 * signals @fd again if it still needs service).  HCL_IRQFD_DEASSIGN
 * unbinds @fd from @gsi (resamplefd and the other flags must be 0);
 * when it returns the eventfd is no longer watched.
 * Errors: -EINVAL (bad flags, gsi >= HCL_IOAPIC_PINS, reserved set, not
 * an eventfd), -EBADF (bad fd), -EBUSY (@fd already bound), -ENOENT
 * (deassign of a binding that does not exist), -ENXIO (no irqchip).
 * Bindings end at deassign, when the eventfd's last user closes it, or
 * with the partition.
 */
struct hcl_irqfd {
	__s32 fd;
	__u32 gsi;
	__u32 flags;		/* HCL_IRQFD_* */
	__s32 resamplefd;	/* HCL_IRQFD_RESAMPLE only; else 0 */
	__u64 reserved[2];	/* must be 0 */
};

#define HCL_IRQFD_DEASSIGN	(1U << 0)
#define HCL_IRQFD_RESAMPLE	(1U << 1)

#define HCL_IRQ_LINE		_IOW(HCL_IOCTL_TYPE, 0x04, struct hcl_irq_line)
#define HCL_IRQFD		_IOW(HCL_IOCTL_TYPE, 0x05, struct hcl_irqfd)
#define HCL_CREATE_IRQCHIP	_IOW(HCL_IOCTL_TYPE, 0x06, \
				     struct hcl_create_irqchip)

/* ---- VP fd ------------------------------------------------------------- */

/*
 * General registers, indexed like the x86 ModRM register number so that
 * instruction decoders can use the index directly.
 */
enum {
	HCL_REG_RAX, HCL_REG_RCX, HCL_REG_RDX, HCL_REG_RBX,
	HCL_REG_RSP, HCL_REG_RBP, HCL_REG_RSI, HCL_REG_RDI,
	HCL_REG_R8, HCL_REG_R9, HCL_REG_R10, HCL_REG_R11,
	HCL_REG_R12, HCL_REG_R13, HCL_REG_R14, HCL_REG_R15,
	HCL_NR_GPRS
};

struct hcl_regs {
	__u64 gprs[HCL_NR_GPRS];
	__u64 rip;
	__u64 rflags;		/* bit 1 must be set, reserved bits clear */
	__u64 reserved[2];
};

/*
 * Segment attributes use the SVM VMCB packing: type:4 s:1 dpl:2 p:1
 * avl:1 l:1 db:1 g:1 (12 bits).
 */
struct hcl_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u16 attrib;
};

struct hcl_dtable {
	__u64 base;
	__u16 limit;
	__u16 pad[3];		/* must be 0 */
};

struct hcl_sregs {
	struct hcl_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct hcl_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4;
	__u64 efer;		/* EFER.SVME is managed by the kernel */
	__u64 reserved[3];
};

#define HCL_CPUID_F_INDEX	(1U << 0)	/* the subleaf (ECX) matters */

struct hcl_cpuid_entry {
	__u32 function;		/* EAX input */
	__u32 index;		/* ECX input, when HCL_CPUID_F_INDEX */
	__u32 flags;		/* HCL_CPUID_F_* */
	__u32 eax, ebx, ecx, edx;
	__u32 reserved;		/* must be 0 */
};

#define HCL_CPUID_MAX_ENTRIES	256

/*
 * The VP's CPUID table, answered in the kernel with no user round trip.
 * A leaf not in the table reads as all zeroes.  Duplicate (function,
 * index) pairs are rejected.
 */
struct hcl_cpuid {
	__u32 nent;		/* 0 .. HCL_CPUID_MAX_ENTRIES */
	__u32 flags;		/* must be 0 */
	__u64 entries;		/* user pointer to nent struct hcl_cpuid_entry */
	__u64 reserved[2];
};

/* MSR access by index, for HCL_VP_GET_MSRS / HCL_VP_SET_MSRS. */
struct hcl_msr_entry {
	__u32 index;
	__u32 reserved;		/* must be 0 */
	__u64 data;
};

#define HCL_MAX_MSRS		256

struct hcl_msrs {
	__u32 nmsrs;		/* 0 .. HCL_MAX_MSRS */
	__u32 pad;		/* must be 0 */
	__u64 entries;		/* user pointer to nmsrs struct hcl_msr_entry */
	__u64 reserved[2];
};

/*
 * MSR policy.  A guest RDMSR/WRMSR of an MSR the kernel does not own
 * (EFER, PAT, the syscall and segment-base MSRs are always the kernel's)
 * follows the rule for its index, else the default action:
 *   HCL_MSR_GP       raise #GP(0) in the guest
 *   HCL_MSR_USER     exit to userspace (HCL_EXIT_MSR)
 *   HCL_MSR_EMULATE  answered in the kernel: reads return the value;
 *                    writes may change only the bits in @writable, any
 *                    other change raises #GP(0)
 */
#define HCL_MSR_GP		0
#define HCL_MSR_USER		1
#define HCL_MSR_EMULATE		2

struct hcl_msr_rule {
	__u32 index;
	__u32 action;		/* HCL_MSR_* */
	__u64 value;		/* initial value (EMULATE) */
	__u64 writable;		/* bits the guest may change (EMULATE) */
	__u64 reserved;		/* must be 0 */
};

#define HCL_MAX_MSR_RULES	128

struct hcl_msr_policy {
	__u32 nrules;		/* 0 .. HCL_MAX_MSR_RULES, no duplicates */
	__u32 default_action;	/* HCL_MSR_GP or HCL_MSR_USER */
	__u64 rules;		/* user pointer to nrules struct hcl_msr_rule */
	__u64 reserved[2];
};

/*
 * Queue an interrupt for the VP; callable from any thread, also while the
 * VP runs (it is kicked out of the guest) or halts (it is woken).
 * Fixed interrupts take vectors 16..255 and are delivered when the guest
 * can accept them (RFLAGS.IF set, no interrupt shadow), using an
 * interrupt-window exit; an NMI is delivered unless one is in service.
 */
#define HCL_INTR_FIXED		0
#define HCL_INTR_NMI		1

struct hcl_interrupt {
	__u32 type;		/* HCL_INTR_* */
	__u32 vector;		/* fixed: 16..255; NMI: must be 0 */
	__u64 reserved;		/* must be 0 */
};

/*
 * Debug registers.  The guest's MOV to/from DR0-DR7 is emulated in the
 * kernel against these values (CPL 0 only, DR4/5 alias DR6/7 unless
 * CR4.DE); breakpoints are not armed in hardware while VTL0 runs.
 */
struct hcl_debugregs {
	__u64 db[4];
	__u64 dr6;		/* upper 32 bits must be 0 */
	__u64 dr7;		/* upper 32 bits must be 0 */
	__u64 reserved[2];	/* must be 0 */
};

#define HCL_VP_GET_REGS		_IOR(HCL_IOCTL_TYPE, 0x10, struct hcl_regs)
#define HCL_VP_SET_REGS		_IOW(HCL_IOCTL_TYPE, 0x11, struct hcl_regs)
#define HCL_VP_GET_SREGS	_IOR(HCL_IOCTL_TYPE, 0x12, struct hcl_sregs)
#define HCL_VP_SET_SREGS	_IOW(HCL_IOCTL_TYPE, 0x13, struct hcl_sregs)
#define HCL_VP_SET_CPUID	_IOW(HCL_IOCTL_TYPE, 0x14, struct hcl_cpuid)
/*
 * Read or write MSRs; returns how many entries were processed (stops at
 * the first MSR the VP does not have or a value it refuses).
 */
#define HCL_VP_GET_MSRS		_IOW(HCL_IOCTL_TYPE, 0x15, struct hcl_msrs)
#define HCL_VP_SET_MSRS		_IOW(HCL_IOCTL_TYPE, 0x16, struct hcl_msrs)
#define HCL_VP_SET_MSR_POLICY	_IOW(HCL_IOCTL_TYPE, 0x17, struct hcl_msr_policy)
#define HCL_VP_INTERRUPT	_IOW(HCL_IOCTL_TYPE, 0x18, struct hcl_interrupt)
#define HCL_VP_GET_DEBUGREGS	_IOR(HCL_IOCTL_TYPE, 0x19, struct hcl_debugregs)
#define HCL_VP_SET_DEBUGREGS	_IOW(HCL_IOCTL_TYPE, 0x1a, struct hcl_debugregs)
/*
 * Enter VTL0 until an exit that needs userspace.  Returns 0 with the exit
 * in the run page; -EINTR when a signal is pending or immediate_exit is
 * set; -EBADFD before both HCL_VP_SET_REGS and HCL_VP_SET_SREGS were done
 * (and again after a shutdown exit, until the state is set anew).
 */
#define HCL_VP_RUN		_IO(HCL_IOCTL_TYPE, 0x20)

/*
 * io_uring: IORING_OP_URING_CMD on a VP fd with cmd_op HCL_URING_CMD_RUN
 * does what HCL_VP_RUN does, as an asynchronous request: its completion's
 * res is HCL_VP_RUN's return value (0 with the exit in the run page, or
 * -errno).  Answering an exit (IN data, MMIO read data, MSR data) is
 * writing the run page before submitting the next RUN, so one SQE both
 * commits the answer and re-arms the VP.  A RUN first runs inline in the
 * submitter's io_uring_enter() and usually completes there; a VP that
 * halts or keeps running past a host interrupt is handed to a kernel
 * thread of its own (IOSQE_ASYNC sends it there at once), so one thread
 * can keep a RUN in flight on many VPs that run side by side.  One RUN
 * per VP at a time (-EBUSY).  The
 * request is canceled by ring teardown or the submitter's exit like any
 * other (the VP leaves the guest and the request ends with -EINTR).
 * The 16-byte command area (struct hcl_uring_cmd) must be zero.
 */
#define HCL_URING_CMD_RUN	_IO(HCL_IOCTL_TYPE, 0x40)

struct hcl_uring_cmd {
	__u32 flags;		/* must be 0 */
	__u32 reserved0;	/* must be 0 */
	__u64 reserved1;	/* must be 0 */
};

/* ---- the run page (VP fd, mmap offset 0, HCL_RUN_SIZE bytes) ----------- */

enum hcl_exit_reason {
	HCL_EXIT_NONE		= 0,
	HCL_EXIT_IO		= 1,	/* port I/O: answer IN in io.data */
	HCL_EXIT_HLT		= 2,	/* the VP halted */
	HCL_EXIT_SHUTDOWN	= 3,	/* triple fault; VP state is lost */
	HCL_EXIT_FAIL_ENTRY	= 4,	/* VMRUN refused the state */
	HCL_EXIT_UNHANDLED	= 5,	/* an exit the kernel does not handle */
	HCL_EXIT_INTR		= 6,	/* run interrupted (-EINTR) */
	HCL_EXIT_MMIO		= 7,	/* MMIO in a user range: answer reads */
	HCL_EXIT_MSR		= 8,	/* MSR under HCL_MSR_USER */
	HCL_EXIT_VTL_VIOLATION	= 9,	/* VTL0 touched a GPA it may not */
	HCL_EXIT_HYPERCALL	= 10,	/* VMMCALL the kernel does not answer */
};

/* hw.code of HCL_EXIT_FAIL_ENTRY: the VP's sidecar CPU failed */
#define HCL_HW_SIDECAR_FAILED	0xfffffffffffffffeULL	/* SVM_EXIT_ERR - 1 */

/*
 * hw.info1 of HCL_EXIT_FAIL_ENTRY with hw.code SVM_EXIT_ERR (-1): the
 * consistency check of VMRUN the VP's state fails.  The kernel makes
 * VMRUN's checks itself before every entry and does not enter with a
 * state that fails one, so the state stays as the guest left it: GET_SREGS
 * shows it and SET_SREGS (which refuses such a state) repairs it.
 * HCL_ENTRY_CPU: the kernel's checks passed and the CPU refused anyway.
 */
enum hcl_entry_check {
	HCL_ENTRY_CPU		= 0,	/* the CPU's VMRUN refused the state */
	HCL_ENTRY_CR0		= 1,	/* bits 63:32 set, or NW without CD */
	HCL_ENTRY_CR3		= 2,	/* a bit at or above MAXPHYADDR */
	HCL_ENTRY_CR4		= 3,	/* a bit the CPU does not have */
	HCL_ENTRY_DR6_DR7	= 4,	/* bits 63:32 of DR6 or DR7 set */
	HCL_ENTRY_EFER		= 5,	/* a reserved bit */
	HCL_ENTRY_LONG_MODE	= 6,	/* LME, PG: no PAE, no PE or CS.L+D */
	HCL_ENTRY_EVENT		= 7,	/* an event no CPU can inject */
};

/*
 * hw.info2 of HCL_EXIT_FAIL_ENTRY with hw.code SVM_EXIT_ERR: flags.
 * HCL_ENTRY_STATE_LOST: the CPU wrote its own (the host's) registers
 * over the VP's when it refused (QEMU's TCG does); the kernel cleared
 * them, and RUN fails with EBADFD until SET_REGS and SET_SREGS.
 */
#define HCL_ENTRY_STATE_LOST	(1ULL << 0)

/*
 * VMMCALL: RAX holds the call code, RBX, RCX, RDX, RSI the arguments,
 * and the result goes back in RAX.  The kernel answers these itself:
 *   HCL_HC_NOP      returns 0 at once (the cheapest round trip)
 *   HCL_HC_VP_INDEX returns the calling VP's index
 * Every other code exits to userspace as HCL_EXIT_HYPERCALL; userspace
 * writes the result into hypercall.ret before the next run.  VMMCALL
 * from CPL > 0 raises #UD.
 */
#define HCL_HC_NOP		0
#define HCL_HC_VP_INDEX		1

#define HCL_IO_OUT		0
#define HCL_IO_IN		1
#define HCL_MMIO_READ		0
#define HCL_MMIO_WRITE		1
#define HCL_MSR_READ		0
#define HCL_MSR_WRITE		1

#define HCL_ACCESS_READ		(1U << 0)
#define HCL_ACCESS_WRITE	(1U << 1)
#define HCL_ACCESS_EXEC		(1U << 2)

struct hcl_run {
	/* in: set to make the next HCL_VP_RUN return -EINTR at once */
	__u8 immediate_exit;
	__u8 pad0[3];
	/* out */
	__u32 exit_reason;	/* enum hcl_exit_reason */
	__u64 hw_exit_code;	/* raw backend exit code, for diagnostics */
	__u64 rip;		/* RIP of the instruction that exited */
	/*
	 * Where the VP runs: the sidecar CPU (its index in
	 * /openhcl/sidecar) whose VMRUNs enter it, or -1 when it enters
	 * from a CPU Linux runs.  Set at HCL_CREATE_VP, -1 from the moment
	 * the CPU goes to Linux.
	 */
	__s32 sidecar_cpu;
	__u32 reserved1;
	__u64 reserved0[4];
	union {
		/*
		 * HCL_EXIT_IO.  For IN, userspace writes the value into
		 * data before the next HCL_VP_RUN; the kernel merges the low
		 * size bytes into RAX and ignores the rest.
		 */
		struct {
			__u16 port;
			__u8 size;		/* 1, 2 or 4 */
			__u8 direction;		/* HCL_IO_OUT / HCL_IO_IN */
			__u32 pad;
			__u64 data;
		} io;
		/*
		 * HCL_EXIT_MMIO.  For reads userspace writes the value into
		 * data; the kernel completes the instruction (zero or sign
		 * extension as it decoded it).
		 */
		struct {
			__u64 gpa;
			__u8 size;		/* 1, 2, 4 or 8 */
			__u8 direction;		/* HCL_MMIO_READ / _WRITE */
			__u8 pad[6];
			__u64 data;
		} mmio;
		/*
		 * HCL_EXIT_MSR.  For reads userspace writes data; setting
		 * error to 1 raises #GP(0) instead of completing the access.
		 */
		struct {
			__u32 index;
			__u8 direction;		/* HCL_MSR_READ / _WRITE */
			__u8 error;		/* in */
			__u16 pad;
			__u64 data;
		} msr;
		/* HCL_EXIT_HYPERCALL */
		struct {
			__u64 code;
			__u64 args[4];		/* RBX, RCX, RDX, RSI */
			__u64 ret;		/* in: the value for RAX */
		} hypercall;
		/* HCL_EXIT_VTL_VIOLATION: the instruction did not complete. */
		struct {
			__u64 gpa;
			__u32 access;		/* HCL_ACCESS_* */
			__u32 pad;
		} vtl;
		/*
		 * HCL_EXIT_FAIL_ENTRY, HCL_EXIT_UNHANDLED, HCL_EXIT_SHUTDOWN.
		 * A failed VMRUN is FAIL_ENTRY, code SVM_EXIT_ERR (-1), info1
		 * the check (enum hcl_entry_check), info2 flags
		 * (HCL_ENTRY_STATE_LOST).  A VP on a sidecar CPU that failed
		 * (faulted, stopped answering) ends with FAIL_ENTRY, code
		 * HCL_HW_SIDECAR_FAILED, info1 the negative errno, info2 the
		 * sidecar CPU.
		 */
		struct {
			__u64 code;
			__u64 info1;
			__u64 info2;
			__u64 int_info;
		} hw;
		__u8 pad1[256];
	};
};

#define HCL_RUN_SIZE		4096

#endif /* _UAPI_LINUX_HCL_H */
