// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-uapi-fuzz: a fuzzer of hcl.ko's UAPI, run inside VTL2.
 *
 *   hcl-uapi-fuzz [--seed N] [--seconds S] [--threads T] [--watchdog W]
 *                 [--fail-alloc 1]
 *
 * The run is a series of epochs.  Each epoch is a process of its own
 * (its own process group) that opens /dev/hcl, lays out small VTL0
 * programs that end quickly (hlt, sti;hlt, cpuid, out, in, MMIO read and
 * write, a bounded spin, an endless spin, vmmcall, rdmsr/wrmsr, ud2) and
 * starts T threads issuing random operations on shared VP fds, run
 * pages and io_uring rings: every ioctl of linux/hcl.h, HCL_VP_RUN,
 * io_uring RUNs with random flags (IOSQE_ASYNC, linked, canceled), mmap
 * and munmap of the run page, close, dup, fork (the child goes on with
 * the inherited fds and is SIGKILLed at a random point) and ioctls with
 * wrong numbers or garbage.  Arguments are structurally valid most of the
 * time and random otherwise.  Some epochs are SIGKILLed from outside.
 *
 * Nothing may wedge: a ticker thread signals every worker every few
 * milliseconds (so a RUN, a halt or an io_uring wait ends with -EINTR),
 * io_uring waits have timeouts, forked children are killed and reaped
 * with deadlines, and the supervisor (this process) kills an epoch whose
 * operation count did not move for --watchdog seconds, printing the
 * state and kernel stack of each of its tasks.
 *
 * With --fail-alloc 1 each epoch's workers mark themselves for the
 * kernel's fault injection (/proc/thread-self/make-it-fail), so that
 * failslab (set up by the caller, with its task filter) fails
 * allocations in what its threads and children make hcl.ko do.
 *
 * After each epoch and at the end /dev/hcl must open again: the partition
 * was released.  Output is TAP; per-operation counts and errno
 * histograms are printed as comments.  The seed (printed first) fixes
 * every random choice; thread interleavings are not reproducible.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vtl0_setup.h"
#include "vtl0_test_abi.h"
#include "vp_ring.h"
#include "test_rng.h"

#define CODE_GPA	HCL_GUEST_LOAD_GPA
#define MEM_MAX		(64ULL << 20)
#define MAX_THREADS	32
#define NR_VP_SLOTS	8
#define NR_RINGS	3
#define NR_EFDS		4
#define MAX_ERRNO	134
#define TICK_US		5000

/* ---- operations and their statistics (shared by every process) ----- */

#define OPS(X)								\
	X(open_hcl) X(get_info) X(create_vp) X(add_range) X(del_range)	\
	X(create_irqchip) X(irq_line) X(irqfd) X(get_regs) X(set_regs)	\
	X(get_sregs) X(set_sregs) X(set_cpuid) X(get_msrs) X(set_msrs)	\
	X(set_msr_policy) X(interrupt) X(get_debugregs)			\
	X(set_debugregs) X(run) X(mmap_run) X(answer_exit)		\
	X(immediate_exit) X(ring_submit) X(ring_reap) X(ring_cancel)	\
	X(ring_close) X(close_vp) X(dup_vp) X(close_hcl) X(fork)	\
	X(bad_ioctl) X(ring_cqe) X(epoch_kill) X(child_kill)

#define OP_ENUM(n) OP_##n,
enum { OPS(OP_ENUM) NR_OPS };
#define OP_NAME(n) #n,
static const char *const op_names[] = { OPS(OP_NAME) };

struct stats {
	uint64_t progress;
	uint64_t count[NR_OPS];
	uint64_t err[NR_OPS][MAX_ERRNO + 1];	/* [0]: success */
	int stuck;				/* a child never went away */
};

static struct stats *stats;

