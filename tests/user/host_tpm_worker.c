// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of hcl-tpm-worker, the program: the device-worker protocol
 * on a socketpair (TIS registers, interrupts, save/restore, reset, stop,
 * a kill and restart), and the swtpm-compatible mode driven by tpm2-tools
 * side by side with swtpm itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "devworker_proto.h"
#include "tis.h"

static char worker[PATH_MAX];

static void find_worker(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return;
	self[n] = 0;
	snprintf(worker, sizeof(worker), "%s/../host/bin/hcl-tpm-worker",
		 dirname(self));
}

static void rmtree(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* ---- the device-worker protocol -------------------------------------------- */

struct conn {
	int fd;
	pid_t pid;
	uint32_t id;
	int irqs, irq_level;
	uint8_t payload[DEVWORKER_MAX_PAYLOAD];
	uint32_t payload_len;
};

static int start(struct conn *c, const char *dir, bool power_on)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (!c->pid) {
		dup2(sv[1], 3);		/* dup2 clears close-on-exec */
		execl(worker, worker, "--fd", "3", "--state", dir,
		      power_on ? "--power-on" : NULL, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	c->fd = sv[0];
	return 0;
}

/* send a request and wait for its reply (counting IRQs on the way) */
static int request(struct conn *c, struct devworker_msg *m,
		   const void *payload, uint32_t len)
{
	static uint8_t pkt[sizeof(*m) + DEVWORKER_MAX_PAYLOAD];
	struct devworker_msg r;
	ssize_t n;

	m->id = ++c->id;
	m->len = len;
	memcpy(pkt, m, sizeof(*m));
	if (len)
		memcpy(pkt + sizeof(*m), payload, len);
	if (send(c->fd, pkt, sizeof(*m) + len, 0) < 0)
		return -errno;
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };

		if (poll(&p, 1, 20000) != 1)
			return -ETIMEDOUT;
		n = recv(c->fd, pkt, sizeof(pkt), 0);
		if (n < (ssize_t)sizeof(r))
			return -EIO;
		memcpy(&r, pkt, sizeof(r));
		if (r.type == DEVWORKER_IRQ && !r.id) {
			c->irqs++;
			c->irq_level = r.value;
			continue;
		}
		if (r.id != m->id || r.type != (m->type | DEVWORKER_REPLY) ||
		    r.len != n - sizeof(r))
			return -EPROTO;
		*m = r;
		c->payload_len = r.len;
		memcpy(c->payload, pkt + sizeof(r), r.len);
		return r.status;
	}
}

static uint32_t mr(struct conn *c, uint32_t off, unsigned int size)
{
	struct devworker_msg m = { .type = DEVWORKER_MMIO_READ, .addr = off,
				   .size = size };

	return request(c, &m, NULL, 0) ? 0xdeadbeef : (uint32_t)m.value;
}

static int mw(struct conn *c, uint32_t off, unsigned int size, uint32_t v)
{
	struct devworker_msg m = { .type = DEVWORKER_MMIO_WRITE, .addr = off,
				   .size = size, .value = v };

	return request(c, &m, NULL, 0);
}

static int simple(struct conn *c, uint16_t type)
{
	struct devworker_msg m = { .type = type };

	return request(c, &m, NULL, 0);
}

