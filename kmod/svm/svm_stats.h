/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM backend's counters, one table (no include guard: included with
 * HCL_STAT(ENUM, name) defined, see svm.h); they follow the generic ones
 * (stats_list.h) in vp->stats and in debugfs.
 */
HCL_STAT(ASID_NEW, asid_new)		/* ASIDs taken (new CPU, generation) */
HCL_STAT(TLB_FLUSH_ALL, tlb_flush_all)	/* VMRUNs flushing every ASID */
HCL_STAT(TLB_FLUSH_ASID, tlb_flush_asid) /* VMRUNs flushing the VP's ASID */
HCL_STAT(VMCB_RELOAD, vmcb_reload)	/* VMRUNs with the clean field 0 */
HCL_STAT(NMI_STEP, nmi_step)		/* single-steps for an NMI window */
HCL_STAT(KICK_LATE, kick_late)		/* kicks between injection and VMRUN */
HCL_STAT(HOST_STATE_CHECKS, host_state_checks) /* hcl.check_host_state */
HCL_STAT(HOST_STATE_BAD, host_state_bad) /* exits that changed host state */
HCL_STAT(VMCB_REPAIR, vmcb_repair)	/* V_INTR_MASKING put back */
HCL_STAT(ENTRY_REFUSED, entry_refused)	/* states VMRUN would refuse */
HCL_STAT(CR_WRITE, cr_write)		/* CR0, CR4, CR8 writes done here */
HCL_STAT(REMOTE_RUNS, remote_runs)	/* RUN_VPs on a sidecar CPU */
HCL_STAT(REMOTE_STOPS, remote_stops)	/* of them, ended by a kick or signal */
HCL_STAT(REMOTE_WAIT_NS, remote_wait_ns) /* from posting RUN_VP to its ack */
HCL_STAT(REMOTE_GUEST_TSC, remote_guest_tsc) /* cycles inside RUN_VP */
