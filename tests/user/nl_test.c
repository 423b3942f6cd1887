// SPDX-License-Identifier: GPL-2.0
/*
 * In-VM tests of hcl.ko's generic netlink family "hcl" (kselftest
 * harness, TAP), through the client library userspace/control/hcl_nl.c:
 * the family resolves; each operation with good attributes and with
 * missing, mistyped, out-of-range and unknown ones; the policy's
 * permission; counters over netlink against debugfs; and the events a
 * VP driven through /dev/hcl raises (triple fault, VP stop, VTL
 * violations under the rate limit), a sidecar CPU's event, and the
 * policy's port forwarding.
 * hcl-vmtest runs it as group "nl" (HCL_NL_ARGS=-r,fixture.test runs one).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/hcl.h>

#include "kselftest_harness.h"
#include "hcl_nl.h"
#include "vtl0_setup.h"
#include "vtl0_test_abi.h"

#define CODE_GPA	HCL_GUEST_LOAD_GPA
#define DEBUGFS		"/sys/kernel/debug/hcl"

/* ---- helpers ------------------------------------------------------------- */

/* the partition, once an earlier test's is gone */
static int open_hcl(void)
{
	int i, fd = -1;

	for (i = 0; i < 200; i++) {
		fd = open("/dev/hcl", O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != EBUSY)
			break;
		usleep(10000);
	}
	return fd;
}

/* a raw request of @cmd with one u32 (or u8, u64) attribute */
enum { NONE, U8, U32, U64 };

static int raw1(struct hcl_nl *nl, uint8_t cmd, uint16_t flags, int kind,
		uint16_t type, uint64_t val)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = hcl_nl_msg(nl, buf, cmd, flags);

	if (kind == U8)
		mnl_attr_put_u8(nlh, type, val);
	else if (kind == U32)
		mnl_attr_put_u32(nlh, type, val);
	else if (kind == U64)
		mnl_attr_put_u64(nlh, type, val);
	return hcl_nl_request(nl, nlh, NULL, NULL);
}

/* the request failed with @err and the kernel said @msg */
#define EXPECT_NL_ERR(nl, err, msg, call) do {				\
	EXPECT_EQ(-(err), (call));					\
	EXPECT_NE(NULL, strstr(hcl_nl_error(nl), msg))			\
		TH_LOG("error: %s", hcl_nl_error(nl));			\
} while (0)

static long read_stat(const char *path, const char *name)
{
	char line[128], key[64];
	long val = -1, v;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", key, &v) == 2 && !strcmp(key, name))
			val = v;
	fclose(f);
	return val;
}

static int count_lines(const char *path)
{
	char line[128];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

struct evlog {
	int n;
	struct hcl_nl_event ev[32];
};

static void collect(const struct hcl_nl_event *ev, void *arg)
{
	struct evlog *log = arg;

	if (log->n < 32)
		log->ev[log->n] = *ev;
	log->n++;
}

/* reads events for up to @ms, or until @want have come: how many came */
static int wait_events(struct hcl_nl *nl, struct evlog *log, int want, int ms)
{
	struct pollfd pfd = { .fd = hcl_nl_event_fd(nl), .events = POLLIN };
	struct timespec t0, t;
	int left = ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (log->n < want && left > 0) {
		if (poll(&pfd, 1, left) > 0)
			hcl_nl_events_read(nl, collect, log);
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - ((t.tv_sec - t0.tv_sec) * 1000 +
			     (t.tv_nsec - t0.tv_nsec) / 1000000);
	}
	hcl_nl_events_read(nl, collect, log);
	return log->n;
}

/* an idle sidecar CPU from debugfs hcl/sidecar (the last one), or -1 */
static int idle_sidecar_cpu(int *linux_cpu)
{
	FILE *f = fopen(DEBUGFS "/sidecar", "r");
	char line[256], status[16];
	int cpu, lc, found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "cpu %d apic %*u linux-cpu %d status %15s",
			   &cpu, &lc, status) == 3 && !strcmp(status, "idle")) {
			found = cpu;
			*linux_cpu = lc;
		}
	fclose(f);
	return found;
}

/* ---- the family, no partition needed -------------------------------------- */

FIXTURE(nl) {
	struct hcl_nl nl;
	struct hcl_nl_policy saved;
};

