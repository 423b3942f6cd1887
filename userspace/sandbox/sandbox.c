// SPDX-License-Identifier: GPL-2.0
/*
 * The device-worker jail.  sandbox_spawn() clones the worker into new
 * namespaces, the parent maps its ids, the child keeps only the fds it
 * was given and then sandbox_enter() closes the rest of the doors, most
 * powerful first, each step needing what the previous ones still allow:
 *
 *   1. namespaces (clone): user, PID, IPC, net, UTS and mount.  The
 *      worker is PID 1 of its PID namespace: it is the only process
 *      there, never forks (seccomp refuses it) so it has no children to
 *      reap, and its death ends the namespace.  A separate init would be
 *      a second process per device for nothing.
 *   2. fds: everything but stdio and the kept fds is closed.
 *   3. mount view: a read-only tmpfs root holding only the state
 *      directory (nosuid, nodev, noexec); no /proc, /dev or /sys.
 *      pivot_root where it can; from an initramfs root (VTL2), which
 *      pivot_root refuses, a move over / and chroot instead.
 *      Needs CAP_SYS_ADMIN in the user namespace, so before 4.
 *   4. credentials: securebits locked, bounding and ambient sets
 *      emptied, no supplementary groups, the unprivileged uid/gid,
 *      every capability set zero; the parent-death signal, which the
 *      id switch cleared, armed again.  Needs CAP_SETPCAP/SETUID/SETGID,
 *      which it gives up.
 *   5. rlimits, soft = hard, so they cannot be raised again.
 *   6. no_new_privs: nothing it could still exec would gain privilege,
 *      and 7 and 8 need it once the capabilities are gone.
 *   7. Landlock: file access only beneath the state directory, no TCP,
 *      no abstract unix sockets or signals out of its domain.
 *   8. seccomp last: its allow-list then only has to cover the worker
 *      itself, not the setup above.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"

/*
 * Landlock UAPI, spelled out here: the build host's headers may predate
 * the ABI versions the running kernel offers.
 */
#define LL_CREATE_RULESET_VERSION	(1u << 0)
#define LL_RULE_PATH_BENEATH		1
#define LL_FS_EXECUTE			(1ull << 0)
#define LL_FS_WRITE_FILE		(1ull << 1)
#define LL_FS_READ_FILE			(1ull << 2)
#define LL_FS_READ_DIR			(1ull << 3)
#define LL_FS_REMOVE_DIR		(1ull << 4)
#define LL_FS_REMOVE_FILE		(1ull << 5)
#define LL_FS_MAKE_REG			(1ull << 8)
#define LL_FS_V1			((1ull << 13) - 1)
#define LL_FS_REFER			(1ull << 13)	/* ABI 2 */
#define LL_FS_TRUNCATE			(1ull << 14)	/* ABI 3 */
#define LL_FS_IOCTL_DEV			(1ull << 15)	/* ABI 5 */
#define LL_NET_BIND_TCP			(1ull << 0)	/* ABI 4 */
#define LL_NET_CONNECT_TCP		(1ull << 1)
#define LL_SCOPE_ABSTRACT_UNIX		(1ull << 0)	/* ABI 6 */
#define LL_SCOPE_SIGNAL			(1ull << 1)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

#define SANDBOX_UID_NOBODY	65534

void sandbox_policy_default(struct sandbox_policy *p,
			    enum sandbox_profile profile,
			    const char *state_dir)
{
	memset(p, 0, sizeof(*p));
	p->layers = SANDBOX_ALL;
	p->profile = profile;
	p->landlock_mode = SANDBOX_LANDLOCK_REQUIRE;
	p->state_dir = state_dir;
	p->uid = SANDBOX_UID_NOBODY;
	p->gid = SANDBOX_UID_NOBODY;
	p->inner_uid = SANDBOX_UID_NOBODY;
	p->inner_gid = SANDBOX_UID_NOBODY;
	p->nofile = 16;
	/*
	 * Counted per uid in the worker's own user namespace, threads
	 * included: the test worker has none, the tpm worker an engine
	 * thread or two.  Processes are seccomp's business (clone is only
	 * allowed with a thread's flags).
	 */
	p->nproc = profile == SANDBOX_PROFILE_TPM ? 4 : 0;
	p->as = 256ull << 20;
	p->fsize = 4ull << 20;
	p->keep_stdio = 1;
}

