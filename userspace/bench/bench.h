/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What hcl-bench-hcl and hcl-bench-kvm share: options, preparing VTL0
 * memory for the bench guest, the CPUID table both sides give the VP,
 * the measurement driver (one case = warm up, then iterations timed by
 * the guest, median of a few repetitions) and the JSON result lines.
 *
 * Result lines, one per measurement, on stdout:
 *   {"side":"hcl","round":R,"name":"cpuid","iterations":N,"ns":X,...}
 * "round" is the runner's round (-R) the process was started for.
 * "compare" names the KVM result a hcl line is compared with when the
 * names differ; "note" says what was measured where it is not obvious;
 * "exits_per_sec" is the aggregate rate of the multi-VP cases; "needs"
 * and "without" name a CPU feature the side's cost depends on.  A case
 * that could not run prints {"side":..,"name":..,"error":".."}.
 */
#ifndef HCL_BENCH_H
#define HCL_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <linux/hcl.h>

#include "bench_abi.h"

#define BENCH_GUEST_PATH	"/lib/hcl/bench-guest.bin"
#define BENCH_MEM_SIZE		(64ULL << 20)	/* KVM's guest RAM */
#define BENCH_MAX_CPUID		8
#define BENCH_MAX_REPS		15

struct bench_opts {
	double tsc_hz;		/* measured by the runner */
	uint64_t iters;		/* timed iterations per repetition */
	uint64_t warmup;	/* untimed iterations before them */
	unsigned int reps;	/* repetitions; the median is reported */
	unsigned int vps;	/* VPs of the multi-VP cases */
	unsigned int round;	/* the runner's round, for the result lines */
	unsigned int first;	/* hcl: the VP index of the one-VP cases */
	const char *side;	/* the result lines' side, NULL: the default */
};

/*
 * Parses -t TSC_HZ -n ITERS [-w WARMUP] [-r REPS] [-v VPS] [-R ROUND]
 * [-i FIRST] [-S SIDE]; the warm-up defaults to ITERS / 10.  Returns 0, or -1 after printing
 * the usage.
 */
int bench_parse_opts(int argc, char **argv, struct bench_opts *o);

/*
 * Builds the page tables and GDT, loads the bench guest, maps the MMIO
 * page in the guest's tables and fills the start state of VP 0 (the
 * others differ in RSP and RBX only: see bench_vp_regs).
 */
int bench_prepare_mem(uint8_t *mem, uint64_t mem_size,
		      struct hcl_regs *regs, struct hcl_sregs *sregs);

/* @base with VP @vp's stack and mailbox. */
struct hcl_regs bench_vp_regs(const struct hcl_regs *base, unsigned int vp);

static inline volatile struct bench_mailbox *
bench_mailbox(uint8_t *mem, unsigned int vp)
{
	return (volatile struct bench_mailbox *)(mem + BENCH_MAILBOX(vp));
}

/*
 * The CPUID table both sides use: a few leaves of the CPU we run on and
 * the bench leaves.  Returns the entry count.
 */
unsigned int bench_cpuid_table(struct hcl_cpuid_entry *e, unsigned int max);

/* One command for the guest. */
void bench_command(volatile struct bench_mailbox *mb, uint32_t kind,
		   uint32_t arg, uint64_t warmup, uint64_t iters);

/*
 * Runs one VP (or, for bench_multi, every VP) until the guest halts.
 * Adds the exits that reached userspace on the way (the halt not
 * included) to *@user_exits.  Returns 0, or -1 after printing why.
 */
typedef int (*bench_run_fn)(void *ctx, uint64_t *user_exits);

struct bench_case {
	const char *name;
	uint32_t kind, arg;
	unsigned int user_exits;	/* per iteration: 0 or 1 */
	const char *compare;		/* KVM result to compare with */
	const char *note;
	/*
	 * A /proc/cpuinfo flag this side's cost depends on, and what the
	 * side does without it; bench.sh says so when the CPU lacks it.
	 */
	const char *needs, *without;
};

/*
 * Measures @c on one VP: opts->reps times, each a warm-up and
 * opts->iters timed iterations; prints the median as a result line.
 * Returns 0, or -1 after printing an error line.
 */
int bench_measure(const struct bench_opts *o, const char *side,
		  const struct bench_case *c, volatile struct bench_mailbox *mb,
		  bench_run_fn run, void *ctx);

/*
 * A multi-VP case: @run_all runs every VP of @mbs to its halt once (a
 * phase).  One phase warms up, then opts->reps phases of opts->iters
 * exits per VP are timed; the rate is all exits over the wall time of a
 * phase, the median is printed.  Returns 0 or -1 (error line printed).
 */
int bench_multi(const struct bench_opts *o, const char *side,
		const struct bench_case *c, volatile struct bench_mailbox **mbs,
		unsigned int n, bench_run_fn run_all, void *ctx);

/*
 * bench_multi with one thread per VP, each running its VP with @run and
 * its entry of @ctxs.  Exits the process when the threads cannot start.
 */
int bench_multi_threads(const struct bench_opts *o, const char *side,
			const struct bench_case *c,
			volatile struct bench_mailbox **mbs, bench_run_fn run,
			void **ctxs, unsigned int n);

/* Result lines. */
void bench_result(const char *side, const struct bench_case *c,
		  uint64_t iters, double ns, double exits_per_sec,
		  unsigned int vps);
void bench_error(const char *side, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

uint64_t bench_now_ns(void);
double bench_median(double *v, unsigned int n);

#endif
