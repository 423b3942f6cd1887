// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-vmtest: the in-VM test runner.  underhill_init execs it instead of
 * openvmm_hcl when HCL_EXEC=/bin/hcl-vmtest, with hcl.ko already loaded.
 *
 * It runs each test group and prints its TAP/KTAP output between marker
 * lines the host-side checker parses:
 *
 *   HCL-TEST-BEGIN <group>
 *   ...
 *   HCL-TEST-END <group>
 *
 * Groups: kunit (hcl_kunit.ko, results from debugfs), dt (hcl-dt-test:
 * the device tree as the shim built it and everyone read it), fdt-blob
 * (/sys/firmware/fdt in hex, for the host to decompile with dtc), uapi
 * (hcl-uapi-test), nl (hcl-nl-test: the netlink family), sandbox and
 * sandbox-tpm (the device-worker sandbox's
 * tests inside VTL2), dmesg (the kernel log must be free of warnings,
 * oopses and BUGs after everything else ran).  Then it powers off.
 *
 * HCL_UAPI_ARGS=a,b,c passes arguments to hcl-uapi-test (for example
 * -r,vp.port_io_round_trip runs one test), HCL_NL_ARGS to hcl-nl-test;
 * HCL_NO_KUNIT=1 skips KUnit.
 * The fuzz group runs hcl-uapi-fuzz (20 s, 4 threads unless
 * HCL_FUZZ_ARGS=--seconds,300,... says otherwise) after the other
 * programs, so that the kernel log check sees what it left.
 * HCL_FAIL_ALLOC=P (a debug kernel with fault injection: make
 * check-debug) adds the fuzz-failslab group: the fuzzer again, with one
 * slab allocation in P percent failing in its tasks (failslab's task
 * filter), and the number of failures injected.  The kmemleak group
 * (a kernel with kmemleak) reports every object kmemleak finds
 * unreferenced after the other groups ran, since its start.
 * The hostile group runs hcl-hostile, the hostile VTL0 guest (15 s on 4
 * VPs unless HCL_HOSTILE_ARGS=--seconds,300,--exits,1000000,... says
 * otherwise), just before the kernel log check.
 * The sidecar group (hcl-sidecar-test) checks the sidecar's CPUs; it
 * skips when the boot gave the sidecar none.  HCL_VMTEST_ONLY=a,b runs
 * only those groups (and dmesg), e.g. a second boot with the sidecar on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/sys.h"

#define KUNIT_DIR	"/sys/kernel/debug/kunit"
#define SYSLOG_READ_ALL	3
#define SYSLOG_SIZE	10

static int failures;

static void begin(const char *group)
{
	printf("HCL-TEST-BEGIN %s\n", group);
}

static void end(const char *group)
{
	printf("HCL-TEST-END %s\n", group);
	fflush(stdout);
}

/* @text into @path: 0, or -1 with errno */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;
	size_t len = strlen(text);

	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len)
		ret = -1;
	close(fd);
	return ret;
}

static void cat(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		printf("# cannot open %s: %s\n", path, strerror(errno));
		failures++;
		return;
	}
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, n) != n)
			break;
	close(fd);
}

static void run_kunit(void)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	int fd;

	begin("kunit");
	fd = open("/lib/hcl/modules/hcl_kunit.ko", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0)) {
		printf("# loading hcl_kunit.ko failed: %s\n", strerror(errno));
		failures++;
	}
	if (fd >= 0)
		close(fd);
	d = opendir(KUNIT_DIR);
	if (!d) {
		printf("# %s: %s\n", KUNIT_DIR, strerror(errno));
		failures++;
	}
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "hcl_", 4))
			continue;
		snprintf(path, sizeof(path), KUNIT_DIR "/%s/results",
			 de->d_name);
		cat(path);
	}
	if (d)
		closedir(d);
	end("kunit");
}

#define MAX_ARGS	16