int sandbox_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
			   LL_CREATE_RULESET_VERSION);

	return abi < 0 ? -1 : (int)abi;
}

#define fail(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } \
	while (0)

/* ---- 3. the mount view -------------------------------------------------- */

static int enter_mounts(const struct sandbox_policy *p, char *err,
			size_t errlen)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			    MOUNT_ATTR_NOEXEC,
	};
	char inner[4096];
	int tree;

	if (!p->state_dir)
		fail("mount view: the policy has no state directory");
	if (snprintf(inner, sizeof(inner), "%s%s", p->state_dir,
		     SANDBOX_STATE_MOUNT) >= (int)sizeof(inner))
		fail("mount view: state directory path too long");
	/*
	 * In a user namespace, files are created with the fsuid, and our
	 * uid (0 outside) has no mapping there: create as the worker.
	 */
	if (p->layers & SANDBOX_NAMESPACES) {
		setfsgid(p->inner_gid);
		setfsuid(p->inner_uid);
		if ((uid_t)setfsuid(-1) != p->inner_uid)
			fail("mount view: setfsuid %u failed", p->inner_uid);
	}
	/* nothing done here may propagate back to the host's mounts */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		fail("mount view: make / private: %s", strerror(errno));
	/* a detached copy of the state directory, before it is covered */
	tree = syscall(SYS_open_tree, AT_FDCWD, p->state_dir,
		       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		fail("mount view: open_tree %s: %s", p->state_dir,
		     strerror(errno));
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr,
		    sizeof(attr))) {
		close(tree);
		fail("mount view: state nosuid,nodev,noexec: %s",
		     strerror(errno));
	}
	/* the new root: a tiny tmpfs over the state directory's path */
	if (mount("tmpfs", p->state_dir, "tmpfs",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=16k,nr_inodes=16,mode=0755")) {
		close(tree);
		fail("mount view: tmpfs root: %s", strerror(errno));
	}
	if (mkdir(inner, 0755) ||
	    syscall(SYS_move_mount, tree, "", AT_FDCWD, inner,
		    MOVE_MOUNT_F_EMPTY_PATH)) {
		close(tree);
		fail("mount view: attach state: %s", strerror(errno));
	}
	close(tree);
	if (chdir(p->state_dir))
		fail("mount view: chdir to the new root: %s", strerror(errno));
	/*
	 * pivot_root(".", ".") stacks the old root on the new one; the
	 * detach then drops the old root and with it every host mount,
	 * /proc included.
	 */
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		if (umount2(".", MNT_DETACH) || chdir("/"))
			fail("mount view: detach the old root: %s",
			     strerror(errno));
	} else if (errno == EINVAL) {
		/*
		 * The root is the initramfs (rootfs, as in VTL2), which
		 * pivot_root cannot move.  Move the new root over it and
		 * chroot, as switch_root does: the old mounts stay below,
		 * unreachable by path, and reaching them otherwise needs
		 * mount syscalls and capabilities the worker will not have.
		 */
		if (mount(".", "/", NULL, MS_MOVE, NULL) || chroot(".") ||
		    chdir("/"))
			fail("mount view: move the new root over rootfs: %s",
			     strerror(errno));
	} else {
		fail("mount view: pivot_root: %s", strerror(errno));
	}
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY |
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		fail("mount view: read-only root: %s", strerror(errno));
	return 0;
}

/* ---- 4. credentials ----------------------------------------------------- */

