/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AMD SVM backend: its VP and partition, which wrap the generic ones
 * as KVM's vcpu_svm wraps kvm_vcpu, and what its files share.
 *
 *   svm.c          per-CPU enablement, VMCB setup, register access, the
 *                  entry (FPU, ASID, clean bits, injection, VMRUN)
 *   svm_vmrun.S    the world switch
 *   exit.c         SVM exit decoding, handed to the generic emulation
 *   nmi.c          the NMI window without vNMI
 *   asid.c         ASID generations and TLB flushes
 *   vmcb_clean.c   VMCB clean bits
 */
#ifndef HCL_SVM_H
#define HCL_SVM_H

#include <linux/build_bug.h>
#include <linux/container_of.h>
#include <linux/jiffies.h>
#include <linux/types.h>

#include "asid.h"
#include "nmi.h"
#include "vmcb_clean.h"
#include "vmrun_check.h"
#include "partition.h"
#include "stats.h"
#include "vp.h"

struct vmcb;
struct hcl_sidecar_vp_save;

/*
 * Per-CPU SVM state (svm.c).  Written only by the CPU itself (hot-plug
 * callbacks run on the CPU they concern; the run loop with preemption
 * disabled from the ASID choice through VMRUN), but for a sidecar CPU,
 * which Linux does not run: there last_vmcb_uid and asid belong to the
 * holder of the sidecar CPU (hcl_sidecar_acquire()), and the rest is
 * unused.  Lives as long as the module: the ASID generation carries over
 * a CPU going offline and online again, or from the sidecar to Linux.
 */
struct hcl_svm_cpu {
	struct page *hsave;		/* MSR_VM_HSAVE_PA target */
	struct page *host_save;		/* VMSAVE/VMLOAD of host state */
	u64 host_save_pa;
	/*
	 * The VMCB that ran here last, by its VP's uid (0: none).  A uid and
	 * not the VMCB's address: a freed VMCB's page can come back as
	 * another VP's, and uids are never reused.
	 */
	u64 last_vmcb_uid;
	struct hcl_asid_cpu asid;	/* this CPU's ASIDs (asid.c) */
	/*
	 * The host's IA32_TSC_AUX here, read when the CPU comes online:
	 * Linux sets it once per CPU (its number, for RDTSCP/RDPID) and
	 * nothing else writes it while hcl.ko holds SVM (kvm_amd, which
	 * switches it for its guests, cannot be loaded beside us).
	 */
	u32 host_tsc_aux;
	bool enabled;
};

/*
 * An SVM VP.  Everything here belongs to the thread holding vp->lock,
 * like the VMCB itself; nmi.kick is read by the entry alone.
 */
struct hcl_svm_vp {
	struct hcl_vp vp;		/* first: the core allocates vp_size */
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u32 vmcb_dirty;			/* VMCB areas written since VMRUN */
	u64 uid;			/* unique across the module's life */
	int last_cpu;			/* of the last VMRUN; -1: none yet */
	struct hcl_asid_vp asid;	/* the guest TLB's tag (asid.c) */
	struct hcl_nmi nmi;		/* NMI blocking and window (nmi.c) */
	/*
	 * The external interrupt offered to the guest through V_IRQ at the
	 * last entry, still pending in its source (vp->apic's IRR if
	 * virq_apic, else vp->irq_pending) until the exit finds it taken
	 * (hcl_svm_handle_exit()).  Written on the VP's thread only, between
	 * hcl_svm_inject() and the next exit.
	 */
	bool virq;
	bool virq_apic;
	u8 virq_vec;
	void *fpu;			/* guest x87/SSE/AVX state (XSAVE area) */
	/*
	 * The guest's DR0-DR3: its MOVs exit and land here; in the hardware
	 * only across a VMRUN with a breakpoint enabled in the guest's DR7
	 * (hcl_dr_entry()).
	 */
	u64 db[4];
	/*
	 * The guest's PKRU, in the register only between VMRUN's CLGI and
	 * STGI (svm_enter()); the host's is back before anything else runs.
	 */
	u32 pkru;
	u32 tsc_aux;			/* the guest's IA32_TSC_AUX, reset 0 */
	/*
	 * The sidecar (remote.c): the save area RUN_VP switches the GPRs
	 * and the rest through, which also holds the FPU area (fpu points
	 * into it) when that fits, else NULL; the sidecar CPU the VP runs
	 * on, or -1 (local); the error of the last remote entry, for
	 * hcl_svm_handle_exit().
	 */
	struct hcl_sidecar_vp_save *save;
	int remote;
	int remote_err;
	/* the hot-plug policy's window: its start (jiffies), its exits */
	unsigned long remote_window;
	u32 remote_window_exits;
};