/* Runs @path with the comma-separated arguments in env @args_env. */
static void run_program(const char *group, const char *path,
			const char *args_env)
{
	char *argv[MAX_ARGS + 2], *args = NULL, *save = NULL, *tok;
	int status, argc = 0;
	pid_t pid;

	argv[argc++] = (char *)path;
	if (getenv(args_env))
		args = strdup(getenv(args_env));
	for (tok = args ? strtok_r(args, ",", &save) : NULL;
	     tok && argc <= MAX_ARGS; tok = strtok_r(NULL, ",", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;

	begin(group);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execv(path, argv);
		printf("# exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		printf("# running %s failed\n", path);
		failures++;
	} else if (!WIFEXITED(status)) {
		printf("# %s died with signal %d\n", path, WTERMSIG(status));
		failures++;
	}
	free(args);
	end(group);
}

#define FAILSLAB	"/sys/kernel/debug/failslab/"
/* kernel log markers around the failslab run (check_dmesg()) */
#define FAILSLAB_ON	"hcl-vmtest: failslab on"
#define FAILSLAB_OFF	"hcl-vmtest: failslab off"
#define FAIL_TIMES	1000000000UL

/* hcl.ko's memory in /proc/modules: [*start, *end), or -1 */
static int module_range(const char *name, unsigned long *start,
			unsigned long *end)
{
	char line[256], mod[64];
	unsigned long size, addr;
	FILE *f = fopen("/proc/modules", "r");
	int ret = -1;

	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu %*s %*s %*s %lx", mod, &size,
			   &addr) == 3 && !strcmp(mod, name) && addr) {
			*start = addr;
			*end = addr + size;
			ret = 0;
		}
	fclose(f);
	return ret;
}

/* The kernel text symbol @name: [*start, *end) up to the next one, or -1. */
static int symbol_range(const char *name, unsigned long *start,
			unsigned long *end)
{
	char line[512], sym[256], type;
	unsigned long a, at = 0, next = ~0UL;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %255s", &a, &type, sym) == 3 &&
		    !strcmp(sym, name))
			at = a;
	rewind(f);
	while (at && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx", &a) == 1 && a > at && a < next)
			next = a;
	fclose(f);
	if (!at || next == ~0UL)
		return -1;
	*start = at;
	*end = next;
	return 0;
}

/*
 * failslab's stack-trace filter: an allocation fails only when hcl.ko's
 * code is on its stack (its own error paths, not fork()'s or io_uring's),
 * and never inside alloc_vmap_area(), whose bookkeeping allocation WARNs
 * when it fails (vmalloc's va_clip()): the kernel's, not hcl.ko's.
 */
static int set_failslab_filter(void)
{
	static const char *const files[] = {
		"require-start", "require-end", "reject-start", "reject-end",
	};
	unsigned long v[4];
	char path[96], buf[32];

	if (module_range("hcl", &v[0], &v[1]) ||
	    symbol_range("alloc_vmap_area", &v[2], &v[3]))
		return -1;
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), FAILSLAB "%s", files[i]);
		snprintf(buf, sizeof(buf), "%#lx", v[i]);
		if (write_file(path, buf))
			return -1;
	}
	return 0;
}

/* the fault injection's settings: 0 or -1 */
static int set_failslab(const char *probability, unsigned long times)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", times);
	return write_file(FAILSLAB "task-filter", "Y") ||
	       write_file(FAILSLAB "verbose", "0") ||
	       write_file(FAILSLAB "interval", "1") ||
	       write_file(FAILSLAB "ignore-gfp-wait", "N") ||
	       write_file(FAILSLAB "times", buf) ||
	       write_file(FAILSLAB "probability", probability) ? -1 : 0;
}

/*
 * The fuzzer with slab allocations failing at random in its epochs'
 * tasks once they are set up (threads, forked children; not VTL2's other
 * tasks: hcl-uapi-fuzz --fail-alloc), and only those made with hcl.ko on
 * the stack (set_failslab_filter()): every error path of hcl.ko it
 * reaches runs, under KASAN, kmemleak and lockdep.  Page allocations are
 * left alone: their failures print a warning with a stack, which the
 * kernel log check would take for a bug.  A vmalloc whose own slab
 * allocation fails (hcl.ko's kvzalloc() falling back to it) warns the
 * same way: the kernel's answer to the failure asked for, so the log
 * check lets such reports pass between the markers written here
 * (FAILSLAB_ON, FAILSLAB_OFF), and only there.  Before the filter, the
 * failures also hit fork() and io_uring's worker threads in the fuzzer's
 * tasks, whose stacks come from vmalloc: "vmalloc error" reports and a
 * WARNING in va_clip().  HCL_FAILSLAB_ARGS replaces the fuzzer's
 * arguments.
 */
