// SPDX-License-Identifier: GPL-2.0
/*
 * The VTL0 bench guest: one loop per exit kind, timed with RDTSC and
 * driven through a mailbox (see userspace/bench/bench_abi.h).  The same
 * image runs under hcl.ko and under KVM.  It has no .bss and no writable
 * globals, so any number of VPs can run it at once.
 */
#include <stdint.h>

#include "bench_abi.h"

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static void loop_vmmcall(uint64_t n, uint32_t code)
{
	uint64_t rax;

	while (n--) {
		rax = code;
		__asm__ volatile("vmmcall" : "+a"(rax) : : "memory");
	}
}

static void loop_cpuid(uint64_t n)
{
	uint32_t a, b, c, d;

	while (n--)
		__asm__ volatile("cpuid"
				 : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
				 : "a"(BENCH_CPUID_LEAF), "c"(0) : "memory");
}

static void loop_pio(uint64_t n, uint16_t port)
{
	while (n--)
		__asm__ volatile("outb %b0, %w1" : : "a"(0x5a), "d"(port)
				 : "memory");
}

/* mov %eax,BENCH_MMIO_GPA: a store with an absolute 32-bit address */
static void loop_mmio(uint64_t n)
{
	while (n--)
		__asm__ volatile("movl %%eax, %c0" : : "i"(BENCH_MMIO_GPA),
				 "a"(0x5a5a5a5a) : "memory");
}

static int run(uint32_t kind, uint32_t arg, uint64_t n)
{
	switch (kind) {
	case BENCH_KIND_VMMCALL:
		loop_vmmcall(n, arg);
		return 0;
	case BENCH_KIND_CPUID:
		loop_cpuid(n);
		return 0;
	case BENCH_KIND_PIO:
		loop_pio(n, (uint16_t)arg);
		return 0;
	case BENCH_KIND_MMIO:
		loop_mmio(n);
		return 0;
	}
	return -1;
}

void bench_main(volatile struct bench_mailbox *mb);

void bench_main(volatile struct bench_mailbox *mb)
{
	uint64_t t0, t1;
	uint32_t kind, arg;

	for (;;) {
		kind = mb->kind;
		arg = mb->arg;
		if (run(kind, arg, mb->warmup)) {
			mb->bad++;
		} else {
			t0 = rdtsc();
			run(kind, arg, mb->iters);
			t1 = rdtsc();
			mb->tsc_start = t0;
			mb->tsc_end = t1;
		}
		mb->done++;
		/* IF is clear: the halt is an exit to the runner */
		__asm__ volatile("hlt" : : : "memory");
	}
}
