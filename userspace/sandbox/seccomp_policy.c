// SPDX-License-Identifier: GPL-2.0
/*
 * The seccomp allow-lists of the device workers, one table per profile,
 * one row per syscall with the reason it is there.  Anything not listed
 * kills the whole worker (SCMP_ACT_KILL_PROCESS): a worker that asks for
 * something unexpected is treated as compromised, and its supervisor
 * restarts it.  Only the native x86-64 ABI is allowed: i386 (int 0x80)
 * and x32 syscall numbers hit the filter's bad-architecture action,
 * which is the same kill.
 *
 * What is deliberately absent: socket(), socketpair(), connect(),
 * bind(), listen() and accept() (a worker talks only over the sockets
 * it inherited), every exec and process creation (fork, vfork, clone
 * with other flags than a thread's, execve, execveat), ptrace, mount and namespace calls,
 * signal delivery (kill, tgkill: an abort() therefore ends in SIGSYS,
 * which the supervisor handles as any other crash), and executable
 * memory (mmap and mprotect with PROT_EXEC).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/prctl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "sandbox.h"

#define ALLOW(n, w)		{ .name = (n), .why = (w) }
/* allowed when argument i equals v */
#define EQ(i, v)		{ .arg = (i), .op = SCMP_CMP_EQ, .a = (v) }
/* allowed when argument i has none of the bits in m */
#define NONE_OF(i, m)		{ .arg = (i), .op = SCMP_CMP_MASKED_EQ, \
				  .a = (m), .b = 0 }
#define ALLOW_IF(n, c, w)	{ .name = (n), .nargs = 1, .cmp = { c }, \
				  .why = (w) }
/* not allowed, but answered with an errno instead of a kill */
#define FAIL(n, e, w)		{ .name = (n), .fail_errno = (e), .why = (w) }

/* the flags glibc's pthread_create passes to clone: a thread, no process */
#define THREAD_FLAGS	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
			 CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | \
			 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/*
 * The test worker (tests/user/host_sandbox.c): just what its probes
 * need to look at their own sandbox and report back over a pipe.
 */
static const struct sandbox_syscall_rule test_rules[] = {
	ALLOW("read", "read the supervisor's pipe and state files"),
	ALLOW("write", "report results over the kept pipe"),
	ALLOW("close", "close files it opened"),
	ALLOW("openat", "open files: which ones is Landlock's and the "
	      "mount view's business, not seccomp's"),
	ALLOW("newfstatat", "stat a path (glibc's stat and fstat)"),
	ALLOW("fstat", "fstat from older libc paths"),
	ALLOW("lseek", "seek in a state file"),
	ALLOW("brk", "malloc's main heap"),
	ALLOW_IF("mmap", NONE_OF(2, PROT_EXEC),
		 "malloc's large blocks; never executable memory"),
	ALLOW("munmap", "free malloc's large blocks"),
	ALLOW("getpid", "probe: its pid in its own PID namespace"),
	ALLOW("getuid", "probe: its uid inside"),
	ALLOW("getgid", "probe: its gid inside"),
	ALLOW("capget", "probe: its capability sets"),
	ALLOW_IF("prctl", EQ(0, PR_GET_NO_NEW_PRIVS),
		 "probe: no_new_privs is set"),
	ALLOW_IF("prctl", EQ(0, PR_CAPBSET_READ),
		 "probe: the bounding set is empty"),
	ALLOW_IF("prctl", EQ(0, PR_CAP_AMBIENT),
		 "probe: the ambient set is empty (IS_SET queries)"),
	ALLOW_IF("prlimit64", EQ(2, 0),
		 "probe: read its rlimits (getrlimit); setting is refused"),
	ALLOW_IF("ioctl", EQ(1, FIONREAD),
		 "bytes waiting on its pipe; the only ioctl allowed"),
	ALLOW_IF("fcntl", EQ(1, F_GETFD), "probe: which fds are open"),
	ALLOW_IF("fcntl", EQ(1, F_GETFL), "file status flags"),
	ALLOW("exit_group", "_exit and return from main"),
	ALLOW("exit", "glibc's _exit fallback after exit_group"),
};