/* one TPM command through the TIS registers, at locality 0 */
static uint32_t tpm_cmd(struct conn *c, const uint8_t *cmd, uint32_t len,
			uint8_t *rsp, uint32_t *rsp_len)
{
	uint32_t i, n = 0, v, spins = 0;

	if (!(mr(c, TIS_ACCESS, 1) & TIS_ACCESS_ACTIVE_LOCALITY))
		mw(c, TIS_ACCESS, 1, TIS_ACCESS_REQUEST_USE);
	mw(c, TIS_STS, 1, TIS_STS_COMMAND_READY);
	for (i = 0; i < len; i++)
		mw(c, TIS_DATA_FIFO, 1, cmd[i]);
	mw(c, TIS_STS, 1, TIS_STS_GO);
	/* register reads are answered while the command runs */
	while ((mr(c, TIS_STS, 1) & (TIS_STS_VALID | TIS_STS_DATA_AVAIL)) !=
	       (TIS_STS_VALID | TIS_STS_DATA_AVAIL)) {
		if (++spins > 1000000)
			return 0xffffffff;
	}
	while (mr(c, TIS_STS, 1) & TIS_STS_DATA_AVAIL) {
		v = mr(c, TIS_DATA_FIFO, 1);
		if (n < 4096)
			rsp[n++] = v;
	}
	mw(c, TIS_STS, 1, TIS_STS_COMMAND_READY);
	*rsp_len = n;
	if (n < 10)
		return 0xfffffffe;
	return (uint32_t)rsp[6] << 24 | rsp[7] << 16 | rsp[8] << 8 | rsp[9];
}

