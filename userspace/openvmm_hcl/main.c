// SPDX-License-Identifier: GPL-2.0
/*
 * openvmm_hcl: the VTL2 control process.
 *
 * Reads the machine's configuration from the device tree the shim built
 * (/sys/firmware/fdt: VTL0 memory, the staged VTL0 image, VP count, the
 * serial port, the boot stamps) and prints it, starts the VM worker
 * underhill_vm with a report pipe on fd 3, supervises it, prints its exit
 * status and the boot timeline, and powers the VM off with the outcome.
 * The worker takes the VM's shape (VPs, VTL0 RAM, the payload) from the
 * partition hcl.ko built from the same tree, not from us: one path for
 * each fact.  A kernel booted without the shim has no /openhcl node; a
 * tree that is there but wrong is an error.
 *
 * Options: --pid FILE writes our PID there (underhill_init passes it).
 *
 * Configuration (environment, from KEY=VALUE words of the command line):
 *   HCL_VM_WORKER   worker binary (default /bin/underhill_vm)
 *   HCL_VM_ARGS     extra worker arguments, space separated (after ours,
 *                   so they win)
 *   HCL_EXIT_PORT   isa-debug-exit port for the final status
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/hcl_dt.h"
#include "lib/sys.h"

#define DEFAULT_WORKER	"/bin/underhill_vm"
#define MAX_ARGS	32

/* ---- the boot timeline ---------------------------------------------------- */

/* one (CLOCK_MONOTONIC_RAW, TSC) sample; two of them give the TSC rate */
struct clock_sample {
	uint64_t ns, tsc;
};

static struct clock_sample sample_clock(void)
{
	struct timespec ts;
	struct clock_sample s;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	s.tsc = hcl_rdtsc();
	s.ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	return s;
}

/* TSC ticks per ns, measured over at least 20 ms */
static double tsc_per_ns(struct clock_sample a)
{
	struct clock_sample b = sample_clock();

	if (b.ns - a.ns < 20000000ULL) {
		usleep(20000 - (b.ns - a.ns) / 1000);
		b = sample_clock();
	}
	return (double)(b.tsc - a.tsc) / (double)(b.ns - a.ns);
}

/*
 * The seed's stages, each from its stamp to the next one's.  A stamp of 0
 * is a stage that did not happen or was not stamped (a kernel booted
 * without the loader and shim has no loader/shim stamps).
 */
enum { ST_LOADER, ST_SHIM, ST_KERNEL, ST_INIT, ST_CONTROL, ST_VM,
	ST_GUEST, ST_DONE, ST_NR };

static const char *const stage_key[ST_NR] = {
	"host_loader", "openhcl_boot", "kernel", "underhill_init",
	"openvmm_hcl", "underhill_vm", "vtl0_guest", "guest_done",
};

static const char *const stage_label[ST_NR] = {
	"host loader", "openhcl_boot (shim)", "Linux kernel",
	"underhill_init", "openvmm_hcl", "underhill_vm",
	"VTL0 guest", "guest done",
};

/*
 * Prints the table and the JSON object (on the console, in a line starting
 * with "openvmm_hcl: timeline-json " for the host to pick up, and in
 * /run/hcl-timeline.json).  Times are ms since the host loader started
 * (or since the earliest stamp there is); "before" is the time from the
 * TSC's zero (the VM's start) to that point: the host VMM's own work.
 */
