// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of underhill_vm's device-worker proxy (devworker.c) against
 * hcl-testdev-worker, which uses every message of the protocol, and
 * against the real hcl-tpm-worker (no sandbox: that is the in-VM test's):
 * HELLO and the region, posted writes and deferred reads, guest-memory
 * reads and writes with their bounds checks, IRQs, a worker that dies
 * (restart, with backoff when it keeps dying), a slow worker while
 * another device's access goes through, and STOP.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "devworker.h"
#include "devworker_proto.h"
#include "sys.h"
#include "testdev/testdev_worker.h"

#define MEM_SIZE	(64 * 1024)
#define OTHER_BASE	(TESTDEV_W_BASE + 0x10000)
#define MAX_VPS		4
#define TEST_PORT	0x700

static char bindir[4096];

struct done {
	int n;			/* completions so far */
	bool got[MAX_VPS];
	uint64_t data[MAX_VPS];
	uint64_t ns[MAX_VPS];
	int order[8];
	int irqs, irq_line, irq_level;
	int want;		/* stop the loop after this many */
	struct loop *loop;
};

static void on_complete(void *arg, unsigned int vp, uint64_t data)
{
	struct done *d = arg;

	if (vp < MAX_VPS) {
		d->got[vp] = true;
		d->data[vp] = data;
		d->ns[vp] = hcl_now_ns();
	}
	if (d->n < 8)
		d->order[d->n] = (int)vp;
	if (++d->n >= d->want)
		loop_stop(d->loop, 0);
}

static void on_irq(void *arg, unsigned int line, int level)
{
	struct done *d = arg;

	d->irqs++;
	d->irq_line = (int)line;
	d->irq_level = level;
	loop_stop(d->loop, 0);
}

static void on_timeout(struct loop *loop, void *arg, uint64_t n)
{
	(void)arg;
	(void)n;
	loop_stop(loop, -ETIMEDOUT);
}

struct spawn_args {
	const char *prog;
	const char *extra[6];
};

/* fork + exec, the socket on fd 3, nothing else kept */
static pid_t spawn_plain(void *arg, int fd, bool restart)
{
	struct spawn_args *s = arg;
	char path[4200];
	const char *argv[10] = { s->prog, "--fd", "3" };
	int i, n = 3;
	pid_t pid;

	(void)restart;
	for (i = 0; i < 6 && s->extra[i]; i++)
		argv[n++] = s->extra[i];
	snprintf(path, sizeof(path), "%s/%s", bindir, s->prog);
	pid = fork();
	if (pid)
		return pid;
	if (fd == 3)
		fcntl(3, F_SETFD, 0);
	else if (dup2(fd, 3) != 3)
		_exit(126);
	execv(path, (char **)argv);
	_exit(127);
}

FIXTURE(dw) {
	struct loop *loop;
	struct bus bus;
	struct devworker dw, other;
	struct spawn_args sa, sb;
	struct done done;
	uint8_t *mem;
};

static void start(FIXTURE_DATA(dw) *self, struct devworker *dw,
		  struct spawn_args *sa, unsigned int first_ms,
		  struct __test_metadata *_metadata)
{
	struct devworker_config cfg = {
		.name = "testdev", .spawn = spawn_plain, .spawn_arg = sa,
		.complete = on_complete, .complete_arg = &self->done,
		.irq = on_irq, .irq_arg = &self->done,
		.mem = self->mem, .mem_size = MEM_SIZE,
		.backoff_first_ms = first_ms, .backoff_max_ms = 4 * first_ms,
		.pio_base = dw == &self->dw ? TEST_PORT : 0,
		.pio_len = dw == &self->dw ? 4 : 0,
	};

	ASSERT_EQ(0, devworker_start(dw, &cfg, self->loop));
	ASSERT_EQ(0, devworker_add(dw, &self->bus));
}

FIXTURE_SETUP(dw)
{
	memset(&self->done, 0, sizeof(self->done));
	self->loop = loop_create(32);
	ASSERT_NE(NULL, self->loop);
	self->done.loop = self->loop;
	self->mem = calloc(1, MEM_SIZE);
	ASSERT_NE(NULL, self->mem);
	bus_init(&self->bus, NULL, NULL);
	self->sa = (struct spawn_args){ .prog = "hcl-testdev-worker" };
	start(self, &self->dw, &self->sa, 20, _metadata);
}

FIXTURE_TEARDOWN(dw)
{
	bus_exit(&self->bus);
	loop_destroy(self->loop);
	free(self->mem);
}

/* runs the loop until @want more completions (or 5 s): 0 or -ETIMEDOUT */
static int wait_done(FIXTURE_DATA(dw) *self, int want)
{
	int t, ret;

	self->done.want = self->done.n + want;
	if (self->done.n >= self->done.want)
		return 0;
	t = loop_add_timer(self->loop, 5000000000ULL, 0, on_timeout, NULL);
	if (t < 0)
		return t;
	ret = loop_run(self->loop);
	loop_del_fd(self->loop, t);
	return ret;
}

static void wr(FIXTURE_DATA(dw) *self, uint64_t addr, uint64_t v)
{
	struct bus_access a = { .vp = 0, .size = 8, .write = true, .data = v };

	bus_access(&self->bus, HCL_RANGE_MMIO, addr, &a);
}

/* a read by VP @vp, left in flight */
static bool rd_start(FIXTURE_DATA(dw) *self, unsigned int vp, uint64_t addr)
{
	struct bus_access a = { .vp = vp, .size = 8 };

	self->done.got[vp] = false;
	return !bus_access(&self->bus, HCL_RANGE_MMIO, addr, &a) && a.deferred;
}

static uint64_t rd(FIXTURE_DATA(dw) *self, uint64_t addr)
{
	if (!rd_start(self, 0, addr) || wait_done(self, 1) ||
	    !self->done.got[0])
		return 0xdeadULL;
	return self->done.data[0];
}

#define BASE	TESTDEV_W_BASE

TEST_F(dw, hello_gives_the_region)
{
	struct bus_access a = { .size = 4 };

	EXPECT_EQ(TESTDEV_W_BASE, self->dw.base);
	EXPECT_EQ(TESTDEV_W_SIZE, self->dw.size);
	EXPECT_GT(devworker_pid(&self->dw), 0);
	/* the region is on the bus, and nothing past it */
	EXPECT_EQ(-ENOENT, bus_access(&self->bus, HCL_RANGE_MMIO,
				      BASE + TESTDEV_W_SIZE, &a));
}

TEST_F(dw, writes_are_posted_reads_deferred)
{
	int i;

	wr(self, BASE + TESTDEV_W_SCRATCH, 0x1122334455667788ULL);
	EXPECT_EQ(0x1122334455667788ULL, rd(self, BASE + TESTDEV_W_SCRATCH));
	/* many posted writes, then one read sees them all in order */
	for (i = 0; i < 500; i++)
		wr(self, BASE + TESTDEV_W_SCRATCH, (uint64_t)i);
	EXPECT_EQ(499, rd(self, BASE + TESTDEV_W_SCRATCH));
	EXPECT_EQ(0, rd(self, BASE + 0x800));	/* unknown register */
	/* HELLO, 501 writes, 3 reads and this one: nothing lost */
	EXPECT_EQ(506, rd(self, BASE + TESTDEV_W_COUNT));
	EXPECT_EQ(0, self->dw.dropped);
}

TEST_F(dw, guest_read_and_write)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < 300; i++) {
		self->mem[0x1000 + i] = (uint8_t)(i * 7);
		sum += (uint8_t)(i * 7);
	}
	wr(self, BASE + TESTDEV_W_ADDR, 0x1000);
	wr(self, BASE + TESTDEV_W_LEN, 300);
	wr(self, BASE + TESTDEV_W_CMD, TESTDEV_W_DMA_READ);
	EXPECT_EQ(0, rd(self, BASE + TESTDEV_W_STATUS));
	EXPECT_EQ(sum, rd(self, BASE + TESTDEV_W_RESULT));

	wr(self, BASE + TESTDEV_W_ADDR, 0x3000);
	wr(self, BASE + TESTDEV_W_LEN, 100);
	wr(self, BASE + TESTDEV_W_CMD, TESTDEV_W_DMA_WRITE);
	EXPECT_EQ(0, rd(self, BASE + TESTDEV_W_STATUS));
	for (i = 0; i < 100; i++)
		EXPECT_EQ((uint8_t)i, self->mem[0x3000 + i]);
	EXPECT_EQ(0, self->mem[0x3000 + 100]);
	EXPECT_EQ(1, self->dw.guest_reads);
	EXPECT_EQ(1, self->dw.guest_writes);
	EXPECT_EQ(0, self->dw.guest_faults);
}

