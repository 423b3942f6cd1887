// SPDX-License-Identifier: GPL-2.0
/*
 * The "tpm worker" allow-list against the real thing: libtpms (with
 * OpenSSL's libcrypto) runs TPM 2.0 commands inside the full sandbox,
 * keeps its NV state in the state directory (temp file, fsync, rename)
 * and stores its volatile state after every command.  A syscall missing
 * from the list kills the worker with SIGSYS and fails the test.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/sha.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libtpms/tpm_error.h>
#include <libtpms/tpm_library.h>
#include <libtpms/tpm_nvfilename.h>

#include "kselftest_harness.h"
#include "sandbox.h"
#include "sandbox_test.h"

#define SOCK SANDBOX_FIRST_FD

/* ---- the worker: a minimal libtpms front end ---------------------------- */

static int state_path(char *buf, size_t len, const char *name,
		      const char *suffix)
{
	return snprintf(buf, len, SANDBOX_STATE_MOUNT "/%s%s", name,
			suffix) >= (int)len ? -1 : 0;
}

static TPM_RESULT nv_init(void)
{
	return TPM_SUCCESS;
}

static TPM_RESULT nv_load(unsigned char **data, uint32_t *length,
			  uint32_t tpm_number, const char *name)
{
	char path[128];
	struct stat st;
	ssize_t n;
	int fd;

	if (state_path(path, sizeof(path), name, ""))
		return TPM_FAIL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? TPM_RETRY : TPM_FAIL;
	if (fstat(fd, &st) || st.st_size <= 0 || st.st_size > (1 << 20)) {
		close(fd);
		return TPM_FAIL;
	}
	*data = malloc(st.st_size);
	if (!*data) {
		close(fd);
		return TPM_FAIL;
	}
	n = read(fd, *data, st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(*data);
		*data = NULL;
		return TPM_FAIL;
	}
	*length = n;
	return TPM_SUCCESS;
}

/* atomically: a temp file, fsync, rename over the old one */
static TPM_RESULT nv_store(const unsigned char *data, uint32_t length,
			   uint32_t tpm_number, const char *name)
{
	char tmp[128], path[128];
	int fd;

	if (state_path(tmp, sizeof(tmp), name, ".tmp") ||
	    state_path(path, sizeof(path), name, ""))
		return TPM_FAIL;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return TPM_FAIL;
	if (write(fd, data, length) != (ssize_t)length || fsync(fd)) {
		close(fd);
		unlink(tmp);
		return TPM_FAIL;
	}
	if (close(fd) || rename(tmp, path))
		return TPM_FAIL;
	return TPM_SUCCESS;
}

static TPM_RESULT nv_delete(uint32_t tpm_number, const char *name,
			    TPM_BOOL must_exist)
{
	char path[128];

	if (state_path(path, sizeof(path), name, ""))
		return TPM_FAIL;
	if (unlink(path) && (must_exist || errno != ENOENT))
		return TPM_FAIL;
	return TPM_SUCCESS;
}

static int tpm_worker(void *arg)
{
	struct libtpms_callbacks cbs = {
		.sizeOfStruct = sizeof(cbs),
		.tpm_nvram_init = nv_init,
		.tpm_nvram_loaddata = nv_load,
		.tpm_nvram_storedata = nv_store,
		.tpm_nvram_deletename = nv_delete,
	};
	unsigned char cmd[4096], *resp = NULL, *vol;
	uint32_t resp_len, resp_size = 0, vol_len;
	struct pollfd pfd = { .fd = SOCK, .events = POLLIN };
	ssize_t n;

	if (TPMLIB_ChooseTPMVersion(TPMLIB_TPM_VERSION_2) ||
	    TPMLIB_RegisterCallbacks(&cbs) || TPMLIB_MainInit())
		return 1;
	for (;;) {
		if (poll(&pfd, 1, -1) != 1)
			return 2;
		n = recv(SOCK, cmd, sizeof(cmd), 0);
		if (n == 0)
			break;
		if (n < 0)
			return 3;
		if (TPMLIB_Process(&resp, &resp_len, &resp_size, cmd, n))
			return 4;
		/* the state of the last completed command survives a kill */
		if (TPMLIB_VolatileAll_Store(&vol, &vol_len))
			return 5;
		if (nv_store(vol, vol_len, 0, TPM_VOLATILESTATE_NAME))
			return 6;
		free(vol);
		if (send(SOCK, resp, resp_len, 0) != (ssize_t)resp_len)
			return 7;
	}
	TPMLIB_Terminate();
	free(resp);
	return 0;
}

/* ---- the host side ------------------------------------------------------ */

FIXTURE(tpm) {
	char state[64];
	pid_t pid;
	int sock;
};

FIXTURE_SETUP(tpm)
{
	struct sandbox_policy p;
	char err[300];
	int sv[2];

	self->pid = -1;
	if (geteuid() != 0)
		SKIP(return, "the sandbox needs root");
	strcpy(self->state, "/tmp/hcl-sandbox-tpm-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->state));
	ASSERT_EQ(0, chown(self->state, NOBODY, NOBODY));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				sv));
	sandbox_policy_default(&p, SANDBOX_PROFILE_TPM, self->state);
	self->pid = sandbox_spawn(&p, tpm_worker, NULL, &sv[1], 1, err,
				  sizeof(err));
	if (self->pid < 0)
		TH_LOG("sandbox_spawn: %s", err);
	ASSERT_LT(0, self->pid);
	close(sv[1]);
	self->sock = sv[0];
}