/* Records the outcome of @op: @ret < 0 means failure with errno @e. */
static void note(int op, long ret, int e)
{
	int slot = ret < 0 ? (e > 0 && e < MAX_ERRNO ? e : MAX_ERRNO) : 0;

	__atomic_add_fetch(&stats->count[op], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&stats->err[op][slot], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&stats->progress, 1, __ATOMIC_RELAXED);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- the guest programs --------------------------------------------- */

enum {
	P_HLT, P_STI_HLT, P_CPUID, P_OUT, P_IN, P_MMIO_RD, P_MMIO_WR,
	P_SPIN_SHORT, P_SPIN_FOREVER, P_VMMCALL, P_RDMSR, P_WRMSR, P_UD2,
	P_PAUSE, NR_PROGS
};

#define PROG_GPA(p)	(CODE_GPA + (p) * 0x40ULL)
#define TEST_PORT	0x70

static uint64_t mmio_gpa;	/* an MMIO address the guest maps */

static void put_prog(uint8_t *mem, int p, const uint8_t *code, size_t len)
{
	memcpy(mem + PROG_GPA(p), code, len);
}

static void put_abs(uint8_t *mem, int p, const uint8_t *op, uint64_t addr)
{
	uint8_t code[12];

	memcpy(code, op, 2);
	memcpy(code + 2, &addr, 8);
	code[10] = 0xf4;
	put_prog(mem, p, code, 11);
}

static void load_programs(uint8_t *mem, uint64_t mem_size)
{
	static const uint8_t hlt[] = { 0xf4 };
	static const uint8_t sti_hlt[] = { 0xfb, 0xf4 };
	static const uint8_t cpuid[] = { 0x0f, 0xa2, 0xf4 };
	static const uint8_t out[] = { 0xe6, TEST_PORT, 0xf4 };
	static const uint8_t in[] = { 0xe4, TEST_PORT + 1, 0xf4 };
	static const uint8_t rd[] = { 0x48, 0xa1 };	/* mov rax, [abs] */
	static const uint8_t wr[] = { 0x48, 0xa3 };	/* mov [abs], rax */
	/* mov ecx, 20000; 1: dec ecx; jnz 1b; hlt */
	static const uint8_t spin[] = {
		0xb9, 0x20, 0x4e, 0x00, 0x00, 0xff, 0xc9, 0x75, 0xfc, 0xf4,
	};
	static const uint8_t forever[] = { 0xeb, 0xfe };
	static const uint8_t vmmcall[] = { 0x0f, 0x01, 0xd9, 0xf4 };
	static const uint8_t rdmsr[] = { 0x0f, 0x32, 0xf4 };
	static const uint8_t wrmsr[] = { 0x0f, 0x30, 0xf4 };
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	/* mov ecx, 2000; 1: pause; dec ecx; jnz 1b; hlt */
	static const uint8_t pause[] = {
		0xb9, 0xd0, 0x07, 0x00, 0x00, 0xf3, 0x90, 0xff, 0xc9, 0x75,
		0xfa, 0xf4,
	};
	uint64_t *pd = (uint64_t *)(mem + HCL_GUEST_PML4_GPA + 0x2000);

	mmio_gpa = (mem_size + SZ_2M - 1) & ~(SZ_2M - 1);
	if (mmio_gpa < VTL0_MAP_MAX)
		pd[mmio_gpa >> 21] = mmio_gpa | 0xe3;
	put_prog(mem, P_HLT, hlt, sizeof(hlt));
	put_prog(mem, P_STI_HLT, sti_hlt, sizeof(sti_hlt));
	put_prog(mem, P_CPUID, cpuid, sizeof(cpuid));
	put_prog(mem, P_OUT, out, sizeof(out));
	put_prog(mem, P_IN, in, sizeof(in));
	put_abs(mem, P_MMIO_RD, rd, mmio_gpa + 0x10);
	put_abs(mem, P_MMIO_WR, wr, mmio_gpa + 0x18);
	put_prog(mem, P_SPIN_SHORT, spin, sizeof(spin));
	put_prog(mem, P_SPIN_FOREVER, forever, sizeof(forever));
	put_prog(mem, P_VMMCALL, vmmcall, sizeof(vmmcall));
	put_prog(mem, P_RDMSR, rdmsr, sizeof(rdmsr));
	put_prog(mem, P_WRMSR, wrmsr, sizeof(wrmsr));
	put_prog(mem, P_UD2, ud2, sizeof(ud2));
	put_prog(mem, P_PAUSE, pause, sizeof(pause));
}

static const uint32_t msr_list[] = {
	0x10, 0x1b, 0x3a, 0x174, 0x175, 0x176, 0x1d9, 0x277, 0x6e0, 0x802,
	0x808, 0x80b, 0x80f, 0x830, 0x838, 0xc0000080, 0xc0000081,
	0xc0000082, 0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101,
	0xc0000102, 0xc0000103, 0x4b564d00, 0x4b564d01, 0x11, 0x12,
	0x40000000, 0xdeadbeef, 0xc0010000, 0x8b,
};

static uint32_t some_msr(struct rng *r)
{
	if (one_in(r, 8))
		return (uint32_t)rnd(r);
	return msr_list[below(r, sizeof(msr_list) / sizeof(msr_list[0]))];
}

/* a value that is mostly small or all ones, sometimes anything */
static uint64_t some_value(struct rng *r)
{
	switch (below(r, 4)) {
	case 0:
		return below(r, 0x100);
	case 1:
		return ~0ULL;
	case 2:
		return 1ULL << below(r, 64);
	default:
		return rnd(r);
	}
}

/* ---- the epoch's shared state --------------------------------------- */

struct ring_slot {
	pthread_mutex_t lock;
	struct io_uring ring;
	int live;
	uint64_t next_tag;
};

static struct {
	int fd;				/* the partition, or -1 */
	uint8_t *mem;
	uint64_t mem_size;
	uint32_t max_vps;
	int irqchip;
	struct hcl_regs regs;		/* the long-mode start */
	struct hcl_sregs sregs;
	int vp[NR_VP_SLOTS];		/* VP fds (-1: none) */
	struct hcl_run *run[NR_VP_SLOTS];	/* never unmapped in the epoch */
	int efd[NR_EFDS];
	struct ring_slot ring[NR_RINGS];
	uint64_t deadline, span;
	uint64_t seed, epoch;
	int nthreads;
	pthread_t threads[MAX_THREADS];
	volatile int stop;
} w;

static void on_tick(int sig)
{
	(void)sig;
}

static int take_fd(int *slot)
{
	return __atomic_exchange_n(slot, -1, __ATOMIC_ACQ_REL);
}

static int load_fd(int *slot)
{
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

/* Publishes @fd in @slot; a displaced fd is closed. */
static void put_fd(int *slot, int fd)
{
	int old = __atomic_exchange_n(slot, fd, __ATOMIC_ACQ_REL);

	if (old >= 0)
		close(old);
}

static struct hcl_run *map_run(int vp)
{
	void *p = mmap(NULL, HCL_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vp, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* ---- the operations --------------------------------------------------- */

/* a VP fd, mostly one that is open: its slot in @slot */
static int pick_vp(struct rng *r, int *slot)
{
	int fd = -1;

	for (int i = 0; i < 4 && fd < 0; i++) {
		*slot = below(r, NR_VP_SLOTS);
		fd = load_fd(&w.vp[*slot]);
		if (one_in(r, 20))
			break;
	}
	return fd;
}

static void op_create_vp(struct rng *r)
{
	struct hcl_create_vp c = { 0 };
	int fd = load_fd(&w.fd), vp, slot;

	c.vp_index = one_in(r, 10) ? below(r, 1000) : below(r, w.max_vps + 1);
	if (one_in(r, 6))
		c.flags = HCL_CREATE_VP_WAIT_SIPI;
	if (one_in(r, 20))
		c.flags = (uint32_t)rnd(r);
	if (one_in(r, 20))
		c.reserved[below(r, 3)] = 1;
	vp = ioctl(fd, HCL_CREATE_VP, &c);
	note(OP_create_vp, vp, errno);
	if (vp < 0)
		return;
	slot = below(r, NR_VP_SLOTS);
	/*
	 * The run page mapping stays for the epoch: other threads may be
	 * writing to the one it replaces.
	 */
	__atomic_store_n(&w.run[slot], map_run(vp), __ATOMIC_RELEASE);
	put_fd(&w.vp[slot], vp);
}

static void fill_range(struct rng *r, struct hcl_range *rg)
{
	memset(rg, 0, sizeof(*rg));
	rg->space = below(r, 2);
	rg->kind = one_in(r, 3) ? HCL_RANGE_DOORBELL : HCL_RANGE_USER;
	if (rg->kind == HCL_RANGE_DOORBELL)
		rg->eventfd = load_fd(&w.efd[below(r, NR_EFDS)]);
	if (rg->space == HCL_RANGE_PIO) {
		rg->start = one_in(r, 2) ? TEST_PORT : below(r, 0x10000);
		rg->len = 1 + below(r, 4);
	} else {
		rg->start = one_in(r, 2) ? mmio_gpa : below(r, 1 << 20) * 4096ULL;
		rg->len = 0x1000 * (1 + below(r, 2));
	}
	if (one_in(r, 20))
		rg->space = below(r, 256);
	if (one_in(r, 20))
		rg->pad = 1;
	if (one_in(r, 20))
		rg->reserved[below(r, 2)] = rnd(r);
	if (one_in(r, 20))
		rg->len = rnd(r);
}

static void op_range(struct rng *r, int add)
{
	struct hcl_range rg;
	int ret;

	fill_range(r, &rg);
	ret = ioctl(load_fd(&w.fd), add ? HCL_ADD_RANGE : HCL_DEL_RANGE, &rg);
	note(add ? OP_add_range : OP_del_range, ret, errno);
}

static void op_irqfd(struct rng *r)
{
	struct hcl_irqfd f = { 0 };
	int ret;

	f.fd = load_fd(&w.efd[below(r, NR_EFDS)]);
	f.gsi = one_in(r, 10) ? below(r, 100) : below(r, HCL_IOAPIC_PINS);
	switch (below(r, 3)) {
	case 0:
		break;
	case 1:
		f.flags = HCL_IRQFD_DEASSIGN;
		break;
	default:
		f.flags = HCL_IRQFD_RESAMPLE;
		f.resamplefd = load_fd(&w.efd[below(r, NR_EFDS)]);
	}
	if (one_in(r, 20))
		f.reserved[below(r, 2)] = 1;
	ret = ioctl(load_fd(&w.fd), HCL_IRQFD, &f);
	note(OP_irqfd, ret, errno);
	if (one_in(r, 4)) {
		/* signal one, or replace it under a binding */
		int i = below(r, NR_EFDS);

		if (one_in(r, 3))
			put_fd(&w.efd[i], eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
		else if (eventfd_write(load_fd(&w.efd[i]), 1))
			(void)0;
	}
}

static void random_regs(struct rng *r, struct hcl_regs *regs)
{
	int p = below(r, NR_PROGS);

	*regs = w.regs;
	if (p == P_SPIN_FOREVER && !one_in(r, 4))
		p = P_HLT;
	regs->rip = PROG_GPA(p);
	regs->rflags = one_in(r, 2) ? 0x202 : 0x2;
	switch (p) {
	case P_CPUID:
		regs->gprs[HCL_REG_RAX] = one_in(r, 2) ? below(r, 0x20) :
			0x40000000 + below(r, 4);
		regs->gprs[HCL_REG_RCX] = below(r, 4);
		break;
	case P_VMMCALL:
		regs->gprs[HCL_REG_RAX] = below(r, 4);
		break;
	case P_RDMSR:
	case P_WRMSR:
		regs->gprs[HCL_REG_RCX] = some_msr(r);
		regs->gprs[HCL_REG_RAX] = some_value(r) & 0xffffffff;
		regs->gprs[HCL_REG_RDX] = some_value(r) & 0xffffffff;
		break;
	default:
		regs->gprs[HCL_REG_RAX] = rnd(r);
	}
	if (one_in(r, 30))
		regs->rflags = rnd(r);
	if (one_in(r, 30))
		regs->reserved[below(r, 2)] = 1;
	if (one_in(r, 30))
		regs->rip = rnd(r);
}

static void flip_bit(struct rng *r, void *obj, size_t size)
{
	size_t bit = below(r, size * 8);

	((uint8_t *)obj)[bit / 8] ^= 1 << (bit % 8);
}

static void op_vp_state(struct rng *r, int op)
{
	int slot, vp = pick_vp(r, &slot), ret = 0;
	struct hcl_regs regs;
	struct hcl_sregs sregs;
	struct hcl_debugregs dr;

	switch (op) {
	case OP_get_regs:
		ret = ioctl(vp, HCL_VP_GET_REGS, &regs);
		break;
	case OP_set_regs:
		random_regs(r, &regs);
		ret = ioctl(vp, HCL_VP_SET_REGS, &regs);
		break;
	case OP_get_sregs:
		ret = ioctl(vp, HCL_VP_GET_SREGS, &sregs);
		break;
	case OP_set_sregs:
		sregs = w.sregs;
		if (one_in(r, 4))
			flip_bit(r, &sregs, sizeof(sregs));
		ret = ioctl(vp, HCL_VP_SET_SREGS, &sregs);
		break;
	case OP_get_debugregs:
		ret = ioctl(vp, HCL_VP_GET_DEBUGREGS, &dr);
		break;
	case OP_set_debugregs:
		memset(&dr, 0, sizeof(dr));
		for (int i = 0; i < 4; i++)
			dr.db[i] = one_in(r, 2) ? PROG_GPA(below(r, NR_PROGS)) :
				some_value(r);
		dr.dr6 = 0xffff0ff0 | (rnd(r) & 0xf);
		dr.dr7 = (rnd(r) & 0xffff03ff) | 0x400;
		if (one_in(r, 10))
			dr.dr6 = rnd(r);
		if (one_in(r, 10))
			dr.dr7 = rnd(r);
		if (one_in(r, 20))
			dr.reserved[below(r, 2)] = 1;
		ret = ioctl(vp, HCL_VP_SET_DEBUGREGS, &dr);
		break;
	}
	note(op, ret, errno);
}

static void op_set_cpuid(struct rng *r)
{
	struct hcl_cpuid_entry e[8];
	struct hcl_cpuid c = { 0 };
	int slot, vp = pick_vp(r, &slot), ret;

	c.nent = below(r, 9);
	for (unsigned int i = 0; i < c.nent; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].function = one_in(r, 2) ? i : 0x40000000 + i;
		e[i].flags = one_in(r, 4) ? HCL_CPUID_F_INDEX : 0;
		e[i].index = e[i].flags ? below(r, 3) : 0;
		e[i].eax = rnd(r);
		e[i].ebx = rnd(r);
		e[i].ecx = rnd(r);
		e[i].edx = rnd(r);
		if (one_in(r, 30))
			e[i].function = e[0].function;
		if (one_in(r, 30))
			e[i].reserved = 1;
	}
	c.entries = (uintptr_t)e;
	if (one_in(r, 30))
		c.nent = rnd(r);
	if (one_in(r, 30))
		c.entries = rnd(r);
	if (one_in(r, 30))
		c.flags = 1;
	ret = ioctl(vp, HCL_VP_SET_CPUID, &c);
	note(OP_set_cpuid, ret, errno);
}

static void op_msrs(struct rng *r, int set)
{
	struct hcl_msr_entry e[8];
	struct hcl_msrs m = { 0 };
	int slot, vp = pick_vp(r, &slot), ret;

	m.nmsrs = below(r, 9);
	for (unsigned int i = 0; i < m.nmsrs; i++) {
		e[i].index = some_msr(r);
		e[i].reserved = one_in(r, 30);
		e[i].data = some_value(r);
	}
	m.entries = (uintptr_t)e;
	if (one_in(r, 30))
		m.nmsrs = rnd(r);
	if (one_in(r, 30))
		m.entries = rnd(r);
	ret = ioctl(vp, set ? HCL_VP_SET_MSRS : HCL_VP_GET_MSRS, &m);
	note(set ? OP_set_msrs : OP_get_msrs, ret, errno);
}

static void op_msr_policy(struct rng *r)
{
	struct hcl_msr_rule rules[8];
	struct hcl_msr_policy p = { 0 };
	int slot, vp = pick_vp(r, &slot), ret;

	p.nrules = below(r, 9);
	p.default_action = below(r, 2);
	for (unsigned int i = 0; i < p.nrules; i++) {
		memset(&rules[i], 0, sizeof(rules[i]));
		rules[i].index = some_msr(r);
		rules[i].action = below(r, 3);
		rules[i].value = some_value(r);
		rules[i].writable = some_value(r);
		if (one_in(r, 30))
			rules[i].reserved = 1;
	}
	p.rules = (uintptr_t)rules;
	if (one_in(r, 30))
		p.default_action = rnd(r);
	if (one_in(r, 30))
		p.nrules = rnd(r);
	ret = ioctl(vp, HCL_VP_SET_MSR_POLICY, &p);
	note(OP_set_msr_policy, ret, errno);
}

static void op_interrupt(struct rng *r)
{
	struct hcl_interrupt in = { 0 };
	int slot, vp = pick_vp(r, &slot), ret;

	in.type = one_in(r, 3) ? HCL_INTR_NMI : HCL_INTR_FIXED;
	in.vector = in.type == HCL_INTR_NMI ? 0 : 16 + below(r, 240);
	if (one_in(r, 20))
		in.vector = below(r, 300);
	if (one_in(r, 30))
		in.type = rnd(r);
	ret = ioctl(vp, HCL_VP_INTERRUPT, &in);
	note(OP_interrupt, ret, errno);
}

/* Answers whatever exit the run page shows, with random data. */
static void answer(struct rng *r, struct hcl_run *run)
{
	if (!run)
		return;
	run->io.data = rnd(r);	/* io, mmio and msr data overlap loosely */
	run->mmio.data = rnd(r);
	run->msr.error = one_in(r, 4);
	run->msr.data = some_value(r);
	run->hypercall.ret = rnd(r);
}

static void op_run(struct rng *r)
{
	int slot, vp = pick_vp(r, &slot), ret;
	struct hcl_run *run = __atomic_load_n(&w.run[slot], __ATOMIC_ACQUIRE);

	if (one_in(r, 3))
		answer(r, run);
	ret = ioctl(vp, HCL_VP_RUN, 0);
	note(OP_run, ret, errno);
}

static void op_mmap_run(struct rng *r)
{
	int slot, vp = pick_vp(r, &slot);
	struct hcl_run *run;
	void *p;

	/* random offsets and sizes now and then */
	if (one_in(r, 8)) {
		p = mmap(NULL, HCL_RUN_SIZE * (1 + below(r, 2)),
			 PROT_READ | PROT_WRITE, MAP_SHARED, vp,
			 HCL_RUN_SIZE * below(r, 2));
		note(OP_mmap_run, p == MAP_FAILED ? -1 : 0, errno);
		if (p != MAP_FAILED)
			munmap(p, HCL_RUN_SIZE);
		return;
	}
	run = map_run(vp);
	note(OP_mmap_run, run ? 0 : -1, errno);
	if (!run)
		return;
	answer(r, run);
	if (one_in(r, 4))
		run->immediate_exit = below(r, 2);
	(void)*(volatile uint32_t *)&run->exit_reason;
	munmap(run, HCL_RUN_SIZE);
}

static void op_immediate_exit(struct rng *r)
{
	int slot = below(r, NR_VP_SLOTS);
	struct hcl_run *run = __atomic_load_n(&w.run[slot], __ATOMIC_ACQUIRE);

	if (run)
		__atomic_store_n(&run->immediate_exit, below(r, 2),
				 __ATOMIC_RELEASE);
	note(OP_immediate_exit, run ? 0 : -1, ENOENT);
}

/* ---- io_uring ------------------------------------------------------- */

/* Counts the completions @ring has; with @wait, waits up to 10 ms. */
static void reap(struct io_uring *ring, int wait)
{
	struct __kernel_timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	struct io_uring_cqe *cqe;
	int n = 0;

	if (wait && !io_uring_wait_cqe_timeout(ring, &cqe, &ts))
		(void)0;
	while (n++ < 64 && !io_uring_peek_cqe(ring, &cqe)) {
		note(OP_ring_cqe, cqe->res, -cqe->res);
		io_uring_cqe_seen(ring, cqe);
	}
}

static int ring_ready(struct ring_slot *rs)
{
	if (!rs->live) {
		if (io_uring_queue_init(32, &rs->ring, 0))
			return 0;
		rs->live = 1;
	}
	return 1;
}

/* Queues RUNs (maybe linked, maybe ASYNC) and submits them. */
static int submit_runs(struct rng *r, struct io_uring *ring, uint64_t *tag)
{
	int n = 1 + (one_in(r, 3) ? below(r, 3) : 0), queued = 0, ret;

	for (int i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		int slot, vp = pick_vp(r, &slot);
		struct hcl_run *run = __atomic_load_n(&w.run[slot],
						      __ATOMIC_ACQUIRE);

		if (!sqe)
			break;
		if (one_in(r, 3))
			answer(r, run);
		if (one_in(r, 8) && run)
			run->immediate_exit = 1;
		if (one_in(r, 10)) {
			io_uring_prep_nop(sqe);
			sqe->user_data = ++*tag;
		} else {
			hcl_prep_run(sqe, vp, ++*tag);
		}
		if (one_in(r, 30))
			sqe->cmd[below(r, 16)] = 1;
		if (one_in(r, 2))
			sqe->flags |= IOSQE_ASYNC;
		if (i + 1 < n && one_in(r, 2))
			sqe->flags |= one_in(r, 3) ? IOSQE_IO_HARDLINK :
				IOSQE_IO_LINK;
		queued++;
	}
	if (one_in(r, 5)) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		if (sqe) {
			if (one_in(r, 2))
				io_uring_prep_cancel64(sqe, *tag - below(r, 2),
						       0);
			else
				io_uring_prep_cancel(sqe, NULL,
						     IORING_ASYNC_CANCEL_ANY);
			sqe->user_data = ++*tag;
			queued++;
		}
	}
	ret = io_uring_submit(ring);
	return ret < 0 ? ret : (queued ? 0 : -EBUSY);
}

static void op_ring(struct rng *r, int op)
{
	struct ring_slot *rs = &w.ring[below(r, NR_RINGS)];
	int ret = 0;

	pthread_mutex_lock(&rs->lock);
	switch (op) {
	case OP_ring_submit:
		if (!ring_ready(rs)) {
			ret = -ENOMEM;
			break;
		}
		reap(&rs->ring, 0);
		ret = submit_runs(r, &rs->ring, &rs->next_tag);
		break;
	case OP_ring_reap:
		if (rs->live)
			reap(&rs->ring, 1);
		break;
	case OP_ring_cancel:
		if (rs->live) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&rs->ring);

			if (sqe) {
				io_uring_prep_cancel(sqe, NULL,
						     IORING_ASYNC_CANCEL_ANY |
						     IORING_ASYNC_CANCEL_ALL);
				sqe->user_data = ++rs->next_tag;
				ret = io_uring_submit(&rs->ring);
			}
		}
		break;
	case OP_ring_close:
		if (rs->live) {
			io_uring_queue_exit(&rs->ring);
			rs->live = 0;
		}
		break;
	}
	pthread_mutex_unlock(&rs->lock);
	note(op, ret < 0 ? -1 : 0, -ret);
}

/* ---- fd life cycle, fork, garbage ----------------------------------- */

static void op_close_vp(struct rng *r)
{
	int fd = take_fd(&w.vp[below(r, NR_VP_SLOTS)]);

	note(OP_close_vp, fd < 0 ? -1 : close(fd), EBADF);
}

static void op_dup_vp(struct rng *r)
{
	int slot, vp = pick_vp(r, &slot), nfd = dup(vp);

	note(OP_dup_vp, nfd, errno);
	if (nfd >= 0)
		put_fd(&w.vp[below(r, NR_VP_SLOTS)], nfd);
}

static void op_close_hcl(struct rng *r)
{
	int fd;

	(void)r;
	fd = take_fd(&w.fd);
	note(OP_close_hcl, fd < 0 ? -1 : close(fd), EBADF);
}

static void op_open_hcl(struct rng *r)
{
	int fd = open("/dev/hcl", O_RDWR | O_CLOEXEC);

	note(OP_open_hcl, fd, errno);
	if (fd < 0)
		return;
	if (one_in(r, 2))
		close(fd);
	else
		put_fd(&w.fd, fd);
}

static void op_bad_ioctl(struct rng *r)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	uint64_t buf[64] = { 0 };
	unsigned long cmd;
	int fd, slot, ret;

	fd = one_in(r, 2) ? load_fd(&w.fd) : pick_vp(r, &slot);
	if (one_in(r, 2))
		for (int i = 0; i < 64; i++)
			buf[i] = rnd(r);
	cmd = _IOC(dirs[below(r, 4)], one_in(r, 8) ? below(r, 256) :
		   HCL_IOCTL_TYPE, below(r, 0x48), below(r, 160));
	if (_IOC_NR(cmd) == _IOC_NR(HCL_VP_RUN) ||
	    _IOC_NR(cmd) == _IOC_NR(HCL_URING_CMD_RUN))
		cmd = HCL_GET_INFO + 0x100;
	ret = ioctl(fd, cmd, one_in(r, 10) ? (void *)(uintptr_t)rnd(r) : buf);
	note(OP_bad_ioctl, ret, errno);
}

