// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devworker.h"
#include "devworker_proto.h"
#include "sys.h"

#define PKT_MAX	(sizeof(struct devworker_msg) + DEVWORKER_MAX_PAYLOAD)

/* the workers on the loop, for supervision (loop thread only) */
#define DEVWORKER_MAX_LIVE	8
static struct devworker *live[DEVWORKER_MAX_LIVE];
static unsigned int nr_live;
static devworker_exit_fn exit_hook;

static void dwlog(const struct devworker *dw, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void dwlog(const struct devworker *dw, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "underhill_vm: %s worker: ", dw->cfg.name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint32_t new_id(struct devworker *dw)
{
	if (!++dw->next_id)
		dw->next_id = 1;
	return dw->next_id;
}

/* ---- starting a worker ---------------------------------------------------- */

/* A new worker and its HELLO on the way; called with dw->lock held. */
static int spawn(struct devworker *dw, bool restart)
{
	struct devworker_msg m = {
		.type = DEVWORKER_HELLO, .value = DEVWORKER_PROTO_VERSION,
	};
	int sv[2], ret;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	dw->pid = dw->cfg.spawn(dw->cfg.spawn_arg, sv[1], restart);
	close(sv[1]);
	if (dw->pid < 0) {
		close(sv[0]);
		return -ECHILD;
	}
	dw->fd = sv[0];
	dw->hello_id = m.id = new_id(dw);
	ret = devworker_send(dw->fd, &m, NULL, 0);
	if (ret)
		return ret;
	dw->state = DW_HELLO;
	return 0;
}

/* sends the reads the worker has not seen; dw->lock held */
static void resend_pending(struct devworker *dw)
{
	unsigned int i;

	for (i = 0; i < DEVWORKER_MAX_PENDING; i++) {
		struct devworker_pending *p = &dw->pending[i];
		struct devworker_msg m = {
			.type = p->space == HCL_RANGE_PIO ? DEVWORKER_PIO_READ :
				DEVWORKER_MMIO_READ,
			.addr = p->addr, .size = p->size,
		};

		if (!p->id || p->sent)
			continue;
		m.id = p->id;
		if (devworker_send(dw->fd, &m, NULL, 0))
			return;		/* dead again: the hang-up follows */
		p->sent = true;
	}
}

/* the HELLO reply: version and region; dw->lock held */
static int hello_done(struct devworker *dw, const struct devworker_msg *m)
{
	if (m->status || m->value != DEVWORKER_PROTO_VERSION || !m->size) {
		dwlog(dw, "HELLO refused: status %u, version %" PRIu64,
		      m->status, (uint64_t)m->value);
		return -EPROTO;
	}
	if (dw->size && (m->addr != dw->base || m->size != dw->size)) {
		dwlog(dw, "the restarted worker moved its region");
		return -EPROTO;
	}
	dw->base = m->addr;
	dw->size = m->size;
	dw->state = DW_UP;
	resend_pending(dw);
	return 0;
}

/* ---- death and restart ---------------------------------------------------- */

static void restart_now(struct devworker *dw)
{
	int ret;

	pthread_mutex_lock(&dw->lock);
	ret = spawn(dw, true);
	if (!ret)
		ret = loop_add_fd(dw->loop, dw->fd, devworker_input, dw);
	pthread_mutex_unlock(&dw->lock);
	if (ret) {
		dwlog(dw, "restart failed: %s", strerror(-ret));
		loop_stop(dw->loop, -1);
		return;
	}
	dwlog(dw, "restarted as pid %d", (int)dw->pid);
}

static void restart_timer(struct loop *loop, void *arg, uint64_t n)
{
	struct devworker *dw = arg;

	(void)n;
	loop_del_fd(loop, dw->timer_fd);
	dw->timer_fd = -1;
	restart_now(dw);
}

static void describe_status(char *buf, size_t len, int status)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
			 WEXITSTATUS(status));
	else
		snprintf(buf, len, "gone");
}

