/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550A UART register model, transmit side: what a guest driver needs
 * to probe the chip and send bytes.  Received data never arrives (RBR
 * reads 0, LSR.DR stays clear).  The model has no I/O of its own: bytes
 * the guest transmits are handed to a callback.
 */
#ifndef HCL_UART16550_H
#define HCL_UART16550_H

#include <stdint.h>

#define UART_NR_REGS	8

struct uart16550 {
	uint8_t ier, lcr, mcr, scr, fcr;
	uint8_t dll, dlm;
	void (*tx)(void *arg, uint8_t byte);
	void *tx_arg;
	uint64_t tx_bytes;
};

void uart_init(struct uart16550 *u, void (*tx)(void *, uint8_t), void *arg);
/* @reg is the offset from the base port, 0..7 */
uint8_t uart_read(struct uart16550 *u, unsigned int reg);
void uart_write(struct uart16550 *u, unsigned int reg, uint8_t val);

#endif
