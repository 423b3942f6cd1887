/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl.ko internal interfaces.
 */
#ifndef HCL_INTERNAL_H
#define HCL_INTERNAL_H

#include <linux/bits.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <asm/trapnr.h>
#include <uapi/linux/hcl.h>

#include "decode.h"

struct vmcb;
struct hcl_vp;

/* ---- nested page tables (npt.c) ---------------------------------------- */

#define HCL_NPT_INVALID		(~0ULL)
#define HCL_NPT_MAX_GPA		BIT_ULL(48)

/*
 * A four-level nested page table.  Tables are kernel pages; leaves map
 * 4 KiB or, where both addresses and the size allow, 2 MiB.
 * Not locked: built before any VP runs and only read afterwards; the
 * owner (the partition) serialises construction and teardown.
 */
struct hcl_npt {
	u64 *root;		/* what nCR3 points at: PML5 or PML4 */
	u64 *pml4;		/* root, or the table under PML5 entry 0 */
	int levels;		/* 4 or 5, the host's paging depth */
	unsigned long nr_tables;	/* table pages allocated, for stats */
};

int hcl_npt_init(struct hcl_npt *npt, int levels);
void hcl_npt_destroy(struct hcl_npt *npt);
int hcl_npt_map(struct hcl_npt *npt, u64 gpa, u64 hpa, u64 size);
u64 hcl_npt_translate(const struct hcl_npt *npt, u64 gpa);
u64 hcl_npt_root_pa(const struct hcl_npt *npt);

/* ---- CPUID table (cpuid.c) -------------------------------------------- */

struct hcl_cpuid_table {
	u32 nent;
	struct hcl_cpuid_entry entries[];
};

int hcl_cpuid_validate(const struct hcl_cpuid_entry *e, u32 nent);
const struct hcl_cpuid_entry *
hcl_cpuid_lookup(const struct hcl_cpuid_table *t, u32 function, u32 index);

/* ---- claimed ranges (range.c) ------------------------------------------ */

struct eventfd_ctx;

struct hcl_range_ent {
	u8 space;		/* HCL_RANGE_PIO / HCL_RANGE_MMIO */
	u8 kind;		/* HCL_RANGE_USER / HCL_RANGE_DOORBELL */
	u64 start, end;		/* [start, end) */
	struct eventfd_ctx *efd;	/* doorbells: a reference we hold */
};

/* Immutable once published; sorted by (space, start); see range.c. */
struct hcl_range_set {
	struct rcu_head rcu;
	unsigned int n;
	struct hcl_range_ent r[];
};

int hcl_range_validate(const struct hcl_range *r, u64 mem_size);
const struct hcl_range_ent *hcl_range_find(const struct hcl_range_set *set,
					   u8 space, u64 addr, u64 len);
struct hcl_range_set *hcl_range_set_add(const struct hcl_range_set *old,
					const struct hcl_range_ent *add);
struct hcl_range_set *hcl_range_set_del(const struct hcl_range_set *old,
					u8 space, u64 start, u64 end,
					struct hcl_range_ent *removed);
void hcl_range_set_free(struct hcl_range_set *set, bool put_eventfds);

/* ---- MSR policy (msr.c) ------------------------------------------------ */

struct hcl_msr_table {
	u32 n;
	u32 default_action;	/* HCL_MSR_GP / HCL_MSR_USER */
	struct hcl_msr_rule r[];	/* sorted by index */
};

int hcl_msr_table_build(const struct hcl_msr_rule *rules, u32 n,
			u32 default_action, struct hcl_msr_table **out);
struct hcl_msr_rule *hcl_msr_find(struct hcl_msr_table *t, u32 index);
u32 hcl_msr_access(struct hcl_msr_table *t, u32 index, bool write, u64 *val);

/* ---- exits (exit.c) ---------------------------------------------------- */

struct hcl_io_decoded {
	u16 port;
	u8 size;
	bool in;
	bool string;
	bool rep;
};

int hcl_decode_ioio(u64 info1, struct hcl_io_decoded *io);
const char *hcl_exit_name(u64 code);