/* The worker is gone (hang-up, error, bad HELLO): reap, log, restart. */
static void died(struct devworker *dw)
{
	uint64_t now = hcl_now_ns();
	char how[48];
	unsigned int i;
	int status = 0;
	pid_t pid;

	pthread_mutex_lock(&dw->lock);
	if (!dw->live) {
		/* still in devworker_start(): no restart, it fails */
		close(dw->fd);
		dw->fd = -1;
		dw->state = DW_DOWN;
		pid = dw->pid;
		dw->pid = -1;
		pthread_mutex_unlock(&dw->lock);
		if (pid > 0 && waitpid(pid, &status, 0) == pid) {
			describe_status(how, sizeof(how), status);
			dwlog(dw, "pid %d %s before its HELLO", (int)pid, how);
		}
		return;
	}
	if (dw->state == DW_DOWN || dw->state == DW_STOPPED) {
		pthread_mutex_unlock(&dw->lock);
		return;
	}
	loop_del_fd(dw->loop, dw->fd);
	close(dw->fd);
	dw->fd = -1;
	dw->state = DW_DOWN;
	pid = dw->pid;
	dw->pid = -1;
	for (i = 0; i < DEVWORKER_MAX_PENDING; i++)
		dw->pending[i].sent = false;
	dw->crashes++;
	if (dw->last_crash_ns && now - dw->last_crash_ns < DEVWORKER_CALM_NS)
		dw->backoff_ms = dw->backoff_ms ?
			2 * dw->backoff_ms : dw->cfg.backoff_first_ms;
	else
		dw->backoff_ms = 0;
	if (dw->backoff_ms > dw->cfg.backoff_max_ms)
		dw->backoff_ms = dw->cfg.backoff_max_ms;
	dw->last_crash_ns = now;
	pthread_mutex_unlock(&dw->lock);

	/* the socket hung up: the worker has exited or is exiting */
	if (pid > 0 && waitpid(pid, &status, 0) == pid) {
		describe_status(how, sizeof(how), status);
	} else {
		snprintf(how, sizeof(how), "lost");
		status = -1;
	}
	snprintf(dw->last_exit, sizeof(dw->last_exit), "%s", how);
	dwlog(dw, "pid %d %s (crash %u); restarting in %u ms", (int)pid, how,
	      dw->crashes, dw->backoff_ms);
	if (exit_hook)
		exit_hook(dw, pid, status);
	if (!dw->backoff_ms) {
		restart_now(dw);
		return;
	}
	dw->timer_fd = loop_add_timer(dw->loop, dw->backoff_ms * 1000000ULL,
				      0, restart_timer, dw);
	if (dw->timer_fd < 0) {
		dwlog(dw, "restart timer: %s", strerror(-dw->timer_fd));
		dw->timer_fd = -1;
		loop_stop(dw->loop, -1);
	}
}

/* ---- what the worker sends ------------------------------------------------ */

/* GUEST_READ / GUEST_WRITE: only inside VTL0 RAM */
static bool guest_range_ok(const struct devworker *dw, uint64_t gpa,
			   uint64_t len)
{
	return len <= DEVWORKER_MAX_PAYLOAD && gpa < dw->cfg.mem_size &&
	       len <= dw->cfg.mem_size - gpa;
}

static void guest_access(struct devworker *dw, const struct devworker_msg *m,
			 const uint8_t *payload)
{
	struct devworker_msg r = { .type = m->type | DEVWORKER_REPLY,
				   .id = m->id };
	const void *out = NULL;
	uint32_t out_len = 0;

	if (m->type == DEVWORKER_GUEST_READ) {
		if (guest_range_ok(dw, m->addr, m->size)) {
			out = (const uint8_t *)dw->cfg.mem + m->addr;
			out_len = m->size;
			dw->guest_reads++;
		} else {
			r.status = EFAULT;
		}
	} else if (guest_range_ok(dw, m->addr, m->len)) {
		memcpy((uint8_t *)dw->cfg.mem + m->addr, payload, m->len);
		dw->guest_writes++;
	} else {
		r.status = EFAULT;
	}
	if (r.status)
		dw->guest_faults++;
	if (m->id)
		devworker_send(dw->fd, &r, out, out_len);
}

