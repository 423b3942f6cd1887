// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-boot-bench: Linux in VTL0 under hcl against Linux under QEMU with
 * KVM, in the same VTL2 boot (make bench's second VM).  underhill_init
 * execs it (HCL_EXEC=/bin/hcl-boot-bench) with hcl.ko loaded.  Each round
 * boots the same kernel, initramfs and command line (BOOT_DIR) on each
 * side, hcl first, twice:
 *
 *   boot   hcl.cmd=true: to the userspace marker and straight off
 *   load   hcl.cmd=hcl-ipi-load: then 10 s of fork/exec and short
 *          sleeps on every CPU (timers, IPIs, TLB shootdowns)
 *
 * hcl:  underhill_vm --kernel --initrd --cmdline, on every VP of the
 *       partition (VTL0 RAM from hcl.ko's parameters);
 * KVM:  qemu-system-x86_64 -accel kvm -M microvm (qboot, in-kernel
 *       irqchip) with as many CPUs and as much RAM.
 *
 * Between the two sides hcl.ko and kvm_amd swap (modswitch.h).  For each
 * run: the time from the VMM's start to the guest's "userspace reached"
 * line and to its "powering off" line, and the side's exit counters over
 * the run: hcl.ko's /sys/kernel/debug/hcl/stats (difference across the
 * run); KVM's /sys/kernel/debug/kvm/ (read while QEMU still runs, since
 * KVM drops a VM's counts with the VM; QEMU is then killed: the guest's
 * power-off only halts it, there is no ACPI).
 *
 * Output, for scripts/bench.sh, between HCL-BOOT-BENCH-BEGIN and
 * HCL-BOOT-BENCH-END: one JSON line of parameters, then per run
 *   {"side":"hcl","round":R,"run":"boot","marker_ms":X,"done_ms":Y,
 *    "counters":{"exits":N,...}}
 * or {"side":..,"round":..,"run":..,"error":".."}.  Lines starting with
 * '#' are remarks, the guests' consoles among them.  Environment:
 * HCL_BENCH_ROUNDS (default 3), HCL_BENCH_CPUS (CPUs of both guests;
 * default: every VP of the partition), HCL_BENCH_SIDES ("hcl", "kvm";
 * default both), HCL_BENCH_MACHINE (QEMU's -M, default microvm),
 * HCL_BENCH_CPU (QEMU's -cpu, default host).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/hcl.h>

#include "lib/sys.h"
#include "modswitch.h"

#define BOOT_DIR	"/lib/hcl/vtl0-linux/"
#define UNDERHILL_VM	"/bin/underhill_vm"
#define QEMU		"/usr/bin/qemu-system-x86_64"
#define HCL_STATS	"/sys/kernel/debug/hcl/stats"
#define KVM_STATS	"/sys/kernel/debug/kvm"
#define MARKER		"vtl0-linux: userspace reached"
#define DONE		"vtl0-linux: powering off with status"
#define RUN_TIMEOUT_NS	(300ULL * 1000000000ULL)
#define MAX_COUNTERS	96
#define DEFAULT_ROUNDS	3
#define MAX_ROUNDS	20
/* the VTL0 command line of both sides: no TPM probe (QEMU has none) */
#define CMDLINE		"console=ttyS0 acpi=off pci=off panic=-1 no_timer_check"

struct counters {
	unsigned int n;
	char name[MAX_COUNTERS][40];
	unsigned long long val[MAX_COUNTERS];
};

struct run_result {
	uint64_t marker_ns, done_ns;	/* 0: not seen */
	int status;			/* the VMM's wait status, -1: none */
	bool timed_out;
	struct counters kvm;		/* KVM's, read before the kill */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void counter_set(struct counters *c, const char *name,
			unsigned long long v)
{
	if (c->n >= MAX_COUNTERS || strlen(name) >= sizeof(c->name[0]))
		return;
	strcpy(c->name[c->n], name);
	c->val[c->n++] = v;
}

static long counter_find(const struct counters *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->name[i], name))
			return i;
	return -1;
}

/* hcl.ko's totals: "name value" lines */
static int read_hcl_stats(struct counters *c)
{
	char name[64];
	unsigned long long v;
	FILE *f = fopen(HCL_STATS, "re");

	c->n = 0;
	if (!f)
		return -1;
	while (fscanf(f, "%63s %llu", name, &v) == 2)
		counter_set(c, name, v);
	fclose(f);
	return 0;
}

/* KVM's totals over the live VMs: one file per counter */
static int read_kvm_stats(struct counters *c)
{
	char path[300];
	unsigned long long v;
	struct dirent *e;
	DIR *d = opendir(KVM_STATS);
	FILE *f;

	c->n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_type != DT_REG)
			continue;
		snprintf(path, sizeof(path), "%s/%s", KVM_STATS, e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &v) == 1)
			counter_set(c, e->d_name, v);
		fclose(f);
	}
	closedir(d);
	return 0;
}

