// SPDX-License-Identifier: GPL-2.0
/*
 * underhill_init: PID 1 of VTL2.
 *
 * Mounts the kernel filesystems, gives itself a console, sets the
 * environment and resource limits, loads hcl.ko with the "hcl.*"
 * parameters of the kernel command line (as modprobe would), and execs
 * the control process, /bin/openvmm_hcl.  KEY=VALUE words of the command
 * line arrive in our environment from the kernel and are passed on as-is.
 *
 * HCL_EXEC=<path> execs another program instead (the in-VM test runner
 * uses this); HCL_MODULE=<path> loads another module file.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cmdline.h"
#include "lib/sys.h"

#define DEFAULT_EXEC	"/bin/openvmm_hcl"
#define DEFAULT_MODULE	"/lib/modules/hcl.ko"

static void die(const char *what)
{
	fprintf(stderr, "underhill_init: %s: %s\n", what, strerror(errno));
	hcl_poweroff(1);
}

static void do_mount(const char *src, const char *dst, const char *type,
		     unsigned long flags, const char *data)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, flags, data) && errno != EBUSY) {
		char msg[128];

		snprintf(msg, sizeof(msg), "mount %s on %s", type, dst);
		die(msg);
	}
}

static void setup_console(void)
{
	int fd;

	/* the kernel opened /dev/console for us if the initramfs had it */
	if (fcntl(1, F_GETFD) != -1)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

static void set_limits(void)
{
	static const struct {
		int res;
		rlim_t cur, max;
	} lim[] = {
		{ RLIMIT_NOFILE, 65536, 65536 },
		{ RLIMIT_MEMLOCK, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_CORE, 0, 0 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		struct rlimit rl = { lim[i].cur, lim[i].max };

		if (setrlimit(lim[i].res, &rl))
			die("setrlimit");
	}
}

static void load_module(const char *path)
{
	char line[4096], params[2048];
	ssize_t n;
	int fd;

	fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		die("open /proc/cmdline");
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n < 0)
		die("read /proc/cmdline");
	line[n] = 0;
	if (cmdline_module_params(line, "hcl", params, sizeof(params)) < 0) {
		errno = EINVAL;
		die("parse hcl.* parameters on the kernel command line");
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	if (syscall(SYS_finit_module, fd, params, 0) && errno != EEXIST)
		die("load hcl.ko (see the kernel log above)");
	close(fd);
	printf("underhill_init: loaded %s (%s)\n", path, params);
}

int main(int argc, char **argv)
{
	uint64_t tsc0 = hcl_rdtsc(), t0 = hcl_now_ns();
	const char *exec_path, *module;
	char stamp[32];

	(void)argc;
	do_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		 NULL);
	do_mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		 NULL);
	do_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	setup_console();
	do_mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		 "gid=5,mode=0620,ptmxmode=0666");
	do_mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	do_mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	setvbuf(stdout, NULL, _IOLBF, 0);

	setenv("PATH", "/bin:/sbin", 1);
	setenv("HOME", "/", 1);
	if (!getenv("TERM"))
		setenv("TERM", "linux", 1);
	snprintf(stamp, sizeof(stamp), "%" PRIu64, tsc0);
	setenv(HCL_ENV_TSC_INIT, stamp, 1);
	snprintf(stamp, sizeof(stamp), "%" PRIu64, t0);
	setenv(HCL_ENV_BOOT_NS_INIT, stamp, 1);
	set_limits();

	module = getenv("HCL_MODULE");
	load_module(module && *module ? module : DEFAULT_MODULE);

	exec_path = getenv("HCL_EXEC");
	if (!exec_path || !*exec_path)
		exec_path = DEFAULT_EXEC;
	argv[0] = (char *)exec_path;
	execv(exec_path, argv);
	die(exec_path);
}