/*
 * A libtpms-based TPM worker, static glibc: libtpms computes with
 * OpenSSL's libcrypto, keeps its NV state in files of its state
 * directory (written atomically: temp file, fsync, rename), and serves
 * commands over a socketpair inherited from the VM worker.
 */
static const struct sandbox_syscall_rule tpm_rules[] = {
	/* requests, responses, the event loop */
	ALLOW("recvmsg", "requests from the VM worker's socketpair"),
	ALLOW("sendmsg", "responses and guest-memory requests"),
	ALLOW("recvfrom", "recv() on the inherited socket"),
	ALLOW("sendto", "send() on the inherited socket"),
	ALLOW("poll", "wait for a request or a stop"),
	ALLOW("ppoll", "poll with a timeout, as newer libcs issue it"),
	ALLOW("read", "read state files and the socket"),
	ALLOW("write", "write state files and log to stderr"),
	/* state files, only under the state directory (Landlock, mounts) */
	ALLOW("openat", "open state files; the path is Landlock's and the "
	      "mount view's business"),
	ALLOW("close", "close state files"),
	ALLOW("newfstatat", "size a state file before reading it"),
	ALLOW("fstat", "fstat from older libc paths"),
	ALLOW("lseek", "rewind a state file"),
	ALLOW("pread64", "read a state file at an offset"),
	ALLOW("pwrite64", "write a state file at an offset"),
	ALLOW("ftruncate", "cut a state file being rewritten"),
	ALLOW("fsync", "make a new state file durable before the rename"),
	ALLOW("fdatasync", "the same for data-only syncs"),
	ALLOW("rename", "atomically replace a state file (glibc rename)"),
	ALLOW("renameat", "the same through renameat"),
	ALLOW("renameat2", "the same through renameat2"),
	ALLOW("unlink", "delete a restored volatile state (no replay)"),
	ALLOW("unlinkat", "the same through unlinkat"),
	ALLOW_IF("fcntl", EQ(1, F_GETFL), "read file status flags"),
	ALLOW_IF("fcntl", EQ(1, F_SETFL), "make the socket non-blocking"),
	ALLOW_IF("fcntl", EQ(1, F_GETFD), "read the close-on-exec flag"),
	ALLOW_IF("fcntl", EQ(1, F_SETFD), "set the close-on-exec flag"),
	/* memory: malloc in glibc and OpenSSL */
	ALLOW("brk", "malloc's main heap"),
	ALLOW_IF("mmap", NONE_OF(2, PROT_EXEC),
		 "malloc's large blocks; never executable memory"),
	ALLOW_IF("mprotect", NONE_OF(2, PROT_EXEC),
		 "malloc grows heaps by mprotect; never to executable"),
	ALLOW("munmap", "free malloc's large blocks"),
	ALLOW("mremap", "realloc of a large block"),
	ALLOW_IF("madvise", EQ(2, MADV_DONTNEED),
		 "free() returning pages of a trimmed heap"),
	/* threads: the worker's engine thread, started once sandboxed */
	ALLOW_IF("clone", EQ(0, THREAD_FLAGS),
		 "pthread_create; exactly a thread's flags, so never a "
		 "process (fork) or a namespace"),
	FAIL("clone3", ENOSYS,
	     "its flags sit in memory the filter cannot read: ENOSYS makes "
	     "glibc fall back to clone, whose flags it can"),
	ALLOW_IF("rt_sigaction", EQ(0, 32),
		 "glibc's first pthread_create installs its handler for "
		 "SIGCANCEL (32); no other signal's handler may change"),
	ALLOW_IF("rt_sigaction", EQ(0, 33),
		 "and for SIGSETXID (33), glibc's other internal signal"),
	ALLOW("rt_sigprocmask", "pthread_create blocks signals around clone"),
	ALLOW("set_robust_list", "a new thread registers its robust futexes"),
	ALLOW("rseq", "a new thread registers its restartable sequences"),
	ALLOW("eventfd2", "the engine thread's completion eventfd"),
	/* randomness, time, locks */
	ALLOW("getrandom", "OpenSSL's DRBG seed and TPM2_GetRandom"),
	ALLOW("clock_gettime", "timestamps when the vDSO is not used"),
	ALLOW("gettimeofday", "the same for older callers"),
	ALLOW("futex", "OpenSSL's locks and run-once (pthread_once)"),
	ALLOW("getpid", "OpenSSL's fork detection; pid 1 in its namespace"),
	/* the end */
	ALLOW("exit_group", "_exit and return from main"),
	ALLOW("exit", "glibc's _exit fallback after exit_group"),
};