TEST_F(dw, guest_memory_is_bounds_checked)
{
	static const struct {
		uint64_t addr, len;
	} bad[] = {
		{ MEM_SIZE - 10, 20 },		/* runs past the end */
		{ MEM_SIZE, 1 },		/* starts at the end */
		{ ~0ULL - 4, 10 },		/* wraps around */
		{ 1ULL << 40, 8 },		/* far outside */
	};
	unsigned int i;
	int j;

	memset(self->mem + MEM_SIZE - 64, 0xee, 64);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		wr(self, BASE + TESTDEV_W_ADDR, bad[i].addr);
		wr(self, BASE + TESTDEV_W_LEN, bad[i].len);
		wr(self, BASE + TESTDEV_W_CMD, TESTDEV_W_DMA_WRITE);
		EXPECT_EQ(EFAULT, rd(self, BASE + TESTDEV_W_STATUS));
		wr(self, BASE + TESTDEV_W_CMD, TESTDEV_W_DMA_READ);
		EXPECT_EQ(EFAULT, rd(self, BASE + TESTDEV_W_STATUS));
	}
	for (j = 0; j < 64; j++)
		EXPECT_EQ(0xee, self->mem[MEM_SIZE - 64 + j]);
	EXPECT_EQ(8, self->dw.guest_faults);
	EXPECT_EQ(0, self->dw.guest_reads + self->dw.guest_writes);
	/* the last byte, exactly, is fine */
	wr(self, BASE + TESTDEV_W_ADDR, MEM_SIZE - 1);
	wr(self, BASE + TESTDEV_W_LEN, 1);
	wr(self, BASE + TESTDEV_W_CMD, TESTDEV_W_DMA_WRITE);
	EXPECT_EQ(0, rd(self, BASE + TESTDEV_W_STATUS));
	EXPECT_EQ(0, self->mem[MEM_SIZE - 1]);
}

