// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

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

static void input_push(struct console_input *ci, const uint8_t *buf,
		       size_t n)
{
	ci->bytes += n;
	pthread_mutex_lock(ci->lock);
	uart_rx(ci->uart, buf, n);
	pthread_mutex_unlock(ci->lock);
}

/*
 * The loop's poll is multishot and reports new input, not input left
 * over: everything readable (FIONREAD) is read now.  What does not fit
 * in the receive buffer is dropped (an overrun).  Input ends at a hangup
 * once drained, or when a read returns nothing.
 */
static void input_ready(struct loop *loop, void *arg, int fd,
			unsigned int revents)
{
	struct console_input *ci = arg;
	uint8_t buf[256];
	int avail = 0;
	bool counted;
	ssize_t n;

	counted = !ioctl(fd, FIONREAD, &avail);
	if (!counted || avail < 0)
		avail = 0;
	while (avail > 0) {
		n = read(fd, buf, (size_t)avail < sizeof(buf) ? (size_t)avail :
			 sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		avail -= (int)n;
		input_push(ci, buf, (size_t)n);
	}
	if (!(revents & (POLLHUP | POLLERR | POLLNVAL))) {
		if (counted)
			return;
		/* no count (not a pipe or terminal): read what there is */
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			input_push(ci, buf, (size_t)n);
			return;
		}
		if (n < 0 && errno == EINTR)
			return;
	}
	ci->eof = true;
	loop_del_fd(loop, fd);
}

int console_input_add(struct console_input *ci, struct loop *loop, int fd,
		      struct uart16550 *uart, pthread_mutex_t *lock)
{
	ci->fd = fd;
	ci->uart = uart;
	ci->lock = lock;
	ci->bytes = 0;
	ci->eof = false;
	return loop_add_fd(loop, fd, input_ready, ci);
}