static int enter_creds(const struct sandbox_policy *p, char *err,
		       size_t errlen)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };
	int in_ns = !!(p->layers & SANDBOX_NAMESPACES);
	uid_t uid = in_ns ? p->inner_uid : p->uid;
	gid_t gid = in_ns ? p->inner_gid : p->gid;
	unsigned int i;
	int cap;

	if (uid == 0 || gid == 0 || p->uid == 0 || p->gid == 0)
		fail("credentials: the worker's uid and gid must not be 0");
	/* uid 0 (in any namespace) never means capabilities again */
	if (prctl(PR_SET_SECUREBITS,
		  SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
		  SECBIT_KEEP_CAPS_LOCKED |
		  SECBIT_NO_CAP_AMBIENT_RAISE |
		  SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, 0, 0, 0))
		fail("credentials: securebits: %s", strerror(errno));
	for (cap = 0;; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL)	/* past the kernel's last cap */
			break;
		fail("credentials: drop cap %d from the bounding set: %s",
		     cap, strerror(errno));
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		fail("credentials: clear ambient set: %s", strerror(errno));
	if (setgroups(0, NULL))
		fail("credentials: setgroups: %s", strerror(errno));
	if (setresgid(gid, gid, gid))
		fail("credentials: setresgid %u: %s", gid, strerror(errno));
	if (setresuid(uid, uid, uid))
		fail("credentials: setresuid %u: %s", uid, strerror(errno));
	/*
	 * The id switch cleared the parent-death signal set at spawn: arm
	 * it again, so the worker never outlives its supervisor.  (Had the
	 * supervisor died in between, the worker reads EOF on its socket.)
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		fail("credentials: parent-death signal: %s", strerror(errno));
	if (syscall(SYS_capset, &hdr, data))
		fail("credentials: capset: %s", strerror(errno));
	/* check, not trust: every set must read back empty */
	if (syscall(SYS_capget, &hdr, data))
		fail("credentials: capget: %s", strerror(errno));
	for (i = 0; i < 2; i++)
		if (data[i].effective || data[i].permitted ||
		    data[i].inheritable)
			fail("credentials: capabilities left after capset");
	return 0;
}

/* ---- 5. rlimits --------------------------------------------------------- */

static int set_limit(int res, rlim_t v, const char *name, char *err,
		     size_t errlen)
{
	struct rlimit r = { .rlim_cur = v, .rlim_max = v };

	if (setrlimit(res, &r))
		fail("rlimits: %s: %s", name, strerror(errno));
	return 0;
}

static int enter_rlimits(const struct sandbox_policy *p, char *err,
			 size_t errlen)
{
	if (set_limit(RLIMIT_NOFILE, p->nofile, "NOFILE", err, errlen) ||
	    set_limit(RLIMIT_NPROC, p->nproc, "NPROC", err, errlen) ||
	    set_limit(RLIMIT_AS, p->as, "AS", err, errlen) ||
	    set_limit(RLIMIT_FSIZE, p->fsize, "FSIZE", err, errlen) ||
	    set_limit(RLIMIT_CORE, 0, "CORE", err, errlen) ||
	    set_limit(RLIMIT_MEMLOCK, 0, "MEMLOCK", err, errlen) ||
	    set_limit(RLIMIT_MSGQUEUE, 0, "MSGQUEUE", err, errlen))
		return -1;
	return 0;
}

/* ---- 7. Landlock -------------------------------------------------------- */

