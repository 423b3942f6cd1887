// SPDX-License-Identifier: GPL-2.0
/*
 * The device-worker sandbox, layer by layer: each test spawns a worker
 * with one layer (or all of them) and a probe that tries what the layer
 * must stop, then checks how the worker ended.  Probes return 0 when
 * everything they saw matched, else the number of the first mismatch.
 * Needs root (the sandbox maps uids and creates namespaces).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sandbox.h"
#include "sandbox_test.h"

#define KEPT SANDBOX_FIRST_FD

FIXTURE(sb) {
	char state[64];
	char outside[64];
	char secret[96];	/* a world-readable file outside the state */
	char inside[96];	/* a file inside the state directory */
	struct sandbox_policy p;
};

static void put_file(const char *path, const char *text, uid_t owner)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	if (fchown(fd, owner, owner))
		abort();
	close(fd);
}

FIXTURE_SETUP(sb)
{
	if (geteuid() != 0)
		SKIP(return, "the sandbox needs root");
	strcpy(self->state, "/tmp/hcl-sandbox-state-XXXXXX");
	strcpy(self->outside, "/tmp/hcl-sandbox-outside-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->state));
	ASSERT_NE(NULL, mkdtemp(self->outside));
	/* the worker owns its state; only the sandbox hides the rest */
	ASSERT_EQ(0, chown(self->state, NOBODY, NOBODY));
	ASSERT_EQ(0, chmod(self->outside, 0755));
	snprintf(self->secret, sizeof(self->secret), "%s/secret",
		 self->outside);
	snprintf(self->inside, sizeof(self->inside), "%s/inside",
		 self->state);
	put_file(self->secret, "secret", 0);
	put_file(self->inside, "inside", NOBODY);
	sandbox_policy_default(&self->p, SANDBOX_PROFILE_TEST, self->state);
}

FIXTURE_TEARDOWN(sb)
{
	if (geteuid() != 0)
		return;
	/* both, even when the first fails */
	if (remove_tree(self->state) | remove_tree(self->outside))
		TH_LOG("cleanup of %s, %s failed", self->state,
		       self->outside);
}

/* Spawns fn under p and waits for it; returns its wait status. */
static int run_worker(struct __test_metadata *_metadata,
		      const struct sandbox_policy *p, int (*fn)(void *),
		      void *arg, const int *keep, size_t nkeep)
{
	char err[300];
	int status = -1;
	pid_t pid;

	pid = sandbox_spawn(p, fn, arg, keep, nkeep, err, sizeof(err));
	if (pid < 0) {
		TH_LOG("sandbox_spawn: %s", err);
		return -1;
	}
	if (err[0])
		TH_LOG("sandbox_spawn warns: %s", err);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

#define EXPECT_EXIT0(st) do {						\
	int __st = (st);						\
	if (!(WIFEXITED(__st) && WEXITSTATUS(__st) == 0))		\
		TH_LOG("status 0x%x: exit %d, signal %d", __st,		\
		       WIFEXITED(__st) ? WEXITSTATUS(__st) : -1,	\
		       WIFSIGNALED(__st) ? WTERMSIG(__st) : -1);	\
	ASSERT_TRUE(WIFEXITED(__st) && WEXITSTATUS(__st) == 0);		\
} while (0)

#define EXPECT_SIGSYS(st) do {						\
	int __st = (st);						\
	if (!(WIFSIGNALED(__st) && WTERMSIG(__st) == SIGSYS))		\
		TH_LOG("status 0x%x: exit %d, signal %d", __st,		\
		       WIFEXITED(__st) ? WEXITSTATUS(__st) : -1,	\
		       WIFSIGNALED(__st) ? WTERMSIG(__st) : -1);	\
	ASSERT_TRUE(WIFSIGNALED(__st) && WTERMSIG(__st) == SIGSYS);	\
} while (0)

/* the control run: without the layer, the probe sees a mismatch */
#define EXPECT_PROBE_FAILS(st) do {					\
	int __st = (st);						\
	ASSERT_TRUE(WIFEXITED(__st) && WEXITSTATUS(__st) != 0);		\
} while (0)

