// SPDX-License-Identifier: GPL-2.0
/*
 * underhill_vm under supervision.  It gets three fds: the report pipe
 * (fd 3, struct hcl_vm_report at its end), the control socket (fd 4,
 * the text messages listed in lib/sys.h: the host's VTL0 power-off and
 * reset, the device workers' list and restarts, worker deaths and the
 * start of VTL0 reported back) and a pipe as its stderr (logs.c).  Its
 * exit arrives as SIGCHLD through the loop's signalfd.  An orderly
 * shutdown asks it to power VTL0 off; SIGTERM after 5 s, SIGKILL after
 * 10 s if it has not gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "openvmm_hcl.h"

#define MAX_ARGS	32

const char *pv_stage = "starting";

static pid_t vm_pid;
static int vm_status;
static bool reaped, report_eof, shutting;
static uint64_t shutdown_ms;
static struct watch report_w = { .fd = -1 }, ctl_w = { .fd = -1 };
static union {
	struct hcl_vm_report rep;
	uint8_t b[sizeof(struct hcl_vm_report)];
} report;
static size_t report_len;

/* the command in flight on the control socket */
static struct {
	bool busy, workers;
	supervise_done_fn done;
	void *ctx;
	char text[2048];
	size_t len;
} cmd;

static void on_report(struct watch *w, uint32_t events)
{
	uint8_t extra[64];
	ssize_t n;

	(void)events;
	if (report_len < sizeof(report))
		n = read(w->fd, report.b + report_len,
			 sizeof(report) - report_len);
	else
		n = read(w->fd, extra, sizeof(extra));	/* ignored */
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		if (report_len < sizeof(report))
			report_len += n;
		return;
	}
	loop_unwatch(w);
	close(w->fd);
	w->fd = -1;
	report_eof = true;
}

static void finish_cmd(bool ok, const char *text)
{
	supervise_done_fn done = cmd.done;

	cmd.busy = false;
	if (done)
		done(cmd.ctx, ok, text);
}

/* "worker-exit NAME PID CODE SIGNAL TEXT" */
static void worker_exit(const char *line)
{
	char name[32];
	int pid, code, sig, off = 0;

	if (sscanf(line, "worker-exit %31s %d %d %d %n", name, &pid, &code,
		   &sig, &off) < 4 || !off)
		return;
	chan_event("worker-exit", name, pid, code, sig, "%s", line + off);
}

static void on_ctl(struct watch *w, uint32_t events)
{
	char line[512];
	ssize_t n;

	n = recv(w->fd, line, sizeof(line) - 1, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || (events & (EPOLLHUP | EPOLLERR))) {
		loop_unwatch(w);
		close(w->fd);
		w->fd = -1;
		if (cmd.busy)
			finish_cmd(false, "underhill_vm is gone");
		return;
	}
	line[n] = 0;
	if (!strncmp(line, "vtl0 running", 12)) {
		unsigned long long tsc;

		/* underhill_vm's start, for the timeline before its report */
		if (sscanf(line + 12, "%llu", &tsc) == 1)
			timeline_set(ST_VM, tsc);
		if (!shutting)
			pv_stage = "vtl0-running";
	} else if (!strncmp(line, "worker-exit ", 12)) {
		worker_exit(line);
	} else if (cmd.busy && cmd.workers && !strncmp(line, "worker ", 7)) {
		int k = snprintf(cmd.text + cmd.len, sizeof(cmd.text) - cmd.len,
				 "%s\n", line + 7);

		if (k > 0 && (size_t)k < sizeof(cmd.text) - cmd.len)
			cmd.len += k;
	} else if (cmd.busy && cmd.workers && !strcmp(line, "end")) {
		finish_cmd(true, cmd.text);
	} else if (cmd.busy && !strcmp(line, "ok")) {
		finish_cmd(true, "");
	} else if (cmd.busy && !strncmp(line, "error ", 6)) {
		finish_cmd(false, line + 6);
	}
}