static void run_fuzz_failslab(const char *percent)
{
	unsigned long left = 0;
	char buf[32];
	FILE *f;

	if (access(FAILSLAB "probability", W_OK) || set_failslab_filter() ||
	    set_failslab(percent, FAIL_TIMES)) {
		begin("fuzz-failslab");
		printf("1..1\nnot ok 1 failslab can be set up (%s)\n",
		       strerror(errno));
		failures++;
		end("fuzz-failslab");
		return;
	}
	setenv("HCL_FAILSLAB_ARGS", "--seconds,30,--threads,4,--fail-alloc,1",
	       0);
	write_file("/dev/kmsg", FAILSLAB_ON);
	run_program("fuzz-failslab", "/bin/hcl-uapi-fuzz", "HCL_FAILSLAB_ARGS");
	f = fopen(FAILSLAB "times", "r");
	if (f && fgets(buf, sizeof(buf), f))
		left = strtoul(buf, NULL, 10);
	if (f)
		fclose(f);
	set_failslab("0", 0);
	write_file("/dev/kmsg", FAILSLAB_OFF);
	printf("# failslab: %lu slab allocations failed on purpose (%s%%)\n",
	       FAIL_TIMES - left, percent);
}

#define KMEMLEAK	"/sys/kernel/debug/kmemleak"

/* kmemleak's reports since "clear" (at the start): none may be there */
static void check_kmemleak(void)
{
	char line[512];
	int leaks = 0;
	FILE *f;

	begin("kmemleak");
	printf("1..1\n");
	/* two scans: an object is reported once it was not seen twice */
	if (write_file(KMEMLEAK, "scan") || write_file(KMEMLEAK, "scan")) {
		printf("not ok 1 kmemleak scans (%s)\n", strerror(errno));
		failures++;
		end("kmemleak");
		return;
	}
	f = fopen(KMEMLEAK, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (strstr(line, "unreferenced object"))
			leaks++;
		printf("# %s", line);
	}
	if (f)
		fclose(f);
	printf("%sok 1 kmemleak: %d unreferenced objects\n",
	       leaks ? "not " : "", leaks);
	if (leaks)
		failures++;
	end("kmemleak");
}

/* the raw device tree, 32 bytes per line in hex */
static void dump_fdt(void)
{
	unsigned char buf[32];
	ssize_t n, i;
	int fd;

	begin("fdt-blob");
	fd = open("/sys/firmware/fdt", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("# /sys/firmware/fdt: %s\n", strerror(errno));
		failures++;
	}
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			printf("%02x", buf[i]);
		printf("\n");
	}
	if (fd >= 0)
		close(fd);
	end("fdt-blob");
}

/* Kernel log lines that mean the kernel was hurt. */
/*
 * Lockdep's, KFENCE's and debugobjects' reports begin with WARNING: or
 * BUG:; kmemleak's are read from its file (check_kmemleak()).
 */
static const char *const bad_words[] = {
	"WARNING:", "BUG:", "Oops", "general protection fault",
	"Call Trace:", "kernel BUG", "UBSAN:", "KASAN:", "list_add corruption",
	"list_del corruption", "refcount_t:", "INFO: task", "hung_task",
	"soft lockup", "hard LOCKUP", "rcu_sched self-detected",
	"rcu: INFO:", "Unable to handle", "DEBUG_LOCKS_WARN_ON",
};

/*
 * Prints every line that matches, with the CONTEXT lines before it and
 * up to 4 * CONTEXT after (a bare "Call Trace:" says nothing without the
 * warning above it and the frames below it).  Between the failslab
 * markers, an allocation failure's report (its header line, then within
 * CONTEXT lines its stack) is counted, not taken for a bug.
 */
#define CONTEXT		4

static bool alloc_failure_report(const char *line)
{
	return strstr(line, "vmalloc error:") ||
	       strstr(line, "page allocation failure:");
}