TEST_F(dw, irq_reaches_the_vm)
{
	int t;

	wr(self, BASE + TESTDEV_W_SCRATCH, 1);
	wr(self, BASE + TESTDEV_W_CMD, TESTDEV_W_IRQ);
	t = loop_add_timer(self->loop, 5000000000ULL, 0, on_timeout, NULL);
	ASSERT_LE(0, t);
	EXPECT_EQ(0, loop_run(self->loop));
	loop_del_fd(self->loop, t);
	EXPECT_EQ(1, self->done.irqs);
	EXPECT_EQ(0, self->done.irq_line);
	EXPECT_EQ(1, self->done.irq_level);
}

TEST_F(dw, a_dead_worker_is_restarted)
{
	pid_t first = devworker_pid(&self->dw);

	wr(self, BASE + TESTDEV_W_SCRATCH, 42);
	wr(self, BASE + TESTDEV_W_CMD, TESTDEV_W_DIE);
	/* the read in flight when it died is answered by the new worker */
	EXPECT_EQ(0, rd(self, BASE + TESTDEV_W_SCRATCH));
	EXPECT_EQ(1, self->dw.crashes);
	EXPECT_EQ(0, self->dw.backoff_ms);
	EXPECT_GT(devworker_pid(&self->dw), 0);
	EXPECT_NE(first, devworker_pid(&self->dw));
	/* the old one was reaped */
	EXPECT_EQ(-1, waitpid(first, NULL, WNOHANG));
	wr(self, BASE + TESTDEV_W_SCRATCH, 43);
	EXPECT_EQ(43, rd(self, BASE + TESTDEV_W_SCRATCH));
}

