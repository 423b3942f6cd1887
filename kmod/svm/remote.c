// SPDX-License-Identifier: GPL-2.0
/*
 * VPs on sidecar CPUs: the remote entry.
 *
 * VP i runs on VTL2 CPU i.  When that CPU is the sidecar's (kept from
 * Linux by the shim, waiting in its dispatch loop: docs/sidecar.md), the
 * VP's entry posts RUN_VP on the CPU's command page and sleeps until the
 * sidecar reports the exit; everything else is the local entry's: the
 * ASID and VMCB clean-bit choice (for the sidecar CPU, from its per-CPU
 * state), interrupt and NMI injection, the register cache in and out of
 * the VMCB, and the exit handled on Linux's CPU by hcl_svm_handle_exit()
 * like any other.  The world switch is the sidecar's (sidecar/run_vp.c):
 * the GPRs, the FPU state (XRSTOR/XSAVE of the same area the local path
 * uses, PKRU included), IA32_TSC_AUX and DR0-3 travel in the VP's save
 * area (struct hcl_sidecar_vp_save).
 *
 * A kick (an interrupt for the VP, a stop) sets vp->kicked and wakes the
 * sidecar CPU's wait queue, published in vp->remote_wq for the run; the
 * waiting entry then sets the stop word and sends the wake-up IPI, and
 * the guest exits within microseconds.  A kick before the injection is
 * seen by it (the same barrier pairing as the local entry's), a kick
 * after it by the wait.  A signal stops the run the same way.
 *
 * Failures are the VP's, reported to userspace as HCL_EXIT_FAIL_ENTRY
 * with hw.code HCL_HW_SIDECAR_FAILED and the error in hw.info1: a sidecar
 * CPU that faults, stops answering or refuses the run is marked dead
 * (sidecar.c), and the VP's later entries fail the same way.
 */
#define pr_fmt(fmt) "hcl: " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/svm.h>
#include <uapi/linux/hcl.h>

#include "backend.h"
#include "log.h"
#include "npt.h"
#include "sidecar.h"
#include "svm.h"
#include "svm_trace.h"

/* the XSAVE header's XSTATE_BV, after the legacy area */
#define XSTATE_BV_OFFSET	512
/* how long a VP waits for the CPU the policy onlines for it */
#define HCL_REMOTE_ONLINE_WAIT_MS	2000

/*
 * Set at load, read-only afterwards: XCR0 on the sidecar CPU while a VP
 * runs (the host's; the guest's XSETBV exits), the components its XSAVE
 * switches (hcl_fpu_mask and PKRU), where PKRU sits in the area (0: not
 * in XCR0).  remote_xcr0 0: no VP runs remotely (no XSAVE).
 */
static u64 remote_xcr0, remote_xsave_mask;
static unsigned int remote_pkru_off;

void hcl_svm_remote_init(void)
{
	u32 eax, ebx, ecx, edx;
	int cpu;

	if (!hcl_fpu_mask)
		return;
	remote_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	remote_xsave_mask = hcl_fpu_mask;
	if (remote_xcr0 & XFEATURE_MASK_PKRU) {
		cpuid_count(0xd, XFEATURE_PKRU, &eax, &ebx, &ecx, &edx);
		if (ebx && ebx + sizeof(u32) <= hcl_fpu_size) {
			remote_pkru_off = ebx;
			remote_xsave_mask |= XFEATURE_MASK_PKRU;
		}
	}
	/*
	 * The ASID allocators of the CPUs Linux does not run (sidecar
	 * CPUs); one that comes online later starts a new generation in
	 * its hot-plug callback.
	 */
	cpus_read_lock();
	for_each_present_cpu(cpu)
		if (!cpu_online(cpu))
			hcl_asid_cpu_init(&hcl_svm_cpu_state(cpu)->asid,
					  &hcl_svm_caps);
	cpus_read_unlock();
}

void hcl_svm_remote_bind(struct hcl_svm_vp *svm)
{
	int idx;

	svm->remote = -1;
	if (!remote_xcr0 || !svm->save)
		return;
	idx = hcl_sidecar_cpu_for_vp(svm->vp.index);
	if (idx < 0)
		return;
	svm->remote = idx;
	WRITE_ONCE(svm->vp.run->sidecar_cpu, idx);
	svm->remote_window = jiffies;
	/* the sidecar pages with 4 levels, and the nested walk with it */
	svm->vmcb->control.nested_cr3 = hcl_npt_pml4_pa(&svm->vp.part->npt);
	hcl_dbg("VP %u runs on sidecar CPU %d (Linux CPU %d)\n",
		svm->vp.index, idx, hcl_sidecar_linux_cpu(idx));
}

