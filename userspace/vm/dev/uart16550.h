/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550A UART, transmit side: what a guest driver needs to probe the
 * chip and send bytes.  Received data never arrives (RBR reads 0, LSR.DR
 * stays clear).  The register model has no I/O of its own: bytes the
 * guest transmits are handed to a callback.  uart16550_add() puts it on
 * the bus at a base port (8 ports).
 */
#ifndef HCL_VM_UART16550_H
#define HCL_VM_UART16550_H

#include <stdint.h>

#include "bus.h"

#define UART_NR_REGS	8

struct uart16550 {
	struct device dev;
	uint16_t base;
	uint8_t ier, lcr, mcr, scr, fcr;
	uint8_t dll, dlm;
	void (*tx)(void *arg, uint8_t byte);
	void *tx_arg;
	uint64_t tx_bytes;
};

/* the register model alone: @reg is the offset from the base port, 0..7 */
void uart_init(struct uart16550 *u, void (*tx)(void *, uint8_t), void *arg);
void uart_reset(struct uart16550 *u);
uint8_t uart_read(struct uart16550 *u, unsigned int reg);
void uart_write(struct uart16550 *u, unsigned int reg, uint8_t val);

/* The model as a bus device at ports @base .. @base + 7. */
int uart16550_add(struct uart16550 *u, struct bus *bus, uint16_t base,
		  void (*tx)(void *, uint8_t), void *arg);

#endif