FIXTURE_SETUP(nl)
{
	ASSERT_EQ(0, hcl_nl_open(&self->nl)) TH_LOG("%s", hcl_nl_error(&self->nl));
	ASSERT_EQ(0, hcl_nl_policy_get(&self->nl, &self->saved));
}

FIXTURE_TEARDOWN(nl)
{
	/* every test leaves the policy as it found it */
	self->saved.has = HCL_NL_POLICY_MASK | HCL_NL_POLICY_RATE |
			  HCL_NL_POLICY_BURST | HCL_NL_POLICY_FLAGS |
			  HCL_NL_POLICY_LOG;
	hcl_nl_policy_set(&self->nl, &self->saved);
	hcl_nl_close(&self->nl);
}

TEST_F(nl, family_resolves)
{
	EXPECT_LE(16, self->nl.family);		/* GENL_MIN_ID */
	EXPECT_NE(0, self->nl.events_group);
	EXPECT_LE(0, hcl_nl_subscribe(&self->nl));
	EXPECT_EQ(hcl_nl_subscribe(&self->nl), hcl_nl_event_fd(&self->nl));
}

TEST_F(nl, part_get_without_partition)
{
	struct hcl_nl_part p;

	ASSERT_EQ(0, hcl_nl_part_get(&self->nl, &p));
	EXPECT_FALSE(p.open);
	EXPECT_EQ(0, p.vps);
	EXPECT_STREQ("svm", p.backend);
	EXPECT_EQ(HCL_API_VERSION, p.api_version);
	EXPECT_NE(0, p.features & HCL_FEATURE_NPT);
	EXPECT_NE(0, p.vtl0_size);
	EXPECT_NE(0, p.vtl0_base);
}

TEST_F(nl, ops_without_attributes_refuse_them)
{
	EXPECT_NL_ERR(&self->nl, EINVAL, "takes no attributes",
		      raw1(&self->nl, HCL_CMD_PART_GET, 0, U32, 1, 0));
	EXPECT_NL_ERR(&self->nl, EINVAL, "takes no attributes",
		      raw1(&self->nl, HCL_CMD_POLICY_GET, 0, U32, 1, 0));
	EXPECT_NL_ERR(&self->nl, EINVAL, "takes no attributes",
		      raw1(&self->nl, HCL_CMD_VP_GET, NLM_F_DUMP, U32,
			   HCL_A_VP_ID, 0));
	/* the same requests without them */
	EXPECT_EQ(0, raw1(&self->nl, HCL_CMD_PART_GET, 0, NONE, 0, 0));
	EXPECT_EQ(0, raw1(&self->nl, HCL_CMD_POLICY_GET, 0, NONE, 0, 0));
}

TEST_F(nl, vp_get_bad_attributes)
{
	/* missing */
	EXPECT_NL_ERR(&self->nl, EINVAL, "missing attribute",
		      raw1(&self->nl, HCL_CMD_VP_GET, 0, NONE, 0, 0));
	/* wrong type: a u8 where a u32 belongs */
	EXPECT_NL_ERR(&self->nl, EINVAL, "invalid attribute length",
		      raw1(&self->nl, HCL_CMD_VP_GET, 0, U8, HCL_A_VP_ID, 0));
	/* out of range */
	EXPECT_NL_ERR(&self->nl, ERANGE, "out of range",
		      raw1(&self->nl, HCL_CMD_VP_GET, 0, U32, HCL_A_VP_ID,
			   4096));
	/* unknown: past the request's attributes, and far past */
	EXPECT_NL_ERR(&self->nl, EINVAL, "Unknown attribute type",
		      raw1(&self->nl, HCL_CMD_VP_GET, 0, U32, HCL_A_VP_STATE,
			   0));
	EXPECT_NL_ERR(&self->nl, EINVAL, "Unknown attribute type",
		      raw1(&self->nl, HCL_CMD_VP_GET, 0, U32, 200, 0));
	/* good, but no such VP */
	EXPECT_NL_ERR(&self->nl, ENOENT, "no VP with this id",
		      raw1(&self->nl, HCL_CMD_VP_GET, 0, U32, HCL_A_VP_ID, 7));
	/* an unknown command */
	EXPECT_EQ(-EOPNOTSUPP, raw1(&self->nl, 200, 0, NONE, 0, 0));
}