FIXTURE_TEARDOWN(tpm)
{
	if (geteuid() != 0)
		return;
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	if (remove_tree(self->state))
		TH_LOG("cleanup of %s failed", self->state);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* sends one command, returns the response code; resp gets the bytes */
static uint32_t transact(struct __test_metadata *_metadata, int sock,
			 const unsigned char *cmd, size_t len,
			 unsigned char *resp, size_t *resp_len)
{
	ssize_t n;

	if (send(sock, cmd, len, 0) != (ssize_t)len)
		return ~0u;
	n = recv(sock, resp, 4096, 0);
	if (n < 10 || get32(resp + 2) != (uint32_t)n)
		return ~0u;
	*resp_len = n;
	return get32(resp + 6);
}

/* the worker ends cleanly at EOF: no syscall outside its list */
static void stop_worker(struct __test_metadata *_metadata,
			FIXTURE_DATA(tpm) *self)
{
	int st;

	close(self->sock);
	ASSERT_EQ(self->pid, waitpid(self->pid, &st, 0));
	self->pid = -1;
	if (!WIFEXITED(st))
		TH_LOG("worker killed by signal %d", WTERMSIG(st));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
}

static const unsigned char startup_clear[] = {
	0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0x00, 0x00,
};

TEST_F(tpm, startup_getrandom_pcr_extend_and_read)
{
	static const unsigned char getrandom16[] = {
		0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0x00, 16,
	};
	/* TPM2_PCR_Read of PCR 16, SHA-256 bank */
	static const unsigned char pcr_read16[] = {
		0x80, 0x01, 0, 0, 0, 20, 0, 0, 0x01, 0x7e,
		0, 0, 0, 1, 0x00, 0x0b, 3, 0x00, 0x00, 0x01,
	};
	unsigned char ext[65], resp[4096], old[32] = { 0 }, want[64];
	unsigned char digest[32];
	char path[128];
	size_t len;
	int i;

	ASSERT_EQ(0, transact(_metadata, self->sock, startup_clear,
			      sizeof(startup_clear), resp, &len));
	ASSERT_EQ(0, transact(_metadata, self->sock, getrandom16,
			      sizeof(getrandom16), resp, &len));
	ASSERT_EQ(10 + 2 + 16, len);
	/* TPM2_PCR_Extend(PCR 16, SHA-256 = 0x01 0x02 ...), password auth */
	memset(ext, 0, sizeof(ext));
	ext[0] = 0x80;
	ext[1] = 0x02;
	put32(ext + 2, sizeof(ext));
	put32(ext + 6, 0x182);
	put32(ext + 10, 16);			/* pcrHandle */
	put32(ext + 14, 9);			/* authorization size */
	put32(ext + 18, 0x40000009);		/* TPM_RS_PW */
	put32(ext + 27, 1);			/* one digest */
	ext[31] = 0x00;
	ext[32] = 0x0b;				/* SHA-256 */
	for (i = 0; i < 32; i++)
		ext[33 + i] = i + 1;
	ASSERT_EQ(0, transact(_metadata, self->sock, ext, sizeof(ext), resp,
			      &len));
	ASSERT_EQ(0, transact(_metadata, self->sock, pcr_read16,
			      sizeof(pcr_read16), resp, &len));
	/* new = SHA-256(old || extension), old all zero */
	memcpy(want, old, 32);
	memcpy(want + 32, ext + 33, 32);
	SHA256(want, sizeof(want), digest);
	ASSERT_LE(32, len);
	ASSERT_EQ(0, memcmp(resp + len - 32, digest, 32));
	stop_worker(_metadata, self);
	/* what the worker left: permanent and volatile state, no temp */
	snprintf(path, sizeof(path), "%s/permall", self->state);
	EXPECT_EQ(0, access(path, F_OK));
	snprintf(path, sizeof(path), "%s/volatilestate", self->state);
	EXPECT_EQ(0, access(path, F_OK));
	snprintf(path, sizeof(path), "%s/volatilestate.tmp", self->state);
	EXPECT_NE(0, access(path, F_OK));
}

/* garbage in: a TPM error code back, never a dead worker */
TEST_F(tpm, malformed_commands_get_errors)
{
	unsigned char bad[64], resp[4096];
	size_t len;

	ASSERT_EQ(0, transact(_metadata, self->sock, startup_clear,
			      sizeof(startup_clear), resp, &len));
	memset(bad, 0xa5, sizeof(bad));
	EXPECT_NE(0, transact(_metadata, self->sock, bad, sizeof(bad), resp,
			      &len));
	memcpy(bad, startup_clear, sizeof(startup_clear));
	put32(bad + 2, 4000);			/* size beyond the bytes */
	EXPECT_NE(0, transact(_metadata, self->sock, bad, 12, resp, &len));
	stop_worker(_metadata, self);
}

int main(int argc, char **argv)
{
	/* started by underhill_init (HCL_EXEC) in VTL2: "--pid FILE" */
	if (argc == 3 && !strcmp(argv[1], "--pid"))
		argc = 1;
	return test_harness_run(argc, argv);
}