/* the guest state besides the GPRs, into the save area */
static void remote_load(struct hcl_svm_vp *svm)
{
	struct hcl_sidecar_vp_save *save = svm->save;
	u64 *xstate_bv = (u64 *)(save->xsave + XSTATE_BV_OFFSET);

	memcpy(save->gpr, svm->vp.gprs.r, sizeof(save->gpr));
	save->xcr0 = remote_xcr0;
	save->xsave_mask = remote_xsave_mask;
	if (remote_pkru_off) {
		memcpy(save->xsave + remote_pkru_off, &svm->pkru,
		       sizeof(svm->pkru));
		*xstate_bv |= XFEATURE_MASK_PKRU;
	}
	save->flags = 0;
	if (hcl_has_tsc_aux) {
		save->flags |= HCL_SIDECAR_LOAD_TSC_AUX;
		save->tsc_aux = svm->tsc_aux;
	}
	if (hcl_dr_entry(svm->vmcb->save.dr7, false) & HCL_DR_LOAD_GUEST) {
		save->flags |= HCL_SIDECAR_LOAD_DR;
		memcpy(save->dr, svm->db, sizeof(save->dr));
	}
}

/* and back; RAX and RSP come from the VMCB (hcl_svm_exited()) */
static void remote_store(struct hcl_svm_vp *svm)
{
	struct hcl_sidecar_vp_save *save = svm->save;
	u64 xstate_bv = *(u64 *)(save->xsave + XSTATE_BV_OFFSET);

	memcpy(svm->vp.gprs.r, save->gpr, sizeof(save->gpr));
	if (remote_pkru_off) {
		svm->pkru = 0;		/* the init state */
		if (xstate_bv & XFEATURE_MASK_PKRU)
			memcpy(&svm->pkru, save->xsave + remote_pkru_off,
			       sizeof(svm->pkru));
	}
	if (hcl_has_tsc_aux)
		svm->tsc_aux = save->tsc_aux;
}

/*
 * The VP's sidecar CPU went to Linux (hot-plug): from now on the VP runs
 * locally, on whatever CPU its thread runs, from the state its last
 * remote run left, all of which is where the local entry keeps it (the
 * VMCB, the register cache, the FPU area, pkru, tsc_aux, db).  Only the
 * nested walk goes back to the host's depth.
 */
static void remote_to_local(struct hcl_svm_vp *svm)
{
	int cpu = hcl_sidecar_linux_cpu(svm->remote), ms;

	hcl_info("VP %u: sidecar CPU %d goes to Linux; the VP runs locally\n",
		 svm->vp.index, svm->remote);
	/*
	 * The policy brings the CPU up for this VP: its thread goes there
	 * (its own affinity, set from its own system call) once the
	 * scheduler uses it (cpu_active()), milliseconds after the hot-plug
	 * callback stopped the VP.  A CPU someone else onlined leaves the thread where its
	 * owner put it.
	 */
	if (hcl_sidecar_onlined_by_policy(svm->remote)) {
		for (ms = 0; ms < HCL_REMOTE_ONLINE_WAIT_MS && !cpu_active(cpu) &&
		     !signal_pending(current); ms++)
			usleep_range(1000, 2000);
		if (!cpu_active(cpu) ||
		    set_cpus_allowed_ptr(current, cpumask_of(cpu)))
			hcl_warn("VP %u: its thread stays where it is, not on CPU %d\n",
				 svm->vp.index, cpu);
	}
	svm->remote = -1;
	WRITE_ONCE(svm->vp.run->sidecar_cpu, -1);
	svm->vmcb->control.nested_cr3 = hcl_npt_root_pa(&svm->vp.part->npt);
	hcl_vmcb_mark_dirty(svm, HCL_VMCB_NP);
}

/*
 * The hot-plug policy: exits counted over windows of a second; a window
 * over hcl.sidecar_online_rate asks for the VP's CPU to join Linux.
 */