static void print_timeline(const uint64_t *tsc, double per_ns)
{
	char buf[1536];
	size_t len = 0;
	uint64_t t0 = 0;
	unsigned int i, j;
	FILE *f;

	for (i = 0; i < ST_NR && !t0; i++)
		t0 = tsc[i];
	printf("openvmm_hcl: boot timeline (TSC at %.0f MHz; ms since the first stage)\n",
	       per_ns * 1e3);
	printf("  %-22s %10s %10s\n", "stage", "start", "takes");
	len += snprintf(buf + len, sizeof(buf) - len,
			"{\"tsc_mhz\":%.1f,\"before_ms\":%.3f,\"stages\":[",
			per_ns * 1e3, t0 / per_ns / 1e6);
	for (i = 0; i < ST_NR; i++) {
		double start = tsc[i] ? (tsc[i] - t0) / per_ns / 1e6 : -1;
		double takes = -1;

		/* a stage lasts until the next stamp that exists */
		for (j = i + 1; tsc[i] && i != ST_DONE && j < ST_NR; j++)
			if (tsc[j]) {
				takes = (double)(int64_t)(tsc[j] - tsc[i]) /
					per_ns / 1e6;
				break;
			}
		if (tsc[i] && takes >= 0)
			printf("  %-22s %10.3f %10.3f\n", stage_label[i], start,
			       takes);
		else if (tsc[i])
			printf("  %-22s %10.3f %10s\n", stage_label[i], start,
			       "");
		else
			printf("  %-22s %10s %10s\n", stage_label[i], "-", "-");
		if (len >= sizeof(buf))
			continue;
		len += snprintf(buf + len, sizeof(buf) - len,
				"%s{\"name\":\"%s\",", i ? "," : "",
				stage_key[i]);
		if (len >= sizeof(buf))
			continue;
		if (tsc[i])
			len += snprintf(buf + len, sizeof(buf) - len,
					"\"start_ms\":%.3f,", start);
		else
			len += snprintf(buf + len, sizeof(buf) - len,
					"\"start_ms\":null,");
		if (len >= sizeof(buf))
			continue;
		if (takes >= 0)
			len += snprintf(buf + len, sizeof(buf) - len,
					"\"ms\":%.3f}", takes);
		else
			len += snprintf(buf + len, sizeof(buf) - len,
					"\"ms\":null}");
	}
	if (len < sizeof(buf))
		snprintf(buf + len, sizeof(buf) - len, "]}");
	printf("openvmm_hcl: timeline-json %s\n", buf);
	f = fopen("/run/hcl-timeline.json", "w");
	if (f) {
		fprintf(f, "%s\n", buf);
		fclose(f);
	}
}

/* ---- configuration --------------------------------------------------------- */

static void print_config(const struct hcl_dt_info *dt)
{
	unsigned int i;

	printf("openvmm_hcl: device tree: %u VP%s (%u Linux CPU%s, %u sidecar), VTL0 RAM [%#" PRIx64 ", %#" PRIx64 ") %" PRIu64 " MiB, VTL0 image %" PRIu64 " bytes",
	       dt->vp_count, dt->vp_count == 1 ? "" : "s", dt->linux_cpus,
	       dt->linux_cpus == 1 ? "" : "s", dt->sidecar_cpus,
	       dt->vtl0_base, dt->vtl0_base + dt->vtl0_size,
	       dt->vtl0_size >> 20, dt->image_size);
	if (dt->has_serial)
		printf(", serial %#x", dt->serial_port);
	printf("\n");
	for (i = 0; i < dt->nmap; i++)
		printf("openvmm_hcl:   memory [%#014" PRIx64 ", %#014" PRIx64 ") %s\n",
		       dt->map[i].base, dt->map[i].base + dt->map[i].size,
		       hcl_dt_type_name(dt->map[i].type));
}

