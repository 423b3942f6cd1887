// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-sidecar-test: in the booted VTL2, every CPU the shim gave the
 * sidecar (/openhcl/sidecar) is present but offline in Linux, sits IDLE
 * in the sidecar's dispatch loop, answers PING from hcl.ko (debugfs
 * hcl/sidecar, kmod/sidecar.c) and runs a guest with RUN_VP (VMRUN on
 * the sidecar CPU, the exit and the switched registers checked by
 * hcl.ko's self-test).  The last test hands the last sidecar CPU to
 * Linux (REMOVE) and has Linux bring it up: hot-plug's path, by hand.  Skips when the tree gives the sidecar
 * no CPU (openhcl_boot.sidecar=off, one CPU).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "lib/hcl_dt.h"

#define SIDECAR_FILE	"/sys/kernel/debug/hcl/sidecar"

struct sc_line {
	unsigned int cpu, apic, pings, ok, failed, runs;
	int linux_cpu;
	char status[16];
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

		if (sscanf(line, "cpu %u apic %u linux-cpu %d status %15s pings %u ok %u failed %u",
			   &c->cpu, &c->apic, &c->linux_cpu, c->status,
			   &c->pings, &c->ok, &c->failed) != 7 ||
		    !runs || sscanf(runs, " runs %u", &c->runs) != 1)
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

/* every sidecar CPU reached the dispatch loop and answered at load */
TEST_F(sc, every_cpu_idle_and_answered)
{
	for (int i = 0; i < self->n; i++) {
		struct sc_line *c = &self->cpus[i];

		EXPECT_EQ((unsigned int)i, c->cpu);
		EXPECT_STREQ("idle", c->status) TH_LOG("CPU %d", i);
		EXPECT_LE(1, c->pings) TH_LOG("CPU %d", i);
		EXPECT_LE(1, c->ok) TH_LOG("CPU %d", i);
		EXPECT_EQ(0, c->failed) TH_LOG("CPU %d", i);
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
 * Last (the harness runs tests in order): REMOVE the last sidecar CPU,
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

TEST_HARNESS_MAIN