TEST_F(nl, policy_get_and_set)
{
	struct hcl_nl_policy p = { 0 }, back;

	EXPECT_TRUE(self->saved.has & HCL_NL_POLICY_MASK);
	EXPECT_LE(1, self->saved.rate);
	EXPECT_LE(1, self->saved.burst);
	EXPECT_NE(0, self->saved.event_mask & (1U << HCL_EXIT_SHUTDOWN));

	p.has = HCL_NL_POLICY_RATE | HCL_NL_POLICY_MASK;
	p.rate = 1234;
	p.event_mask = (1U << HCL_EXIT_IO) | (1U << HCL_EXIT_HYPERCALL);
	ASSERT_EQ(0, hcl_nl_policy_set(&self->nl, &p)) TH_LOG("%s", hcl_nl_error(&self->nl));
	ASSERT_EQ(0, hcl_nl_policy_get(&self->nl, &back));
	EXPECT_EQ(1234, back.rate);
	EXPECT_EQ(p.event_mask, back.event_mask);
	/* what was not given stays */
	EXPECT_EQ(self->saved.burst, back.burst);
	EXPECT_EQ(self->saved.flags, back.flags);
	EXPECT_EQ(self->saved.log_level, back.log_level);
	EXPECT_TRUE(back.has & HCL_NL_POLICY_LOG);
	/* the limits of the ranges are accepted */
	p.has = HCL_NL_POLICY_RATE | HCL_NL_POLICY_BURST;
	p.rate = HCL_EVENT_RATE_MAX;
	p.burst = 1;
	EXPECT_EQ(0, hcl_nl_policy_set(&self->nl, &p));
}

TEST_F(nl, policy_set_bad_attributes)
{
	struct hcl_nl_policy back;

	/* nothing to set */
	EXPECT_NL_ERR(&self->nl, EINVAL, "no policy attribute given",
		      raw1(&self->nl, HCL_CMD_POLICY_SET, 0, NONE, 0, 0));
	/* a mask bit that names no exit: HCL_EXIT_NONE, bit 31 */
	EXPECT_NL_ERR(&self->nl, EINVAL, "names no exit",
		      raw1(&self->nl, HCL_CMD_POLICY_SET, 0, U32,
			   HCL_A_POLICY_EVENT_MASK, 1));
	EXPECT_NL_ERR(&self->nl, EINVAL, "names no exit",
		      raw1(&self->nl, HCL_CMD_POLICY_SET, 0, U32,
			   HCL_A_POLICY_EVENT_MASK, 1U << 31));
	/* a flag that does not exist (the policy's mask) */
	EXPECT_NL_ERR(&self->nl, EINVAL, "reserved bit set",
		      raw1(&self->nl, HCL_CMD_POLICY_SET, 0, U32,
			   HCL_A_POLICY_FLAGS, 2));
	/* out of range, both ends */
	EXPECT_NL_ERR(&self->nl, ERANGE, "out of range",
		      raw1(&self->nl, HCL_CMD_POLICY_SET, 0, U32,
			   HCL_A_POLICY_RATE, 0));
	EXPECT_NL_ERR(&self->nl, ERANGE, "out of range",
		      raw1(&self->nl, HCL_CMD_POLICY_SET, 0, U32,
			   HCL_A_POLICY_BURST, HCL_EVENT_RATE_MAX + 1));
	EXPECT_NL_ERR(&self->nl, ERANGE, "out of range",
		      raw1(&self->nl, HCL_CMD_POLICY_SET, 0, U32,
			   HCL_A_POLICY_LOG_LEVEL, HCL_LOG_LEVEL_ERR - 1));
	EXPECT_NL_ERR(&self->nl, ERANGE, "out of range",
		      raw1(&self->nl, HCL_CMD_POLICY_SET, 0, U32,
			   HCL_A_POLICY_LOG_LEVEL, HCL_LOG_LEVEL_DEBUG + 1));
	/* wrong type */
	EXPECT_NL_ERR(&self->nl, EINVAL, "invalid attribute length",
		      raw1(&self->nl, HCL_CMD_POLICY_SET, 0, U64,
			   HCL_A_POLICY_RATE, 5));
	/*
	 * get-only (inside the request's range since log-level came after
	 * them: the policy refuses it) and unknown attributes
	 */
	EXPECT_NL_ERR(&self->nl, EINVAL, "Unsupported attribute",
		      raw1(&self->nl, HCL_CMD_POLICY_SET, 0, U64,
			   HCL_A_POLICY_EVENTS_SENT, 5));
	EXPECT_NL_ERR(&self->nl, EINVAL, "Unknown attribute type",
		      raw1(&self->nl, HCL_CMD_POLICY_SET, 0, U32, 99, 5));
	/* nothing changed */
	ASSERT_EQ(0, hcl_nl_policy_get(&self->nl, &back));
	EXPECT_EQ(self->saved.event_mask, back.event_mask);
	EXPECT_EQ(self->saved.rate, back.rate);
	EXPECT_EQ(self->saved.burst, back.burst);
	EXPECT_EQ(self->saved.flags, back.flags);
	EXPECT_EQ(self->saved.log_level, back.log_level);
}

