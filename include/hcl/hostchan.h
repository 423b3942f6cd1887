/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host channel's wire format: the one definition both ends compile
 * (openvmm_hcl in VTL2, hclctl on the host).  docs/hostchan.md explains
 * it; userspace/lib/hostchan.c is the codec.
 *
 * A frame is a 20-byte header and up to the negotiated payload size
 * (at most HOSTCHAN_MAX_PAYLOAD) of payload, all little endian:
 *
 *   0  magic    4 bytes 'H' 'C' 'L' 'F'
 *   4  version  u8, the protocol version the sender speaks (HELLO
 *               picks one; every frame carries it)
 *   5  type     u8, enum hostchan_type
 *   6  flags    u16, HOSTCHAN_F_*; unknown bits are an error
 *   8  id       u32, the request id; a reply carries its request's id
 *   12 len      u32, payload bytes
 *   16 crc      u32, CRC-32 (IEEE) of bytes 0..15 and the payload
 *
 * The byte stream may lose or corrupt bytes (a UART behind a socket):
 * a receiver looks for the magic, checks the length against its limit
 * and the CRC, and on any mismatch drops one byte and looks again.
 *
 * Payloads are sequences of fields: u8/u16/u32/u64 (s32/s64 as their
 * two's complement), str = u16 length + bytes (no NUL), blob = u32
 * length + bytes.  Each type's payload is listed next to it below;
 * "req" is the request, "rep" the reply.  An error reply has
 * HOSTCHAN_F_REPLY | HOSTCHAN_F_ERROR and the payload u32 code (enum
 * hostchan_err), str message.
 */
#ifndef HCL_HOSTCHAN_H
#define HCL_HOSTCHAN_H

#define HOSTCHAN_MAGIC0		'H'
#define HOSTCHAN_MAGIC1		'C'
#define HOSTCHAN_MAGIC2		'L'
#define HOSTCHAN_MAGIC3		'F'
#define HOSTCHAN_HDR_SIZE	20
#define HOSTCHAN_MAX_PAYLOAD	4096	/* the most a frame carries */
#define HOSTCHAN_MIN_PAYLOAD	512	/* the least HELLO may negotiate */
#define HOSTCHAN_MAX_FRAME	(HOSTCHAN_HDR_SIZE + HOSTCHAN_MAX_PAYLOAD)

/*
 * versions this code speaks: 2 carries store blobs in chunks (version
 * 1's STORE_GET/STORE_PUT held a blob in one frame; nobody speaks it)
 */
#define HOSTCHAN_VERSION_MIN	2
#define HOSTCHAN_VERSION_MAX	2

#define HOSTCHAN_F_REPLY	0x0001	/* answers the request with this id */
#define HOSTCHAN_F_ERROR	0x0002	/* with REPLY: the request failed */
#define HOSTCHAN_F_NOREPLY	0x0004	/* a notification: nothing answers */
#define HOSTCHAN_F_ALL		0x0007

/* the string and blob limits inside payloads */
#define HOSTCHAN_NAME_MAX	64	/* blob, worker, stage, counter names */
#define HOSTCHAN_TEXT_MAX	1024	/* messages, log lines */
#define HOSTCHAN_STORE_MAX	(256u * 1024)	/* a store blob, all chunks */

enum hostchan_type {
	/*
	 * Either side.  req: u16 min_version, u16 max_version,
	 * u32 max_payload, str software.  rep: u16 version, u16 0,
	 * u32 max_payload (the smaller of the two), str software.
	 */
	HOSTCHAN_HELLO = 1,
	/*
	 * host -> guest.  req: empty.  rep: u64 uptime_ms, str stage,
	 * s32 vm_pid (0: none), u16 nvps, then per VP: str state,
	 * u64 exits; then the channel's counters: u32 frames_in,
	 * u32 bad_frames, u64 bytes_skipped, u32 tx_dropped; then
	 * u32 rss_kb, openvmm_hcl's resident memory.
	 */
	HOSTCHAN_STATUS = 2,
	/*
	 * host -> guest.  req: empty.  rep: u32 tsc_khz, u16 n, then per
	 * stage: str name, s64 start_us, s64 duration_us (-1: unknown).
	 */
	HOSTCHAN_TIMELINE = 3,
	/*
	 * host -> guest.  req: u16 first_vp.  rep: u16 next_vp (0xffff:
	 * done), u16 nvps, then per VP: u16 vp, u16 n, n x (str name,
	 * u64 value).  As many VPs as fit one payload.
	 */
	HOSTCHAN_STATS = 4,
	/*
	 * guest -> host, NOREPLY.  u8 source (enum hostchan_log_source),
	 * u8 level (syslog 0..7), u16 0, u32 dropped (records lost before
	 * this one), u64 usec (CLOCK_BOOTTIME), str tag, str text.
	 */
	HOSTCHAN_LOG = 5,
	/*
	 * guest -> host, NOREPLY.  str kind, str name, s32 pid,
	 * s32 exit_code (-1: none), s32 signal (0: none), str text.
	 */
	HOSTCHAN_EVENT = 6,
	/* host -> guest.  req: u8 action (enum hostchan_vtl0).  rep: empty */
	HOSTCHAN_VTL0 = 7,
	/*
	 * host -> guest.  req: u8 op (0 list, 1 restart), str name (for
	 * restart).  rep: u16 n, then per worker: str name, s32 pid,
	 * str state, u32 restarts, str last_exit.
	 */
	HOSTCHAN_WORKERS = 8,
	/* host -> guest.  req: empty.  rep: empty, then an orderly stop */
	HOSTCHAN_SHUTDOWN = 9,
	/*
	 * guest -> host, one chunk of a store blob.  req: str name,
	 * u32 offset.  rep: u32 size (the whole blob's), u32 crc (CRC-32
	 * of the whole blob), u32 offset (the request's), blob data (the
	 * bytes from offset on, as many as fit a payload; none at the
	 * end).  The guest asks for offset 0, then for each next offset
	 * until it holds size bytes, and checks the CRC of the whole; a
	 * size or CRC that changes between chunks means the blob was
	 * replaced meanwhile: start again.  Errors: NOTFOUND (no such
	 * blob), CORRUPT (the store file is refused), PAYLOAD (an offset
	 * past the end, a bad name).
	 */
	HOSTCHAN_STORE_GET = 10,
	/*
	 * guest -> host, one chunk of a store blob.  req: str name,
	 * u32 size (the whole blob's, at most HOSTCHAN_STORE_MAX),
	 * u32 crc (of the whole blob), u32 offset, blob data.  rep: u32
	 * have, the bytes of this transfer the host holds; have == size
	 * means the blob is committed and durable.  Offset 0 starts a
	 * transfer (dropping an unfinished one of the same name); every
	 * other chunk must continue it: same size and CRC, offset == have,
	 * else STATE and the transfer is dropped.  The stored blob is
	 * replaced only when the last chunk is in and the CRC of the whole
	 * matches (else PAYLOAD, the old blob kept): a transfer cut short
	 * never changes the store.  TOOBIG: size above the limit, or the
	 * store is full.
	 */
	HOSTCHAN_STORE_PUT = 11,
	/*
	 * host -> guest.  req: str set (up to HOSTCHAN_TEXT_MAX, like a
	 * message): the run loop's policy words to apply (HCL_POLICY's
	 * syntax, docs/netlink.md), "" to only read.  rep: str policy (the
	 * same limit), the one in force after it.  A refused set is an
	 * error reply (E_PAYLOAD) saying why, and changes nothing.
	 */
	HOSTCHAN_POLICY = 12,
	HOSTCHAN_NR_TYPES
};

enum hostchan_err {
	HOSTCHAN_E_BADFRAME = 1,	/* bad CRC, length or flags */
	HOSTCHAN_E_VERSION = 2,		/* no common version */
	HOSTCHAN_E_TYPE = 3,		/* unknown or misdirected type */
	HOSTCHAN_E_PAYLOAD = 4,		/* payload malformed for its type */
	HOSTCHAN_E_NOTFOUND = 5,	/* no such blob, worker, VP */
	HOSTCHAN_E_STATE = 6,		/* not now (no VTL0, shutting down) */
	HOSTCHAN_E_CORRUPT = 7,		/* the store failed its checks */
	HOSTCHAN_E_IO = 8,		/* the host could not read or write */
	HOSTCHAN_E_HELLO = 9,		/* no HELLO exchanged yet */
	HOSTCHAN_E_TOOBIG = 10,		/* more than the negotiated size */
};

enum hostchan_log_source {
	HOSTCHAN_LOG_KMSG = 0,		/* VTL2's kernel log (/dev/kmsg) */
	HOSTCHAN_LOG_STDERR = 1,	/* a child's stderr; tag = its name */
	HOSTCHAN_LOG_SELF = 2,		/* openvmm_hcl's own lines */
};

enum hostchan_vtl0 {
	HOSTCHAN_VTL0_POWEROFF = 1,
	HOSTCHAN_VTL0_RESET = 2,
};

#endif /* HCL_HOSTCHAN_H */