/* the pending read with @id (0: a free slot), or NULL */
static struct devworker_pending *find_pending(struct devworker *dw,
					      uint32_t id)
{
	unsigned int i;

	for (i = 0; i < DEVWORKER_MAX_PENDING; i++)
		if (dw->pending[i].id == id)
			return &dw->pending[i];
	return NULL;
}

static bool well_formed(const struct devworker_msg *m, ssize_t n)
{
	return (size_t)n >= sizeof(*m) && m->len == n - sizeof(*m) &&
	       !m->flags && !m->reserved;
}

void devworker_input(struct loop *loop, void *arg, int fd,
		     unsigned int revents)
{
	static uint8_t pkt[PKT_MAX];
	struct devworker *dw = arg;
	struct devworker_msg m;
	struct devworker_pending *p;
	unsigned int vp;
	uint64_t data;
	ssize_t n;

	(void)loop;
	for (;;) {
		n = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (revents & (POLLHUP | POLLERR))
				break;	/* a hang-up with nothing left */
			return;
		}
		if (n <= 0 || fd != dw->fd)
			break;		/* hang-up or error: the worker died */
		memset(&m, 0, sizeof(m));
		memcpy(&m, pkt, (size_t)n < sizeof(m) ? (size_t)n : sizeof(m));
		pthread_mutex_lock(&dw->lock);
		if ((size_t)n > sizeof(pkt) || !well_formed(&m, n)) {
			dw->bad_msgs++;
			pthread_mutex_unlock(&dw->lock);
			continue;
		}
		switch (m.type) {
		case DEVWORKER_HELLO | DEVWORKER_REPLY:
			if (dw->state != DW_HELLO || m.id != dw->hello_id) {
				dw->bad_msgs++;
				break;
			}
			if (hello_done(dw, &m)) {
				pthread_mutex_unlock(&dw->lock);
				goto dead;
			}
			break;
		case DEVWORKER_MMIO_READ | DEVWORKER_REPLY:
		case DEVWORKER_PIO_READ | DEVWORKER_REPLY:
			p = m.id ? find_pending(dw, m.id) : NULL;
			if (!p || !p->sent) {
				dw->bad_msgs++;
				break;
			}
			vp = p->vp;
			data = m.status ? ~0ULL : m.value;
			p->id = 0;
			pthread_mutex_unlock(&dw->lock);
			dw->cfg.complete(dw->cfg.complete_arg, vp, data);
			continue;
		default:
			if (m.id && m.id == dw->sync_id &&
			    (m.type & DEVWORKER_REPLY)) {
				dw->sync_reply = m;
				if (m.len > dw->sync_max)
					dw->sync_reply.len = dw->sync_max;
				if (dw->sync_reply.len)
					memcpy(dw->sync_buf, pkt + sizeof(m),
					       dw->sync_reply.len);
				dw->sync_done = true;
				break;
			}
			/* replies to posted requests: nothing to do */
			if (!(m.type & DEVWORKER_REPLY))
				dw->bad_msgs++;
			break;
		case DEVWORKER_GUEST_READ:
		case DEVWORKER_GUEST_WRITE:
			guest_access(dw, &m, pkt + sizeof(m));
			break;
		case DEVWORKER_IRQ:
			dw->irqs++;
			pthread_mutex_unlock(&dw->lock);
			if (dw->cfg.irq)
				dw->cfg.irq(dw->cfg.irq_arg, (unsigned int)m.addr,
					    (int)m.value);
			continue;
		}
		pthread_mutex_unlock(&dw->lock);
	}
dead:
	if (fd == dw->fd)
		died(dw);
}

/* ---- the bus side --------------------------------------------------------- */

static void dw_io(struct device *dev, uint8_t space, uint64_t offset,
		  struct bus_access *a)
{
	struct devworker *dw = container_of(dev, struct devworker, dev);
	struct devworker_msg m = {
		.addr = offset, .size = a->size, .value = a->write ? a->data : 0,
	};
	struct devworker_pending *p;