/* What the run loop does after an exit was handled. */
enum hcl_exit_action {
	HCL_ACT_RESUME,		/* handled in the kernel; enter again */
	HCL_ACT_USER,		/* the run page holds an exit for userspace */
	HCL_ACT_HALT,		/* the VP halted: wait for an interrupt */
	HCL_ACT_HOST_IRQ,	/* a host interrupt ended the run: resume */
};

enum hcl_exit_action hcl_handle_exit(struct hcl_vp *vp);
int hcl_decode_mov_dr(const u8 *bytes, unsigned int avail, unsigned int mode,
		      unsigned int *len, unsigned int *gpr, bool *to_dr);
void hcl_complete_user_exit(struct hcl_vp *vp);

/* ---- ASIDs and VMCB clean bits (asid.c, vmcb_clean.c) ------------------ */

/* CPUID 0x8000000A EDX */
#define HCL_SVM_EDX_VMCB_CLEAN		BIT(5)
#define HCL_SVM_EDX_FLUSH_BY_ASID	BIT(6)

/* What the CPU offers; set once at module load, read-only afterwards. */
struct hcl_svm_caps {
	u32 min_asid, max_asid;	/* the guests' ASIDs: 1 .. EBX - 1 */
	bool flush_by_asid;	/* TLB_CONTROL_FLUSH_ASID is valid */
	bool vmcb_clean;	/* the CPU honours the VMCB clean field */
};

/*
 * One CPU's ASID allocator (asid.c).  Only that CPU touches it, with
 * preemption disabled from the allocation through the VMRUN that uses
 * the ASID (the hot-plug callback runs on the CPU itself, before tasks
 * can run there).
 */
struct hcl_asid_cpu {
	u64 generation;		/* grows by one at each wrap; >= 1 */
	u32 next;		/* next ASID to hand out; > max: wrap first */
	u32 min, max;
	bool flush_by_asid;
};

/*
 * A VP's ASID (asid.c).  Belongs to the thread holding vp->lock; valid on
 * the CPU the VP last ran on while that CPU's generation is unchanged.
 */
struct hcl_asid_vp {
	u64 generation;		/* of the CPU it came from; 0: none yet */
	u32 asid;
	bool flush;		/* drop its TLB entries before the next run */
};

int hcl_svm_caps_parse(u32 ebx, u32 edx, struct hcl_svm_caps *caps);
void hcl_asid_cpu_init(struct hcl_asid_cpu *c,
		       const struct hcl_svm_caps *caps);
u8 hcl_asid_prepare(struct hcl_asid_cpu *c, struct hcl_asid_vp *v,
		    bool moved, bool *fresh);
void hcl_asid_request_flush(struct hcl_asid_vp *v);
void hcl_asid_entry_failed(struct hcl_asid_cpu *c, struct hcl_asid_vp *v,
			   u8 tlb);

/*
 * Areas of the VMCB clean field (APM vol. 2, "VMCB state caching"): a set
 * bit lets VMRUN take the area from the CPU's cache.  See vmcb_clean.c.
 */
enum hcl_vmcb_area {
	HCL_VMCB_INTERCEPTS,	/* intercept vectors, TSC offset, pause filter */
	HCL_VMCB_PERM_MAP,	/* IOPM and MSRPM base */
	HCL_VMCB_ASID,
	HCL_VMCB_INTR,		/* TPR: V_TPR, V_IRQ, V_INTR_*, int_vector */
	HCL_VMCB_NP,		/* nested paging enable, nCR3, guest PAT */
	HCL_VMCB_CRX,		/* CR0, CR3, CR4, EFER */
	HCL_VMCB_DRX,		/* DR6, DR7 */
	HCL_VMCB_DT,		/* GDTR, IDTR */
	HCL_VMCB_SEG,		/* CS, DS, ES, SS, CPL */
	HCL_VMCB_CR2,
	HCL_VMCB_LBR,		/* DBGCTL, last branch and exception records */
	HCL_VMCB_AVIC,		/* AVIC BAR, backing page, ID tables */
	HCL_VMCB_NR_AREAS
};

#define HCL_VMCB_ALL_AREAS	GENMASK(HCL_VMCB_NR_AREAS - 1, 0)