static void one_op(struct rng *r, int in_child);

/*
 * How long a killed child may take to go away: a third of --watchdog (5 s
 * by default), which the debug kernel's runs raise with it.
 */
static uint64_t child_reap_ns = 5000000000ULL;

/*
 * A child with the epoch's fds: it runs random operations (its own ring,
 * no locks the parent's threads may hold) and is SIGKILLed at a random
 * point or ends by itself.  Reaped with a deadline: a child that cannot
 * be reaped is what this fuzzer exists to find.
 */
static void op_fork(struct rng *r)
{
	uint64_t seed = rnd(r), until;
	int status, killed = 0;
	pid_t pid;

	pid = fork();
	note(OP_fork, pid, errno);
	if (pid < 0)
		return;
	if (pid == 0) {
		struct itimerval it = {
			.it_interval = { .tv_usec = TICK_US },
			.it_value = { .tv_usec = TICK_US },
		};
		struct rng cr;
		uint64_t end = now_ns() + below(r, 300) * 1000000ULL;

		rng_init(&cr, seed, 1, 2);
		for (int i = 0; i < NR_RINGS; i++)
			w.ring[i].live = 0;	/* the parent's, not ours */
		setitimer(ITIMER_REAL, &it, NULL);
		while (now_ns() < end)
			one_op(&cr, 1);
		_exit(0);
	}
	if (one_in(r, 2)) {
		usleep(below(r, 100000));
		kill(pid, SIGKILL);
		killed = 1;
		note(OP_child_kill, 0, 0);
	}
	until = now_ns() + child_reap_ns;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ns() > until) {
			if (killed) {
				__atomic_store_n(&stats->stuck, pid,
						 __ATOMIC_RELEASE);
				return;
			}
			kill(pid, SIGKILL);
			killed = 1;
			until = now_ns() + child_reap_ns;
		}
		usleep(1000);
	}
}

