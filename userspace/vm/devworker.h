/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device-worker proxy: a device on underhill_vm's bus whose model
 * runs in another process, an isolated device worker, reached over one
 * SOCK_SEQPACKET socketpair with the protocol of devworker_proto.h.
 *
 *   start    the proxy makes the socketpair, has the worker spawned with
 *            one end (the spawn callback: sandbox_spawn_exec for a real
 *            worker, a fork for the host tests) and sends HELLO; the
 *            reply says where the device's MMIO region is, and the
 *            region goes on the bus.
 *   MMIO     writes are posted (sent, their replies dropped); a read is
 *            sent and the access deferred (bus_access.deferred): the VP
 *            stays stopped until the reply arrives on the socket, through
 *            the event loop, and the complete callback hands the value to
 *            the VP (re-arming its RUN on the io_uring path, waking its
 *            thread on the ioctl path).  Nothing waits for the worker on
 *            the loop thread, so a slow worker only holds the VP that
 *            asked.
 *   guest    GUEST_READ / GUEST_WRITE from the worker are served from
 *            VTL0 RAM when the whole range lies inside it (EFAULT
 *            otherwise); the worker never maps guest memory.
 *   IRQ      handed to the irq callback (line, level).
 *   death    a hang-up or a failed send: the worker is reaped, the event
 *            logged, and a new one spawned, at once for the first crash
 *            and after a delay that doubles (first_ms .. max_ms) for
 *            crashes within DEVWORKER_CALM_NS of the previous one.  Reads
 *            waiting for the dead worker (and reads made while it is down)
 *            are sent again to the new one; writes made while it is down
 *            are dropped (the device is in reset).
 *
 * Threads: every callback runs on the event-loop thread except io (the
 * bus's, under bus->lock: the loop thread on the io_uring path, the VP
 * threads on the ioctl path); dw->lock protects what they share (the
 * socket's sends, the pending reads, the state).
 */
#ifndef HCL_VM_DEVWORKER_H
#define HCL_VM_DEVWORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bus.h"
#include "devworker_proto.h"
#include "loop.h"

#define DEVWORKER_MAX_PENDING	64
#define DEVWORKER_CALM_NS	(10ULL * 1000000000ULL)

/* Starts a worker holding @fd (its end of the socketpair): pid or -1. */
typedef pid_t (*devworker_spawn_fn)(void *arg, int fd, bool restart);
/* A deferred read of VP @vp is answered with @data. */
typedef void (*devworker_complete_fn)(void *arg, unsigned int vp,
				      uint64_t data);
/* The worker's interrupt line @line went to @level. */
typedef void (*devworker_irq_fn)(void *arg, unsigned int line, int level);

struct devworker_config {
	const char *name;		/* for the log: "tpm" */
	devworker_spawn_fn spawn;
	void *spawn_arg;
	devworker_complete_fn complete;
	void *complete_arg;
	devworker_irq_fn irq;		/* NULL: IRQs are counted only */
	void *irq_arg;
	void *mem;			/* VTL0 RAM, GPA 0 .. mem_size - 1 */
	uint64_t mem_size;
	unsigned int backoff_first_ms;	/* 0: 100 */
	unsigned int backoff_max_ms;	/* 0: 5000 */
	unsigned int hello_timeout_ms;	/* the first HELLO; 0: 10000 */
	/* ports the device decodes too (PIO_READ/WRITE); len 0: none */
	uint16_t pio_base, pio_len;
};

enum devworker_state { DW_DOWN, DW_HELLO, DW_UP, DW_STOPPED };

struct devworker_pending {
	uint32_t id;			/* 0: free slot */
	unsigned int vp;
	uint8_t space;
	uint8_t size;
	bool sent;			/* to the current worker */
	uint64_t addr;
};

struct devworker {
	struct device dev;
	struct devworker_config cfg;
	struct loop *loop;
	pthread_mutex_t lock;
	enum devworker_state state;
	pid_t pid;
	int fd;				/* our end; -1 while down */
	uint64_t base, size;		/* the MMIO region, from HELLO */
	uint32_t next_id;
	uint32_t hello_id;
	struct devworker_pending pending[DEVWORKER_MAX_PENDING];
	/* supervision */
	unsigned int crashes;		/* deaths since start */
	unsigned int backoff_ms;	/* the delay of the last restart */
	uint64_t last_crash_ns;
	int timer_fd;			/* a restart waiting; -1: none */
	bool live;			/* on the loop: restart when it dies */
	/* devworker_request(): the reply it waits for */
	uint32_t sync_id;
	bool sync_done;
	struct devworker_msg sync_reply;
	uint8_t *sync_buf;
	uint32_t sync_max;
	/* counters (under lock) */
	uint64_t reads, writes, dropped, guest_reads, guest_writes;
	uint64_t guest_faults, irqs, bad_msgs;
	char last_exit[48];		/* how the last one ended; "" */
};

/*
 * Supervision (userspace/vm/control.c): told of every worker death
 * (@status from waitpid, -1 if the worker was lost), on the loop thread.
 */
typedef void (*devworker_exit_fn)(const struct devworker *dw, pid_t pid,
				  int status);
void devworker_set_exit_hook(devworker_exit_fn fn);
/* the @i-th worker devworker_add() put on a loop, NULL past the last */
struct devworker *devworker_nth(unsigned int i);

/*
 * Spawns the worker and waits (up to hello_timeout_ms) for its HELLO
 * reply: 0, or a negative errno after one line on stderr.  Then
 * devworker_add() puts the region on the bus and the socket on @loop.
 */
int devworker_start(struct devworker *dw, const struct devworker_config *cfg,
		    struct loop *loop);
int devworker_add(struct devworker *dw, struct bus *bus);

/*
 * A control request (RESET, SAVE, RESTORE with @payload) and its reply,
 * waited for up to @timeout_ms while the socket is served as usual.  For
 * the loop thread or before the loop runs, with the VPs stopped (a VM
 * reset or save), never from a VP's access.  The reply's payload (at
 * most @max bytes) goes to @out and its length to *out_len.  Returns the
 * reply's status as a negative errno (0: success), -ETIMEDOUT, or
 * -ENOTCONN when the worker is down.
 */
int devworker_request(struct devworker *dw, uint16_t type,
		      const void *payload, uint32_t len, void *out,
		      uint32_t max, uint32_t *out_len, unsigned int timeout_ms);

/* Kills the worker with @sig (tests: the crash path); 0 or -errno. */
int devworker_kill(struct devworker *dw, int sig);

/* Sends STOP, waits for the reply and reaps the worker (bus exit too). */
void devworker_stop(struct devworker *dw);

/* Serves the socket once (the loop callback; exported for the tests). */
void devworker_input(struct loop *loop, void *arg, int fd,
		     unsigned int revents);

/* The worker's pid, -1 while down. */
pid_t devworker_pid(struct devworker *dw);

#endif
