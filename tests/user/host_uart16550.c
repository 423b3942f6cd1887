// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: the 16550 register model and the device on the bus. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "bus.h"
#include "console.h"
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

TEST_HARNESS_MAIN