static void one_op(struct rng *r, int in_child)
{
	static __thread struct ring_slot child_ring;
	unsigned int pick = below(r, 100);

	if (in_child && pick >= 60 && pick < 75) {
		/* the child's own ring: RUNs canceled by its death */
		if (!child_ring.live && !io_uring_queue_init(8, &child_ring.ring,
							     0))
			child_ring.live = 1;
		if (child_ring.live) {
			int ret = submit_runs(r, &child_ring.ring,
					      &child_ring.next_tag);

			note(OP_ring_submit, ret < 0 ? -1 : 0, -ret);
			reap(&child_ring.ring, one_in(r, 2));
		}
		return;
	}
	if (pick < 3)
		op_create_vp(r);
	else if (pick < 5)
		op_range(r, 1);
	else if (pick < 6)
		op_range(r, 0);
	else if (pick < 7) {
		struct hcl_create_irqchip c = { 0 };
		int ret;

		if (one_in(r, 10))
			c.flags = 1;
		ret = ioctl(load_fd(&w.fd), HCL_CREATE_IRQCHIP, &c);
		note(OP_create_irqchip, ret, errno);
	} else if (pick < 9) {
		struct hcl_irq_line l = {
			.gsi = below(r, HCL_IOAPIC_PINS + 1),
			.level = below(r, 3) ? below(r, 2) : 2,
		};
		int ret = ioctl(load_fd(&w.fd), HCL_IRQ_LINE, &l);

		note(OP_irq_line, ret, errno);
	} else if (pick < 11)
		op_irqfd(r);
	else if (pick < 15)
		op_vp_state(r, OP_get_regs);
	else if (pick < 20)
		op_vp_state(r, OP_set_regs);
	else if (pick < 22)
		op_vp_state(r, OP_get_sregs);
	else if (pick < 25)
		op_vp_state(r, OP_set_sregs);
	else if (pick < 26)
		op_vp_state(r, OP_get_debugregs);
	else if (pick < 27)
		op_vp_state(r, OP_set_debugregs);
	else if (pick < 29)
		op_set_cpuid(r);
	else if (pick < 30)
		op_msrs(r, 0);
	else if (pick < 31)
		op_msrs(r, 1);
	else if (pick < 33)
		op_msr_policy(r);
	else if (pick < 37)
		op_interrupt(r);
	else if (pick < 45)
		op_run(r);
	else if (pick < 48)
		op_mmap_run(r);
	else if (pick < 50) {
		int slot = below(r, NR_VP_SLOTS);

		answer(r, __atomic_load_n(&w.run[slot], __ATOMIC_ACQUIRE));
		note(OP_answer_exit, 0, 0);
	} else if (pick < 53)
		op_immediate_exit(r);
	else if (in_child || pick >= 75)
		;	/* below */
	else if (pick < 65)
		op_ring(r, OP_ring_submit);
	else if (pick < 70)
		op_ring(r, OP_ring_reap);
	else if (pick < 72)
		op_ring(r, OP_ring_cancel);
	else
		op_ring(r, OP_ring_close);
	if (pick < 75)
		return;
	if (pick < 77)
		op_close_vp(r);
	else if (pick < 81)
		op_dup_vp(r);
	else if (pick < 82) {
		/* late in the epoch: no partition fd means no new VPs */
		if (now_ns() + w.span / 4 > w.deadline || in_child)
			op_close_hcl(r);
	} else if (pick < 84)
		op_open_hcl(r);
	else if (pick < 86) {
		struct hcl_info info;
		int ret = ioctl(load_fd(&w.fd), HCL_GET_INFO, &info);

		note(OP_get_info, ret, errno);
	} else if (pick < 88) {
		if (!in_child && one_in(r, 3))
			op_fork(r);
	} else
		op_bad_ioctl(r);
}

