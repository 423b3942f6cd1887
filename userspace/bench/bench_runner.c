// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-bench: the in-VM run-loop benchmark runner.  underhill_init execs
 * it (HCL_EXEC=/bin/hcl-bench) with hcl.ko loaded.  It measures the TSC
 * frequency against CLOCK_MONOTONIC, then runs rounds: in each, the hcl
 * side with hcl.ko loaded, then hcl.ko out and kvm_amd in, the KVM side,
 * then kvm_amd out and hcl.ko in again for the next round.  The two
 * modules never hold SVM at the same time (hcl.ko refuses to load while
 * EFER.SVME is set).  Alternating in one boot puts the two measurements
 * of a round seconds apart, so the ratio of a round sees the same host
 * load on both sides even when the load moves between rounds.
 *
 * Everything between the markers
 *
 *   HCL-BENCH-BEGIN
 *   {"tsc_hz":...}                            the run's parameters
 *   {"side":"hcl","round":R,"name":...}       one line per result (bench.h)
 *   HCL-BENCH-END
 *
 * is for scripts/bench.sh; lines starting with '#' are remarks.  Timing
 * never fails the run; a side that cannot run does.
 *
 * Environment (from the kernel command line): HCL_BENCH_N iterations per
 * case (default 2000), HCL_BENCH_REPS repetitions per case and round
 * (default 3, median reported), HCL_BENCH_ROUNDS rounds (default 5).
 *
 * HCL_BENCH_SIDECAR=1 (scripts/bench-sidecar.sh, a boot with the sidecar
 * on) compares where a VP runs instead of hcl.ko with KVM: each round
 * runs the hcl side twice with the one-VP cases on VP 1, first with
 * every VP on Linux's CPU (hcl.sidecar_vps=0: side "local"), then with
 * VP 1 on its sidecar CPU (side "remote").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "lib/sys.h"
#include "bench_abi.h"
#include "modswitch.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define DEFAULT_ITERS	2000
#define DEFAULT_REPS	3
#define DEFAULT_ROUNDS	5
#define MAX_ROUNDS	99
#define TSC_WINDOW_NS	250000000ULL


/* The /proc/cpuinfo flags that decide how either side handles an exit. */
static const char *const svm_flags[] = {
	"svm", "npt", "nrip_save", "decodeassists", "flushbyasid",
	"vmcb_clean", "tsc_scale", "pausefilter", "pfthreshold", "lbrv",
	"avic", "vgif", "v_vmsave_vmload", "x2apic",
};

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

/* Keeps a string printable inside a JSON string. */
static void json_clean(char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			*s = '\'';
}

/* A word of the space-separated @list, as a whole word. */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

/*
 * Prints the CPU as the VTL2 kernel sees it: the model and, for each
 * flag of svm_flags, whether CPU 0 has it.
 */
static void print_cpu(void)
{
	static char line[8192];
	char model[128] = "unknown", *flags = NULL, *v;
	FILE *f = fopen("/proc/cpuinfo", "r");
	unsigned int i;

	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		v = strchr(line, ':');
		if (!v)
			continue;
		v += 1 + (v[1] == ' ');
		if (!strncmp(line, "model name", 10) && !strcmp(model, "unknown"))
			snprintf(model, sizeof(model), "%s", v);
		if (!strncmp(line, "flags", 5)) {
			flags = v;
			break;
		}
	}
	if (f)
		fclose(f);
	json_clean(model);
	printf(",\"cpu_model\":\"%s\",\"cpu_flags\":{", model);
	for (i = 0; i < ARRAY_SIZE(svm_flags); i++)
		printf("%s\"%s\":%s", i ? "," : "", svm_flags[i],
		       flags && has_word(flags, svm_flags[i]) ? "true" : "false");
	printf("}");
}

