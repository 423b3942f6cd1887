// SPDX-License-Identifier: GPL-2.0
#include "console.h"

void console_init(struct console *c, FILE *out)
{
	c->out = out;
	c->len = 0;
}

/* CR is dropped; a full buffer is written out as a line of its own */
void console_putc(void *arg, uint8_t byte)
{
	struct console *c = arg;

	if (byte == '\r')
		return;
	if (byte != '\n' && c->len < sizeof(c->line) - 1) {
		c->line[c->len++] = (char)byte;
		return;
	}
	fwrite(c->line, 1, c->len, c->out);
	fputc('\n', c->out);
	c->len = 0;
}

void console_flush(struct console *c)
{
	if (c->len)
		console_putc(c, '\n');
}