/* ---- an epoch ----------------------------------------------------------- */

struct worker {
	int id;
};

/* --fail-alloc: the epochs' workers are fault injection's targets */
static int fail_alloc;

/*
 * Marks this thread (and what it forks) for failslab's task filter.  The
 * workers mark themselves: the epoch's setup and thread creation are
 * spared, so that an epoch always starts.
 */
static void mark_fail_alloc(void)
{
	int fd = open("/proc/thread-self/make-it-fail", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, "1", 1) != 1)
		printf("# epoch %llu: make-it-fail: %s\n",
		       (unsigned long long)w.epoch, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct rng r;

	if (fail_alloc)
		mark_fail_alloc();
	rng_init(&r, w.seed, w.epoch, wk->id + 1);
	while (!w.stop && now_ns() < w.deadline)
		one_op(&r, 0);
	return NULL;
}

/*
 * Signals every worker often: no HCL_VP_RUN, halt or wait outlives a
 * tick.  A RUN that went to a VP's kernel thread is not ended by signals,
 * nor by IORING_OP_ASYNC_CANCEL (that reaches io-wq, poll and timeout
 * requests, not a parked uring_cmd), and while it runs (an endless spin)
 * register ioctls on its VP wait for it: every CLOSE_TICKS the ticker
 * closes the rings, whose teardown cancels their RUNs.
 */