static int enter_landlock(const struct sandbox_policy *p, char *err,
			  size_t errlen)
{
	struct ll_ruleset_attr attr = { 0 };
	struct ll_path_beneath_attr beneath;
	const char *dir;
	size_t size;
	int abi, rs, fd;

	abi = sandbox_landlock_abi();
	if (abi < 0) {
		int e = errno;
		const char *why = e == ENOSYS ?
			"kernel built without CONFIG_SECURITY_LANDLOCK" :
			e == EOPNOTSUPP ?
			"landlock is not in the kernel's LSM list (lsm=)" :
			strerror(e);

		if (p->landlock_mode == SANDBOX_LANDLOCK_REQUIRE)
			fail("landlock: unavailable (%s); the policy requires "
			     "it", why);
		/* best effort: a warning for the caller, and go on */
		snprintf(err, errlen, "landlock: unavailable (%s); "
			 "continuing without it", why);
		return 0;
	}
	attr.handled_access_fs = LL_FS_V1;
	if (abi >= 2)
		attr.handled_access_fs |= LL_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= LL_FS_TRUNCATE;
	if (abi >= 5)
		attr.handled_access_fs |= LL_FS_IOCTL_DEV;
	size = sizeof(attr.handled_access_fs);
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	rs = syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (rs < 0)
		fail("landlock: create ruleset (ABI %d): %s", abi,
		     strerror(errno));
	if (p->state_dir) {
		dir = (p->layers & SANDBOX_MOUNT) ? SANDBOX_STATE_MOUNT :
			p->state_dir;
		fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			close(rs);
			fail("landlock: open %s: %s", dir, strerror(errno));
		}
		/* read, write, create, delete and rename regular files */
		beneath.allowed_access = attr.handled_access_fs &
			(LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_READ_DIR |
			 LL_FS_REMOVE_FILE | LL_FS_MAKE_REG | LL_FS_REFER |
			 LL_FS_TRUNCATE);
		beneath.parent_fd = fd;
		if (syscall(SYS_landlock_add_rule, rs, LL_RULE_PATH_BENEATH,
			    &beneath, 0)) {
			close(fd);
			close(rs);
			fail("landlock: rule for %s: %s", dir,
			     strerror(errno));
		}
		close(fd);
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0)) {
		close(rs);
		fail("landlock: restrict_self: %s", strerror(errno));
	}
	close(rs);
	return 0;
}

