// SPDX-License-Identifier: GPL-2.0
/*
 * The console on a 16550 UART (polled, 115200 8N1) and the isa-debug-exit
 * port that ends a QEMU run with a status.
 */
#include "rt.h"

/* 16550 registers, offsets from the base port */
#define UART_THR	0	/* transmit holding (DLAB 0) */
#define UART_DLL	0	/* divisor low (DLAB 1) */
#define UART_IER	1	/* interrupt enable (DLAB 0) */
#define UART_DLM	1	/* divisor high (DLAB 1) */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_LSR_THRE	0x20
#define UART_LCR_DLAB	0x80
#define UART_LCR_8N1	0x03
#define UART_CLOCK_DIV	1	/* 115200 baud from the 1.8432 MHz clock */

/* a transmitter that never drains must not hang the caller */
#define UART_SPIN_MAX	100000

static uint16_t serial_port;
static uint16_t exit_port;

void rt_serial_init(uint16_t port)
{
	serial_port = port;
	if (!port)
		return;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, UART_LCR_DLAB);
	outb(port + UART_DLL, UART_CLOCK_DIV & 0xff);
	outb(port + UART_DLM, UART_CLOCK_DIV >> 8);
	outb(port + UART_LCR, UART_LCR_8N1);
	outb(port + UART_FCR, 0x07);	/* enable and clear both FIFOs */
	outb(port + UART_MCR, 0x03);	/* DTR, RTS */
}

static void serial_tx(char c)
{
	for (int i = 0; i < UART_SPIN_MAX; i++)
		if (inb(serial_port + UART_LSR) & UART_LSR_THRE)
			break;
	outb(serial_port + UART_THR, (uint8_t)c);
}

void rt_putc(char c)
{
	if (!serial_port)
		return;
	if (c == '\n')
		serial_tx('\r');
	serial_tx(c);
}

void rt_puts(const char *s)
{
	while (*s)
		rt_putc(*s++);
}

static void console_out(char c, void *arg)
{
	(void)arg;
	rt_putc(c);
}

int rt_vprintf(const char *fmt, va_list ap)
{
	return rt_vformat(console_out, NULL, fmt, ap);
}

int rt_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rt_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void rt_set_exit_port(uint16_t port)
{
	exit_port = port;
}

void rt_exit(int ok)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt;

	if (exit_port)
		outl(exit_port, ok ? 0 : 1);
	if (!ok)
		/* an empty IDT: the breakpoint escalates to a triple fault */
		__asm__ volatile("cli; lidt %0; int3" : : "m"(no_idt));
	for (;;) {
		cli();
		hlt();
	}
}