#define CLOSE_TICKS	40

static void *ticker_main(void *arg)
{
	unsigned int n = 0;

	(void)arg;
	while (!w.stop) {
		usleep(TICK_US);
		for (int i = 0; i < w.nthreads; i++)
			pthread_kill(w.threads[i], SIGUSR1);
		if (++n % CLOSE_TICKS)
			continue;
		for (int i = 0; i < NR_RINGS; i++) {
			struct ring_slot *rs = &w.ring[i];

			if (pthread_mutex_trylock(&rs->lock))
				continue;
			if (rs->live) {
				io_uring_queue_exit(&rs->ring);
				rs->live = 0;
				note(OP_ring_close, 0, 0);
			}
			pthread_mutex_unlock(&rs->lock);
		}
	}
	return NULL;
}

static int open_hcl_wait(uint64_t ms)
{
	uint64_t until = now_ns() + ms * 1000000ULL;
	int fd;

	do {
		fd = open("/dev/hcl", O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != EBUSY)
			return fd;
		usleep(10000);
	} while (now_ns() < until);
	return -1;
}

/* the test port, claimed for user exits */
static int add_pio_claim(void)
{
	struct hcl_range rg = {
		.space = HCL_RANGE_PIO, .kind = HCL_RANGE_USER,
		.start = TEST_PORT, .len = 2,
	};

	return ioctl(w.fd, HCL_ADD_RANGE, &rg);
}