static_assert(offsetof(struct hcl_svm_vp, vp) == 0);

static inline struct hcl_svm_vp *to_svm(struct hcl_vp *vp)
{
	return container_of(vp, struct hcl_svm_vp, vp);
}

/* An SVM partition: the permission maps, read-only once built. */
struct hcl_svm_partition {
	struct hcl_partition part;	/* first, as for the VP */
	void *iopm;
	void *msrpm;
};

static_assert(offsetof(struct hcl_svm_partition, part) == 0);

static inline struct hcl_svm_partition *to_svm_part(struct hcl_partition *p)
{
	return container_of(p, struct hcl_svm_partition, part);
}

/* Under vp->lock: the host wrote a VMCB field of @area (vmcb_clean.c). */
static inline void hcl_vmcb_mark_dirty(struct hcl_svm_vp *svm,
				       enum hcl_vmcb_area area)
{
	svm->vmcb_dirty |= BIT(area);
}

/* The backend's counters (svm_stats.h), after the generic ones. */
enum hcl_svm_stat {
	HCL_SVM_STAT_BEFORE = HCL_NR_GENERIC_STATS - 1,
#define HCL_STAT(e, ...)	HCL_STAT_##e,
#include "svm_stats.h"
#undef HCL_STAT
	HCL_SVM_STAT_END
};

#define HCL_NR_SVM_STATS	(HCL_SVM_STAT_END - HCL_NR_GENERIC_STATS)
static_assert(HCL_NR_SVM_STATS <= HCL_MAX_BACKEND_STATS);

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

/*
 * The debug registers around VMRUN (svm_enter(), with GIF clear).  VMRUN
 * loads the guest's DR7 and DR6 from the VMCB but not DR0-DR3, which
 * hold whatever the host left: a breakpoint the guest enables must find
 * its own address there.  #VMEXIT saves the guest's DR7 and DR6 and
 * disables every breakpoint in DR7, the host's too, leaving the guest's
 * DR0-DR3 and DR6 behind.  Like KVM, the host's state is put back in full
 * when it has breakpoints armed (hw_breakpoint_restore()); else only a
 * DR6 the guest left dirty is reset, DR0-DR3 being inert under the
 * host's DR7.
 */
#define HCL_DR_HOST_OFF		BIT(0)	/* before: the host's DR7 off */
#define HCL_DR_LOAD_GUEST	BIT(1)	/* before: the guest's DR0-DR3 in */
#define HCL_DR_RESTORE_HOST	BIT(2)	/* after: all of the host's back */
#define HCL_DR_RESET_DR6	BIT(3)	/* after: DR6 to its reset value */

#define HCL_DR7_ENABLES		0xffULL	/* L0-L3, G0-G3 */
#define HCL_DR6_RESET		0xffff0ff0ULL

/*
 * What to do before VMRUN, given the guest's DR7 and whether the host
 * has breakpoints armed: its DR7 goes off first, so that none of its
 * breakpoints fires at a guest address on the way in.
 */
static inline unsigned int hcl_dr_entry(u64 guest_dr7, bool host_armed)
{
	unsigned int what = 0;

	if (host_armed)
		what |= HCL_DR_HOST_OFF;
	if (guest_dr7 & HCL_DR7_ENABLES)
		what |= HCL_DR_LOAD_GUEST;
	return what;
}

