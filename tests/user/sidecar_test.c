// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-sidecar-test: in the booted VTL2, every CPU the shim gave the
 * sidecar (/openhcl/sidecar) is present but offline in Linux, sits IDLE
 * in the sidecar's dispatch loop, answers PING from hcl.ko (debugfs
 * hcl/sidecar, kmod/sidecar.c) and runs a guest with RUN_VP (VMRUN on
 * the sidecar CPU, the exit and the switched registers checked by
 * hcl.ko's self-test).  VTL0 VPs run on them: VP i on the sidecar CPU
 * that is Linux's CPU i (svm/remote.c), their exits handled on Linux's
 * CPU, a VP killed in the middle of a remote run leaves the CPU idle,
 * hcl.ko unloaded and loaded again finds the sidecar as it left it.
 * Then a sidecar CPU goes to Linux by hand (debugfs "remove", sysfs
 * online), one through Linux's own hot-plug while a VP spins on it, the
 * VP going on locally, one by the hot-plug policy for a VP that exits
 * often, and one faults in a run.  Skips when the tree gives the sidecar
 * no CPU (openhcl_boot.sidecar=off, one CPU); the later tests need up to
 * four sidecar CPUs and skip with fewer.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/hcl.h>

#include "kselftest_harness.h"

#include "lib/hcl_dt.h"
#include "lib/vtl0_setup.h"
#include "lib/vtl0_test_abi.h"

#define SIDECAR_FILE	"/sys/kernel/debug/hcl/sidecar"

struct sc_line {
	unsigned int cpu, apic, pings, ok, failed, runs;
	int linux_cpu;
	char status[16];
	unsigned long long vp_runs, cr3;
};

/* parses hcl/sidecar: the header's CPU count and one line per CPU */
static int read_state(struct sc_line *cpus, unsigned int max)
{
	unsigned int n = 0, count;
	char line[256];
	FILE *f = fopen(SIDECAR_FILE, "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, "cpus %u", &count) != 1) {
		fclose(f);
		return -1;
	}
	while (n < max && fgets(line, sizeof(line), f)) {
		struct sc_line *c = &cpus[n];

		char *runs = strstr(line, " runs ");

		char *vp_runs = strstr(line, " vp-runs ");

		char *cr3 = strstr(line, " cr3 ");

		if (sscanf(line, "cpu %u apic %u linux-cpu %d status %15s pings %u ok %u failed %u",
			   &c->cpu, &c->apic, &c->linux_cpu, c->status,
			   &c->pings, &c->ok, &c->failed) != 7 ||
		    !runs || sscanf(runs, " runs %u", &c->runs) != 1 ||
		    !vp_runs || sscanf(vp_runs, " vp-runs %llu", &c->vp_runs) != 1 ||
		    !cr3 || sscanf(cr3, " cr3 %llx", &c->cr3) != 1)
			break;
		n++;
	}
	fclose(f);
	return n == count ? (int)n : -1;
}

static int write_cmd(const char *cmd)
{
	int fd = open(SIDECAR_FILE, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, cmd, strlen(cmd));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

static int set_online(int cpu)
{
	char path[64];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

/* the contents of /sys/devices/system/cpu/cpu<n>/online, or -1 */
static int cpu_online(int cpu)
{
	char path[64], c = 0;
	int fd;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == '1' ? 1 : c == '0' ? 0 : -1;
}

/* ---- VTL0 VPs: a partition, VPs at chosen indices, long mode ---- */

struct part {
	int fd;
	uint8_t *mem;
	uint64_t mem_size;
	struct hcl_regs regs;
	struct hcl_sregs sregs;
};

struct vp {
	int fd;
	struct hcl_run *run;
};

static int part_open(struct part *p, const void *code, size_t len)
{
	struct hcl_info info;

	p->fd = open("/dev/hcl", O_RDWR | O_CLOEXEC);
	if (p->fd < 0 || ioctl(p->fd, HCL_GET_INFO, &info))
		return -1;
	p->mem_size = info.vtl0_mem_size;
	p->mem = mmap(NULL, p->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->fd, 0);
	if (p->mem == MAP_FAILED)
		return -1;
	memset(p->mem, 0, 2 << 20);
	if (vtl0_setup_long_mode(p->mem, p->mem_size, HCL_GUEST_LOAD_GPA,
				 HCL_GUEST_STACK_TOP, &p->regs, &p->sregs))
		return -1;
	memcpy(p->mem + HCL_GUEST_LOAD_GPA, code, len);
	return 0;
}

static void part_close(struct part *p)
{
	munmap(p->mem, p->mem_size);
	close(p->fd);
}

static int vp_create(struct part *p, unsigned int index, struct vp *v)
{
	struct hcl_create_vp cvp = { .vp_index = index };

	v->fd = ioctl(p->fd, HCL_CREATE_VP, &cvp);
	if (v->fd < 0)
		return -1;
	v->run = mmap(NULL, HCL_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED)
		return -1;
	if (ioctl(v->fd, HCL_VP_SET_SREGS, &p->sregs))
		return -1;
	return ioctl(v->fd, HCL_VP_SET_REGS, &p->regs);
}

static void vp_close(struct vp *v)
{
	munmap(v->run, HCL_RUN_SIZE);
	close(v->fd);
}

static int vp_run(struct vp *v)
{
	if (ioctl(v->fd, HCL_VP_RUN, 0))
		return -errno;
	return v->run->exit_reason;
}

/* a counter of VP @index in debugfs hcl/vp<index>, or -1 */
static long long vp_stat(unsigned int index, const char *name)
{
	char path[64], line[128], key[64];
	long long val = -1, v;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/hcl/vp%u", index);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", key, &v) == 2 && !strcmp(key, name))
			val = v;
	fclose(f);
	return val;
}

/* mov $100,%esi; 1: xor %eax,%eax; cpuid; dec %esi; jnz 1b; hlt */
static const uint8_t cpuid_loop[] = {
	0xbe, 0x64, 0x00, 0x00, 0x00, 0x31, 0xc0, 0x0f, 0xa2,
	0xff, 0xce, 0x75, 0xf8, 0xf4,
};

/* 1: inc %rbx; jmp 1b: never exits on its own */
static const uint8_t spin[] = { 0x48, 0xff, 0xc3, 0xeb, 0xfb };

static void on_signal(int sig)
{
	(void)sig;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

FIXTURE(sc) {
	struct hcl_dt_info info;
	struct sc_line cpus[HCL_BOOT_MAX_VPS];
	int n;
};

FIXTURE_SETUP(sc)
{
	char err[256];

	ASSERT_EQ(0, hcl_dt_parse_file("/sys/firmware/fdt", &self->info, err,
				       sizeof(err))) TH_LOG("%s", err);
	if (!self->info.sidecar_cpus)
		SKIP(return, "the tree gives the sidecar no CPU");
	self->n = read_state(self->cpus, HCL_BOOT_MAX_VPS);
	ASSERT_EQ((int)self->info.sidecar_cpus, self->n)
		TH_LOG("%s: cannot read it or it lists another count",
		       SIDECAR_FILE);
}

FIXTURE_TEARDOWN(sc)
{
}

/*
 * Every sidecar CPU reached the dispatch loop and answered at load, and
 * told its CR3 (the image's page tables, below 4 GiB, the same on all):
 * hcl.ko compares a VMCB the CPU refused to enter against it, to tell
 * the sidecar's own registers from the guest's.
 */
TEST_F(sc, every_cpu_idle_and_answered)
{
	for (int i = 0; i < self->n; i++) {
		struct sc_line *c = &self->cpus[i];

		EXPECT_EQ((unsigned int)i, c->cpu);
		EXPECT_STREQ("idle", c->status) TH_LOG("CPU %d", i);
		EXPECT_LE(1, c->pings) TH_LOG("CPU %d", i);
		EXPECT_LE(1, c->ok) TH_LOG("CPU %d", i);
		EXPECT_EQ(0, c->failed) TH_LOG("CPU %d", i);
		EXPECT_NE(0, c->cr3) TH_LOG("CPU %d", i);
		EXPECT_EQ(0, c->cr3 & 0xfff) TH_LOG("CPU %d", i);
		EXPECT_GT(1ULL << 32, c->cr3) TH_LOG("CPU %d", i);
		EXPECT_EQ(self->cpus[0].cr3, c->cr3) TH_LOG("CPU %d", i);
	}
}

/* Linux has each one present (a CPU number) but not online */
TEST_F(sc, linux_keeps_them_offline)
{
	for (int i = 0; i < self->n; i++) {
		ASSERT_LE(1, self->cpus[i].linux_cpu) TH_LOG("CPU %d", i);
		EXPECT_EQ(0, cpu_online(self->cpus[i].linux_cpu))
			TH_LOG("Linux CPU %d", self->cpus[i].linux_cpu);
	}
	EXPECT_EQ(self->info.linux_cpus, sysconf(_SC_NPROCESSORS_ONLN));
}

/* another round: each CPU's own counter moves by one */
TEST_F(sc, ping_again)
{
	struct sc_line after[HCL_BOOT_MAX_VPS];

	ASSERT_EQ(0, write_cmd("ping\n"));
	ASSERT_EQ(self->n, read_state(after, HCL_BOOT_MAX_VPS));
	for (int i = 0; i < self->n; i++) {
		EXPECT_EQ(self->cpus[i].pings + 1, after[i].pings)
			TH_LOG("CPU %d", i);
		EXPECT_EQ(self->cpus[i].ok + 1, after[i].ok);
		EXPECT_STREQ("idle", after[i].status);
	}
}

/* RUN_VP: a real-mode guest VMRUN on each sidecar CPU exits on CPUID */
TEST_F(sc, run_vp_on_every_cpu)
{
	struct sc_line after[HCL_BOOT_MAX_VPS];

	ASSERT_EQ(0, write_cmd("run-test")) TH_LOG("see dmesg");
	ASSERT_EQ(0, write_cmd("run-test"));
	ASSERT_EQ(self->n, read_state(after, HCL_BOOT_MAX_VPS));
	for (int i = 0; i < self->n; i++) {
		EXPECT_EQ(self->cpus[i].runs + 2, after[i].runs)
			TH_LOG("CPU %d", i);
		EXPECT_STREQ("idle", after[i].status);
	}
	/* and the CPU still answers PING afterwards */
	ASSERT_EQ(0, write_cmd("ping"));
}

TEST_F(sc, bad_command_rejected)
{
	char cmd[32];

	EXPECT_EQ(-EINVAL, write_cmd("pong"));
	EXPECT_EQ(-EINVAL, write_cmd("ping ping ping"));
	EXPECT_EQ(-EINVAL, write_cmd("remove"));
	EXPECT_EQ(-EINVAL, write_cmd("remove x"));
	snprintf(cmd, sizeof(cmd), "remove %d", self->n);
	EXPECT_EQ(-EINVAL, write_cmd(cmd));
}

/*
 * VP i on each sidecar CPU (Linux's CPU i) and VP 0 on Linux's: a
 * hundred CPUID exits each, handled by hcl.ko on Linux's CPU.  The
 * counters prove where VMRUN happened: the VP's remote_runs, the CPU's
 * vp-runs in hcl/sidecar; VP 0 has none.
 */
TEST_F(sc, vps_run_on_their_sidecar_cpus)
{
	struct sc_line before[HCL_BOOT_MAX_VPS], after[HCL_BOOT_MAX_VPS];
	struct vp vps[HCL_BOOT_MAX_VPS] = { 0 };
	struct part p;
	int i;

	ASSERT_EQ(self->n, read_state(before, HCL_BOOT_MAX_VPS));
	ASSERT_EQ(0, part_open(&p, cpuid_loop, sizeof(cpuid_loop)));
	ASSERT_EQ(0, vp_create(&p, 0, &vps[0]));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(&vps[0]));
	EXPECT_EQ(0, vp_stat(0, "remote_runs"));
	for (i = 0; i < self->n; i++) {
		int idx = self->cpus[i].linux_cpu;

		if (strcmp(self->cpus[i].status, "idle"))
			continue;
		ASSERT_EQ(0, vp_create(&p, idx, &vps[idx])) TH_LOG("VP %d", idx);
		ASSERT_EQ(HCL_EXIT_HLT, vp_run(&vps[idx])) TH_LOG("VP %d", idx);
		EXPECT_LE(100, vp_stat(idx, "cpuid"));
		EXPECT_LE(100, vp_stat(idx, "remote_runs")) TH_LOG("VP %d", idx);
		EXPECT_LT(0, vp_stat(idx, "remote_wait_ns"));
	}
	ASSERT_EQ(self->n, read_state(after, HCL_BOOT_MAX_VPS));
	for (i = 0; i < self->n; i++) {
		if (strcmp(self->cpus[i].status, "idle"))
			continue;
		EXPECT_LE(before[i].vp_runs + 100, after[i].vp_runs)
			TH_LOG("sidecar CPU %d", i);
		EXPECT_STREQ("idle", after[i].status);
	}
	for (i = 0; i < HCL_BOOT_MAX_VPS; i++)
		if (vps[i].run)
			vp_close(&vps[i]);
	part_close(&p);
}

/*
 * A process killed while its VP spins on a sidecar CPU: the kill stops
 * the run (the stop word and an IPI), the process exits at once, the
 * CPU is idle again and runs the next partition's VP.
 */
TEST_F(sc, kill_mid_remote_run)
{
	int cpu = self->cpus[0].linux_cpu, status;
	struct sc_line now[HCL_BOOT_MAX_VPS];
	long long t0;
	struct part p;
	struct vp v;
	pid_t pid;

	if (strcmp(self->cpus[0].status, "idle"))
		SKIP(return, "sidecar CPU 0 is %s", self->cpus[0].status);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (part_open(&p, spin, sizeof(spin)) || vp_create(&p, cpu, &v))
			_exit(2);
		vp_run(&v);
		_exit(3);
	}
	/* the run has begun once the CPU is busy */
	t0 = now_ms();
	do {
		usleep(20000);
		ASSERT_EQ(self->n, read_state(now, HCL_BOOT_MAX_VPS));
	} while (strcmp(now[0].status, "busy") && now_ms() - t0 < 5000);
	ASSERT_STREQ("busy", now[0].status);
	usleep(100000);
	t0 = now_ms();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_GT(2000, now_ms() - t0);
	ASSERT_EQ(self->n, read_state(now, HCL_BOOT_MAX_VPS));
	EXPECT_STREQ("idle", now[0].status);
	EXPECT_EQ(0, write_cmd("ping"));
	/* and the CPU runs the next partition's VP */
	ASSERT_EQ(0, part_open(&p, cpuid_loop, sizeof(cpuid_loop)));
	ASSERT_EQ(0, vp_create(&p, cpu, &v));
	EXPECT_EQ(HCL_EXIT_HLT, vp_run(&v));
	EXPECT_LE(100, vp_stat(cpu, "remote_runs"));
	vp_close(&v);
	part_close(&p);
}

