// SPDX-License-Identifier: GPL-2.0
/*
 * Log collection: VTL2's kernel log (/dev/kmsg, every record since boot,
 * then each new one) and the children's stderr (pipes) go to the host
 * as LOG records tagged by source.  The pipes' bytes also go to the
 * console at once, as before there was a pipe; the kernel log reaches
 * the console by itself.  Nothing here waits: the fds are non-blocking
 * and the channel drops the oldest records when the host does not read
 * (the next record carries the count).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "openvmm_hcl.h"

#define MAX_PIPES	4
#define LINE_MAX_LEN	HOSTCHAN_TEXT_MAX

struct log_pipe {
	struct watch w;
	char tag[32];
	char line[LINE_MAX_LEN + 1];
	size_t len;
};

static struct log_pipe pipes[MAX_PIPES];
static struct watch kmsg_w = { .fd = -1 };
static uint32_t kmsg_lost;
/*
 * The kernel's warnings and errors (level 4 or more urgent) logged after
 * logs_init(), i.e. while the paravisor ran; the first one is kept for
 * the summary.  Boot-time messages before it are not counted.
 */
static uint64_t kmsg_since_us;
static unsigned int kmsg_warnings, kmsg_host_delays;
static char kmsg_first[160];

/*
 * Warnings that say the host did not run VTL2's CPU for a while (the
 * hrtimer code measures its own interrupt taking milliseconds), not that
 * anything in VTL2 went wrong: counted apart, and said apart.
 */
static bool host_delay(const char *text)
{
	return !strncmp(text, "hrtimer: interrupt took ", 24);
}

static uint64_t boot_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void send_log(uint8_t source, uint8_t level, uint32_t lost,
		     uint64_t usec, const char *tag, const char *text,
		     size_t len)
{
	uint8_t buf[HOSTCHAN_TEXT_MAX + 128];
	struct hostchan_buf b;

	if (len > HOSTCHAN_TEXT_MAX)
		len = HOSTCHAN_TEXT_MAX;
	hc_writer(&b, buf, sizeof(buf));
	hc_put_u8(&b, source);
	hc_put_u8(&b, level);
	hc_put_u16(&b, 0);
	hc_put_u32(&b, lost);
	hc_put_u64(&b, usec);
	hc_put_str(&b, tag);
	hc_put_strn(&b, text, len);
	if (!b.err)
		chan_notify(HOSTCHAN_LOG, buf, (uint32_t)b.off);
}

/* control bytes (other than tab) become '?': records are text */
static void sanitize(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			s[i] = '?';
}

/* one record: "prio,seq,usec,flags[,...];text\n" and " KEY=value" lines */
static void on_kmsg(struct watch *w, uint32_t events)
{
	char rec[8192];

	(void)events;
	for (;;) {
		unsigned long long usec = 0;
		unsigned int prio = 6;
		char *text, *end;
		ssize_t n = read(w->fd, rec, sizeof(rec) - 1);

		if (n < 0 && errno == EPIPE) {
			kmsg_lost++;	/* overwritten before we read it */
			continue;
		}
		if (n <= 0)
			return;
		rec[n] = 0;
		text = strchr(rec, ';');
		if (!text)
			continue;
		sscanf(rec, "%u,%*u,%llu", &prio, &usec);
		text++;
		end = strchr(text, '\n');
		if (!end)
			end = rec + n;
		sanitize(text, end - text);
		if ((prio & 7) <= 4 && usec >= kmsg_since_us &&
		    host_delay(text))
			kmsg_host_delays++;
		else if ((prio & 7) <= 4 && usec >= kmsg_since_us &&
			 !kmsg_warnings++)
			snprintf(kmsg_first, sizeof(kmsg_first), "%.*s",
				 (int)(end - text), text);
		send_log(HOSTCHAN_LOG_KMSG, prio & 7, kmsg_lost, usec, "kernel",
			 text, end - text);
		kmsg_lost = 0;
	}
}

void logs_summary(void)
{
	if (kmsg_w.fd < 0)
		return;
	if (!kmsg_warnings)
		printf("openvmm_hcl: VTL2 kernel log while the paravisor ran: no warning or error\n");
	else
		printf("openvmm_hcl: VTL2 kernel log while the paravisor ran: %u warnings or errors, the first: %s\n",
		       kmsg_warnings, kmsg_first);
	if (kmsg_host_delays)
		printf("openvmm_hcl: VTL2 kernel log: %u notice%s that the host did not run VTL2's CPUs for a while (hrtimer)\n",
		       kmsg_host_delays, kmsg_host_delays == 1 ? "" : "s");
}

void logs_init(void)
{
	kmsg_since_us = boot_us();
	kmsg_w.fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	kmsg_w.fn = on_kmsg;
	if (kmsg_w.fd >= 0 && loop_watch(&kmsg_w, EPOLLIN)) {
		close(kmsg_w.fd);
		kmsg_w.fd = -1;
	}
}

static void pipe_line(struct log_pipe *p)
{
	sanitize(p->line, p->len);
	send_log(HOSTCHAN_LOG_STDERR, 4, 0, boot_us(), p->tag, p->line,
		 p->len);
	p->len = 0;
}

static void on_pipe(struct watch *w, uint32_t events)
{
	struct log_pipe *p = (struct log_pipe *)w;
	char buf[4096];
	ssize_t n;

	(void)events;
	for (;;) {
		n = read(w->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		/* the console first, as it always had these lines */
		if (write(STDERR_FILENO, buf, n) < 0) {
			/* no console: the host still gets the lines */
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				pipe_line(p);
				continue;
			}
			p->line[p->len++] = buf[i];
			if (p->len == LINE_MAX_LEN)
				pipe_line(p);
		}
	}
	/* end of file: every writer is gone */
	if (p->len)
		pipe_line(p);
	loop_unwatch(w);
	close(w->fd);
	w->fd = -1;
}

void logs_add_pipe(int fd, const char *tag)
{
	for (int i = 0; i < MAX_PIPES; i++) {
		struct log_pipe *p = &pipes[i];

		if (p->w.fn && p->w.fd >= 0)
			continue;
		p->w.fd = fd;
		p->w.fn = on_pipe;
		p->len = 0;
		snprintf(p->tag, sizeof(p->tag), "%s", tag);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		if (!loop_watch(&p->w, EPOLLIN))
			return;
		break;
	}
	close(fd);
}

void logs_self(const char *fmt, ...)
{
	char text[HOSTCHAN_TEXT_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(text))
		n = sizeof(text) - 1;
	send_log(HOSTCHAN_LOG_SELF, 6, 0, boot_us(), "openvmm_hcl", text, n);
}

void logs_drain(void)
{
	for (int i = 0; i < MAX_PIPES; i++)
		if (pipes[i].w.fn && pipes[i].w.fd >= 0)
			on_pipe(&pipes[i].w, EPOLLIN);
	if (kmsg_w.fd >= 0)
		on_kmsg(&kmsg_w, EPOLLIN);
}
