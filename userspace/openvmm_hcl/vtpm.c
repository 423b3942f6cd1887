// SPDX-License-Identifier: GPL-2.0
/*
 * The vTPM's permanent state in the guest-state store (docs/vtpm.md,
 * "State across power-offs").
 *
 * The TPM worker (hcl-tpm-worker, spawned and sandboxed by underhill_vm)
 * keeps its state in files in its directory in VTL2's tmpfs and knows
 * nothing of the host; only openvmm_hcl talks to the host.  So:
 *
 *   - at boot, before underhill_vm starts, openvmm_hcl fetches the blob
 *     "tpm.permall" (the worker's "permall" file as it was, header and
 *     all) and writes it into the directory, owned by the worker's uid,
 *     checked (tpm_state.c's reader) and renamed into place;
 *   - while VTL0 runs, an inotify watch on the directory sees the worker
 *     rename a new "permall" into place (every NV commit); openvmm_hcl
 *     reads it and stores it on the host, one transfer at a time (a
 *     change during a transfer is sent after it);
 *   - before the power-off it stores the newest one and waits for the
 *     host to have it.
 *
 * The volatile state stays in VTL2: it lasts one power cycle.  When the
 * store cannot be used (the host refused it, did not answer, or holds a
 * blob that is not a TPM state) this boot's TPM is a new one and its
 * state is not stored, so nothing stored is ever replaced by it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openvmm_hcl.h"
#include "workers/tpm/tpm_state.h"

/* underhill_vm's default (userspace/vm/dev/tpm.h); HCL_TPM_STATE for both */
#define STATE_DIR	"/run/hcl/tpm"
#define PERMALL		"permall"	/* libtpms' name, the worker's file */
#define RESTORE_TMP	".permall.restore"
#define BLOB		"tpm.permall"
/* the sandboxed worker's uid and gid (userspace/sandbox/sandbox.c) */
#define WORKER_UID	65534

enum vtpm_state {
	VT_NONE,		/* no host channel: nothing to do */
	VT_WAIT,		/* waiting for the channel */
	VT_FETCH,		/* the blob is on its way */
	VT_SYNCED,		/* the store and the directory agree */
	VT_OFF,			/* the store is not used this boot */
};

static enum vtpm_state state = VT_NONE;
static char dir[256];
static int dirfd = -1;
static struct watch ino = { .fd = -1 };
/* the state the host has, and the one on its way */
static uint8_t *stored, *sending;
static uint32_t stored_len, sending_len;
static bool have_stored, pushing, dirty, told_error;
static unsigned int pushes;

/* the directory as underhill_vm makes it: the worker's, 0700 */
static int make_dir(void)
{
	char parent[sizeof(dir)], *slash;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		if (mkdir(parent, 0755) && errno != EEXIST)
			return -1;
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -1;
	if (chown(dir, WORKER_UID, WORKER_UID) || chmod(dir, 0700))
		return -1;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dirfd < 0 ? -1 : 0;
}

static void off(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* the store is not used this boot: said once */
static void off(const char *fmt, ...)
{
	char text[512];
	va_list ap;

	state = VT_OFF;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	printf("openvmm_hcl: vTPM: %s: a new TPM, whose state is not kept\n",
	       text);
	chan_event("tpm-state", "vtpm", 0, -1, 0, "%s", text);
}

/* ---- the blob into the directory ----------------------------------------- */

static int write_all(int fd, const uint8_t *p, uint32_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (uint32_t)n;
	}
	return 0;
}