/* What to do after #VMEXIT, given the guest's DR6 the exit saved. */
static inline unsigned int hcl_dr_exit(u64 guest_dr6, bool host_armed)
{
	if (host_armed)
		return HCL_DR_RESTORE_HOST;
	if (guest_dr6 != HCL_DR6_RESET)
		return HCL_DR_RESET_DR6;
	return 0;
}

/*
 * The hot-plug policy's window (remote.c), pure so that KUnit can drive
 * it: one more exit at @now; a window of @len jiffies from *@start that
 * has passed closes, a new one starts at @now, and the answer is whether
 * the closed one had more than @rate exits (@rate 0: never).
 */
static inline bool hcl_remote_window(unsigned long *start, u32 *exits,
				     unsigned long now, unsigned long len,
				     unsigned int rate)
{
	bool over;

	(*exits)++;
	if (!time_after(now, *start + len))
		return false;
	over = rate && *exits > rate;
	*start = now;
	*exits = 0;
	return over;
}

/* an IOIO exit's info 1, decoded (hcl_decode_ioio()) */
struct hcl_io_decoded {
	u16 port;
	u8 size;
	bool in;
	bool string;
	bool rep;
};

/* exit.c */
enum hcl_exit_action hcl_svm_handle_exit(struct hcl_vp *vp);
void hcl_svm_queue_exception(struct hcl_vp *vp, u8 vector, bool has_err,
			     u32 err);
bool hcl_svm_shadow_step_safe(struct hcl_svm_vp *svm);
const char *hcl_svm_exit_name(u64 code);
int hcl_decode_ioio(u64 info1, struct hcl_io_decoded *io);

/*
 * svm.c: at an exit, whether the guest took the interrupt the entry
 * offered; true if @intinfo is its cut-short delivery (not to re-inject)
 */
bool hcl_svm_settle_irq(struct hcl_svm_vp *svm, u64 code, u32 intinfo);

/* svm.c: what the entry does before VMRUN about interrupts and NMIs */
void hcl_svm_inject(struct hcl_vp *vp);

/*
 * svm.c: the pieces of an entry a remote one shares (remote.c), and what
 * the host's CPU offers, set at load and read-only afterwards: the FPU
 * components switched (XCR0 but PKRU; 0 without XSAVE) and their area's
 * size, IA32_TSC_AUX, the SVM capabilities.
 */
extern u64 hcl_fpu_mask;
extern unsigned int hcl_fpu_size;
extern bool hcl_has_tsc_aux;
extern struct hcl_svm_caps hcl_svm_caps;
extern struct hcl_vmrun_limits hcl_vmrun_limits;
extern u64 hcl_guest_cr4_ok;
struct hcl_svm_cpu *hcl_svm_cpu_state(int cpu);
u8 hcl_svm_prepare_cpu(struct hcl_svm_vp *svm, int cpu, bool *reload);
void hcl_svm_load_vmcb(struct hcl_svm_vp *svm, bool reload);
void hcl_svm_exited(struct hcl_svm_vp *svm, int cpu, u8 tlb);
void hcl_svm_refuse_entry(struct hcl_svm_vp *svm, u32 check);
void hcl_svm_entry_refused(struct hcl_svm_vp *svm, u32 inj, u32 inj_err,
			   u64 host_cr3);

/* remote.c: VPs on sidecar CPUs */
void hcl_svm_remote_init(void);
void hcl_svm_remote_bind(struct hcl_svm_vp *svm);
/* false: the VP runs locally from now on, enter it that way */
bool hcl_svm_enter_remote(struct hcl_svm_vp *svm);
enum hcl_exit_action hcl_svm_remote_failed(struct hcl_svm_vp *svm);

/* svm_vmrun.S: one world switch, called with GIF clear */
void hcl_svm_vmrun(u64 vmcb_pa, struct hcl_gprs *gprs, u64 host_save_pa);

#endif /* HCL_SVM_H */
