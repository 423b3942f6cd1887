/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest profiles: what kind of payload VTL0 runs.  The VMM core opens the
 * partition, creates the VPs, runs them and routes their exits; a profile
 * knows one kind of payload: how to load it, what state the VPs start
 * in, which devices and exit handlers it needs beyond the platform's,
 * and what its success looks like.  A profile is one file that registers
 * itself with GUEST_PROFILE(); the core picks the first whose probe
 * accepts the payload, the catch-all ones (probe NULL) last.
 */
#ifndef HCL_VM_GUEST_H
#define HCL_VM_GUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "sys.h"

struct vm;
struct vp;

struct guest_profile {
	const char *name;
	/* true when @img is this profile's payload; NULL: takes anything */
	bool (*probe)(const void *img, size_t len);
	/*
	 * Loads @img into VTL0 RAM and adds the profile's devices and exit
	 * handlers to vm->bus and vm->exits.  0, or -1 after one line on
	 * stderr.
	 */
	int (*setup)(struct vm *vm, const void *img, size_t len);
	/* VP @vp's initial state (CPUID table, registers): 0 or -1 */
	int (*setup_vp)(struct vm *vm, struct vp *vp);
	/* appended to the "N VPs via ..." line; may be NULL */
	const char *(*note)(struct vm *vm);
	/*
	 * After the run: fills the guest's part of @rep (guest_result,
	 * tsc_vtl0_first) and prints what went wrong.
	 */
	void (*finish)(struct vm *vm, struct hcl_vm_report *rep);
	const struct guest_profile *next;	/* the core's list */
};

void guest_register(struct guest_profile *p);

/* The profile for @img, or NULL. */
const struct guest_profile *guest_find(const void *img, size_t len);

/* The profile called @name, or NULL. */
const struct guest_profile *guest_by_name(const char *name);

#define GUEST_PROFILE(p)						\
	static void __attribute__((constructor)) p##_register(void)	\
	{								\
		guest_register(&(p));					\
	}

#endif
