// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <liburing.h>

#include "loop.h"
#include "vp_ring.h"

enum src_kind { SRC_VP, SRC_FD, SRC_TIMER };

/*
 * One thing the loop waits for.  Its address is the user_data of its
 * request, so a source lives until its last completion: a deleted fd
 * source is only marked dead and freed when its poll ends.
 */
struct loop_src {
	enum src_kind kind;
	int fd;
	bool dead;		/* loop_del_fd() was called */
	bool owns_fd;		/* a timerfd the loop created */
	union {
		loop_vp_fn vp;
		loop_fd_fn fd;
		loop_timer_fn timer;
	} fn;
	void *arg;
	struct loop_src *next;
};

struct loop {
	struct io_uring ring;
	struct loop_src *srcs;
	bool stopped;
	int status;
};

struct loop *loop_create(unsigned int entries)
{
	struct loop *loop = calloc(1, sizeof(*loop));
	int ret;

	if (!loop)
		return NULL;
	ret = io_uring_queue_init(entries, &loop->ring, 0);
	if (ret) {
		free(loop);
		errno = -ret;
		return NULL;
	}
	return loop;
}

void loop_destroy(struct loop *loop)
{
	struct loop_src *s, *next;

	if (!loop)
		return;
	io_uring_queue_exit(&loop->ring);
	for (s = loop->srcs; s; s = next) {
		next = s->next;
		if (s->owns_fd)
			close(s->fd);
		free(s);
	}
	free(loop);
}

/* An SQE, submitting what is queued first when the ring is full. */
static struct io_uring_sqe *get_sqe(struct loop *loop)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&loop->ring);

	if (!sqe && io_uring_submit(&loop->ring) >= 0)
		sqe = io_uring_get_sqe(&loop->ring);
	return sqe;
}

static int arm(struct loop *loop, struct loop_src *s)
{
	struct io_uring_sqe *sqe = get_sqe(loop);

	if (!sqe)
		return -EBUSY;
	if (s->kind == SRC_VP) {
		hcl_prep_run(sqe, s->fd, (uintptr_t)s);
	} else {
		io_uring_prep_poll_multishot(sqe, s->fd, POLLIN);
		io_uring_sqe_set_data(sqe, s);
	}
	return 0;
}

static struct loop_src *add_src(struct loop *loop, enum src_kind kind,
				int fd, void *arg)
{
	struct loop_src *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->kind = kind;
	s->fd = fd;
	s->arg = arg;
	s->next = loop->srcs;
	loop->srcs = s;
	return s;
}

static void free_src(struct loop *loop, struct loop_src *s)
{
	struct loop_src **p;

	for (p = &loop->srcs; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	if (s->owns_fd)
		close(s->fd);
	free(s);
}

static int add_armed(struct loop *loop, struct loop_src *s)
{
	int ret = arm(loop, s);

	if (ret)
		free_src(loop, s);
	return ret;
}

int loop_add_vp(struct loop *loop, int vp_fd, loop_vp_fn fn, void *arg)
{
	struct loop_src *s = add_src(loop, SRC_VP, vp_fd, arg);

	if (!s)
		return -ENOMEM;
	s->fn.vp = fn;
	return add_armed(loop, s);
}

int loop_add_fd(struct loop *loop, int fd, loop_fd_fn fn, void *arg)
{
	struct loop_src *s;

	if (fd < 0)
		return -EBADF;
	s = add_src(loop, SRC_FD, fd, arg);
	if (!s)
		return -ENOMEM;
	s->fn.fd = fn;
	return add_armed(loop, s);
}

int loop_add_timer(struct loop *loop, uint64_t first_ns, uint64_t period_ns,
		   loop_timer_fn fn, void *arg)
{
	struct itimerspec its = {
		.it_value = { first_ns / 1000000000ULL, first_ns % 1000000000ULL },
		.it_interval = { period_ns / 1000000000ULL,
				 period_ns % 1000000000ULL },
	};
	struct loop_src *s;
	int fd, ret;

	if (!first_ns)
		return -EINVAL;	/* a zero it_value would disarm it */
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (timerfd_settime(fd, 0, &its, NULL)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	s = add_src(loop, SRC_TIMER, fd, arg);
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->owns_fd = true;
	s->fn.timer = fn;
	ret = add_armed(loop, s);
	return ret ? ret : fd;
}

int loop_resume_vp(struct loop *loop, int vp_fd)
{
	struct loop_src *s;

	for (s = loop->srcs; s; s = s->next)
		if (s->kind == SRC_VP && s->fd == vp_fd)
			return arm(loop, s);
	return -ENOENT;
}

int loop_del_fd(struct loop *loop, int fd)
{
	struct io_uring_sqe *sqe;
	struct loop_src *s;

	for (s = loop->srcs; s; s = s->next)
		if (s->kind != SRC_VP && s->fd == fd && !s->dead)
			break;
	if (!s)
		return -ENOENT;
	sqe = get_sqe(loop);
	if (!sqe)
		return -EBUSY;
	/* the poll's last completion (-ECANCELED) frees the source */
	io_uring_prep_poll_remove(sqe, (uintptr_t)s);
	io_uring_sqe_set_data(sqe, NULL);
	s->dead = true;
	return 0;
}

void loop_stop(struct loop *loop, int status)
{
	loop->stopped = true;
	loop->status = status;
}

static void complete(struct loop *loop, struct loop_src *s, int res,
		     unsigned int flags)
{
	uint64_t n;

	switch (s->kind) {
	case SRC_VP:
		if (s->fn.vp(loop, s->arg, res) && arm(loop, s))
			loop_stop(loop, -EBUSY);
		return;
	case SRC_FD:
		if (!s->dead && res > 0)
			s->fn.fd(loop, s->arg, s->fd, (unsigned int)res);
		break;
	case SRC_TIMER:
		if (!s->dead && res > 0 &&
		    read(s->fd, &n, sizeof(n)) == sizeof(n))
			s->fn.timer(loop, s->arg, n);
		break;
	}
	/* a multishot poll that ended: poll again, or free a deleted source */
	if (flags & IORING_CQE_F_MORE)
		return;
	if (!s->dead && res < 0)
		loop_stop(loop, res);	/* the fd cannot be polled */
	if (s->dead || res < 0)
		free_src(loop, s);
	else if (arm(loop, s))
		loop_stop(loop, -EBUSY);
}

int loop_run(struct loop *loop)
{
	loop->stopped = false;
	while (!loop->stopped) {
		struct io_uring_cqe *cqe;
		int ret;

		ret = io_uring_submit_and_wait(&loop->ring, 1);
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			return ret;
		while (!loop->stopped && !io_uring_peek_cqe(&loop->ring, &cqe)) {
			struct loop_src *s = io_uring_cqe_get_data(cqe);
			unsigned int flags = cqe->flags;
			int res = cqe->res;

			io_uring_cqe_seen(&loop->ring, cqe);
			if (s)
				complete(loop, s, res, flags);
		}
	}
	return loop->status;
}
