// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: openvmm_hcl's vTPM state sync
 * (userspace/openvmm_hcl/vtpm.c) on a real directory, with a fake
 * store client that records what is put: the stored state checked and
 * put in place for the worker (its uid, mode 0600), a bad blob or a
 * refused store leaving a new TPM whose state is never stored, each new
 * state stored once (a rewrite of the same state not at all, a change
 * during a transfer after it), and the newest state stored at the
 * power-off even when the loop never handled its event.  chown needs
 * root: the cases skip without it.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "openvmm_hcl/openvmm_hcl.h"
#include "workers/tpm/tpm_state.h"

/* ---- test doubles for what the rest of openvmm_hcl provides ------------ */

static struct watch *watched;
static store_get_fn get_fn;
static char get_name[64];
static store_put_fn put_fn;		/* a transfer in flight */
static uint8_t *put_data;
static uint32_t put_len;
static unsigned int nputs, events;

int loop_watch(struct watch *w, uint32_t ev)
{
	(void)ev;
	watched = w;
	return 0;
}

/* the host answers every store in flight at once */
bool loop_until(bool (*done)(void), unsigned int ms)
{
	(void)ms;
	while (put_fn) {
		store_put_fn fn = put_fn;

		put_fn = NULL;
		fn(NULL, 0, "");
	}
	return done();
}

int store_get(const char *name, store_get_fn fn, void *ctx)
{
	(void)ctx;
	snprintf(get_name, sizeof(get_name), "%s", name);
	get_fn = fn;
	return 0;
}

int store_put(const char *name, const void *data, uint32_t len,
	      store_put_fn fn, void *ctx)
{
	(void)ctx;
	if (strcmp(name, "tpm.permall") || put_fn)
		abort();
	free(put_data);
	put_data = malloc(len ? len : 1);
	memcpy(put_data, data, len);
	put_len = len;
	put_fn = fn;
	nputs++;
	return 0;
}

void chan_event(const char *kind, const char *name, int pid, int code,
		int sig, const char *fmt, ...)
{
	(void)kind;
	(void)name;
	(void)pid;
	(void)code;
	(void)sig;
	(void)fmt;
	events++;
}

void logs_self(const char *fmt, ...)
{
	(void)fmt;
}

/* ---- helpers ---------------------------------------------------------------- */

static char dir[64];
static int dfd = -1;

/* a state file as the worker writes it, its bytes in *len */
static uint8_t *state_file(const char *payload, uint64_t gen, uint32_t *len)
{
	char scratch[] = "/tmp/ovh-vtpm-s-XXXXXX";
	uint8_t *buf = malloc(4096);
	int sfd, fd;
	ssize_t n;

	if (!mkdtemp(scratch))
		abort();
	sfd = open(scratch, O_RDONLY | O_DIRECTORY);
	if (tpm_state_write(sfd, "permall", TPM_STATE_PERMANENT, gen, payload,
			    (uint32_t)strlen(payload), false))
		abort();
	fd = openat(sfd, "permall", O_RDONLY);
	n = read(fd, buf, 4096);
	close(fd);
	unlinkat(sfd, "permall", 0);
	close(sfd);
	rmdir(scratch);
	*len = (uint32_t)n;
	return buf;
}

/* the worker commits a state: a new permall renamed into place */
static void worker_writes(const char *payload, uint64_t gen, bool event)
{
	if (tpm_state_write(dfd, "permall", TPM_STATE_PERMANENT, gen, payload,
			    (uint32_t)strlen(payload), true))
		abort();
	if (event)
		watched->fn(watched, EPOLLIN);
}

static bool put_is(const char *payload)
{
	size_t n = strlen(payload);

	return put_len == TPM_STATE_HDR_SIZE + n &&
	       !memcmp(put_data + TPM_STATE_HDR_SIZE, payload, n);
}

FIXTURE(vtpm) {
	char root[32];
};

FIXTURE_SETUP(vtpm)
{
	if (geteuid())
		SKIP(return, "needs root (the directory is given to uid 65534)");
	snprintf(self->root, sizeof(self->root), "/tmp/ovh-vtpm-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(dir, sizeof(dir), "%s/tpm", self->root);
	setenv("HCL_TPM_STATE", dir, 1);
	vtpm_init();
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);
	ASSERT_NE(NULL, watched);
	EXPECT_FALSE(vtpm_ready());
	vtpm_channel_up();
	EXPECT_STREQ("tpm.permall", get_name);
	EXPECT_FALSE(vtpm_ready());
}

