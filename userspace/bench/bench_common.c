// SPDX-License-Identifier: GPL-2.0
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "vtl0_setup.h"

#define PDE_2M		0xe3ULL	/* P RW A D PS */

/* The runner's round this process measures (-R): on every line it prints. */
static unsigned int bench_round;

int bench_parse_opts(int argc, char **argv, struct bench_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->reps = 3;
	o->vps = BENCH_MAX_VPS;
	o->warmup = ~0ULL;
	while ((c = getopt(argc, argv, "t:n:w:r:v:R:i:S:")) != -1) {
		switch (c) {
		case 't':
			o->tsc_hz = strtod(optarg, NULL);
			break;
		case 'n':
			o->iters = strtoull(optarg, NULL, 0);
			break;
		case 'w':
			o->warmup = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			o->reps = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			o->vps = strtoul(optarg, NULL, 0);
			break;
		case 'R':
			o->round = strtoul(optarg, NULL, 0);
			break;
		case 'i':
			o->first = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			o->side = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (o->tsc_hz <= 0 || !o->iters || !o->reps ||
	    o->reps > BENCH_MAX_REPS || !o->vps || o->vps > BENCH_MAX_VPS ||
	    o->first >= BENCH_MAX_VPS)
		goto usage;
	if (o->warmup == ~0ULL)
		o->warmup = o->iters / 10;
	bench_round = o->round;
	return 0;
usage:
	fprintf(stderr, "usage: %s -t TSC_HZ -n ITERS [-w WARMUP] [-r REPS (1..%d)] [-v VPS (1..%d)] [-R ROUND] [-i FIRST_VP] [-S SIDE]\n",
		argv[0], BENCH_MAX_REPS, BENCH_MAX_VPS);
	return -1;
}

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	void *buf = NULL;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && st.st_size > 0)
		buf = malloc(st.st_size);
	if (buf) {
		n = read(fd, buf, st.st_size);
		if (n != st.st_size) {
			free(buf);
			buf = NULL;
			errno = EIO;
		}
	}
	close(fd);
	*len = buf ? (size_t)st.st_size : 0;
	return buf;
}

int bench_prepare_mem(uint8_t *mem, uint64_t mem_size,
		      struct hcl_regs *regs, struct hcl_sregs *sregs)
{
	uint64_t *pd = (uint64_t *)(mem + HCL_GUEST_PML4_GPA + 2 * 4096);
	unsigned int i;
	size_t len;
	void *image;
	int ret;

	image = read_file(BENCH_GUEST_PATH, &len);
	if (!image) {
		perror(BENCH_GUEST_PATH);
		return -1;
	}
	ret = vtl0_setup_long_mode(mem, mem_size, HCL_GUEST_LOAD_GPA,
				   BENCH_STACK_TOP(0), regs, sregs);
	if (!ret)
		ret = vtl0_load_image(mem, mem_size, HCL_GUEST_LOAD_GPA, image,
				      len);
	free(image);
	if (ret) {
		perror("bench: preparing VTL0 memory");
		return -1;
	}
	/* the MMIO page: one more 2 MiB mapping in the only page directory */
	pd[BENCH_MMIO_GPA >> 21] = (BENCH_MMIO_GPA & ~((2ULL << 20) - 1)) |
				   PDE_2M;
	for (i = 0; i < BENCH_MAX_VPS; i++)
		memset(mem + BENCH_MAILBOX(i), 0, sizeof(struct bench_mailbox));
	return 0;
}

struct hcl_regs bench_vp_regs(const struct hcl_regs *base, unsigned int vp)
{
	struct hcl_regs r = *base;

	r.gprs[HCL_REG_RSP] = BENCH_STACK_TOP(vp);
	r.gprs[HCL_REG_RBX] = BENCH_MAILBOX(vp);
	return r;
}

static void cpuid_leaf(struct hcl_cpuid_entry *e, uint32_t leaf)
{
	memset(e, 0, sizeof(*e));
	e->function = leaf;
	__cpuid(leaf, e->eax, e->ebx, e->ecx, e->edx);
}

