// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-bench-hcl: the hcl.ko side of the run-loop benchmark.  Loads the
 * bench guest into VTL0 RAM, claims the user port and the MMIO page, and
 * times each exit kind: in-kernel ones (VMMCALL NOP, CPUID, unclaimed
 * port), user ones through HCL_VP_RUN and through io_uring, and port I/O
 * on several VPs served by one io_uring thread (and, for comparison, by
 * one ioctl thread per VP).  Prints one JSON line per result.
 *
 *   hcl-bench-hcl -t TSC_HZ -n ITERS [-w WARMUP] [-r REPS] [-v VPS] [-R ROUND]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "vp_ring.h"

#define SIDE		"hcl"
#define RING_ENTRIES	16

struct vp {
	int fd;
	unsigned int index;
	struct hcl_run *run;
	struct io_uring *ring;	/* NULL: run with the ioctl */
};

static struct io_uring ring;
static struct vp vps[BENCH_MAX_VPS];
static volatile struct bench_mailbox *mbs[BENCH_MAX_VPS];

/* After a run: 1 when the guest halted, 0 for an exit to answer, -1. */
static int handle_exit(struct vp *v, uint64_t *user_exits)
{
	const struct hcl_run *run = v->run;

	switch (run->exit_reason) {
	case HCL_EXIT_HLT:
		return 1;
	case HCL_EXIT_IO:
		if (run->io.port != BENCH_PIO_USER_PORT ||
		    run->io.direction != HCL_IO_OUT)
			break;
		(*user_exits)++;	/* an OUT needs no answer */
		return 0;
	case HCL_EXIT_MMIO:
		if (run->mmio.gpa != BENCH_MMIO_GPA ||
		    run->mmio.direction != HCL_MMIO_WRITE)
			break;
		(*user_exits)++;
		return 0;
	}
	fprintf(stderr, "hcl-bench: VP %u: unexpected exit %u (code 0x%llx) at rip 0x%llx\n",
		v->index, run->exit_reason,
		(unsigned long long)run->hw_exit_code,
		(unsigned long long)run->rip);
	return -1;
}

static int run_ioctl(void *ctx, uint64_t *user_exits)
{
	struct vp *v = ctx;
	int ret;

	for (;;) {
		if (ioctl(v->fd, HCL_VP_RUN, 0)) {
			if (errno == EINTR)
				continue;
			perror("hcl-bench: HCL_VP_RUN");
			return -1;
		}
		ret = handle_exit(v, user_exits);
		if (ret)
			return ret < 0 ? -1 : 0;
	}
}

/* One RUN per exit: the SQE that re-arms the VP also waits for it. */
static int run_uring(void *ctx, uint64_t *user_exits)
{
	struct io_uring_cqe *cqe;
	struct vp *v = ctx;
	int ret, res;

	for (;;) {
		if (hcl_queue_run(v->ring, v->fd, v->index))
			return -1;
		do {
			ret = io_uring_submit_and_wait(v->ring, 1);
		} while (ret == -EINTR);
		if (ret < 0 || io_uring_peek_cqe(v->ring, &cqe)) {
			fprintf(stderr, "hcl-bench: io_uring: %s\n",
				strerror(ret < 0 ? -ret : EIO));
			return -1;
		}
		res = cqe->res;
		io_uring_cqe_seen(v->ring, cqe);
		if (res == -EINTR)
			continue;
		if (res < 0) {
			fprintf(stderr, "hcl-bench: RUN: %s\n", strerror(-res));
			return -1;
		}
		ret = handle_exit(v, user_exits);
		if (ret)
			return ret < 0 ? -1 : 0;
	}
}

/*
 * One phase of the multi-VP case: a RUN in flight on every VP, served by
 * this thread alone until every guest halted.
 */
static int multi_uring_phase(void *ctx, uint64_t *user_exits)
{
	unsigned int i, halted = 0, n = *(unsigned int *)ctx;
	struct io_uring_cqe *cqe;
	int ret, res;

	for (i = 0; i < n; i++)
		if (hcl_queue_run(&ring, vps[i].fd, i))
			return -1;
	while (halted < n) {
		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "hcl-bench: io_uring: %s\n",
				strerror(-ret));
			return -1;
		}
		while (io_uring_peek_cqe(&ring, &cqe) == 0) {
			i = cqe->user_data;
			res = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
			if (i >= n || (res < 0 && res != -EINTR)) {
				fprintf(stderr, "hcl-bench: RUN of VP %u: %s\n",
					i, strerror(-res));
				return -1;
			}
			ret = res ? 0 : handle_exit(&vps[i], user_exits);
			if (ret < 0)
				return -1;
			if (ret > 0)
				halted++;
			else if (hcl_queue_run(&ring, vps[i].fd, i))
				return -1;
		}
	}
	return 0;
}

static int add_range(int fd, int space, uint64_t start, uint64_t len)
{
	struct hcl_range r = {
		.space = space, .kind = HCL_RANGE_USER,
		.start = start, .len = len,
	};

	return ioctl(fd, HCL_ADD_RANGE, &r);
}