int sandbox_enter(const struct sandbox_policy *p, char *err, size_t errlen)
{
	char warn[256] = "";

	if (errlen)
		err[0] = 0;
	if ((p->layers & SANDBOX_MOUNT) && enter_mounts(p, err, errlen))
		return -1;
	if ((p->layers & SANDBOX_CREDS) && enter_creds(p, err, errlen))
		return -1;
	if ((p->layers & SANDBOX_RLIMITS) && enter_rlimits(p, err, errlen))
		return -1;
	if ((p->layers & SANDBOX_NO_NEW_PRIVS) &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		fail("no_new_privs: %s", strerror(errno));
	if ((p->layers & SANDBOX_LANDLOCK) &&
	    enter_landlock(p, warn, sizeof(warn))) {
		snprintf(err, errlen, "%s", warn);
		return -1;
	}
	if ((p->layers & SANDBOX_SECCOMP) &&
	    sandbox_seccomp_load(p->profile, err, errlen))
		return -1;
	if (warn[0])
		snprintf(err, errlen, "%s", warn);
	return 0;
}

/* ---- sandbox_spawn: 1. namespaces, 2. fds -------------------------------- */

static int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static int map_ids(pid_t pid, const struct sandbox_policy *p, char *err,
		   size_t errlen)
{
	char path[64], map[64];

	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	snprintf(map, sizeof(map), "%u %u 1\n", p->inner_uid, p->uid);
	if (write_file(path, map))
		fail("namespaces: write %s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	snprintf(map, sizeof(map), "%u %u 1\n", p->inner_gid, p->gid);
	if (write_file(path, map))
		fail("namespaces: write %s: %s", path, strerror(errno));
	return 0;
}

/* Renumbers the kept fds from SANDBOX_FIRST_FD, the report fd after them. */
static int arrange_fds(const struct sandbox_policy *p, const int *keep,
		       size_t nkeep, int *report)
{
	int above = SANDBOX_FIRST_FD + (int)nkeep + 1;
	int tmp[64];
	size_t i;

	if (nkeep >= sizeof(tmp) / sizeof(tmp[0]) - 1) {
		errno = EMFILE;
		return -1;
	}
	for (i = 0; i < nkeep; i++) {
		tmp[i] = fcntl(keep[i], F_DUPFD_CLOEXEC, above);
		if (tmp[i] < 0)
			return -1;
	}
	tmp[nkeep] = fcntl(*report, F_DUPFD_CLOEXEC, above);
	if (tmp[nkeep] < 0)
		return -1;
	for (i = 0; i <= nkeep; i++)
		if (dup2(tmp[i], SANDBOX_FIRST_FD + (int)i) < 0)
			return -1;
	*report = SANDBOX_FIRST_FD + (int)nkeep;
	if (close_range(*report + 1, ~0u, 0))
		return -1;
	if (!p->keep_stdio && close_range(0, 2, 0))
		return -1;
	return 0;
}

static void report_and_exit(int fd, const char *msg)
{
	ssize_t n = write(fd, msg, strlen(msg));

	(void)n;
	_exit(127);
}

/* errno as text without locale lookups (safe in a forked child) */
static const char *errtext(int e)
{
	const char *s = strerrordesc_np(e);

	return s ? s : "unknown error";
}

/*
 * Keeps every capability this process has in its user namespace across
 * execve: the worker's uid there is not 0 (our uid 0 outside has no
 * mapping), so exec would clear them, and the exec'd worker still has
 * to build its mount view and switch ids.  Ambient capabilities survive
 * exec; sandbox_enter() clears them and locks them out again.
 */
static int keep_caps_across_exec(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int cap;

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[0].inheritable = data[0].permitted;
	data[1].inheritable = data[1].permitted;
	if (syscall(SYS_capset, &hdr, data))
		return -1;
	for (cap = 0;; cap++) {
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) == 0)
			continue;
		return errno == EINVAL ? 0 : -1;	/* past the last cap */
	}
}

struct spawn_target {
	int (*fn)(void *arg);		/* run fn(arg) in the forked child */
	void *arg;
	const char *path;		/* or execve path, argv */
	char *const *argv;
};

static void __attribute__((noreturn))
child_main(const struct sandbox_policy *p, const struct spawn_target *t,
	   const int *keep, size_t nkeep, int go, int report)
{
	char msg[320], err[300], env[48];
	char *envp[] = { env, NULL };
	char c;

	/* the supervisor gone means nobody proxies for us: go too */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* the parent maps our ids, or closes the pipe on failure */
	if (read(go, &c, 1) != 1)
		_exit(127);
	if (arrange_fds(p, keep, nkeep, &report)) {
		snprintf(msg, sizeof(msg), "Efds: %s", errtext(errno));
		report_and_exit(report, msg);
	}
	if ((p->layers & SANDBOX_NAMESPACES) &&
	    sethostname("hcl-worker", 10)) {
		snprintf(msg, sizeof(msg), "Ehostname: %s", errtext(errno));
		report_and_exit(report, msg);
	}
	if (t->path) {
		/* a fresh image enters the rest itself: sandbox_exec_enter */
		if ((p->layers & SANDBOX_NAMESPACES) &&
		    keep_caps_across_exec()) {
			snprintf(msg, sizeof(msg), "Eambient capabilities: %s",
				 errtext(errno));
			report_and_exit(report, msg);
		}
		snprintf(env, sizeof(env), SANDBOX_REPORT_ENV "=%d", report);
		execve(t->path, t->argv, envp);
		snprintf(msg, sizeof(msg), "Eexec %s: %s", t->path,
			 errtext(errno));
		report_and_exit(report, msg);
	}
	if (sandbox_enter(p, err, sizeof(err))) {
		snprintf(msg, sizeof(msg), "E%s", err);
		report_and_exit(report, msg);
	}
	/* from here on only the profile's syscalls are allowed */
	snprintf(msg, sizeof(msg), "O%s", err);
	if (write(report, msg, strlen(msg)) < 0)
		_exit(127);
	close(report);
	_exit(t->fn(t->arg));
}