/*
 * Which of hcl.ko's lifetime messages (KERN_DEBUG) a partition with one
 * VP leaves in the kernel log: bit 0 "partition opened", bit 1 "VP 0
 * created", bit 2 "VP 0 released".
 */
static int lifetime_messages(void)
{
	struct hcl_create_vp cvp = { 0 };
	int kmsg, fd, vp, found = 0;
	char buf[8192];
	ssize_t n;

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg < 0)
		return -1;
	lseek(kmsg, 0, SEEK_END);
	fd = open_hcl();
	if (fd < 0) {
		close(kmsg);
		return -1;
	}
	vp = ioctl(fd, HCL_CREATE_VP, &cvp);
	if (vp >= 0)
		close(vp);
	close(fd);
	while ((n = read(kmsg, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		if (strstr(buf, "hcl: partition opened"))
			found |= 1;
		if (strstr(buf, "hcl: vp: VP 0 created"))
			found |= 2;
		if (strstr(buf, "hcl: vp: VP 0 released"))
			found |= 4;
	}
	close(kmsg);
	return vp < 0 ? -1 : found;
}

/*
 * The policy's log level decides what hcl.ko writes: at debug its
 * lifetime messages reach the kernel log (and so openvmm_hcl's log to the
 * host) without dynamic debug; at info they do not.
 */
TEST_F(nl, policy_log_level_rules_the_kernel_log)
{
	struct hcl_nl_policy p = { .has = HCL_NL_POLICY_LOG };

	EXPECT_EQ(HCL_LOG_LEVEL_INFO, self->saved.log_level);
	p.log_level = HCL_LOG_LEVEL_DEBUG;
	ASSERT_EQ(0, hcl_nl_policy_set(&self->nl, &p));
	EXPECT_EQ(7, lifetime_messages());
	p.log_level = HCL_LOG_LEVEL_INFO;
	ASSERT_EQ(0, hcl_nl_policy_set(&self->nl, &p));
	EXPECT_EQ(0, lifetime_messages());
}

/* As nobody: reading works, setting is refused with EPERM. */
TEST_F(nl, policy_set_needs_cap_net_admin)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct hcl_nl_policy p = { .has = HCL_NL_POLICY_RATE,
					   .rate = 7 };
		struct hcl_nl nl;
		int ret;

		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(10);
		if (hcl_nl_open(&nl))
			_exit(11);
		if (hcl_nl_policy_get(&nl, &p))
			_exit(12);
		if (hcl_nl_vp_dump(&nl, NULL, NULL) < 0)
			_exit(13);
		p.has = HCL_NL_POLICY_RATE;
		p.rate = 7;
		ret = hcl_nl_policy_set(&nl, &p);
		_exit(ret == -EPERM ? 0 : 14);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* and as root it is allowed */
	EXPECT_EQ(0, raw1(&self->nl, HCL_CMD_POLICY_SET, 0, U32,
			  HCL_A_POLICY_RATE, 7));
}

/* runs /bin/hcl-nl with @args (NULL-terminated): its exit status, its
 * stdout and stderr in @out (there is no shell in VTL2) */
