/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small system helpers shared by the VTL2 processes: the boot clock, the
 * timeline record passed between stages, and powering the VM off with a
 * status the host can see.
 */
#ifndef HCL_SYS_H
#define HCL_SYS_H

#include <stdint.h>

/* Nanoseconds since the VTL2 kernel started (CLOCK_BOOTTIME). */
uint64_t hcl_now_ns(void);

/* The TSC: one clock from the host loader to the VTL0 guest. */
static inline uint64_t hcl_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * Environment variables carrying stage stamps forward (decimal): the TSC
 * when underhill_init and openvmm_hcl started, and CLOCK_BOOTTIME (ns)
 * when underhill_init started (KERNEL_BOOT_TIME, OpenHCL's name), which
 * places the kernel's start when no shim stamped its handoff.
 */
#define HCL_ENV_TSC_INIT	"HCL_TSC_INIT"
#define HCL_ENV_TSC_CONTROL	"HCL_TSC_OPENVMM_HCL"
#define HCL_ENV_BOOT_NS_INIT	"KERNEL_BOOT_TIME"

/* Reads a decimal u64 from the environment; 0 when absent or malformed. */
uint64_t hcl_env_u64(const char *name);

/*
 * What underhill_vm reports to openvmm_hcl over its report fd when it is
 * done: fixed layout, native endianness (same machine).
 */
#define HCL_REPORT_MAGIC	0x52434c48U	/* "HLCR" */
#define HCL_REPORT_FD		3

struct hcl_vm_report {
	uint32_t magic;
	uint32_t guest_result;		/* value from the test port, or ~0 */
	uint64_t tsc_vm_start;		/* underhill_vm started */
	uint64_t tsc_vtl0_first;	/* the guest's first instruction */
	uint64_t tsc_first_exit;	/* first exit to userspace */
	uint64_t tsc_guest_done;
	uint64_t exits;			/* exits that reached userspace */
	uint32_t halted;		/* every VP ended with HLT */
	uint32_t vps;			/* VPs that ran */
	uint32_t host_stop;		/* enum hcl_host_stop: who ended it */
	uint32_t reserved;
};

/*
 * The control socket (a SOCK_SEQPACKET socketpair, underhill_vm's end on
 * HCL_CONTROL_FD): one text line per packet, both ways.  openvmm_hcl
 * sends "poweroff", "reset", "workers", "restart NAME"; underhill_vm
 * answers "ok", "error TEXT", or for "workers" one "worker NAME PID
 * STATE CRASHES LAST-EXIT" line per device worker then "end"; and it
 * tells, unasked, "vtl0 running TSC" when the VPs start (TSC:
 * underhill_vm's start) and "worker-exit
 * NAME PID CODE SIGNAL TEXT" when a device worker dies (CODE -1 when
 * it was killed, SIGNAL 0 when it exited).  docs/hostchan.md.
 */
#define HCL_CONTROL_FD		4

enum hcl_host_stop {
	HCL_HOST_STOP_NONE = 0,
	HCL_HOST_STOP_POWEROFF = 1,	/* "poweroff": VTL0 powered off */
	HCL_HOST_STOP_RESET = 2,	/* "reset": VTL0 reset (the run ends) */
};

/*
 * Powers the VM off.  When HCL_EXIT_PORT (else the device tree's
 * /openhcl/debug-exit-port) names an isa-debug-exit port the status
 * reaches the host VMM's exit code; otherwise a plain power-off.
 * Never returns.
 */
void hcl_poweroff(int status) __attribute__((noreturn));

#endif
