// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-bench: the in-VM run-loop benchmark runner.  underhill_init execs
 * it (HCL_EXEC=/bin/hcl-bench) with hcl.ko loaded.  It measures the TSC
 * frequency against CLOCK_MONOTONIC, runs the hcl side, unloads hcl.ko,
 * loads KVM (irqbypass, kvm, kvm-amd: never two SVM users at once), runs
 * the KVM side, and powers off.  Everything between the markers
 *
 *   HCL-BENCH-BEGIN
 *   {"tsc_hz":...}                      the run's parameters
 *   {"side":"hcl","name":...}           one line per result (bench.h)
 *   HCL-BENCH-END
 *
 * is for scripts/bench.sh; lines starting with '#' are remarks.  Timing
 * never fails the run; a side that cannot run does.
 *
 * Environment (from the kernel command line): HCL_BENCH_N iterations per
 * case (default 5000), HCL_BENCH_REPS repetitions (default 3).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "lib/sys.h"
#include "bench_abi.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define DEFAULT_ITERS	5000
#define DEFAULT_REPS	3
#define TSC_WINDOW_NS	250000000ULL

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* TSC ticks per second of CLOCK_MONOTONIC, over a quarter second. */
static double measure_tsc_hz(void)
{
	struct timespec nap = { 0, TSC_WINDOW_NS };
	uint64_t c0, c1, t0, t1;

	c0 = mono_ns();
	t0 = __rdtsc();
	while (nanosleep(&nap, &nap) && errno == EINTR)
		;
	t1 = __rdtsc();
	c1 = mono_ns();
	return (double)(t1 - t0) * 1e9 / (double)(c1 - c0);
}

/* Runs one side's program; returns its exit status (or 1). */
static int run_side(const char *path, double tsc_hz, uint64_t iters,
		    unsigned int reps, unsigned int vps)
{
	char t[32], n[32], r[16], v[16];
	int status;
	pid_t pid;

	snprintf(t, sizeof(t), "%.0f", tsc_hz);
	snprintf(n, sizeof(n), "%llu", (unsigned long long)iters);
	snprintf(r, sizeof(r), "%u", reps);
	snprintf(v, sizeof(v), "%u", vps);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl(path, path, "-t", t, "-n", n, "-r", r, "-v", v,
		      (char *)NULL);
		printf("# exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		printf("# running %s failed\n", path);
		return 1;
	}
	if (WIFSIGNALED(status)) {
		printf("# %s died with signal %d\n", path, WTERMSIG(status));
		return 1;
	}
	return WEXITSTATUS(status);
}

/* The module goes once the last VP and ring have let go of it. */
static int unload_module(const char *name)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (syscall(SYS_delete_module, name, O_NONBLOCK) == 0)
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			break;
		usleep(50000);
	}
	printf("# unloading %s: %s\n", name, strerror(errno));
	return -1;
}

static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST))
		ret = -1;
	if (ret)
		printf("# loading %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

int main(void)
{
	static const char *const kvm_modules[] = {
		"/lib/hcl/modules/irqbypass.ko", "/lib/hcl/modules/kvm.ko",
		"/lib/hcl/modules/kvm-amd.ko",
	};
	uint64_t iters = hcl_env_u64("HCL_BENCH_N");
	unsigned int reps = hcl_env_u64("HCL_BENCH_REPS");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int i, vps;
	int failures = 0;
	double tsc_hz;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!iters)
		iters = DEFAULT_ITERS;
	if (!reps)
		reps = DEFAULT_REPS;
	vps = cpus < BENCH_MAX_VPS ? (cpus > 0 ? cpus : 1) : BENCH_MAX_VPS;
	tsc_hz = measure_tsc_hz();

	printf("HCL-BENCH-BEGIN\n");
	printf("{\"tsc_hz\":%.0f,\"iterations\":%llu,\"reps\":%u,\"vps\":%u,\"cpus\":%ld}\n",
	       tsc_hz, (unsigned long long)iters, reps, vps, cpus);

	failures += !!run_side("/bin/hcl-bench-hcl", tsc_hz, iters, reps, vps);
	if (unload_module("hcl")) {
		failures++;
	} else {
		for (i = 0; i < ARRAY_SIZE(kvm_modules); i++)
			if (load_module(kvm_modules[i]))
				break;
		if (i < ARRAY_SIZE(kvm_modules))
			failures++;
		else
			failures += !!run_side("/bin/hcl-bench-kvm", tsc_hz,
					       iters, reps, vps);
	}
	printf("HCL-BENCH-END\n");
	hcl_poweroff(failures ? 1 : 0);
}