static int run_tool(char *out, size_t len, ...)
{
	char *argv[8] = { "/bin/hcl-nl" };
	int fds[2], status, argc = 1;
	size_t n = 0;
	ssize_t r;
	va_list ap;
	pid_t pid;

	va_start(ap, len);
	while (argc < 7 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	out[0] = 0;
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while (n + 1 < len && (r = read(fds[0], out + n, len - 1 - n)) > 0)
		n += r;
	out[n] = 0;
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* hcl-nl, the tool people use, on the same family */
/*
 * A sidecar CPU handed to Linux (debugfs "remove <i>", the REMOVE that
 * hot-plug sends too) raises one sidecar-cpu event, whatever the policy's
 * mask, and a second REMOVE of the same CPU raises none.  Needs the
 * sidecar on with an idle CPU (the vm group's remote-VP boot).
 */
TEST_F(nl, sidecar_cpu_event)
{
	char cmd[32], text[128];
	struct evlog log = { 0 };
	int cpu, linux_cpu = -1, fd;

	cpu = idle_sidecar_cpu(&linux_cpu);
	if (cpu < 0)
		SKIP(return, "no idle sidecar CPU");
	ASSERT_LE(0, hcl_nl_subscribe(&self->nl));
	snprintf(cmd, sizeof(cmd), "remove %d", cpu);
	fd = open(DEBUGFS "/sidecar", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(cmd), write(fd, cmd, strlen(cmd)));
	EXPECT_EQ(-1, write(fd, cmd, strlen(cmd)));
	close(fd);
	wait_events(&self->nl, &log, 2, 500);
	ASSERT_EQ(1, log.n);
	EXPECT_EQ(HCL_CMD_SIDECAR_NTF, log.ev[0].cmd);
	EXPECT_EQ(HCL_EVENT_KIND_SIDECAR_CPU, log.ev[0].kind);
	EXPECT_EQ((uint32_t)cpu, log.ev[0].sidecar_cpu);
	EXPECT_EQ(HCL_SIDECAR_CHANGE_TO_LINUX, log.ev[0].sidecar_change);
	EXPECT_EQ(linux_cpu, log.ev[0].linux_cpu);
	ASSERT_LT(0, hcl_nl_event_format(&log.ev[0], text, sizeof(text)));
	TH_LOG("%s", text);
}

TEST_F(nl, hcl_nl_tool)
{
	char out[4096];

	ASSERT_EQ(0, run_tool(out, sizeof(out), "info", NULL));
	EXPECT_NE(NULL, strstr(out, "backend: svm")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "partition: closed")) TH_LOG("%s", out);
	ASSERT_EQ(0, run_tool(out, sizeof(out), "policy", "set",
			      "events=shutdown", "rate=77", NULL));
	EXPECT_NE(NULL, strstr(out, "events=shutdown rate=77")) TH_LOG("%s", out);
	EXPECT_EQ(0, run_tool(out, sizeof(out), "stats", NULL));
	EXPECT_NE(NULL, strstr(out, "no VPs")) TH_LOG("%s", out);
	/* the kernel's reason reaches the user */
	EXPECT_EQ(1, run_tool(out, sizeof(out), "stats", "5", NULL));
	EXPECT_NE(NULL, strstr(out, "no VP with this id")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_tool(out, sizeof(out), "policy", "set", "rate=fast",
			      NULL));
	EXPECT_NE(NULL, strstr(out, "not a number")) TH_LOG("%s", out);
	EXPECT_EQ(1, run_tool(out, sizeof(out), "policy", "set", "rate=0",
			      NULL));
	EXPECT_NE(NULL, strstr(out, "out of range")) TH_LOG("%s", out);
	EXPECT_EQ(1, run_tool(out, sizeof(out), "watch", "-n", "1", "-t", "0",
			      NULL));
	EXPECT_NE(NULL, strstr(out, "0 events")) TH_LOG("%s", out);
	EXPECT_EQ(2, run_tool(out, sizeof(out), "frobnicate", NULL));
}

/* ---- a partition with a VP running through /dev/hcl ------------------------ */

FIXTURE(vp) {
	struct hcl_nl nl;
	struct hcl_nl_policy saved;
	int fd, vp;
	uint8_t *mem;
	uint64_t mem_size;
	struct hcl_run *run;
	struct hcl_regs regs;
	struct hcl_sregs sregs;
	struct evlog log;
};

FIXTURE_SETUP(vp)
{
	struct hcl_create_vp cvp = { 0 };
	struct hcl_info info;

	ASSERT_EQ(0, hcl_nl_open(&self->nl)) TH_LOG("%s", hcl_nl_error(&self->nl));
	ASSERT_EQ(0, hcl_nl_policy_get(&self->nl, &self->saved));
	ASSERT_LE(0, hcl_nl_subscribe(&self->nl));
	self->fd = open_hcl();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioctl(self->fd, HCL_GET_INFO, &info));
	self->mem_size = info.vtl0_mem_size;
	self->mem = mmap(NULL, self->mem_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0, 2 << 20);
	self->vp = ioctl(self->fd, HCL_CREATE_VP, &cvp);
	ASSERT_LE(0, self->vp);
	self->run = mmap(NULL, HCL_RUN_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->vp, 0);
	ASSERT_NE(MAP_FAILED, self->run);
	ASSERT_EQ(0, vtl0_setup_long_mode(self->mem, self->mem_size, CODE_GPA,
					  HCL_GUEST_STACK_TOP, &self->regs,
					  &self->sregs));
}