static const uint8_t startup_clear[12] = {
	0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
static const uint8_t getrandom16[12] = {
	0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 16 };
static const uint8_t pcr_read16[20] = {
	0x80, 0x01, 0, 0, 0, 20, 0, 0, 0x01, 0x7e,
	0, 0, 0, 1, 0, 0x0b, 3, 0, 0, 1 };

static void pcr_extend16(uint8_t *cmd)
{
	static const uint8_t hdr[] = {
		0x80, 0x02, 0, 0, 0, 65, 0, 0, 0x01, 0x82, 0, 0, 0, 16,
		0, 0, 0, 9, 0x40, 0, 0, 9, 0, 0, 0, 0, 0,
		0, 0, 0, 1, 0, 0x0b };

	memcpy(cmd, hdr, sizeof(hdr));
	memset(cmd + sizeof(hdr), 0x3c, 32);
}

FIXTURE(worker) {
	char dir[64];
	struct conn c;
};

FIXTURE_SETUP(worker)
{
	find_worker();
	strcpy(self->dir, "/var/tmp/hcl-tpm-worker.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	memset(&self->c, 0, sizeof(self->c));
	self->c.fd = -1;
}

FIXTURE_TEARDOWN(worker)
{
	if (self->c.pid > 0) {
		kill(self->c.pid, SIGKILL);
		waitpid(self->c.pid, NULL, 0);
	}
	rmtree(self->dir);
}

TEST_F(worker, device_worker_protocol)
{
	static uint8_t blob[TIS_SAVE_SIZE];
	struct devworker_msg m;
	uint8_t rsp[4096], ext[65], pcr[32];
	uint32_t n, bloblen;
	int status;

	ASSERT_EQ(0, access(worker, X_OK));
	ASSERT_EQ(0, start(&self->c, self->dir, true));
	m = (struct devworker_msg){ .type = DEVWORKER_HELLO,
				    .value = DEVWORKER_PROTO_VERSION };
	ASSERT_EQ(0, request(&self->c, &m, NULL, 0));
	EXPECT_EQ(DEVWORKER_PROTO_VERSION, m.value);
	EXPECT_EQ(TIS_BASE, m.addr);
	EXPECT_EQ(TIS_SIZE, m.size);
	m = (struct devworker_msg){ .type = DEVWORKER_HELLO, .value = 99 };
	EXPECT_EQ(EPROTONOSUPPORT, request(&self->c, &m, NULL, 0));
	/* reserved fields must be zero; wrong directions are refused */
	m = (struct devworker_msg){ .type = DEVWORKER_MMIO_READ, .size = 4,
				    .reserved = 1 };
	EXPECT_EQ(EINVAL, request(&self->c, &m, NULL, 0));
	EXPECT_EQ(EINVAL, simple(&self->c, DEVWORKER_IRQ));
	EXPECT_EQ(EINVAL, simple(&self->c, DEVWORKER_GUEST_READ));
	EXPECT_EQ(EINVAL, simple(&self->c, 0x7777));
	m = (struct devworker_msg){ .type = DEVWORKER_PIO_READ, .size = 1 };
	EXPECT_EQ(EOPNOTSUPP, request(&self->c, &m, NULL, 0));
	m = (struct devworker_msg){ .type = DEVWORKER_MMIO_READ, .size = 8 };
	EXPECT_EQ(EINVAL, request(&self->c, &m, NULL, 0));
	m = (struct devworker_msg){ .type = DEVWORKER_MMIO_READ, .size = 4,
				    .addr = 1ull << 40 };
	EXPECT_EQ(EINVAL, request(&self->c, &m, NULL, 0));

	EXPECT_EQ(0x00011014u, mr(&self->c, TIS_DID_VID, 4));
	EXPECT_EQ(0x100u, tpm_cmd(&self->c, getrandom16, 12, rsp, &n));
	ASSERT_EQ(0u, tpm_cmd(&self->c, startup_clear, 12, rsp, &n));
	ASSERT_EQ(0u, tpm_cmd(&self->c, getrandom16, 12, rsp, &n));
	EXPECT_EQ(28u, n);

	/* interrupts: dataAvail raises the line, W1C drops it */
	ASSERT_EQ(0, mw(&self->c, TIS_INT_ENABLE, 4, TIS_INT_GLOBAL_ENABLE |
			TIS_INT_DATA_AVAIL));
	pcr_extend16(ext);
	ASSERT_EQ(0u, tpm_cmd(&self->c, ext, sizeof(ext), rsp, &n));
	EXPECT_GE(self->c.irqs, 1);
	ASSERT_EQ(0, mw(&self->c, TIS_INT_STATUS, 4, TIS_INT_ALL));
	mr(&self->c, TIS_STS, 4);
	EXPECT_EQ(0, self->c.irq_level);
	ASSERT_EQ(0, mw(&self->c, TIS_INT_ENABLE, 4, 0));

	/* save and restore of the register state */
	ASSERT_EQ(0, simple(&self->c, DEVWORKER_SAVE));
	ASSERT_EQ(TIS_SAVE_SIZE, self->c.payload_len);
	bloblen = self->c.payload_len;
	memcpy(blob, self->c.payload, bloblen);
	m = (struct devworker_msg){ .type = DEVWORKER_RESTORE };
	EXPECT_EQ(0, request(&self->c, &m, blob, bloblen));
	blob[0] ^= 0xff;
	m = (struct devworker_msg){ .type = DEVWORKER_RESTORE };
	EXPECT_EQ(EINVAL, request(&self->c, &m, blob, bloblen));

	ASSERT_EQ(0u, tpm_cmd(&self->c, pcr_read16, 20, rsp, &n));
	ASSERT_EQ(62u, n);
	memcpy(pcr, rsp + 30, 32);

	/* SIGKILL between commands: the new worker resumes, no Startup */
	kill(self->c.pid, SIGKILL);
	waitpid(self->c.pid, NULL, 0);
	close(self->c.fd);
	ASSERT_EQ(0, start(&self->c, self->dir, false));
	ASSERT_EQ(0u, tpm_cmd(&self->c, pcr_read16, 20, rsp, &n));
	EXPECT_EQ(0, memcmp(pcr, rsp + 30, 32));

	/* RESET is a platform reset: Startup again, PCRs cleared */
	ASSERT_EQ(0, simple(&self->c, DEVWORKER_RESET));
	EXPECT_EQ(0x100u, tpm_cmd(&self->c, getrandom16, 12, rsp, &n));
	ASSERT_EQ(0u, tpm_cmd(&self->c, startup_clear, 12, rsp, &n));

	/* STOP: reply, then a clean exit */
	ASSERT_EQ(0, simple(&self->c, DEVWORKER_STOP));
	ASSERT_EQ(self->c.pid, waitpid(self->c.pid, &status, 0));
	self->c.pid = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* not a timing assertion: prints the cost of the socketpair hop */
TEST_F(worker, protocol_round_trip_cost)
{
	uint8_t rsp[4096], ext[65];
	uint32_t n;
	double t, rt, gr, pe;
	int i;

	ASSERT_EQ(0, start(&self->c, self->dir, true));
	ASSERT_EQ(0u, tpm_cmd(&self->c, startup_clear, 12, rsp, &n));
	t = now();
	for (i = 0; i < 5000; i++)
		ASSERT_EQ(0x1014u, mr(&self->c, TIS_DID_VID, 2));
	rt = (now() - t) / 5000;
	t = now();
	for (i = 0; i < 200; i++)
		ASSERT_EQ(0u, tpm_cmd(&self->c, getrandom16, 12, rsp, &n));
	gr = 200 / (now() - t);
	pcr_extend16(ext);
	t = now();
	for (i = 0; i < 200; i++)
		ASSERT_EQ(0u, tpm_cmd(&self->c, ext, sizeof(ext), rsp, &n));
	pe = 200 / (now() - t);
	ksft_print_msg("device-worker protocol: MMIO read round trip %.1f us; "
		       "byte-wise TIS commands: GetRandom(16) %.0f/s, "
		       "PCR_Extend %.0f/s\n", rt * 1e6, gr, pe);
}

TEST_F(worker, corrupt_state_stops_the_worker)
{
	char path[128];
	int status, fd;

	ASSERT_EQ(0, start(&self->c, self->dir, true));
	ASSERT_EQ(0, simple(&self->c, DEVWORKER_STOP));
	waitpid(self->c.pid, NULL, 0);
	snprintf(path, sizeof(path), "%s/permall", self->dir);
	fd = open(path, O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(4, pwrite(fd, "XXXX", 4, 40));
	close(fd);
	ASSERT_EQ(0, start(&self->c, self->dir, false));
	ASSERT_EQ(self->c.pid, waitpid(self->c.pid, &status, 0));
	self->c.pid = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

/* ---- swtpm mode against swtpm, with tpm2-tools ----------------------------- */

static bool have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s > /dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* runs a tpm2-tools sequence against path; the output lands in out */
static int sequence(const char *dir, const char *sock, const char *out)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "set -e; export TPM2TOOLS_TCTI=swtpm:path=%s; cd %s; "
		 "tpm2_startup -c; "
		 "tpm2_getrandom 32 -o rnd; test $(stat -c %%s rnd) = 32; "
		 "tpm2_pcrextend 16:sha256=%064d,sha1=%040d; "
		 "tpm2_pcrextend 23:sha256=%s; "
		 "tpm2_pcrextend 16:sha256=%s; "
		 "tpm2_pcrread sha256:0,16,23+sha1:16 > %s",
		 sock, dir, 1, 2,
		 "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
		 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		 out);
	return system(cmd);
}

static bool wait_socket(const char *path)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (!access(path, F_OK))
			return true;
		usleep(20000);
	}
	return false;
}

/* swtpm itself on sock and ctrl, state in dir, as a daemon (dir/pid) */
static int start_swtpm(const char *dir, const char *sock, const char *ctrl)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "swtpm socket --tpm2 --tpmstate dir=%s "
		 "--server type=unixio,path=%s --ctrl type=unixio,path=%s "
		 "--flags not-need-init --daemon --pid file=%s/pid",
		 dir, sock, ctrl, dir);
	return system(cmd);
}

