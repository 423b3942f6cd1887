/* SPDX-License-Identifier: GPL-2.0 */
/*
 * underhill_vm's machine: the partition (/dev/hcl), VTL0 RAM, the VPs,
 * the device bus and exit routing, the platform devices, and the guest
 * profile that runs in it.
 */
#ifndef HCL_VM_VM_H
#define HCL_VM_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/hcl.h>
#include <hcl/openhcl_dt.h>

#include "bus.h"
#include "console.h"
#include "event.h"
#include "exits.h"
#include "guest.h"
#include "loop.h"
#include "dev/uart16550.h"

/* a partition has at most the boot contract's VP limit */
#define VM_MAX_VPS	HCL_BOOT_MAX_VPS
#define VM_COM1_PORT	0x3f8

struct vm;

struct vp {
	struct vm *vm;
	unsigned int index;
	int fd;
	struct hcl_run *run;
	int state;		/* EXIT_RUN running, EXIT_HALT, EXIT_FAIL */
	pthread_t thread;	/* the ioctl run path */
	/* EXIT_PENDING on the ioctl path: the thread waits for resumed */
	pthread_mutex_t wait_lock;
	pthread_cond_t wait_cond;
	bool resumed;
	bool parked;		/* not run (an AP nothing can start) */
};

struct vm {
	int hcl_fd;
	void *mem;			/* VTL0 RAM, GPA 0 .. mem_size - 1 */
	uint64_t mem_size;
	unsigned int nr_vps;
	struct vp vps[VM_MAX_VPS];
	struct bus bus;
	struct exits exits;
	/* the event loop: devices add their fds (doorbells, timers, sockets) */
	struct loop *loop;
	/* the platform: COM1, whose output is the console */
	struct console console;
	struct uart16550 com1;
	const struct guest_profile *guest;
	void *guest_data;		/* the profile's */
	unsigned int timeout;		/* seconds; 0: none */
	bool ioctl_path;		/* VPs run by their own threads */
	bool timeout_given;		/* by --timeout, not the default */
	/*
	 * The profile created the in-kernel irqchip: VPs other than 0 are
	 * created waiting for INIT/SIPI (HCL_CREATE_VP_WAIT_SIPI) and run
	 * with no registers set.
	 */
	bool aps_wait_sipi;
	/* power-off and reset requests; the run ends at the first */
	struct vm_events events;
	/* the host asked for it (control.c): enum hcl_host_stop */
	unsigned int host_stop;
	/* the payload's files (NULL: the staged image, no initrd) */
	const char *kernel_path, *initrd_path, *cmdline;
	/* a staged VTL0 Linux bundle's initramfs (unless --initrd) */
	const void *initrd_mem;
	size_t initrd_mem_len;
};

/* vp.c: creating the VPs and running them */
int vm_create_vps(struct vm *vm);
/* All VPs until each halts or one fails: 0 when all halted, else -1. */
int vm_run_uring(struct vm *vm);
int vm_run_ioctl(struct vm *vm);
/*
 * A device answers VP @vp's deferred access (EXIT_PENDING) with @data
 * (for a read) and the VP runs again.  On the event-loop thread.
 */
void vm_vp_complete(struct vm *vm, unsigned int vp, uint64_t data);
/*
 * Ends the run from the loop thread (an event was raised by someone
 * other than a VP, e.g. the host): every VP stops, running or halted.
 */
void vm_stop(struct vm *vm);

#endif
