// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests: TPM 2.0 commands through the TIS model into libtpms,
 * the state files, and resuming after the process is killed.  Also
 * prints the per-command cost of the crash-safe volatile save.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "kselftest_harness.h"
#include "tis.h"
#include "tpm_engine.h"
#include "tpm_state.h"

#define RC_INITIALIZE	0x100
#define NV_INDEX	0x01500020u

/* ---- the TIS front: a synchronous engine behind the register model ---- */

static struct tis tis;

static void e_execute(void *arg, const uint8_t *cmd, uint32_t len,
		      unsigned int loc)
{
	static uint8_t rsp[TIS_BUFSIZE];
	uint32_t n = 0;

	(void)arg;
	tpm_engine_process(cmd, len, rsp, sizeof(rsp), &n, loc);
	tis_command_done(&tis, rsp, n);
}

static bool e_est(void *arg)
{
	(void)arg;
	return tpm_engine_established();
}

static const struct tis_ops eops = {
	.execute = e_execute, .established = e_est,
};

static uint32_t r32(uint32_t reg, unsigned int size)
{
	uint32_t v = 0;

	tis_mmio_read(&tis, reg, size, &v);
	return v;
}

/* one command as a driver does it: burst counts, 4-byte FIFO accesses */
static uint32_t transact(const uint8_t *cmd, uint32_t len, uint8_t *rsp,
			 uint32_t size)
{
	uint32_t i = 0, n = 0, burst, v;

	if (!(r32(TIS_ACCESS, 1) & TIS_ACCESS_ACTIVE_LOCALITY)) {
		tis_init(&tis, &eops, NULL);
		tis_mmio_write(&tis, TIS_ACCESS, 1, TIS_ACCESS_REQUEST_USE);
	}
	tis_mmio_write(&tis, TIS_STS, 1, TIS_STS_COMMAND_READY);
	while (i < len) {
		burst = (r32(TIS_STS, 4) >> 8) & 0xffff;
		if (!burst)
			return 0;
		while (burst && i < len) {
			unsigned int w = len - i >= 4 && burst >= 4 ? 4 : 1;

			v = 0;
			memcpy(&v, cmd + i, w);
			tis_mmio_write(&tis, TIS_DATA_FIFO, w, v);
			i += w;
			burst -= w;
		}
	}
	if (r32(TIS_STS, 1) & TIS_STS_EXPECT)
		return 0;
	tis_mmio_write(&tis, TIS_STS, 1, TIS_STS_GO);
	while ((r32(TIS_STS, 1) & TIS_STS_DATA_AVAIL) && n < size) {
		unsigned int w = size - n >= 4 ? 4 : 1;

		v = r32(TIS_XDATA_FIFO, w);
		memcpy(rsp + n, &v, w);
		n += w;
	}
	if (n >= 6) {
		uint32_t want = (uint32_t)rsp[2] << 24 | rsp[3] << 16 |
				rsp[4] << 8 | rsp[5];

		if (want <= n)
			n = want;	/* the last 4-byte read may overrun */
	}
	tis_mmio_write(&tis, TIS_STS, 1, TIS_STS_COMMAND_READY);
	return n;
}

/* ---- TPM 2.0 commands -------------------------------------------------- */

struct buf {
	uint8_t b[TIS_BUFSIZE];
	uint32_t n;
};

static void p8(struct buf *c, uint8_t v)
{
	c->b[c->n++] = v;
}

static void p16(struct buf *c, uint16_t v)
{
	p8(c, v >> 8);
	p8(c, v);
}

static void p32(struct buf *c, uint32_t v)
{
	p16(c, v >> 16);
	p16(c, v);
}

static void begin(struct buf *c, uint16_t tag, uint32_t cc)
{
	c->n = 0;
	p16(c, tag);
	p32(c, 0);
	p32(c, cc);
}