FIXTURE_TEARDOWN(vtpm)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->root);
	if (!geteuid() && system(cmd))
		TH_LOG("could not remove %s", self->root);
}

TEST_F(vtpm, the_stored_state_is_put_in_place_for_the_worker)
{
	uint32_t len;
	uint8_t *blob = state_file("permanent state", 7, &len), got[4096];
	struct stat st;
	int fd;

	get_fn(NULL, 0, "", blob, len);
	EXPECT_TRUE(vtpm_ready());
	ASSERT_EQ(0, fstatat(dfd, "permall", &st, 0));
	EXPECT_EQ(65534u, st.st_uid);
	EXPECT_EQ(0600u, st.st_mode & 07777);
	fd = openat(dfd, "permall", O_RDONLY);
	ASSERT_EQ((ssize_t)len, read(fd, got, sizeof(got)));
	close(fd);
	EXPECT_EQ(0, memcmp(got, blob, len));
	EXPECT_NE(0, faccessat(dfd, ".permall.restore", F_OK, 0));
	ASSERT_EQ(0, stat(dir, &st));
	EXPECT_EQ(65534u, st.st_uid);
	EXPECT_EQ(0700u, st.st_mode & 07777);
	/* our own rename, and the worker rewriting the same state: no store */
	watched->fn(watched, EPOLLIN);
	worker_writes("permanent state", 1, true);
	EXPECT_EQ(0u, nputs);
	/* a new state is stored */
	worker_writes("after an NV write", 2, true);
	EXPECT_EQ(1u, nputs);
	EXPECT_TRUE(put_is("after an NV write"));
	free(blob);
}

TEST_F(vtpm, each_new_state_stored_once_the_newest_last)
{
	get_fn(NULL, HOSTCHAN_E_NOTFOUND, "no such blob", NULL, 0);
	EXPECT_TRUE(vtpm_ready());
	worker_writes("state A", 1, true);
	ASSERT_EQ(1u, nputs);
	EXPECT_TRUE(put_is("state A"));
	/* two commits while A travels: only the newest follows it */
	worker_writes("state B", 2, true);
	worker_writes("state C", 3, true);
	EXPECT_EQ(1u, nputs);
	loop_until(vtpm_ready, 0);
	EXPECT_EQ(2u, nputs);
	EXPECT_TRUE(put_is("state C"));
	/* C again, another generation: the host has it */
	worker_writes("state C", 4, true);
	EXPECT_EQ(2u, nputs);
	vtpm_flush(1000);
	EXPECT_EQ(2u, nputs);
	EXPECT_EQ(0u, events);
}

TEST_F(vtpm, the_newest_state_is_stored_at_the_power_off)
{
	get_fn(NULL, HOSTCHAN_E_NOTFOUND, "no such blob", NULL, 0);
	worker_writes("written at STOP", 1, false);
	EXPECT_EQ(0u, nputs);
	vtpm_flush(1000);
	EXPECT_EQ(1u, nputs);
	EXPECT_TRUE(put_is("written at STOP"));
	EXPECT_EQ(NULL, put_fn);	/* and the host confirmed it */
}

TEST_F(vtpm, a_bad_blob_means_a_new_tpm_never_stored)
{
	get_fn(NULL, 0, "", (const uint8_t *)"not a TPM state", 15);
	EXPECT_TRUE(vtpm_ready());
	EXPECT_NE(0, faccessat(dfd, "permall", F_OK, 0));
	EXPECT_NE(0, faccessat(dfd, ".permall.restore", F_OK, 0));
	EXPECT_EQ(1u, events);
	worker_writes("a new TPM", 1, true);
	vtpm_flush(1000);
	EXPECT_EQ(0u, nputs);
}

TEST_F(vtpm, a_refused_store_means_a_new_tpm_never_stored)
{
	get_fn(NULL, HOSTCHAN_E_CORRUPT, "directory checksum mismatch", NULL,
	       0);
	EXPECT_TRUE(vtpm_ready());
	worker_writes("a new TPM", 1, true);
	vtpm_flush(1000);
	EXPECT_EQ(0u, nputs);
	/* and no answer at all: the same */
}

TEST_F(vtpm, no_answer_means_a_new_tpm_never_stored)
{
	vtpm_give_up();
	EXPECT_TRUE(vtpm_ready());
	/* the answer comes late: ignored */
	get_fn(NULL, HOSTCHAN_E_NOTFOUND, "no such blob", NULL, 0);
	worker_writes("a new TPM", 1, true);
	vtpm_flush(1000);
	EXPECT_EQ(0u, nputs);
}

TEST_HARNESS_MAIN