/*
 * A probe that fails with no layer on (the control) must pass with
 * @layer alone.
 */
static void layer_alone(struct __test_metadata *_metadata,
			struct sandbox_policy *p, unsigned int layer,
			int (*probe)(void *), void *arg)
{
	p->layers = 0;
	EXPECT_PROBE_FAILS(run_worker(_metadata, p, probe, arg, NULL, 0));
	p->layers = layer;
	EXPECT_EXIT0(run_worker(_metadata, p, probe, arg, NULL, 0));
}

/* TCP @port on the loopback address */
static struct sockaddr_in loopback(unsigned short port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	return sin;
}

/* ---- probes: they run inside the worker --------------------------------- */

struct paths {
	const char *secret;	/* must not open */
	const char *inside;	/* must open */
	int abi;		/* Landlock ABI */
	unsigned short port;	/* a TCP port on lo */
	struct sockaddr_un un;	/* the host's abstract unix listener */
};

/* an abstract unix listener, reachable from this process */
static int unix_listener(struct __test_metadata *_metadata,
			 struct sockaddr_un *un)
{
	int u, c;

	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	snprintf(un->sun_path + 1, sizeof(un->sun_path) - 1,
		 "hcl-sandbox-test-%d", getpid());
	u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, u);
	ASSERT_EQ(0, bind(u, (struct sockaddr *)un, sizeof(*un)));
	ASSERT_EQ(0, listen(u, 4));
	/* control: it is reachable from the host's side */
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_EQ(0, connect(c, (struct sockaddr *)un, sizeof(*un)));
	close(c);
	return u;
}

/* open(path) fails with errno e */
static int denied(const char *path, int e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == e;
}

static int readable(const char *path)
{
	char buf[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == 6 && !memcmp(buf, "inside", 6);
}

static int probe_socket(void *arg)
{
	return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 1 : 2;
}

static int probe_execve(void *arg)
{
	char *argv[] = { "true", NULL };

	execve("/bin/true", argv, argv + 1);
	return 1;
}

static int probe_ptrace(void *arg)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return 1;
}

static int probe_mount(void *arg)
{
	mount("none", "/", "tmpfs", 0, NULL);
	return 1;
}

static int probe_fork(void *arg)
{
	return syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, 0) == 0 ? 2 : 1;
}

static int probe_mmap_exec(void *arg)
{
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		       MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return 2;	/* plain anonymous memory must work */
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
	     -1, 0);
	return 1;
}

static int probe_ioctl(void *arg)
{
	struct winsize ws;
	int n = -1;

	if (ioctl(KEPT, FIONREAD, &n) || n != 0)
		return 2;	/* the one allowed ioctl */
	ioctl(KEPT, TIOCGWINSZ, &ws);
	return 1;
}

static int probe_fcntl_dupfd(void *arg)
{
	if (fcntl(KEPT, F_GETFD) < 0)
		return 2;	/* an allowed command */
	fcntl(KEPT, F_DUPFD, 0);
	return 1;
}

static int probe_setrlimit(void *arg)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r))
		return 2;	/* reading is allowed */
	setrlimit(RLIMIT_NOFILE, &r);
	return 1;
}

/* the x32 ABI: the same syscall numbers with bit 30 set */
static int probe_x32(void *arg)
{
	syscall(0x40000000 | SYS_getpid);
	return 1;
}

/* the i386 ABI through int 0x80 (getpid is 20 there) */
static int probe_int80(void *arg)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	return 1;
}

/*
 * Landlock alone: outside EACCES, inside readable; from ABI 4 no TCP
 * connect (refused before routing, so lo's state does not matter), from
 * ABI 6 no abstract unix socket outside the domain.
 */
static int probe_landlock(void *arg)
{
	const struct paths *pa = arg;
	struct sockaddr_in sin = loopback(pa->port);
	int s;

	if (!denied(pa->secret, EACCES))
		return 1;
	if (!readable(pa->inside))
		return 2;
	if (!denied("/etc/hostname", EACCES) && !denied("/etc/hostname",
							ENOENT))
		return 3;
	if (pa->abi >= 4) {
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return 4;
		if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0 ||
		    errno != EACCES)
			return 5;
		close(s);
	}
	if (pa->abi >= 6) {
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return 6;
		if (connect(s, (const struct sockaddr *)&pa->un,
			    sizeof(pa->un)) == 0 || errno != EPERM)
			return 7;
		close(s);
	}
	return 0;
}