static int setup(int fd, unsigned int *nvps, const struct bench_opts *o)
{
	struct hcl_cpuid_entry ents[BENCH_MAX_CPUID];
	struct hcl_cpuid cpuid = { .entries = (uintptr_t)ents };
	struct hcl_sregs sregs;
	struct hcl_regs regs, r;
	struct hcl_info info;
	unsigned int i;
	uint8_t *mem;

	if (ioctl(fd, HCL_GET_INFO, &info)) {
		perror("hcl-bench: HCL_GET_INFO");
		return -1;
	}
	mem = mmap(NULL, info.vtl0_mem_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		perror("hcl-bench: mmap VTL0 RAM");
		return -1;
	}
	if (bench_prepare_mem(mem, info.vtl0_mem_size, &regs, &sregs))
		return -1;
	if (add_range(fd, HCL_RANGE_PIO, BENCH_PIO_USER_PORT, 1) ||
	    add_range(fd, HCL_RANGE_MMIO, BENCH_MMIO_GPA, BENCH_MMIO_LEN)) {
		perror("hcl-bench: HCL_ADD_RANGE");
		return -1;
	}
	cpuid.nent = bench_cpuid_table(ents, BENCH_MAX_CPUID);
	*nvps = o->vps < info.max_vps ? o->vps : info.max_vps;
	if (o->first >= info.max_vps) {
		fprintf(stderr, "hcl-bench: no VP %u (%u VPs)\n", o->first,
			info.max_vps);
		return -1;
	}
	/* the one-VP cases' VP too */
	*nvps = *nvps > o->first ? *nvps : o->first + 1;
	for (i = 0; i < *nvps; i++) {
		struct hcl_create_vp cvp = { .vp_index = i };

		vps[i].index = i;
		vps[i].fd = ioctl(fd, HCL_CREATE_VP, &cvp);
		if (vps[i].fd < 0) {
			perror("hcl-bench: HCL_CREATE_VP");
			return -1;
		}
		vps[i].run = mmap(NULL, HCL_RUN_SIZE, PROT_READ | PROT_WRITE,
				  MAP_SHARED, vps[i].fd, 0);
		if (vps[i].run == MAP_FAILED) {
			perror("hcl-bench: mmap run page");
			return -1;
		}
		r = bench_vp_regs(&regs, i);
		if (ioctl(vps[i].fd, HCL_VP_SET_CPUID, &cpuid) ||
		    ioctl(vps[i].fd, HCL_VP_SET_SREGS, &sregs) ||
		    ioctl(vps[i].fd, HCL_VP_SET_REGS, &r)) {
			perror("hcl-bench: setting up the VP");
			return -1;
		}
		mbs[i] = bench_mailbox(mem, i);
	}
	return 0;
}

static const struct bench_case one_vp_cases[] = {
	{ .name = "floor", .kind = BENCH_KIND_VMMCALL, .arg = BENCH_HC_HCL_NOP,
	  .note = "hcl: VMMCALL HCL_HC_NOP, answered in the kernel" },
	{ .name = "cpuid", .kind = BENCH_KIND_CPUID },
	{ .name = "pio_user_ioctl", .kind = BENCH_KIND_PIO,
	  .arg = BENCH_PIO_USER_PORT, .user_exits = 1 },
	{ .name = "pio_user_uring", .kind = BENCH_KIND_PIO,
	  .arg = BENCH_PIO_USER_PORT, .user_exits = 1,
	  .compare = "pio_user_ioctl" },
	{ .name = "mmio_user_ioctl", .kind = BENCH_KIND_MMIO, .user_exits = 1 },
	{ .name = "mmio_user_uring", .kind = BENCH_KIND_MMIO, .user_exits = 1,
	  .compare = "mmio_user_ioctl" },
	{ .name = "pio_kernel", .kind = BENCH_KIND_PIO,
	  .arg = BENCH_PIO_KERNEL_PORT,
	  .note = "hcl: OUT to an unclaimed port, answered in the kernel" },
};

static const struct bench_case multi_uring_case = {
	.name = "multi_vp_pio", .kind = BENCH_KIND_PIO,
	.arg = BENCH_PIO_USER_PORT, .user_exits = 1,
	.note = "hcl: one io_uring thread serves every VP",
};

static const struct bench_case multi_threads_case = {
	.name = "multi_vp_pio_threads", .kind = BENCH_KIND_PIO,
	.arg = BENCH_PIO_USER_PORT, .user_exits = 1,
	.compare = "multi_vp_pio", .note = "hcl: a HCL_VP_RUN thread per VP",
};

int main(int argc, char **argv)
{
	void *ctxs[BENCH_MAX_VPS];
	struct bench_opts o;
	unsigned int i, nvps;
	int fd, failed = 0;
	const char *side;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (bench_parse_opts(argc, argv, &o))
		return 2;
	side = o.side ? o.side : SIDE;
	fd = open("/dev/hcl", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("hcl-bench: /dev/hcl");
		bench_error(side, "setup", "cannot open /dev/hcl");
		return 1;
	}
	if (setup(fd, &nvps, &o) ||
	    io_uring_queue_init(RING_ENTRIES, &ring, 0)) {
		bench_error(side, "setup", "cannot set up the VPs");
		return 1;
	}
	for (i = 0; i < sizeof(one_vp_cases) / sizeof(one_vp_cases[0]); i++) {
		const struct bench_case *c = &one_vp_cases[i];
		struct vp *v = &vps[o.first];

		v->ring = strstr(c->name, "_uring") ? &ring : NULL;
		failed |= bench_measure(&o, side, c, mbs[o.first],
					v->ring ? run_uring : run_ioctl, v);
	}
	vps[o.first].ring = NULL;
	failed |= bench_multi(&o, side, &multi_uring_case, mbs, nvps,
			      multi_uring_phase, &nvps);
	for (i = 0; i < nvps; i++)
		ctxs[i] = &vps[i];
	failed |= bench_multi_threads(&o, side, &multi_threads_case, mbs,
				      run_ioctl, ctxs, nvps);
	io_uring_queue_exit(&ring);
	return failed ? 1 : 0;
}