int supervise_command(const char *text, supervise_done_fn done, void *ctx)
{
	if (cmd.busy || ctl_w.fd < 0 || reaped)
		return -1;
	if (send(ctl_w.fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -1;
	cmd.busy = true;
	cmd.workers = !strcmp(text, "workers");
	cmd.done = done;
	cmd.ctx = ctx;
	cmd.len = 0;
	cmd.text[0] = 0;
	return 0;
}

/* moves @fd to @to in the child (which is still ours to arrange) */
static void child_fd(int fd, int to)
{
	if (fd != to && dup2(fd, to) < 0)
		_exit(127);
}

int supervise_start(const char *worker, char *args)
{
	char *argv[MAX_ARGS + 2], *save = NULL, *tok;
	int rep[2], ctl[2], err[2], argc = 0;
	sigset_t none;

	argv[argc++] = (char *)worker;
	printf("openvmm_hcl: starting %s%s%s\n", worker, *args ? " " : "", args);
	for (tok = strtok_r(args, " ", &save); tok && argc <= MAX_ARGS;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;

	if (pipe2(rep, O_CLOEXEC) || pipe2(err, O_CLOEXEC) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl)) {
		perror("openvmm_hcl: pipe");
		return -1;
	}
	vm_pid = fork();
	if (vm_pid < 0) {
		perror("openvmm_hcl: fork");
		return -1;
	}
	if (!vm_pid) {
		/* above the targets first, so that no dup2 overwrites one */
		int r = fcntl(rep[1], F_DUPFD, 10);
		int c = fcntl(ctl[1], F_DUPFD, 10);

		if (r < 0 || c < 0)
			_exit(127);
		child_fd(r, HCL_REPORT_FD);
		child_fd(c, HCL_CONTROL_FD);
		child_fd(err[1], 2);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		execv(worker, argv);
		fprintf(stderr, "openvmm_hcl: exec %s: %s\n", worker,
			strerror(errno));
		_exit(127);
	}
	close(rep[1]);
	close(ctl[1]);
	close(err[1]);
	report_w.fd = rep[0];
	report_w.fn = on_report;
	ctl_w.fd = ctl[0];
	ctl_w.fn = on_ctl;
	fcntl(rep[0], F_SETFL, O_NONBLOCK);
	if (loop_watch(&report_w, EPOLLIN) || loop_watch(&ctl_w, EPOLLIN)) {
		perror("openvmm_hcl: epoll");
		return -1;
	}
	logs_add_pipe(err[0], "underhill_vm");
	pv_stage = "starting-vm";
	return 0;
}

void supervise_reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != vm_pid)
			continue;	/* not ours to report: reaped */
		vm_status = status;
		reaped = true;
		vm_pid = 0;
		if (!shutting)
			pv_stage = "vtl0-done";
	}
}

bool supervise_done(void)
{
	return reaped && report_eof;
}

pid_t supervise_pid(void)
{
	return vm_pid;
}

int supervise_status(void)
{
	return vm_status;
}

bool supervise_report(struct hcl_vm_report *rep)
{
	if (report_len != sizeof(report) || report.rep.magic != HCL_REPORT_MAGIC)
		return false;
	*rep = report.rep;
	return true;
}

static void shutdown_sent(void *ctx, bool ok, const char *text)
{
	(void)ctx;
	if (!ok)
		printf("openvmm_hcl: underhill_vm refused the power-off: %s\n",
		       text);
}

void supervise_shutdown(void)
{
	if (shutting)
		return;
	shutting = true;
	pv_stage = "shutting-down";
	shutdown_ms = uptime_ms();
	printf("openvmm_hcl: shutdown: stopping VTL0, underhill_vm and its workers\n");
	if (!vm_pid)
		return;
	if (cmd.busy)
		finish_cmd(false, "shutting down");
	if (supervise_command("poweroff", shutdown_sent, NULL))
		kill(vm_pid, SIGTERM);
}

bool supervise_shutting_down(void)
{
	return shutting;
}

void supervise_tick(void)
{
	uint64_t t;

	if (!shutting || !vm_pid)
		return;
	t = uptime_ms() - shutdown_ms;
	if (t >= 10000) {
		printf("openvmm_hcl: underhill_vm did not stop: SIGKILL\n");
		kill(vm_pid, SIGKILL);
	} else if (t >= 5000 && t < 6000) {
		printf("openvmm_hcl: underhill_vm did not stop: SIGTERM\n");
		kill(vm_pid, SIGTERM);
	}
}