/* the mount view alone: outside absent, /proc absent, state at /state */
static int probe_mount_view(void *arg)
{
	const struct paths *pa = arg;
	struct stat st;

	if (!denied(pa->secret, ENOENT))
		return 1;
	if (!readable(SANDBOX_STATE_MOUNT "/inside"))
		return 2;
	if (stat("/proc/self", &st) == 0 || errno != ENOENT)
		return 3;
	if (stat("/dev/null", &st) == 0 || errno != ENOENT)
		return 4;
	if (!denied(pa->inside, ENOENT))	/* the host path is gone */
		return 5;
	/* the root is read-only */
	if (open("/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0600) >= 0 ||
	    errno != EROFS)
		return 6;
	return 0;
}

struct netns_arg {
	pid_t host_pid;
	unsigned short port;		/* TCP listener on the host's lo */
	struct sockaddr_un un;		/* abstract unix listener */
};

/* the namespaces alone: pid 1, nobody else, no network, own hostname */
static int probe_namespaces(void *arg)
{
	const struct netns_arg *a = arg;
	struct sockaddr_in sin = loopback(a->port);
	struct ifreq ifr = { 0 };
	char host[64], name[IF_NAMESIZE];
	int s;

	if (getpid() != 1)
		return 1;
	if (kill(a->host_pid, 0) == 0 || errno != ESRCH)
		return 2;
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 3;
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return 4;
	/* a new net ns: lo, down, and nothing else */
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) || (ifr.ifr_flags & IFF_UP))
		return 5;
	if (if_indextoname(2, name))
		return 6;
	close(s);
	/* abstract unix names are per net ns: the host's is not here */
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 7;
	if (connect(s, (const struct sockaddr *)&a->un, sizeof(a->un)) == 0 ||
	    errno != ECONNREFUSED)
		return 8;
	close(s);
	if (gethostname(host, sizeof(host)) || strcmp(host, "hcl-worker"))
		return 9;
	if (getuid() != NOBODY || getgid() != NOBODY)
		return 10;
	return 0;
}

/* everything: what the worker still has, under the test profile */
static int probe_all(void *arg)
{
	const struct paths *pa = arg;
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	struct rlimit r;
	int cap;

	if (getpid() != 1 || getuid() != NOBODY || getgid() != NOBODY)
		return 1;
	if (syscall(SYS_capget, &hdr, data))
		return 2;
	if (data[0].effective || data[0].permitted || data[0].inheritable ||
	    data[1].effective || data[1].permitted || data[1].inheritable)
		return 3;
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 0 ||
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0))
			return 4;
	if (cap < 38)	/* the loop must have looked at every cap */
		return 5;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 6;
	if (getrlimit(RLIMIT_NOFILE, &r) || r.rlim_cur != 16 ||
	    r.rlim_max != 16)
		return 7;
	if (getrlimit(RLIMIT_NPROC, &r) || r.rlim_max != 0)
		return 8;
	if (getrlimit(RLIMIT_CORE, &r) || r.rlim_max != 0)
		return 9;
	if (getrlimit(RLIMIT_FSIZE, &r) || r.rlim_max != 4u << 20)
		return 10;
	if (getrlimit(RLIMIT_AS, &r) || r.rlim_max != 256u << 20)
		return 11;
	if (!readable(SANDBOX_STATE_MOUNT "/inside"))
		return 12;
	if (!denied(pa->secret, ENOENT))
		return 13;
	return 0;
}