static int unload_hcl(void)
{
	int i;

	/* the partition's release can lag its close by a moment */
	for (i = 0; i < 200; i++) {
		if (!syscall(SYS_delete_module, "hcl", O_NONBLOCK))
			return 0;
		if (errno != EAGAIN && errno != EBUSY && errno != EWOULDBLOCK)
			return -errno;
		usleep(10000);
	}
	return -errno;
}

/*
 * hcl.ko while a VP of a partition is bound to a sidecar CPU: unloading
 * is refused; once the partition is closed it goes (the notify
 * interrupt freed, the hot-plug callback removed) and comes back, and
 * the sidecar CPUs answer the new module and run its VPs.
 */
TEST_F(sc, unload_and_reload)
{
	int cpu = self->cpus[0].linux_cpu, mod;
	struct sc_line now[HCL_BOOT_MAX_VPS];
	struct part p;
	struct vp v;

	if (strcmp(self->cpus[0].status, "idle"))
		SKIP(return, "sidecar CPU 0 is %s", self->cpus[0].status);
	mod = open("/lib/hcl/modules/hcl.ko", O_RDONLY | O_CLOEXEC);
	if (mod < 0)
		SKIP(return, "no hcl.ko to load again");
	ASSERT_EQ(0, part_open(&p, cpuid_loop, sizeof(cpuid_loop)));
	ASSERT_EQ(0, vp_create(&p, cpu, &v));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(&v));
	EXPECT_EQ(-1, syscall(SYS_delete_module, "hcl", O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY) TH_LOG("%d", errno);
	vp_close(&v);
	part_close(&p);
	ASSERT_EQ(0, unload_hcl());
	ASSERT_EQ(0, syscall(SYS_finit_module, mod, "", 0))
		TH_LOG("loading hcl.ko again: %s", strerror(errno));
	close(mod);
	ASSERT_EQ(self->n, read_state(now, HCL_BOOT_MAX_VPS));
	for (int i = 0; i < self->n; i++)
		EXPECT_STREQ(self->cpus[i].status, now[i].status);
	EXPECT_EQ(0, write_cmd("ping"));
	ASSERT_EQ(0, part_open(&p, cpuid_loop, sizeof(cpuid_loop)));
	ASSERT_EQ(0, vp_create(&p, cpu, &v));
	EXPECT_EQ(0, v.run->sidecar_cpu);
	EXPECT_EQ(HCL_EXIT_HLT, vp_run(&v));
	EXPECT_LE(100, vp_stat(cpu, "remote_runs"));
	vp_close(&v);
	part_close(&p);
}

