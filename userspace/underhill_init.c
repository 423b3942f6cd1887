// SPDX-License-Identifier: GPL-2.0
/*
 * underhill_init: PID 1 of VTL2, in OpenHCL's order:
 *
 *  1. the kernel filesystems: proc, sysfs (nosuid, nodev, noexec), devtmpfs
 *     and devpts (nosuid, noexec), plus tmpfs on /run and /tmp;
 *  2. kernel settings for a small, single-purpose VTL2 (threads-max,
 *     kptr_restrict, transparent huge pages on madvise, panic on OOM, the
 *     page allocator's watermarks);
 *  3. host entropy from /proc/device-tree/openhcl/entropy, if the
 *     shim passed any, credited to the kernel's pool;
 *  4. the boot modules: every *.ko under /lib/modules, directories and
 *     files in sorted order (000/, 001/, ...), each with its
 *     "module.param=value" words of the kernel command line; then
 *     /lib/modules is deleted, its memory is VTL2's;
 *  5. RLIMIT_NOFILE raised for the children;
 *  6. openvmm_hcl is spawned (not exec'd) with "--pid /run/underhill.pid";
 *     init stays as the reaper of orphans until it exits, then powers the
 *     VM off with failure (openvmm_hcl powers off itself on its way out).
 *
 * Unlike OpenHCL, stdout and stderr stay on the console: the serial
 * console is how make run and the tests see VTL2.  KEY=VALUE words of the
 * kernel command line arrive in our environment from the kernel and are
 * passed on; KERNEL_BOOT_TIME (CLOCK_BOOTTIME ns) and the TSC at our start
 * are added for the boot timeline.
 *
 * HCL_EXEC=<path> spawns another program instead of openvmm_hcl (the
 * in-VM test runner and the benchmark use this); HCL_EXEC_ARGS=a,b,c
 * gives it those arguments instead of "--pid FILE".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/random.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cmdline.h"
#include "lib/sys.h"

#define DEFAULT_EXEC	"/bin/openvmm_hcl"
#define MODULE_DIR	"/lib/modules"
#define ENTROPY_PATH	"/proc/device-tree/openhcl/entropy"
#define ENTROPY_MAX	256

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

/* one setting; a knob this kernel does not have is skipped */
static void write_setting(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno != ENOENT)
			fprintf(stderr, "underhill_init: %s: %s\n", path,
				strerror(errno));
		return;
	}
	if (write(fd, value, strlen(value)) < 0)
		fprintf(stderr, "underhill_init: %s = %s: %s\n", path, value,
			strerror(errno));
	close(fd);
}