TEST_F(dw, repeated_crashes_back_off)
{
	static const unsigned int want[] = { 0, 20, 40, 80, 80 };
	uint64_t t0;
	unsigned int i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		t0 = hcl_now_ns();
		EXPECT_EQ(0, devworker_kill(&self->dw, SIGKILL));
		EXPECT_EQ(0, rd(self, BASE + TESTDEV_W_SCRATCH));
		EXPECT_EQ(i + 1, self->dw.crashes);
		EXPECT_EQ(want[i], self->dw.backoff_ms);
		/* the read waited for the delayed restart */
		EXPECT_GE(hcl_now_ns() - t0, want[i] * 1000000ULL);
	}
}

TEST_F(dw, a_slow_worker_stalls_only_its_vp)
{
	uint64_t t0;

	self->sb = (struct spawn_args){ .prog = "hcl-testdev-worker",
					.extra = { "--base", "0xfe010000" } };
	start(self, &self->other, &self->sb, 20, _metadata);
	ASSERT_EQ(OTHER_BASE, self->other.base);
	wr(self, BASE + TESTDEV_W_SCRATCH, 400);	/* ms */
	wr(self, BASE + TESTDEV_W_CMD, TESTDEV_W_SLOW);
	wr(self, OTHER_BASE + TESTDEV_W_SCRATCH, 7);
	t0 = hcl_now_ns();
	ASSERT_TRUE(rd_start(self, 0, BASE + TESTDEV_W_SCRATCH));
	ASSERT_TRUE(rd_start(self, 1, OTHER_BASE + TESTDEV_W_SCRATCH));
	ASSERT_EQ(0, wait_done(self, 2));
	/* VP 1 got its answer first, long before VP 0's */
	EXPECT_EQ(1, self->done.order[0]);
	EXPECT_EQ(0, self->done.order[1]);
	EXPECT_EQ(7, self->done.data[1]);
	EXPECT_EQ(400, self->done.data[0]);
	EXPECT_LT(self->done.ns[1] - t0, 200000000ULL);
	EXPECT_GE(self->done.ns[0] - t0, 400000000ULL);
}

TEST_F(dw, ports_are_forwarded)
{
	struct bus_access w = { .size = 4, .write = true, .data = 0x1234 };
	struct bus_access r = { .vp = 2, .size = 4 };

	ASSERT_EQ(0, bus_access(&self->bus, HCL_RANGE_PIO, TEST_PORT, &w));
	EXPECT_FALSE(w.deferred);
	ASSERT_EQ(0, bus_access(&self->bus, HCL_RANGE_PIO, TEST_PORT, &r));
	ASSERT_TRUE(r.deferred);
	ASSERT_EQ(0, wait_done(self, 1));
	EXPECT_TRUE(self->done.got[2]);
	EXPECT_EQ(0x1234, self->done.data[2]);
	EXPECT_EQ(0x1234, rd(self, BASE + TESTDEV_W_SCRATCH));
}

TEST_F(dw, reset_save_restore)
{
	uint64_t blob[6], other[6];
	uint32_t len = 0;

	wr(self, BASE + TESTDEV_W_SCRATCH, 77);
	wr(self, BASE + TESTDEV_W_ADDR, 0x4000);
	ASSERT_EQ(0, devworker_request(&self->dw, DEVWORKER_SAVE, NULL, 0,
				       blob, sizeof(blob), &len, 2000));
	ASSERT_EQ(sizeof(blob), len);
	EXPECT_EQ(77, blob[0]);
	EXPECT_EQ(0x4000, blob[1]);
	EXPECT_EQ(0, devworker_request(&self->dw, DEVWORKER_RESET, NULL, 0,
				       NULL, 0, &len, 2000));
	EXPECT_EQ(0, len);
	EXPECT_EQ(0, rd(self, BASE + TESTDEV_W_SCRATCH));
	EXPECT_EQ(0, devworker_request(&self->dw, DEVWORKER_RESTORE, blob,
				       sizeof(blob), NULL, 0, NULL, 2000));
	EXPECT_EQ(77, rd(self, BASE + TESTDEV_W_SCRATCH));
	EXPECT_EQ(0x4000, rd(self, BASE + TESTDEV_W_ADDR));
	/* a bad state is refused with the worker's errno */
	EXPECT_EQ(-EINVAL, devworker_request(&self->dw, DEVWORKER_RESTORE,
					     blob, 5, NULL, 0, NULL, 2000));
	EXPECT_EQ(-EINVAL, devworker_request(&self->dw, DEVWORKER_RESTORE,
					     NULL, DEVWORKER_MAX_PAYLOAD + 1,
					     NULL, 0, NULL, 2000));
	/* a reply larger than the caller's buffer is cut */
	EXPECT_EQ(0, devworker_request(&self->dw, DEVWORKER_SAVE, NULL, 0,
				       other, 8, &len, 2000));
	EXPECT_EQ(8, len);
	EXPECT_EQ(77, other[0]);
}