/* Runs one side's program; returns its exit status (or 1). */
static int run_side(const char *path, double tsc_hz, uint64_t iters,
		    unsigned int reps, unsigned int vps, unsigned int round,
		    const char *side)
{
	char t[32], n[32], r[16], v[16], rd[16];
	int status;
	pid_t pid;

	snprintf(t, sizeof(t), "%.0f", tsc_hz);
	snprintf(n, sizeof(n), "%llu", (unsigned long long)iters);
	snprintf(r, sizeof(r), "%u", reps);
	snprintf(v, sizeof(v), "%u", vps);
	snprintf(rd, sizeof(rd), "%u", round);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (side)
			execl(path, path, "-t", t, "-n", n, "-r", r, "-v", v,
			      "-R", rd, "-i", "1", "-S", side, (char *)NULL);
		else
			execl(path, path, "-t", t, "-n", n, "-r", r, "-v", v,
			      "-R", rd, (char *)NULL);
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

/* where hcl.ko runs the VPs created from now on: 1 sidecar, 0 Linux */
static int set_sidecar_vps(int on)
{
	FILE *f = fopen("/sys/module/hcl/parameters/sidecar_vps", "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(on ? "1" : "0", f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* HCL_BENCH_SIDECAR: local against remote, round by round */
static int sidecar_rounds(double tsc_hz, uint64_t iters, unsigned int reps,
			  unsigned int rounds, unsigned int vps)
{
	int failures = 0;
	unsigned int r;

	for (r = 0; r < rounds; r++) {
		if (set_sidecar_vps(0)) {
			printf("# cannot set hcl.sidecar_vps\n");
			return 1;
		}
		printf("# round %u: local\n", r);
		failures += !!run_side("/bin/hcl-bench-hcl", tsc_hz, iters,
				       reps, vps, r, "local");
		set_sidecar_vps(1);
		printf("# round %u: remote\n", r);
		failures += !!run_side("/bin/hcl-bench-hcl", tsc_hz, iters,
				       reps, vps, r, "remote");
	}
	return failures;
}

int main(void)
{
	uint64_t iters = hcl_env_u64("HCL_BENCH_N");
	unsigned int reps = hcl_env_u64("HCL_BENCH_REPS");
	unsigned int rounds = hcl_env_u64("HCL_BENCH_ROUNDS");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int r, vps;
	char params[512];
	struct utsname u;
	int failures = 0, params_ok;
	double tsc_hz;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!iters)
		iters = DEFAULT_ITERS;
	if (!reps)
		reps = DEFAULT_REPS;
	if (!rounds)
		rounds = DEFAULT_ROUNDS;
	if (rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;
	vps = cpus < BENCH_MAX_VPS ? (cpus > 0 ? cpus : 1) : BENCH_MAX_VPS;
	if (uname(&u))
		strcpy(u.release, "unknown");
	tsc_hz = measure_tsc_hz();

	printf("HCL-BENCH-BEGIN\n");
	printf("{\"tsc_hz\":%.0f,\"iterations\":%llu,\"reps\":%u,\"rounds\":%u,\"vps\":%u,\"cpus\":%ld,\"kernel\":\"%s\"",
	       tsc_hz, (unsigned long long)iters, reps, rounds, vps, cpus,
	       u.release);
	print_cpu();
	printf("}\n");

	if (hcl_env_u64("HCL_BENCH_SIDECAR")) {
		failures = sidecar_rounds(tsc_hz, iters, reps, rounds,
					  vps < 2 ? 2 : vps);
		printf("HCL-BENCH-END\n");
		hcl_poweroff(failures ? 1 : 0);
	}
	params_ok = !modswitch_hcl_params(params, sizeof(params));
	failures += !params_ok;
	/* netlink first, while hcl.ko is loaded and no round has run */
	printf("# netlink\n");
	failures += !!run_side("/bin/hcl-bench-nl", tsc_hz, iters, reps, vps,
			       0, NULL);
	for (r = 0; r < rounds; r++) {
		/* without the parameters a reload would get no VTL0 RAM */
		if (r && (!params_ok || modswitch_to_hcl(params))) {
			failures++;
			break;
		}
		printf("# round %u: hcl\n", r);
		failures += !!run_side("/bin/hcl-bench-hcl", tsc_hz, iters, reps,
				       vps, r, NULL);
		if (modswitch_to_kvm(!r)) {
			failures++;
			break;
		}
		printf("# round %u: KVM\n", r);
		failures += !!run_side("/bin/hcl-bench-kvm", tsc_hz, iters, reps,
				       vps, r, NULL);
	}
	printf("HCL-BENCH-END\n");
	hcl_poweroff(failures ? 1 : 0);
}