static void kernel_settings(void)
{
	static const char *const set[][2] = {
		{ "/proc/sys/kernel/threads-max", "32768" },
		{ "/proc/sys/kernel/kptr_restrict", "1" },
		{ "/sys/kernel/mm/transparent_hugepage/enabled", "madvise" },
		{ "/proc/sys/vm/panic_on_oom", "1" },
		{ "/proc/sys/vm/min_free_kbytes", "1024" },
		{ "/proc/sys/vm/watermark_scale_factor", "1" },
		{ "/proc/sys/vm/watermark_boost_factor", "0" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		write_setting(set[i][0], set[i][1]);
}

/* the host's entropy, as the shim passed it on; none is fine */
static void add_host_entropy(void)
{
	struct {
		struct rand_pool_info info;
		uint8_t buf[ENTROPY_MAX];
	} e;
	ssize_t n;
	int fd;

	fd = open(ENTROPY_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, e.buf, sizeof(e.buf));
	close(fd);
	if (n <= 0)
		return;
	e.info.entropy_count = n * 8;
	e.info.buf_size = n;
	fd = open("/dev/random", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, RNDADDENTROPY, &e.info))
		fprintf(stderr, "underhill_init: crediting %zd bytes of host entropy: %s\n",
			n, strerror(errno));
	else
		printf("underhill_init: %zd bytes of host entropy\n", n);
	if (fd >= 0)
		close(fd);
	memset(&e, 0, sizeof(e));
}

static char cmdline[4096];

static void read_cmdline(void)
{
	ssize_t n;
	int fd;

	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /proc/cmdline");
	n = read(fd, cmdline, sizeof(cmdline) - 1);
	close(fd);
	if (n < 0)
		die("read /proc/cmdline");
	cmdline[n] = 0;
}

static void load_module(const char *path, const char *file)
{
	char name[64], params[2048];
	size_t len = strlen(file) - 3;	/* without ".ko" */
	int fd;

	if (len >= sizeof(name)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	memcpy(name, file, len);
	name[len] = 0;
	if (cmdline_module_params(cmdline, name, params, sizeof(params)) < 0) {
		errno = EINVAL;
		die("parse module parameters on the kernel command line");
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	if (syscall(SYS_finit_module, fd, params, 0) && errno != EEXIST) {
		fprintf(stderr, "underhill_init: load %s (see the kernel log above): %s\n",
			path, strerror(errno));
		hcl_poweroff(1);
	}
	close(fd);
	printf("underhill_init: loaded %s%s%s\n", path, *params ? " " : "",
	       params);
}

static int ends_with_ko(const char *s)
{
	size_t n = strlen(s);

	return n > 3 && !strcmp(s + n - 3, ".ko");
}

/* loads (or with @remove, deletes) the tree under @dir in sorted order */
static void walk_modules(const char *dir, int remove)
{
	struct dirent **ents;
	char path[512];
	struct stat st;
	int i, n;

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		if (errno == ENOENT && !strcmp(dir, MODULE_DIR))
			return;
		die(dir);
	}
	for (i = 0; i < n; i++) {
		const char *e = ents[i]->d_name;

		if (!strcmp(e, ".") || !strcmp(e, ".."))
			goto next;
		snprintf(path, sizeof(path), "%s/%s", dir, e);
		if (lstat(path, &st))
			die(path);
		if (S_ISDIR(st.st_mode))
			walk_modules(path, remove);
		else if (remove)
			unlink(path);
		else if (S_ISREG(st.st_mode) && ends_with_ko(e))
			load_module(path, e);
next:
		free(ents[i]);
	}
	free(ents);
	if (remove && strcmp(dir, MODULE_DIR))
		rmdir(dir);
}

#define MAX_EXEC_ARGS	16

static pid_t spawn(const char *path)
{
	char *argv[MAX_EXEC_ARGS + 2] = { (char *)path, "--pid",
					  "/run/underhill.pid", NULL };
	const char *args = getenv("HCL_EXEC_ARGS");
	char *copy, *tok, *save = NULL;
	int argc = 1;
	pid_t pid;

	if (args && *args) {
		copy = strdup(args);
		if (!copy)
			die("HCL_EXEC_ARGS");
		for (tok = strtok_r(copy, ",", &save);
		     tok && argc <= MAX_EXEC_ARGS;
		     tok = strtok_r(NULL, ",", &save))
			argv[argc++] = tok;
		argv[argc] = NULL;
	}
	pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execv(path, argv);
		fprintf(stderr, "underhill_init: exec %s: %s\n", path,
			strerror(errno));
		_exit(127);
	}
	return pid;
}

int main(void)
{
	uint64_t tsc0 = hcl_rdtsc(), t0 = hcl_now_ns();
	struct rlimit nofile = { 0x100000, 0x100000 };
	const char *exec_path;
	char stamp[32];
	int status;
	pid_t child, pid;

	do_mount("proc", "/proc", "proc",
		 MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, NULL);
	do_mount("sysfs", "/sys", "sysfs",
		 MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, NULL);
	do_mount("devtmpfs", "/dev", "devtmpfs",
		 MS_NOSUID | MS_NOEXEC | MS_RELATIME, "mode=0755");
	setup_console();
	do_mount("devpts", "/dev/pts", "devpts",
		 MS_NOSUID | MS_NOEXEC | MS_RELATIME,
		 "gid=5,mode=0620,ptmxmode=0666");
	do_mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	do_mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	setvbuf(stdout, NULL, _IOLBF, 0);

	kernel_settings();
	add_host_entropy();

	setenv("PATH", "/bin:/sbin", 1);
	setenv("HOME", "/", 1);
	if (!getenv("TERM"))
		setenv("TERM", "linux", 1);
	snprintf(stamp, sizeof(stamp), "%" PRIu64, t0);
	setenv(HCL_ENV_BOOT_NS_INIT, stamp, 1);
	snprintf(stamp, sizeof(stamp), "%" PRIu64, tsc0);
	setenv(HCL_ENV_TSC_INIT, stamp, 1);

	read_cmdline();
	walk_modules(MODULE_DIR, 0);
	walk_modules(MODULE_DIR, 1);

	/* no core dumps; many files and locked memory for the workers */
	if (setrlimit(RLIMIT_NOFILE, &nofile))
		die("setrlimit RLIMIT_NOFILE");
	if (setrlimit(RLIMIT_MEMLOCK, &(struct rlimit){ RLIM_INFINITY,
							RLIM_INFINITY }) ||
	    setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 }))
		die("setrlimit");

	exec_path = getenv("HCL_EXEC");
	if (!exec_path || !*exec_path)
		exec_path = DEFAULT_EXEC;
	child = spawn(exec_path);
	for (;;) {
		pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			die("wait");
		}
		if (pid == child)
			break;
	}
	if (WIFEXITED(status))
		fprintf(stderr, "underhill_init: %s exited with status %d\n",
			exec_path, WEXITSTATUS(status));
	else
		fprintf(stderr, "underhill_init: %s killed by signal %d\n",
			exec_path, WTERMSIG(status));
	hcl_poweroff(1);
}
