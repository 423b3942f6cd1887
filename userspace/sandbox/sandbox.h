/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Device-worker sandbox: a forked worker is jailed in layers (namespaces,
 * a mount view holding only its state directory, an unprivileged uid with
 * no capabilities, rlimits, no_new_privs, Landlock, a seccomp allow-list)
 * before it touches any untrusted input.  See docs/sandbox.md.
 */
#ifndef HCL_SANDBOX_H
#define HCL_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/resource.h>

/* Layers, applied in this order; each can be switched on alone. */
#define SANDBOX_NAMESPACES	(1u << 0)	/* user, PID, IPC, net, UTS ns */
#define SANDBOX_MOUNT		(1u << 1)	/* mount ns: tmpfs root + state */
#define SANDBOX_RLIMITS		(1u << 2)
#define SANDBOX_CREDS		(1u << 3)	/* uid/gid, no groups, no caps */
#define SANDBOX_NO_NEW_PRIVS	(1u << 4)
#define SANDBOX_LANDLOCK	(1u << 5)	/* only the state dir */
#define SANDBOX_SECCOMP		(1u << 6)	/* allow-list, default kill */
#define SANDBOX_ALL		0x7fu

/* Where the state directory appears inside the mount view. */
#define SANDBOX_STATE_MOUNT	"/state"

/* The first kept fd lands on this number in the worker, the next on +1. */
#define SANDBOX_FIRST_FD	3

enum sandbox_profile {
	SANDBOX_PROFILE_TEST,	/* the sandbox's own test worker */
	SANDBOX_PROFILE_TPM,	/* a libtpms worker over a socketpair */
	SANDBOX_PROFILE_COUNT,
};

enum sandbox_landlock_mode {
	SANDBOX_LANDLOCK_REQUIRE,	/* no Landlock in the kernel: refuse */
	SANDBOX_LANDLOCK_BEST_EFFORT,	/* no Landlock: warn and go on */
};

struct sandbox_policy {
	unsigned int layers;		/* SANDBOX_* */
	enum sandbox_profile profile;	/* seccomp allow-list */
	enum sandbox_landlock_mode landlock_mode;
	/*
	 * Host path of the worker's state directory: with SANDBOX_MOUNT it
	 * is the only host directory in the view (at SANDBOX_STATE_MOUNT);
	 * with SANDBOX_LANDLOCK the only place the worker may open files.
	 * NULL: no state directory at all.
	 */
	const char *state_dir;
	uid_t uid;			/* worker's uid outside its user ns */
	gid_t gid;
	uid_t inner_uid;		/* the same id as seen inside */
	gid_t inner_gid;
	rlim_t nofile;			/* RLIMIT_NOFILE */
	rlim_t nproc;			/* RLIMIT_NPROC, threads included */
	rlim_t as;			/* RLIMIT_AS in bytes */
	rlim_t fsize;			/* RLIMIT_FSIZE: largest state file */
	int keep_stdio;			/* keep fds 0-2 (logs go to stderr) */
};

/* A policy with every layer, the nobody id and conservative limits. */
void sandbox_policy_default(struct sandbox_policy *p,
			    enum sandbox_profile profile,
			    const char *state_dir);

/*
 * Starts fn(arg) in a new sandboxed process and returns its pid (the
 * caller reaps it), or -1 with a message in err.  The worker gets only
 * keep_fds[0..nkeep-1], renumbered from SANDBOX_FIRST_FD, plus stdio when
 * the policy keeps it.  Returns once every layer is in place, so a
 * worker that fails to enter its sandbox never runs fn.  A warning
 * (Landlock missing in best-effort mode) is left in err with a pid > 0.
 * fn's return value is the worker's exit status.  Needs root (it maps
 * the worker's uid and creates namespaces).
 */
pid_t sandbox_spawn(const struct sandbox_policy *p, int (*fn)(void *arg),
		    void *arg, const int *keep_fds, size_t nkeep,
		    char *err, size_t errlen);

/*
 * The same for a worker program: the child execs path (argv, and an
 * environment holding only SANDBOX_REPORT_ENV) right after the fds are
 * arranged, and the program calls sandbox_exec_enter() with its policy
 * (the same one) before anything else.  Between clone and exec the
 * child calls nothing that could take a lock, so unlike sandbox_spawn
 * this is safe from a multi-threaded supervisor (sandbox_spawn's child
 * runs fn and the setup in a copy of the caller, which must then be
 * single-threaded: another thread may hold malloc's lock at fork).
 */
pid_t sandbox_spawn_exec(const struct sandbox_policy *p, const char *path,
			 char *const argv[], const int *keep_fds, size_t nkeep,
			 char *err, size_t errlen);

#define SANDBOX_REPORT_ENV	"HCL_SANDBOX_REPORT_FD"

/*
 * In a program started by sandbox_spawn_exec(): enters the sandbox and
 * reports to the spawner.  Returns 0 when sandboxed; on failure it
 * reports and exits (127).  Returns -1 when the program was not started
 * by sandbox_spawn_exec (no report fd in the environment).
 */
int sandbox_exec_enter(const struct sandbox_policy *p);

/*
 * The in-process part, for a worker already started in its namespaces:
 * mount view, rlimits, credentials, no_new_privs, Landlock, seccomp.
 * Returns 0, or -1 with a message in err; on failure the caller must
 * exit without handling input.
 */
int sandbox_enter(const struct sandbox_policy *p, char *err, size_t errlen);

/* Landlock ABI of the running kernel, or -1 with errno (no Landlock). */
int sandbox_landlock_abi(void);

/* ---- seccomp_policy.c ---- */

struct sandbox_syscall_rule {
	const char *name;	/* syscall name, as libseccomp spells it */
	unsigned int nargs;	/* 0: any arguments */
	int fail_errno;		/* 0: allow; else fail with this errno */
	struct {
		unsigned int arg;
		int op;		/* enum scmp_compare */
		unsigned long long a, b;
	} cmp[2];
	const char *why;
};

/* The allow-list of a profile; *n gets its length. */
const struct sandbox_syscall_rule *
sandbox_profile_rules(enum sandbox_profile profile, size_t *n);
const char *sandbox_profile_name(enum sandbox_profile profile);

/* Loads the profile's filter (default action: kill the process). */
int sandbox_seccomp_load(enum sandbox_profile profile, char *err,
			 size_t errlen);

#endif
