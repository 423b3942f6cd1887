/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550A UART: what Linux's 8250 driver needs to probe the chip, send
 * and receive with interrupts, and what firmware-style polling needs.
 *
 * Transmit: a byte written to THR leaves at once through the tx callback
 * (the transmitter is always empty, LSR.THRE and TEMT stay set).
 * Receive: uart_rx() puts host bytes into a receive buffer (UART_RX_SIZE
 * bytes, deeper than the chip's 16-byte FIFO so that a pasted line is
 * not lost; the FCR trigger level still decides when "data available"
 * interrupts rather than "character timeout"); a byte arriving on a full
 * buffer sets LSR.OE and is dropped.  In loopback (MCR.LOOP) transmitted
 * bytes are received instead and the modem lines mirror MCR.
 *
 * Interrupts, by priority as IIR reports them: line status (OE, with
 * IER.ELSI; cleared by reading LSR), received data (IER.ERBFI; data at or
 * above the trigger level: 0x04, below it: the timeout 0x0c; cleared by
 * draining), THR empty (IER.ETBEI; set when THR empties or ETBEI is
 * turned on, cleared by writing THR or by reading IIR while it is the
 * one shown).  The chip's INT output reaches the interrupt controller
 * only through MCR.OUT2, as on a PC, and not in loopback; the irq
 * callback gets that output's level on every change.
 */
#ifndef HCL_VM_UART16550_H
#define HCL_VM_UART16550_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"

#define UART_NR_REGS	8
#define UART_RX_SIZE	1024

struct uart16550 {
	struct device dev;
	uint16_t base;
	uint8_t ier, lcr, mcr, scr, fcr;
	uint8_t dll, dlm;
	uint8_t lsr_err;		/* LSR.OE until LSR is read */
	uint8_t thr_int;		/* a THR-empty interrupt is pending */
	int irq_level;			/* the INT output last reported */
	uint16_t rx_head, rx_len;
	uint8_t rx[UART_RX_SIZE];
	void (*tx)(void *arg, uint8_t byte);
	void *tx_arg;
	void (*irq)(void *arg, int level);
	void *irq_arg;
	uint64_t tx_bytes, rx_bytes, rx_dropped;
};

/* the register model alone: @reg is the offset from the base port, 0..7 */
void uart_init(struct uart16550 *u, void (*tx)(void *, uint8_t), void *arg);
void uart_reset(struct uart16550 *u);
uint8_t uart_read(struct uart16550 *u, unsigned int reg);
void uart_write(struct uart16550 *u, unsigned int reg, uint8_t val);

/* Connects the INT output: @fn gets its level now and on each change. */
void uart_set_irq(struct uart16550 *u, void (*fn)(void *, int), void *arg);

/* Receives @len host bytes; returns how many fitted (the rest: overrun). */
size_t uart_rx(struct uart16550 *u, const uint8_t *buf, size_t len);

/* Free room in the receive buffer. */
size_t uart_rx_room(const struct uart16550 *u);

/* The model as a bus device at ports @base .. @base + 7. */
int uart16550_add(struct uart16550 *u, struct bus *bus, uint16_t base,
		  void (*tx)(void *, uint8_t), void *arg);

#endif