bool hcl_vmcb_switch(u64 *cpu_last, u64 vmcb_uid, bool moved);
u32 hcl_vmcb_clean(u32 *dirty, bool supported, bool reload);
void hcl_vmcb_exited(struct hcl_vp *vp);
void hcl_vmcb_set_intercept(struct hcl_vp *vp, unsigned int bit, bool on);
void hcl_vmcb_update_int_ctl(struct hcl_vp *vp, u32 clear, u32 set);
void hcl_vmcb_set_exception_intercepts(struct hcl_vp *vp, u32 vectors,
				       bool on);

/* ---- NMI blocking and the NMI window (nmi.c) ---------------------------- */

/*
 * Without vNMI the CPU tells the host neither when the guest's NMI blocking
 * ends nor when it could take the next NMI, so hcl tracks both (struct
 * hcl_nmi, in the VP under vp->lock like the VMCB; nmi_pending alone is
 * set by other threads).  The rules, one state at a time:
 *
 * OPEN     NMIs are not blocked.  An NMI pending at entry is injected
 *          (-> BLOCKED, IRET intercept on), unless
 *          - another event is being injected at this entry: that event goes
 *            first and the entry asks for an exit right after its delivery
 *            (a self-IPI, @kick), where the NMI is injected;
 *          - the guest is in an interrupt shadow (STI, MOV SS): the entry
 *            single-steps the shadowed instruction first (the step, below),
 *            unless that instruction reads or writes RFLAGS.TF or raises an
 *            event itself (hcl_insn_step_safe()), when the NMI is injected
 *            at once as VMRUN allows.
 * BLOCKED  An NMI we injected is being handled; IRET is intercepted.  The
 *          IRET exit records the IRET's RIP and turns the intercept off
 *          (-> IRET).  NMIs stay blocked: the IRET has not run yet.
 * IRET     The IRET at @iret_rip runs when the guest resumes.
 *          - An NMI pending at entry, with no other event to inject:
 *            single-step the IRET (no interrupt is injected at that entry).
 *          - Any event injected at an entry in this state runs its handler
 *            before the IRET, and that handler's IRET unblocks NMIs as it
 *            would on the CPU: -> BLOCKED, IRET intercept on again.
 *          - No step: the first exit with RIP != @iret_rip means the IRET
 *            ran (-> OPEN), as in KVM; only a step sees an IRET fault.
 *
 * The step (@step, one VMRUN long): the entry sets RFLAGS.TF and RF and
 * intercepts #DB and every fault in HCL_NMI_STEP_EXCEPTIONS, keeping the
 * guest's own TF/RF (@step_rflags) and DR6 (@step_dr6).  The exit that
 * follows ends it, always (hcl_nmi_step_end()), before anything else sees
 * the registers, so userspace never sees our TF/RF:
 * - #DB: the instruction completed (RF suppresses instruction breakpoints,
 *   MOV DR exits): an IRET step ends blocking (-> OPEN).  The trap is the
 *   guest's own if its TF was set before the instruction (it is delivered
 *   with the DR6 the CPU wrote); otherwise DR6 gets its old value back plus
 *   any new breakpoint bits, and only those are delivered.
 * - a fault at @step_rip: the instruction did not complete; the guest's
 *   TF/RF go back and the fault is delivered to the guest.  A faulting IRET
 *   leaves NMIs blocked (-> BLOCKED): the next IRET unblocks them.
 * - any other exit at @step_rip: the instruction has not run; TF/RF go
 *   back, the state stays, the next entry decides again.
 * - any exit elsewhere: the instruction completed (-> OPEN for an IRET).
 * RFLAGS after a completed instruction are the guest's: an IRET loaded them
 * from its stack, and for a shadow step the guest's TF goes back.
 * A shutdown resets everything to OPEN.
 */
enum hcl_nmi_state {
	HCL_NMI_OPEN,
	HCL_NMI_BLOCKED,
	HCL_NMI_IRET,
};

/* what an entry does about NMIs (hcl_nmi_at_entry()) */
enum hcl_nmi_entry {
	HCL_NMI_ENTRY_NONE,	/* nothing; interrupts as usual */
	HCL_NMI_ENTRY_INJECT,	/* inject the pending NMI */
	HCL_NMI_ENTRY_STEP,	/* single-step first; inject no interrupt */
	HCL_NMI_ENTRY_KICK,	/* another event first, then exit at once */
};

