// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the 16550 register model and the device on the bus. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "bus.h"
#include "console.h"
#include "loop.h"
#include "dev/uart16550.h"

struct sink {
	char buf[64];
	int n;
};

static void tx(void *arg, uint8_t c)
{
	struct sink *s = arg;

	if (s->n < 63)
		s->buf[s->n++] = (char)c;
}

FIXTURE(uart) {
	struct uart16550 u;
	struct sink s;
};

FIXTURE_SETUP(uart)
{
	memset(&self->s, 0, sizeof(self->s));
	uart_init(&self->u, tx, &self->s);
}

FIXTURE_TEARDOWN(uart) {}

TEST_F(uart, transmit)
{
	const char *msg = "hi\r\n";
	int i;

	for (i = 0; msg[i]; i++) {
		ASSERT_NE(0, uart_read(&self->u, 5) & 0x20);	/* THRE */
		uart_write(&self->u, 0, (uint8_t)msg[i]);
	}
	EXPECT_STREQ(msg, self->s.buf);
	EXPECT_EQ(4ULL, self->u.tx_bytes);
}

TEST_F(uart, divisor_latch_does_not_transmit)
{
	uart_write(&self->u, 3, 0x80);		/* DLAB */
	uart_write(&self->u, 0, 0x01);
	uart_write(&self->u, 1, 0x00);
	EXPECT_EQ(0x01, uart_read(&self->u, 0));
	EXPECT_EQ(0x00, uart_read(&self->u, 1));
	uart_write(&self->u, 3, 0x03);		/* 8N1, DLAB off */
	EXPECT_EQ(0, self->s.n);
	EXPECT_EQ(0x03, uart_read(&self->u, 3));
	uart_write(&self->u, 1, 0xff);
	EXPECT_EQ(0x0f, uart_read(&self->u, 1));	/* IER keeps 4 bits */
}

TEST_F(uart, scratch_and_lsr)
{
	uart_write(&self->u, 7, 0x5a);
	EXPECT_EQ(0x5a, uart_read(&self->u, 7));
	EXPECT_EQ(0x60, uart_read(&self->u, 5));
	uart_write(&self->u, 5, 0x00);			/* LSR is read-only */
	EXPECT_EQ(0x60, uart_read(&self->u, 5));
	EXPECT_EQ(0, uart_read(&self->u, 0));		/* nothing received */
}

TEST_F(uart, fifo_and_iir)
{
	EXPECT_EQ(0x01, uart_read(&self->u, 2));
	uart_write(&self->u, 2, 0x07);
	EXPECT_EQ(0xc1, uart_read(&self->u, 2));
}

TEST_F(uart, loopback_swallows_tx_and_mirrors_msr)
{
	uart_write(&self->u, 4, 0x10 | 0x0f);	/* LOOP, OUT2 OUT1 RTS DTR */
	EXPECT_EQ(0xf0, uart_read(&self->u, 6));
	uart_write(&self->u, 4, 0x10 | 0x02);	/* RTS only -> CTS */
	EXPECT_EQ(0x10, uart_read(&self->u, 6));
	uart_write(&self->u, 0, 'x');
	EXPECT_EQ(0, self->s.n);
	uart_write(&self->u, 4, 0x03);
	EXPECT_EQ(0xb0, uart_read(&self->u, 6));
}

TEST(uart_without_sink)
{
	struct uart16550 u;

	uart_init(&u, NULL, NULL);
	uart_write(&u, 0, 'a');
	EXPECT_EQ(1ULL, u.tx_bytes);
}

/* the model as a bus device: its 8 ports, byte-wide, claimed once */
struct claims {
	int n;
	uint64_t start, len;
};

static int claim(void *arg, const struct hcl_range *r)
{
	struct claims *c = arg;

	c->n++;
	c->start = r->start;
	c->len = r->len;
	return r->space == HCL_RANGE_PIO && r->kind == HCL_RANGE_USER ? 0 :
	       -EINVAL;
}

TEST(uart_on_the_bus)
{
	struct bus_access a = { .size = 1, .write = true };
	struct claims c = { 0 };
	struct uart16550 u;
	struct sink s = { 0 };
	struct bus bus;

	bus_init(&bus, claim, &c);
	ASSERT_EQ(0, uart16550_add(&u, &bus, 0x3f8, tx, &s));
	EXPECT_EQ(1, c.n);
	EXPECT_EQ(0x3f8ULL, c.start);
	EXPECT_EQ(8ULL, c.len);
	/* a second UART on the same ports is refused before it is claimed */
	EXPECT_EQ(-EEXIST, uart16550_add(&u, &bus, 0x3fc, tx, &s));
	EXPECT_EQ(1, c.n);

	a.data = 'o';
	ASSERT_EQ(0, bus_access(&bus, HCL_RANGE_PIO, 0x3f8, &a));
	a.data = 'k';
	ASSERT_EQ(0, bus_access(&bus, HCL_RANGE_PIO, 0x3f8, &a));
	EXPECT_STREQ("ok", s.buf);
	a.write = false;
	ASSERT_EQ(0, bus_access(&bus, HCL_RANGE_PIO, 0x3fd, &a));
	EXPECT_EQ(0x60ULL, a.data);			/* LSR: THRE TEMT */
	/* the scratch register, then a reset brings it back to 0 */
	a.write = true;
	a.data = 0x42;
	ASSERT_EQ(0, bus_access(&bus, HCL_RANGE_PIO, 0x3ff, &a));
	EXPECT_EQ(0x42, uart_read(&u, 7));
	bus_reset(&bus);
	EXPECT_EQ(0, uart_read(&u, 7));
	uart_write(&u, 3, 0x80);			/* DLAB */
	EXPECT_EQ(12, uart_read(&u, 0));		/* 9600 baud */
	EXPECT_EQ(2ULL, u.tx_bytes);
}

