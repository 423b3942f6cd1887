// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-testdev-worker: a device worker that does nothing useful and uses
 * every message of the device-worker protocol (devworker_proto.h), so
 * the framework is tested where the vTPM needs no such message.
 *
 *   hcl-testdev-worker --fd N [--base ADDR]
 *
 * Its MMIO region (TESTDEV_W_SIZE bytes at --base, default
 * TESTDEV_W_BASE) holds 64-bit registers:
 *
 *   0x00 SCRATCH   read/write
 *   0x08 ADDR      guest physical address for DMA
 *   0x10 LEN       DMA length (<= DEVWORKER_MAX_PAYLOAD)
 *   0x18 CMD       write: 1 DMA read (GUEST_READ; RESULT = byte sum),
 *                  2 DMA write (GUEST_WRITE of LEN bytes 0, 1, 2, ...),
 *                  3 raise IRQ line 0 (level = SCRATCH), 4 exit(3) at
 *                  once, 5 the next MMIO read is answered SCRATCH ms
 *                  late (a slow device)
 *   0x20 RESULT    the last DMA read's byte sum
 *   0x28 STATUS    the last DMA's reply status (0 or an errno)
 *   0x30 COUNT     requests served so far
 *   other          reads 0, writes ignored
 * Ports: PIO_READ gives SCRATCH, PIO_WRITE sets it.  RESET clears the
 * registers; SAVE returns them, RESTORE loads them; STOP replies, exits.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "devworker_proto.h"
#include "testdev_worker.h"

struct regs {
	uint64_t scratch, addr, len, result, status, count;
};

static int sock;
static struct regs r;
static uint32_t next_id = 0x80000000u;
static uint8_t pkt[sizeof(struct devworker_msg) + DEVWORKER_MAX_PAYLOAD];

/*
 * Requests that arrive while a guest-memory request waits for its reply
 * are kept here and served afterwards, in order.
 */
#define BACKLOG	64
static struct {
	struct devworker_msg m;
	uint8_t payload[64];
} backlog[BACKLOG];
static unsigned int nbacklog;

/* A guest-memory request and its reply: the reply's status. */
static int guest_dma(uint16_t type, const void *out, uint32_t len,
		     uint8_t *in)
{
	struct devworker_msg m = { .type = type, .id = next_id++,
				   .addr = r.addr, .size = (uint32_t)r.len };
	struct devworker_msg *rep = (void *)pkt;
	ssize_t n;

	if (devworker_send(sock, &m, out, len))
		return EPIPE;
	for (;;) {
		n = recv(sock, pkt, sizeof(pkt), 0);
		if (n < (ssize_t)sizeof(*rep))
			return EPIPE;
		if (rep->id == m.id && rep->type == (type | DEVWORKER_REPLY))
			break;
		if (nbacklog < BACKLOG && rep->len <= sizeof(backlog[0].payload) &&
		    !(rep->type & DEVWORKER_REPLY)) {
			backlog[nbacklog].m = *rep;
			memcpy(backlog[nbacklog].payload, pkt + sizeof(*rep),
			       rep->len);
			nbacklog++;
		}
	}
	if (!rep->status && in)
		memcpy(in, pkt + sizeof(*rep), rep->len);
	return (int)rep->status;
}

static void command(uint64_t cmd, unsigned int *delay_ms)
{
	static uint8_t buf[DEVWORKER_MAX_PAYLOAD];
	struct devworker_msg irq = { .type = DEVWORKER_IRQ };
	uint64_t i;

	switch (cmd) {
	case 1:
		r.result = 0;
		r.status = r.len > sizeof(buf) ? EINVAL :
			   (uint64_t)guest_dma(DEVWORKER_GUEST_READ, NULL, 0,
					       buf);
		for (i = 0; !r.status && i < r.len; i++)
			r.result += buf[i];
		break;
	case 2:
		if (r.len > sizeof(buf)) {
			r.status = EINVAL;
			break;
		}
		for (i = 0; i < r.len; i++)
			buf[i] = (uint8_t)i;
		r.status = (uint64_t)guest_dma(DEVWORKER_GUEST_WRITE, buf,
					       (uint32_t)r.len, NULL);
		break;
	case 3:
		irq.value = r.scratch;
		devworker_send(sock, &irq, NULL, 0);
		break;
	case 4:
		_exit(3);
	case 5:
		*delay_ms = (unsigned int)r.scratch;
		break;
	}
}

