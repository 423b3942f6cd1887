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

/* Environment variables carrying stage stamps forward (decimal ns). */
#define HCL_ENV_T_INIT		"HCL_T_INIT"
#define HCL_ENV_T_CONTROL	"HCL_T_OPENVMM_HCL"

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
	uint64_t t_vm_start;
	uint64_t t_first_exit;
	uint64_t t_guest_done;
	uint64_t exits;			/* exits that reached userspace */
	uint32_t halted;		/* every VP ended with HLT */
	uint32_t vps;			/* VPs that ran */
};

/*
 * Powers the VM off.  When HCL_EXIT_PORT names an isa-debug-exit port the
 * status reaches the host VMM's exit code; otherwise a plain power-off.
 * Never returns.
 */
void hcl_poweroff(int status) __attribute__((noreturn));

#endif