static void pw_session(struct buf *c)
{
	p32(c, 9);
	p32(c, 0x40000009);	/* TPM_RS_PW */
	p16(c, 0);
	p8(c, 0);
	p16(c, 0);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint32_t run(struct buf *c, struct buf *r)
{
	c->b[2] = c->n >> 24;
	c->b[3] = c->n >> 16;
	c->b[4] = c->n >> 8;
	c->b[5] = c->n;
	r->n = transact(c->b, c->n, r->b, sizeof(r->b));
	if (r->n < 10)
		return 0xffffffff;
	return be32(r->b + 6);
}

static uint32_t startup(void)
{
	struct buf c, r;

	begin(&c, 0x8001, 0x144);
	p16(&c, 0);		/* TPM_SU_CLEAR */
	return run(&c, &r);
}

static uint32_t getrandom(uint8_t *out, uint16_t len)
{
	struct buf c, r;
	uint32_t rc;

	begin(&c, 0x8001, 0x17b);
	p16(&c, len);
	rc = run(&c, &r);
	if (!rc && (r.n < 12 || ((r.b[10] << 8) | r.b[11]) != len))
		return 0xfffffffe;
	if (!rc && out)
		memcpy(out, r.b + 12, len);
	return rc;
}

static uint32_t pcr_extend(uint32_t pcr, const uint8_t *digest)
{
	struct buf c, r;

	begin(&c, 0x8002, 0x182);
	p32(&c, pcr);
	pw_session(&c);
	p32(&c, 1);
	p16(&c, 0x000b);	/* SHA-256 */
	memcpy(c.b + c.n, digest, 32);
	c.n += 32;
	return run(&c, &r);
}

static uint32_t pcr_read(uint32_t pcr, uint8_t *digest)
{
	struct buf c, r;
	uint32_t rc;

	begin(&c, 0x8001, 0x17e);
	p32(&c, 1);
	p16(&c, 0x000b);
	p8(&c, 3);
	p8(&c, pcr < 8 ? 1 << pcr : 0);
	p8(&c, pcr >= 8 && pcr < 16 ? 1 << (pcr - 8) : 0);
	p8(&c, pcr >= 16 ? 1 << (pcr - 16) : 0);
	rc = run(&c, &r);
	if (rc)
		return rc;
	if (r.n < 62 || be32(r.b + 24) != 1 || r.b[28] != 0 || r.b[29] != 32)
		return 0xfffffffe;
	memcpy(digest, r.b + 30, 32);
	return 0;
}

static uint32_t nv_define(void)
{
	struct buf c, r;

	begin(&c, 0x8002, 0x12a);
	p32(&c, 0x40000001);	/* TPM_RH_OWNER */
	pw_session(&c);
	p16(&c, 0);		/* auth */
	p16(&c, 14);		/* TPM2B_NV_PUBLIC */
	p32(&c, NV_INDEX);
	p16(&c, 0x000b);
	p32(&c, 0x00020002);	/* OWNERREAD | OWNERWRITE */
	p16(&c, 0);
	p16(&c, 32);
	return run(&c, &r);
}

static uint32_t nv_write(const char *data)
{
	struct buf c, r;
	uint16_t n = strlen(data);

	begin(&c, 0x8002, 0x137);
	p32(&c, 0x40000001);
	p32(&c, NV_INDEX);
	pw_session(&c);
	p16(&c, n);
	memcpy(c.b + c.n, data, n);
	c.n += n;
	p16(&c, 0);
	return run(&c, &r);
}

static uint32_t nv_read(char *out, uint16_t n)
{
	struct buf c, r;
	uint32_t rc;

	begin(&c, 0x8002, 0x14e);
	p32(&c, 0x40000001);
	p32(&c, NV_INDEX);
	pw_session(&c);
	p16(&c, n);
	p16(&c, 0);
	rc = run(&c, &r);
	if (rc)
		return rc;
	if (r.n < 16u + n || ((r.b[14] << 8) | r.b[15]) != n)
		return 0xfffffffe;
	memcpy(out, r.b + 16, n);
	out[n] = 0;
	return 0;
}

static void extended(const uint8_t *old, const uint8_t *d, uint8_t *out)
{
	uint8_t in[64];
	unsigned int len = 32;

	memcpy(in, old, 32);
	memcpy(in + 32, d, 32);
	EVP_Digest(in, 64, out, &len, EVP_sha256(), NULL);
}

/* ---- fixture: a fresh state directory ---------------------------------- */

FIXTURE(tpm) {
	char dir[64];
};

FIXTURE_SETUP(tpm)
{
	strcpy(self->dir, "/var/tmp/hcl-tpm-test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(tpm)
{
	struct dirent *de;
	DIR *d;

	tpm_engine_close();
	d = opendir(self->dir);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' || strlen(de->d_name) > 2)
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	rmdir(self->dir);
}

static int open_tpm(const char *dir, bool save, struct tpm_engine_restore *r)
{
	struct tpm_engine_restore dummy;
	int ret = tpm_engine_open(dir, save ? TPM_ENGINE_SAVE_VOLATILE : 0,
				  r ? r : &dummy);

	tis_init(&tis, &eops, NULL);
	return ret;
}

static int dfd(const char *dir)
{
	return open(dir, O_RDONLY | O_DIRECTORY);
}

static bool exists(const char *dir, const char *name)
{
	int fd = dfd(dir);
	bool e = !faccessat(fd, name, F_OK, 0);

	close(fd);
	return e;
}

static uint64_t generation(const char *dir, const char *name)
{
	int fd = dfd(dir), kind = tpm_state_kind(name);
	uint64_t gen = 0;
	uint32_t len;
	void *data;

	if (!tpm_state_read(fd, name, kind, &data, &len, &gen, NULL))
		free(data);
	close(fd);
	return gen;
}

TEST_F(tpm, commands_through_tis)
{
	uint8_t a[32], b[32], d[32], pcr[32], want[32];
	struct buf c, r;
	char nv[33];

	ASSERT_EQ(0, open_tpm(self->dir, true, NULL)) {
		TH_LOG("%s", tpm_engine_error());
	}
	/* a new TPM waits for the guest's TPM2_Startup */
	EXPECT_EQ(RC_INITIALIZE, getrandom(a, 32));
	ASSERT_EQ(0u, startup());
	ASSERT_EQ(0u, getrandom(a, 32));
	ASSERT_EQ(0u, getrandom(b, 32));
	EXPECT_NE(0, memcmp(a, b, 32));

	ASSERT_EQ(0u, pcr_read(16, pcr));
	memset(want, 0, 32);
	EXPECT_EQ(0, memcmp(want, pcr, 32));
	memset(d, 0xab, 32);
	ASSERT_EQ(0u, pcr_extend(16, d));
	extended(want, d, want);
	ASSERT_EQ(0u, pcr_read(16, pcr));
	EXPECT_EQ(0, memcmp(want, pcr, 32));

	ASSERT_EQ(0u, nv_define());
	ASSERT_EQ(0u, nv_write("hcl vtpm nv data"));
	ASSERT_EQ(0u, nv_read(nv, 16));
	EXPECT_STREQ("hcl vtpm nv data", nv);

	/* a malformed command gets a TPM error, not a crash */
	begin(&c, 0x8001, 0x17b);	/* GetRandom without its size */
	EXPECT_NE(0u, run(&c, &r));
	begin(&c, 0x1234, 0xdeadbeef);
	EXPECT_NE(0u, run(&c, &r));
	EXPECT_EQ(0u, tpm_engine_stats()->save_errors);
}

TEST_F(tpm, state_files_are_written_atomically)
{
	uint64_t g1, g2;
	DIR *d;
	struct dirent *de;

	ASSERT_EQ(0, open_tpm(self->dir, true, NULL));
	EXPECT_TRUE(exists(self->dir, "permall"));	/* manufactured */
	ASSERT_EQ(0u, startup());
	EXPECT_TRUE(exists(self->dir, "volatilestate"));
	g1 = generation(self->dir, "volatilestate");
	ASSERT_EQ(0u, getrandom(NULL, 8));
	g2 = generation(self->dir, "volatilestate");
	EXPECT_GT(g2, g1);
	EXPECT_GT(tpm_engine_stats()->nv_writes, 0u);
	/* no temporary file is left behind */
	d = opendir(self->dir);
	ASSERT_NE(NULL, d);
	while ((de = readdir(d)))
		EXPECT_EQ(NULL, strstr(de->d_name, ".tmp"));
	closedir(d);
}

static size_t slurp(const char *dir, const char *name, uint8_t *buf,
		    size_t size)
{
	int fd = dfd(dir), f = openat(fd, name, O_RDONLY);
	ssize_t n = f < 0 ? -1 : read(f, buf, size);

	if (f >= 0)
		close(f);
	close(fd);
	return n < 0 ? 0 : n;
}

static void spill(const char *dir, const char *name, const uint8_t *buf,
		  size_t len)
{
	int fd = dfd(dir);
	int f = openat(fd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (f < 0 || write(f, buf, len) != (ssize_t)len)
		abort();
	close(f);
	close(fd);
}

TEST_F(tpm, corrupt_state_is_reported_not_reset)
{
	static const struct { const char *name; size_t at; int trunc; } c[] = {
		{ "permall", 100, 0 },		/* payload */
		{ "permall", 9, 0 },		/* header length */
		{ "permall", 200, 1 },		/* truncated payload */
		{ "permall", 10, 1 },		/* truncated header */
		{ "volatilestate", 40, 0 },
		{ "volatilestate", 0, 0 },	/* magic */
	};
	static uint8_t perm[1 << 16], vol[1 << 16], bad[1 << 16];
	struct tpm_engine_restore r;
	size_t np, nvol, n;
	unsigned int i;
	bool is_perm;
	int fd;

	ASSERT_EQ(0, open_tpm(self->dir, true, NULL));
	ASSERT_EQ(0u, startup());
	tpm_engine_close();
	np = slurp(self->dir, "permall", perm, sizeof(perm));
	nvol = slurp(self->dir, "volatilestate", vol, sizeof(vol));
	ASSERT_GT(np, 200u);
	ASSERT_GT(nvol, 200u);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		is_perm = !strcmp(c[i].name, "permall");
		n = is_perm ? np : nvol;
		memcpy(bad, is_perm ? perm : vol, n);
		if (c[i].trunc)
			n = c[i].at;
		else
			bad[c[i].at] ^= 0x40;
		spill(self->dir, c[i].name, bad, n);
		EXPECT_EQ(-EBADMSG, open_tpm(self->dir, true, &r));
		EXPECT_NE(NULL, strstr(tpm_engine_error(), "corrupt"));
		/* nothing was replaced by a fresh TPM */
		EXPECT_EQ(n, slurp(self->dir, c[i].name, perm + np, n + 1));
		spill(self->dir, c[i].name, is_perm ? perm : vol,
		      is_perm ? np : nvol);
	}
	/* the intact files still open */
	ASSERT_EQ(0, open_tpm(self->dir, false, &r));
	EXPECT_TRUE(r.volatile_state);
	tpm_engine_close();
	/* a volatile state in the permanent state's place: wrong kind */
	spill(self->dir, "permall", vol, nvol);
	spill(self->dir, "volatilestate", vol, nvol);
	EXPECT_EQ(-EBADMSG, open_tpm(self->dir, true, &r));
	/* and a volatile state without a permanent one is refused too */
	fd = dfd(self->dir);
	unlinkat(fd, "permall", 0);
	close(fd);
	EXPECT_EQ(-EBADMSG, open_tpm(self->dir, true, &r));
}

TEST_F(tpm, killed_worker_resumes_with_its_state)
{
	uint8_t d[32], before[32], after[32];
	struct tpm_engine_restore r;
	int p[2], status, round;
	uint64_t gen;
	char nv[33];
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		if (open_tpm(self->dir, true, NULL) || startup())
			_exit(1);
		memset(d, 0x5c, 32);
		if (pcr_extend(16, d) || pcr_extend(16, d) || nv_define() ||
		    nv_write("kept across kill") || pcr_read(16, before))
			_exit(2);
		if (write(p[1], before, 32) != 32)
			_exit(3);
		raise(SIGKILL);		/* no close, no clean shutdown */
		_exit(4);
	}
	close(p[1]);
	ASSERT_EQ(32, read(p[0], before, 32));
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	for (round = 0; round < 2; round++) {
		gen = generation(self->dir, "volatilestate");
		ASSERT_NE(0u, gen);
		ASSERT_EQ(0, open_tpm(self->dir, true, &r)) {
			TH_LOG("%s", tpm_engine_error());
		}
		EXPECT_TRUE(r.permanent);
		EXPECT_TRUE(r.volatile_state);
		/* the loaded file is gone, a newer one stands for it */
		EXPECT_GT(generation(self->dir, "volatilestate"), gen);
		/* no TPM2_Startup: the TPM is running, PCRs as they were */
		ASSERT_EQ(0u, pcr_read(16, after));
		EXPECT_EQ(0, memcmp(before, after, 32));
		ASSERT_EQ(0u, nv_read(nv, 16));
		EXPECT_STREQ("kept across kill", nv);
		/* round 2: killed right after the restore, before any command */
		tpm_engine_close();
		if (round == 0) {
			pid = fork();
			ASSERT_GE(pid, 0);
			if (!pid) {
				if (open_tpm(self->dir, true, NULL))
					_exit(1);
				raise(SIGKILL);
				_exit(2);
			}
			ASSERT_EQ(pid, waitpid(pid, &status, 0));
			ASSERT_TRUE(WIFSIGNALED(status));
		}
	}
}

/*
 * Starts a TPM that saves its volatile state in @dir, and closes it:
 * 0 once that state is on disk, or -1.
 */
static int start_and_close(const char *dir)
{
	if (open_tpm(dir, true, NULL) || startup())
		return -1;
	tpm_engine_close();
	return exists(dir, "volatilestate") ? 0 : -1;
}

TEST_F(tpm, restored_volatile_state_is_deleted)
{
	struct tpm_engine_restore r;

	ASSERT_EQ(0, start_and_close(self->dir));
	/* without the per-command save, the restore leaves no file */
	ASSERT_EQ(0, open_tpm(self->dir, false, &r));
	EXPECT_TRUE(r.volatile_state);
	EXPECT_FALSE(exists(self->dir, "volatilestate"));
	ASSERT_EQ(0u, getrandom(NULL, 8));
	tpm_engine_close();
	/* so the next start cannot load it again: the TPM needs Startup */
	ASSERT_EQ(0, open_tpm(self->dir, false, &r));
	EXPECT_FALSE(r.volatile_state);
	EXPECT_EQ(RC_INITIALIZE, getrandom(NULL, 8));
}

TEST_F(tpm, power_on_drops_the_volatile_state)
{
	struct tpm_engine_restore r;

	ASSERT_EQ(0, start_and_close(self->dir));
	ASSERT_EQ(0, tpm_engine_open(self->dir, TPM_ENGINE_SAVE_VOLATILE |
				     TPM_ENGINE_POWER_ON, &r));
	tis_init(&tis, &eops, NULL);
	EXPECT_TRUE(r.permanent);
	EXPECT_FALSE(r.volatile_state);
	EXPECT_FALSE(exists(self->dir, "volatilestate"));
	EXPECT_EQ(RC_INITIALIZE, getrandom(NULL, 8));
	EXPECT_EQ(0u, startup());
}

TEST_F(tpm, power_cycle_needs_startup_again)
{
	uint8_t d[32], pcr[32], zero[32] = { 0 };

	ASSERT_EQ(0, open_tpm(self->dir, true, NULL));
	ASSERT_EQ(0u, startup());
	memset(d, 1, 32);
	ASSERT_EQ(0u, pcr_extend(16, d));
	ASSERT_EQ(0, tpm_engine_power_cycle());
	EXPECT_FALSE(exists(self->dir, "volatilestate"));
	EXPECT_EQ(RC_INITIALIZE, getrandom(NULL, 8));
	ASSERT_EQ(0u, startup());
	ASSERT_EQ(0u, pcr_read(16, pcr));
	EXPECT_EQ(0, memcmp(zero, pcr, 32));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* not a timing assertion: prints rates and checks every command passed */
TEST_F(tpm, cost_of_the_crash_safe_save)
{
	const int n = 200;
	uint8_t d[32] = { 7 };
	double t, rate[2][2];
	int save, i;
	uint64_t saves, save_ns = 0, lib_ns = 0, get_ns = 0;
	double durable;
	uint32_t vsize = 0;

	for (save = 0; save < 2; save++) {
		ASSERT_EQ(0, open_tpm(self->dir, save, NULL));
		ASSERT_EQ(0u, startup());
		t = now();
		for (i = 0; i < n; i++)
			ASSERT_EQ(0u, getrandom(NULL, 32));
		rate[save][0] = n / (now() - t);
		t = now();
		for (i = 0; i < n; i++)
			ASSERT_EQ(0u, pcr_extend(16, d));
		rate[save][1] = n / (now() - t);
		saves = tpm_engine_stats()->saves;
		if (!save)
			lib_ns = tpm_engine_stats()->process_ns /
				 tpm_engine_stats()->commands;
		if (save) {
			ASSERT_GE(saves, 2u * n);
			save_ns = tpm_engine_stats()->save_ns / saves;
			get_ns = tpm_engine_stats()->getstate_ns / saves;
			vsize = tpm_engine_stats()->last_volatile_size;
			t = now();
			for (i = 0; i < 50; i++)
				ASSERT_EQ(0, tpm_engine_save_volatile());
			durable = (now() - t) / 50;
		}
		tpm_engine_close();
	}
	ksft_print_msg("through TIS, state in %s: GetRandom(32) %.0f/s, "
		       "PCR_Extend %.0f/s without the volatile save "
		       "(%.1f us per command in libtpms)\n",
		       "/var/tmp", rate[0][0], rate[0][1], lib_ns / 1e3);
	ksft_print_msg("with the crash-safe save: GetRandom(32) %.0f/s, "
		       "PCR_Extend %.0f/s; save %.1f us per command, "
		       "%.1f us of it in TPMLIB_GetState (%u-byte volatile "
		       "state)\n", rate[1][0], rate[1][1], save_ns / 1e3,
		       get_ns / 1e3, vsize);
	ksft_print_msg("a durable (fsync) volatile save: %.1f us\n",
		       durable * 1e6);
}

TEST_HARNESS_MAIN
