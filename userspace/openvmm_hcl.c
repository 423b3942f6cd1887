// SPDX-License-Identifier: GPL-2.0
/*
 * openvmm_hcl: the VTL2 control process.
 *
 * Reads its configuration (environment from the kernel command line for
 * now; the device tree once the shim provides one), starts the VM worker
 * underhill_vm with a report pipe on fd 3, supervises it, prints its exit
 * status and the boot timeline, and powers the VM off with the outcome.
 *
 * Configuration:
 *   HCL_VM_WORKER   worker binary (default /bin/underhill_vm)
 *   HCL_VM_ARGS     extra worker arguments, space separated
 *   HCL_EXIT_PORT   isa-debug-exit port for the final status
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/sys.h"

#define DEFAULT_WORKER	"/bin/underhill_vm"
#define MAX_ARGS	32

static void print_ms(const char *stage, uint64_t t)
{
	if (t)
		printf("  %-22s %10.3f ms\n", stage, (double)t / 1e6);
	else
		printf("  %-22s %10s\n", stage, "-");
}

/*
 * The timeline as one JSON object: on the console (a line starting with
 * "openvmm_hcl: timeline-json ", for the host to pick up) and in
 * /run/hcl-timeline.json.  Times are ns since the VTL2 kernel started;
 * null where a stage did not happen.
 */
static void write_timeline_json(const uint64_t *t, const char *const *names,
				unsigned int n)
{
	char buf[512];
	size_t len = 0;
	unsigned int i;
	FILE *f;

	len += snprintf(buf + len, sizeof(buf) - len, "{");
	for (i = 0; i < n && len < sizeof(buf); i++) {
		if (t[i] || i == 0)
			len += snprintf(buf + len, sizeof(buf) - len,
					"%s\"%s\":%" PRIu64, i ? "," : "",
					names[i], t[i]);
		else
			len += snprintf(buf + len, sizeof(buf) - len,
					",\"%s\":null", names[i]);
	}
	if (len < sizeof(buf))
		snprintf(buf + len, sizeof(buf) - len, "}");
	printf("openvmm_hcl: timeline-json %s\n", buf);
	f = fopen("/run/hcl-timeline.json", "w");
	if (f) {
		fprintf(f, "%s\n", buf);
		fclose(f);
	}
}

static void print_timeline(uint64_t t_init, uint64_t t_ctl,
			   const struct hcl_vm_report *r)
{
	static const char *const names[] = {
		"kernel", "underhill_init", "openvmm_hcl", "underhill_vm",
		"first_vtl0_exit", "guest_done",
	};
	const uint64_t t[] = {
		0, t_init, t_ctl, r ? r->t_vm_start : 0,
		r ? r->t_first_exit : 0, r ? r->t_guest_done : 0,
	};

	printf("openvmm_hcl: boot timeline (since VTL2 kernel start)\n");
	printf("  %-22s %10.3f ms\n", "kernel start", 0.0);
	print_ms("underhill_init", t_init);
	print_ms("openvmm_hcl", t_ctl);
	print_ms("underhill_vm", t[3]);
	print_ms("first VTL0 exit", t[4]);
	print_ms("guest done", t[5]);
	write_timeline_json(t, names, sizeof(t) / sizeof(t[0]));
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

int main(void)
{
	uint64_t t_ctl = hcl_now_ns(), t_init = hcl_env_u64(HCL_ENV_T_INIT);
	const char *worker = getenv("HCL_VM_WORKER");
	struct hcl_vm_report rep;
	int pipefd[2], status, ok;
	char args[512] = "", stamp[32];
	ssize_t n;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!worker || !*worker)
		worker = DEFAULT_WORKER;
	if (getenv("HCL_VM_ARGS"))
		snprintf(args, sizeof(args), "%s", getenv("HCL_VM_ARGS"));
	snprintf(stamp, sizeof(stamp), "%" PRIu64, t_ctl);
	setenv(HCL_ENV_T_CONTROL, stamp, 1);

	if (pipe(pipefd)) {
		perror("openvmm_hcl: pipe");
		hcl_poweroff(1);
	}
	printf("openvmm_hcl: starting %s\n", worker);
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

	if (n != sizeof(rep) || rep.magic != HCL_REPORT_MAGIC) {
		printf("openvmm_hcl: no report from underhill_vm\n");
		print_timeline(t_init, t_ctl, NULL);
		hcl_poweroff(1);
	}
	print_timeline(t_init, t_ctl, &rep);
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && rep.halted &&
	     rep.guest_result == 0;
	printf("openvmm_hcl: VTL0 guest %s (%u VP%s, result %#x, %" PRIu64
	       " exits to userspace)\n", ok ? "succeeded" : "FAILED",
	       rep.vps, rep.vps == 1 ? "" : "s", rep.guest_result, rep.exits);
	hcl_poweroff(!ok);
}
