// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "uart16550.h"

enum { RBR_THR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR };

#define IER_ERBFI	0x01	/* received data available */
#define IER_ETBEI	0x02	/* THR empty */
#define IER_ELSI	0x04	/* receiver line status */
#define LCR_DLAB	0x80
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_RLSI	0x06
#define IIR_TIMEOUT	0x0c
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define MSR_LOOP_BITS	0xf0	/* CTS DSR RI DCD mirror MCR in loopback */

static const uint8_t rx_trigger[4] = { 1, 4, 8, 14 };

/* the interrupt IIR shows now, IIR_NO_INT when none */
static uint8_t pending(const struct uart16550 *u)
{
	if ((u->ier & IER_ELSI) && u->lsr_err)
		return IIR_RLSI;
	if ((u->ier & IER_ERBFI) && u->rx_len) {
		unsigned int trig = (u->fcr & FCR_ENABLE) ?
				    rx_trigger[u->fcr >> 6] : 1;

		return u->rx_len >= trig ? IIR_RDI : IIR_TIMEOUT;
	}
	if ((u->ier & IER_ETBEI) && u->thr_int)
		return IIR_THRI;
	return IIR_NO_INT;
}

/* the INT pin, as the interrupt controller sees it, on every change */
static void update_irq(struct uart16550 *u)
{
	int level = pending(u) != IIR_NO_INT && (u->mcr & MCR_OUT2) &&
		    !(u->mcr & MCR_LOOP);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->irq)
		u->irq(u->irq_arg, level);
}

void uart_init(struct uart16550 *u, void (*tx)(void *, uint8_t), void *arg)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->tx_arg = arg;
	uart_reset(u);
}

void uart_set_irq(struct uart16550 *u, void (*fn)(void *, int), void *arg)
{
	u->irq = fn;
	u->irq_arg = arg;
	if (fn)
		fn(arg, u->irq_level);
}

/* the registers' power-on values; the byte counts and the sinks stay */
void uart_reset(struct uart16550 *u)
{
	u->ier = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->scr = 0;
	u->fcr = 0;
	u->dlm = 0;
	u->dll = 12;	/* 9600 baud, the reset value firmware expects */
	u->lsr_err = 0;
	u->thr_int = 0;
	u->rx_head = 0;
	u->rx_len = 0;
	if (u->irq_level) {
		u->irq_level = 0;
		if (u->irq)
			u->irq(u->irq_arg, 0);
	}
}

static void rx_push(struct uart16550 *u, uint8_t byte)
{
	if (u->rx_len == UART_RX_SIZE) {
		u->lsr_err |= LSR_OE;
		u->rx_dropped++;
		return;
	}
	u->rx[(u->rx_head + u->rx_len) % UART_RX_SIZE] = byte;
	u->rx_len++;
	u->rx_bytes++;
}

static uint8_t rx_pop(struct uart16550 *u)
{
	uint8_t byte;

	if (!u->rx_len)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_RX_SIZE;
	u->rx_len--;
	return byte;
}

size_t uart_rx_room(const struct uart16550 *u)
{
	return UART_RX_SIZE - u->rx_len;
}

size_t uart_rx(struct uart16550 *u, const uint8_t *buf, size_t len)
{
	size_t i, room = uart_rx_room(u);

	for (i = 0; i < len; i++)
		rx_push(u, buf[i]);
	update_irq(u);
	return len < room ? len : room;
}

static uint8_t read_msr(const struct uart16550 *u)
{
	if (u->mcr & MCR_LOOP)
		return (uint8_t)(((u->mcr & 0x0c) << 4) |
				 ((u->mcr & 0x01) << 5) |
				 ((u->mcr & 0x02) << 3)) & MSR_LOOP_BITS;
	return 0xb0;	/* DCD, DSR, CTS asserted */
}

uint8_t uart_read(struct uart16550 *u, unsigned int reg)
{
	uint8_t val;

	switch (reg & 7) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		val = rx_pop(u);
		update_irq(u);
		return val;
	case IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case IIR_FCR:
		val = pending(u);
		/* reading IIR acknowledges a THR-empty interrupt it shows */
		if (val == IIR_THRI) {
			u->thr_int = 0;
			update_irq(u);
		}
		return val | ((u->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		/* transmitter always empty: bytes leave at once */
		val = LSR_THRE | LSR_TEMT | u->lsr_err | (u->rx_len ? LSR_DR : 0);
		if (u->lsr_err) {
			u->lsr_err = 0;
			update_irq(u);
		}
		return val;
	case MSR:
		return read_msr(u);
	default:
		return u->scr;
	}
}

static void transmit(struct uart16550 *u, uint8_t val)
{
	u->thr_int = 0;
	update_irq(u);		/* the write acknowledged THR empty ... */
	if (u->mcr & MCR_LOOP) {
		rx_push(u, val);
	} else {
		u->tx_bytes++;
		if (u->tx)
			u->tx(u->tx_arg, val);
	}
	u->thr_int = 1;		/* ... and the byte left at once */
	update_irq(u);
}

void uart_write(struct uart16550 *u, unsigned int reg, uint8_t val)
{
	switch (reg & 7) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			u->dll = val;
		else
			transmit(u, val);
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			break;
		}
		/* turning ETBEI on with THR empty interrupts at once */
		if ((val & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thr_int = 1;
		u->ier = val & 0x0f;
		update_irq(u);
		break;
	case IIR_FCR:
		if (val & FCR_CLEAR_RX) {
			u->rx_head = 0;
			u->rx_len = 0;
		}
		u->fcr = val & 0xc9;
		update_irq(u);
		break;
	case LCR:
		u->lcr = val;
		break;
	case MCR:
		u->mcr = val & 0x1f;
		update_irq(u);
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
