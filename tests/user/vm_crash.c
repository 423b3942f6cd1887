// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-vm-crash: underhill_vm, crashed while VTL0 runs, for the e2e boot
 * that checks what openvmm_hcl does when its VM worker dies
 * (scripts/check.sh, "underhill_vm crash").
 *
 * openvmm_hcl starts it as its VM worker (HCL_VM_WORKER=/bin/hcl-vm-crash
 * on the kernel command line).  It forks a watcher and execs
 * /bin/underhill_vm with its own arguments and file descriptors, so the
 * process openvmm_hcl supervises is the real underhill_vm, with its
 * report pipe and control socket.  The watcher waits until VP 0 has made
 * HCL_CRASH_EXITS exits to userspace (debugfs hcl/vp0, mounted here if
 * it is not; default 20: the test guest is well into its checks), then
 * sends underhill_vm SIGSEGV,
 * as a crash in one of its threads would.  It gives up after 60 s.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

#define VM	"/bin/underhill_vm"
#define VP0	"/sys/kernel/debug/hcl/vp0"

static long long user_exits(void)
{
	char line[128], key[64];
	long long val = -1, v;
	FILE *f = fopen(VP0, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", key, &v) == 2 &&
		    !strcmp(key, "user_exits"))
			val = v;
	fclose(f);
	return val;
}

static void watch(pid_t vm, long long want)
{
	int i;

	for (i = 0; i < 600; i++) {
		if (getppid() != vm)
			_exit(0);	/* it ended first */
		if (user_exits() >= want) {
			fprintf(stderr, "hcl-vm-crash: VP 0 made %lld exits to userspace: SIGSEGV to underhill_vm (pid %d)\n",
				user_exits(), vm);
			kill(vm, SIGSEGV);
			_exit(0);
		}
		usleep(100000);
	}
	fprintf(stderr, "hcl-vm-crash: VP 0 never made %lld exits\n", want);
	_exit(1);
}

int main(int argc, char **argv)
{
	const char *env = getenv("HCL_CRASH_EXITS");
	long long want = env && *env ? atoll(env) : 20;
	pid_t vm = getpid(), pid;

	(void)argc;
	if (access(VP0, F_OK) && access("/sys/kernel/debug/hcl", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	pid = fork();
	if (pid < 0) {
		perror("hcl-vm-crash: fork");
		return 1;
	}
	if (pid == 0) {
		/* gone with underhill_vm if the kill was never needed */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		watch(vm, want);
	}
	argv[0] = VM;
	execv(VM, argv);
	perror("hcl-vm-crash: " VM);
	return 1;
}
