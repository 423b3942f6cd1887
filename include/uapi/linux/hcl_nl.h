/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	netlink/specs/hcl.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_HCL_NL_H
#define _UAPI_LINUX_HCL_NL_H

#define HCL_FAMILY_NAME		"hcl"
#define HCL_FAMILY_VERSION	1

/**
 * enum hcl_vp_state - What a VP is doing when it is looked at.
 * @HCL_VP_STATE_IDLE: Created and not running; it never exited to userspace.
 * @HCL_VP_STATE_RUNNING: In a run (in the guest or handling an exit in the
 *   kernel).
 * @HCL_VP_STATE_HALTED: In a run, waiting in the kernel for an interrupt.
 * @HCL_VP_STATE_USER_EXIT: Not running; its last run ended with an exit to
 *   userspace.
 */
enum hcl_vp_state {
	HCL_VP_STATE_IDLE,
	HCL_VP_STATE_RUNNING,
	HCL_VP_STATE_HALTED,
	HCL_VP_STATE_USER_EXIT,
};

/**
 * enum hcl_event_kind - Why an event was sent; the values are stable and new
 *   kinds are appended.
 * @HCL_EVENT_KIND_VP_STOP: A VP's run ended with an exit to userspace named in
 *   the policy's event mask.
 * @HCL_EVENT_KIND_TRIPLE_FAULT: A VP shut down (triple fault); its state is
 *   lost.
 * @HCL_EVENT_KIND_VTL_VIOLATION: VTL0 touched a GPA that is neither its RAM
 *   nor claimed.
 * @HCL_EVENT_KIND_SIDECAR_CPU: A sidecar CPU left the sidecar (see
 *   sidecar-change).
 */
enum hcl_event_kind {
	HCL_EVENT_KIND_VP_STOP = 1,
	HCL_EVENT_KIND_TRIPLE_FAULT,
	HCL_EVENT_KIND_VTL_VIOLATION,
	HCL_EVENT_KIND_SIDECAR_CPU,
};

/**
 * enum hcl_sidecar_change - What happened to a sidecar CPU.
 * @HCL_SIDECAR_CHANGE_TO_LINUX: Handed to Linux (REMOVE), by hot-plug or by
 *   hand; Linux may boot it.
 * @HCL_SIDECAR_CHANGE_FAULT: It took an exception (fault-vector) and halted
 *   for good.
 * @HCL_SIDECAR_CHANGE_LOST: It stopped answering or refused a run; no VP runs
 *   there any more.
 */
enum hcl_sidecar_change {
	HCL_SIDECAR_CHANGE_TO_LINUX = 1,
	HCL_SIDECAR_CHANGE_FAULT,
	HCL_SIDECAR_CHANGE_LOST,
};

/**
 * enum hcl_log_level - How much hcl.ko writes to the kernel log, as printk's
 *   levels: a message is written when its level is at or below the policy's.
 *   Errors are always written.
 * @HCL_LOG_LEVEL_ERR: Errors only.
 * @HCL_LOG_LEVEL_WARNING: And warnings (a CPU or VP that cannot be used as
 *   asked).
 * @HCL_LOG_LEVEL_NOTICE: And notices (unused today; between warning and info).
 * @HCL_LOG_LEVEL_INFO: And what changes the machine: SVM enabled, sidecar CPUs
 *   handed to Linux, VPs moved off a sidecar CPU (the default).
 * @HCL_LOG_LEVEL_DEBUG: And lifetimes and rare exits: partitions opened, VPs
 *   created and released, the exits userspace sees seldom (KERN_DEBUG: in
 *   /dev/kmsg and so in the host channel's log).
 */
enum hcl_log_level {
	HCL_LOG_LEVEL_ERR = 3,
	HCL_LOG_LEVEL_WARNING,
	HCL_LOG_LEVEL_NOTICE,
	HCL_LOG_LEVEL_INFO,
	HCL_LOG_LEVEL_DEBUG,
};

/**
 * enum hcl_policy_flags - Switches of the run loop.
 * @HCL_POLICY_FLAGS_FORWARD_UNCLAIMED_IO: Port I/O to a port nobody claimed
 *   exits to userspace (HCL_EXIT_IO) instead of reading all ones in the
 *   kernel.
 */
enum hcl_policy_flags {
	HCL_POLICY_FLAGS_FORWARD_UNCLAIMED_IO = 1,
};

#define HCL_EVENT_RATE_MAX	100000

enum {
	HCL_A_STAT_NAME = 1,
	HCL_A_STAT_VALUE,

	__HCL_A_STAT_MAX,
	HCL_A_STAT_MAX = (__HCL_A_STAT_MAX - 1)
};

enum {
	HCL_A_PARTITION_OPEN = 1,
	HCL_A_PARTITION_VP_COUNT,
	HCL_A_PARTITION_VPS,
	HCL_A_PARTITION_VTL0_BASE,
	HCL_A_PARTITION_VTL0_SIZE,
	HCL_A_PARTITION_BACKEND,
	HCL_A_PARTITION_FEATURES,
	HCL_A_PARTITION_API_VERSION,

	__HCL_A_PARTITION_MAX,
	HCL_A_PARTITION_MAX = (__HCL_A_PARTITION_MAX - 1)
};

enum {
	HCL_A_VP_ID = 1,
	HCL_A_VP_STATE,
	HCL_A_VP_LAST_EXIT,
	HCL_A_VP_STAT,

	__HCL_A_VP_MAX,
	HCL_A_VP_MAX = (__HCL_A_VP_MAX - 1)
};

enum {
	HCL_A_POLICY_EVENT_MASK = 1,
	HCL_A_POLICY_RATE,
	HCL_A_POLICY_BURST,
	HCL_A_POLICY_FLAGS,
	HCL_A_POLICY_EVENTS_SENT,
	HCL_A_POLICY_EVENTS_DROPPED,
	HCL_A_POLICY_LOG_LEVEL,

	__HCL_A_POLICY_MAX,
	HCL_A_POLICY_MAX = (__HCL_A_POLICY_MAX - 1)
};

enum {
	HCL_A_EVENT_KIND = 1,
	HCL_A_EVENT_VP_ID,
	HCL_A_EVENT_REASON,
	HCL_A_EVENT_RIP,
	HCL_A_EVENT_GPA,
	HCL_A_EVENT_ACCESS,
	HCL_A_EVENT_HW_CODE,
	HCL_A_EVENT_DROPPED,
	HCL_A_EVENT_SIDECAR_CPU,
	HCL_A_EVENT_SIDECAR_CHANGE,
	HCL_A_EVENT_LINUX_CPU,
	HCL_A_EVENT_FAULT_VECTOR,

	__HCL_A_EVENT_MAX,
	HCL_A_EVENT_MAX = (__HCL_A_EVENT_MAX - 1)
};

enum {
	HCL_CMD_PART_GET = 1,
	HCL_CMD_VP_GET,
	HCL_CMD_POLICY_GET,
	HCL_CMD_POLICY_SET,
	HCL_CMD_VP_STOP_NTF,
	HCL_CMD_TRIPLE_FAULT_NTF,
	HCL_CMD_VTL_VIOLATION_NTF,
	HCL_CMD_SIDECAR_NTF,

	__HCL_CMD_MAX,
	HCL_CMD_MAX = (__HCL_CMD_MAX - 1)
};

#define HCL_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_HCL_NL_H */