/* the console behind COM1: whole lines, CR dropped, a tail flushed */
TEST(console_lines)
{
	char out[128] = "";
	struct console c;
	const char *msg = "line 1\r\nline 2\npart";
	FILE *f = fmemopen(out, sizeof(out), "w");
	int i;

	ASSERT_NE(NULL, f);
	setvbuf(f, NULL, _IONBF, 0);
	console_init(&c, f);
	for (i = 0; msg[i]; i++)
		console_putc(&c, (uint8_t)msg[i]);
	EXPECT_STREQ("line 1\nline 2\n", out);
	console_flush(&c);
	EXPECT_STREQ("line 1\nline 2\npart\n", out);
	console_flush(&c);
	EXPECT_STREQ("line 1\nline 2\npart\n", out);
	fclose(f);
}

/* ---- receive and interrupts (Linux's 8250 driver's view) ---------------- */

struct irq_sink {
	int level;
	int rises;
	int changes;
};

static void irq_fn(void *arg, int level)
{
	struct irq_sink *s = arg;

	if (level && !s->level)
		s->rises++;
	if (level != s->level)
		s->changes++;
	s->level = level;
}

FIXTURE(uart_irq) {
	struct uart16550 u;
	struct sink s;
	struct irq_sink irq;
};

FIXTURE_SETUP(uart_irq)
{
	memset(&self->s, 0, sizeof(self->s));
	memset(&self->irq, 0, sizeof(self->irq));
	uart_init(&self->u, tx, &self->s);
	uart_set_irq(&self->u, irq_fn, &self->irq);
	uart_write(&self->u, 4, 0x08 | 0x03);	/* OUT2 RTS DTR */
}

FIXTURE_TEARDOWN(uart_irq) {}

TEST_F(uart_irq, receive_polled)
{
	const uint8_t in[] = "ls\r";

	EXPECT_EQ(3u, uart_rx(&self->u, in, 3));
	EXPECT_EQ(0x61, uart_read(&self->u, 5));	/* DR THRE TEMT */
	EXPECT_EQ('l', uart_read(&self->u, 0));
	EXPECT_EQ('s', uart_read(&self->u, 0));
	EXPECT_EQ('\r', uart_read(&self->u, 0));
	EXPECT_EQ(0x60, uart_read(&self->u, 5));
	EXPECT_EQ(0, self->irq.level);			/* IER 0: no interrupt */
	EXPECT_EQ(3ULL, self->u.rx_bytes);
}

TEST_F(uart_irq, receive_interrupt)
{
	const uint8_t in[] = "abcde";

	uart_write(&self->u, 1, 0x01);			/* ERBFI */
	EXPECT_EQ(0, self->irq.level);
	EXPECT_EQ(0x01, uart_read(&self->u, 2));
	uart_rx(&self->u, in, 1);
	EXPECT_EQ(1, self->irq.level);
	EXPECT_EQ(0x04, uart_read(&self->u, 2));	/* data available */
	EXPECT_EQ('a', uart_read(&self->u, 0));
	EXPECT_EQ(0, self->irq.level);			/* drained: line low */
	EXPECT_EQ(0x01, uart_read(&self->u, 2));
	/* FIFO trigger level 4: below it the timeout interrupt */
	uart_write(&self->u, 2, 0x41);
	uart_rx(&self->u, in + 1, 2);
	EXPECT_EQ(0xcc, uart_read(&self->u, 2));	/* timeout, FIFO bits */
	uart_rx(&self->u, in + 3, 2);
	EXPECT_EQ(0xc4, uart_read(&self->u, 2));
	EXPECT_EQ(1, self->irq.level);
	/* clearing the receive FIFO drops the data and the interrupt */
	uart_write(&self->u, 2, 0x43);
	EXPECT_EQ(0, self->irq.level);
	EXPECT_EQ(0x60, uart_read(&self->u, 5));
}