	pthread_mutex_lock(&dw->lock);
	if (a->write) {
		/* posted: id 0, no reply */
		m.type = space == HCL_RANGE_PIO ? DEVWORKER_PIO_WRITE :
			 DEVWORKER_MMIO_WRITE;
		if (dw->state == DW_UP && !devworker_send(dw->fd, &m, NULL, 0))
			dw->writes++;
		else
			dw->dropped++;	/* the worker is down: lost */
		pthread_mutex_unlock(&dw->lock);
		return;
	}
	p = find_pending(dw, 0);
	if (!p) {
		/* more reads in flight than VPs: cannot happen; float high */
		dw->dropped++;
		pthread_mutex_unlock(&dw->lock);
		a->data = ~0ULL;
		return;
	}
	*p = (struct devworker_pending){
		.id = new_id(dw), .vp = a->vp, .space = space, .size = a->size,
		.addr = offset,
	};
	m.type = space == HCL_RANGE_PIO ? DEVWORKER_PIO_READ :
		 DEVWORKER_MMIO_READ;
	m.id = p->id;
	/* a worker that is down gets it when it is back (resend_pending) */
	if (dw->state == DW_UP && !devworker_send(dw->fd, &m, NULL, 0))
		p->sent = true;
	dw->reads++;
	a->deferred = true;
	pthread_mutex_unlock(&dw->lock);
}

static int dw_init(struct device *dev, struct bus *bus)
{
	struct devworker *dw = container_of(dev, struct devworker, dev);
	int ret;

	ret = bus_add_range(bus, dev, HCL_RANGE_MMIO, dw->base, dw->size);
	if (!ret && dw->cfg.pio_len)
		ret = bus_add_range(bus, dev, HCL_RANGE_PIO, dw->cfg.pio_base,
				    dw->cfg.pio_len);
	return ret;
}

static void dw_exit(struct device *dev)
{
	devworker_stop(container_of(dev, struct devworker, dev));
}

static const struct device_ops devworker_ops = {
	.name = "devworker",
	.init = dw_init,
	.io = dw_io,
	.exit = dw_exit,
};

int devworker_start(struct devworker *dw, const struct devworker_config *cfg,
		    struct loop *loop)
{
	struct pollfd pfd;
	int ret, waited = 0;

	memset(dw, 0, sizeof(*dw));
	dw->dev.ops = &devworker_ops;
	dw->cfg = *cfg;
	if (!dw->cfg.backoff_first_ms)
		dw->cfg.backoff_first_ms = 100;
	if (!dw->cfg.backoff_max_ms)
		dw->cfg.backoff_max_ms = 5000;
	if (!dw->cfg.hello_timeout_ms)
		dw->cfg.hello_timeout_ms = 10000;
	dw->loop = loop;
	dw->fd = -1;
	dw->pid = -1;
	dw->timer_fd = -1;
	pthread_mutex_init(&dw->lock, NULL);
	ret = spawn(dw, false);
	if (ret) {
		dwlog(dw, "cannot start: %s", strerror(-ret));
		return ret;
	}
	/* before any VP runs: wait here for the region */
	pfd = (struct pollfd){ .fd = dw->fd, .events = POLLIN };
	while (dw->state == DW_HELLO) {
		ret = poll(&pfd, 1, 100);
		if (ret < 0 && errno != EINTR)
			break;
		if (ret > 0)
			devworker_input(NULL, dw, dw->fd, pfd.revents);
		else if ((waited += 100) >= (int)dw->cfg.hello_timeout_ms)
			break;
		if (dw->fd < 0)
			break;	/* died() ran: no restart on the first try */
	}
	if (dw->state != DW_UP) {
		dwlog(dw, "no HELLO from the worker");
		devworker_stop(dw);
		return -ETIMEDOUT;
	}
	return 0;
}

