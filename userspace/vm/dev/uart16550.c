// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "uart16550.h"

enum { RBR_THR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR };

#define LCR_DLAB	0x80
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define IIR_NO_INT	0x01
#define IIR_FIFO	0xc0
#define MCR_LOOP	0x10
#define MSR_LOOP_BITS	0xf0	/* CTS DSR RI DCD mirror MCR in loopback */

void uart_init(struct uart16550 *u, void (*tx)(void *, uint8_t), void *arg)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->tx_arg = arg;
	uart_reset(u);
}

/* the registers' power-on values; the byte count and the sink stay */
void uart_reset(struct uart16550 *u)
{
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->scr = 0;
	u->fcr = 0;
	u->dlm = 0;
	u->dll = 12;	/* 9600 baud, the reset value firmware expects */
}

uint8_t uart_read(struct uart16550 *u, unsigned int reg)
{
	switch (reg & 7) {
	case RBR_THR:
		return (u->lcr & LCR_DLAB) ? u->dll : 0;
	case IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case IIR_FCR:
		return IIR_NO_INT | ((u->fcr & 1) ? IIR_FIFO : 0);
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		/* transmitter always empty: bytes leave at once */
		return LSR_THRE | LSR_TEMT;
	case MSR:
		if (u->mcr & MCR_LOOP)
			return (uint8_t)(((u->mcr & 0x0c) << 4) |
					 ((u->mcr & 0x01) << 5) |
					 ((u->mcr & 0x02) << 3)) & MSR_LOOP_BITS;
		return 0xb0;	/* DCD, DSR, CTS asserted */
	default:
		return u->scr;
	}
}

void uart_write(struct uart16550 *u, unsigned int reg, uint8_t val)
{
	switch (reg & 7) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
		} else if (!(u->mcr & MCR_LOOP)) {
			u->tx_bytes++;
			if (u->tx)
				u->tx(u->tx_arg, val);
		}
		break;
	case IER:
		if (u->lcr & LCR_DLAB)
			u->dlm = val;
		else
			u->ier = val & 0x0f;
		break;
	case IIR_FCR:
		u->fcr = val & 0xc9;
		break;
	case LCR:
		u->lcr = val;
		break;
	case MCR:
		u->mcr = val & 0x1f;
		break;
	case LSR:
	case MSR:
		break;	/* read-only */
	default:
		u->scr = val;
		break;
	}
}

/* ---- the bus device ------------------------------------------------------ */

static int uart_dev_init(struct device *dev, struct bus *bus)
{
	struct uart16550 *u = container_of(dev, struct uart16550, dev);

	return bus_add_range(bus, dev, HCL_RANGE_PIO, u->base, UART_NR_REGS);
}

static void uart_dev_reset(struct device *dev)
{
	uart_reset(container_of(dev, struct uart16550, dev));
}

/* byte registers: a wider access touches only the first one */
static void uart_dev_io(struct device *dev, uint8_t space, uint64_t offset,
			struct bus_access *a)
{
	struct uart16550 *u = container_of(dev, struct uart16550, dev);

	(void)space;
	if (a->write)
		uart_write(u, (unsigned int)offset, (uint8_t)a->data);
	else
		a->data = uart_read(u, (unsigned int)offset);
}

static const struct device_ops uart_dev_ops = {
	.name = "uart16550",
	.init = uart_dev_init,
	.reset = uart_dev_reset,
	.io = uart_dev_io,
};

int uart16550_add(struct uart16550 *u, struct bus *bus, uint16_t base,
		  void (*tx)(void *, uint8_t), void *arg)
{
	uart_init(u, tx, arg);
	u->dev.ops = &uart_dev_ops;
	u->base = base;
	return bus_add_device(bus, &u->dev);
}