FIXTURE_TEARDOWN(vp)
{
	self->saved.has = HCL_NL_POLICY_MASK | HCL_NL_POLICY_RATE |
			  HCL_NL_POLICY_BURST | HCL_NL_POLICY_FLAGS;
	hcl_nl_policy_set(&self->nl, &self->saved);
	munmap(self->run, HCL_RUN_SIZE);
	munmap(self->mem, self->mem_size);
	close(self->vp);
	close(self->fd);
	hcl_nl_close(&self->nl);
}

/* loads @code at CODE_GPA and the start state */
static int start(struct _test_data_vp *self, const void *code, size_t len)
{
	memcpy(self->mem + CODE_GPA, code, len);
	if (ioctl(self->vp, HCL_VP_SET_SREGS, &self->sregs))
		return -1;
	return ioctl(self->vp, HCL_VP_SET_REGS, &self->regs);
}

static int vp_run(struct _test_data_vp *self)
{
	if (ioctl(self->vp, HCL_VP_RUN, 0))
		return -1;
	return self->run->exit_reason;
}

static int set_policy(struct _test_data_vp *self, const char *words)
{
	struct hcl_nl_policy p;
	char err[160];

	if (hcl_nl_policy_parse(words, &p, err, sizeof(err)))
		return -EINVAL;
	return hcl_nl_policy_set(&self->nl, &p);
}

TEST_F(vp, part_get_with_partition)
{
	struct hcl_nl_part p;
	struct hcl_info info;

	ASSERT_EQ(0, ioctl(self->fd, HCL_GET_INFO, &info));
	ASSERT_EQ(0, hcl_nl_part_get(&self->nl, &p));
	EXPECT_TRUE(p.open);
	EXPECT_EQ(1, p.vps);
	EXPECT_EQ(info.vtl0_mem_size, p.vtl0_size);
	EXPECT_EQ(info.features, p.features);
	EXPECT_EQ(info.max_vps, p.vp_count);
}

/*
 * cpuid; out %al,$0x80 (unclaimed); hlt with interrupts off: then every
 * counter netlink gives equals debugfs's, in the same order, for the
 * VP alone and in the dump.
 */
TEST_F(vp, counters_equal_debugfs)
{
	static const uint8_t code[] = {
		0x31, 0xc0, 0x0f, 0xa2, 0xe6, 0x80, 0x0f, 0xa2, 0xf4,
	};
	struct hcl_nl_vp *vp = calloc(1, sizeof(*vp));
	unsigned int i;
	char line[128];
	FILE *f;

	ASSERT_NE(NULL, vp);
	ASSERT_EQ(0, hcl_nl_vp_get(&self->nl, 0, vp));
	EXPECT_EQ(HCL_VP_STATE_IDLE, vp->state);
	EXPECT_EQ(0, vp->last_exit);
	ASSERT_EQ(0, start(self, code, sizeof(code)));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));

	ASSERT_EQ(0, hcl_nl_vp_get(&self->nl, 0, vp)) TH_LOG("%s", hcl_nl_error(&self->nl));
	EXPECT_EQ(0, vp->id);
	EXPECT_EQ(HCL_VP_STATE_USER_EXIT, vp->state);
	EXPECT_EQ(HCL_EXIT_HLT, vp->last_exit);
	EXPECT_EQ(2, hcl_nl_vp_stat(vp, "cpuid"));
	EXPECT_EQ(1, hcl_nl_vp_stat(vp, "io_kernel"));
	EXPECT_EQ(1, hcl_nl_vp_stat(vp, "user_exits"));
	EXPECT_LE(0, hcl_nl_vp_stat(vp, "guest_ns"));
	EXPECT_EQ(count_lines(DEBUGFS "/vp0"), (int)vp->nr_stats);
	f = fopen(DEBUGFS "/vp0", "r");
	ASSERT_NE(NULL, f);
	for (i = 0; i < vp->nr_stats && fgets(line, sizeof(line), f); i++) {
		char name[64];
		unsigned long long v;

		ASSERT_EQ(2, sscanf(line, "%63s %llu", name, &v));
		EXPECT_STREQ(name, vp->stats[i].name);
		EXPECT_EQ(v, vp->stats[i].value) TH_LOG("%s", name);
	}
	fclose(f);

	/* the dump has this VP, and only it */
	ASSERT_EQ(1, hcl_nl_vp_dump(&self->nl, NULL, NULL));
	EXPECT_EQ(read_stat(DEBUGFS "/vp0", "exits"),
		  hcl_nl_vp_stat(vp, "exits"));
	free(vp);
}

