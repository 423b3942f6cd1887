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