static const struct {
	const char *name;
	const struct sandbox_syscall_rule *rules;
	size_t n;
} profiles[SANDBOX_PROFILE_COUNT] = {
	[SANDBOX_PROFILE_TEST] = { "test worker", test_rules,
				   sizeof(test_rules) / sizeof(test_rules[0]) },
	[SANDBOX_PROFILE_TPM] = { "tpm worker", tpm_rules,
				  sizeof(tpm_rules) / sizeof(tpm_rules[0]) },
};

const struct sandbox_syscall_rule *
sandbox_profile_rules(enum sandbox_profile profile, size_t *n)
{
	if ((unsigned int)profile >= SANDBOX_PROFILE_COUNT) {
		*n = 0;
		return NULL;
	}
	*n = profiles[profile].n;
	return profiles[profile].rules;
}

const char *sandbox_profile_name(enum sandbox_profile profile)
{
	if ((unsigned int)profile >= SANDBOX_PROFILE_COUNT)
		return "unknown";
	return profiles[profile].name;
}

int sandbox_seccomp_load(enum sandbox_profile profile, char *err,
			 size_t errlen)
{
	const struct sandbox_syscall_rule *r;
	scmp_filter_ctx ctx;
	size_t n, i;
	int rc;

	r = sandbox_profile_rules(profile, &n);
	if (!r) {
		snprintf(err, errlen, "seccomp: unknown profile %d", profile);
		return -1;
	}
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		snprintf(err, errlen, "seccomp: seccomp_init failed");
		return -1;
	}
	/*
	 * no_new_privs is a layer of its own (sandbox.c); without it the
	 * load needs CAP_SYS_ADMIN, and fails rather than set it silently.
	 */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc)
		goto fail;
	/* i386 and x32 calls: the whole worker too, not just the thread */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			      SCMP_ACT_KILL_PROCESS);
	if (rc)
		goto fail;
	for (i = 0; i < n; i++) {
		struct scmp_arg_cmp c[2];
		unsigned int k;
		int nr;

		nr = seccomp_syscall_resolve_name(r[i].name);
		if (nr == __NR_SCMP_ERROR) {
			snprintf(err, errlen, "seccomp: %s profile: no syscall "
				 "named %s", profiles[profile].name, r[i].name);
			seccomp_release(ctx);
			return -1;
		}
		for (k = 0; k < r[i].nargs; k++) {
			c[k].arg = r[i].cmp[k].arg;
			c[k].op = r[i].cmp[k].op;
			c[k].datum_a = r[i].cmp[k].a;
			c[k].datum_b = r[i].cmp[k].b;
		}
		rc = seccomp_rule_add_exact_array(ctx, r[i].fail_errno ?
						  SCMP_ACT_ERRNO(r[i].fail_errno) :
						  SCMP_ACT_ALLOW, nr, r[i].nargs, c);
		if (rc) {
			snprintf(err, errlen, "seccomp: rule for %s: %s",
				 r[i].name, strerror(-rc));
			seccomp_release(ctx);
			return -1;
		}
	}
	rc = seccomp_load(ctx);
	if (rc)
		goto fail;
	seccomp_release(ctx);
	return 0;
fail:
	snprintf(err, errlen, "seccomp: %s", strerror(-rc));
	seccomp_release(ctx);
	return -1;
}