/* how an exit ends a step (hcl_nmi_step_end()) */
enum hcl_nmi_step_act {
	HCL_NMI_STEP_HANDLE,	/* not the step's exit: dispatch it as usual */
	HCL_NMI_STEP_RESUME,	/* the step's own #DB: swallowed */
	HCL_NMI_STEP_REFLECT,	/* an exception the guest takes: inject it */
};

/* exceptions intercepted while a step runs: #DB and the faults */
#define HCL_NMI_STEP_EXCEPTIONS						\
	(BIT(X86_TRAP_DE) | BIT(X86_TRAP_DB) | BIT(X86_TRAP_BR) |	\
	 BIT(X86_TRAP_UD) | BIT(X86_TRAP_NM) | BIT(X86_TRAP_TS) |	\
	 BIT(X86_TRAP_NP) | BIT(X86_TRAP_SS) | BIT(X86_TRAP_GP) |	\
	 BIT(X86_TRAP_PF) | BIT(X86_TRAP_MF) | BIT(X86_TRAP_AC) |	\
	 BIT(X86_TRAP_XF))

struct hcl_nmi {
	enum hcl_nmi_state state;
	bool step;		/* TF/RF are ours for this one VMRUN */
	bool step_iret;		/* the step is the IRET's (else a shadow's) */
	bool kick;		/* exit right after this entry's event */
	u64 iret_rip;		/* IRET: where the intercepted IRET is */
	u64 step_rip;		/* step: RIP it started at */
	u64 step_rflags;	/* step: the guest's own TF and RF */
	u64 step_dr6;		/* step: the guest's DR6 */
};

enum hcl_nmi_entry hcl_nmi_at_entry(enum hcl_nmi_state state, bool pending,
				    bool event, bool shadow_step);
void hcl_nmi_step_begin(struct hcl_nmi *n, u64 rip, u64 *rflags, u64 dr6);
enum hcl_nmi_step_act hcl_nmi_step_end(struct hcl_nmi *n, u64 code, u64 rip,
				       u64 *rflags, u64 *dr6);
bool hcl_insn_step_safe(const u8 *bytes, unsigned int avail,
			unsigned int mode);
bool hcl_vp_shadow_step_safe(struct hcl_vp *vp);

/* ---- partition and VPs (main.c, vp.c) ----------------------------------- */

/*
 * The partition: VTL0 memory and its nested page table, and the VP slots.
 * Lifetime: kref; /dev/hcl's open file and every VP file hold a reference.
 * Only one partition exists at a time (hcl_partition_busy in main.c).
 */
struct hcl_partition {
	struct kref ref;
	struct hcl_npt npt;
	u64 mem_size;
	u32 max_vps;
	/* protects vps[]: slots are filled once and cleared on VP release */
	struct mutex lock;
	struct hcl_vp **vps;
	/* backend-owned permission maps, read-only once built */
	void *iopm;
	void *msrpm;
	/* claimed ranges: RCU for readers, updated under lock */
	struct hcl_range_set __rcu *ranges;
	/* VTL0 RAM as the kernel sees it (instruction fetch for MMIO) */
	void *mem;
};

void hcl_partition_put(struct hcl_partition *part);
void hcl_partition_add_live_stats(u64 *sum);

/* ---- counters (stats.c) ------------------------------------------------ */