int sandbox_exec_enter(const struct sandbox_policy *p)
{
	const char *env = getenv(SANDBOX_REPORT_ENV);
	char msg[320], err[300];
	int fd;

	if (!env)
		return -1;
	fd = atoi(env);
	unsetenv(SANDBOX_REPORT_ENV);
	if (sandbox_enter(p, err, sizeof(err))) {
		snprintf(msg, sizeof(msg), "E%s", err);
		report_and_exit(fd, msg);
	}
	snprintf(msg, sizeof(msg), "O%s", err);
	if (write(fd, msg, strlen(msg)) < 0)
		_exit(127);
	close(fd);
	return 0;
}

static pid_t do_spawn(const struct sandbox_policy *p,
		      const struct spawn_target *t, const int *keep_fds,
		      size_t nkeep, char *err, size_t errlen)
{
	unsigned long flags = SIGCHLD;
	int go[2], rep[2], status;
	char msg[320];
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (errlen)
		err[0] = 0;
	if ((unsigned int)p->profile >= SANDBOX_PROFILE_COUNT)
		fail("spawn: unknown seccomp profile %d", p->profile);
	if (pipe2(go, O_CLOEXEC))
		fail("spawn: pipe: %s", strerror(errno));
	if (pipe2(rep, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		fail("spawn: pipe: %s", strerror(errno));
	}
	if (p->layers & SANDBOX_NAMESPACES)
		flags |= CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC |
			 CLONE_NEWNET | CLONE_NEWUTS;
	if (p->layers & SANDBOX_MOUNT)
		flags |= CLONE_NEWNS;
	/* fork-like clone: no new stack, the child returns here with 0 */
	pid = syscall(SYS_clone, flags, NULL, NULL, NULL, 0);
	if (pid == 0) {
		close(go[1]);
		close(rep[0]);
		child_main(p, t, keep_fds, nkeep, go[0], rep[1]);
	}
	close(go[0]);
	close(rep[1]);
	if (pid < 0) {
		close(go[1]);
		close(rep[0]);
		fail("spawn: clone: %s", strerror(errno));
	}
	if (!(p->layers & SANDBOX_NAMESPACES) ||
	    !map_ids(pid, p, err, errlen)) {
		if (write(go[1], "g", 1) != 1)
			snprintf(err, errlen, "spawn: release worker: %s",
				 strerror(errno));
	}
	close(go[1]);
	/* one message: "O[warning]" once sandboxed, or "E<error>" */
	while (len < sizeof(msg) - 1) {
		n = read(rep[0], msg + len, sizeof(msg) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	msg[len] = 0;
	close(rep[0]);
	if (len > 0 && msg[0] == 'O') {
		snprintf(err, errlen, "%s", msg + 1);
		return pid;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (len > 0)
		snprintf(err, errlen, "%s", msg + 1);
	else if (!err[0])
		snprintf(err, errlen, "spawn: worker died during setup "
			 "(status 0x%x)", status);
	return -1;
}

pid_t sandbox_spawn(const struct sandbox_policy *p, int (*fn)(void *arg),
		    void *arg, const int *keep_fds, size_t nkeep,
		    char *err, size_t errlen)
{
	struct spawn_target t = { .fn = fn, .arg = arg };

	return do_spawn(p, &t, keep_fds, nkeep, err, errlen);
}

pid_t sandbox_spawn_exec(const struct sandbox_policy *p, const char *path,
			 char *const argv[], const int *keep_fds, size_t nkeep,
			 char *err, size_t errlen)
{
	struct spawn_target t = { .path = path, .argv = argv };

	return do_spawn(p, &t, keep_fds, nkeep, err, errlen);
}