static pid_t spawn_worker(const char *worker, char *args, int report_wr)
{
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	char *save = NULL, *tok;
	pid_t pid;

	argv[argc++] = (char *)worker;
	for (tok = strtok_r(args, " ", &save); tok && argc <= MAX_ARGS;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;

	pid = fork();
	if (pid != 0)
		return pid;
	if (report_wr != HCL_REPORT_FD) {
		if (dup2(report_wr, HCL_REPORT_FD) < 0)
			_exit(127);
		close(report_wr);
	}
	execv(worker, argv);
	fprintf(stderr, "openvmm_hcl: exec %s: %s\n", worker, strerror(errno));
	_exit(127);
}

/*
 * The kernel's start: the shim's handoff stamp, or else estimated from
 * how long the kernel had been up when underhill_init started.
 */
static uint64_t kernel_start_tsc(const struct hcl_dt_info *dt, bool have_dt,
				 uint64_t tsc_init, double per_ns)
{
	uint64_t up_ns = hcl_env_u64(HCL_ENV_BOOT_NS_INIT);

	if (have_dt && dt->handoff_tsc)
		return dt->handoff_tsc;
	if (!tsc_init || !up_ns || up_ns * per_ns > tsc_init)
		return 0;
	return tsc_init - (uint64_t)(up_ns * per_ns);
}

static void write_pid_file(int argc, char **argv)
{
	FILE *f;

	if (argc == 1)
		return;
	if (argc != 3 || strcmp(argv[1], "--pid")) {
		fprintf(stderr, "usage: %s [--pid FILE]\n", argv[0]);
		hcl_poweroff(1);
	}
	f = fopen(argv[2], "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
		fprintf(stderr, "openvmm_hcl: %s: %s\n", argv[2],
			strerror(errno));
		hcl_poweroff(1);
	}
}

int main(int argc, char **argv)
{
	struct clock_sample clk0 = sample_clock();
	uint64_t tsc_ctl = clk0.tsc, tsc[ST_NR] = { 0 };
	const char *worker = getenv("HCL_VM_WORKER");
	static struct hcl_dt_info dt;
	struct hcl_vm_report rep;
	int pipefd[2], status, ok, have_dt = 0;
	char args[1024] = "", stamp[32], err[256];
	struct stat st;
	double per_ns;
	ssize_t n;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	write_pid_file(argc, argv);
	if (!worker || !*worker)
		worker = DEFAULT_WORKER;
	snprintf(stamp, sizeof(stamp), "%" PRIu64, tsc_ctl);
	setenv(HCL_ENV_TSC_CONTROL, stamp, 1);

	if (!stat(HCL_DT_PATH, &st)) {
		if (hcl_dt_parse_file(HCL_DT_PATH, &dt, err, sizeof(err))) {
			printf("openvmm_hcl: error: %s: %s\n", HCL_DT_PATH,
			       err);
			hcl_poweroff(1);
		}
		have_dt = 1;
		print_config(&dt);
	} else {
		printf("openvmm_hcl: no device tree (%s): worker defaults\n",
		       HCL_DT_PATH);
	}
	if (getenv("HCL_VM_ARGS"))
		snprintf(args, sizeof(args), "%s", getenv("HCL_VM_ARGS"));

	if (pipe(pipefd)) {
		perror("openvmm_hcl: pipe");
		hcl_poweroff(1);
	}
	printf("openvmm_hcl: starting %s%s%s\n", worker, *args ? " " : "", args);
	pid = spawn_worker(worker, args, pipefd[1]);
	if (pid < 0) {
		perror("openvmm_hcl: fork");
		hcl_poweroff(1);
	}
	close(pipefd[1]);

	memset(&rep, 0, sizeof(rep));
	n = read(pipefd[0], &rep, sizeof(rep));
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("openvmm_hcl: waitpid");
			hcl_poweroff(1);
		}
	}

	if (WIFEXITED(status))
		printf("openvmm_hcl: underhill_vm exited with status %d\n",
		       WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("openvmm_hcl: underhill_vm killed by signal %d (%s)\n",
		       WTERMSIG(status), strsignal(WTERMSIG(status)));

	per_ns = tsc_per_ns(clk0);
	if (have_dt) {
		tsc[ST_LOADER] = dt.loader_tsc;
		tsc[ST_SHIM] = dt.shim_tsc;
	}
	tsc[ST_INIT] = hcl_env_u64(HCL_ENV_TSC_INIT);
	tsc[ST_KERNEL] = kernel_start_tsc(&dt, have_dt, tsc[ST_INIT], per_ns);
	tsc[ST_CONTROL] = tsc_ctl;
	if (n != sizeof(rep) || rep.magic != HCL_REPORT_MAGIC) {
		printf("openvmm_hcl: no report from underhill_vm\n");
		print_timeline(tsc, per_ns);
		hcl_poweroff(1);
	}
	tsc[ST_VM] = rep.tsc_vm_start;
	tsc[ST_GUEST] = rep.tsc_vtl0_first;
	tsc[ST_DONE] = rep.tsc_guest_done;
	print_timeline(tsc, per_ns);
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && rep.halted &&
	     rep.guest_result == 0;
	printf("openvmm_hcl: VTL0 guest %s (%u VP%s, result %#x, %" PRIu64
	       " exits to userspace)\n", ok ? "succeeded" : "FAILED",
	       rep.vps, rep.vps == 1 ? "" : "s", rep.guest_result, rep.exits);
	hcl_poweroff(!ok);
}
