/* SPDX-License-Identifier: GPL-2.0 */
/*
 * openvmm_hcl, the VTL2 control process: what its files share.
 *
 *   main.c        configuration, the epoll loop (signalfd, timerfd), the
 *                 outcome and the power-off
 *   timeline.c    the boot timeline (TSC stamps of every stage)
 *   supervise.c   underhill_vm: spawn with its report pipe, stderr pipe
 *                 and control socket; its end; host commands to it
 *   logs.c        VTL2's kernel log and the children's stderr, to the
 *                 console and to the host
 *   channel.c     the host channel (include/hcl/hostchan.h) on its UART
 *   store.c       the guest-state store client (blobs kept by the host)
 *   vtpm.c        the vTPM's permanent state: from the store into the
 *                 TPM worker's directory at boot, back when it changes
 *   netlink.c     hcl.ko's netlink family: the run loop's policy
 *                 (HCL_POLICY at start, the host's policy get/set)
 *   vp_stats.c    per-VP counters for the host, over netlink
 *
 * Everything runs on one thread, from the loop in main.c; no call blocks
 * (the channel's writes are queued, bounded, and drop the oldest log
 * records when the host does not read).
 */
#ifndef HCL_OPENVMM_HCL_H
#define HCL_OPENVMM_HCL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/hcl_dt.h"
#include "lib/hostchan.h"
#include "lib/sys.h"

/* ---- main.c: the loop -------------------------------------------------- */

/* an fd on the loop; @fn gets the epoll events */
struct watch {
	int fd;
	void (*fn)(struct watch *w, uint32_t events);
};

int loop_watch(struct watch *w, uint32_t events);
int loop_modify(struct watch *w, uint32_t events);
void loop_unwatch(struct watch *w);
/* runs the loop until @done() says so or @ms have passed; @done()'s answer */
bool loop_until(bool (*done)(void), unsigned int ms);
/* ms since openvmm_hcl started */
uint64_t uptime_ms(void);

extern struct hcl_dt_info dt;
extern bool have_dt;

/* ---- timeline.c ---------------------------------------------------------- */

enum { ST_LOADER, ST_SHIM, ST_SIDECAR, ST_KERNEL, ST_INIT, ST_CONTROL,
	ST_VM, ST_GUEST, ST_DONE, ST_NR };

extern const char *const stage_key[ST_NR];

/* the stamps known so far, from the tree, the environment, the report */
void timeline_init(void);
void timeline_stamps(uint64_t tsc[ST_NR], double *per_ns);
void timeline_set(unsigned int stage, uint64_t tsc);
/* the table and the JSON line on the console (and /run/hcl-timeline.json) */
void timeline_print(void);

/* ---- supervise.c: underhill_vm ----------------------------------------- */

/* what the paravisor is doing, for status */
extern const char *pv_stage;

/* Starts the worker: 0, or -1 after a message. */
int supervise_start(const char *worker, char *args);
/* true once underhill_vm was reaped and its report pipe is closed */
bool supervise_done(void);
/* the SIGCHLD handler's work */
void supervise_reap(void);
/* the worker's pid, 0 when it is not running */
pid_t supervise_pid(void);
/* its exit status and report (valid when supervise_done()) */
int supervise_status(void);
bool supervise_report(struct hcl_vm_report *rep);
/*
 * Host commands: "poweroff", "reset", "workers", "restart NAME" to
 * underhill_vm; @done(ctx, ok, text) runs with its answer (for
 * "workers", the lines joined with '\n').  0, or -1 when it cannot be
 * sent (no worker, a command already in flight).
 */
typedef void (*supervise_done_fn)(void *ctx, bool ok, const char *text);
int supervise_command(const char *cmd, supervise_done_fn done, void *ctx);
/* an orderly stop: VTL0 off, underhill_vm and its workers gone */
void supervise_shutdown(void);
bool supervise_shutting_down(void);
/* once a second: shutdown escalation */
void supervise_tick(void);

/* ---- logs.c ------------------------------------------------------------ */

/* opens /dev/kmsg (forwarded to the host, not printed) */
void logs_init(void);
/*
 * A pipe whose bytes go to our stderr (the console) as they come and
 * to the host line by line, tagged @tag.  Takes @fd.
 */