enum hcl_stat {
	HCL_STAT_EXITS,			/* every #VMEXIT */
	HCL_STAT_USER_EXITS,		/* exits that reached userspace */
	HCL_STAT_CPUID,
	HCL_STAT_IO_USER,
	HCL_STAT_IO_KERNEL,		/* unclaimed ports */
	HCL_STAT_IO_DOORBELL,
	HCL_STAT_MMIO_USER,
	HCL_STAT_MMIO_DOORBELL,
	HCL_STAT_MSR_KERNEL,
	HCL_STAT_MSR_USER,
	HCL_STAT_HLT_WAIT,		/* halts waited out in the kernel */
	HCL_STAT_HLT_USER,
	HCL_STAT_INTR,			/* host interrupts and NMIs */
	HCL_STAT_VINTR,			/* interrupt windows */
	HCL_STAT_VTL_VIOLATION,
	HCL_STAT_INJECTIONS,
	HCL_STAT_SHUTDOWN,
	HCL_STAT_HYPERCALL,		/* answered in the kernel */
	HCL_STAT_HYPERCALL_USER,
	HCL_STAT_DR,			/* debug register accesses */
	HCL_STAT_OTHER,
	HCL_STAT_ASID_NEW,		/* ASIDs taken (new CPU, generation) */
	HCL_STAT_TLB_FLUSH_ALL,		/* VMRUNs flushing every ASID */
	HCL_STAT_TLB_FLUSH_ASID,	/* VMRUNs flushing the VP's ASID */
	HCL_STAT_VMCB_RELOAD,		/* VMRUNs with the clean field 0 */
	HCL_STAT_GUEST_NS,		/* in the guest (with the switch) */
	HCL_STAT_KERNEL_NS,		/* in exit handlers */
	HCL_STAT_USER_NS,		/* from a user exit to the next run */
	HCL_STAT_HALT_NS,		/* halted, waiting for an interrupt */
	HCL_STAT_NMI_STEP,		/* single-steps for an NMI window */
	HCL_NR_STATS
};

const char *hcl_stat_name(unsigned int i);
void hcl_stats_vp_add(struct hcl_vp *vp);
void hcl_stats_vp_remove(struct hcl_vp *vp);
void hcl_stats_init(void);
void hcl_stats_exit(void);

/* General registers around VMRUN; layout shared with svm_vmrun.S. */
struct hcl_gprs {
	u64 r[HCL_NR_GPRS];
};

struct hcl_vp {
	struct hcl_partition *part;	/* holds a reference */
	u32 index;
	u64 uid;			/* unique across the module's life */
	/*
	 * lock serialises every ioctl on the VP, including a run: one thread
	 * at a time owns the VP's state (VMCB, GPRs, run page contents).
	 */
	struct mutex lock;
	struct vmcb *vmcb;
	u64 vmcb_pa;
	struct hcl_gprs gprs;		/* RAX and RSP live in the VMCB */
	void *fpu;			/* guest x87/SSE/AVX state (XSAVE area) */
	u64 db[4];			/* guest DR0-DR3 (emulated) */
	struct hcl_run *run;		/* one page, mapped by userspace */
	struct hcl_cpuid_table *cpuid;	/* replaced under lock */
	bool regs_set;
	bool sregs_set;
	bool halted;			/* waiting for an interrupt (HLT) */
	int last_cpu;			/* of the last VMRUN; -1: none yet */
	struct hcl_asid_vp asid;	/* the guest TLB's tag (asid.c) */
	u32 vmcb_dirty;			/* VMCB areas written since VMRUN */
	/* an IN exit awaiting its data from userspace */
	bool io_in_pending;
	u8 io_in_size;
	/* an MSR exit awaiting userspace (index in the run page is not used) */
	bool msr_pending;
	bool msr_pending_read;
	/* a hypercall awaiting its result from userspace */
	bool hc_pending;
	/* an MMIO read awaiting its data, as decoded at exit time */
	bool mmio_pending;
	struct hcl_mmio_insn mmio_insn;
	struct hcl_msr_table *msrs;	/* replaced under lock */

	/*
	 * Interrupt delivery.  Other threads set bits and kick; the running
	 * thread consumes them.  running_cpu is the CPU in guest mode, or -1.
	 */
	unsigned long irq_pending[BITS_TO_LONGS(256)];
	atomic_t nmi_pending;
	struct hcl_nmi nmi;		/* NMI blocking and window (nmi.c) */
	int running_cpu;
	wait_queue_head_t wq;		/* HLT sleeps here */

	/*
	 * io_uring.  A RUN command is parked in uring_cmd and carried out by
	 * the VP's own kernel thread (created at the first RUN, stopped at
	 * release), which completes it.  uring_lock protects uring_cmd;
	 * stop_run asks a run in progress to end (cancellation).
	 */
	spinlock_t uring_lock;
	struct io_uring_cmd *uring_cmd;
	struct task_struct *uring_thread;
	wait_queue_head_t uring_wq;
	bool stop_run;

	/* counters (enum hcl_stat), written by the running thread only */
	u64 stats[HCL_NR_STATS];
	u64 user_since_ns;		/* when the last user exit left */
	struct dentry *debugfs;
};

