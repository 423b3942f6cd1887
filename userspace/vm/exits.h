/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit routing: what underhill_vm does with each exit hcl.ko sends up.
 *
 *   port I/O, MMIO   to the device bus; a port no device decodes reads
 *                    all ones (an open ISA bus), an MMIO access no device
 *                    takes fails the VP
 *   MSR              to the handler registered for the index (the VPs'
 *                    MSR policy sends exactly those up, exits_msr_rules)
 *   hypercall        to the handler registered for the call code
 *   HLT              the VP is done
 *   triple fault     with @events set (a guest that resets this way):
 *                    a VM_EVENT_RESET, and the VP is done; else it fails
 *   anything else    fails the VP with one line on stderr
 * Every failure prints one line, "underhill_vm: VP n: ...".
 *
 * The tables are filled before any VP runs and only read afterwards;
 * handlers may run on several VP threads at once (the ioctl path) and
 * lock what they share.
 */
#ifndef HCL_VM_EXITS_H
#define HCL_VM_EXITS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/hcl.h>

#include "bus.h"
#include "event.h"

#define EXITS_MAX_MSR		16
#define EXITS_MAX_HYPERCALL	16

/* what exits_handle() says about the VP */
enum { EXIT_FAIL = -1, EXIT_HALT = 0, EXIT_RUN = 1,
	EXIT_PENDING = 2,	/* a device answers later: the VP waits */
};

/*
 * RDMSR (!write: fill *data) or WRMSR (*data is the value) of @index by
 * VP @vp.  Returns 0 when done, 1 to raise #GP(0) in the guest instead.
 */
typedef int (*msr_fn)(void *arg, unsigned int vp, uint32_t index,
		      bool write, uint64_t *data);

/*
 * Hypercall by VP @vp with its four arguments; *ret goes to the guest's
 * RAX.  Returns 0, or a negative errno to fail the VP.
 */
typedef int (*hypercall_fn)(void *arg, unsigned int vp,
			    const uint64_t args[4], uint64_t *ret);

struct exits {
	struct bus *bus;
	unsigned int nr_msr;
	struct {
		uint32_t first, last;	/* inclusive */
		msr_fn fn;
		void *arg;
	} msr[EXITS_MAX_MSR];
	unsigned int nr_hypercall;
	struct {
		uint64_t code;
		hypercall_fn fn;
		void *arg;
	} hypercall[EXITS_MAX_HYPERCALL];
	/* exits that reached a handler, and the TSC at the first (atomic) */
	uint64_t user_exits;
	uint64_t tsc_first;
	/* where a triple fault is reported as a reset; NULL: a failure */
	struct vm_events *events;
};

void exits_init(struct exits *ex, struct bus *bus);

/* -EINVAL (first > last), -EEXIST (overlap) or -ENOSPC; else 0 */
int exits_add_msr(struct exits *ex, uint32_t first, uint32_t last,
		  msr_fn fn, void *arg);
/* -EEXIST (code taken) or -ENOSPC; else 0 */
int exits_add_hypercall(struct exits *ex, uint64_t code, hypercall_fn fn,
			void *arg);

/*
 * The MSR policy rules that send the handled MSRs up (HCL_MSR_USER), into
 * @rules (room for @max).  Returns how many, or -ENOSPC.
 */
int exits_msr_rules(const struct exits *ex, struct hcl_msr_rule *rules,
		    unsigned int max);

/* Handles VP @vp's exit in @run: EXIT_RUN, EXIT_HALT or EXIT_FAIL. */
int exits_handle(struct exits *ex, unsigned int vp, struct hcl_run *run);

#endif