/* the dump of several VPs, and of none once the partition is gone */
static int dump_ids(const struct hcl_nl_vp *vp, void *arg)
{
	uint32_t *mask = arg;

	*mask |= 1U << vp->id;
	return vp->nr_stats > 20 ? 0 : -EBADMSG;
}

TEST_F(vp, dump_follows_vps)
{
	struct hcl_create_vp cvp = { .vp_index = 2 };
	uint32_t ids = 0;
	int vp2 = ioctl(self->fd, HCL_CREATE_VP, &cvp), i, n = -1;

	ASSERT_LE(0, vp2);
	ASSERT_EQ(2, hcl_nl_vp_dump(&self->nl, dump_ids, &ids));
	EXPECT_EQ((1U << 0) | (1U << 2), ids);
	close(vp2);
	ASSERT_EQ(1, hcl_nl_vp_dump(&self->nl, NULL, NULL));
	EXPECT_NL_ERR(&self->nl, ENOENT, "no VP with this id",
		      raw1(&self->nl, HCL_CMD_VP_GET, 0, U32, HCL_A_VP_ID, 2));
	munmap(self->run, HCL_RUN_SIZE);
	close(self->vp);
	munmap(self->mem, self->mem_size);
	close(self->fd);
	for (i = 0; i < 100 && n; i++) {
		n = hcl_nl_vp_dump(&self->nl, NULL, NULL);
		if (n)
			usleep(10000);
	}
	EXPECT_EQ(0, n);
	/* nothing left for the teardown to close */
	self->fd = -1;
	self->vp = -1;
	self->mem = MAP_FAILED;
	self->run = MAP_FAILED;
}

/* ud2 with an empty IDT: #UD -> #GP -> #DF -> shutdown, and its event */
TEST_F(vp, triple_fault_event)
{
	static const uint8_t code[] = { 0x0f, 0x0b };

	ASSERT_EQ(0, set_policy(self, "events=shutdown+hlt,rate=100000,burst=100"));
	ASSERT_EQ(0, start(self, code, sizeof(code)));
	ASSERT_EQ(HCL_EXIT_SHUTDOWN, vp_run(self));
	ASSERT_EQ(1, wait_events(&self->nl, &self->log, 1, 2000));
	EXPECT_EQ(HCL_CMD_TRIPLE_FAULT_NTF, self->log.ev[0].cmd);
	EXPECT_EQ(HCL_EVENT_KIND_TRIPLE_FAULT, self->log.ev[0].kind);
	EXPECT_EQ(0, self->log.ev[0].vp_id);
	EXPECT_EQ(HCL_EXIT_SHUTDOWN, self->log.ev[0].reason);
	EXPECT_EQ(0x7f, self->log.ev[0].hw_code);	/* SVM_EXIT_SHUTDOWN */
}