TEST_F(dw, stop_ends_the_worker)
{
	pid_t pid = devworker_pid(&self->dw);

	devworker_stop(&self->dw);
	EXPECT_EQ(-1, devworker_pid(&self->dw));
	EXPECT_EQ(-1, kill(pid, 0));
	EXPECT_EQ(ESRCH, errno);
}

/* ---- the real vTPM worker behind the proxy ------------------------------ */

static int rm_entry(const char *p, const struct stat *st, int flag,
		    struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

#define TIS(off)	(0xfed40000ULL + (off))

static void wr1(FIXTURE_DATA(dw) *self, uint64_t addr, uint8_t v)
{
	struct bus_access a = { .size = 1, .write = true, .data = v };

	bus_access(&self->bus, HCL_RANGE_MMIO, addr, &a);
}

static uint64_t rd_sz(FIXTURE_DATA(dw) *self, uint64_t addr, uint8_t size)
{
	struct bus_access a = { .size = size };

	self->done.got[0] = false;
	if (bus_access(&self->bus, HCL_RANGE_MMIO, addr, &a) || !a.deferred ||
	    wait_done(self, 1))
		return ~0ULL;
	return self->done.data[0];
}

TEST_F(dw, tpm_worker_runs_a_command)
{
	static const uint8_t startup[] = {
		0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0,
	};
	char dir[] = "/tmp/hcl-devworker-tpm.XXXXXX";
	uint8_t rsp[10];
	unsigned int i;
	int polls;

	ASSERT_NE(NULL, mkdtemp(dir));
	self->sb = (struct spawn_args){ .prog = "hcl-tpm-worker",
		.extra = { "--state", dir, "--power-on" } };
	start(self, &self->other, &self->sb, 20, _metadata);
	ASSERT_EQ(0xfed40000ULL, self->other.base);
	wr1(self, TIS(0x00), 0x02);			/* requestUse */
	EXPECT_EQ(0xa1, rd_sz(self, TIS(0x00), 1) & 0xa1);
	wr1(self, TIS(0x18), 0x40);			/* commandReady */
	EXPECT_EQ(0x40, rd_sz(self, TIS(0x18), 4) & 0x40);
	for (i = 0; i < sizeof(startup); i++)
		wr1(self, TIS(0x24), startup[i]);
	wr1(self, TIS(0x18), 0x20);			/* tpmGo */
	for (polls = 0; polls < 10000; polls++)
		if ((rd_sz(self, TIS(0x18), 4) & 0x90) == 0x90)
			break;
	ASSERT_LT(polls, 10000);
	for (i = 0; i < sizeof(rsp); i++)
		rsp[i] = (uint8_t)rd_sz(self, TIS(0x24), 1);
	EXPECT_EQ(0x80, rsp[0]);
	EXPECT_EQ(10, rsp[5]);
	EXPECT_EQ(0, rsp[6] | rsp[7] | rsp[8] | rsp[9]);	/* success */
	devworker_stop(&self->other);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", bindir, sizeof(bindir) - 32);

	if (n > 0) {
		bindir[n] = 0;
		*strrchr(bindir, '/') = 0;
		strcat(bindir, "/../host/bin");
	}
	signal(SIGPIPE, SIG_IGN);
	return test_harness_run(argc, argv);
}