TEST_F(uart_irq, thr_empty_interrupt)
{
	/* turning ETBEI on with THR empty interrupts at once */
	uart_write(&self->u, 1, 0x02);
	EXPECT_EQ(1, self->irq.level);
	EXPECT_EQ(1, self->irq.rises);
	/* reading IIR while it shows THRE acknowledges it */
	EXPECT_EQ(0x02, uart_read(&self->u, 2));
	EXPECT_EQ(0, self->irq.level);
	EXPECT_EQ(0x01, uart_read(&self->u, 2));
	/* each byte written leaves at once: a new edge every time */
	uart_write(&self->u, 0, 'x');
	EXPECT_EQ(1, self->irq.level);
	EXPECT_EQ(2, self->irq.rises);
	uart_write(&self->u, 0, 'y');
	EXPECT_EQ(3, self->irq.rises);
	EXPECT_STREQ("xy", self->s.buf);
	/* ETBEI off: the line drops */
	uart_write(&self->u, 1, 0x00);
	EXPECT_EQ(0, self->irq.level);
}

TEST_F(uart_irq, priority_and_line_status)
{
	uint8_t big[UART_RX_SIZE + 2];

	memset(big, 'z', sizeof(big));
	uart_write(&self->u, 1, 0x07);			/* ELSI ETBEI ERBFI */
	EXPECT_EQ(0x02, uart_read(&self->u, 2) & 0x0f);	/* THRE, acked */
	EXPECT_EQ(UART_RX_SIZE, uart_rx(&self->u, big, sizeof(big)));
	EXPECT_EQ(2ULL, self->u.rx_dropped);
	EXPECT_EQ(0u, uart_rx_room(&self->u));
	/* overrun outranks data, and reading LSR clears it */
	EXPECT_EQ(0x06, uart_read(&self->u, 2));
	EXPECT_EQ(0x63, uart_read(&self->u, 5));	/* OE DR */
	EXPECT_EQ(0x04, uart_read(&self->u, 2));
	EXPECT_EQ(1, self->irq.level);
}

TEST_F(uart_irq, out2_gates_the_line)
{
	const uint8_t c = 'q';

	uart_write(&self->u, 1, 0x01);
	uart_write(&self->u, 4, 0x03);			/* OUT2 off */
	uart_rx(&self->u, &c, 1);
	EXPECT_EQ(0, self->irq.level);
	EXPECT_EQ(0x04, uart_read(&self->u, 2));	/* still pending */
	uart_write(&self->u, 4, 0x0b);
	EXPECT_EQ(1, self->irq.level);
	/* loopback disconnects the pin too */
	uart_write(&self->u, 4, 0x1b);
	EXPECT_EQ(0, self->irq.level);
}

TEST_F(uart_irq, loopback_receives_what_it_sends)
{
	uart_write(&self->u, 4, 0x10);
	uart_write(&self->u, 0, 'L');
	EXPECT_EQ(0, self->s.n);
	EXPECT_EQ(0x61, uart_read(&self->u, 5));
	EXPECT_EQ('L', uart_read(&self->u, 0));
}

TEST_F(uart_irq, reset_lowers_the_line)
{
	uart_write(&self->u, 1, 0x02);
	EXPECT_EQ(1, self->irq.level);
	uart_reset(&self->u);
	EXPECT_EQ(0, self->irq.level);
	EXPECT_EQ(0x01, uart_read(&self->u, 2));
}

/* the host's input reaches the guest: a pipe's bytes through the loop */
static void stop_loop(struct loop *loop, void *arg, uint64_t n)
{
	loop_stop(loop, 0);
}

TEST(console_input_through_the_loop)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct console_input ci;
	struct uart16550 u;
	struct loop *loop = loop_create(8);
	uint8_t fill[UART_RX_SIZE - 2];
	int p[2];

	ASSERT_NE(NULL, loop);
	ASSERT_EQ(0, pipe(p));
	uart_init(&u, NULL, NULL);
	ASSERT_EQ(0, console_input_add(&ci, loop, p[0], &u, &lock));
	ASSERT_EQ(3, write(p[1], "ls\r", 3));
	ASSERT_GT(loop_add_timer(loop, 50000000, 0, stop_loop, NULL), 0);
	EXPECT_EQ(0, loop_run(loop));
	EXPECT_EQ(3ULL, ci.bytes);
	EXPECT_EQ('l', uart_read(&u, 0));
	EXPECT_EQ('s', uart_read(&u, 0));
	EXPECT_EQ('\r', uart_read(&u, 0));
	EXPECT_FALSE(ci.eof);

	/* a full receive buffer: the rest is an overrun, the loop goes on */
	memset(fill, 'f', sizeof(fill));
	uart_rx(&u, fill, sizeof(fill));
	ASSERT_EQ(5, write(p[1], "abcde", 5));
	ASSERT_GT(loop_add_timer(loop, 50000000, 0, stop_loop, NULL), 0);
	EXPECT_EQ(0, loop_run(loop));
	EXPECT_EQ(8ULL, ci.bytes);
	EXPECT_EQ(3ULL, u.rx_dropped);
	EXPECT_EQ(0x63, uart_read(&u, 5));		/* OE DR */

	/* end of input: the fd leaves the loop */
	close(p[1]);
	ASSERT_GT(loop_add_timer(loop, 50000000, 0, stop_loop, NULL), 0);
	EXPECT_EQ(0, loop_run(loop));
	EXPECT_TRUE(ci.eof);
	loop_destroy(loop);
	close(p[0]);
}

TEST_HARNESS_MAIN