static void __attribute__((noreturn)) epoch_main(uint64_t seed,
						 uint64_t epoch,
						 int threads, uint64_t ms)
{
	struct sigaction sa = { .sa_handler = on_tick };	/* no SA_RESTART */
	struct worker wk[MAX_THREADS];
	struct hcl_info info;
	pthread_t ticker;
	struct rng r;

	setpgid(0, 0);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	rng_init(&r, seed, epoch, 0);
	w.seed = seed;
	w.epoch = epoch;
	w.fd = open_hcl_wait(5000);
	if (w.fd < 0 || ioctl(w.fd, HCL_GET_INFO, &info)) {
		printf("# epoch %llu: /dev/hcl: %s\n",
		       (unsigned long long)epoch, strerror(errno));
		_exit(2);
	}
	w.max_vps = info.max_vps;
	w.mem_size = info.vtl0_mem_size < MEM_MAX ? info.vtl0_mem_size :
		MEM_MAX;
	w.mem = mmap(NULL, w.mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		     w.fd, 0);
	if (w.mem == MAP_FAILED ||
	    vtl0_setup_long_mode(w.mem, w.mem_size, CODE_GPA,
				 HCL_GUEST_STACK_TOP, &w.regs, &w.sregs)) {
		printf("# epoch %llu: VTL0 memory: %s\n",
		       (unsigned long long)epoch, strerror(errno));
		_exit(2);
	}
	load_programs(w.mem, info.vtl0_mem_size);
	for (int i = 0; i < NR_EFDS; i++)
		w.efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (int i = 0; i < NR_RINGS; i++)
		pthread_mutex_init(&w.ring[i].lock, NULL);
	for (int i = 0; i < NR_VP_SLOTS; i++)
		w.vp[i] = -1;
	if (one_in(&r, 2)) {
		struct hcl_create_irqchip c = { 0 };

		note(OP_create_irqchip, ioctl(w.fd, HCL_CREATE_IRQCHIP, &c),
		     errno);
	}
	/* a few VPs that can run at once */
	for (uint32_t i = 0; i < w.max_vps && i < NR_VP_SLOTS; i++) {
		struct hcl_create_vp c = { .vp_index = i };
		int vp = ioctl(w.fd, HCL_CREATE_VP, &c);
		struct hcl_regs regs;

		note(OP_create_vp, vp, errno);
		if (vp < 0)
			continue;
		random_regs(&r, &regs);
		ioctl(vp, HCL_VP_SET_SREGS, &w.sregs);
		ioctl(vp, HCL_VP_SET_REGS, &regs);
		w.run[i] = map_run(vp);
		w.vp[i] = vp;
	}
	if (one_in(&r, 2))
		note(OP_add_range, add_pio_claim(), errno);
	w.span = ms * 1000000ULL;
	w.deadline = now_ns() + w.span;
	w.nthreads = threads;
	for (int i = 0; i < threads; i++) {
		wk[i].id = i;
		if (pthread_create(&w.threads[i], NULL, worker_main, &wk[i]))
			_exit(2);
	}
	pthread_create(&ticker, NULL, ticker_main, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(w.threads[i], NULL);
	w.stop = 1;
	pthread_join(ticker, NULL);
	/* leave the rest to exit(), in a random order of rings and fds */
	if (one_in(&r, 2))
		for (int i = 0; i < NR_RINGS; i++)
			if (w.ring[i].live)
				io_uring_queue_exit(&w.ring[i].ring);
	_exit(0);
}

/* ---- the supervisor ----------------------------------------------------- */

static void print_file(const char *path, const char *prefix)
{
	char buf[2048];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		printf("# %s%s\n", prefix, line);
}

#define KLOG_TAIL	200

/* sysrq l and w, then the last KLOG_TAIL lines of the kernel log */
static void dump_klog(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC), size, n;
	int lines = 0;
	char *buf, *p;

	if (fd >= 0) {
		if (write(fd, "l", 1) != 1 || write(fd, "w", 1) != 1)
			printf("# sysrq: %s\n", strerror(errno));
		close(fd);
		sleep(1);
	}
	size = klogctl(10, NULL, 0);
	buf = size > 0 ? malloc(size + 1) : NULL;
	n = buf ? klogctl(3, buf, size) : -1;
	if (n <= 0) {
		free(buf);
		return;
	}
	buf[n] = 0;
	for (p = buf + n; p > buf && lines <= KLOG_TAIL; p--)
		if (p[-1] == '\n')
			lines++;
	for (char *line = strtok(p, "\n"); line; line = strtok(NULL, "\n"))
		printf("# klog: %s\n", line);
	free(buf);
}

/*
 * Every task of process group @pgid and every VP thread (hcl-vp*): state
 * and kernel stack; then the kernel's backtraces of all CPUs and blocked
 * tasks (sysrq l and w) and the end of the kernel log.
 */
static void dump_group(pid_t pgid)
{
	char path[96], stat[512];
	struct dirent *de, *te;
	DIR *proc = opendir("/proc"), *task;

	while (proc && (de = readdir(proc))) {
		int pid = atoi(de->d_name), fd, pg = -1;
		ssize_t n;
		char *p;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, stat, sizeof(stat) - 1);
		close(fd);
		stat[n > 0 ? n : 0] = 0;
		p = strrchr(stat, ')');
		if (!p || sscanf(p + 2, "%*c %*d %d", &pg) != 1)
			continue;
		if (pg != pgid && !strstr(stat, "(hcl-vp"))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task", pid);
		task = opendir(path);
		while (task && (te = readdir(task))) {
			int tid = atoi(te->d_name);

			if (tid <= 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/task/%d/stat",
				 pid, tid);
			print_file(path, "task ");
			snprintf(path, sizeof(path), "/proc/%d/task/%d/stack",
				 pid, tid);
			print_file(path, "    ");
		}
		if (task)
			closedir(task);
	}
	if (proc)
		closedir(proc);
	dump_klog();
}

/*
 * How many of process @pid's threads sleep uninterruptibly (state D: a
 * killable wait shows as D too).
 */
static int blocked_threads(pid_t pid)
{
	char path[64], stat[512];
	struct dirent *te;
	DIR *task;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	task = opendir(path);
	while (task && (te = readdir(task))) {
		int tid = atoi(te->d_name), fd;
		ssize_t len;
		char *p;

		if (tid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, stat, sizeof(stat) - 1);
		close(fd);
		stat[len > 0 ? len : 0] = 0;
		p = strrchr(stat, ')');
		if (p && p[1] == ' ' && p[2] == 'D')
			n++;
	}
	if (task)
		closedir(task);
	return n;
}