static uint64_t *reg(uint64_t off)
{
	switch (off) {
	case 0x00: return &r.scratch;
	case 0x08: return &r.addr;
	case 0x10: return &r.len;
	case 0x20: return &r.result;
	case 0x28: return &r.status;
	case 0x30: return &r.count;
	}
	return NULL;
}

/* one request; returns 1 after STOP */
static int handle(const struct devworker_msg *m, const uint8_t *payload,
		  uint64_t base, unsigned int *delay_ms)
{
	struct devworker_msg rep = { .type = m->type | DEVWORKER_REPLY,
				     .id = m->id };
	const void *out = NULL;
	uint32_t out_len = 0;
	uint64_t *p;
	int stop = 0;

	r.count++;
	switch (m->type) {
	case DEVWORKER_HELLO:
		rep.value = DEVWORKER_PROTO_VERSION;
		rep.addr = base;
		rep.size = TESTDEV_W_SIZE;
		break;
	case DEVWORKER_MMIO_READ:
		p = reg(m->addr);
		rep.value = p ? *p : 0;
		if (*delay_ms) {
			struct timespec ts = { *delay_ms / 1000,
					       (*delay_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
			*delay_ms = 0;
		}
		break;
	case DEVWORKER_MMIO_WRITE:
		if (m->addr == 0x18)
			command(m->value, delay_ms);
		else if ((p = reg(m->addr)))
			*p = m->value;
		break;
	case DEVWORKER_PIO_READ:
		rep.value = r.scratch;
		break;
	case DEVWORKER_PIO_WRITE:
		r.scratch = m->value;
		break;
	case DEVWORKER_RESET:
		memset(&r, 0, sizeof(r));
		break;
	case DEVWORKER_SAVE:
		out = &r;
		out_len = sizeof(r);
		break;
	case DEVWORKER_RESTORE:
		if (m->len == sizeof(r))
			memcpy(&r, payload, sizeof(r));
		else
			rep.status = EINVAL;
		break;
	case DEVWORKER_STOP:
		stop = 1;
		break;
	default:
		rep.status = EINVAL;
		break;
	}
	if (m->id)
		devworker_send(sock, &rep, out, out_len);
	return stop;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fd", required_argument, NULL, 'f' },
		{ "base", required_argument, NULL, 'b' },
		{ 0 }
	};
	uint64_t base = TESTDEV_W_BASE;
	unsigned int delay_ms = 0;
	struct devworker_msg m;
	int c;
	ssize_t n;

	sock = -1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			sock = atoi(optarg);
			break;
		case 'b':
			base = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s --fd N [--base ADDR]\n",
				argv[0]);
			return 2;
		}
	}
	if (sock < 0)
		return 2;
	for (;;) {
		if (nbacklog) {
			static uint8_t payload[64];
			unsigned int i;

			m = backlog[0].m;
			memcpy(payload, backlog[0].payload, sizeof(payload));
			nbacklog--;
			for (i = 0; i < nbacklog; i++)
				backlog[i] = backlog[i + 1];
			if (handle(&m, payload, base, &delay_ms))
				return 0;
			continue;
		}
		n = recv(sock, pkt, sizeof(pkt), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;	/* the VM worker went away */
		if ((size_t)n < sizeof(m))
			continue;
		memcpy(&m, pkt, sizeof(m));
		if (m.len != n - sizeof(m) || (m.type & DEVWORKER_REPLY))
			continue;
		if (handle(&m, pkt + sizeof(m), base, &delay_ms))
			return 0;
	}
}