int devworker_add(struct devworker *dw, struct bus *bus)
{
	int ret = bus_add_device(bus, &dw->dev);

	if (!ret)
		ret = loop_add_fd(dw->loop, dw->fd, devworker_input, dw);
	if (!ret) {
		dw->live = true;
		if (nr_live < DEVWORKER_MAX_LIVE)
			live[nr_live++] = dw;
	}
	return ret;
}

void devworker_set_exit_hook(devworker_exit_fn fn)
{
	exit_hook = fn;
}

struct devworker *devworker_nth(unsigned int i)
{
	return i < nr_live ? live[i] : NULL;
}

int devworker_request(struct devworker *dw, uint16_t type,
		      const void *payload, uint32_t len, void *out,
		      uint32_t max, uint32_t *out_len, unsigned int timeout_ms)
{
	struct devworker_msg m = { .type = type };
	unsigned int waited = 0;
	struct pollfd pfd;
	int ret, fd;

	if (len > DEVWORKER_MAX_PAYLOAD)
		return -EINVAL;
	pthread_mutex_lock(&dw->lock);
	if (dw->state != DW_UP) {
		pthread_mutex_unlock(&dw->lock);
		return -ENOTCONN;
	}
	fd = dw->fd;
	m.id = dw->sync_id = new_id(dw);
	dw->sync_done = false;
	dw->sync_buf = out;
	dw->sync_max = out ? max : 0;
	ret = devworker_send(fd, &m, payload, len);
	pthread_mutex_unlock(&dw->lock);
	if (ret)
		return ret;
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (!dw->sync_done && dw->fd == fd && waited < timeout_ms) {
		ret = poll(&pfd, 1, 10);
		if (ret > 0)
			devworker_input(dw->loop, dw, fd, pfd.revents);
		else
			waited += 10;
	}
	pthread_mutex_lock(&dw->lock);
	dw->sync_id = 0;
	if (!dw->sync_done)
		ret = dw->fd == fd ? -ETIMEDOUT : -ENOTCONN;
	else
		ret = -(int)dw->sync_reply.status;
	if (out_len)
		*out_len = dw->sync_done ? dw->sync_reply.len : 0;
	pthread_mutex_unlock(&dw->lock);
	return ret;
}

int devworker_kill(struct devworker *dw, int sig)
{
	pid_t pid;

	pthread_mutex_lock(&dw->lock);
	pid = dw->pid;
	pthread_mutex_unlock(&dw->lock);
	if (pid <= 0)
		return -ESRCH;
	return kill(pid, sig) ? -errno : 0;
}

pid_t devworker_pid(struct devworker *dw)
{
	pid_t pid;

	pthread_mutex_lock(&dw->lock);
	pid = dw->state == DW_UP ? dw->pid : -1;
	pthread_mutex_unlock(&dw->lock);
	return pid;
}

void devworker_stop(struct devworker *dw)
{
	struct devworker_msg m = { .type = DEVWORKER_STOP };
	struct pollfd pfd;
	uint8_t pkt[PKT_MAX];
	int status, tries;
	pid_t pid;

	pthread_mutex_lock(&dw->lock);
	if (dw->state == DW_STOPPED) {
		pthread_mutex_unlock(&dw->lock);
		return;
	}
	dw->state = DW_STOPPED;
	pid = dw->pid;
	dw->pid = -1;
	if (dw->fd >= 0) {
		m.id = new_id(dw);
		/* the worker persists its state and answers, then exits */
		if (!devworker_send(dw->fd, &m, NULL, 0)) {
			pfd = (struct pollfd){ .fd = dw->fd, .events = POLLIN };
			for (tries = 0; tries < 50; tries++) {
				struct devworker_msg *r = (void *)pkt;
				ssize_t n;

				if (poll(&pfd, 1, 100) <= 0)
					continue;
				n = recv(dw->fd, pkt, sizeof(pkt), 0);
				if (n <= 0 ||
				    ((size_t)n >= sizeof(*r) && r->id == m.id))
					break;
			}
		}
		close(dw->fd);
		dw->fd = -1;
	}
	pthread_mutex_unlock(&dw->lock);
	if (pid <= 0)
		return;
	for (tries = 0; tries < 50; tries++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}
