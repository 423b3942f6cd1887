// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the 16550 register model (userspace/vm/dev/), which
 * sees the guest's port traffic unfiltered, and its receive side, which
 * sees the host's input.  The input is a program, two bytes a step:
 * a register read or write (offset 0-7 and value), host bytes arriving,
 * or a reset.  After every step the model's invariants must hold,
 * checked independently of its code: the receive buffer within bounds
 * and LSR.DR matching it, IER within 4 bits, THRE and TEMT always set,
 * IIR a valid identification, and the INT output reported on every
 * change and equal to what IIR, OUT2 and loopback imply.  Any violation
 * aborts.
 *
 * fuzz-build: vm
 * fuzz-seed: text \x03\x03\x04\x0b\x01\x07\x02\xc7\x80hi\x85\x00\x02\x00
 * fuzz-run: max_len=4096 seconds=5
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/uart16550.h"

static int level, reported;
static uint64_t tx_count;

static void f_tx(void *arg, uint8_t byte)
{
	(void)arg;
	(void)byte;
	tx_count++;
}

static void f_irq(void *arg, int l)
{
	(void)arg;
	if (l != 0 && l != 1)
		abort();
	if (reported && l == level)
		abort();		/* only changes are reported */
	level = l;
	reported = 1;
}

static void check(struct uart16550 *u)
{
	uint8_t lcr = u->lcr, iir, lsr;
	int expect;

	if (u->rx_len > UART_RX_SIZE || u->rx_head >= UART_RX_SIZE ||
	    u->ier & 0xf0)
		abort();
	/* peek without side effects on a copy */
	struct uart16550 c = *u;

	c.irq = NULL;
	c.lcr = lcr & 0x7f;
	iir = uart_read(&c, 2);
	c = *u;
	c.irq = NULL;
	lsr = uart_read(&c, 5);
	if ((lsr & 0x60) != 0x60 || !!(lsr & 1) != !!u->rx_len)
		abort();
	switch (iir & 0x0f) {
	case 0x01: case 0x02: case 0x04: case 0x06: case 0x0c:
		break;
	default:
		abort();
	}
	if (!!(iir & 0xc0) != !!(u->fcr & 1))
		abort();
	expect = !(iir & 1) && (u->mcr & 0x08) && !(u->mcr & 0x10);
	if (expect != level || u->irq_level != level)
		abort();
	if (u->tx_bytes != tx_count)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct uart16550 u;
	size_t i;

	uart_init(&u, f_tx, NULL);
	level = 0;
	reported = 0;
	tx_count = 0;
	uart_set_irq(&u, f_irq, NULL);
	check(&u);
	for (i = 0; i + 1 < size; i += 2) {
		uint8_t op = data[i], val = data[i + 1];

		switch (op >> 6) {
		case 0:		/* write */
			uart_write(&u, op & 7, val);
			break;
		case 1:		/* read */
			uart_read(&u, op & 7);
			break;
		case 2: {	/* host bytes: the low bits say how many */
			size_t n = (op & 0x3f) + 1;

			if (n > size - i - 1)
				n = size - i - 1;
			size_t room = uart_rx_room(&u);
			size_t took = uart_rx(&u, data + i + 1, n);

			if (took != (n < room ? n : room))
				abort();
			i += n - 1;
			break;
		}
		default:
			uart_reset(&u);
			break;
		}
		check(&u);
	}
	return 0;
}