/* hlt with interrupts off stops the VP: a vp-stop event */
TEST_F(vp, vp_stop_event)
{
	static const uint8_t code[] = { 0x90, 0xf4 };

	ASSERT_EQ(0, set_policy(self, "events=hlt,rate=100000,burst=100"));
	ASSERT_EQ(0, start(self, code, sizeof(code)));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	ASSERT_EQ(1, wait_events(&self->nl, &self->log, 1, 2000));
	EXPECT_EQ(HCL_CMD_VP_STOP_NTF, self->log.ev[0].cmd);
	EXPECT_EQ(HCL_EVENT_KIND_VP_STOP, self->log.ev[0].kind);
	EXPECT_EQ(HCL_EXIT_HLT, self->log.ev[0].reason);
	EXPECT_EQ(CODE_GPA + 1, self->log.ev[0].rip);

	/* a mask without hlt: the same stop raises nothing */
	ASSERT_EQ(0, set_policy(self, "events=shutdown"));
	ASSERT_EQ(0, start(self, code, sizeof(code)));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(1, wait_events(&self->nl, &self->log, 2, 200));
}

/*
 * movabs <past RAM>,%al faults again at every run: VTL violation events,
 * two let through by a burst of 2, the rest dropped, and the next event
 * after a refill says how many were.
 */
TEST_F(vp, vtl_violation_events_rate_limited)
{
	uint8_t code[] = { 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf4 };
	uint64_t gpa = (self->mem_size + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
	uint64_t *pd = (uint64_t *)(self->mem + HCL_GUEST_PML4_GPA + 0x2000);
	struct hcl_nl_policy before, after;
	int i;

	ASSERT_LT(gpa, 1ULL << 30);
	memcpy(code + 1, &gpa, sizeof(gpa));
	pd[gpa >> 21] = gpa | 0xe3;
	/* a full bucket of two: fill it fast, then slow the refill down */
	ASSERT_EQ(0, set_policy(self, "events=vtl_violation,rate=100000,burst=2"));
	usleep(10000);
	ASSERT_EQ(0, set_policy(self, "rate=1"));
	ASSERT_EQ(0, hcl_nl_policy_get(&self->nl, &before));
	ASSERT_EQ(0, start(self, code, sizeof(code)));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(HCL_EXIT_VTL_VIOLATION, vp_run(self));
	EXPECT_EQ(2, wait_events(&self->nl, &self->log, 3, 300));
	ASSERT_EQ(0, hcl_nl_policy_get(&self->nl, &after));
	EXPECT_EQ(before.events_sent + 2, after.events_sent);
	EXPECT_EQ(before.events_dropped + 3, after.events_dropped);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(HCL_CMD_VTL_VIOLATION_NTF, self->log.ev[i].cmd);
		EXPECT_EQ(HCL_EVENT_KIND_VTL_VIOLATION, self->log.ev[i].kind);
		EXPECT_EQ(gpa, self->log.ev[i].gpa);
		EXPECT_EQ(HCL_ACCESS_READ, self->log.ev[i].access);
		EXPECT_EQ(CODE_GPA, self->log.ev[i].rip);
		EXPECT_EQ(0, self->log.ev[i].dropped);
	}
	/* a faster refill: the next one goes, and counts the three */
	ASSERT_EQ(0, set_policy(self, "rate=100000"));
	usleep(10000);
	ASSERT_EQ(HCL_EXIT_VTL_VIOLATION, vp_run(self));
	ASSERT_EQ(3, wait_events(&self->nl, &self->log, 3, 2000));
	EXPECT_EQ(3, self->log.ev[2].dropped);
}

/* the policy sends an unclaimed port to userspace, and stops again */
TEST_F(vp, forward_unclaimed_io)
{
	/* out %al,$0x99; in $0x99,%al; hlt */
	static const uint8_t code[] = { 0xb0, 0x5a, 0xe6, 0x99, 0xe4, 0x99,
					0xf4 };
	struct hcl_regs r;

	ASSERT_EQ(0, set_policy(self, "forward_io=1"));
	ASSERT_EQ(0, start(self, code, sizeof(code)));
	ASSERT_EQ(HCL_EXIT_IO, vp_run(self));
	EXPECT_EQ(0x99, self->run->io.port);
	EXPECT_EQ(HCL_IO_OUT, self->run->io.direction);
	EXPECT_EQ(0x5a, self->run->io.data);
	ASSERT_EQ(0, set_policy(self, "forward_io=0"));
	/* the IN is the kernel's again: all ones, then the halt */
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_REGS, &r));
	EXPECT_EQ(0xff, r.gprs[HCL_REG_RAX] & 0xff);
	EXPECT_EQ(1, read_stat(DEBUGFS "/vp0", "io_kernel"));
	EXPECT_EQ(1, read_stat(DEBUGFS "/vp0", "io_user"));
}

TEST_HARNESS_MAIN