/* the worker in swtpm mode on sock and ctrl, state in dir; its pid */
static pid_t start_swtpm_mode(const char *dir, const char *sock,
			      const char *ctrl, bool power_on)
{
	const char *argv[] = {
		worker, "--state", dir, "--socket", sock, "--ctrl", ctrl,
		power_on ? "--power-on" : NULL, NULL,
	};
	pid_t pid = fork();

	if (!pid) {
		execv(worker, (char **)argv);
		_exit(127);
	}
	return pid;
}

static bool same_file(const char *a, const char *b)
{
	char cmd[512];
	struct stat st;

	/* tpm2_pcrread prints four banks' lines: more than 200 bytes */
	if (stat(a, &st) || st.st_size < 200)
		return false;
	snprintf(cmd, sizeof(cmd), "cmp -s %s %s", a, b);
	return system(cmd) == 0;
}

/* one swtpm control command: 4-byte code, payload; returns reply bytes */
static ssize_t ctrl_cmd(const char *path, uint32_t code, const void *in,
			size_t len, uint8_t *out, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t msg[64];
	ssize_t n;
	int fd;

	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	msg[0] = code >> 24;
	msg[1] = code >> 16;
	msg[2] = code >> 8;
	msg[3] = code;
	memcpy(msg + 4, in, len);
	n = write(fd, msg, 4 + len) == (ssize_t)(4 + len) ?
	    read(fd, out, size) : -1;
	close(fd);
	return n;
}

