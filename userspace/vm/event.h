/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM events: the guest asks the machine to power off or to reset.  A
 * device (or the exit router, for a triple fault) reports one through a
 * struct vm_events; the first event reported wins and the run ends.
 * underhill_vm's answer (main.c): power-off ends the run with the
 * guest's status; a reset is reported and ends the run with a status of
 * its own (VTL0 is not restarted: a reset would have to put every VP
 * back into its INIT state inside hcl.ko, which the module does not
 * offer yet).
 */
#ifndef HCL_VM_EVENT_H
#define HCL_VM_EVENT_H

#include <stdint.h>

enum vm_event {
	VM_EVENT_NONE,
	VM_EVENT_POWEROFF,	/* status: the guest's exit status */
	VM_EVENT_RESET,		/* status: what asked (VM_RESET_*) */
};

enum {
	VM_RESET_PORT_CF9,	/* the reset control register */
	VM_RESET_I8042,		/* the keyboard controller's pulse */
	VM_RESET_TRIPLE_FAULT,
	VM_RESET_HOST,		/* the host asked (hclctl vtl0 reset) */
};

struct vm_events {
	int event;		/* enum vm_event, set once (atomic) */
	int status;
	unsigned int vp;	/* the VP that caused it */
};

/* Records @event unless one is there already; true if this one won. */
static inline int vm_event_raise(struct vm_events *ev, int event, int status,
				 unsigned int vp)
{
	int none = VM_EVENT_NONE;

	if (!__atomic_compare_exchange_n(&ev->event, &none, -1, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return 0;
	ev->status = status;
	ev->vp = vp;
	__atomic_store_n(&ev->event, event, __ATOMIC_RELEASE);
	return 1;
}

/* The event, VM_EVENT_NONE when there is none (yet). */
static inline int vm_event_get(struct vm_events *ev)
{
	int e = __atomic_load_n(&ev->event, __ATOMIC_ACQUIRE);

	return e < 0 ? VM_EVENT_NONE : e;
}

#endif
