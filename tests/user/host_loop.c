// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: underhill_vm's io_uring event loop. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "loop.h"

struct counter {
	int calls;
	int stop_at;
	uint64_t sum;
	int last_fd;
	unsigned int last_revents;
};

static void on_eventfd(struct loop *loop, void *arg, int fd,
		       unsigned int revents)
{
	struct counter *c = arg;
	uint64_t v;

	c->calls++;
	c->last_fd = fd;
	c->last_revents = revents;
	if (read(fd, &v, sizeof(v)) == sizeof(v))
		c->sum += v;
	if (c->calls == c->stop_at)
		loop_stop(loop, 7);
}

static void on_timer(struct loop *loop, void *arg, uint64_t n)
{
	struct counter *c = arg;

	c->calls++;
	c->sum += n;
	if (c->sum >= (uint64_t)c->stop_at)
		loop_stop(loop, 0);
}

static void stop_timer(struct loop *loop, void *arg, uint64_t n)
{
	(void)arg;
	(void)n;
	loop_stop(loop, -ETIMEDOUT);
}

FIXTURE(loop) {
	struct loop *loop;
};

FIXTURE_SETUP(loop)
{
	self->loop = loop_create(16);
	ASSERT_NE(NULL, self->loop);
}

FIXTURE_TEARDOWN(loop)
{
	loop_destroy(self->loop);
}

TEST_F(loop, eventfd_callback_fires)
{
	struct counter c = { .stop_at = 1 };
	uint64_t v = 1;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, loop_add_fd(self->loop, efd, on_eventfd, &c));
	/* a safety net: the test fails rather than hangs */
	ASSERT_LE(0, loop_add_timer(self->loop, 5000000000ULL, 0, stop_timer,
				    NULL));
	ASSERT_EQ(sizeof(v), write(efd, &v, sizeof(v)));
	EXPECT_EQ(7, loop_run(self->loop));
	EXPECT_EQ(1, c.calls);
	EXPECT_EQ(1ULL, c.sum);
	EXPECT_EQ(efd, c.last_fd);
	EXPECT_NE(0U, c.last_revents & POLLIN);
	/* the poll stays armed: a second signal is a second call */
	c.stop_at = 2;
	v = 3;
	ASSERT_EQ(sizeof(v), write(efd, &v, sizeof(v)));
	EXPECT_EQ(7, loop_run(self->loop));
	EXPECT_EQ(2, c.calls);
	EXPECT_EQ(4ULL, c.sum);
	close(efd);
}

TEST_F(loop, periodic_timer_fires)
{
	struct counter c = { .stop_at = 3 };
	int fd;

	fd = loop_add_timer(self->loop, 1000000, 1000000, on_timer, &c);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, loop_run(self->loop));
	EXPECT_LE(3ULL, c.sum);
	EXPECT_LE(1, c.calls);
	/* a zero first expiry would never fire */
	EXPECT_EQ(-EINVAL, loop_add_timer(self->loop, 0, 1000, on_timer, &c));
}

TEST_F(loop, socket_input)
{
	struct counter c = { .stop_at = 1 };
	int sv[2];
	char buf[8];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, loop_add_fd(self->loop, sv[0], on_eventfd, &c));
	ASSERT_LE(0, loop_add_timer(self->loop, 5000000000ULL, 0, stop_timer,
				    NULL));
	ASSERT_EQ(3, write(sv[1], "abc", 3));
	/* on_eventfd reads 8 bytes at most, which drains the 3 here */
	EXPECT_EQ(7, loop_run(self->loop));
	EXPECT_EQ(sv[0], c.last_fd);
	/* the callback got the data */
	EXPECT_EQ(-1, recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(sv[0]);
	close(sv[1]);
}

TEST_F(loop, deleted_fd_stays_quiet)
{
	struct counter c = { .stop_at = 1 };
	uint64_t one = 1;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, loop_add_fd(self->loop, efd, on_eventfd, &c));
	ASSERT_EQ(0, loop_del_fd(self->loop, efd));
	EXPECT_EQ(-ENOENT, loop_del_fd(self->loop, efd));
	EXPECT_EQ(-EBADF, loop_add_fd(self->loop, -1, on_eventfd, &c));
	ASSERT_EQ(sizeof(one), write(efd, &one, sizeof(one)));
	ASSERT_LE(0, loop_add_timer(self->loop, 50000000ULL, 0, stop_timer,
				    NULL));
	EXPECT_EQ(-ETIMEDOUT, loop_run(self->loop));
	EXPECT_EQ(0, c.calls);
	close(efd);
}

/*
 * A VP source on an fd that knows no uring command: every RUN completes
 * at once with an error, and the callback decides whether it is re-armed.
 */
struct vp_count {
	int calls;
	int res;
};

static bool on_vp(struct loop *loop, void *arg, int res)
{
	struct vp_count *v = arg;

	v->res = res;
	if (++v->calls < 3)
		return true;
	loop_stop(loop, 0);
	return false;
}

TEST_F(loop, vp_completion_rearmed)
{
	struct vp_count v = { 0 };
	int efd = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, loop_add_vp(self->loop, efd, on_vp, &v));
	ASSERT_LE(0, loop_add_timer(self->loop, 5000000000ULL, 0, stop_timer,
				    NULL));
	EXPECT_EQ(0, loop_run(self->loop));
	EXPECT_EQ(3, v.calls);
	EXPECT_GT(0, v.res);
	close(efd);
}

TEST_HARNESS_MAIN
