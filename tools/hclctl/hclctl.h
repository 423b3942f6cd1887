/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hclctl: the host side of the host channel (docs/hostchan.md).
 *
 *   main.c    the CLI: one request to the daemon, the answer printed for
 *             a person or as JSON (--json)
 *   serve.c   the daemon (hclctl serve): QEMU's socket on one side (the
 *             paravisor's UART), a control socket for CLI clients on the
 *             other, the log file, the guest-state store
 *   vmgs.c    the store's file format
 *
 * Between the CLI and the daemon: the same frames as on the channel
 * (include/hcl/hostchan.h) over a Unix stream socket.  Requests of the
 * channel's types go on to the paravisor (with the daemon's own ids)
 * and their replies come back; the types below are the daemon's own
 * and never reach the channel.
 */
#ifndef HCL_HCLCTL_H
#define HCL_HCLCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "hostchan.h"

enum hclctl_type {
	/*
	 * req: u8 follow.  The log so far as HCLCTL_LINE frames (payload:
	 * the line's bytes), then a reply; with follow, new lines as they
	 * come until the VM ends (no reply).
	 */
	HCLCTL_LOG = 0x80,
	HCLCTL_LINE = 0x81,
	/* req: bytes written to the channel as they are (tests).  rep: empty */
	HCLCTL_RAW = 0x82,
	/*
	 * req: empty.  rep: u8 connected (to QEMU), u8 hello, u16 version,
	 * str peer, u64 frames, u64 bad_frames, u64 bytes_skipped,
	 * u32 error_frames (unsolicited errors from the paravisor),
	 * u32 log_records, u32 log_dropped, str store.
	 */
	HCLCTL_HOST = 0x83,
};

/* the daemon */
int hclctl_serve(int argc, char **argv);

#endif
