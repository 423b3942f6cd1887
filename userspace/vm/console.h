/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of the guest's serial port: bytes the guest transmits,
 * line-buffered onto a stdio stream (underhill_vm's stdout, the console),
 * so that lines from the guest and from the VMM do not interleave.
 */
#ifndef HCL_VM_CONSOLE_H
#define HCL_VM_CONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

#endif