static void remote_policy(struct hcl_svm_vp *svm)
{
	unsigned int rate = hcl_sidecar_online_threshold();

	if (hcl_remote_window(&svm->remote_window, &svm->remote_window_exits,
			      jiffies, HZ, rate)) {
		hcl_info("VP %u: over %u exits in a second on sidecar CPU %d: the CPU joins Linux\n",
			 svm->vp.index, rate, svm->remote);
		hcl_sidecar_want_online(svm->remote);
	}
}

bool hcl_svm_enter_remote(struct hcl_svm_vp *svm)
{
	struct hcl_vp *vp = &svm->vp;
	struct hcl_sidecar_run r = {
		.vmcb_pa = svm->vmcb_pa,
		.save_pa = __pa(svm->save),
		.kick = &vp->kicked,
		.brief = vp->inline_run,
	};
	int idx = svm->remote, cpu, ret;
	u32 bad, inj, inj_err;
	bool reload;
	u8 tlb;

	ret = hcl_sidecar_acquire(idx);
	if (ret == -ENODEV) {
		remote_to_local(svm);
		return false;
	}
	trace_hcl_entry(vp->index, vp->rip);
	svm->remote_err = ret;
	if (ret)
		return true;
	cpu = hcl_sidecar_linux_cpu(idx);
	tlb = hcl_svm_prepare_cpu(svm, cpu, &reload);

	/* as the local entry, with the wait queue in place of running_cpu */
	WRITE_ONCE(vp->kicked, false);
	WRITE_ONCE(vp->remote_wq, hcl_sidecar_wq(idx));
	/* pairs with the barrier in hcl_vp_kick() and hcl_irq_kick() */
	smp_mb();
	hcl_svm_inject(vp);
	hcl_svm_load_vmcb(svm, reload);
	bad = hcl_vmrun_check(svm->vmcb, &hcl_vmrun_limits);
	if (unlikely(bad)) {
		WRITE_ONCE(vp->remote_wq, NULL);
		hcl_svm_refuse_entry(svm, bad);
		hcl_svm_exited(svm, cpu, tlb);
		hcl_sidecar_release(idx);
		return true;
	}
	inj = svm->vmcb->control.event_inj;
	inj_err = svm->vmcb->control.event_inj_err;
	remote_load(svm);
	/* a kick since the injection, or an NMI next: out right after entry */
	r.stop = READ_ONCE(vp->kicked) || svm->nmi.kick;
	if (READ_ONCE(vp->kicked))
		vp->stats[HCL_STAT_KICK_LATE]++;
	svm->nmi.kick = false;

	ret = hcl_sidecar_run_vp(idx, &r);
	WRITE_ONCE(vp->remote_wq, NULL);
	vp->stats[HCL_STAT_REMOTE_RUNS]++;
	if (ret) {
		svm->remote_err = ret;
		hcl_sidecar_release(idx);
		return true;
	}
	vp->stats[HCL_STAT_REMOTE_STOPS] += r.stopped;
	vp->stats[HCL_STAT_REMOTE_WAIT_NS] += r.wait_ns;
	vp->stats[HCL_STAT_REMOTE_GUEST_TSC] += r.run_tsc;
	remote_store(svm);
	if (unlikely(svm->vmcb->control.exit_code == (u32)SVM_EXIT_ERR))
		hcl_svm_entry_refused(svm, inj, inj_err, r.host_cr3);
	hcl_svm_exited(svm, cpu, tlb);
	hcl_sidecar_release(idx);
	remote_policy(svm);
	trace_hcl_remote_run(vp->index, idx, r.result, r.wait_ns, r.run_tsc);
	return true;
}

/*
 * The remote entry did not run the guest: a signal while it waited for
 * the sidecar CPU (the run loop returns -EINTR), or the CPU failed.
 */
enum hcl_exit_action hcl_svm_remote_failed(struct hcl_svm_vp *svm)
{
	struct hcl_run *run = svm->vp.run;
	int err = svm->remote_err;

	svm->remote_err = 0;
	if (err == -EINTR)
		return HCL_ACT_HOST_IRQ;
	pr_err_ratelimited("VP %u: its sidecar CPU %d failed (error %d)\n",
			   svm->vp.index, svm->remote, err);
	run->exit_reason = HCL_EXIT_FAIL_ENTRY;
	run->hw_exit_code = HCL_HW_SIDECAR_FAILED;
	run->hw.code = HCL_HW_SIDECAR_FAILED;
	run->hw.info1 = (u64)(s64)err;
	run->hw.info2 = svm->remote;
	run->hw.int_info = 0;
	return HCL_ACT_USER;
}