/*
 * REMOVE the last sidecar CPU,
 * then Linux boots it with INIT-SIPI; the others stay the sidecar's and
 * still answer.
 */
TEST_F(sc, remove_then_linux_brings_it_up)
{
	struct sc_line after[HCL_BOOT_MAX_VPS];
	int last = self->n - 1, cpu = self->cpus[last].linux_cpu;
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "remove %d", last);
	ASSERT_EQ(0, write_cmd(cmd)) TH_LOG("see dmesg");
	ASSERT_EQ(self->n, read_state(after, HCL_BOOT_MAX_VPS));
	EXPECT_STREQ("removed", after[last].status);
	/* a second REMOVE finds it gone */
	EXPECT_EQ(-ENODEV, write_cmd(cmd));
	ASSERT_EQ(0, set_online(cpu)) TH_LOG("Linux CPU %d", cpu);
	EXPECT_EQ(1, cpu_online(cpu));
	EXPECT_EQ(self->info.linux_cpus + 1, sysconf(_SC_NPROCESSORS_ONLN));
	/* the rest still answer; the removed one is skipped */
	EXPECT_EQ(0, write_cmd("ping"));
	EXPECT_EQ(0, write_cmd("run-test"));
	ASSERT_EQ(self->n, read_state(after, HCL_BOOT_MAX_VPS));
	for (int i = 0; i < last; i++)
		EXPECT_STREQ("idle", after[i].status);
}