void logs_add_pipe(int fd, const char *tag);
/* a line of ours to the host (the console has it already) */
void logs_self(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* reads what is left in the pipes (before the end) */
void logs_drain(void);
/*
 * One line on the console: the VTL2 kernel's warnings and errors logged
 * since logs_init() (none, or how many and the first).
 */
void logs_summary(void);

/* ---- channel.c: the host channel --------------------------------------- */

/* opens the UART the tree names; false when there is none */
bool chan_init(void);
/* the channel on an open, non-blocking @fd (chan_init's, or a test's) */
int chan_attach(int fd);
bool chan_up(void);		/* HELLO exchanged */
/* the payload size both ends accept (HELLO's smaller limit) */
uint32_t chan_max_payload(void);
/*
 * A request to the host; @reply(ctx, hdr, payload) runs with the
 * answer (or an error reply: HOSTCHAN_F_ERROR, also made up locally on
 * a timeout).  0, or -1 when the channel is down.
 */
typedef void (*chan_reply_fn)(void *ctx, const struct hostchan_hdr *h,
			      const uint8_t *payload);
int chan_request(uint8_t type, const void *payload, uint32_t len,
		 chan_reply_fn reply, void *ctx);
/* a notification (LOG, EVENT): queued, the oldest log dropped if full */
void chan_notify(uint8_t type, const void *payload, uint32_t len);
/* answers to host requests, from the handlers' callbacks */
void chan_reply(uint8_t type, uint32_t id, const void *payload,
		uint32_t len);
void chan_error(uint8_t type, uint32_t id, uint32_t code,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* an event for the host (worker exits, the outcome) */
void chan_event(const char *kind, const char *name, int pid, int code,
		int sig, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* timeouts and HELLO retries; called every 100 ms */
void chan_tick(void);
/* sends what is queued, waiting up to @ms (before the power-off) */
void chan_flush(unsigned int ms);
/* the counters for status */
void chan_counters(uint32_t *frames, uint32_t *bad, uint64_t *skipped,
		   uint32_t *dropped);

/* ---- store.c: the guest-state store ------------------------------------ */

/* the channel came up: read what this boot needs */
void store_boot(void);
/*
 * Blob @name read or written in chunks (STORE_GET/STORE_PUT); the
 * callback runs once with 0 or an enum hostchan_err (and the host's
 * message; for a GET, the whole blob, checked against its CRC, valid
 * during the call).  0, or -1 when it cannot start (too many transfers,
 * too big, the store refused); a channel failure reaches the callback.
 */
typedef void (*store_get_fn)(void *ctx, int err, const char *msg,
			     const uint8_t *data, uint32_t len);
typedef void (*store_put_fn)(void *ctx, int err, const char *msg);
int store_get(const char *name, store_get_fn fn, void *ctx);
int store_put(const char *name, const void *data, uint32_t len,
	      store_put_fn fn, void *ctx);

/* ---- vtpm.c: the vTPM's permanent state in the store -------------------- */

/*
 * Before underhill_vm starts (only with a host channel): the TPM's
 * state directory and a watch on it.
 */
void vtpm_init(void);
/* the channel came up: fetch the stored state */
void vtpm_channel_up(void);
/* the stored state is in place, or it is known there is none to use */
bool vtpm_ready(void);
/* the host never answered: a new TPM, whose state this boot keeps not */
void vtpm_give_up(void);
/* before the power-off: the newest state pushed, waiting up to @ms */
void vtpm_flush(unsigned int ms);

/* ---- netlink.c: hcl.ko's generic netlink family -------------------------- */

struct hcl_nl;
/*
 * Opens the family, applies HCL_POLICY and prints the policy in force in
 * one line; neither a missing family nor a bad HCL_POLICY stops the boot.
 */
void netlink_setup(void);
/* the family's socket, NULL when it could not be opened */
struct hcl_nl *netlink_handle(void);
/* 1 if hcl.ko still has a partition, 0 if not, -1 if it cannot be asked */
int netlink_partition_open(void);
/*
 * The policy in force as text ("events=...,rate=...,burst=...,
 * forward_io=..."), after applying @set when it is not NULL (the same
 * words as HCL_POLICY).  0, or -1 with the reason in @err.
 */
int netlink_policy(const char *set, char *buf, size_t len, char *err,
		   size_t errlen);

/* ---- vp_stats.c -------------------------------------------------------- */

#define VP_STATS_MAX	64		/* counters per VP */

struct vp_counter {
	char name[32];
	uint64_t value;
};

/*
 * VP @vp's counters (hcl.ko's, the same numbers as its debugfs files):
 * their number (at most @max), or -1 when the VP does not exist.
 */
int vp_stats_collect(unsigned int vp, struct vp_counter *c, unsigned int max);

#endif