/* the stored file, checked, as the worker's "permall"; 0 or -1 + @why */
static int install(const uint8_t *data, uint32_t len, const char **why)
{
	void *payload;
	uint32_t plen;
	int fd, ret;

	*why = NULL;
	unlinkat(dirfd, RESTORE_TMP, 0);
	fd = openat(dirfd, RESTORE_TMP, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (write_all(fd, data, len) || fchown(fd, WORKER_UID, WORKER_UID) ||
	    fsync(fd)) {
		*why = strerror(errno);
		close(fd);
		unlinkat(dirfd, RESTORE_TMP, 0);
		return -1;
	}
	close(fd);
	/* the worker's own reader: what it would refuse, we refuse first */
	ret = tpm_state_read(dirfd, RESTORE_TMP, TPM_STATE_PERMANENT, &payload,
			     &plen, NULL, why);
	if (ret) {
		if (!*why)
			*why = strerror(-ret);
		unlinkat(dirfd, RESTORE_TMP, 0);
		return -1;
	}
	free(payload);
	if (renameat(dirfd, RESTORE_TMP, dirfd, PERMALL)) {
		*why = strerror(errno);
		unlinkat(dirfd, RESTORE_TMP, 0);
		return -1;
	}
	fsync(dirfd);
	return 0;
}

static void fetched(void *ctx, int err, const char *msg, const uint8_t *data,
		    uint32_t len)
{
	const char *why;

	(void)ctx;
	if (state != VT_FETCH)
		return;		/* given up meanwhile */
	if (err == HOSTCHAN_E_NOTFOUND) {
		state = VT_SYNCED;
		printf("openvmm_hcl: vTPM: no state in the guest-state store yet: a new TPM, stored from now on\n");
		return;
	}
	if (err) {
		if (err == HOSTCHAN_E_CORRUPT)
			off("the guest-state store is refused (%s)", msg);
		else
			off("the guest-state store cannot be read (%s: %s)",
			    hostchan_err_name(err), msg);
		return;
	}
	if (install(data, len, &why)) {
		off("the stored " BLOB " cannot be used (%s); left as it is",
		    why);
		return;
	}
	stored = malloc(len ? len : 1);
	if (stored) {
		memcpy(stored, data, len);
		stored_len = len;
		have_stored = true;
	}
	state = VT_SYNCED;
	printf("openvmm_hcl: vTPM: permanent state restored from the guest-state store (%u bytes)\n",
	       len);
}

/* ---- the directory back to the host --------------------------------------- */

static void sync_state(void);

static void pushed(void *ctx, int err, const char *msg)
{
	(void)ctx;
	pushing = false;
	if (err) {
		if (!told_error)
			printf("openvmm_hcl: vTPM: storing the state on the host failed: %s (%s)\n",
			       hostchan_err_name(err), msg);
		told_error = true;
		free(sending);
		sending = NULL;
		if (err == HOSTCHAN_E_CORRUPT)
			state = VT_OFF;
		return;		/* tried again at the next change */
	}
	free(stored);
	stored = sending;
	stored_len = sending_len;
	have_stored = true;
	sending = NULL;
	if (!pushes++)
		printf("openvmm_hcl: vTPM: state stored on the host (%u bytes), and again whenever it changes\n",
		       stored_len);
	else
		logs_self("openvmm_hcl: vTPM: state stored on the host (%u bytes, update %u)",
			  stored_len, pushes);
	if (dirty)
		sync_state();
}

/* the worker's "permall" as it is now; 0, or -1 (none, or unreadable) */
static int read_permall(uint8_t **data, uint32_t *len)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	int fd = openat(dirfd, PERMALL, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_size > HOSTCHAN_STORE_MAX) {
		if (!told_error)
			printf("openvmm_hcl: vTPM: %s/%s is over the store's %u bytes: not stored\n",
			       dir, PERMALL, HOSTCHAN_STORE_MAX);
		told_error = true;
		close(fd);
		return -1;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	n = buf ? pread(fd, buf, st.st_size, 0) : -1;
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return -1;
	}
	*data = buf;
	*len = (uint32_t)n;
	return 0;
}

/*
 * @buf holds the state the host has: the same header fields (magic,
 * version, kind, length, payload CRC) and payload.  The generation
 * (and the header CRC over it) grows with every write of the file,
 * also of the same state, and starts again with each worker: it says
 * nothing the next boot needs.
 */
static bool same_state(const uint8_t *buf, uint32_t len)
{
	if (len != stored_len || len < TPM_STATE_HDR_SIZE)
		return len == stored_len && !memcmp(buf, stored, len);
	return !memcmp(buf, stored, 16) &&
	       !memcmp(buf + 24, stored + 24, 4) &&
	       !memcmp(buf + TPM_STATE_HDR_SIZE, stored + TPM_STATE_HDR_SIZE,
		       len - TPM_STATE_HDR_SIZE);
}

/* the newest state to the host, unless it has it */
static void sync_state(void)
{
	uint8_t *buf;
	uint32_t len;

	if (state != VT_SYNCED)
		return;
	if (pushing) {
		dirty = true;
		return;
	}
	dirty = false;
	if (read_permall(&buf, &len))
		return;
	if (have_stored && same_state(buf, len)) {
		free(buf);
		return;
	}
	/* set first: a channel failure runs the callback at once */
	sending = buf;
	sending_len = len;
	pushing = true;
	if (store_put(BLOB, buf, len, pushed, NULL)) {
		pushing = false;
		sending = NULL;
		free(buf);
	}
}

static void on_inotify(struct watch *w, uint32_t events)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	(void)events;
	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->len && !strcmp(ev->name, PERMALL))
				changed = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (changed)
		sync_state();
}

/* ---- the calls from main.c and store.c ----------------------------------- */

void vtpm_init(void)
{
	const char *env = getenv("HCL_TPM_STATE");

	snprintf(dir, sizeof(dir), "%s", env && *env ? env : STATE_DIR);
	state = VT_WAIT;
	if (make_dir()) {
		off("the state directory %s cannot be prepared", dir);
		return;
	}
	/* the worker renames every state file into place: renames only */
	ino.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ino.fn = on_inotify;
	if (ino.fd < 0 ||
	    inotify_add_watch(ino.fd, dir, IN_MOVED_TO) < 0 ||
	    loop_watch(&ino, EPOLLIN)) {
		off("no watch on %s", dir);
		return;
	}
}

void vtpm_channel_up(void)
{
	if (state != VT_WAIT)
		return;
	state = VT_FETCH;
	if (store_get(BLOB, fetched, NULL) && state == VT_FETCH)
		off("%s", "the store cannot be asked");
}

bool vtpm_ready(void)
{
	return state != VT_WAIT && state != VT_FETCH;
}

void vtpm_give_up(void)
{
	if (vtpm_ready())
		return;
	off("%s", "no answer from the host");
}

static bool idle(void)
{
	return !pushing;
}

void vtpm_flush(unsigned int ms)
{
	if (state != VT_SYNCED)
		return;
	on_inotify(&ino, EPOLLIN);
	sync_state();
	if (!loop_until(idle, ms))
		printf("openvmm_hcl: vTPM: the newest state did not reach the host before the power-off\n");
	else if (pushes)
		printf("openvmm_hcl: vTPM: %u state update%s stored on the host this boot (the last %u bytes)\n",
		       pushes, pushes == 1 ? "" : "s", stored_len);
}