TEST_F(worker, tpm2_tools_match_swtpm)
{
	char ours[96], ref[96], sdir[96], sock[128], ctrl[128], cmd[1024];
	char out_ours[128], out_ref[128], out_again[128];
	uint8_t reply[16];
	pid_t pid;
	int status;

	if (!have("tpm2_startup") || !have("tpm2_pcrread") || !have("swtpm"))
		SKIP(return, "tpm2-tools or swtpm not installed");
	ASSERT_EQ(0, access(worker, X_OK));
	snprintf(ours, sizeof(ours), "%s/ours", self->dir);
	snprintf(ref, sizeof(ref), "%s/swtpm", self->dir);
	snprintf(sdir, sizeof(sdir), "%s/state", self->dir);
	ASSERT_EQ(0, mkdir(ours, 0700));
	ASSERT_EQ(0, mkdir(ref, 0700));
	ASSERT_EQ(0, mkdir(sdir, 0700));
	snprintf(out_ours, sizeof(out_ours), "%s/pcrs-ours", self->dir);
	snprintf(out_ref, sizeof(out_ref), "%s/pcrs-swtpm", self->dir);
	snprintf(out_again, sizeof(out_again), "%s/pcrs-again", self->dir);

	/* swtpm itself */
	snprintf(sock, sizeof(sock), "%s/sock", ref);
	snprintf(ctrl, sizeof(ctrl), "%s/sock.ctrl", ref);
	ASSERT_EQ(0, start_swtpm(ref, sock, ctrl));
	ASSERT_TRUE(wait_socket(sock));
	EXPECT_EQ(0, sequence(ref, sock, out_ref));
	snprintf(cmd, sizeof(cmd), "kill $(cat %s/pid)", ref);
	EXPECT_EQ(0, system(cmd));

	/* the worker */
	snprintf(sock, sizeof(sock), "%s/sock", ours);
	snprintf(ctrl, sizeof(ctrl), "%s/sock.ctrl", ours);
	pid = start_swtpm_mode(sdir, sock, ctrl, false);
	ASSERT_GE(pid, 0);
	self->c.pid = pid;
	ASSERT_TRUE(wait_socket(ctrl));
	EXPECT_EQ(0, sequence(ours, sock, out_ours));
	EXPECT_TRUE(same_file(out_ref, out_ours));

	/* killed and restarted: the same PCRs without tpm2_startup */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(ctrl);
	pid = start_swtpm_mode(sdir, sock, ctrl, false);
	ASSERT_GE(pid, 0);
	self->c.pid = pid;
	ASSERT_TRUE(wait_socket(ctrl));
	snprintf(cmd, sizeof(cmd),
		 "TPM2TOOLS_TCTI=swtpm:path=%s tpm2_pcrread "
		 "sha256:0,16,23+sha1:16 > %s", sock, out_again);
	EXPECT_EQ(0, system(cmd));
	EXPECT_TRUE(same_file(out_ref, out_again));

	/* control channel: capabilities, locality, unknown, shutdown */
	ASSERT_EQ(8, ctrl_cmd(ctrl, 1, NULL, 0, reply, sizeof(reply)));
	EXPECT_NE(0, reply[7] & 0x08);		/* PTM_CAP_SET_LOCALITY */
	ASSERT_EQ(4, ctrl_cmd(ctrl, 5, "\x05", 1, reply, sizeof(reply)));
	EXPECT_EQ(0x3d, reply[3]);		/* TPM_BAD_LOCALITY */
	ASSERT_EQ(4, ctrl_cmd(ctrl, 5, "\x00", 1, reply, sizeof(reply)));
	EXPECT_EQ(0, reply[3]);
	ASSERT_EQ(4, ctrl_cmd(ctrl, 0x99, NULL, 0, reply, sizeof(reply)));
	EXPECT_EQ(0x0a, reply[3]);		/* TPM_BAD_ORDINAL */
	ASSERT_EQ(4, ctrl_cmd(ctrl, 3, NULL, 0, reply, sizeof(reply)));
	EXPECT_EQ(0, reply[3]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	self->c.pid = 0;
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
}

/* commands per second on a swtpm-style data socket; -1 on errors */
static double raw_rate(const char *path, const uint8_t *cmd, uint32_t len,
		       int count)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t rsp[4096];
	uint32_t size;
	double t;
	int fd, i;

	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	t = now();
	for (i = 0; i < count; i++) {
		if (write(fd, cmd, len) != (ssize_t)len ||
		    recv(fd, rsp, 10, MSG_WAITALL) != 10)
			break;
		size = (uint32_t)rsp[2] << 24 | rsp[3] << 16 | rsp[4] << 8 |
		       rsp[5];
		if (size < 10 || size > sizeof(rsp) ||
		    (rsp[6] | rsp[7] | rsp[8] | rsp[9]) ||
		    (size > 10 && recv(fd, rsp + 10, size - 10, MSG_WAITALL) !=
		     (ssize_t)(size - 10)))
			break;
	}
	t = now() - t;
	close(fd);
	return i == count ? count / t : -1;
}