/* fds: the kept pipe is fd 3, the leaked fd (arg) is closed */
static int probe_fds(void *arg)
{
	int leaked = *(int *)arg;
	int fd;

	if (fcntl(KEPT, F_GETFD) < 0)
		return 1;
	if (fcntl(leaked, F_GETFD) >= 0 || errno != EBADF)
		return 2;
	for (fd = KEPT + 1; fd < 16; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			return 3;
	if (write(KEPT, "k", 1) != 1)
		return 4;
	return 0;
}

/* waits until the parent has looked at /proc/<pid>/status */
static int probe_wait(void *arg)
{
	char c;

	return read(KEPT, &c, 1) == 1 ? 0 : 1;
}

/* a TPM state save, as a libtpms worker does it, under the tpm profile */
static int probe_tpm_save(void *arg)
{
	char buf[64], *big;
	struct pollfd pfd = { .fd = KEPT, .events = POLLIN };
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	unsigned char rnd[32];
	struct timespec ts;
	ssize_t n;
	int fd;

	if (poll(&pfd, 1, 5000) != 1)
		return 1;
	n = recvmsg(KEPT, &mh, 0);
	if (n <= 0)
		return 2;
	big = malloc(1 << 20);	/* mmap'd by malloc */
	if (!big)
		return 3;
	memset(big, 1, 1 << 20);
	free(big);
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return 4;
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 5;
	fd = open(SANDBOX_STATE_MOUNT "/permall.tmp",
		  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 6;
	if (write(fd, buf, n) != n || fsync(fd) || close(fd))
		return 7;
	if (rename(SANDBOX_STATE_MOUNT "/permall.tmp",
		   SANDBOX_STATE_MOUNT "/permall"))
		return 8;
	if (unlink(SANDBOX_STATE_MOUNT "/inside"))	/* a used volatile */
		return 9;
	iov.iov_base = "saved";
	iov.iov_len = 5;
	if (sendmsg(KEPT, &mh, 0) != 5)
		return 10;
	return 0;
}

static int probe_never(void *arg)
{
	return 0;
}

/* the tpm profile: a second thread (pthread_create) and an eventfd */
static void *thread_main(void *arg)
{
	uint64_t one = 1;

	return write(*(int *)arg, &one, sizeof(one)) == sizeof(one) ?
		NULL : arg;
}

static int probe_thread(void *arg)
{
	pthread_t th;
	uint64_t v;
	void *ret;
	int efd;

	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return 1;
	if (pthread_create(&th, NULL, thread_main, &efd))
		return 2;
	if (pthread_join(th, &ret) || ret)
		return 3;
	if (read(efd, &v, sizeof(v)) != sizeof(v) || v != 1)
		return 4;
	return 0;
}

/* ---- seccomp alone: forbidden syscalls kill the worker --------------- */

#define SECCOMP_KILLS(name, probe)					\
TEST_F(sb, seccomp_kills_##name)					\
{									\
	int pfd[2];							\
									\
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));				\
	self->p.layers = SANDBOX_SECCOMP;				\
	EXPECT_SIGSYS(run_worker(_metadata, &self->p, probe, NULL,	\
				 &pfd[0], 1));				\
	close(pfd[0]);							\
	close(pfd[1]);							\
}

SECCOMP_KILLS(socket, probe_socket)
SECCOMP_KILLS(execve, probe_execve)
SECCOMP_KILLS(ptrace, probe_ptrace)
SECCOMP_KILLS(mount, probe_mount)
SECCOMP_KILLS(fork, probe_fork)
SECCOMP_KILLS(mmap_exec, probe_mmap_exec)
SECCOMP_KILLS(ioctl_other_than_fionread, probe_ioctl)
SECCOMP_KILLS(fcntl_dupfd, probe_fcntl_dupfd)
SECCOMP_KILLS(setrlimit, probe_setrlimit)
SECCOMP_KILLS(x32_abi, probe_x32)
SECCOMP_KILLS(i386_abi, probe_int80)

/* the same with every layer on, and under the tpm profile */
TEST_F(sb, all_layers_socket_kills)
{
	EXPECT_SIGSYS(run_worker(_metadata, &self->p, probe_socket, NULL,
				 NULL, 0));
}

#define TPM_PROFILE_KILLS(name, probe)					\
TEST_F(sb, tpm_profile_##name##_kills)					\
{									\
	self->p.profile = SANDBOX_PROFILE_TPM;				\
	EXPECT_SIGSYS(run_worker(_metadata, &self->p, probe, NULL,	\
				 NULL, 0));				\
}

TPM_PROFILE_KILLS(socket, probe_socket)

TEST_F(sb, tpm_profile_allows_threads)
{
	sandbox_policy_default(&self->p, SANDBOX_PROFILE_TPM, self->state);
	EXPECT_EXIT0(run_worker(_metadata, &self->p, probe_thread, NULL,
				NULL, 0));
}

TPM_PROFILE_KILLS(fork, probe_fork)

TPM_PROFILE_KILLS(execve, probe_execve)

/* ---- file system: Landlock alone, the mount view alone ----------------- */

TEST_F(sb, landlock_alone_denies_outside)
{
	struct paths pa = { .secret = self->secret, .inside = self->inside,
			    .abi = sandbox_landlock_abi(), .port = 1 };
	int u;

	if (pa.abi < 0)
		SKIP(return, "no Landlock in this kernel");
	TH_LOG("Landlock ABI %d", pa.abi);
	u = unix_listener(_metadata, &pa.un);
	/* control: without the layer, the file opens */
	layer_alone(_metadata, &self->p, SANDBOX_LANDLOCK, probe_landlock, &pa);
	close(u);
}

TEST_F(sb, mount_view_alone_hides_outside)
{
	struct paths pa = { .secret = self->secret, .inside = self->inside };

	layer_alone(_metadata, &self->p, SANDBOX_MOUNT, probe_mount_view, &pa);
}

/* ---- namespaces alone: processes, network ------------------------------ */

TEST_F(sb, namespaces_alone_hide_processes_and_network)
{
	struct sockaddr_in sin = loopback(0);
	socklen_t len = sizeof(sin);
	struct netns_arg a = { .host_pid = getpid() };
	int l, u, c;

	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, bind(l, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(l, 4));
	ASSERT_EQ(0, getsockname(l, (struct sockaddr *)&sin, &len));
	a.port = ntohs(sin.sin_port);
	/* control: TCP to it works from here when the host's lo is up */
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, c);
	if (connect(c, (struct sockaddr *)&sin, sizeof(sin)))
		TH_LOG("the host's lo is down: TCP is no control here");
	close(c);
	u = unix_listener(_metadata, &a.un);
	self->p.layers = SANDBOX_NAMESPACES | SANDBOX_CREDS;
	EXPECT_EXIT0(run_worker(_metadata, &self->p, probe_namespaces, &a,
				NULL, 0));
	close(u);
	close(l);
}

/* ---- the whole sandbox -------------------------------------------------- */

TEST_F(sb, all_layers_leave_nothing)
{
	struct paths pa = { .secret = self->secret, .inside = self->inside };

	EXPECT_EXIT0(run_worker(_metadata, &self->p, probe_all, &pa,
				NULL, 0));
}

TEST_F(sb, only_kept_fds_survive)
{
	int pfd[2], leaked;
	char c;

	ASSERT_EQ(0, pipe(pfd));
	leaked = fcntl(pfd[1], F_DUPFD, 20);	/* inheritable, not kept */
	ASSERT_LE(20, leaked);
	EXPECT_EXIT0(run_worker(_metadata, &self->p, probe_fds, &leaked,
				&pfd[1], 1));
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	close(pfd[0]);
	close(pfd[1]);
	close(leaked);
}

static long status_field(const char *status, const char *key)
{
	const char *s = strstr(status, key);

	return s ? strtol(s + strlen(key), NULL, 16) : -1;
}

/* what the host sees of a sandboxed worker in /proc/<pid>/status */
TEST_F(sb, host_view_of_the_worker)
{
	char path[64], status[4096], err[300];
	int pfd[2], fd, st;
	unsigned int uid[4], gid[4];
	ssize_t n;
	pid_t pid;

	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	pid = sandbox_spawn(&self->p, probe_wait, NULL, &pfd[0], 1, err,
			    sizeof(err));
	if (pid < 0)
		TH_LOG("sandbox_spawn: %s", err);
	ASSERT_LT(0, pid);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = read(fd, status, sizeof(status) - 1);
	close(fd);
	ASSERT_LT(0, n);
	status[n] = 0;
	ASSERT_EQ(1, write(pfd[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EXIT0(st);
	ASSERT_EQ(4, sscanf(strstr(status, "Uid:"), "Uid: %u %u %u %u",
			    &uid[0], &uid[1], &uid[2], &uid[3]));
	ASSERT_EQ(4, sscanf(strstr(status, "Gid:"), "Gid: %u %u %u %u",
			    &gid[0], &gid[1], &gid[2], &gid[3]));
	for (n = 0; n < 4; n++) {
		EXPECT_EQ(NOBODY, uid[n]);
		EXPECT_EQ(NOBODY, gid[n]);
	}
	/* no supplementary groups: nothing but blanks after the key */
	ASSERT_EQ(0, sscanf(strstr(status, "Groups:"), "Groups: %u",
			    &uid[0]));
	EXPECT_EQ(0, status_field(status, "CapInh:"));
	EXPECT_EQ(0, status_field(status, "CapPrm:"));
	EXPECT_EQ(0, status_field(status, "CapEff:"));
	EXPECT_EQ(0, status_field(status, "CapBnd:"));
	EXPECT_EQ(0, status_field(status, "CapAmb:"));
	EXPECT_EQ(1, status_field(status, "NoNewPrivs:"));
	EXPECT_EQ(2, status_field(status, "Seccomp:"));	/* filter mode */
	close(pfd[0]);
	close(pfd[1]);
}

TEST_F(sb, tpm_profile_saves_state_atomically)
{
	char path[128], buf[64];
	int sv[2], fd;
	ssize_t n;
	pid_t pid;
	char err[300];
	int st;

	self->p.profile = SANDBOX_PROFILE_TPM;
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				sv));
	pid = sandbox_spawn(&self->p, probe_tpm_save, NULL, &sv[1], 1, err,
			    sizeof(err));
	if (pid < 0)
		TH_LOG("sandbox_spawn: %s", err);
	ASSERT_LT(0, pid);
	close(sv[1]);	/* a dead worker then reads as EOF */
	ASSERT_EQ(12, send(sv[0], "permanent-v1", 12, 0));
	n = recv(sv[0], buf, sizeof(buf), 0);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EXIT0(st);
	ASSERT_EQ(5, n);
	ASSERT_EQ(0, memcmp(buf, "saved", 5));
	snprintf(path, sizeof(path), "%s/permall", self->state);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	ASSERT_EQ(12, n);
	ASSERT_EQ(0, memcmp(buf, "permanent-v1", 12));
	snprintf(path, sizeof(path), "%s/permall.tmp", self->state);
	ASSERT_NE(0, access(path, F_OK));
	ASSERT_NE(0, access(self->inside, F_OK));
	close(sv[0]);
}

/* rlimits alone (with an unprivileged uid, as NPROC needs) */
static int probe_rlimits(void *arg)
{
	char block[512] = { 0 };
	int fd, i, last = -1;
	void *m;

	for (i = 0; i < 32; i++) {
		fd = open(SANDBOX_STATE_MOUNT "/inside", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			break;
		last = fd;
	}
	if (i == 32 || errno != EMFILE || last != 15)
		return 1;
	for (fd = KEPT; fd <= last; fd++)
		close(fd);
	if (fork() >= 0 || errno != EAGAIN)
		return 2;
	m = mmap(NULL, 512u << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED || errno != ENOMEM)
		return 3;
	signal(SIGXFSZ, SIG_IGN);
	fd = open(SANDBOX_STATE_MOUNT "/big", O_WRONLY | O_CREAT | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return 4;
	for (i = 0; i < 8; i++)
		if (write(fd, block, sizeof(block)) != sizeof(block))
			return 5;
	if (write(fd, block, 1) >= 0 || errno != EFBIG)
		return 6;
	close(fd);
	return 0;
}

TEST_F(sb, rlimits_hold)
{
	self->p.layers = SANDBOX_NAMESPACES | SANDBOX_MOUNT |
			 SANDBOX_CREDS | SANDBOX_RLIMITS;
	self->p.fsize = 4096;
	EXPECT_EXIT0(run_worker(_metadata, &self->p, probe_rlimits, NULL,
				NULL, 0));
}

/* a kernel without Landlock, faked: landlock_create_ruleset -> ENOSYS */
static void hide_landlock(struct __test_metadata *_metadata)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	ASSERT_NE(NULL, ctx);
	ASSERT_EQ(0, seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				      SCMP_SYS(landlock_create_ruleset), 0));
	ASSERT_EQ(0, seccomp_load(ctx));
	seccomp_release(ctx);
	ASSERT_GT(0, sandbox_landlock_abi());
}

TEST_F(sb, no_landlock_refused_when_required)
{
	char err[300];

	hide_landlock(_metadata);
	self->p.landlock_mode = SANDBOX_LANDLOCK_REQUIRE;
	ASSERT_EQ(-1, sandbox_spawn(&self->p, probe_never, NULL, NULL, 0,
				    err, sizeof(err)));
	TH_LOG("%s", err);
	ASSERT_NE(NULL, strstr(err, "CONFIG_SECURITY_LANDLOCK"));
}

TEST_F(sb, no_landlock_warned_in_best_effort)
{
	struct paths pa = { .secret = self->secret, .inside = self->inside };
	char err[300];
	pid_t pid;
	int st;

	hide_landlock(_metadata);
	self->p.landlock_mode = SANDBOX_LANDLOCK_BEST_EFFORT;
	pid = sandbox_spawn(&self->p, probe_all, &pa, NULL, 0, err,
			    sizeof(err));
	ASSERT_LT(0, pid);
	TH_LOG("%s", err);
	ASSERT_NE(NULL, strstr(err, "continuing without it"));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EXIT0(st);	/* the other layers still hold */
}

/* ---- policy errors and the tables --------------------------------------- */

TEST_F(sb, root_worker_is_refused)
{
	char err[300];

	self->p.uid = 0;
	ASSERT_EQ(-1, sandbox_spawn(&self->p, probe_never, NULL, NULL, 0,
				    err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "must not be 0"));
}

TEST_F(sb, mount_view_needs_a_state_dir)
{
	char err[300];

	self->p.state_dir = NULL;
	ASSERT_EQ(-1, sandbox_spawn(&self->p, probe_never, NULL, NULL, 0,
				    err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "no state directory"));
}

TEST(profiles_name_real_syscalls_with_reasons)
{
	const struct sandbox_syscall_rule *r;
	size_t n, i;
	int prof;

	for (prof = 0; prof < SANDBOX_PROFILE_COUNT; prof++) {
		r = sandbox_profile_rules(prof, &n);
		ASSERT_NE(NULL, r);
		ASSERT_LT(0, n);
		for (i = 0; i < n; i++) {
			EXPECT_NE(__NR_SCMP_ERROR,
				  seccomp_syscall_resolve_name(r[i].name))
				TH_LOG("%s: %s", sandbox_profile_name(prof),
				       r[i].name);
			EXPECT_LT(10, strlen(r[i].why));
			EXPECT_GE(2, r[i].nargs);
			EXPECT_LE(0, r[i].fail_errno);
		}
	}
	r = sandbox_profile_rules(SANDBOX_PROFILE_COUNT, &n);
	EXPECT_EQ(NULL, r);
	EXPECT_EQ(0, n);
}

/* ---- exec'd workers: sandbox_spawn_exec + sandbox_exec_enter -------- */

/* worker mode of this program: --sandbox-worker PROBE STATE SECRET */
static int exec_worker_main(char **argv)
{
	struct paths pa = { .secret = argv[4], .inside = "" };
	struct sandbox_policy p;

	sandbox_policy_default(&p, SANDBOX_PROFILE_TEST, argv[3]);
	if (sandbox_exec_enter(&p))
		return 126;
	if (!strcmp(argv[2], "all"))
		return probe_all(&pa);
	if (!strcmp(argv[2], "socket"))
		return probe_socket(NULL);
	return 125;
}

static pid_t spawn_exec(FIXTURE_DATA(sb) *self, const char *probe,
			char *err, size_t errlen)
{
	static char self_exe[256];
	char *argv[] = { self_exe, "--sandbox-worker", (char *)probe,
			 self->state, self->secret, NULL };
	ssize_t n;

	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0)
		return -1;
	self_exe[n] = 0;
	return sandbox_spawn_exec(&self->p, self_exe, argv, NULL, 0, err,
				  errlen);
}

static int wait_exec(struct __test_metadata *_metadata, pid_t pid,
		     const char *err)
{
	int st = -1;

	if (pid < 0) {
		TH_LOG("sandbox_spawn_exec: %s", err);
		return -1;
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

TEST_F(sb, exec_worker_all_layers_leave_nothing)
{
	char err[300];
	pid_t pid = spawn_exec(self, "all", err, sizeof(err));

	EXPECT_EXIT0(wait_exec(_metadata, pid, err));
}

TEST_F(sb, exec_worker_socket_kills)
{
	char err[300];
	pid_t pid = spawn_exec(self, "socket", err, sizeof(err));

	EXPECT_SIGSYS(wait_exec(_metadata, pid, err));
}

TEST_F(sb, exec_worker_missing_program_reported)
{
	char *argv[] = { "nothing", NULL };
	char err[300];

	ASSERT_EQ(-1, sandbox_spawn_exec(&self->p, "/nonexistent/worker",
					 argv, NULL, 0, err, sizeof(err)));
	TH_LOG("%s", err);
	ASSERT_NE(NULL, strstr(err, "exec /nonexistent/worker"));
}

static volatile int churn_stop;

/* another thread of the supervisor, busy in malloc all the time */
static void *churn(void *arg)
{
	while (!churn_stop)
		free(malloc(64 + (rand() & 4095)));
	return NULL;
}

/* 20 sandboxed execs: minutes on a debug kernel (make check-debug) */
TEST_F_TIMEOUT(sb, exec_worker_from_a_busy_threaded_supervisor, 300)
{
	struct timespec t0, t1;
	pthread_t th;
	char err[300];
	int i;
	double ready_us = 0;

	churn_stop = 0;
	ASSERT_EQ(0, pthread_create(&th, NULL, churn, NULL));
	for (i = 0; i < 20; i++) {
		pid_t pid;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		pid = spawn_exec(self, "all", err, sizeof(err));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ready_us += (t1.tv_sec - t0.tv_sec) * 1e6 +
			    (t1.tv_nsec - t0.tv_nsec) / 1e3;
		EXPECT_EXIT0(wait_exec(_metadata, pid, err));
	}
	churn_stop = 1;
	pthread_join(th, NULL);
	/* information, not a limit: spawn until fully sandboxed */
	TH_LOG("spawn_exec to sandboxed: %.0f us on average", ready_us / 20);
}

/* the supervisor dies: its worker must not outlive it */
TEST_F(sb, worker_dies_with_its_supervisor)
{
	int pfd[2], hold[2], st;
	pid_t sup, worker = -1;

	/* orphans come to us, so the worker's end can be seen */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(hold, O_CLOEXEC));	/* keeps probe_wait waiting */
	sup = fork();
	ASSERT_LE(0, sup);
	if (sup == 0) {
		char err[300];
		pid_t w = sandbox_spawn(&self->p, probe_wait, NULL, &hold[0], 1,
					err, sizeof(err));

		if (write(pfd[1], &w, sizeof(w)) != sizeof(w))
			_exit(1);
		_exit(w > 0 ? 0 : 1);	/* dies with a live worker */
	}
	ASSERT_EQ(sizeof(worker), read(pfd[0], &worker, sizeof(worker)));
	ASSERT_LT(0, worker);
	ASSERT_EQ(sup, waitpid(sup, &st, 0));
	ASSERT_EQ(worker, waitpid(worker, &st, 0));
	if (!WIFSIGNALED(st))
		TH_LOG("worker status 0x%x", st);
	ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(hold[0]);
	close(hold[1]);
	close(pfd[0]);
	close(pfd[1]);
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "--sandbox-worker"))
		return exec_worker_main(argv);
	/* started by underhill_init (HCL_EXEC) in VTL2: "--pid FILE" */
	if (argc == 3 && !strcmp(argv[1], "--pid"))
		argc = 1;
	return test_harness_run(argc, argv);
}
