/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device-worker protocol: the VM worker (underhill_vm) and an
 * isolated device worker talk over one AF_UNIX SOCK_SEQPACKET socketpair.
 * Every message is one packet: a fixed 40-byte header, then len bytes of
 * payload (at most DEVWORKER_MAX_PAYLOAD).  Fields are in the host's byte
 * order (little endian on x86-64); the layout below is fixed, with
 * explicit padding, and reserved fields must be zero (else the message is
 * answered with status EINVAL and otherwise ignored).
 *
 * Requests carry a non-zero id chosen by the sender; the reply has the
 * same id, type | DEVWORKER_REPLY and a status (0 or a positive errno).
 * Every request gets exactly one reply, so a sender may pipeline requests
 * and match replies by id (MMIO writes are usually posted: the VM worker
 * does not wait for their reply).  Unsolicited notifications (IRQ) have
 * id 0 and get no reply.  Replies come in request order, except that an
 * MMIO reply never waits for a TPM command: a worker answers register
 * reads at once from its register model and runs commands in the
 * background.
 *
 *   type            direction  fields used
 *   HELLO           VM -> dev  value = protocol version; reply: value =
 *                              version, addr/size = the device's MMIO
 *                              region (base, length)
 *   MMIO_READ       VM -> dev  addr = offset in the region, size = 1/2/4/8;
 *                              reply: value
 *   MMIO_WRITE      VM -> dev  addr, size, value
 *   PIO_READ/WRITE  VM -> dev  addr = port, size, value (EOPNOTSUPP from a
 *                              device without ports)
 *   IRQ             dev -> VM  addr = the device's line index (0..),
 *                              value = level (1 asserted, 0 released)
 *   RESET           VM -> dev  platform reset of the device
 *   SAVE            VM -> dev  reply payload: the device's opaque state
 *                              (after any in-flight work completed)
 *   RESTORE         VM -> dev  payload: a SAVE reply's payload
 *   STOP            VM -> dev  persist everything, reply, exit
 *   GUEST_READ      dev -> VM  addr = guest physical address, size = bytes
 *                              (<= DEVWORKER_MAX_PAYLOAD); reply payload:
 *                              the bytes (the VM worker checks the range
 *                              against VTL0 RAM; EFAULT otherwise)
 *   GUEST_WRITE     dev -> VM  addr, payload = the bytes; reply: status
 */
#ifndef HCL_DEVWORKER_PROTO_H
#define HCL_DEVWORKER_PROTO_H

#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define DEVWORKER_PROTO_VERSION	1
#define DEVWORKER_MAX_PAYLOAD	8192
#define DEVWORKER_REPLY		0x8000

enum devworker_type {
	DEVWORKER_HELLO		= 1,
	DEVWORKER_MMIO_READ	= 2,
	DEVWORKER_MMIO_WRITE	= 3,
	DEVWORKER_PIO_READ	= 4,
	DEVWORKER_PIO_WRITE	= 5,
	DEVWORKER_IRQ		= 6,
	DEVWORKER_RESET		= 7,
	DEVWORKER_SAVE		= 8,
	DEVWORKER_RESTORE	= 9,
	DEVWORKER_STOP		= 10,
	DEVWORKER_GUEST_READ	= 11,
	DEVWORKER_GUEST_WRITE	= 12,
};

struct devworker_msg {
	uint16_t type;		/* enum devworker_type, | DEVWORKER_REPLY */
	uint16_t flags;		/* reserved, 0 */
	uint32_t id;		/* request id; 0 for notifications */
	uint32_t len;		/* payload bytes after the header */
	uint32_t status;	/* replies: 0 or errno; requests: 0 */
	uint64_t addr;
	uint32_t size;
	uint32_t reserved;	/* 0 */
	uint64_t value;
};

_Static_assert(sizeof(struct devworker_msg) == 40,
	       "devworker_msg is 40 bytes");

/*
 * Sends @m with @len bytes of @payload as one packet (m->len is set
 * here), without SIGPIPE and retrying EINTR: 0 or -errno.  Both ends of
 * the socketpair use it.
 */
static inline int devworker_send(int fd, struct devworker_msg *m,
				 const void *payload, uint32_t len)
{
	struct iovec iov[2] = {
		{ .iov_base = m, .iov_len = sizeof(*m) },
		{ .iov_base = (void *)payload, .iov_len = len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };

	m->len = len;
	for (;;) {
		if (sendmsg(fd, &mh, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

#endif