static void check_dmesg(void)
{
	const unsigned int nr_bad = sizeof(bad_words) / sizeof(bad_words[0]);
	int size = klogctl(SYSLOG_SIZE, NULL, 0), n, bad = 0, expected = 0;
	char *buf, *line, *save = NULL, *ring[CONTEXT] = { 0 };
	unsigned int i, k, seen = 0, after = 0, alloc_warn = 0;
	bool failslab = false;

	begin("dmesg");
	printf("1..1\n");
	buf = size > 0 ? malloc(size + 1) : NULL;
	n = buf ? klogctl(SYSLOG_READ_ALL, buf, size) : -1;
	if (n < 0) {
		printf("not ok 1 kernel log readable\n");
		failures++;
		free(buf);
		end("dmesg");
		return;
	}
	buf[n] = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, FAILSLAB_ON))
			failslab = true;
		else if (strstr(line, FAILSLAB_OFF))
			failslab = false;
		if (alloc_warn)
			alloc_warn--;
		if (failslab && alloc_failure_report(line))
			alloc_warn = CONTEXT + 1;
		for (i = 0; i < nr_bad; i++)
			if (strstr(line, bad_words[i]))
				break;
		if (i == nr_bad) {
			/* what follows a report: the stack, the registers */
			if (after) {
				printf("# %s\n", line);
				after--;
			}
		} else if (alloc_warn && !after &&
			   !strcmp(bad_words[i], "Call Trace:")) {
			/* the stack of an allocation failure failslab made */
			expected++;
			alloc_warn = 0;
		} else {
			/* what led to it, once per report */
			for (k = after ? CONTEXT : 0; k < CONTEXT; k++)
				if (ring[(seen + k) % CONTEXT])
					printf("# %s\n",
					       ring[(seen + k) % CONTEXT]);
			printf("# %s\n", line);
			bad++;
			after = CONTEXT * 4;
		}
		ring[seen++ % CONTEXT] = line;
	}
	if (expected)
		printf("# %d allocation-failure reports under failslab (its "
		       "doing, not counted)\n", expected);
	printf("%sok 1 kernel log has no warning, oops or BUG\n",
	       bad ? "not " : "");
	free(buf);
	end("dmesg");
}

/* true if @group is to run: HCL_VMTEST_ONLY unset, or listing it */
static int want(const char *group)
{
	const char *only = getenv("HCL_VMTEST_ONLY");
	size_t len = strlen(group);

	if (!only)
		return 1;
	while (only) {
		if (!strncmp(only, group, len) &&
		    (only[len] == ',' || !only[len]))
			return 1;
		only = strchr(only, ',');
		if (only)
			only++;
	}
	return 0;
}

int main(void)
{
	bool kmemleak;

	setvbuf(stdout, NULL, _IOLBF, 0);
	mkdir("/sys/kernel/debug", 0755);
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    errno != EBUSY)
		perror("hcl-vmtest: mount debugfs");
	/* what kmemleak saw before the tests is not theirs */
	kmemleak = !access(KMEMLEAK, W_OK) && !write_file(KMEMLEAK, "clear");

	if (!getenv("HCL_NO_KUNIT") && want("kunit"))
		run_kunit();
	if (want("dt"))
		run_program("dt", "/bin/hcl-dt-test", "HCL_DT_ARGS");
	if (want("fdt-blob"))
		dump_fdt();
	if (want("sidecar"))
		run_program("sidecar", "/bin/hcl-sidecar-test",
			    "HCL_SIDECAR_ARGS");
	if (want("uapi"))
		run_program("uapi", "/bin/hcl-uapi-test", "HCL_UAPI_ARGS");
	if (want("nl"))
		run_program("nl", "/bin/hcl-nl-test", "HCL_NL_ARGS");
	if (want("sandbox"))
		run_program("sandbox", "/bin/hcl-sandbox-test",
			    "HCL_SANDBOX_ARGS");
	if (want("sandbox-tpm"))
		run_program("sandbox-tpm", "/bin/hcl-sandbox-tpm-test",
			    "HCL_SANDBOX_ARGS");
	if (want("fuzz")) {
		setenv("HCL_FUZZ_ARGS", "--seconds,20,--threads,4", 0);
		run_program("fuzz", "/bin/hcl-uapi-fuzz", "HCL_FUZZ_ARGS");
	}
	if (want("hostile")) {
		setenv("HCL_HOSTILE_ARGS", "--seconds,15,--vps,4", 0);
		run_program("hostile", "/bin/hcl-hostile", "HCL_HOSTILE_ARGS");
	}
	if (getenv("HCL_FAIL_ALLOC") && want("fuzz-failslab"))
		run_fuzz_failslab(getenv("HCL_FAIL_ALLOC"));
	if (kmemleak && want("kmemleak"))
		check_kmemleak();
	check_dmesg();
	printf("HCL-TEST-DONE\n");
	hcl_poweroff(failures ? 1 : 0);
}