/* "name":after-before,... for every counter of @after */
static void print_counters(const struct counters *before,
			   const struct counters *after)
{
	unsigned int i;
	long j;

	printf("\"counters\":{");
	for (i = 0; i < after->n; i++) {
		j = before ? counter_find(before, after->name[i]) : -1;
		printf("%s\"%s\":%llu", i ? "," : "", after->name[i],
		       after->val[i] - (j >= 0 ? before->val[j] : 0));
	}
	printf("}");
}

/* one line of the guest's console: a remark, and the two markers */
static void console_line(char *line, uint64_t t0, struct run_result *r)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		line[--n] = 0;
	if (!r->marker_ns && strstr(line, MARKER))
		r->marker_ns = mono_ns() - t0;
	if (!r->done_ns && strstr(line, DONE))
		r->done_ns = mono_ns() - t0;
	printf("# | %s\n", line);
}

/*
 * Runs @argv with its stdout and stderr on a pipe, timing the markers.
 * @kvm: at the power-off line, read KVM's counters and kill the VMM.
 */
static void run_vmm(char *const argv[], bool kvm, struct run_result *r)
{
	char buf[4096], line[1024];
	size_t len = 0;
	uint64_t t0;
	int fd[2], st;
	pid_t pid;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	fflush(stdout);
	if (pipe2(fd, O_CLOEXEC)) {
		printf("# pipe: %s\n", strerror(errno));
		return;
	}
	t0 = mono_ns();
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		dup2(fd[1], STDERR_FILENO);
		execv(argv[0], argv);
		printf("exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	if (pid < 0) {
		close(fd[0]);
		printf("# fork: %s\n", strerror(errno));
		return;
	}
	for (;;) {
		struct pollfd p = { .fd = fd[0], .events = POLLIN };

		if (mono_ns() - t0 > RUN_TIMEOUT_NS) {
			r->timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = read(fd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (len < sizeof(line) - 1)
				line[len++] = buf[i];
			if (buf[i] != '\n')
				continue;
			line[len] = 0;
			len = 0;
			console_line(line, t0, r);
			if (kvm && r->done_ns && !r->kvm.n) {
				/* the guest halts after the line: let it */
				usleep(200000);
				read_kvm_stats(&r->kvm);
				kill(pid, SIGKILL);
			}
		}
	}
	close(fd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r->status = st;
}

static void print_result(const char *side, unsigned int round,
			 const char *run, const struct run_result *r,
			 const struct counters *before,
			 const struct counters *after, bool ok)
{
	printf("{\"side\":\"%s\",\"round\":%u,\"run\":\"%s\",", side, round,
	       run);
	if (!ok || !r->marker_ns || !r->done_ns) {
		printf("\"error\":\"%s\"}\n", r->timed_out ? "timed out" :
		       !r->marker_ns ? "no userspace marker" :
		       !r->done_ns ? "no power-off line" : "failed");
		return;
	}
	printf("\"marker_ms\":%.1f,\"done_ms\":%.1f,",
	       r->marker_ns / 1e6, r->done_ns / 1e6);
	print_counters(before, after);
	printf("}\n");
}

static const char *const runs[][2] = {
	{ "boot", "hcl.cmd=true" },
	{ "load", "hcl.cmd=hcl-ipi-load" },
};

static int hcl_side(unsigned int round, unsigned int vps)
{
	struct counters before, after;
	struct run_result r;
	char cmdline[512], nvps[16];
	unsigned int i;
	int failures = 0;
	bool ok;

	for (i = 0; i < 2; i++) {
		char *argv[] = {
			UNDERHILL_VM, "--timeout", "280",
			"--kernel", BOOT_DIR "bzImage",
			"--initrd", BOOT_DIR "initrd",
			"--cmdline", cmdline, NULL,
		};

		snprintf(cmdline, sizeof(cmdline), "%s %s", CMDLINE,
			 runs[i][1]);
		read_hcl_stats(&before);
		printf("# round %u: hcl, %s, %u VPs\n", round, runs[i][0], vps);
		snprintf(nvps, sizeof(nvps), "%u", vps);
		setenv("HCL_VPS", nvps, 1);
		run_vmm(argv, false, &r);
		ok = !read_hcl_stats(&after) && WIFEXITED(r.status) &&
		     WEXITSTATUS(r.status) == 0;
		print_result("hcl", round, runs[i][0], &r, &before, &after, ok);
		failures += !ok;
	}
	return failures;
}

static int kvm_side(unsigned int round, unsigned int vps, uint64_t mem)
{
	const char *machine = getenv("HCL_BENCH_MACHINE");
	const char *cpu = getenv("HCL_BENCH_CPU");
	char smp[16], ram[32], cmdline[512];
	struct run_result r;
	unsigned int i;
	int failures = 0;
	bool ok;

	if (!machine || !*machine)
		machine = "microvm";
	if (!cpu || !*cpu)
		cpu = "host";
	snprintf(smp, sizeof(smp), "%u", vps);
	snprintf(ram, sizeof(ram), "%lluM", (unsigned long long)(mem >> 20));
	for (i = 0; i < 2; i++) {
		char *argv[] = {
			QEMU, "-accel", "kvm", "-cpu", (char *)cpu,
			"-M", (char *)machine, "-smp", smp, "-m", ram,
			"-nodefaults", "-no-user-config", "-display", "none",
			"-serial", "stdio", "-kernel", BOOT_DIR "bzImage",
			"-initrd", BOOT_DIR "initrd", "-append", cmdline, NULL,
		};

		snprintf(cmdline, sizeof(cmdline), "%s %s", CMDLINE,
			 runs[i][1]);
		printf("# round %u: KVM, %s, %u CPUs\n", round, runs[i][0], vps);
		run_vmm(argv, true, &r);
		ok = r.kvm.n > 0;
		print_result("kvm", round, runs[i][0], &r, NULL, &r.kvm, ok);
		failures += !ok;
	}
	return failures;
}

int main(void)
{
	unsigned int rounds = hcl_env_u64("HCL_BENCH_ROUNDS"), r, vps;
	unsigned int cpus = hcl_env_u64("HCL_BENCH_CPUS");
	const char *sides = getenv("HCL_BENCH_SIDES");
	bool do_hcl = !sides || strstr(sides, "hcl");
	bool do_kvm = !sides || strstr(sides, "kvm");
	bool on_kvm = false, kvm_loaded = false;
	struct hcl_info info = { 0 };
	int failures = 0, fd, params_ok;
	char params[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!rounds)
		rounds = DEFAULT_ROUNDS;
	if (rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    errno != EBUSY)
		printf("# mounting debugfs: %s\n", strerror(errno));
	fd = open("/dev/hcl", O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, HCL_GET_INFO, &info)) {
		printf("# /dev/hcl: %s\n", strerror(errno));
		hcl_poweroff(1);
	}
	close(fd);
	vps = cpus && cpus < info.max_vps ? cpus : info.max_vps;

	printf("HCL-BOOT-BENCH-BEGIN\n");
	printf("{\"rounds\":%u,\"vps\":%u,\"mem_mb\":%llu,\"sides\":\"%s%s%s\",\"cmdline\":\"%s\",\"runs\":{\"boot\":\"%s\",\"load\":\"%s\"}}\n",
	       rounds, vps, (unsigned long long)(info.vtl0_mem_size >> 20),
	       do_hcl ? "hcl" : "", do_hcl && do_kvm ? "," : "",
	       do_kvm ? "kvm" : "", CMDLINE, runs[0][1], runs[1][1]);
	params_ok = !modswitch_hcl_params(params, sizeof(params));
	failures += !params_ok;
	for (r = 0; r < rounds; r++) {
		if (do_hcl) {
			/* without the parameters a reload gets no VTL0 RAM */
			if (on_kvm && (!params_ok || modswitch_to_hcl(params))) {
				failures++;
				break;
			}
			on_kvm = false;
			failures += hcl_side(r, vps);
		}
		if (do_kvm) {
			if (!on_kvm && modswitch_to_kvm(!kvm_loaded)) {
				failures++;
				break;
			}
			on_kvm = kvm_loaded = true;
			failures += kvm_side(r, vps, info.vtl0_mem_size);
		}
	}
	printf("HCL-BOOT-BENCH-END\n");
	hcl_poweroff(failures ? 1 : 0);
}
