/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of the guest's serial port: bytes the guest transmits,
 * line-buffered onto a stdio stream (underhill_vm's stdout, the console),
 * so that lines from the guest and from the VMM do not interleave; and
 * bytes from the host's input into the port's receive side.
 */
#ifndef HCL_VM_CONSOLE_H
#define HCL_VM_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "loop.h"
#include "dev/uart16550.h"

struct console {
	FILE *out;
	size_t len;
	char line[256];
};

void console_init(struct console *c, FILE *out);
/* a transmit callback for uart16550_add(): @arg is the console */
void console_putc(void *arg, uint8_t byte);
/* writes out a partial last line */
void console_flush(struct console *c);

/*
 * The other direction: bytes readable on @fd (the host's stdin) go into
 * @uart's receive buffer, with @lock held (the bus lock, which the
 * UART's register accesses run under).  A full buffer drops what comes
 * (an overrun, as on the wire); at end of input or on an error the fd
 * is dropped from the loop and @eof set.
 */
struct console_input {
	int fd;
	struct uart16550 *uart;
	pthread_mutex_t *lock;
	uint64_t bytes;
	bool eof;
};

/* Watches @fd on @loop: 0 or a negative errno. */
int console_input_add(struct console_input *ci, struct loop *loop, int fd,
		      struct uart16550 *uart, pthread_mutex_t *lock);

#endif
