/* SPDX-License-Identifier: GPL-2.0 */
/*
 * underhill_vm's event loop: one io_uring that carries the VPs' RUN
 * commands (HCL_URING_CMD_RUN) and a poll on every other fd the VMM
 * waits for: doorbell eventfds, timerfds, the sockets of device workers.
 * One thread runs it; every callback runs on that thread, so callbacks
 * need no locking among themselves.
 *
 *   loop_add_vp()     a RUN in flight on a VP fd; the callback gets each
 *                     completion and says whether to run the VP again
 *                     (its exit answered in the run page: the RUN is
 *                     re-armed and goes in with the next submit)
 *   loop_add_fd()     a multishot poll for input on any pollable fd
 *   loop_add_timer()  a timerfd; the callback gets the expirations
 *   loop_stop()       ends loop_run() with a status
 */
#ifndef HCL_VM_LOOP_H
#define HCL_VM_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

/*
 * A RUN of the VP completed with @res: >= 0, its exit is in the run
 * page; < 0, the negative errno of the run (-EINTR: interrupted).
 * Returns true to run the VP again, false to leave it stopped.
 */
typedef bool (*loop_vp_fn)(struct loop *loop, void *arg, int res);

/* @fd has input (or hung up, or has an error: see @revents, POLL*) */
typedef void (*loop_fd_fn)(struct loop *loop, void *arg, int fd,
			   unsigned int revents);

/* the timer expired @expirations times since the last call */
typedef void (*loop_timer_fn)(struct loop *loop, void *arg,
			      uint64_t expirations);

/* A loop whose ring has room for @entries requests; NULL, errno set. */
struct loop *loop_create(unsigned int entries);

/* Frees the loop; tearing the ring down cancels the RUNs in flight. */
void loop_destroy(struct loop *loop);

/* These return 0 (or the timer's fd) or a negative errno. */
int loop_add_vp(struct loop *loop, int vp_fd, loop_vp_fn fn, void *arg);
int loop_add_fd(struct loop *loop, int fd, loop_fd_fn fn, void *arg);
/* first expiry after @first_ns, then every @period_ns (0: once) */
int loop_add_timer(struct loop *loop, uint64_t first_ns, uint64_t period_ns,
		   loop_timer_fn fn, void *arg);
/*
 * Runs a VP again whose callback returned false while its exit waited
 * for a device (the answer is in the run page now): 0 or -errno.
 */
int loop_resume_vp(struct loop *loop, int vp_fd);
/* Stops watching @fd (added with loop_add_fd or loop_add_timer). */
int loop_del_fd(struct loop *loop, int fd);

/* Makes loop_run() return @status once the current callback returns. */
void loop_stop(struct loop *loop, int status);

/*
 * Submits what is queued, waits and calls back, until loop_stop().
 * Returns loop_stop()'s status, or a negative errno when waiting failed.
 */
int loop_run(struct loop *loop);

#endif