unsigned int bench_cpuid_table(struct hcl_cpuid_entry *e, unsigned int max)
{
	unsigned int n = 0;

	if (max < 7)
		return 0;
	cpuid_leaf(&e[n], 0);
	e[n++].eax = 1;
	cpuid_leaf(&e[n++], 1);
	cpuid_leaf(&e[n], 0x80000000);
	e[n++].eax = 0x80000008;
	cpuid_leaf(&e[n++], 0x80000001);
	cpuid_leaf(&e[n++], 0x80000008);
	memset(&e[n], 0, sizeof(e[n]));
	e[n].function = BENCH_CPUID_LEAF - 1;
	e[n].eax = BENCH_CPUID_LEAF;
	e[n].ebx = 0x62206c68;	/* "hl b" */
	e[n].ecx = 0x68636e65;	/* "ench" */
	e[n++].edx = 0;
	memset(&e[n], 0, sizeof(e[n]));
	e[n].function = BENCH_CPUID_LEAF;
	e[n].eax = 0x600dcafe;
	e[n++].edx = 0xbe4c;
	return n;
}

void bench_command(volatile struct bench_mailbox *mb, uint32_t kind,
		   uint32_t arg, uint64_t warmup, uint64_t iters)
{
	mb->kind = kind;
	mb->arg = arg;
	mb->warmup = warmup;
	mb->iters = iters;
	mb->tsc_start = 0;
	mb->tsc_end = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_result(const char *side, const struct bench_case *c,
		  uint64_t iters, double ns, double exits_per_sec,
		  unsigned int vps)
{
	printf("{\"side\":\"%s\",\"round\":%u,\"name\":\"%s\"", side,
	       bench_round, c->name);
	printf(",\"iterations\":%llu,\"ns\":%.1f", (unsigned long long)iters,
	       ns);
	if (exits_per_sec > 0)
		printf(",\"exits_per_sec\":%.0f,\"vps\":%u", exits_per_sec,
		       vps);
	if (c->compare)
		printf(",\"compare\":\"%s\"", c->compare);
	if (c->note)
		printf(",\"note\":\"%s\"", c->note);
	if (c->needs)
		printf(",\"needs\":\"%s\",\"without\":\"%s\"", c->needs,
		       c->without ? c->without : "");
	printf("}\n");
	fflush(stdout);
}

void bench_error(const char *side, const char *name, const char *fmt, ...)
{
	char msg[256], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* keep the line valid JSON */
	for (p = msg; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			*p = '\'';
	printf("{\"side\":\"%s\",\"round\":%u,\"name\":\"%s\",\"error\":\"%s\"}\n",
	       side, bench_round, name, msg);
	fflush(stdout);
}

static double tsc_ns(const struct bench_opts *o, uint64_t ticks)
{
	return (double)ticks * 1e9 / o->tsc_hz;
}

int bench_measure(const struct bench_opts *o, const char *side,
		  const struct bench_case *c, volatile struct bench_mailbox *mb,
		  bench_run_fn run, void *ctx)
{
	uint64_t exits, want, done, bad;
	double ns[BENCH_MAX_REPS];
	unsigned int r;

	want = c->user_exits * (o->warmup + o->iters);
	for (r = 0; r < o->reps; r++) {
		done = mb->done;
		bad = mb->bad;
		bench_command(mb, c->kind, c->arg, o->warmup, o->iters);
		exits = 0;
		if (run(ctx, &exits)) {
			bench_error(side, c->name, "the VP did not halt");
			return -1;
		}
		if (mb->done != done + 1 || mb->bad != bad) {
			bench_error(side, c->name, "the guest did not finish");
			return -1;
		}
		if (exits != want) {
			bench_error(side, c->name,
				    "%llu exits reached userspace, expected %llu",
				    (unsigned long long)exits,
				    (unsigned long long)want);
			return -1;
		}
		ns[r] = tsc_ns(o, mb->tsc_end - mb->tsc_start) / o->iters;
	}
	bench_result(side, c, o->iters, bench_median(ns, o->reps), 0, 1);
	return 0;
}

int bench_multi(const struct bench_opts *o, const char *side,
		const struct bench_case *c, volatile struct bench_mailbox **mbs,
		unsigned int n, bench_run_fn run_all, void *ctx)
{
	uint64_t want[BENCH_MAX_VPS], exits = 0, t0, t1;
	double eps[BENCH_MAX_REPS], rate;
	unsigned int i, p;

	for (i = 0; i < n; i++)
		want[i] = mbs[i]->done + o->reps + 1;
	/* phase 0 warms up, phases 1..reps are timed */
	for (p = 0; p <= o->reps; p++) {
		for (i = 0; i < n; i++)
			bench_command(mbs[i], c->kind, c->arg,
				      p ? 0 : o->warmup, p ? o->iters : 0);
		t0 = bench_now_ns();
		if (run_all(ctx, &exits)) {
			bench_error(side, c->name, "a VP did not halt");
			return -1;
		}
		t1 = bench_now_ns();
		if (p)
			eps[p - 1] = (double)n * o->iters * 1e9 / (t1 - t0);
	}
	for (i = 0; i < n; i++) {
		if (mbs[i]->done != want[i] || mbs[i]->bad) {
			bench_error(side, c->name, "a guest did not finish");
			return -1;
		}
	}
	if (exits != c->user_exits * n * (o->warmup + o->reps * o->iters)) {
		bench_error(side, c->name, "%llu exits reached userspace",
			    (unsigned long long)exits);
		return -1;
	}
	rate = bench_median(eps, o->reps);
	bench_result(side, c, o->iters, 1e9 / rate, rate, n);
	return 0;
}

/* ---- one thread per VP ---------------------------------------------- */

struct vp_threads;

struct vp_thread {
	pthread_t thread;
	struct vp_threads *all;
	bench_run_fn run;
	void *ctx;
	uint64_t exits;
	int err;
};

struct vp_threads {
	pthread_barrier_t start, end;
	struct vp_thread t[BENCH_MAX_VPS];
	unsigned int n;
	int stop;
};

/* Each phase: wait for the start, run the VP to its halt, report. */
static void *vp_thread_main(void *arg)
{
	struct vp_thread *t = arg;

	for (;;) {
		pthread_barrier_wait(&t->all->start);
		if (t->all->stop)
			return NULL;
		if (!t->err && t->run(t->ctx, &t->exits))
			t->err = 1;
		pthread_barrier_wait(&t->all->end);
	}
}

/* bench_run_fn for bench_multi: one phase on every thread. */
static int vp_threads_phase(void *ctx, uint64_t *user_exits)
{
	struct vp_threads *all = ctx;
	unsigned int i;
	int err = 0;

	for (i = 0; i < all->n; i++)
		all->t[i].exits = 0;
	pthread_barrier_wait(&all->start);
	pthread_barrier_wait(&all->end);
	for (i = 0; i < all->n; i++) {
		*user_exits += all->t[i].exits;
		err |= all->t[i].err;
	}
	return err ? -1 : 0;
}

int bench_multi_threads(const struct bench_opts *o, const char *side,
			const struct bench_case *c,
			volatile struct bench_mailbox **mbs, bench_run_fn run,
			void **ctxs, unsigned int n)
{
	struct vp_threads all = { .n = n };
	unsigned int i;
	int ret;

	pthread_barrier_init(&all.start, NULL, n + 1);
	pthread_barrier_init(&all.end, NULL, n + 1);
	for (i = 0; i < n; i++) {
		all.t[i].all = &all;
		all.t[i].run = run;
		all.t[i].ctx = ctxs[i];
		if (pthread_create(&all.t[i].thread, NULL, vp_thread_main,
				   &all.t[i])) {
			/* the started threads wait on the barrier until exit */
			bench_error(side, c->name, "cannot start the VP threads");
			exit(1);
		}
	}
	ret = bench_multi(o, side, c, mbs, n, vp_threads_phase, &all);
	all.stop = 1;
	pthread_barrier_wait(&all.start);
	for (i = 0; i < n; i++)
		pthread_join(all.t[i].thread, NULL);
	pthread_barrier_destroy(&all.start);
	pthread_barrier_destroy(&all.end);
	return ret;
}