/* not a timing assertion: swtpm mode and swtpm, the same raw commands */
TEST_F(worker, swtpm_mode_rate_against_swtpm)
{
	char sock[96], ctrl[96], cmd[1024];
	double r[2][2];
	uint8_t ext[65];
	pid_t pid;
	int k;

	if (!have("swtpm"))
		SKIP(return, "swtpm not installed");
	pcr_extend16(ext);
	snprintf(sock, sizeof(sock), "%s/sock", self->dir);
	snprintf(ctrl, sizeof(ctrl), "%s/sock.ctrl", self->dir);
	for (k = 0; k < 2; k++) {
		unlink(sock);
		unlink(ctrl);
		if (k == 0) {
			ASSERT_EQ(0, start_swtpm(self->dir, sock, ctrl));
		} else {
			pid = start_swtpm_mode(self->dir, sock, ctrl, true);
			ASSERT_GE(pid, 0);
			self->c.pid = pid;
		}
		ASSERT_TRUE(wait_socket(ctrl));
		ASSERT_TRUE(wait_socket(sock));
		ASSERT_LT(0, raw_rate(sock, startup_clear, 12, 1));
		r[k][0] = raw_rate(sock, getrandom16, 12, 500);
		r[k][1] = raw_rate(sock, ext, sizeof(ext), 500);
		ASSERT_LT(0, r[k][0]);
		ASSERT_LT(0, r[k][1]);
		if (k == 0) {
			snprintf(cmd, sizeof(cmd), "kill $(cat %s/pid)",
				 self->dir);
			ASSERT_EQ(0, system(cmd));
			usleep(100000);
			snprintf(cmd, sizeof(cmd), "rm -f %s/tpm2-00.*",
				 self->dir);
			ASSERT_EQ(0, system(cmd));
		}
	}
	ksft_print_msg("raw socket, swtpm: GetRandom(16) %.0f/s, PCR_Extend "
		       "%.0f/s; hcl-tpm-worker (crash-safe): %.0f/s, %.0f/s\n",
		       r[0][0], r[0][1], r[1][0], r[1][1]);
}

TEST_HARNESS_MAIN