/*
 * Waits for epoch @pid until @end_ns, killing it at @kill_ns (0: never);
 * the watchdog kills it when no operation completed for @watchdog_s.
 * Now and then it is killed while one of its threads sleeps in the kernel.
 * Returns 0 once reaped, -1 if it wedged.
 */
static int supervise(struct rng *r, pid_t pid, uint64_t end_ns,
		     uint64_t kill_ns, unsigned int watchdog_s)
{
	uint64_t last = __atomic_load_n(&stats->progress, __ATOMIC_ACQUIRE);
	uint64_t moved = now_ns(), reap_by = 0;
	int status, wedged = 0;

	for (;;) {
		uint64_t t = now_ns(), p;

		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		p = __atomic_load_n(&stats->progress, __ATOMIC_ACQUIRE);
		if (p != last) {
			last = p;
			moved = t;
		}
		/*
		 * A thread asleep in the kernel must be killable: now and then
		 * that is when the epoch is killed.
		 */
		if (!reap_by && !kill_ns && one_in(r, 8) && blocked_threads(pid))
			kill_ns = t;
		if (!reap_by && kill_ns && t >= kill_ns) {
			kill(-pid, SIGKILL);
			note(OP_epoch_kill, 0, 0);
			reap_by = t + watchdog_s * 1000000000ULL;
		}
		if (!reap_by && (t - moved > watchdog_s * 1000000000ULL ||
				 t > end_ns + watchdog_s * 1000000000ULL)) {
			printf("# watchdog: no progress for %u s, epoch %d:\n",
			       watchdog_s, pid);
			dump_group(pid);
			kill(-pid, SIGKILL);
			wedged = 1;
			reap_by = t + watchdog_s * 1000000000ULL;
		}
		if (reap_by && t > reap_by) {
			printf("# epoch %d cannot be reaped after SIGKILL:\n",
			       pid);
			dump_group(pid);
			return -1;
		}
		usleep(20000);
	}
	/* its children, killed with it, must be gone too */
	kill(-pid, SIGKILL);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
		printf("# epoch %d could not start\n", pid);
		return -1;
	}
	return wedged ? -1 : 0;
}

static void print_stats(void)
{
	printf("# %-16s %10s  errno histogram (0 = success)\n", "operation",
	       "count");
	for (int op = 0; op < NR_OPS; op++) {
		char line[1024];
		int at = 0;

		if (!stats->count[op])
			continue;
		for (int e = 0; e <= MAX_ERRNO && at < (int)sizeof(line) - 40;
		     e++) {
			if (!stats->err[op][e])
				continue;
			at += snprintf(line + at, sizeof(line) - at, " %s:%llu",
				       e == 0 ? "ok" : e == MAX_ERRNO ? "other" :
				       strerrorname_np(e) ? strerrorname_np(e) :
				       "?",
				       (unsigned long long)stats->err[op][e]);
		}
		line[at] = 0;
		printf("# %-16s %10llu %s\n", op_names[op],
		       (unsigned long long)stats->count[op], line);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: hcl-uapi-fuzz [--seed N] [--seconds S] "
		"[--threads T] [--watchdog S] [--fail-alloc 1]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int seconds = 20, threads = 4, watchdog_s = 15;
	uint64_t seed = 0, start, end, epoch = 0, total;
	int seeded = 0, wedged = 0, released = 1, fd;
	struct rng r, kr;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		if (!strcmp(a, "--seed")) {
			seed = strtoull(v, NULL, 0);
			seeded = 1;
		} else if (!strcmp(a, "--seconds")) {
			seconds = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--threads")) {
			threads = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--watchdog")) {
			watchdog_s = strtoul(v, NULL, 0);
		} else if (!strcmp(a, "--fail-alloc")) {
			fail_alloc = !!strtoul(v, NULL, 0);
		} else {
			usage();
		}
		i++;
	}
	child_reap_ns = watchdog_s * 1000000000ULL / 3;
	if (threads < 1 || threads > MAX_THREADS || !watchdog_s)
		usage();
	if (!seeded)
		seed = now_ns() ^ ((uint64_t)getpid() << 32);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# hcl-uapi-fuzz --seed %llu --seconds %u --threads %u "
	       "--watchdog %u --fail-alloc %d\n", (unsigned long long)seed,
	       seconds, threads, watchdog_s, fail_alloc);
	printf("1..3\n");
	stats = mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	rng_init(&r, seed, ~0ULL, 0);
	rng_init(&kr, seed, ~1ULL, 0);	/* timing-driven kills: apart */
	start = now_ns();
	end = start + seconds * 1000000000ULL;
	while (now_ns() < end) {
		uint64_t ms = 500 + below(&r, 2500), kill_ns = 0, t = now_ns();
		pid_t pid;

		if (t + ms * 1000000ULL > end)
			ms = (end - t) / 1000000ULL + 1;
		if (one_in(&r, 4))
			kill_ns = t + below(&r, ms) * 1000000ULL;
		epoch++;
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			epoch_main(seed, epoch, threads, ms);
		if (supervise(&kr, pid, t + ms * 1000000ULL, kill_ns, watchdog_s) ||
		    stats->stuck) {
			if (stats->stuck)
				printf("# epoch %llu: child %d never went away\n",
				       (unsigned long long)epoch, stats->stuck);
			wedged = 1;
			break;
		}
		/* the partition is released once the epoch is gone */
		fd = open_hcl_wait(watchdog_s * 1000ULL);
		if (fd < 0) {
			printf("# after epoch %llu: /dev/hcl: %s\n",
			       (unsigned long long)epoch, strerror(errno));
			released = 0;
			break;
		}
		close(fd);
	}
	total = 0;
	for (int op = 0; op < NR_OPS; op++)
		total += stats->count[op];
	print_stats();
	printf("%sok 1 fuzz: %llu operations in %llu epochs, %.1f s, "
	       "%u threads, seed %llu\n", total > 0 ? "" : "not ",
	       (unsigned long long)total, (unsigned long long)epoch,
	       (now_ns() - start) / 1e9, threads, (unsigned long long)seed);
	printf("%sok 2 fuzz: nothing wedged (watchdog quiet, all reaped)\n",
	       wedged ? "not " : "");
	if (released) {
		fd = open_hcl_wait(watchdog_s * 1000ULL);
		released = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	printf("%sok 3 fuzz: /dev/hcl opens again (partition released)\n",
	       released ? "" : "not ");
	return total > 0 && !wedged && released ? 0 : 1;
}