/* a VP run on its own thread, until it exits or a signal ends it */
struct busy_vp {
	struct vp *v;
	int ret, cpu;
	bool pinned;		/* the thread's affinity became just cpu */
};

static void *busy_main(void *arg)
{
	struct busy_vp *b = arg;
	cpu_set_t set;

	b->ret = vp_run(b->v);
	b->pinned = !sched_getaffinity(0, sizeof(set), &set) &&
		    CPU_COUNT(&set) == 1 && CPU_ISSET(b->cpu, &set);
	return NULL;
}

/*
 * Last: Linux onlines a sidecar CPU (sysfs, its normal hot-plug) while a
 * VP spins there.  hcl.ko's hot-plug callback stops the VP's run and
 * hands the CPU over (REMOVE), Linux boots it, and the VP goes on spinning
 * locally from the same state: RBX still counts, no remote run since.
 * Needs a second sidecar CPU (the test above took one).
 */
TEST_F(sc, hotplug_while_a_vp_runs_there)
{
	struct sc_line now[HCL_BOOT_MAX_VPS];
	int cpu = self->cpus[0].linux_cpu;
	struct busy_vp s = { .cpu = cpu };
	struct hcl_regs r1, r2;
	struct sigaction sa = { .sa_handler = on_signal };
	long long remote;
	pthread_t t;
	struct part p;
	struct vp v;

	if (strcmp(self->cpus[0].status, "idle"))
		SKIP(return, "sidecar CPU 0 is %s", self->cpus[0].status);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, part_open(&p, spin, sizeof(spin)));
	ASSERT_EQ(0, vp_create(&p, cpu, &v));
	EXPECT_EQ(0, v.run->sidecar_cpu);
	s.v = &v;
	ASSERT_EQ(0, pthread_create(&t, NULL, busy_main, &s));
	usleep(300000);
	ASSERT_EQ(0, set_online(cpu)) TH_LOG("Linux CPU %d", cpu);
	EXPECT_EQ(1, cpu_online(cpu));
	ASSERT_EQ(self->n, read_state(now, HCL_BOOT_MAX_VPS));
	EXPECT_STREQ("removed", now[0].status);
	usleep(300000);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	EXPECT_EQ(-EINTR, s.ret);
	remote = vp_stat(cpu, "remote_runs");
	EXPECT_LE(1, remote);
	ASSERT_EQ(0, ioctl(v.fd, HCL_VP_GET_REGS, &r1));
	EXPECT_LT(0, r1.gprs[HCL_REG_RBX]);
	/* it goes on, locally */
	ASSERT_EQ(0, pthread_create(&t, NULL, busy_main, &s));
	usleep(200000);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	EXPECT_EQ(-EINTR, s.ret);
	ASSERT_EQ(0, ioctl(v.fd, HCL_VP_GET_REGS, &r2));
	EXPECT_LT(r1.gprs[HCL_REG_RBX], r2.gprs[HCL_REG_RBX]);
	EXPECT_EQ(remote, vp_stat(cpu, "remote_runs"));
	EXPECT_EQ(-1, v.run->sidecar_cpu);
	vp_close(&v);
	part_close(&p);
}

