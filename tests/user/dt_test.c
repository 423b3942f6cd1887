// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-dt-test: in the booted VTL2, the device tree Linux runs with is the
 * one the shim built, and everyone read it the same way: the raw blob
 * (/sys/firmware/fdt), the kernel's unflattened view (/proc/device-tree),
 * the kernel command line, the CPUs Linux brought up, the memory Linux
 * owns, and what hcl.ko took from the /openhcl node.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/hcl.h>

#include "kselftest_harness.h"

#include "lib/hcl_dt.h"

#define PROC_DT		"/proc/device-tree"
#define VTL0_IMAGE	"/sys/class/misc/hcl/vtl0_image"
#define GUEST_FILE	"/lib/hcl/vtl0-guest.bin"

/* reads a whole file; returns its length or -1 */
static ssize_t slurp(const char *path, void *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)total < size &&
	       (n = read(fd, (char *)buf + total, size - total)) > 0)
		total += n;
	close(fd);
	return total;
}

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

FIXTURE(dt) {
	struct hcl_dt_info info;
};

FIXTURE_SETUP(dt)
{
	char err[256];

	ASSERT_EQ(0, hcl_dt_parse_file(HCL_DT_PATH, &self->info, err,
				       sizeof(err))) TH_LOG("%s", err);
}

FIXTURE_TEARDOWN(dt)
{
}

TEST_F(dt, proc_device_tree_is_the_shims)
{
	char buf[4096];
	ssize_t n;

	n = slurp(PROC_DT "/openhcl/compatible", buf, sizeof(buf));
	ASSERT_EQ(12, n);
	EXPECT_STREQ("hcl,openhcl", buf);
	n = slurp(PROC_DT "/compatible", buf, sizeof(buf));
	ASSERT_GT(n, 0);
	EXPECT_STREQ("hcl,vtl2", buf);
	ASSERT_EQ(4, slurp(PROC_DT "/openhcl/vp-count", buf, sizeof(buf)));
	EXPECT_EQ(self->info.vp_count, be32(buf));
	n = slurp(PROC_DT "/openhcl/memory-map", buf, sizeof(buf));
	ASSERT_EQ(self->info.nmap * 20, n);
	for (uint32_t i = 0; i < self->info.nmap; i++)
		EXPECT_EQ(self->info.map[i].type, be32(buf + i * 20));
	ASSERT_EQ(16, slurp(PROC_DT "/openhcl/vtl0-range", buf, sizeof(buf)));
	EXPECT_EQ(self->info.vtl0_base,
		  (uint64_t)be32(buf) << 32 | be32(buf + 4));
	EXPECT_EQ(self->info.vtl0_size,
		  (uint64_t)be32(buf + 8) << 32 | be32(buf + 12));
}

TEST_F(dt, bootargs_are_the_kernel_command_line)
{
	char cmdline[4096];
	ssize_t n;

	n = slurp("/proc/cmdline", cmdline, sizeof(cmdline) - 1);
	ASSERT_GT(n, 0);
	cmdline[n] = 0;
	if (cmdline[n - 1] == '\n')
		cmdline[n - 1] = 0;
	EXPECT_STREQ(self->info.bootargs, cmdline);
}

/* Linux knows every CPU (/cpus) but runs only its own (maxcpus=) */
TEST_F(dt, linux_runs_on_the_cpus_it_was_given)
{
	EXPECT_EQ(self->info.vp_count, sysconf(_SC_NPROCESSORS_CONF));
	EXPECT_EQ(self->info.linux_cpus, sysconf(_SC_NPROCESSORS_ONLN));
	EXPECT_EQ(self->info.vp_count,
		  self->info.linux_cpus + self->info.sidecar_cpus);
}

/* Linux's RAM (/proc/iomem "System RAM") is VTL2 RAM, never VTL0's */
TEST_F(dt, linux_ram_is_vtl2_ram)
{
	unsigned long long start, end;
	char line[256];
	FILE *f;
	int ram = 0;

	f = fopen("/proc/iomem", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		int covered = 0;

		if (line[0] == ' ' || !strstr(line, "System RAM"))
			continue;
		ASSERT_EQ(2, sscanf(line, "%llx-%llx", &start, &end));
		ram++;
		for (uint32_t i = 0; i < self->info.nmap; i++) {
			const struct hcl_dt_range *r = &self->info.map[i];

			if (r->type == OPENHCL_MEM_VTL2_RAM && start >= r->base &&
			    end < r->base + r->size)
				covered = 1;
		}
		EXPECT_TRUE(covered) TH_LOG("System RAM %llx-%llx", start, end);
	}
	fclose(f);
	EXPECT_GT(ram, 0);
}

TEST_F(dt, hcl_took_vtl0_from_the_tree)
{
	struct hcl_info info = { 0 };
	unsigned long max_vps;
	char buf[64];
	int fd;

	/* no module parameter named the range */
	memset(buf, 0, sizeof(buf));
	ASSERT_GT(slurp("/sys/module/hcl/parameters/vtl0_size", buf,
			sizeof(buf) - 1), 0);
	EXPECT_EQ(0, strtoull(buf, NULL, 0));
	memset(buf, 0, sizeof(buf));
	ASSERT_GT(slurp("/sys/module/hcl/parameters/max_vps", buf,
			sizeof(buf) - 1), 0);
	max_vps = strtoul(buf, NULL, 0);
	fd = open("/dev/hcl", O_RDWR | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, HCL_GET_INFO, &info));
	EXPECT_EQ(self->info.vtl0_size, info.vtl0_mem_size);
	/* the VM's VP count, unless hcl.max_vps= overrides it */
	EXPECT_EQ(max_vps ? max_vps : self->info.vp_count, info.max_vps);
	close(fd);
}

TEST_F(dt, staged_vtl0_image_reads_back)
{
	static char a[1 << 20], b[1 << 20];
	struct stat st;
	ssize_t na, nb;

	ASSERT_NE(0, self->info.image_size);
	ASSERT_EQ(0, stat(VTL0_IMAGE, &st));
	EXPECT_EQ(self->info.image_size, (uint64_t)st.st_size);
	EXPECT_EQ(0400, st.st_mode & 0777);
	na = slurp(VTL0_IMAGE, a, sizeof(a));
	nb = slurp(GUEST_FILE, b, sizeof(b));
	ASSERT_GT(nb, 0);
	ASSERT_EQ(nb, na);
	EXPECT_EQ(0, memcmp(a, b, na));
}

/* the host's random bytes travelled loader -> shim -> Linux's tree */
TEST_F(dt, host_entropy_arrived)
{
	unsigned char buf[512];
	unsigned int zero = 0;
	ssize_t n;

	n = slurp(PROC_DT "/openhcl/entropy", buf, sizeof(buf));
	ASSERT_EQ(64, n);
	for (ssize_t i = 0; i < n; i++)
		zero += !buf[i];
	EXPECT_LT(zero, 16);	/* random bytes, not a zeroed buffer */
}

TEST_HARNESS_MAIN
