// SPDX-License-Identifier: GPL-2.0
/* underhill_vm's control socket to openvmm_hcl (see control.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "devworker.h"
#include "sys.h"
#include "vm.h"

static int ctl_fd = -1;
static struct vm *ctl_vm;

void control_send(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (ctl_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	/* never wait for openvmm_hcl: a full socket drops the line */
	send(ctl_fd, line, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* "name pid state crashes last-exit", the last with spaces as '-' */
static void send_workers(void)
{
	static const char *const states[] = {
		[DW_DOWN] = "down", [DW_HELLO] = "starting",
		[DW_UP] = "up", [DW_STOPPED] = "stopped",
	};
	struct devworker *dw;
	char last[48];

	for (unsigned int i = 0; (dw = devworker_nth(i)); i++) {
		pthread_mutex_lock(&dw->lock);
		snprintf(last, sizeof(last), "%s",
			 dw->last_exit[0] ? dw->last_exit : "-");
		for (char *p = last; *p; p++)
			if (*p == ' ')
				*p = '-';
		control_send("worker %s %d %s %u %s", dw->cfg.name,
			     (int)dw->pid, states[dw->state], dw->crashes,
			     last);
		pthread_mutex_unlock(&dw->lock);
	}
	control_send("end");
}

static void host_stop(enum hcl_host_stop how)
{
	struct vm *vm = ctl_vm;
	int ev = how == HCL_HOST_STOP_POWEROFF ? VM_EVENT_POWEROFF :
		 VM_EVENT_RESET;

	if (!vm_event_raise(&vm->events, ev,
			    how == HCL_HOST_STOP_POWEROFF ? 0 : VM_RESET_HOST,
			    ~0u)) {
		control_send("error VTL0 is already stopping");
		return;
	}
	vm->host_stop = how;
	printf("underhill_vm: VTL0 %s by the host\n",
	       how == HCL_HOST_STOP_POWEROFF ? "powered off" : "reset");
	control_send("ok");
	vm_stop(vm);
}

static void input(struct loop *loop, void *arg, int fd, unsigned int revents)
{
	char line[256];
	struct devworker *dw;
	ssize_t n;

	(void)arg;
	n = recv(fd, line, sizeof(line) - 1, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || (revents & (POLLHUP | POLLERR))) {
		/* openvmm_hcl is gone: nobody to report to */
		loop_del_fd(loop, fd);
		close(fd);
		ctl_fd = -1;
		return;
	}
	line[n] = 0;
	if (!strcmp(line, "poweroff")) {
		host_stop(HCL_HOST_STOP_POWEROFF);
	} else if (!strcmp(line, "reset")) {
		host_stop(HCL_HOST_STOP_RESET);
	} else if (!strcmp(line, "workers")) {
		send_workers();
	} else if (!strncmp(line, "restart ", 8)) {
		for (unsigned int i = 0; (dw = devworker_nth(i)); i++)
			if (!strcmp(dw->cfg.name, line + 8))
				break;
		if (!dw)
			control_send("error no worker %s", line + 8);
		else if (devworker_kill(dw, SIGKILL))
			control_send("error worker %s is not running",
				     line + 8);
		else
			control_send("ok");
	} else {
		control_send("error unknown command");
	}
}

static void worker_exited(const struct devworker *dw, pid_t pid, int status)
{
	int code = -1, sig = 0;

	if (status != -1 && WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (status != -1 && WIFSIGNALED(status))
		sig = WTERMSIG(status);
	control_send("worker-exit %s %d %d %d %s; restart %u in %u ms",
		     dw->cfg.name, (int)pid, code, sig, dw->last_exit,
		     dw->crashes, dw->backoff_ms);
}

int control_init(struct vm *vm)
{
	struct stat st;
	int ret;

	if (fstat(HCL_CONTROL_FD, &st) || !S_ISSOCK(st.st_mode))
		return 0;
	/* the device workers must not inherit it */
	if (fcntl(HCL_CONTROL_FD, F_SETFD, FD_CLOEXEC))
		return -errno;
	ret = loop_add_fd(vm->loop, HCL_CONTROL_FD, input, NULL);
	if (ret)
		return ret;
	ctl_fd = HCL_CONTROL_FD;
	ctl_vm = vm;
	devworker_set_exit_hook(worker_exited);
	return 0;
}