static int set_online_rate(const char *rate)
{
	int fd = open("/sys/module/hcl/parameters/sidecar_online_rate",
		      O_WRONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, rate, strlen(rate)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The hot-plug policy (hcl.sidecar_online_rate): a VP on sidecar CPU 2
 * that exits thousands of times a second, over the threshold of 200, has
 * its CPU brought into Linux; the VP goes on locally with its thread
 * moved to that CPU.  Needs a fourth sidecar CPU.
 */
TEST_F(sc, policy_onlines_a_busy_vps_cpu)
{
	/* 1: xor %eax,%eax; cpuid; jmp 1b */
	static const uint8_t busy[] = { 0x31, 0xc0, 0x0f, 0xa2, 0xeb, 0xfa };
	struct sigaction sa = { .sa_handler = on_signal };
	struct sc_line now[HCL_BOOT_MAX_VPS];
	struct busy_vp b = { 0 };
	long long t0, remote;
	pthread_t t;
	struct part p;
	struct vp v;

	if (self->n < 4 || strcmp(self->cpus[2].status, "idle"))
		SKIP(return, "no idle sidecar CPU 2");
	b.cpu = self->cpus[2].linux_cpu;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, part_open(&p, busy, sizeof(busy)));
	ASSERT_EQ(0, vp_create(&p, b.cpu, &v));
	b.v = &v;
	ASSERT_EQ(0, set_online_rate("200"));
	ASSERT_EQ(0, pthread_create(&t, NULL, busy_main, &b));
	t0 = now_ms();
	while (cpu_online(b.cpu) != 1 && now_ms() - t0 < 10000)
		usleep(50000);
	EXPECT_EQ(0, set_online_rate("0"));
	EXPECT_EQ(1, cpu_online(b.cpu));
	usleep(300000);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	EXPECT_EQ(-EINTR, b.ret);
	EXPECT_TRUE(b.pinned) TH_LOG("the VP's thread is not on CPU %d", b.cpu);
	ASSERT_EQ(self->n, read_state(now, HCL_BOOT_MAX_VPS));
	EXPECT_STREQ("removed", now[2].status);
	remote = vp_stat(b.cpu, "remote_runs");
	EXPECT_LT(200, remote);
	/* local from now on */
	ASSERT_EQ(0, pthread_create(&t, NULL, busy_main, &b));
	usleep(200000);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	EXPECT_EQ(-EINTR, b.ret);
	EXPECT_EQ(remote, vp_stat(b.cpu, "remote_runs"));
	EXPECT_LT(remote, vp_stat(b.cpu, "cpuid"));
	vp_close(&v);
	part_close(&p);
}

/*
 * Last, as it costs a CPU for good: sidecar CPU 1 faults in the middle of
 * a run (debugfs "fault 1": a save area XRSTOR refuses).  hcl.ko reports
 * it, the VP bound to that CPU fails its entry with one clear exit, the
 * other CPUs and Linux go on.  Needs a third sidecar CPU.
 */
TEST_F(sc, fault_in_a_run_fails_its_vp)
{
	struct sc_line now[HCL_BOOT_MAX_VPS];
	int cpu = self->n > 2 ? self->cpus[1].linux_cpu : -1;
	struct part p;
	struct vp v;

	if (self->n < 3 || strcmp(self->cpus[1].status, "idle"))
		SKIP(return, "no idle sidecar CPU 1");
	ASSERT_EQ(0, part_open(&p, cpuid_loop, sizeof(cpuid_loop)));
	ASSERT_EQ(0, vp_create(&p, cpu, &v));
	ASSERT_EQ(0, write_cmd("fault 1")) TH_LOG("see dmesg");
	ASSERT_EQ(self->n, read_state(now, HCL_BOOT_MAX_VPS));
	EXPECT_STREQ("fault", now[1].status);
	EXPECT_EQ(HCL_EXIT_FAIL_ENTRY, vp_run(&v));
	EXPECT_EQ(HCL_HW_SIDECAR_FAILED, v.run->hw.code);
	EXPECT_EQ((uint64_t)-EIO, v.run->hw.info1);
	EXPECT_EQ(1, v.run->hw.info2);
	/* and again: the VP stays failed, nothing hangs */
	EXPECT_EQ(HCL_EXIT_FAIL_ENTRY, vp_run(&v));
	vp_close(&v);
	part_close(&p);
	/* a VP created now for that CPU's index runs on Linux's CPU */
	ASSERT_EQ(0, part_open(&p, cpuid_loop, sizeof(cpuid_loop)));
	ASSERT_EQ(0, vp_create(&p, cpu, &v));
	EXPECT_EQ(HCL_EXIT_HLT, vp_run(&v));
	EXPECT_EQ(0, vp_stat(cpu, "remote_runs"));
	vp_close(&v);
	part_close(&p);
}

TEST_HARNESS_MAIN