bool hcl_vp_irq_ready(struct hcl_vp *vp);

/* Under vp->lock: the host wrote a VMCB field of @area (vmcb_clean.c). */
static inline void hcl_vmcb_mark_dirty(struct hcl_vp *vp,
				       enum hcl_vmcb_area area)
{
	vp->vmcb_dirty |= BIT(area);
}

#define HCL_RUN_MAX_VPS		64

/* VP file creation (vp.c) */
int hcl_vp_create(struct hcl_partition *part,
		  const struct hcl_create_vp *args);

/* ---- backend (svm.c) ---------------------------------------------------- */

/*
 * The run loop reaches the hardware only through these.  A VMX or a
 * Hyper-V VTL-return backend would provide the same set.
 */
struct hcl_backend_ops {
	const char *name;
	int (*partition_init)(struct hcl_partition *part);
	void (*partition_destroy)(struct hcl_partition *part);
	int (*vp_init)(struct hcl_vp *vp);
	void (*vp_destroy)(struct hcl_vp *vp);
	void (*get_regs)(struct hcl_vp *vp, struct hcl_regs *regs);
	int (*set_regs)(struct hcl_vp *vp, const struct hcl_regs *regs);
	void (*get_sregs)(struct hcl_vp *vp, struct hcl_sregs *sregs);
	int (*set_sregs)(struct hcl_vp *vp, const struct hcl_sregs *sregs);
	/* enter the guest once; returns with the exit recorded in the VMCB */
	void (*enter)(struct hcl_vp *vp);
	/* MSRs the backend owns: 0, -ENOENT (not ours), -EINVAL (bad value) */
	int (*get_msr)(struct hcl_vp *vp, u32 index, u64 *val);
	int (*set_msr)(struct hcl_vp *vp, u32 index, u64 val);
	/* deliver a pending interrupt or open an interrupt window */
	void (*inject)(struct hcl_vp *vp);
	int (*get_debugregs)(struct hcl_vp *vp, struct hcl_debugregs *d);
	int (*set_debugregs)(struct hcl_vp *vp, const struct hcl_debugregs *d);
};

extern const struct hcl_backend_ops *hcl_backend;
#if IS_ENABLED(CONFIG_KUNIT)
extern const struct hcl_backend_ops hcl_svm_ops;
#endif
extern u64 hcl_features;

int hcl_svm_init(void);
void hcl_svm_exit(void);
/*
 * Debug register values as the CPU holds them: DR6 bits 31:16 and 11:4
 * read as one; DR7 bit 10 reads as one, bits 11, 12, 14 and 15 as zero.
 */
static inline u64 hcl_dr6_fixed(u64 v)
{
	return v | 0xffff0ff0ULL;
}

static inline u64 hcl_dr7_fixed(u64 v)
{
	return (v | BIT_ULL(10)) & ~0xd800ULL;
}

/* svm_vmrun.S: one world switch, called with GIF clear */
void hcl_svm_vmrun(u64 vmcb_pa, struct hcl_gprs *gprs, u64 host_save_pa);

/* ---- configuration (config.c) ------------------------------------------ */

/* what the module runs the partition with; see config.c for the rules */
struct hcl_config {
	u64 vtl0_base;		/* host-physical; VTL0 sees it at GPA 0 */
	u64 vtl0_size;
	u64 image_base;		/* the staged VTL0 image, 0/0 if none */
	u64 image_size;
	u32 vp_count;		/* 0: not given */
	u32 map_entries;
	bool from_params;	/* vtl0_base=/vtl0_size= instead of the DT */
	char err[128];		/* why hcl_config_parse() failed */
};

extern struct hcl_config hcl_config;
extern const struct attribute_group *hcl_attr_groups[];

int hcl_config_init(u64 param_base, u64 param_size);
void hcl_config_publish(void);
#if IS_ENABLED(CONFIG_KUNIT)
int hcl_config_parse(const __be32 *map, size_t map_len,
		     const __be32 *vtl0, size_t vtl0_len,
		     const __be32 *image, size_t image_len,
		     const __be32 *vp_count, size_t vp_len,
		     struct hcl_config *cfg);
#endif

long hcl_ioctl_unknown(unsigned int cmd);

#endif /* HCL_INTERNAL_H */
