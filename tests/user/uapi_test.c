// SPDX-License-Identifier: GPL-2.0
/*
 * In-VM UAPI tests for /dev/hcl and VP files, run inside the QEMU-booted
 * VTL2 kernel with hcl.ko loaded.  Every bad argument must get its errno;
 * the real run path is exercised with tiny VTL0 programs.  The runner
 * checks the kernel log for warnings and oopses afterwards.
 */
#include <cpuid.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>

#include "kselftest_harness.h"
#include "vtl0_setup.h"
#include "vtl0_test_abi.h"
#include "vp_ring.h"

#define CODE_GPA	HCL_GUEST_LOAD_GPA

/* @call fails: it returns -1 with errno @err */
#define EXPECT_ERRNO(err, call) do {					\
	EXPECT_EQ(-1, (call));						\
	EXPECT_EQ(err, errno);						\
} while (0)

/* One attempt: -1 with EBUSY while another partition exists. */
static int try_open_hcl(void)
{
	return open("/dev/hcl", O_RDWR | O_CLOEXEC);
}

/*
 * The partition, once the previous test's is gone: a ring torn down at
 * that test's exit drops its last VP reference asynchronously.
 */
static int open_hcl(void)
{
	int i, fd = -1;

	for (i = 0; i < 200; i++) {
		fd = try_open_hcl();
		if (fd >= 0 || errno != EBUSY)
			break;
		usleep(10000);
	}
	return fd;
}

/*
 * VTL0's size as the module was told: hcl.vtl0_size= when given, else the
 * shim's /openhcl/vtl0-range.  0 if neither can be read.
 */
static uint64_t expected_vtl0_size(void)
{
	unsigned char b[16];
	char buf[32] = "";
	uint64_t size = 0;
	int fd;

	fd = open("/sys/module/hcl/parameters/vtl0_size", O_RDONLY);
	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			size = strtoull(buf, NULL, 0);
		close(fd);
	}
	if (size)
		return size;
	fd = open("/proc/device-tree/openhcl/vtl0-range", O_RDONLY);
	if (fd < 0)
		return 0;
	if (read(fd, b, sizeof(b)) == sizeof(b))
		for (int i = 8; i < 16; i++)
			size = size << 8 | b[i];
	close(fd);
	return size;
}

/* ---- /dev/hcl ------------------------------------------------------------ */

TEST(info)
{
	struct hcl_info info;
	int fd = open_hcl();

	ASSERT_LE(0, fd);
	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, ioctl(fd, HCL_GET_INFO, &info));
	EXPECT_EQ(HCL_API_VERSION, info.api_version);
	EXPECT_LE(1, info.max_vps);
	EXPECT_EQ(expected_vtl0_size(), info.vtl0_mem_size);
	EXPECT_NE(0, info.features & HCL_FEATURE_NPT);
	EXPECT_EQ(0, info.reserved[0]);
	EXPECT_EQ(0, info.reserved[4]);
	close(fd);
}

/* Opens /dev/hcl and closes it again: 0, or -1 if it did not open. */
static int reopen_hcl(void)
{
	int fd = open_hcl();

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

TEST(single_opener)
{
	int fd = open_hcl();

	ASSERT_LE(0, fd);
	EXPECT_ERRNO(EBUSY, try_open_hcl());
	close(fd);
	EXPECT_EQ(0, reopen_hcl());
}

TEST(wrong_struct_size_and_unknown_ioctls)
{
	struct { __u32 x; } small;
	char big[512] = { 0 };
	int fd = open_hcl();

	ASSERT_LE(0, fd);
	/* a known request number with another size: EINVAL */
	EXPECT_ERRNO(EINVAL, ioctl(fd, _IOR(HCL_IOCTL_TYPE, 0x00, small), &small));
	EXPECT_ERRNO(EINVAL, ioctl(fd, _IOW(HCL_IOCTL_TYPE, 0x01, big), big));
	/* right size, wrong direction */
	EXPECT_ERRNO(EINVAL, ioctl(fd, _IOW(HCL_IOCTL_TYPE, 0x00, struct hcl_info),
				   big));
	/* unknown numbers and foreign types: ENOTTY */
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IO(HCL_IOCTL_TYPE, 0x7f), 0));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, _IOR(0xAE, 0x00, struct hcl_info), big));
	/* VP requests on the partition fd are not partition requests */
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_VP_RUN, 0));
	/* bad user pointers */
	EXPECT_ERRNO(EFAULT, ioctl(fd, HCL_GET_INFO, (void *)8));
	EXPECT_ERRNO(EFAULT, ioctl(fd, HCL_CREATE_VP, (void *)8));
	close(fd);
}

TEST(create_vp_rules)
{
	struct hcl_create_vp cvp = { 0 };
	struct hcl_info info;
	int fd = open_hcl(), vp, vp2;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, HCL_GET_INFO, &info));
	cvp.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_CREATE_VP, &cvp));
	cvp.flags = 0;
	cvp.reserved[2] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_CREATE_VP, &cvp));
	cvp.reserved[2] = 0;
	/* a VP that does not exist */
	cvp.vp_index = info.max_vps;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_CREATE_VP, &cvp));
	cvp.vp_index = 0xffffffff;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_CREATE_VP, &cvp));
	cvp.vp_index = 0;
	vp = ioctl(fd, HCL_CREATE_VP, &cvp);
	ASSERT_LE(0, vp);
	EXPECT_ERRNO(EEXIST, ioctl(fd, HCL_CREATE_VP, &cvp));
	/* partition requests on a VP fd */
	EXPECT_ERRNO(EINVAL, ioctl(vp, HCL_GET_INFO, &info));
	close(vp);
	vp2 = ioctl(fd, HCL_CREATE_VP, &cvp);
	EXPECT_LE(0, vp2);
	/* the VP keeps the partition alive after /dev/hcl is closed */
	close(fd);
	EXPECT_ERRNO(EBUSY, try_open_hcl());
	close(vp2);
	EXPECT_EQ(0, reopen_hcl());
}

TEST(mmap_rules)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct hcl_create_vp cvp = { 0 };
	int fd = open_hcl(), vp;
	struct hcl_info info;
	off_t size;
	void *p;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, HCL_GET_INFO, &info));
	size = (off_t)info.vtl0_mem_size;
	/* beyond VTL0 RAM, straddling its end, private: refused */
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, size);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, size - pg);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	/* the last page is fine, and writes stick */
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, size - pg);
	ASSERT_NE(MAP_FAILED, p);
	*(volatile uint32_t *)p = 0x600dcafe;
	EXPECT_EQ(0x600dcafe, *(volatile uint32_t *)p);
	munmap(p, pg);

	vp = ioctl(fd, HCL_CREATE_VP, &cvp);
	ASSERT_LE(0, vp);
	p = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, vp, 0);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, vp, pg);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, vp, 0);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, HCL_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vp, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(HCL_EXIT_NONE, ((struct hcl_run *)p)->exit_reason);
	munmap(p, HCL_RUN_SIZE);
	close(vp);
	close(fd);
}

static int add_range(int fd, int space, int kind, uint64_t start,
		     uint64_t len, int efd)
{
	struct hcl_range r = {
		.space = space, .kind = kind, .start = start, .len = len,
		.eventfd = efd,
	};

	return ioctl(fd, HCL_ADD_RANGE, &r);
}

static int del_range(int fd, int space, uint64_t start, uint64_t len)
{
	struct hcl_range r = { .space = space, .start = start, .len = len };

	return ioctl(fd, HCL_DEL_RANGE, &r);
}

TEST(range_rules)
{
	struct hcl_range r = { 0 };
	int fd = open_hcl(), efd, i;

	ASSERT_LE(0, fd);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	EXPECT_ERRNO(EINVAL, add_range(fd, 2, 0, 0x70, 2, 0));
	EXPECT_ERRNO(EINVAL, add_range(fd, HCL_RANGE_PIO, 2, 0x70, 2, 0));
	EXPECT_ERRNO(EINVAL, add_range(fd, HCL_RANGE_PIO, 0, 0x70, 0, 0));
	EXPECT_ERRNO(EINVAL, add_range(fd, HCL_RANGE_PIO, 0, 0xffff, 2, 0));
	EXPECT_EQ(-1, add_range(fd, HCL_RANGE_PIO, 0, 0x70, 2, efd));
	EXPECT_EQ(EINVAL, errno);	/* eventfd on a user range */
	EXPECT_EQ(-1, add_range(fd, HCL_RANGE_MMIO, 0, 0x1000, 0x1000, 0));
	EXPECT_EQ(EINVAL, errno);	/* VTL0 RAM */
	EXPECT_ERRNO(EINVAL, add_range(fd, HCL_RANGE_MMIO, 0, (64 << 20) - 0x1000,
				       0x2000, 0));
	EXPECT_ERRNO(EINVAL, add_range(fd, HCL_RANGE_MMIO, 0, 1ULL << 48, 0x1000, 0));
	EXPECT_EQ(-1, add_range(fd, HCL_RANGE_MMIO, 0, ~0ULL - 10, 0x1000, 0));
	EXPECT_EQ(EINVAL, errno);	/* wraps */
	EXPECT_EQ(-1, add_range(fd, HCL_RANGE_PIO, 1, 0x70, 2, -1));
	EXPECT_EQ(EBADF, errno);	/* doorbell without an eventfd */
	r.space = HCL_RANGE_PIO;
	r.start = 0x70;
	r.len = 1;
	r.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_ADD_RANGE, &r));

	ASSERT_EQ(0, add_range(fd, HCL_RANGE_PIO, 0, 0x70, 2, 0));
	EXPECT_ERRNO(EEXIST, add_range(fd, HCL_RANGE_PIO, 0, 0x71, 1, 0));
	EXPECT_EQ(-1, add_range(fd, HCL_RANGE_MMIO, 0, 0x70, 2, 0));
	EXPECT_EQ(EINVAL, errno);	/* MMIO at 0x70 is RAM */
	ASSERT_EQ(0, add_range(fd, HCL_RANGE_MMIO, 1, 0xfee00000, 0x1000, efd));
	EXPECT_ERRNO(ENOENT, del_range(fd, HCL_RANGE_PIO, 0x70, 1));
	EXPECT_EQ(0, del_range(fd, HCL_RANGE_PIO, 0x70, 2));
	EXPECT_ERRNO(ENOENT, del_range(fd, HCL_RANGE_PIO, 0x70, 2));
	/* the table is bounded */
	for (i = 0; i < HCL_MAX_RANGES - 1; i++)
		ASSERT_EQ(0, add_range(fd, HCL_RANGE_PIO, 0, 0x1000 + 2 * i, 1,
				       0));
	EXPECT_ERRNO(ENOSPC, add_range(fd, HCL_RANGE_PIO, 0, 0x3000, 1, 0));
	/* the doorbell's eventfd reference goes with the partition */
	close(efd);
	close(fd);
}

/* ---- a VP with VTL0 RAM mapped and a long-mode start at CODE_GPA ----------- */

FIXTURE(vp) {
	int fd, vp;
	uint8_t *mem;
	uint64_t mem_size;
	struct hcl_run *run;
	struct hcl_regs regs;
	struct hcl_sregs sregs;
};

/*
 * The VP the fixture creates: 0, or HCL_UAPI_VP from the environment, so
 * that the same tests run a VP on a sidecar CPU (VP i runs on VTL2 CPU
 * i, which the sidecar holds when it is on; make check does both).
 */
static unsigned int fixture_vp_index(void)
{
	const char *s = getenv("HCL_UAPI_VP");

	return s ? (unsigned int)strtoul(s, NULL, 0) : 0;
}

/* the fixture VP's counters in debugfs */
static const char *vp_stats(void)
{
	static char path[64];

	snprintf(path, sizeof(path), "/sys/kernel/debug/hcl/vp%u",
		 fixture_vp_index());
	return path;
}

/*
 * The sidecar CPU of the fixture's VP, from debugfs hcl/sidecar: the one
 * that is Linux's CPU of the VP's index and idle in the dispatch loop,
 * or -1 (no sidecar, or that CPU is Linux's).
 */
static int sidecar_cpu_of(unsigned int index)
{
	FILE *f = fopen("/sys/kernel/debug/hcl/sidecar", "r");
	char line[256], status[16];
	int cpu, linux_cpu, found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "cpu %d apic %*u linux-cpu %d status %15s",
			   &cpu, &linux_cpu, status) == 3 &&
		    linux_cpu == (int)index && !strcmp(status, "idle"))
			found = cpu;
	fclose(f);
	return found;
}

FIXTURE_SETUP(vp)
{
	struct hcl_create_vp cvp = { .vp_index = fixture_vp_index() };
	struct hcl_info info;

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
	munmap(self->run, HCL_RUN_SIZE);
	munmap(self->mem, self->mem_size);
	close(self->vp);
	close(self->fd);
}

static void load_code(struct _test_data_vp *self, const void *code,
		      size_t len)
{
	memcpy(self->mem + CODE_GPA, code, len);
}

static void claim(struct _test_data_vp *self, int space, int kind,
		  uint64_t start, uint64_t len, int efd)
{
	if (add_range(self->fd, space, kind, start, len, efd))
		abort();
}

static struct hcl_regs get_regs(struct _test_data_vp *self)
{
	struct hcl_regs r;

	if (ioctl(self->vp, HCL_VP_GET_REGS, &r))
		abort();
	return r;
}

/* Maps a 2 MiB guest page at @gpa (below 1 GiB) in the guest's tables. */
static void guest_map_2m(struct _test_data_vp *self, uint64_t gpa)
{
	uint64_t *pd = (uint64_t *)(self->mem + HCL_GUEST_PML4_GPA + 0x2000);

	pd[gpa >> 21] = (gpa & ~((2ULL << 20) - 1)) | 0xe3;
}

/*
 * A GPA past VTL0 RAM that the guest's one page directory can still map:
 * the first 2 MiB boundary at or above the end of RAM.
 */
static uint64_t gpa_past_ram(struct __test_metadata *_metadata,
			     struct _test_data_vp *self)
{
	uint64_t gpa = (self->mem_size + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);

	ASSERT_LT(gpa, 1ULL << 30) TH_LOG("VTL0 RAM too big for this test");
	return gpa;
}

/* an instruction with a 64-bit absolute address at @at */
static void put_addr(uint8_t *code, size_t at, uint64_t addr)
{
	memcpy(code + at, &addr, sizeof(addr));
}

/*
 * The VP's next exit: @reason, an access through @acc (mmio or io) at
 * @a_ (its @addr field), of @s_ bytes with data @d_.
 */
#define EXPECT_ACCESS_EXIT(reason, acc, addr, a_, s_, d_) do {		\
	ASSERT_EQ(reason, vp_run(self));				\
	EXPECT_EQ(a_, self->run->acc.addr);				\
	EXPECT_EQ(s_, self->run->acc.size);				\
	EXPECT_EQ(d_, self->run->acc.data);				\
} while (0)
#define EXPECT_MMIO_EXIT(g_, s_, d_)					\
	EXPECT_ACCESS_EXIT(HCL_EXIT_MMIO, mmio, gpa, g_, s_, d_)
#define EXPECT_IO_EXIT(p_, s_, d_)					\
	EXPECT_ACCESS_EXIT(HCL_EXIT_IO, io, port, p_, s_, d_)

/* Runs the fixture's VP: its exit reason, or -1 if HCL_VP_RUN failed. */
static int vp_run(struct _test_data_vp *self)
{
	if (ioctl(self->vp, HCL_VP_RUN, 0))
		return -1;
	return self->run->exit_reason;
}

static int setup_state(struct _test_data_vp *self)
{
	if (ioctl(self->vp, HCL_VP_SET_SREGS, &self->sregs))
		return -1;
	return ioctl(self->vp, HCL_VP_SET_REGS, &self->regs);
}

TEST_F(vp, run_before_setup)
{
	EXPECT_ERRNO(EBADFD, ioctl(self->vp, HCL_VP_RUN, 0));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_REGS, &self->regs));
	EXPECT_ERRNO(EBADFD, ioctl(self->vp, HCL_VP_RUN, 0));
}

TEST_F(vp, regs_rules_and_round_trip)
{
	struct hcl_regs r = self->regs, back;
	struct hcl_sregs s = self->sregs, sback;
	int i;

	for (i = 0; i < HCL_NR_GPRS; i++)
		r.gprs[i] = 0x1111111111111111ULL * (i + 1);
	r.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_REGS, &r));
	r.reserved[1] = 0;
	r.rflags = 0;			/* bit 1 must be set */
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_REGS, &r));
	r.rflags = 0x2 | (1ULL << 40);	/* reserved bit */
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_REGS, &r));
	r.rflags = 0x202;
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_REGS, &r));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_REGS, &back));
	EXPECT_EQ(0, memcmp(&r, &back, sizeof(r)));

	s.reserved[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	s = self->sregs;
	s.gdt.pad[1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	s = self->sregs;
	s.cr0 |= 1ULL << 40;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	s = self->sregs;
	s.cr4 &= ~0x20ULL;		/* long mode without PAE */
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	s = self->sregs;
	s.efer = 0x400;			/* LMA without LME */
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	s = self->sregs;
	s.efer |= 0x1000;		/* SVME is not the caller's */
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	s = self->sregs;
	s.cs.attrib |= 0x1000;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	s = self->sregs;
	s.cs.attrib |= 0x400;		/* L and D together */
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_SREGS, &self->sregs));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_SREGS, &sback));
	EXPECT_EQ(0, memcmp(&self->sregs, &sback, sizeof(sback)));
	EXPECT_ERRNO(EFAULT, ioctl(self->vp, HCL_VP_SET_REGS, (void *)8));
}

TEST_F(vp, cpuid_table_rules)
{
	struct hcl_cpuid_entry e[3] = { 0 };
	struct hcl_cpuid c = { .nent = 1, .entries = (uintptr_t)e };

	c.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	c.flags = 0;
	c.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	c.reserved[1] = 0;
	c.nent = HCL_CPUID_MAX_ENTRIES + 1;
	EXPECT_ERRNO(E2BIG, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	c.nent = 0xffffffff;
	EXPECT_ERRNO(E2BIG, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	c.nent = 2;
	c.entries = 8;
	EXPECT_ERRNO(EFAULT, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	c.entries = (uintptr_t)e;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_CPUID, &c));	/* dup */
	EXPECT_EQ(EINVAL, errno);
	e[1].function = 1;
	e[1].reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	e[1].reserved = 0;
	e[1].flags = 0x80;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	e[1].flags = 0;
	EXPECT_EQ(0, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	c.nent = 0;
	EXPECT_EQ(0, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
}

/* cpuid; hlt — answered in the kernel from the table */
TEST_F(vp, cpuid_in_kernel)
{
	static const uint8_t code[] = { 0x0f, 0xa2, 0xf4 };
	struct hcl_cpuid_entry e = {
		.function = 0x4000001f, .flags = HCL_CPUID_F_INDEX, .index = 3,
		.eax = 0xa, .ebx = 0xb, .ecx = 0xc, .edx = 0xd,
	};
	struct hcl_cpuid c = { .nent = 1, .entries = (uintptr_t)&e };
	struct hcl_regs r;

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	self->regs.gprs[HCL_REG_RAX] = 0x4000001f;
	self->regs.gprs[HCL_REG_RCX] = 3;
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(CODE_GPA + 2, self->run->rip);
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_REGS, &r));
	EXPECT_EQ(0xa, r.gprs[HCL_REG_RAX]);
	EXPECT_EQ(0xb, r.gprs[HCL_REG_RBX]);
	EXPECT_EQ(0xc, r.gprs[HCL_REG_RCX]);
	EXPECT_EQ(0xd, r.gprs[HCL_REG_RDX]);
	EXPECT_EQ(CODE_GPA + 3, r.rip);

	/* another subleaf is not in the table: zeroes */
	self->regs.gprs[HCL_REG_RCX] = 4;
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_RUN, 0));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_REGS, &r));
	EXPECT_EQ(0, r.gprs[HCL_REG_RAX]);
	EXPECT_EQ(0, r.gprs[HCL_REG_RDX]);
}

/* mov $0x1234,%ax; out %ax,$0x70; in $0x71,%al; hlt */
TEST_F(vp, port_io_round_trip)
{
	static const uint8_t code[] = {
		0x66, 0xb8, 0x34, 0x12, 0x66, 0xe7, 0x70, 0xe4, 0x71, 0xf4,
	};
	struct hcl_regs r;

	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x70, 2, 0);
	load_code(self, code, sizeof(code));
	self->regs.gprs[HCL_REG_RAX] = 0xffffffffffff0000ULL;
	ASSERT_EQ(0, setup_state(self));
	EXPECT_IO_EXIT(0x70, 2, 0x1234);
	EXPECT_EQ(HCL_IO_OUT, self->run->io.direction);
	EXPECT_EQ(CODE_GPA + 4, self->run->rip);

	ASSERT_EQ(HCL_EXIT_IO, vp_run(self));
	EXPECT_EQ(0x71, self->run->io.port);
	EXPECT_EQ(1, self->run->io.size);
	EXPECT_EQ(HCL_IO_IN, self->run->io.direction);
	self->run->io.data = 0xffffff5a;	/* only the low byte counts */

	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_REGS, &r));
	EXPECT_EQ(0xffffffffffff125aULL, r.gprs[HCL_REG_RAX]);
}

TEST_F(vp, immediate_exit)
{
	static const uint8_t code[] = { 0xf4 };

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	self->run->immediate_exit = 1;
	EXPECT_ERRNO(EINTR, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(HCL_EXIT_INTR, self->run->exit_reason);
	self->run->immediate_exit = 0;
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
}

/* ud2 with an empty IDT: #UD -> #GP -> #DF -> shutdown */
TEST_F(vp, triple_fault_is_reported)
{
	static const uint8_t code[] = { 0x0f, 0x0b };

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_SHUTDOWN, vp_run(self));
	/* the state is gone: running again needs new state */
	EXPECT_ERRNO(EBADFD, ioctl(self->vp, HCL_VP_RUN, 0));
	load_code(self, (const uint8_t[]){ 0xf4 }, 1);
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
}

/* movabs <past RAM>,%al: a GPA past VTL0 RAM (VTL2's side) is a violation */
TEST_F(vp, vtl2_memory_is_not_reachable)
{
	uint8_t code[] = { 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf4 };
	uint64_t gpa = gpa_past_ram(_metadata, self);

	put_addr(code, 1, gpa);
	/* map it in the guest's own tables; the NPT has nothing there */
	guest_map_2m(self, gpa);
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_VTL_VIOLATION, vp_run(self));
	EXPECT_EQ(0x400, self->run->hw_exit_code);	/* nested page fault */
	EXPECT_EQ(gpa, self->run->vtl.gpa);
	EXPECT_EQ(HCL_ACCESS_READ, self->run->vtl.access);
	EXPECT_EQ(CODE_GPA, self->run->rip);
	/* the instruction did not complete: it faults again */
	ASSERT_EQ(HCL_EXIT_VTL_VIOLATION, vp_run(self));
	EXPECT_EQ(CODE_GPA, self->run->rip);
}

/* a store, then a jump into unclaimed GPA space */
TEST_F(vp, vtl_violation_access_kinds)
{
	uint8_t store[] = { 0xa2, 0, 0, 0, 0, 0, 0, 0, 0, 0xf4 };
	static const uint8_t jump[] = { 0xff, 0xe0 };	/* jmp *%rax */
	uint64_t gpa = gpa_past_ram(_metadata, self);

	put_addr(store, 1, gpa + 8);
	guest_map_2m(self, gpa);
	load_code(self, store, sizeof(store));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_VTL_VIOLATION, vp_run(self));
	EXPECT_EQ(gpa + 8, self->run->vtl.gpa);
	EXPECT_EQ(HCL_ACCESS_WRITE, self->run->vtl.access);

	load_code(self, jump, sizeof(jump));
	self->regs.gprs[HCL_REG_RAX] = gpa + 0x40;
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_VTL_VIOLATION, vp_run(self));
	EXPECT_EQ(gpa + 0x40, self->run->vtl.gpa);
	EXPECT_NE(0, self->run->vtl.access & HCL_ACCESS_EXEC);
}

/* in $0x80,%al; out %al,$0x81; hlt: nobody claimed them, no exit */
TEST_F(vp, unclaimed_ports_stay_in_kernel)
{
	static const uint8_t code[] = { 0xe4, 0x80, 0xe6, 0x81, 0xf4 };

	load_code(self, code, sizeof(code));
	self->regs.gprs[HCL_REG_RAX] = 0x1200;
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(0x12ff, get_regs(self).gprs[HCL_REG_RAX]);
}

/* out %al,$0x90 three times; in $0x90,%al; hlt: a doorbell, no exits */
TEST_F(vp, pio_doorbell)
{
	static const uint8_t code[] = {
		0xe6, 0x90, 0xe6, 0x90, 0xe6, 0x90, 0xe4, 0x90, 0xf4,
	};
	int efd = eventfd(0, EFD_CLOEXEC);
	uint64_t count = 0;

	ASSERT_LE(0, efd);
	claim(self, HCL_RANGE_PIO, HCL_RANGE_DOORBELL, 0x90, 1, efd);
	load_code(self, code, sizeof(code));
	self->regs.gprs[HCL_REG_RAX] = 0x55;
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	ASSERT_EQ(sizeof(count), read(efd, &count, sizeof(count)));
	EXPECT_EQ(3, count);
	EXPECT_EQ(0, get_regs(self).gprs[HCL_REG_RAX]);
	close(efd);
}

/*
 * mov %ebx,0x3c000010; mov 0x3c000020,%ecx; movzbl 0x3c000030,%edx;
 * movsbq 0x3c000031,%rsi; mov %ah,0x3c000032; movl $0x1234,0x3c000034; hlt
 */
TEST_F(vp, mmio_round_trip)
{
	static const uint8_t code[] = {
		0x89, 0x1c, 0x25, 0x10, 0x00, 0x00, 0x3c,
		0x8b, 0x0c, 0x25, 0x20, 0x00, 0x00, 0x3c,
		0x0f, 0xb6, 0x14, 0x25, 0x30, 0x00, 0x00, 0x3c,
		0x48, 0x0f, 0xbe, 0x34, 0x25, 0x31, 0x00, 0x00, 0x3c,
		0x88, 0x24, 0x25, 0x32, 0x00, 0x00, 0x3c,
		0xc7, 0x04, 0x25, 0x34, 0x00, 0x00, 0x3c,
		0x34, 0x12, 0x00, 0x00,
		0xf4,
	};
	struct hcl_regs r;

	claim(self, HCL_RANGE_MMIO, HCL_RANGE_USER, 0x3c000000, 0x1000, 0);
	guest_map_2m(self, 0x3c000000);
	load_code(self, code, sizeof(code));
	self->regs.gprs[HCL_REG_RBX] = 0xfeedf00dcafe1234ULL;
	self->regs.gprs[HCL_REG_RCX] = ~0ULL;
	self->regs.gprs[HCL_REG_RAX] = 0xab00;
	ASSERT_EQ(0, setup_state(self));

	EXPECT_MMIO_EXIT(0x3c000010, 4, 0xcafe1234);
	EXPECT_EQ(HCL_MMIO_WRITE, self->run->mmio.direction);

	ASSERT_EQ(HCL_EXIT_MMIO, vp_run(self));
	EXPECT_EQ(0x3c000020, self->run->mmio.gpa);
	EXPECT_EQ(HCL_MMIO_READ, self->run->mmio.direction);
	self->run->mmio.data = 0x11223344deadbeefULL;

	ASSERT_EQ(HCL_EXIT_MMIO, vp_run(self));
	EXPECT_EQ(0x3c000030, self->run->mmio.gpa);
	EXPECT_EQ(1, self->run->mmio.size);
	self->run->mmio.data = 0x1ff;

	ASSERT_EQ(HCL_EXIT_MMIO, vp_run(self));
	EXPECT_EQ(0x3c000031, self->run->mmio.gpa);
	EXPECT_EQ(1, self->run->mmio.size);
	self->run->mmio.data = 0x80;

	ASSERT_EQ(HCL_EXIT_MMIO, vp_run(self));
	EXPECT_EQ(0x3c000032, self->run->mmio.gpa);
	EXPECT_EQ(HCL_MMIO_WRITE, self->run->mmio.direction);
	EXPECT_EQ(0xab, self->run->mmio.data);

	EXPECT_MMIO_EXIT(0x3c000034, 4, 0x1234);

	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	r = get_regs(self);
	EXPECT_EQ(0xdeadbeef, r.gprs[HCL_REG_RCX]);	/* 32-bit load zero-extends */
	EXPECT_EQ(0xff, r.gprs[HCL_REG_RDX]);
	EXPECT_EQ(0xffffffffffffff80ULL, r.gprs[HCL_REG_RSI]);
	EXPECT_EQ(CODE_GPA + sizeof(code), r.rip);
}

/* movl $1,0x3c001000; hlt: an MMIO doorbell rings with no exit */
TEST_F(vp, mmio_doorbell)
{
	static const uint8_t code[] = {
		0xc7, 0x04, 0x25, 0x00, 0x10, 0x00, 0x3c,
		0x01, 0x00, 0x00, 0x00, 0xf4,
	};
	int efd = eventfd(0, EFD_CLOEXEC);
	uint64_t count = 0;

	ASSERT_LE(0, efd);
	claim(self, HCL_RANGE_MMIO, HCL_RANGE_DOORBELL, 0x3c001000, 0x1000,
	      efd);
	guest_map_2m(self, 0x3c000000);
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	ASSERT_EQ(sizeof(count), read(efd, &count, sizeof(count)));
	EXPECT_EQ(1, count);
	close(efd);
}

static int set_policy(struct _test_data_vp *self,
		      const struct hcl_msr_rule *rules, unsigned int n,
		      unsigned int def)
{
	struct hcl_msr_policy p = {
		.nrules = n, .default_action = def, .rules = (uintptr_t)rules,
	};

	return ioctl(self->vp, HCL_VP_SET_MSR_POLICY, &p);
}

TEST_F(vp, msr_policy_rules)
{
	struct hcl_msr_rule r[2] = {
		{ .index = 0x1234, .action = HCL_MSR_EMULATE, .value = 5 },
		{ .index = 0x1234, .action = HCL_MSR_USER },
	};
	struct hcl_msr_policy p = { 0 };

	EXPECT_EQ(-1, set_policy(self, r, 2, HCL_MSR_GP));
	EXPECT_EQ(EINVAL, errno);	/* duplicate */
	r[1].index = 0x1235;
	r[1].value = 1;
	EXPECT_EQ(-1, set_policy(self, r, 2, HCL_MSR_GP));
	EXPECT_EQ(EINVAL, errno);	/* a value on a non-emulated rule */
	r[1].value = 0;
	r[1].action = 7;
	EXPECT_ERRNO(EINVAL, set_policy(self, r, 2, HCL_MSR_GP));
	r[1].action = HCL_MSR_USER;
	EXPECT_EQ(-1, set_policy(self, r, 2, HCL_MSR_EMULATE));
	EXPECT_EQ(EINVAL, errno);	/* the default cannot emulate */
	EXPECT_ERRNO(E2BIG, set_policy(self, r, HCL_MAX_MSR_RULES + 1, HCL_MSR_GP));
	p.nrules = 1;
	p.rules = 8;
	EXPECT_ERRNO(EFAULT, ioctl(self->vp, HCL_VP_SET_MSR_POLICY, &p));
	EXPECT_EQ(0, set_policy(self, r, 2, HCL_MSR_USER));
	EXPECT_EQ(0, set_policy(self, NULL, 0, HCL_MSR_GP));
}

TEST_F(vp, msr_get_set)
{
	struct hcl_msr_entry e[3] = {
		{ .index = 0xc0000082, .data = 0xffffffff81000000ULL },
		{ .index = 0x277, .data = 0x0007040600070406ULL },
		{ .index = 0x12345 },
	};
	struct hcl_msrs m = { .nmsrs = 3, .entries = (uintptr_t)e };
	struct hcl_msr_rule rule = {
		.index = 0x12345, .action = HCL_MSR_EMULATE, .value = 9,
	};

	ASSERT_EQ(0, setup_state(self));
	/* LSTAR and PAT are set; 0x12345 is not an MSR of this VP */
	EXPECT_EQ(2, ioctl(self->vp, HCL_VP_SET_MSRS, &m));
	memset(e, 0, sizeof(e));
	e[0].index = 0xc0000082;
	e[1].index = 0xc0000080;	/* EFER, without the kernel's SVME */
	e[2].index = 0x12345;
	EXPECT_EQ(2, ioctl(self->vp, HCL_VP_GET_MSRS, &m));
	EXPECT_EQ(0xffffffff81000000ULL, e[0].data);
	EXPECT_EQ(0x500, e[1].data);
	ASSERT_EQ(0, set_policy(self, &rule, 1, HCL_MSR_GP));
	EXPECT_EQ(3, ioctl(self->vp, HCL_VP_GET_MSRS, &m));
	EXPECT_EQ(9, e[2].data);
	/* refused values stop the list */
	e[0].index = 0xc0000082;
	e[0].data = 0x8000000000000000ULL;	/* not canonical */
	EXPECT_EQ(0, ioctl(self->vp, HCL_VP_SET_MSRS, &m));
	e[0].index = 0x277;
	e[0].data = 0x0202020202020202ULL;	/* PAT type 2 is reserved */
	EXPECT_EQ(0, ioctl(self->vp, HCL_VP_SET_MSRS, &m));
	e[0].reserved = 1;
	EXPECT_EQ(0, ioctl(self->vp, HCL_VP_SET_MSRS, &m));
	m.pad = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_MSRS, &m));
	m.pad = 0;
	m.nmsrs = HCL_MAX_MSRS + 1;
	EXPECT_ERRNO(E2BIG, ioctl(self->vp, HCL_VP_GET_MSRS, &m));
}

/*
 * rdmsr 0x1234 (emulated), write 0x77 to it, read back, then rdmsr
 * 0x40000000 (userspace answers).
 */
TEST_F(vp, msr_guest_access)
{
	static const uint8_t code[] = {
		0xb9, 0x34, 0x12, 0x00, 0x00,	/* mov $0x1234,%ecx */
		0x0f, 0x32,			/* rdmsr */
		0x89, 0xc3,			/* mov %eax,%ebx */
		0xb8, 0x77, 0x00, 0x00, 0x00,	/* mov $0x77,%eax */
		0x31, 0xd2,			/* xor %edx,%edx */
		0x0f, 0x30,			/* wrmsr */
		0x0f, 0x32,			/* rdmsr */
		0x89, 0xc6,			/* mov %eax,%esi */
		0xb9, 0x00, 0x00, 0x00, 0x40,	/* mov $0x40000000,%ecx */
		0x0f, 0x32,			/* rdmsr */
		0xf4,
	};
	struct hcl_msr_rule rules[2] = {
		{ .index = 0x1234, .action = HCL_MSR_EMULATE, .value = 0x55,
		  .writable = 0xff },
		{ .index = 0x40000000, .action = HCL_MSR_USER },
	};
	struct hcl_regs r;

	ASSERT_EQ(0, set_policy(self, rules, 2, HCL_MSR_GP));
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_MSR, vp_run(self));
	EXPECT_EQ(0x40000000, self->run->msr.index);
	EXPECT_EQ(HCL_MSR_READ, self->run->msr.direction);
	self->run->msr.data = 0x1122334455667788ULL;
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	r = get_regs(self);
	EXPECT_EQ(0x55, r.gprs[HCL_REG_RBX]);
	EXPECT_EQ(0x77, r.gprs[HCL_REG_RSI]);
	EXPECT_EQ(0x55667788, r.gprs[HCL_REG_RAX]);
	EXPECT_EQ(0x11223344, r.gprs[HCL_REG_RDX]);
}

/* #GP with no IDT ends in a shutdown: default policy, and a user refusal */
TEST_F(vp, msr_gp_paths)
{
	static const uint8_t code[] = {
		0xb9, 0x99, 0x99, 0x00, 0x00,	/* mov $0x9999,%ecx */
		0x0f, 0x32, 0xf4,		/* rdmsr; hlt */
	};
	struct hcl_msr_rule rule = { .index = 0x9999, .action = HCL_MSR_USER };

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_SHUTDOWN, vp_run(self));

	ASSERT_EQ(0, set_policy(self, &rule, 1, HCL_MSR_GP));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_MSR, vp_run(self));
	self->run->msr.error = 1;
	ASSERT_EQ(HCL_EXIT_SHUTDOWN, vp_run(self));
}

#define IDT_GPA		0x4000ULL
#define HANDLER_GPA	(CODE_GPA + 0x1000)
#define NMI_HANDLER_GPA	(CODE_GPA + 0x1100)

/* An IDT with a handler for vector 0x40 (ebx = 0x42) and NMI (esi = 0x99). */
static void setup_idt(struct _test_data_vp *self)
{
	static const uint8_t h40[] = {
		0xbb, 0x42, 0x00, 0x00, 0x00, 0x48, 0xcf,	/* iretq */
	};
	static const uint8_t hnmi[] = {
		0xbe, 0x99, 0x00, 0x00, 0x00, 0x48, 0xcf,
	};
	uint64_t *idt = (uint64_t *)(self->mem + IDT_GPA);
	const struct {
		unsigned int vec;
		uint64_t at;
	} gates[] = { { 0x40, HANDLER_GPA }, { 2, NMI_HANDLER_GPA } };
	unsigned int i;

	memset(idt, 0, 4096);
	for (i = 0; i < 2; i++) {
		uint64_t a = gates[i].at;

		idt[gates[i].vec * 2] = (a & 0xffff) | (0x08ULL << 16) |
					(0x8eULL << 40) |
					((a >> 16 & 0xffff) << 48);
		idt[gates[i].vec * 2 + 1] = a >> 32;
	}
	memcpy(self->mem + HANDLER_GPA, h40, sizeof(h40));
	memcpy(self->mem + NMI_HANDLER_GPA, hnmi, sizeof(hnmi));
	self->sregs.idt.base = IDT_GPA;
	self->sregs.idt.limit = 4095;
}

static void inject_later(int vp, unsigned int type, unsigned int vector)
{
	struct hcl_interrupt irq = { .type = type, .vector = vector };

	if (fork() == 0) {
		usleep(200000);
		_exit(ioctl(vp, HCL_VP_INTERRUPT, &irq) ? 1 : 0);
	}
}

/* sti; hlt; cli; hlt: the VP sleeps in the kernel until the interrupt */
/*
 * sti; hlt; cli; hlt, with an interrupt of @type at @vector injected
 * while the VP halts: the exit reason of the run.
 */
static int hlt_then_inject(struct _test_data_vp *self, unsigned int type,
			   unsigned int vector)
{
	static const uint8_t code[] = { 0xfb, 0xf4, 0xfa, 0xf4 };

	setup_idt(self);
	load_code(self, code, sizeof(code));
	if (setup_state(self))
		return -1;
	inject_later(self->vp, type, vector);
	return vp_run(self);
}

TEST_F(vp, hlt_wakes_on_injected_interrupt)
{
	int status;

	ASSERT_EQ(HCL_EXIT_HLT, hlt_then_inject(self, HCL_INTR_FIXED, 0x40));
	EXPECT_EQ(0x42, get_regs(self).gprs[HCL_REG_RBX]);
	EXPECT_EQ(CODE_GPA + 4, self->run->rip + 1);
	wait(&status);
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(vp, hlt_wakes_on_nmi)
{
	int status;

	ASSERT_EQ(HCL_EXIT_HLT, hlt_then_inject(self, HCL_INTR_NMI, 0));
	EXPECT_EQ(0x99, get_regs(self).gprs[HCL_REG_RSI]);
	wait(&status);
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * MONITOR and MWAIT (found by hcl-hostile: they reached userspace as
 * unhandled exits, which a VMM takes for a broken VP): a #UD when the
 * VP's CPUID table does not offer MONITOR (CPUID 1 ECX bit 3), as on a
 * CPU without them; a no-op when it does (MWAIT wakes at once, which the
 * instruction allows).  The #UD handler counts in RBX and skips the
 * 3-byte instruction.
 */
TEST_F(vp, monitor_mwait_follow_the_cpuid_table)
{
	/* monitor; mwait; hlt */
	static const uint8_t code[] = { 0x0f, 0x01, 0xc8, 0x0f, 0x01, 0xc9,
					0xf4 };
	/* inc %ebx; addq $3,(%rsp); iretq */
	static const uint8_t ud[] = { 0xff, 0xc3, 0x48, 0x83, 0x04, 0x24,
				      0x03, 0x48, 0xcf };
	struct hcl_cpuid_entry e = { .function = 1, .ecx = 1U << 3 };
	struct hcl_cpuid c = { .nent = 0, .entries = (uintptr_t)&e };
	uint64_t *idt = (uint64_t *)(self->mem + IDT_GPA);
	uint64_t at = HANDLER_GPA;

	setup_idt(self);
	idt[6 * 2] = (at & 0xffff) | (0x08ULL << 16) | (0x8eULL << 40) |
		     ((at >> 16 & 0xffff) << 48);
	idt[6 * 2 + 1] = at >> 32;
	memcpy(self->mem + HANDLER_GPA, ud, sizeof(ud));
	load_code(self, code, sizeof(code));

	/* no MONITOR in the table: both are #UD */
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(2, get_regs(self).gprs[HCL_REG_RBX]);
	EXPECT_EQ(CODE_GPA + 7, self->run->rip + 1);

	/* offered: both run as no-ops */
	c.nent = 1;
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(0, get_regs(self).gprs[HCL_REG_RBX]);
	EXPECT_EQ(CODE_GPA + 7, self->run->rip + 1);
}

static void on_alarm(int sig);

/*
 * An NMI handler that halts (mov $0x99,%esi; sti; hlt; mov $0x77,%edi;
 * cli; hlt) with NMIs blocked: a second NMI sent meanwhile must not end
 * the halt (the CPU would keep it pending until the handler's IRET), so
 * the run waits until a signal ends it.  Waking it made the VP go on past the HLT, and a guest that halts in a
 * loop there would have spun the host's CPU on HLT exits.
 */
TEST_F(vp, blocked_nmi_does_not_end_a_halt)
{
	static const uint8_t code[] = { 0xfb, 0xf4, 0xfa, 0xf4 };
	static const uint8_t handler[] = {
		0xbe, 0x99, 0x00, 0x00, 0x00, 0xfb, 0xf4,
		0xbf, 0x77, 0x00, 0x00, 0x00, 0xfa, 0xf4,
	};
	struct sigaction sa = { .sa_handler = on_alarm };
	struct hcl_interrupt nmi = { .type = HCL_INTR_NMI };
	int status;

	setup_idt(self);
	memcpy(self->mem + NMI_HANDLER_GPA, handler, sizeof(handler));
	load_code(self, code, sizeof(code));
	self->regs.rip = CODE_GPA + 2;		/* cli; hlt, IF=0 */
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	/* the first NMI enters the handler, which halts with NMIs blocked */
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_INTERRUPT, &nmi));
	inject_later(self->vp, HCL_INTR_NMI, 0);
	alarm(1);
	EXPECT_ERRNO(EINTR, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(0x99, get_regs(self).gprs[HCL_REG_RSI]);
	EXPECT_NE(0x77, get_regs(self).gprs[HCL_REG_RDI]);
	wait(&status);
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* A signal ends HCL_VP_RUN during a halt, but not the halt itself. */
TEST_F(vp, halt_survives_a_signal)
{
	static const uint8_t code[] = { 0xfb, 0xf4, 0xfa, 0xf4 };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct hcl_interrupt irq = { .type = HCL_INTR_FIXED, .vector = 0x40 };

	setup_idt(self);
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_ERRNO(EINTR, ioctl(self->vp, HCL_VP_RUN, 0));
	/* still halted: without an interrupt the next run waits again */
	alarm(1);
	EXPECT_ERRNO(EINTR, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(0, get_regs(self).gprs[HCL_REG_RBX]);
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_INTERRUPT, &irq));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(0x42, get_regs(self).gprs[HCL_REG_RBX]);
}

/*
 * cli; out %al,$0x73; sti; nop; cli; hlt with the interrupt queued
 * before the run: it waits for the window that sti opens.
 */
TEST_F(vp, interrupt_waits_for_window)
{
	static const uint8_t code[] = {
		0xfa, 0xe6, 0x73, 0xfb, 0x90, 0xfa, 0xf4,
	};
	struct hcl_interrupt irq = { .type = HCL_INTR_FIXED, .vector = 0x40 };

	setup_idt(self);
	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x73, 1, 0);
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_INTERRUPT, &irq));
	ASSERT_EQ(HCL_EXIT_IO, vp_run(self));
	EXPECT_EQ(0, get_regs(self).gprs[HCL_REG_RBX]);	/* not yet */
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(0x42, get_regs(self).gprs[HCL_REG_RBX]);
}

TEST_F(vp, interrupt_rules)
{
	struct hcl_interrupt irq = { .type = HCL_INTR_FIXED, .vector = 15 };

	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_INTERRUPT, &irq));
	irq.vector = 256;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_INTERRUPT, &irq));
	irq.type = HCL_INTR_NMI;
	irq.vector = 2;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_INTERRUPT, &irq));
	irq.type = 9;
	irq.vector = 0;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_INTERRUPT, &irq));
	irq.type = HCL_INTR_FIXED;
	irq.vector = 32;
	irq.reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_INTERRUPT, &irq));
	irq.reserved = 0;
	EXPECT_EQ(0, ioctl(self->vp, HCL_VP_INTERRUPT, &irq));
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* jmp . — only a signal gets the thread back */
TEST_F(vp, signal_interrupts_run)
{
	static const uint8_t code[] = { 0xeb, 0xfe };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct timespec t0, t1;

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	alarm(1);
	EXPECT_ERRNO(EINTR, ioctl(self->vp, HCL_VP_RUN, 0));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_EQ(HCL_EXIT_INTR, self->run->exit_reason);
	EXPECT_GE(t1.tv_sec - t0.tv_sec, 0);
	EXPECT_LE(t1.tv_sec - t0.tv_sec, 10);
}

/*
 * cli; 1: pause; jmp 1b — a spin-wait with interrupts off, as a guest
 * kernel waits for a lock: host interrupts still end each slice of it,
 * so the signal gets the thread back.
 */
TEST_F(vp, signal_interrupts_pause_spin)
{
	static const uint8_t code[] = { 0xfa, 0xf3, 0x90, 0xeb, 0xfc };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct timespec t0, t1;
	int i;

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, setup_state(self));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		alarm(1);
		EXPECT_ERRNO(EINTR, ioctl(self->vp, HCL_VP_RUN, 0));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		EXPECT_EQ(HCL_EXIT_INTR, self->run->exit_reason);
		EXPECT_LE(t1.tv_sec - t0.tv_sec, 10);
	}
}

/*
 * In a child: open the partition, start one VP spinning in the guest
 * (through HCL_VP_RUN, or a RUN on an io_uring), say so on @ready_fd, and
 * wait to be killed.  Exit codes name the step that failed.
 */
static void __attribute__((noreturn)) spin_in_child(int ready_fd, int uring)
{
	static const uint8_t code[] = { 0xeb, 0xfe };
	struct hcl_create_vp cvp = { 0 };
	struct hcl_sregs sregs;
	struct hcl_regs regs;
	struct io_uring ring;
	uint8_t *mem;
	int fd, vp;

	fd = open_hcl();
	mem = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fd < 0 || mem == MAP_FAILED)
		_exit(2);
	vp = ioctl(fd, HCL_CREATE_VP, &cvp);
	if (vp < 0 || vtl0_setup_long_mode(mem, 64 << 20, CODE_GPA,
					   HCL_GUEST_STACK_TOP, &regs, &sregs))
		_exit(3);
	memcpy(mem + CODE_GPA, code, sizeof(code));
	if (ioctl(vp, HCL_VP_SET_SREGS, &sregs) ||
	    ioctl(vp, HCL_VP_SET_REGS, &regs))
		_exit(4);
	if (uring && (io_uring_queue_init(8, &ring, 0) ||
		      hcl_queue_run(&ring, vp, 1) ||
		      io_uring_submit(&ring) != 1))
		_exit(4);
	if (write(ready_fd, "r", 1) != 1)
		_exit(6);
	if (uring)
		pause();
	else
		ioctl(vp, HCL_VP_RUN, 0);
	_exit(5);
}

/*
 * Starts spin_in_child(), kills it once its VP runs, and returns the wait
 * status; the partition must then open again (open_hcl() waits out an
 * asynchronous ring teardown).
 */
static int kill_spinning_child(int uring)
{
	int status = -1, fd, ready[2];
	pid_t pid;
	char c;

	if (pipe(ready))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		spin_in_child(ready[1], uring);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		c = 0;
	close(ready[0]);
	usleep(300000);
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	fd = open_hcl();
	if (fd < 0)
		return -2;
	close(fd);
	return c == 'r' ? status : -3;
}

/* A client killed mid-run leaves nothing behind: the partition reopens. */
TEST(kill_mid_run)
{
	int status = kill_spinning_child(0);

	ASSERT_LE(0, status);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
}

/*
 * movq %rax,%xmm0; out %al,$0x74; movq %xmm0,%rbx; hlt — the guest's
 * SSE state survives an exit to a userspace that uses xmm0 itself.
 */
TEST_F(vp, guest_fpu_state_is_its_own)
{
	static const uint8_t code[] = {
		0x66, 0x48, 0x0f, 0x6e, 0xc0, 0xe6, 0x74,
		0x66, 0x48, 0x0f, 0x7e, 0xc3, 0xf4,
	};

	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x74, 1, 0);
	load_code(self, code, sizeof(code));
	self->sregs.cr4 |= 0x600;		/* OSFXSR, OSXMMEXCPT */
	self->regs.gprs[HCL_REG_RAX] = 0x0123456789abcdefULL;
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_IO, vp_run(self));
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0" : : : "xmm0");
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(0x0123456789abcdefULL, get_regs(self).gprs[HCL_REG_RBX]);
}

/* vmmcall: NOP and VP index in the kernel, an unknown code to userspace */
TEST_F(vp, hypercalls)
{
	static const uint8_t code[] = {
		0x31, 0xc0, 0x0f, 0x01, 0xd9,		/* eax=0; vmmcall */
		0x89, 0xc7,				/* mov %eax,%edi */
		0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x01, 0xd9,	/* VP index */
		0x89, 0xc5,				/* mov %eax,%ebp */
		0xb8, 0x42, 0x00, 0x00, 0x00,		/* eax=0x42 */
		0xbb, 0x07, 0x00, 0x00, 0x00,		/* ebx=7 */
		0x0f, 0x01, 0xd9, 0xf4,			/* vmmcall; hlt */
	};
	struct hcl_regs r;

	load_code(self, code, sizeof(code));
	self->regs.gprs[HCL_REG_RDI] = 0xff;
	self->regs.gprs[HCL_REG_RBP] = 0xff;
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HYPERCALL, vp_run(self));
	EXPECT_EQ(0x42, self->run->hypercall.code);
	EXPECT_EQ(7, self->run->hypercall.args[0]);
	self->run->hypercall.ret = 0xbeef;
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	r = get_regs(self);
	EXPECT_EQ(0, r.gprs[HCL_REG_RDI]);
	EXPECT_EQ(fixture_vp_index(), r.gprs[HCL_REG_RBP]);	/* VP index */
	EXPECT_EQ(0xbeef, r.gprs[HCL_REG_RAX]);
}

/* Real mode at 0x7c00: mov $0x1234,%ax; out %ax,$0x70; hlt */
TEST_F(vp, real_mode_start)
{
	static const uint8_t code[] = { 0xb8, 0x34, 0x12, 0xe7, 0x70, 0xf4 };
	struct hcl_sregs s = { 0 };
	struct hcl_regs r = { .rflags = 2, .rip = 0x7c00 };

	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x70, 2, 0);
	memcpy(self->mem + 0x7c00, code, sizeof(code));
	vtl0_seg(&s.cs, 0, 0x9b, 0xffff);
	vtl0_seg(&s.ds, 0, 0x93, 0xffff);
	s.es = s.fs = s.gs = s.ss = s.ds;
	vtl0_seg(&s.tr, 0, 0x8b, 0xffff);
	vtl0_seg(&s.ldt, 0, 0x82, 0xffff);
	s.idt.limit = 0x3ff;
	s.cr0 = 0x10;
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_REGS, &r));
	EXPECT_IO_EXIT(0x70, 2, 0x1234);
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(0x7c05, self->run->rip);
}

/*
 * 32-bit protected mode, paging off: mov $0x12345678,%eax; out %eax,$0x70;
 * mov %eax,0x3c000000 (MMIO, decoded in 32-bit mode); hlt
 */
TEST_F(vp, protected_mode_start)
{
	static const uint8_t code[] = {
		0xb8, 0x78, 0x56, 0x34, 0x12, 0xe7, 0x70,
		0xa3, 0x00, 0x00, 0x00, 0x3c, 0xf4,
	};
	struct hcl_sregs s = { 0 };
	struct hcl_regs r = { .rflags = 2, .rip = CODE_GPA };

	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x70, 4, 0);
	claim(self, HCL_RANGE_MMIO, HCL_RANGE_USER, 0x3c000000, 0x1000, 0);
	load_code(self, code, sizeof(code));
	vtl0_seg(&s.cs, 0x08, 0xc9b, 0xffffffff);
	vtl0_seg(&s.ds, 0x10, 0xc93, 0xffffffff);
	s.es = s.fs = s.gs = s.ss = s.ds;
	vtl0_seg(&s.tr, 0, 0x8b, 0x67);
	vtl0_seg(&s.ldt, 0, 0x82, 0xffff);
	s.cr0 = 0x11;
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_REGS, &r));
	ASSERT_EQ(HCL_EXIT_IO, vp_run(self));
	EXPECT_EQ(4, self->run->io.size);
	EXPECT_EQ(0x12345678, self->run->io.data);
	EXPECT_MMIO_EXIT(0x3c000000, 4, 0x12345678);
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
}

/* Pseudo-random bytes as code: whatever happens, the kernel stays well. */
TEST_F(vp, garbage_code)
{
	uint32_t x = 0x9e3779b9;
	unsigned int seed, i, reason;

	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0, 0x10000, 0);
	for (seed = 0; seed < 8; seed++) {
		for (i = 0; i < 4096; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			self->mem[CODE_GPA + i] = (uint8_t)x;
		}
		ASSERT_EQ(0, setup_state(self));
		/* run a bounded number of exits of whatever kind */
		for (i = 0; i < 64; i++) {
			self->run->immediate_exit = 0;
			alarm(2);
			if (ioctl(self->vp, HCL_VP_RUN, 0)) {
				ASSERT_EQ(EINTR, errno);
				break;
			}
			reason = self->run->exit_reason;
			ASSERT_NE(HCL_EXIT_NONE, reason);
			if (reason == HCL_EXIT_SHUTDOWN ||
			    reason == HCL_EXIT_HLT ||
			    reason == HCL_EXIT_FAIL_ENTRY ||
			    reason == HCL_EXIT_UNHANDLED)
				break;
			if (reason == HCL_EXIT_IO && self->run->io.direction)
				self->run->io.data = 0;
		}
		alarm(0);
	}
}

static void on_alarm_quiet(int sig)
{
	(void)sig;
}

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

/*
 * String I/O in the kernel (kmod/string_io.c): rep outsb to a port
 * userspace claimed is one ordinary OUT exit per byte, RIP on the
 * instruction until RCX is 0; rep insw from an unclaimed port and rep
 * outsb to a doorbell make no exit at all; insb from the claimed port
 * lands where RDI points once the VMM answers.  Before, every one of
 * them reached the VMM as HCL_EXIT_UNHANDLED.
 */
TEST_F(vp, string_io_in_the_kernel)
{
	const uint32_t buf = CODE_GPA + 0x1000, buf2 = CODE_GPA + 0x2000,
		       buf3 = CODE_GPA + 0x3000;
	uint8_t code[] = {
		0xba, 0xf8, 0x03, 0x00, 0x00,	/* mov $0x3f8,%edx */
		0xbe, 0, 0, 0, 0,		/* mov $buf,%esi */
		0xb9, 0x03, 0x00, 0x00, 0x00,	/* mov $3,%ecx */
		0xf3, 0x6e,			/* rep outsb (at 15) */
		0xba, 0x80, 0x00, 0x00, 0x00,	/* mov $0x80,%edx */
		0xbf, 0, 0, 0, 0,		/* mov $buf2,%edi */
		0xb9, 0x04, 0x00, 0x00, 0x00,	/* mov $4,%ecx */
		0x66, 0xf3, 0x6d,		/* rep insw */
		0xba, 0x90, 0x00, 0x00, 0x00,	/* mov $0x90,%edx */
		0xbe, 0, 0, 0, 0,		/* mov $buf,%esi */
		0xb9, 0x05, 0x00, 0x00, 0x00,	/* mov $5,%ecx */
		0xf3, 0x6e,			/* rep outsb */
		0xba, 0xf8, 0x03, 0x00, 0x00,	/* mov $0x3f8,%edx */
		0xbf, 0, 0, 0, 0,		/* mov $buf3,%edi */
		0x6c,				/* insb (at 62) */
		0xf4,
	};
	int efd = eventfd(0, EFD_CLOEXEC);
	uint64_t count = 0;
	struct hcl_regs r;

	ASSERT_LE(0, efd);
	memcpy(code + 6, &buf, 4);
	memcpy(code + 23, &buf2, 4);
	memcpy(code + 41, &buf, 4);
	memcpy(code + 58, &buf3, 4);
	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x3f8, 8, 0);
	claim(self, HCL_RANGE_PIO, HCL_RANGE_DOORBELL, 0x90, 1, efd);
	load_code(self, code, sizeof(code));
	memcpy(self->mem + buf, "abcde", 5);
	ASSERT_EQ(0, setup_state(self));

	for (int i = 0; i < 3; i++) {
		EXPECT_IO_EXIT(0x3f8, 1, (uint64_t)"abc"[i]);
		EXPECT_EQ(HCL_IO_OUT, self->run->io.direction);
		EXPECT_EQ(CODE_GPA + 15, self->run->rip);
		EXPECT_EQ(2 - i, get_regs(self).gprs[HCL_REG_RCX]);
	}
	ASSERT_EQ(HCL_EXIT_IO, vp_run(self));
	EXPECT_EQ(HCL_IO_IN, self->run->io.direction);
	EXPECT_EQ(CODE_GPA + 62, self->run->rip);
	self->run->io.data = 0x5a;
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));

	r = get_regs(self);
	EXPECT_EQ(CODE_GPA + sizeof(code), r.rip);
	EXPECT_EQ(0, r.gprs[HCL_REG_RCX]);
	EXPECT_EQ(buf + 5, r.gprs[HCL_REG_RSI]);
	EXPECT_EQ(buf3 + 1, r.gprs[HCL_REG_RDI]);
	for (int i = 0; i < 8; i++) {
		EXPECT_EQ(0xff, self->mem[buf2 + i]) TH_LOG("byte %d", i);
	}
	EXPECT_EQ(0, self->mem[buf2 + 8]);
	EXPECT_EQ(0x5a, self->mem[buf3]);
	ASSERT_EQ(sizeof(count), read(efd, &count, sizeof(count)));
	EXPECT_EQ(5, count);
	/* 4 exits to the VMM and 2 instructions done here; the elements */
	EXPECT_EQ(6, read_stat(vp_stats(), "io_string"));
	EXPECT_EQ(4, read_stat(vp_stats(), "io_user"));
	EXPECT_EQ(4, read_stat(vp_stats(), "io_kernel"));
	EXPECT_EQ(5, read_stat(vp_stats(), "io_doorbell"));
	close(efd);
}

/*
 * 1: cpuid; out %al,$0x80 (unclaimed); jmp 1b — a flood of in-kernel
 * exits with no user exit at all, ended by a signal; the counters say
 * what happened.
 */
TEST_F(vp, exit_flood_and_counters)
{
	static const uint8_t code[] = {
		0x31, 0xc0, 0x0f, 0xa2, 0xe6, 0x80, 0xeb, 0xf8,
	};
	struct sigaction sa = { .sa_handler = on_alarm_quiet };
	long cpuid, io, user, global;

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(2);
	EXPECT_ERRNO(EINTR, ioctl(self->vp, HCL_VP_RUN, 0));
	cpuid = read_stat(vp_stats(), "cpuid");
	io = read_stat(vp_stats(), "io_kernel");
	user = read_stat(vp_stats(), "user_exits");
	global = read_stat("/sys/kernel/debug/hcl/stats", "cpuid");
	TH_LOG("2 s of flood: %ld cpuid, %ld port exits in the kernel", cpuid,
	       io);
	EXPECT_LT(100, cpuid);
	EXPECT_LE(cpuid - 1, io);
	EXPECT_EQ(0, user);
	EXPECT_LE(cpuid, global);
	EXPECT_LT(0, read_stat(vp_stats(), "guest_ns"));
}

/* ---- NMIs: never nested, each delivered once, the guest's own TF ----- */

#define NMI_CODE_GPA	(CODE_GPA + 0x100)	/* NMI handler */
#define DB_CODE_GPA	(CODE_GPA + 0x200)	/* #DB handler */
#define STEP_CODE_GPA	(CODE_GPA + 0x300)	/* main code that steps */
#define NMI_DATA_GPA	(CODE_GPA + 0x4000)

/* the guest's counters, at NMI_DATA_GPA */
struct nmi_data {
	uint32_t count, pad0;		/* NMIs handled */
	uint32_t nested, pad1;		/* NMIs that came in too early */
	uint32_t inside, pad2;		/* in the NMI handler now */
	uint32_t spin, pad3;		/* the handler's delay loop */
	uint32_t db_count, pad4;	/* #DB traps */
	uint32_t target, pad5;		/* main code ends at this count */
	uint32_t sent, pad6;		/* NMIs the host sent */
};

/*
 * The NMI handler counts an NMI as nested when the interrupted RIP is in
 * the handler itself (its IRET included) or the handler was marked busy;
 * it marks itself busy, tells the host (out %al,$0x71), spins until the
 * host sent another NMI (or for @spin rounds), checks the mark is still
 * its own and IRETs:
 *
 *	push %rax; push %rcx; push %rdx; mov 24(%rsp),%rax
 *	cmp $NMI_CODE_GPA,%rax; jb 1f; cmp $NMI_CODE_GPA+0x100,%rax; jae 1f
 *	incl nested
 * 1:	cmpl $0,inside; je 2f; incl nested
 * 2:	movl $1,inside; incl count; mov sent,%edx; out %al,$0x71
 *	mov spin,%ecx
 * 3:	cmp sent,%edx; jne 5f; dec %ecx; jnz 3b
 * 5:	cmpl $1,inside; je 4f; incl nested
 * 4:	movl $0,inside; pop %rdx; pop %rcx; pop %rax; iretq
 */
static const uint8_t nmi_handler[] = {
	0x50, 0x51, 0x52, 0x48, 0x8b, 0x44, 0x24, 0x18, 0x48, 0x3d, 0x00, 0x01,
	0x10, 0x00, 0x72, 0x0f, 0x48, 0x3d, 0x00, 0x02, 0x10, 0x00, 0x73, 0x07,
	0xff, 0x04, 0x25, 0x08, 0x40, 0x10, 0x00, 0x83, 0x3c, 0x25, 0x10, 0x40,
	0x10, 0x00, 0x00, 0x74, 0x07, 0xff, 0x04, 0x25, 0x08, 0x40, 0x10, 0x00,
	0xc7, 0x04, 0x25, 0x10, 0x40, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff,
	0x04, 0x25, 0x00, 0x40, 0x10, 0x00, 0x8b, 0x14, 0x25, 0x30, 0x40, 0x10,
	0x00, 0xe6, 0x71, 0x8b, 0x0c, 0x25, 0x18, 0x40, 0x10, 0x00, 0x3b, 0x14,
	0x25, 0x30, 0x40, 0x10, 0x00, 0x75, 0x04, 0xff, 0xc9, 0x75, 0xf3, 0x83,
	0x3c, 0x25, 0x10, 0x40, 0x10, 0x00, 0x01, 0x74, 0x07, 0xff, 0x04, 0x25,
	0x08, 0x40, 0x10, 0x00, 0xc7, 0x04, 0x25, 0x10, 0x40, 0x10, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x5a, 0x59, 0x58, 0x48, 0xcf,
};

/* incl db_count; iretq */
static const uint8_t db_handler[] = {
	0xff, 0x04, 0x25, 0x20, 0x40, 0x10, 0x00, 0x48, 0xcf,
};

/* 1: mov count,%eax; cmp target,%eax; jb 1b; out %al,$0x70; hlt */
static const uint8_t nmi_wait_code[] = {
	0x8b, 0x04, 0x25, 0x00, 0x40, 0x10, 0x00, 0x3b, 0x04, 0x25, 0x28, 0x40,
	0x10, 0x00, 0x72, 0xf0, 0xe6, 0x70, 0xf4,
};

/*
 * The same wait, single-stepped by the guest itself:
 *	xor %ebx,%ebx; pushfq; orq $0x100,(%rsp); popfq
 * 1:	inc %rbx; mov count,%eax; cmp target,%eax; jb 1b
 *	pushfq; andq $~0x100,(%rsp); popfq; out %al,$0x70; hlt
 * TF is set by the first POPF, so the first trap follows the first INC;
 * the last follows the POPF that clears it: 4 * RBX + 3 traps in all.
 */
static const uint8_t nmi_step_code[] = {
	0x31, 0xdb, 0x9c, 0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d,
	0x48, 0xff, 0xc3, 0x8b, 0x04, 0x25, 0x00, 0x40, 0x10, 0x00, 0x3b, 0x04,
	0x25, 0x28, 0x40, 0x10, 0x00, 0x72, 0xed, 0x9c, 0x48, 0x81, 0x24, 0x24,
	0xff, 0xfe, 0xff, 0xff, 0x9d, 0xe6, 0x70, 0xf4,
};

static void set_gate(struct _test_data_vp *self, unsigned int vec,
		     uint64_t at)
{
	uint64_t *idt = (uint64_t *)(self->mem + IDT_GPA);

	idt[vec * 2] = (at & 0xffff) | (0x08ULL << 16) | (0x8eULL << 40) |
		       ((at >> 16 & 0xffff) << 48);
	idt[vec * 2 + 1] = at >> 32;
}

/* The handlers and counters; the VP starts at @rip. */
static struct nmi_data *nmi_guest(struct _test_data_vp *self, uint64_t rip,
				  uint32_t spin, uint32_t target)
{
	struct nmi_data *d = (struct nmi_data *)(self->mem + NMI_DATA_GPA);

	memset(self->mem + IDT_GPA, 0, 4096);
	set_gate(self, 1, DB_CODE_GPA);
	set_gate(self, 2, NMI_CODE_GPA);
	self->sregs.idt.base = IDT_GPA;
	self->sregs.idt.limit = 4095;
	memcpy(self->mem + CODE_GPA, nmi_wait_code, sizeof(nmi_wait_code));
	memcpy(self->mem + NMI_CODE_GPA, nmi_handler, sizeof(nmi_handler));
	memcpy(self->mem + DB_CODE_GPA, db_handler, sizeof(db_handler));
	memcpy(self->mem + STEP_CODE_GPA, nmi_step_code,
	       sizeof(nmi_step_code));
	memset(d, 0, sizeof(*d));
	d->spin = spin;
	d->target = target;
	self->regs.rip = rip;
	return d;
}

static int send_nmi(int vp)
{
	struct hcl_interrupt irq = { .type = HCL_INTR_NMI };

	return ioctl(vp, HCL_VP_INTERRUPT, &irq);
}

/*
 * Another thread sends NMIs every @delay_us until told to stop, and counts
 * them in the guest's @sent.
 */
struct nmi_sender {
	pthread_t thread;
	int vp;
	struct nmi_data *d;
	unsigned int delay_us, max;
	volatile int stop;
	unsigned int sent, failed;
};

static void *nmi_sender_main(void *arg)
{
	struct nmi_sender *s = arg;

	while (!s->stop && s->sent < s->max) {
		usleep(s->delay_us);
		if (send_nmi(s->vp)) {
			s->failed++;
		} else {
			s->sent++;
			__atomic_add_fetch(&s->d->sent, 1, __ATOMIC_SEQ_CST);
		}
	}
	return NULL;
}

/*
 * Runs the VP to its OUT to port 0x70.  At each OUT to 0x71 (a handler
 * running) the host sends one more NMI while @more are left, and counts
 * it in @d->sent.  Returns 0, or -1 on any other exit or a failed send.
 */
static int run_queueing_nmis(struct _test_data_vp *self, struct nmi_data *d,
			     unsigned int more)
{
	for (;;) {
		if (vp_run(self) != HCL_EXIT_IO)
			return -1;
		if (self->run->io.port == 0x70)
			return 0;
		if (self->run->io.port != 0x71)
			return -1;
		if (more) {
			if (send_nmi(self->vp))
				return -1;
			more--;
			__atomic_add_fetch(&d->sent, 1, __ATOMIC_SEQ_CST);
		}
	}
}

/*
 * The host queues the next NMI while the handler of the last one runs
 * (at its OUT), so one is always pending when that handler IRETs: it must
 * arrive after the IRET, not at it, and each exactly once.
 */
TEST_F(vp, nmi_waits_for_iret)
{
	const unsigned int n = 20;
	struct nmi_data *d;
	long steps;

	d = nmi_guest(self, CODE_GPA, 20000, n);
	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x70, 2, 0);
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, send_nmi(self->vp));
	d->sent = 1;
	ASSERT_EQ(0, run_queueing_nmis(self, d, n - 1));
	steps = read_stat(vp_stats(), "nmi_step");
	TH_LOG("%u NMIs handled, %u nested, %ld steps", d->count, d->nested,
	       steps);
	EXPECT_EQ(n, d->count);
	EXPECT_EQ(0, d->nested);
	EXPECT_EQ(0, d->inside);
	EXPECT_EQ(0, d->db_count);	/* our steps are not the guest's */
	EXPECT_LE(n - 1, steps);
	EXPECT_EQ(n, read_stat(vp_stats(), "injections"));
}

/* NMIs from another thread while the VP runs: same rules */
TEST_F(vp, nmi_from_another_thread)
{
	struct nmi_sender s = { .vp = self->vp, .delay_us = 50, .max = ~0U };
	const unsigned int n = 40;
	struct nmi_data *d;
	long steps, injected;

	/* each handler waits for the next NMI to be sent */
	d = nmi_guest(self, CODE_GPA, 200000, n);
	s.d = d;
	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x70, 1, 0);
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, nmi_sender_main, &s));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_RUN, 0));
	s.stop = 1;
	pthread_join(s.thread, NULL);
	ASSERT_EQ(HCL_EXIT_IO, self->run->exit_reason);
	EXPECT_EQ(0x70, self->run->io.port);
	steps = read_stat(vp_stats(), "nmi_step");
	injected = read_stat(vp_stats(), "injections");
	TH_LOG("%u sent, %u NMIs handled, %ld injected, %u nested, %ld steps",
	       s.sent, d->count, injected, d->nested, steps);
	EXPECT_EQ(0, s.failed);
	EXPECT_LE(n, d->count);
	EXPECT_EQ(injected, d->count);	/* each delivered exactly once */
	EXPECT_EQ(0, d->nested);
	EXPECT_EQ(0, d->db_count);
	/*
	 * No count of steps is asserted here: whether an NMI is still
	 * pending at an IRET, or another exit opens the window first,
	 * depends on timing; nmi_waits_for_iret pins the step path down.
	 */
}

/*
 * The guest single-steps its own code while NMIs arrive, one from another
 * thread and the rest queued by the host while a handler runs, so that
 * every IRET back into the stepped code is one hcl steps too.  The guest
 * must see exactly the traps of its own TF.
 */
TEST_F(vp, nmi_across_guest_single_step)
{
	struct nmi_sender s = { .vp = self->vp, .delay_us = 50000, .max = 1 };
	const unsigned int n = 10;
	struct nmi_data *d;
	struct hcl_regs r;
	long steps;

	d = nmi_guest(self, STEP_CODE_GPA, 2000, n + 1);
	s.d = d;
	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x70, 2, 0);
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, nmi_sender_main, &s));
	ASSERT_EQ(0, run_queueing_nmis(self, d, n));
	pthread_join(s.thread, NULL);
	r = get_regs(self);
	steps = read_stat(vp_stats(), "nmi_step");
	TH_LOG("%u NMIs, %u nested, %u traps for %llu loops, %ld steps",
	       d->count, d->nested, d->db_count,
	       (unsigned long long)r.gprs[HCL_REG_RBX], steps);
	EXPECT_EQ(1, s.sent);
	EXPECT_EQ(n + 1, d->count);
	EXPECT_EQ(0, d->nested);
	EXPECT_EQ(4 * r.gprs[HCL_REG_RBX] + 3, d->db_count);
	EXPECT_EQ(0, r.rflags & 0x100);		/* TF ends with the guest */
	EXPECT_LE(n, steps);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/* The hcl tracepoints record entries and decoded exit reasons. */
TEST_F(vp, tracepoints)
{
	static const uint8_t code[] = { 0x0f, 0xa2, 0xf4 };
	static const char *const tr = "/sys/kernel/tracing";
	char path[128], buf[8192];
	ssize_t n;
	int fd;

	mkdir(tr, 0755);
	if (mount("tracefs", tr, "tracefs", 0, NULL) && errno != EBUSY)
		ASSERT_EQ(0, errno);
	snprintf(path, sizeof(path), "%s/events/hcl/enable", tr);
	ASSERT_EQ(0, write_file(path, "1"));
	snprintf(path, sizeof(path), "%s/trace", tr);
	ASSERT_EQ(0, write_file(path, ""));
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, n);
	buf[n] = 0;
	{
		static const char *const want[] = {
			"hcl_entry: vp %u rip 0x100000",
			"hcl_exit: vp %u reason cpuid",
			"hcl_exit: vp %u reason hlt",
			"hcl_user_exit: vp %u hlt",
		};
		char line[64];

		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			snprintf(line, sizeof(line), want[i],
				 fixture_vp_index());
			EXPECT_NE(NULL, strstr(buf, line)) TH_LOG("%s", line);
		}
	}
	snprintf(path, sizeof(path), "%s/events/hcl/enable", tr);
	write_file(path, "0");
}

/* finit_module() of /lib/hcl/modules/@name.ko: 0 or -1 with errno */
static int load_module(const char *name)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), "/lib/hcl/modules/%s.ko", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

/*
 * Issue 9, "hcl.ko and kvm_amd loaded together": SVM is hcl.ko's on
 * every CPU, and the kernel has one emergency-disable slot, which hcl.ko
 * holds.  kvm_amd loaded now would WARN twice in KVM's code (the slot
 * taken) before failing on EFER.SVME; hcl.ko refuses it first, with one
 * line saying why, and no warning.
 */
TEST(kvm_amd_refused_while_hcl_holds_svm)
{
	char buf[8192];
	int kmsg, refused = 0, warned = 0;
	ssize_t n;

	if (access("/lib/hcl/modules/kvm-amd.ko", R_OK))
		SKIP(return, "no kvm-amd.ko in this image");
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, kmsg);
	lseek(kmsg, 0, SEEK_END);
	ASSERT_TRUE(!load_module("irqbypass") || errno == EEXIST);
	ASSERT_TRUE(!load_module("kvm") || errno == EEXIST);
	EXPECT_EQ(-1, load_module("kvm-amd"));
	EXPECT_EQ(EBUSY, errno);
	while ((n = read(kmsg, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		if (strstr(buf, "hcl: svm: kvm_amd refused"))
			refused++;
		if (strstr(buf, "WARNING") || strstr(buf, "Call Trace"))
			warned++;
	}
	close(kmsg);
	syscall(SYS_delete_module, "kvm", O_NONBLOCK);
	syscall(SYS_delete_module, "irqbypass", O_NONBLOCK);
	EXPECT_EQ(1, refused);
	EXPECT_EQ(0, warned);
}

/* Dynamic debug reaches hcl.ko's pr_debug messages. */
TEST(dynamic_debug)
{
	static const char *const ctl = "/sys/kernel/debug/dynamic_debug/control";
	struct hcl_create_vp cvp = { .vp_index = 1 };
	char buf[8192];
	int fd, vp, kmsg, found = 0;
	ssize_t n;

	ASSERT_EQ(0, write_file(ctl, "module hcl +p"));
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, kmsg);
	lseek(kmsg, 0, SEEK_END);
	fd = open_hcl();
	ASSERT_LE(0, fd);
	vp = ioctl(fd, HCL_CREATE_VP, &cvp);
	ASSERT_LE(0, vp);
	close(vp);
	close(fd);
	while ((n = read(kmsg, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = 0;
		if (strstr(buf, "hcl: vp: VP 1 created"))
			found |= 1;
		if (strstr(buf, "hcl: vp: VP 1 released"))
			found |= 2;
		if (strstr(buf, "hcl: partition opened"))
			found |= 4;
	}
	close(kmsg);
	write_file(ctl, "module hcl -p");
	EXPECT_EQ(7, found);
}

/*
 * CPU hot-plug: hcl.ko disables SVM on a CPU going offline and enables it
 * again when the CPU comes back; a VP runs on it before and after.
 */
TEST_F(vp, cpu_hotplug)
{
	static const uint8_t code[] = { 0x0f, 0xa2, 0xf4 };	/* cpuid; hlt */
	static const char *const online = "/sys/devices/system/cpu/cpu1/online";
	cpu_set_t set;
	int i;

	if (access(online, W_OK))
		SKIP(return, "cpu1 cannot be taken offline here");
	load_code(self, code, sizeof(code));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, write_file(online, "0"));
		ASSERT_EQ(0, write_file(online, "1"));
		CPU_ZERO(&set);
		CPU_SET(1, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
		ASSERT_EQ(0, setup_state(self));
		ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	}
}

/*
 * VP i runs on VTL2 CPU i: through the sidecar (counted in remote_runs)
 * when the sidecar holds that CPU, locally otherwise.
 */
TEST_F(vp, runs_where_its_cpu_is)
{
	static const uint8_t code[] = { 0x0f, 0xa2, 0xf4 };	/* cpuid; hlt */
	int sc = sidecar_cpu_of(fixture_vp_index());
	long remote;

	/* the run page says so from the start */
	EXPECT_EQ(sc, self->run->sidecar_cpu);
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	remote = read_stat(vp_stats(), "remote_runs");
	if (sc < 0) {
		EXPECT_EQ(0, remote);
		return;
	}
	EXPECT_LE(2, remote);
	TH_LOG("VP %u ran on sidecar CPU %d (%ld remote runs)",
	       fixture_vp_index(), sc, remote);
}

/* A VP that changes CPU between runs keeps working (TLB flushed). */
TEST_F(vp, migrates_between_cpus)
{
	static const uint8_t code[] = {
		0xff, 0xc0, 0xe6, 0x70, 0xeb, 0xfa,	/* 1: inc; out; jmp 1b */
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	int i;

	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x70, 1, 0);
	load_code(self, code, sizeof(code));
	self->regs.gprs[HCL_REG_RAX] = 0;
	ASSERT_EQ(0, setup_state(self));
	for (i = 1; i <= 40; i++) {
		CPU_ZERO(&set);
		CPU_SET(i % ncpu, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
		ASSERT_EQ(HCL_EXIT_IO, vp_run(self));
		ASSERT_EQ(i & 0xff, self->run->io.data);
	}
}

TEST_F(vp, debug_registers)
{
	/*
	 * mov $0x1234,%rax; mov %rax,%dr0; mov %dr0,%rbx; mov %dr7,%rcx;
	 * mov $0x401,%rdx; mov %rdx,%dr7; mov %dr6,%r8; hlt
	 */
	static const uint8_t code[] = {
		0x48, 0xc7, 0xc0, 0x34, 0x12, 0x00, 0x00,
		0x0f, 0x23, 0xc0, 0x0f, 0x21, 0xc3, 0x0f, 0x21, 0xf9,
		0x48, 0xc7, 0xc2, 0x01, 0x04, 0x00, 0x00,
		0x0f, 0x23, 0xfa, 0x41, 0x0f, 0x21, 0xf0, 0xf4,
	};
	struct hcl_debugregs d = { .db = { 1, 2, 3, 4 }, .dr6 = 0, .dr7 = 0 };
	struct hcl_regs r;

	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_DEBUGREGS, &d));
	memset(&d, 0, sizeof(d));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_DEBUGREGS, &d));
	EXPECT_EQ(3, d.db[2]);
	EXPECT_EQ(0x400, d.dr7);		/* bit 10 reads as one */
	d.dr7 = 1ULL << 40;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_DEBUGREGS, &d));
	d.dr7 = 0;
	d.reserved[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_DEBUGREGS, &d));

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	r = get_regs(self);
	EXPECT_EQ(0x1234, r.gprs[HCL_REG_RBX]);
	EXPECT_EQ(0x400, r.gprs[HCL_REG_RCX]);
	EXPECT_EQ(0xffff0ff0, r.gprs[HCL_REG_R8] & 0xffff0ff0);
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_DEBUGREGS, &d));
	EXPECT_EQ(0x1234, d.db[0]);
	EXPECT_EQ(0x401, d.dr7);
}

/*
 * ---- debug registers: the guest's DR0-DR3 while it runs, the host's after --
 *
 * The guest watches its own byte (DR0 = DBG_OWN_GPA, DR7 = L0, write, one
 * byte), writes the byte at @other, then its own, and halts:
 *
 *	mov $DBG_OWN_GPA,%eax; mov %rax,%dr0; mov $0x10401,%eax; mov %rax,%dr7
 *	movb $1,other; movb $1,DBG_OWN_GPA; hlt
 *
 * Its #DB handler records the RIP it trapped at and DR6, then clears DR6:
 *
 *	push %rax; push %rcx; mov count,%ecx; and $7,%ecx; mov 16(%rsp),%rax
 *	mov %rax,rip(,%rcx,8); mov %dr6,%rax; mov %rax,dr6(,%rcx,8)
 *	incl count; xor %eax,%eax; mov %rax,%dr6; pop %rcx; pop %rax; iretq
 */
#define DBG_HANDLER_GPA	(CODE_GPA + 0x200)
#define DBG_OWN_GPA	(CODE_GPA + 0x5000)
#define DBG_REC_GPA	(CODE_GPA + 0x6000)
#define DBG_OTHER_AT	0x13		/* in the code: @other's address */
#define DBG_AFTER_OTHER	(CODE_GPA + 0x18)
#define DBG_AFTER_OWN	(CODE_GPA + 0x20)

/* at DBG_REC_GPA: the guest's #DB traps */
struct db_rec {
	uint64_t count, pad;
	uint64_t rip[8];
	uint64_t dr6[8];
};

static struct db_rec *db_guest(struct _test_data_vp *self, uint32_t other)
{
	static const uint8_t code[] = {
		0xb8, 0x00, 0x50, 0x10, 0x00, 0x0f, 0x23, 0xc0, 0xb8, 0x01,
		0x04, 0x01, 0x00, 0x0f, 0x23, 0xf8, 0xc6, 0x04, 0x25, 0x00,
		0x00, 0x00, 0x00, 0x01, 0xc6, 0x04, 0x25, 0x00, 0x50, 0x10,
		0x00, 0x01, 0xf4,
	};
	static const uint8_t handler[] = {
		0x50, 0x51, 0x8b, 0x0c, 0x25, 0x00, 0x60, 0x10, 0x00, 0x83,
		0xe1, 0x07, 0x48, 0x8b, 0x44, 0x24, 0x10, 0x48, 0x89, 0x04,
		0xcd, 0x10, 0x60, 0x10, 0x00, 0x0f, 0x21, 0xf0, 0x48, 0x89,
		0x04, 0xcd, 0x50, 0x60, 0x10, 0x00, 0xff, 0x04, 0x25, 0x00,
		0x60, 0x10, 0x00, 0x31, 0xc0, 0x0f, 0x23, 0xf0, 0x59, 0x58,
		0x48, 0xcf,
	};
	struct db_rec *rec = (struct db_rec *)(self->mem + DBG_REC_GPA);

	load_code(self, code, sizeof(code));
	memcpy(self->mem + CODE_GPA + DBG_OTHER_AT, &other, sizeof(other));
	memcpy(self->mem + DBG_HANDLER_GPA, handler, sizeof(handler));
	memset(self->mem + IDT_GPA, 0, 4096);
	set_gate(self, 1, DBG_HANDLER_GPA);
	self->sregs.idt.base = IDT_GPA;
	self->sregs.idt.limit = 4095;
	memset(rec, 0, sizeof(*rec));
	return rec;
}

/*
 * A page of ours at an address that is also guest RAM, mapped by the
 * guest's page tables (identity, below 1 GiB): the guest can write the
 * same virtual address the host watches.
 */
static uint8_t *low_page(uint64_t end)
{
	uint64_t a;

	if (end > 1ULL << 30)
		end = 1ULL << 30;
	for (a = 16ULL << 20; a + 4096 <= end; a += 2ULL << 20) {
		void *p = mmap((void *)(uintptr_t)a, 4096,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS |
			       MAP_FIXED_NOREPLACE, -1, 0);

		if (p == (void *)(uintptr_t)a)
			return p;
		if (p != MAP_FAILED)
			munmap(p, 4096);
	}
	return NULL;
}

/* A hardware breakpoint of this thread on writes to the byte at @addr. */
static int host_watch(volatile uint8_t *addr)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(a),
		.bp_type = HW_BREAKPOINT_W,
		.bp_addr = (uintptr_t)addr,
		.bp_len = HW_BREAKPOINT_LEN_1,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};

	return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static uint64_t host_hits(int fd)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		abort();
	return n;
}

/* every #DB the guest took was its own breakpoint's, after its write */
#define EXPECT_OWN_TRAPS(rec) do {					\
	uint64_t i_;							\
									\
	ASSERT_GE(8, (rec)->count);					\
	for (i_ = 0; i_ < (rec)->count; i_++) {				\
		EXPECT_NE(DBG_AFTER_OTHER, (rec)->rip[i_]);		\
		EXPECT_EQ(DBG_AFTER_OWN, (rec)->rip[i_]);		\
		EXPECT_EQ(1, (rec)->dr6[i_] & 0xf);			\
	}								\
} while (0)

/*
 * A host breakpoint (perf, on this thread) stays the host's: the guest,
 * with its own breakpoint 0 enabled, takes no #DB at the host's address,
 * and the host's breakpoint still fires after the guest ran.
 */
TEST_F(vp, host_breakpoint_stays_the_hosts)
{
	volatile uint8_t *host;
	struct db_rec *rec;
	int fd;

	host = low_page(self->mem_size);
	ASSERT_NE(NULL, host) TH_LOG("no free page below VTL0's RAM end");
	fd = host_watch(host);
	ASSERT_LE(0, fd) TH_LOG("perf_event_open: %s", strerror(errno));
	*host = 1;
	ASSERT_EQ(1, host_hits(fd));

	rec = db_guest(self, (uint32_t)(uintptr_t)host);
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	TH_LOG("guest #DBs: %llu", (unsigned long long)rec->count);
	EXPECT_OWN_TRAPS(rec);
	EXPECT_EQ(1, self->mem[(uintptr_t)host]);	/* the guest's write */

	*host = 2;
	EXPECT_EQ(2, host_hits(fd));
	close(fd);
	munmap((void *)host, 4096);
}

/*
 * Whether VMRUN arms the breakpoints the guest's DR7 enables.  QEMU's TCG
 * (which runs these tests, under the hypervisor signature TCGTCGTCGTCG)
 * sets DR7 at VMRUN and #VMEXIT without re-arming its breakpoints: there
 * the guest's never fire, even with its addresses in DR0-DR3.
 */
static bool vmrun_arms_breakpoints(void)
{
	unsigned int a, b, c, d;
	char sig[12];

	__cpuid(1, a, b, c, d);
	if (!(c & (1U << 31)))
		return true;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	return memcmp(sig, "TCGTCGTCGTCG", sizeof(sig)) != 0;
}

/* The guest's breakpoint: its #DB, at its address, with DR6.B0. */
TEST_F(vp, guest_breakpoint_is_its_own)
{
	struct hcl_debugregs d;
	struct db_rec *rec;

	rec = db_guest(self, CODE_GPA + 0x7000);
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	TH_LOG("guest #DBs: %llu", (unsigned long long)rec->count);
	EXPECT_OWN_TRAPS(rec);
	if (vmrun_arms_breakpoints()) {
		EXPECT_EQ(1, rec->count);
	} else {
		TH_LOG("QEMU's TCG: the guest's breakpoints are never armed");
	}
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_DEBUGREGS, &d));
	EXPECT_EQ(DBG_OWN_GPA, d.db[0]);
	EXPECT_EQ(0x10401, d.dr7);
	EXPECT_EQ(0xffff0ff0, d.dr6);		/* cleared by the handler */
}

/* ---- io_uring --------------------------------------------------------- */

static int ring_run_once(struct io_uring *ring, int vp, uint64_t tag,
			 uint64_t *got_tag)
{
	struct io_uring_cqe *cqe;
	int res;

	if (hcl_queue_run(ring, vp, tag) || io_uring_submit(ring) != 1)
		return -1000;
	if (io_uring_wait_cqe(ring, &cqe))
		return -1001;
	res = cqe->res;
	if (got_tag)
		*got_tag = cqe->user_data;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

/* the port I/O round trip again, through HCL_URING_CMD_RUN */
TEST_F(vp, uring_port_io_round_trip)
{
	static const uint8_t code[] = {
		0x66, 0xb8, 0x34, 0x12, 0x66, 0xe7, 0x70, 0xe4, 0x71, 0xf4,
	};
	struct io_uring ring;
	uint64_t tag = 0;

	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x70, 2, 0);
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, ring_run_once(&ring, self->vp, 7, &tag));
	EXPECT_EQ(7, tag);
	ASSERT_EQ(HCL_EXIT_IO, self->run->exit_reason);
	EXPECT_EQ(0x1234, self->run->io.data);
	ASSERT_EQ(0, ring_run_once(&ring, self->vp, 8, NULL));
	ASSERT_EQ(HCL_EXIT_IO, self->run->exit_reason);
	EXPECT_EQ(HCL_IO_IN, self->run->io.direction);
	self->run->io.data = 0x5a;
	ASSERT_EQ(0, ring_run_once(&ring, self->vp, 9, NULL));
	ASSERT_EQ(HCL_EXIT_HLT, self->run->exit_reason);
	EXPECT_EQ(0x125a, get_regs(self).gprs[HCL_REG_RAX] & 0xffff);
	io_uring_queue_exit(&ring);
}

TEST_F(vp, uring_bad_commands)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int i;

	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	/* before setup, like the ioctl */
	EXPECT_EQ(-EBADFD, ring_run_once(&ring, self->vp, 1, NULL));
	for (i = 0; i < 3; i++) {
		sqe = io_uring_get_sqe(&ring);
		ASSERT_NE(NULL, sqe);
		hcl_prep_run(sqe, self->vp, i);
		if (i == 0)
			sqe->cmd_op = HCL_VP_RUN;	/* not a uring command */
		else if (i == 1)
			sqe->addr3 = 1;			/* payload flags */
		else
			sqe->fd = self->fd;		/* not a VP */
	}
	ASSERT_EQ(3, io_uring_submit(&ring));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
		int want = cqe->user_data == 0 ? -ENOTTY :
			   cqe->user_data == 2 ? -EOPNOTSUPP : -EINVAL;

		EXPECT_EQ(want, cqe->res);
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
}

/* jmp . under io_uring, then the ring goes away: the VP comes back */
TEST_F(vp, uring_ring_exit_mid_run)
{
	static const uint8_t code[] = { 0xeb, 0xfe };
	struct io_uring_cqe *cqe;
	struct io_uring ring;

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	ASSERT_EQ(0, hcl_queue_run(&ring, self->vp, 1));
	ASSERT_EQ(1, io_uring_submit(&ring));
	usleep(300000);
	/* one RUN per VP at a time */
	ASSERT_EQ(0, hcl_queue_run(&ring, self->vp, 2));
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
	EXPECT_EQ(2, cqe->user_data);
	EXPECT_EQ(-EBUSY, cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	/* the VP is free again: an immediate exit answers at once */
	self->run->immediate_exit = 1;
	EXPECT_ERRNO(EINTR, ioctl(self->vp, HCL_VP_RUN, 0));
}

/* A process killed with a RUN in flight on its ring leaves nothing. */
TEST(uring_kill_mid_run)
{
	int status = kill_spinning_child(1);

	ASSERT_LE(0, status);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
}

/*
 * Maps a 64 MiB partition's RAM and prepares it for a long-mode start at
 * CODE_GPA, where it puts @code: the mapping, or NULL.
 */
static uint8_t *guest_mem(int fd, const void *code, size_t len,
			  struct hcl_regs *regs, struct hcl_sregs *sregs)
{
	uint8_t *mem = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);

	if (mem == MAP_FAILED)
		return NULL;
	if (vtl0_setup_long_mode(mem, 64 << 20, CODE_GPA, HCL_GUEST_STACK_TOP,
				 regs, sregs)) {
		munmap(mem, 64 << 20);
		return NULL;
	}
	memcpy(mem + CODE_GPA, code, len);
	return mem;
}

/* Creates VP @index and, if @run is set, maps its run page there: its fd or -1. */
static int new_vp(int fd, uint32_t index, uint32_t flags, struct hcl_run **run)
{
	struct hcl_create_vp cvp = { .vp_index = index, .flags = flags };
	int vp = ioctl(fd, HCL_CREATE_VP, &cvp);

	if (vp < 0 || !run)
		return vp;
	*run = mmap(NULL, HCL_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vp,
		    0);
	if (*run == MAP_FAILED) {
		close(vp);
		return -1;
	}
	return vp;
}

/*
 * VP 0 spins in the guest forever; VP 1, on the same ring, must still run
 * to its halt: each RUN gets a worker of its own.
 */
TEST(uring_vps_run_side_by_side)
{
	static const uint8_t spin[] = { 0xeb, 0xfe };
	static const uint8_t work[] = {
		0xb9, 0x0a, 0x00, 0x00, 0x00, 0xe6, 0x70, 0xff, 0xc9,
		0x75, 0xfa, 0xf4,
	};
	int fd = open_hcl(), vps[2], i, outs = 0;
	struct hcl_sregs sregs;
	struct hcl_regs regs;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	struct hcl_run *run;
	uint8_t *mem;

	ASSERT_LE(0, fd);
	mem = guest_mem(fd, spin, sizeof(spin), &regs, &sregs);
	ASSERT_NE(NULL, mem);
	memcpy(mem + CODE_GPA + 0x100, work, sizeof(work));
	ASSERT_EQ(0, add_range(fd, HCL_RANGE_PIO, HCL_RANGE_USER, 0x70, 1, 0));
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	for (i = 0; i < 2; i++) {
		/* VP 1's exits are read here */
		vps[i] = new_vp(fd, i, 0, i ? &run : NULL);
		ASSERT_LE(0, vps[i]);
		regs.rip = CODE_GPA + i * 0x100;
		ASSERT_EQ(0, ioctl(vps[i], HCL_VP_SET_SREGS, &sregs));
		ASSERT_EQ(0, ioctl(vps[i], HCL_VP_SET_REGS, &regs));
	}
	ASSERT_EQ(0, hcl_queue_run(&ring, vps[0], 0));
	ASSERT_EQ(1, io_uring_submit(&ring));
	usleep(100000);		/* VP 0 is spinning on its worker now */
	for (;;) {
		uint64_t who;
		int res;

		ASSERT_EQ(0, hcl_queue_run(&ring, vps[1], 1));
		ASSERT_EQ(1, io_uring_submit(&ring));
		ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
		who = cqe->user_data;
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		ASSERT_EQ(1, who);
		ASSERT_EQ(0, res);
		if (run->exit_reason == HCL_EXIT_HLT)
			break;
		ASSERT_EQ(HCL_EXIT_IO, run->exit_reason);
		outs++;
	}
	EXPECT_EQ(10, outs);
	/* tearing the ring down takes VP 0 out of the guest */
	io_uring_queue_exit(&ring);
	munmap(run, HCL_RUN_SIZE);
	close(vps[0]);
	close(vps[1]);
	munmap(mem, 64 << 20);
	close(fd);
}

/* Two VPs triple-fault at the same time, many times over. */
TEST(concurrent_triple_faults)
{
	static const uint8_t code[] = { 0x0f, 0x0b };	/* ud2, no IDT */
	int fd = open_hcl(), vps[2], i, round;
	struct hcl_run *runs[2];
	struct hcl_sregs sregs;
	struct hcl_regs regs;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	uint8_t *mem;

	ASSERT_LE(0, fd);
	mem = guest_mem(fd, code, sizeof(code), &regs, &sregs);
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	for (i = 0; i < 2; i++) {
		vps[i] = new_vp(fd, i, 0, &runs[i]);
		ASSERT_LE(0, vps[i]);
	}
	for (round = 0; round < 200; round++) {
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, ioctl(vps[i], HCL_VP_SET_SREGS, &sregs));
			ASSERT_EQ(0, ioctl(vps[i], HCL_VP_SET_REGS, &regs));
			ASSERT_EQ(0, hcl_queue_run(&ring, vps[i], i));
		}
		ASSERT_EQ(2, io_uring_submit(&ring));
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
			ASSERT_EQ(0, cqe->res);
			ASSERT_EQ(HCL_EXIT_SHUTDOWN,
				  runs[cqe->user_data]->exit_reason);
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	io_uring_queue_exit(&ring);
	for (i = 0; i < 2; i++) {
		munmap(runs[i], HCL_RUN_SIZE);
		close(vps[i]);
	}
	munmap(mem, 64 << 20);
	close(fd);
}

/*
 * Four VPs each write their index to port 0x70 ten times, then halt; one
 * thread serves all of them through one ring.
 */
TEST(uring_many_vps)
{
	static const uint8_t code[] = {
		0xb9, 0x0a, 0x00, 0x00, 0x00,	/* mov $10,%ecx */
		0xe6, 0x70,			/* 1: out %al,$0x70 */
		0xff, 0xc9,			/* dec %ecx */
		0x75, 0xfa,			/* jnz 1b */
		0xf4,
	};
	int fd = open_hcl(), vps[4], outs[4] = { 0 }, halted = 0, i, n;
	struct hcl_info info;
	struct hcl_sregs sregs;
	struct hcl_regs regs;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	struct hcl_run *runs[4];
	uint8_t *mem;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, HCL_GET_INFO, &info));
	n = info.max_vps < 4 ? info.max_vps : 4;
	mem = guest_mem(fd, code, sizeof(code), &regs, &sregs);
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, add_range(fd, HCL_RANGE_PIO, HCL_RANGE_USER, 0x70, 1, 0));
	ASSERT_EQ(0, io_uring_queue_init(16, &ring, 0));
	for (i = 0; i < n; i++) {
		vps[i] = new_vp(fd, i, 0, &runs[i]);
		ASSERT_LE(0, vps[i]);
		regs.gprs[HCL_REG_RAX] = i;
		ASSERT_EQ(0, ioctl(vps[i], HCL_VP_SET_SREGS, &sregs));
		ASSERT_EQ(0, ioctl(vps[i], HCL_VP_SET_REGS, &regs));
		ASSERT_EQ(0, hcl_queue_run(&ring, vps[i], i));
	}
	ASSERT_EQ(n, io_uring_submit(&ring));
	while (halted < n) {
		uint64_t v;
		int res;

		ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
		v = cqe->user_data;
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		ASSERT_EQ(0, res);
		ASSERT_LT(v, (uint64_t)n);
		if (runs[v]->exit_reason == HCL_EXIT_HLT) {
			halted++;
			continue;
		}
		ASSERT_EQ(HCL_EXIT_IO, runs[v]->exit_reason);
		EXPECT_EQ(v, runs[v]->io.data);
		outs[v]++;
		ASSERT_EQ(0, hcl_queue_run(&ring, vps[v], v));
		ASSERT_EQ(1, io_uring_submit(&ring));
	}
	for (i = 0; i < n; i++) {
		EXPECT_EQ(10, outs[i]);
		munmap(runs[i], HCL_RUN_SIZE);
		close(vps[i]);
	}
	io_uring_queue_exit(&ring);
	munmap(mem, 64 << 20);
	close(fd);
}

/* ---- issue 9: hostile userspace, hostile guest ------------------------ */

/* A partition with @n VPs in long mode at @rip[i]; returns its fd. */
static int open_with_vps(uint8_t **mem, int n, int *vps, const uint64_t *rip)
{
	struct hcl_sregs sregs;
	struct hcl_regs regs;
	int fd = open_hcl(), i;

	if (fd < 0)
		return -1;
	*mem = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*mem == MAP_FAILED ||
	    vtl0_setup_long_mode(*mem, 64 << 20, CODE_GPA,
				 HCL_GUEST_STACK_TOP, &regs, &sregs))
		return -1;
	for (i = 0; i < n; i++) {
		struct hcl_create_vp cvp = { .vp_index = i };

		vps[i] = ioctl(fd, HCL_CREATE_VP, &cvp);
		regs.rip = rip[i];
		if (vps[i] < 0 || ioctl(vps[i], HCL_VP_SET_SREGS, &sregs) ||
		    ioctl(vps[i], HCL_VP_SET_REGS, &regs))
			return -1;
	}
	return fd;
}

struct race_ring {
	struct io_uring ring;
	pthread_mutex_t sq_lock;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done[2];		/* completions seen per VP */
	int bad[2];		/* completions with an unexpected result */
	int want[2];		/* the result each VP's RUNs must have */
	int vp[2];
	int iters;
};

static int race_submit(struct race_ring *r, int i, unsigned int flags)
{
	struct io_uring_sqe *sqe;
	int ret = -1;

	pthread_mutex_lock(&r->sq_lock);
	sqe = io_uring_get_sqe(&r->ring);
	if (sqe) {
		hcl_prep_run(sqe, r->vp[i], i);
		sqe->flags |= flags;
		ret = io_uring_submit(&r->ring) == 1 ? 0 : -1;
	}
	pthread_mutex_unlock(&r->sq_lock);
	return ret;
}

/* Thread A (VP 0, IOSQE_ASYNC) and thread B (VP 1, inline). */
static void *race_main(int i, struct race_ring *r)
{
	int n;

	for (n = 0; n < r->iters; n++) {
		if (race_submit(r, i, i == 0 ? IOSQE_ASYNC : 0))
			return (void *)1;
		pthread_mutex_lock(&r->lock);
		while (r->done[i] <= n)
			pthread_cond_wait(&r->cond, &r->lock);
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

static void *race_a(void *arg)
{
	return race_main(0, arg);
}

static void *race_b(void *arg)
{
	return race_main(1, arg);
}

/*
 * Issue 9, finding 1: a RUN completed by the VP's thread before it was
 * marked cancelable stayed on the ring's cancelable list after io_uring
 * freed it, and ring teardown walked the freed request.  VP 0's RUNs go
 * straight to its thread (IOSQE_ASYNC) and end at once (immediate_exit),
 * which makes that window as wide as it gets, while VP 1 runs inline on
 * the same ring; then the ring is closed with a RUN in flight.  Without
 * KASAN the corruption shows as a hang, an oops (the runner's kernel log
 * check) or a partition that never reopens.
 */
TEST(uring_cancelable_before_published)
{
	static const uint8_t loop[] = { 0xe6, 0x70, 0xeb, 0xfc };
	const uint64_t rip[2] = { CODE_GPA, CODE_GPA + 0x100 };
	struct hcl_run *runs[2];
	int fd, vps[2], round, i;
	time_t t0 = time(NULL);
	uint8_t *mem;

	/* 20 rounds, or as many as 15 s allow (a debug kernel), 2 at least */
	for (round = 0; round < 20 && (round < 2 || time(NULL) - t0 < 15);
	     round++) {
		struct race_ring r = {
			.sq_lock = PTHREAD_MUTEX_INITIALIZER,
			.lock = PTHREAD_MUTEX_INITIALIZER,
			.cond = PTHREAD_COND_INITIALIZER,
			.want = { -EINTR, 0 },
			.iters = 100,
		};
		struct io_uring_cqe *cqe;
		pthread_t ta, tb;
		void *ra, *rb;

		fd = open_with_vps(&mem, 2, vps, rip);
		ASSERT_LE(0, fd) TH_LOG("round %d", round);
		mem[CODE_GPA] = 0xf4;
		memcpy(mem + CODE_GPA + 0x100, loop, sizeof(loop));
		ASSERT_EQ(0, add_range(fd, HCL_RANGE_PIO, HCL_RANGE_USER, 0x70,
				       1, 0));
		for (i = 0; i < 2; i++) {
			runs[i] = mmap(NULL, HCL_RUN_SIZE,
				       PROT_READ | PROT_WRITE, MAP_SHARED,
				       vps[i], 0);
			ASSERT_NE(MAP_FAILED, runs[i]);
			r.vp[i] = vps[i];
		}
		runs[0]->immediate_exit = 1;
		ASSERT_EQ(0, io_uring_queue_init(16, &r.ring, 0));
		ASSERT_EQ(0, pthread_create(&ta, NULL, race_a, &r));
		ASSERT_EQ(0, pthread_create(&tb, NULL, race_b, &r));
		while (r.done[0] < r.iters || r.done[1] < r.iters) {
			struct __kernel_timespec ts = { .tv_sec = 20 };
			uint64_t who;

			ASSERT_EQ(0, io_uring_wait_cqe_timeout(&r.ring, &cqe,
							       &ts));
			who = cqe->user_data;
			ASSERT_GT(2, who);
			pthread_mutex_lock(&r.lock);
			if (cqe->res != r.want[who])
				r.bad[who]++;
			r.done[who]++;
			pthread_cond_broadcast(&r.cond);
			pthread_mutex_unlock(&r.lock);
			io_uring_cqe_seen(&r.ring, cqe);
		}
		ASSERT_EQ(0, pthread_join(ta, &ra));
		ASSERT_EQ(0, pthread_join(tb, &rb));
		EXPECT_EQ(NULL, ra);
		EXPECT_EQ(NULL, rb);
		EXPECT_EQ(0, r.bad[0]);
		EXPECT_EQ(0, r.bad[1]);
		/* one more of each in flight as the ring goes away */
		ASSERT_EQ(0, race_submit(&r, 0, IOSQE_ASYNC));
		ASSERT_EQ(0, race_submit(&r, 1, 0));
		io_uring_queue_exit(&r.ring);
		for (i = 0; i < 2; i++) {
			munmap(runs[i], HCL_RUN_SIZE);
			close(vps[i]);
		}
		munmap(mem, 64 << 20);
		close(fd);
	}
	/* everything went: the partition opens again */
	fd = open_hcl();
	ASSERT_LE(0, fd);
	close(fd);
}

static inline uint32_t user_rdpkru(void)
{
	uint32_t eax, edx;

	__asm__ volatile(".byte 0x0f,0x01,0xee" : "=a" (eax), "=d" (edx)
			 : "c" (0));
	return eax;
}

static inline uint64_t user_xgetbv(uint32_t idx)
{
	uint32_t eax, edx;

	__asm__ volatile("xgetbv" : "=a" (eax), "=d" (edx) : "c" (idx));
	return eax | (uint64_t)edx << 32;
}

static void user_cpuid(uint32_t leaf, uint32_t sub, uint32_t *r)
{
	__asm__ volatile("cpuid" : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]),
			 "=d" (r[3]) : "a" (leaf), "c" (sub));
}

/*
 * Issue 9, finding 2: the guest sets CR4.PKE and writes PKRU; the host
 * task's PKRU (and XCR0) must be what they were, and the guest's PKRU
 * must be its own again at the next run.
 */
TEST_F(vp, guest_pkru_stays_in_guest)
{
	static const uint8_t code[] = {
		0x0f, 0x20, 0xe0,		/* mov %cr4,%rax */
		0x0d, 0x00, 0x00, 0x40, 0x00,	/* or $PKE,%eax */
		0x0f, 0x22, 0xe0,		/* mov %rax,%cr4 */
		0x31, 0xc9, 0x31, 0xd2,		/* xor %ecx,%ecx; xor %edx,%edx */
		0xb8, 0x0c, 0x00, 0x00, 0x00,	/* mov $0xc,%eax */
		0x0f, 0x01, 0xef,		/* wrpkru */
		0xf4,				/* hlt (IF=0: to userspace) */
		0x31, 0xc9,			/* xor %ecx,%ecx */
		0x0f, 0x01, 0xee,		/* rdpkru */
		0x89, 0xc6,			/* mov %eax,%esi */
		0xf4,
	};
	uint32_t c[4], pkru;
	uint64_t xcr0;

	user_cpuid(1, 0, c);
	ASSERT_TRUE(c[2] & (1U << 27)) TH_LOG("no OSXSAVE");
	xcr0 = user_xgetbv(0);
	user_cpuid(7, 0, c);
	if (!(c[2] & (1U << 4)))
		SKIP(return, "the CPU (or the kernel) has no protection keys");
	pkru = user_rdpkru();
	ASSERT_NE(0xc, pkru);
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(pkru, user_rdpkru());
	EXPECT_EQ(xcr0, user_xgetbv(0));
	EXPECT_NE(0, get_regs(self).rip - CODE_GPA);
	/* the guest's value survived the exit */
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(0xc, get_regs(self).gprs[HCL_REG_RSI]);
	EXPECT_EQ(pkru, user_rdpkru());
	EXPECT_EQ(xcr0, user_xgetbv(0));
}

/*
 * The guest sets CR4.OSXSAVE and runs XSETBV with x87|SSE only.  On the
 * CPU XSETBV exits (an unhandled exit, hcl.ko does not emulate it); QEMU's
 * TCG ignores the intercept and loads the guest's value into XCR0, which
 * the host then kept (found by hcl-hostile: the next XRSTOR of the guest's
 * FPU state took a #GP in svm_enter).  Either way the host's XCR0 must be
 * its own after the exit, and the VP must run on.
 */
TEST_F(vp, guest_xsetbv_leaves_host_xcr0)
{
	static const uint8_t code[] = {
		0x0f, 0x20, 0xe0,		/* mov %cr4,%rax */
		0x0d, 0x00, 0x00, 0x04, 0x00,	/* or $OSXSAVE,%eax */
		0x0f, 0x22, 0xe0,		/* mov %rax,%cr4 */
		0x31, 0xc9, 0x31, 0xd2,		/* xor %ecx,%ecx; xor %edx,%edx */
		0xb8, 0x03, 0x00, 0x00, 0x00,	/* mov $3,%eax */
		0x0f, 0x01, 0xd1,		/* xsetbv */
		0xf4,				/* hlt (IF=0: to userspace) */
		0xf4,
	};
	struct hcl_regs regs;
	uint32_t c[4];
	uint64_t xcr0;
	int reason;

	user_cpuid(1, 0, c);
	ASSERT_TRUE(c[2] & (1U << 27)) TH_LOG("no OSXSAVE");
	xcr0 = user_xgetbv(0);
	ASSERT_NE(3, xcr0);
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	reason = vp_run(self);
	EXPECT_EQ(xcr0, user_xgetbv(0));
	if (reason == HCL_EXIT_UNHANDLED) {
		/* the CPU's way: skip the XSETBV */
		EXPECT_EQ(0x8d, self->run->hw.code);
		regs = get_regs(self);
		regs.rip += 3;
		ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_REGS, &regs));
		reason = vp_run(self);
	}
	ASSERT_EQ(HCL_EXIT_HLT, reason);
	/* the next entry and exit restore the guest's FPU state and save it */
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(xcr0, user_xgetbv(0));
}

/*
 * The guest's CR0, CR4 and CR8 writes exit and are done by hcl.ko with a
 * CPU's checks.  Before, they ran in the CPU we run on, and QEMU's TCG
 * took what a CPU refuses: a MOV to CR0 with NW and not CD (a real CPU
 * raises #GP) ran, the next VMRUN failed and QEMU wrote the host's
 * registers over the guest's, so RUN reported the host kernel's RIP;
 * paging turned off in 64-bit code ran too (with LME on and PAE then
 * off, QEMU's next #VMEXIT left the host CPU with paging off for good).
 * With no IDT here a #GP is a triple fault; the writes a CPU takes go on.
 */
TEST_F(vp, guest_cr_writes_checked_as_a_cpu_does)
{
	static const uint8_t nw[] = {
		0x0f, 0x20, 0xc0,		/* mov %cr0,%rax */
		0x48, 0x0f, 0xba, 0xe8, 0x1d,	/* bts $29,%rax (NW) */
		0x48, 0x0f, 0xba, 0xf0, 0x1e,	/* btr $30,%rax (CD) */
		0x0f, 0x22, 0xc0,		/* mov %rax,%cr0 */
		0xf4,
	};
	static const uint8_t nopg[] = {
		0x0f, 0x20, 0xc0,		/* mov %cr0,%rax */
		0x48, 0x0f, 0xba, 0xf0, 0x1f,	/* btr $31,%rax (PG) */
		0x0f, 0x22, 0xc0,		/* mov %rax,%cr0 */
		0xf4,
	};
	static const uint8_t tpr[] = {
		0xb8, 0x10, 0x00, 0x00, 0x00,	/* mov $0x10,%eax */
		0x44, 0x0f, 0x22, 0xc0,		/* mov %rax,%cr8 */
		0xf4,
	};
	static const uint8_t good[] = {
		0x0f, 0x20, 0xe0,		/* mov %cr4,%rax */
		0x35, 0x80, 0x00, 0x00, 0x00,	/* xor $PGE,%eax */
		0x0f, 0x22, 0xe0,		/* mov %rax,%cr4 */
		0x35, 0x80, 0x00, 0x00, 0x00,	/* xor $PGE,%eax */
		0x0f, 0x22, 0xe0,		/* mov %rax,%cr4 */
		0x0f, 0x20, 0xc1,		/* mov %cr0,%rcx */
		0x0f, 0x22, 0xc1,		/* mov %rcx,%cr0 */
		0x0f, 0x06,			/* clts */
		0xb8, 0x05, 0x00, 0x00, 0x00,	/* mov $5,%eax */
		0x44, 0x0f, 0x22, 0xc0,		/* mov %rax,%cr8 */
		0x44, 0x0f, 0x20, 0xc3,		/* mov %cr8,%rbx */
		0xf4,				/* hlt (IF=0: to userspace) */
	};
	static const struct {
		const uint8_t *code;
		size_t len;
	} gp[] = {
		{ nw, sizeof(nw) }, { nopg, sizeof(nopg) }, { tpr, sizeof(tpr) },
	};
	struct hcl_sregs s;

	for (size_t i = 0; i < sizeof(gp) / sizeof(gp[0]); i++) {
		load_code(self, gp[i].code, gp[i].len);
		ASSERT_EQ(0, setup_state(self));
		EXPECT_EQ(HCL_EXIT_SHUTDOWN, vp_run(self)) TH_LOG("case %zu", i);
	}

	load_code(self, good, sizeof(good));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(5, get_regs(self).gprs[HCL_REG_RBX]);
	EXPECT_EQ(CODE_GPA + sizeof(good), get_regs(self).rip);
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_SREGS, &s));
	EXPECT_EQ(self->sregs.cr4, s.cr4);
	EXPECT_EQ(self->sregs.cr0 & ~(uint64_t)0x8, s.cr0);	/* TS off */
	EXPECT_EQ(self->sregs.efer, s.efer);
}

/*
 * What a guest may reach, the VMM may put back.  A guest with 5-level
 * paging (CR4.LA57, a PML5 above the fixture's PML4) runs, reads its
 * CR4 and CR3, cannot turn LA57 off in long mode (#GP: with no IDT a
 * shutdown), and its state read with GET_SREGS is accepted back by
 * SET_SREGS.  Before, SET_SREGS refused CR4.LA57, so such a guest could
 * neither be started nor restored by its VMM.
 */
TEST_F(vp, five_level_guest_state_restored)
{
	static const uint8_t code[] = {
		0x0f, 0x20, 0xe0,		/* mov %cr4,%rax */
		0x0f, 0x20, 0xdb,		/* mov %cr3,%rbx */
		0xf4,				/* hlt */
		0x48, 0x0f, 0xba, 0xf0, 0x0c,	/* btr $12,%rax (LA57) */
		0x0f, 0x22, 0xe0,		/* mov %rax,%cr4 */
		0xf4,
	};
	const uint64_t pml5 = 0x6000, la57 = 1ULL << 12;
	uint64_t *pml4 = (uint64_t *)(self->mem + HCL_GUEST_PML4_GPA);
	struct hcl_sregs s = self->sregs, back;
	uint32_t c[4];

	user_cpuid(7, 0, c);
	if (!(c[2] & (1U << 16)))
		SKIP(return, "the CPU has no 5-level paging");
	/* the PML5's entry 0 leads to the fixture's PML4 */
	((uint64_t *)(self->mem + pml5))[0] = HCL_GUEST_PML4_GPA |
					      (pml4[0] & 0xfff);
	load_code(self, code, sizeof(code));
	s.cr3 = pml5;
	s.cr4 |= la57;
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_REGS, &self->regs));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(s.cr4, get_regs(self).gprs[HCL_REG_RAX]);
	EXPECT_EQ(pml5, get_regs(self).gprs[HCL_REG_RBX]);

	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_SREGS, &back));
	EXPECT_EQ(s.cr4, back.cr4);
	EXPECT_EQ(0, ioctl(self->vp, HCL_VP_SET_SREGS, &back));
	EXPECT_EQ(HCL_EXIT_SHUTDOWN, vp_run(self));
}

/*
 * In long mode VMRUN refuses a CR3 with a bit at or above MAXPHYADDR,
 * so SET_SREGS does too: a VMRUN failing that check under QEMU's TCG
 * wrote a zero int_ctl into the VMCB, and the VP then ran without
 * V_INTR_MASKING (a guest spinning with interrupts off kept the host
 * CPU for good).  With the state refused, the VP still runs; and the
 * guest spinning with interrupts off is still taken back by a signal.
 */
TEST_F(vp, cr3_above_maxphyaddr_refused)
{
	static const uint8_t code[] = { 0xfa, 0xeb, 0xfe };	/* cli; jmp . */
	struct sigaction sa = { .sa_handler = on_alarm };
	struct hcl_sregs s;
	uint32_t c[4];
	unsigned int bits;

	user_cpuid(0x80000008, 0, c);
	bits = c[0] & 0xff;
	if (bits >= 52)
		SKIP(return, "MAXPHYADDR %u leaves no bit to test", bits);
	s = self->sregs;
	s.cr3 |= 1ULL << bits;
	EXPECT_ERRNO(EINVAL, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	s.cr3 = self->sregs.cr3 | 1ULL << (bits - 1);	/* below: fine */
	EXPECT_EQ(0, ioctl(self->vp, HCL_VP_SET_SREGS, &s));

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_ERRNO(EINTR, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(HCL_EXIT_INTR, self->run->exit_reason);
}

/*
 * hcl.check_host_state=1: every entry compares the host's CPU state
 * before it with the state after its exit.  A guest that writes what it
 * can reach (PKRU, FS/KERNEL_GS base, LSTAR, TSC_AUX, DR0 and DR7, and
 * SWAPGS) runs a few times; each run is checked and none changed the
 * host (a difference would also be a WARNING in the kernel log).
 */
TEST_F(vp, host_state_checked_and_kept)
{
	static const uint8_t code[] = {
		0x0f, 0x20, 0xe0,		/* mov %cr4,%rax */
		0x0d, 0x00, 0x00, 0x40, 0x00,	/* or $PKE,%eax */
		0x0f, 0x22, 0xe0,		/* mov %rax,%cr4 */
		0x31, 0xc9, 0x31, 0xd2,		/* xor %ecx,%ecx; xor %edx,%edx */
		0xb8, 0x0c, 0x00, 0x00, 0x00,	/* mov $0xc,%eax */
		0x0f, 0x01, 0xef,		/* wrpkru */
		0xb9, 0x00, 0x01, 0x00, 0xc0,	/* mov $MSR_FS_BASE,%ecx */
		0xb8, 0x00, 0x40, 0x23, 0x01,	/* mov $0x1234000,%eax */
		0x0f, 0x30,			/* wrmsr */
		0xb9, 0x02, 0x01, 0x00, 0xc0,	/* mov $MSR_KERNEL_GS_BASE,%ecx */
		0xb8, 0x00, 0x80, 0x67, 0x05,	/* mov $0x5678000,%eax */
		0x0f, 0x30,			/* wrmsr */
		0x0f, 0x01, 0xf8,		/* swapgs */
		0xb9, 0x82, 0x00, 0x00, 0xc0,	/* mov $MSR_LSTAR,%ecx */
		0xb8, 0x00, 0xc0, 0xab, 0x09,	/* mov $0x9abc000,%eax */
		0x0f, 0x30,			/* wrmsr */
		0xb9, 0x03, 0x01, 0x00, 0xc0,	/* mov $MSR_TSC_AUX,%ecx */
		0xb8, 0x07, 0x00, 0x00, 0x00,	/* mov $7,%eax */
		0x0f, 0x30,			/* wrmsr */
		0xb8, 0x00, 0x10, 0x00, 0x00,	/* mov $0x1000,%eax */
		0x0f, 0x23, 0xc0,		/* mov %rax,%dr0 */
		0xb8, 0x01, 0x04, 0x00, 0x00,	/* mov $0x401,%eax */
		0x0f, 0x23, 0xf8,		/* mov %rax,%dr7 */
		0xf4,				/* hlt (IF=0: to userspace) */
	};
	static const char param[] = "/sys/module/hcl/parameters/check_host_state";
	const char *vp0 = vp_stats();
	char was[4] = "N";
	uint32_t c[4];
	long checks;
	int i, fd;

	user_cpuid(7, 0, c);
	if (!(c[2] & (1U << 3)))
		SKIP(return, "the CPU has no protection keys");
	/* the boot's setting goes back afterwards: later tests rely on it */
	fd = open(param, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, was, 1));
	close(fd);
	ASSERT_EQ(0, write_file(param, "1"));
	load_code(self, code, sizeof(code));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, setup_state(self));
		EXPECT_EQ(HCL_EXIT_HLT, vp_run(self));
	}
	ASSERT_EQ(0, write_file(param, was[0] == 'Y' ? "1" : "0"));
	checks = read_stat(vp0, "host_state_checks");
	TH_LOG("%ld entries checked", checks);
	/* on a sidecar CPU the world switch never touches Linux's CPU */
	if (sidecar_cpu_of(fixture_vp_index()) >= 0) {
		EXPECT_EQ(0, checks);
	} else {
		EXPECT_LE(3, checks);
	}
	EXPECT_EQ(0, read_stat(vp0, "host_state_bad"));
}

/*
 * Issue 9, finding 9: RDTSCP (and RDPID) read IA32_TSC_AUX, which the host
 * sets to its CPU number.  On CPU 1 the guest must still read its own
 * value: 0 after reset, then what it wrote; the host's is back after.
 */
TEST_F(vp, guest_tsc_aux_is_its_own)
{
	static const uint8_t code[] = {
		0x0f, 0x01, 0xf9,		/* rdtscp */
		0x89, 0xcb,			/* mov %ecx,%ebx */
		0xf4,
		0xb9, 0x03, 0x01, 0x00, 0xc0,	/* mov $MSR_TSC_AUX,%ecx */
		0xb8, 0x34, 0x12, 0x00, 0x00,	/* mov $0x1234,%eax */
		0x31, 0xd2,			/* xor %edx,%edx */
		0x0f, 0x30,			/* wrmsr */
		0x0f, 0x01, 0xf9,		/* rdtscp */
		0x89, 0xce,			/* mov %ecx,%esi */
		0xf4,
	};
	struct hcl_msr_entry e = { .index = 0xc0000103 };
	struct hcl_msrs m = { .nmsrs = 1, .entries = (uintptr_t)&e };
	uint32_t c[4], lo, hi, aux;
	cpu_set_t set;
	struct hcl_regs r;

	user_cpuid(0x80000001, 0, c);
	if (!(c[3] & (1U << 27)))
		SKIP(return, "the CPU has no RDTSCP");
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		SKIP(return, "no CPU 1 to run on");
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	EXPECT_EQ(0, get_regs(self).gprs[HCL_REG_RBX]);
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	r = get_regs(self);
	EXPECT_EQ(0x1234, r.gprs[HCL_REG_RSI]);
	ASSERT_EQ(1, ioctl(self->vp, HCL_VP_GET_MSRS, &m));
	EXPECT_EQ(0x1234, e.data);
	__asm__ volatile("rdtscp" : "=a" (lo), "=d" (hi), "=c" (aux));
	EXPECT_EQ(1, aux & 0xfff);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Issue 9, finding 8: in long mode the guest clears EFER.LME.  A CPU
 * raises #GP (here, with no IDT, a triple fault); accepting the write
 * made the next VMRUN fail instead.
 */
TEST_F(vp, efer_lme_stays_while_paging)
{
	static const uint8_t code[] = {
		0xb9, 0x80, 0x00, 0x00, 0xc0,	/* mov $MSR_EFER,%ecx */
		0x0f, 0x32,			/* rdmsr */
		0x25, 0xff, 0xfe, 0xff, 0xff,	/* and $~LME,%eax */
		0x0f, 0x30,			/* wrmsr */
		0xf4,
	};
	struct hcl_msr_entry e = { .index = 0xc0000080, .data = 0x400 };
	struct hcl_msrs m = { .nmsrs = 1, .entries = (uintptr_t)&e };
	struct hcl_sregs sr;

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_SHUTDOWN, vp_run(self));
	/* userspace cannot do it either */
	ASSERT_EQ(0, setup_state(self));
	EXPECT_EQ(0, ioctl(self->vp, HCL_VP_SET_MSRS, &m));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_SREGS, &sr));
	EXPECT_EQ(0x500, sr.efer);
}

/*
 * In a child: one VP halts with interrupts on (sti; hlt) under an io_uring
 * RUN, so its thread waits in the halt; then HCL_VP_GET_REGS from the
 * submitter.  Writes 'r' before and 'g' after the ioctl, then waits to be
 * killed.
 */
static void __attribute__((noreturn)) halt_then_get_regs(int ready_fd)
{
	static const uint8_t code[] = { 0xfb, 0xf4, 0xeb, 0xfe };
	const uint64_t rip[1] = { CODE_GPA };
	struct io_uring ring;
	struct hcl_regs regs;
	uint8_t *mem;
	int fd, vp;

	fd = open_with_vps(&mem, 1, &vp, rip);
	if (fd < 0)
		_exit(2);
	memcpy(mem + CODE_GPA, code, sizeof(code));
	if (io_uring_queue_init(8, &ring, 0) || hcl_queue_run(&ring, vp, 1) ||
	    io_uring_submit(&ring) != 1)
		_exit(3);
	usleep(200000);
	if (write(ready_fd, "r", 1) != 1)
		_exit(4);
	if (ioctl(vp, HCL_VP_GET_REGS, &regs))
		_exit(5);
	if (write(ready_fd, regs.rip == CODE_GPA + 2 ? "g" : "x", 1) != 1)
		_exit(6);
	pause();
	_exit(7);
}

/*
 * Issue 9, finding 3: the halted VP's thread held vp->lock, GET_REGS
 * waited for it uninterruptibly, and the process could not be killed;
 * /dev/hcl stayed busy.  Now GET_REGS answers, SIGKILL ends the process
 * within a bound and the partition reopens.
 */
TEST(halted_vp_does_not_block_ioctls)
{
	int status = 0, fd, ready[2], i;
	char c[2] = { 0 };
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(ready[0]);
		halt_then_get_regs(ready[1]);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c[0], 1));
	ASSERT_EQ('r', c[0]);
	usleep(500000);
	fcntl(ready[0], F_SETFL, O_NONBLOCK);
	EXPECT_EQ(1, read(ready[0], &c[1], 1)) TH_LOG("GET_REGS is blocked");
	EXPECT_EQ('g', c[1]);
	close(ready[0]);
	kill(pid, SIGKILL);
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	ASSERT_GT(50, i) TH_LOG("the killed process was not reaped in 5 s");
	EXPECT_TRUE(WIFSIGNALED(status));
	fd = open_hcl();
	ASSERT_LE(0, fd);
	close(fd);
}

/* The state letter in /proc/<pid>/stat of the task named @comm, or 0. */
static char task_state(const char *comm)
{
	char path[300], buf[512], *p;
	struct dirent *de;
	char state = 0;
	DIR *d = opendir("/proc");
	int fd;
	ssize_t n;

	if (!d)
		return 0;
	while (!state && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		p = strchr(buf, '(');
		if (!p || strncmp(p + 1, comm, strlen(comm)) ||
		    p[1 + strlen(comm)] != ')')
			continue;
		state = p[strlen(comm) + 3];
	}
	closedir(d);
	return state;
}

/*
 * Issue 9, finding 7: an idle VP thread, and one whose VP is halted,
 * must not sleep uninterruptibly ('D': load average, hung-task reports).
 */
TEST_F(vp, idle_vp_thread_is_not_uninterruptible)
{
	static const uint8_t code[] = { 0xfb, 0xf4, 0xeb, 0xfe };
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	char state, name[32];

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	self->run->immediate_exit = 1;
	sqe = io_uring_get_sqe(&ring);
	ASSERT_NE(NULL, sqe);
	hcl_prep_run(sqe, self->vp, 1);
	sqe->flags |= IOSQE_ASYNC;
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
	EXPECT_EQ(-EINTR, cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	usleep(200000);
	snprintf(name, sizeof(name), "hcl-vp%u", fixture_vp_index());
	state = task_state(name);
	ASSERT_NE(0, state) TH_LOG("no %s thread", name);
	EXPECT_EQ('I', state);
	/* halted on its thread: an interruptible sleep */
	self->run->immediate_exit = 0;
	ASSERT_EQ(0, hcl_queue_run(&ring, self->vp, 2));
	ASSERT_EQ(1, io_uring_submit(&ring));
	usleep(300000);
	state = task_state(name);
	EXPECT_NE('D', state);
	EXPECT_NE(0, state);
	io_uring_queue_exit(&ring);
}

/* the PID of the task named @comm, or -1 */
static pid_t task_pid(const char *comm)
{
	char path[300], buf[64];
	struct dirent *de;
	pid_t pid = -1;
	DIR *d = opendir("/proc");
	ssize_t n;
	int fd;

	while (d && pid < 0 && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0 && buf[n - 1] == '\n')
			n--;
		buf[n > 0 ? n : 0] = 0;
		if (!strcmp(buf, comm))
			pid = atoi(de->d_name);
	}
	if (d)
		closedir(d);
	return pid;
}

/* field @n (1-based, after the comm) of /proc/@pid/stat, or -99 */
static long stat_field(pid_t pid, int n)
{
	char path[64], buf[1024], *p, *save = NULL;
	int fd, i;
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -99;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -99;
	buf[len] = 0;
	p = strrchr(buf, ')');
	if (!p)
		return -99;
	/* field 3 (state) is the first after the comm */
	p = strtok_r(p + 1, " ", &save);
	for (i = 3; p && i < n; i++)
		p = strtok_r(NULL, " ", &save);
	return p ? atol(p) : -99;
}

#define CGROUP_DIR	"/sys/fs/cgroup"
#define VMM_CGROUP	CGROUP_DIR "/hcl-vmm"

/*
 * Issue 9, "VP threads run outside the VMM's cgroup/affinity/nice": the
 * thread a VP's io_uring RUN hands the VP to runs the guest for the VMM,
 * so the VMM's cgroup (its CPU and memory limits), CPU affinity and nice
 * value must hold for it.  A VMM thread at nice 7, on CPU 0, in its own
 * cgroup parks a RUN (the VP halts): the VP's thread must be there too.
 */
TEST_F(vp, vp_thread_runs_where_its_vmm_does)
{
	static const uint8_t code[] = { 0xfb, 0xf4, 0xeb, 0xfe };
	struct hcl_create_vp cvp = { .vp_index = fixture_vp_index() + 1 };
	char name[32], path[64], line[128] = "", want[64];
	struct io_uring ring;
	cpu_set_t set, got;
	pid_t tid;
	FILE *f;
	int vp;

	mkdir(CGROUP_DIR, 0755);
	if (mount("none", CGROUP_DIR, "cgroup2", 0, NULL) && errno != EBUSY)
		SKIP(return, "no cgroup2: %s", strerror(errno));
	if (mkdir(VMM_CGROUP, 0755) && errno != EEXIST)
		SKIP(return, "no cgroup of our own: %s", strerror(errno));
	snprintf(want, sizeof(want), "%d", getpid());
	ASSERT_EQ(0, write_file(VMM_CGROUP "/cgroup.procs", want));
	ASSERT_EQ(0, setpriority(PRIO_PROCESS, 0, 7));
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));

	/* a VP whose thread is made now, by this thread */
	vp = ioctl(self->fd, HCL_CREATE_VP, &cvp);
	ASSERT_LE(0, vp);
	memcpy(self->mem + CODE_GPA, code, sizeof(code));
	ASSERT_EQ(0, ioctl(vp, HCL_VP_SET_REGS, &self->regs));
	ASSERT_EQ(0, ioctl(vp, HCL_VP_SET_SREGS, &self->sregs));
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	/* sti; hlt: the inline run halts and hands the VP to its thread */
	ASSERT_EQ(0, hcl_queue_run(&ring, vp, 1));
	ASSERT_EQ(1, io_uring_submit(&ring));
	usleep(200000);
	snprintf(name, sizeof(name), "hcl-vp%u", cvp.vp_index);
	tid = task_pid(name);
	ASSERT_LT(0, tid) TH_LOG("no %s thread", name);

	EXPECT_EQ(7, stat_field(tid, 19));		/* nice */
	CPU_ZERO(&got);
	ASSERT_EQ(0, sched_getaffinity(tid, sizeof(got), &got));
	EXPECT_TRUE(CPU_EQUAL(&set, &got)) TH_LOG("CPUs %d of the VP's thread",
						  CPU_COUNT(&got));
	snprintf(path, sizeof(path), "/proc/%d/cgroup", tid);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f) && strncmp(line, "0::", 3))
		;
	fclose(f);
	EXPECT_STREQ("0::/hcl-vmm\n", line);

	/* the parked RUN ends with the ring; then everything back */
	io_uring_queue_exit(&ring);
	close(vp);
	write_file(CGROUP_DIR "/cgroup.procs", want);
	setpriority(PRIO_PROCESS, 0, 0);
	CPU_ZERO(&set);
	for (int c = 0; c < get_nprocs_conf(); c++)
		CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

struct ioctl_runner {
	int vp;
	long ret;
	int err;
};

static void *ioctl_runner_main(void *arg)
{
	struct ioctl_runner *r = arg;

	r->ret = ioctl(r->vp, HCL_VP_RUN, 0);
	r->err = errno;
	return NULL;
}

/*
 * Found by hcl-hostile: an io_uring RUN parked for the VP's thread and
 * canceled by its ring's teardown while another RUN of the VP (here an
 * ioctl, halted) held the VP.  The cancel ended that other run with
 * -EINTR, and the canceled command, run later, completed the other run's
 * user exit and wrote HCL_EXIT_INTR over its record.  A cancel now ends
 * only its own command, which ends before it touches the VP.
 */
TEST_F(vp, canceled_parked_run_leaves_other_runs_alone)
{
	/* sti; hlt; out %al,$0x70; hlt */
	static const uint8_t code[] = { 0xfb, 0xf4, 0xe6, 0x70, 0xf4 };
	struct hcl_interrupt irq = { .type = HCL_INTR_FIXED, .vector = 0x40 };
	struct ioctl_runner r = { .vp = self->vp };
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	pthread_t t;

	setup_idt(self);
	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x70, 1, 0);
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	/* the ioctl run halts, holding the VP */
	ASSERT_EQ(0, pthread_create(&t, NULL, ioctl_runner_main, &r));
	usleep(200000);
	/* a RUN parked for the VP's thread, which waits for the VP */
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	sqe = io_uring_get_sqe(&ring);
	ASSERT_NE(NULL, sqe);
	hcl_prep_run(sqe, self->vp, 1);
	sqe->flags |= IOSQE_ASYNC;
	ASSERT_EQ(1, io_uring_submit(&ring));
	usleep(200000);
	/* canceled: the ring goes away */
	io_uring_queue_exit(&ring);
	usleep(200000);
	/* the halted run goes on to its OUT */
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_INTERRUPT, &irq));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, r.ret) TH_LOG("ioctl run: %s", strerror(r.err));
	EXPECT_EQ(HCL_EXIT_IO, self->run->exit_reason);
	/* the canceled command has had the VP meanwhile */
	usleep(300000);
	EXPECT_EQ(HCL_EXIT_IO, self->run->exit_reason);
	EXPECT_EQ(0x70, self->run->io.port);
	EXPECT_EQ(0x42, get_regs(self).gprs[HCL_REG_RBX]);
}

/*
 * Issue 9, finding 6: an IN exits to userspace, which then gives the VP
 * new registers instead of an answer: the next run must start from them,
 * not merge the stale IN's data into RAX.  The same for an exception
 * queued by a refused WRMSR.
 */
TEST_F(vp, set_regs_drops_pending_completion)
{
	static const uint8_t code[] = {
		0xe4, 0x71,		/* in $0x71,%al */
		0xf4,
	};
	struct hcl_regs r;

	claim(self, HCL_RANGE_PIO, HCL_RANGE_USER, 0x71, 1, 0);
	load_code(self, code, sizeof(code));
	self->mem[CODE_GPA + 0x80] = 0xf4;
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(HCL_EXIT_IO, vp_run(self));
	ASSERT_EQ(HCL_IO_IN, self->run->io.direction);
	self->run->io.data = 0x5a;
	r = self->regs;
	r.rip = CODE_GPA + 0x80;
	r.gprs[HCL_REG_RAX] = 0x1111111111111111ULL;
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_REGS, &r));
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	r = get_regs(self);
	EXPECT_EQ(0x1111111111111111ULL, r.gprs[HCL_REG_RAX]);
	EXPECT_EQ(CODE_GPA + 0x81, r.rip);
}

/* ---- PAUSE exits and yields ---------------------------------------------- */

/*
 * pause; hlt — the PAUSE exits (QEMU has no pause filter: each one does)
 * and the kernel steps over it: the VP reaches the HLT, not an endless
 * run of exits on the same PAUSE.
 */
TEST_F(vp, pause_exits_and_is_skipped)
{
	static const uint8_t code[] = { 0xf3, 0x90, 0xf4 };

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	alarm(10);	/* a PAUSE run again and again would never end */
	ASSERT_EQ(HCL_EXIT_HLT, vp_run(self));
	alarm(0);
	EXPECT_EQ(CODE_GPA + sizeof(code), get_regs(self).rip);
	EXPECT_LE(1, read_stat(vp_stats(), "pause_exits"));
}

/*
 * cli; 1: pause; jmp 1b — a spin with interrupts off, ended by a signal:
 * it exits on its PAUSEs, and each exit looks for a VP to give the CPU
 * to and finds none (there is no other).
 */
TEST_F(vp, pause_spin_exits)
{
	static const uint8_t code[] = { 0xfa, 0xf3, 0x90, 0xeb, 0xfc };
	struct sigaction sa = { .sa_handler = on_alarm_quiet };
	long pauses, yields;

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_ERRNO(EINTR, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(HCL_EXIT_INTR, self->run->exit_reason);
	pauses = read_stat(vp_stats(), "pause_exits");
	yields = read_stat(vp_stats(), "yield_none");
	TH_LOG("1 s of spin: %ld pause exits, %ld with no VP to yield to",
	       pauses, yields);
	EXPECT_LT(0, pauses);
	EXPECT_EQ(pauses, yields);
	EXPECT_EQ(0, read_stat(vp_stats(), "yield_to"));
	EXPECT_LE(pauses, read_stat("/sys/kernel/debug/hcl/stats",
				    "pause_exits"));
}

#define PAUSE_LOCK_GPA	(CODE_GPA + 0x1000)
#define PAUSE_START_GPA	(CODE_GPA + 0x1040)	/* the holder is working */

struct pause_vp {
	int vp, ret, reason;
	struct hcl_run *run;
	pthread_t thread;
};

/* Runs one VP on CPU 0 until its first exit to userspace. */
static void *pause_vp_main(void *arg)
{
	struct pause_vp *p = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		p->ret = -2;
		return NULL;
	}
	p->ret = ioctl(p->vp, HCL_VP_RUN, 0);
	p->reason = p->run->exit_reason;
	return NULL;
}

/*
 * Two VPs on one host CPU, as on a VTL2 with one CPU for all VPs.  VP 1
 * takes a lock and works a while; VP 0, started once VP 1 works, waits
 * for the lock, spinning with PAUSE and interrupts off (a guest kernel's
 * spinlock).  When the scheduler gives VP 0 the CPU, its pause exits
 * hand it straight back to VP 1 (yield_to), which drops the lock; both
 * halt.
 */
TEST_F(vp, pause_yields_to_lock_holder)
{
	/*
	 * VP 0: cli; mov $LOCK,%rax; 1: pause; cmpl $0,(%rax); jne 1b; hlt
	 * VP 1: cli; mov $START,%rax; movl $1,(%rax);
	 *       mov $20000000,%ecx; 1: dec %ecx; jnz 1b;
	 *       mov $LOCK,%rax; movl $0,(%rax); hlt
	 */
	uint8_t spin[] = {
		0xfa, 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
		0xf3, 0x90, 0x83, 0x38, 0x00, 0x75, 0xf9, 0xf4,
	};
	uint8_t work[] = {
		0xfa, 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
		0xc7, 0x00, 0x01, 0x00, 0x00, 0x00,
		0xb9, 0x00, 0x2d, 0x31, 0x01, 0xff, 0xc9, 0x75, 0xfc,
		0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
		0xc7, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf4,
	};
	volatile uint32_t *lock = (uint32_t *)(self->mem + PAUSE_LOCK_GPA);
	volatile uint32_t *start = (uint32_t *)(self->mem + PAUSE_START_GPA);
	struct pause_vp v[2] = { { .vp = self->vp, .run = self->run } };
	long pauses, yields_to;
	char other[64];
	int i, ms;

	put_addr(spin, 3, PAUSE_LOCK_GPA);
	put_addr(work, 3, PAUSE_START_GPA);
	put_addr(work, 28, PAUSE_LOCK_GPA);
	load_code(self, spin, sizeof(spin));
	memcpy(self->mem + CODE_GPA + 0x100, work, sizeof(work));
	*lock = 1;
	/* the other VP: 1, or 0 when the fixture's is not */
	v[1].vp = new_vp(self->fd, !fixture_vp_index(), 0, &v[1].run);
	ASSERT_LE(0, v[1].vp);
	for (i = 0; i < 2; i++) {
		self->regs.rip = CODE_GPA + i * 0x100;
		ASSERT_EQ(0, ioctl(v[i].vp, HCL_VP_SET_SREGS, &self->sregs));
		ASSERT_EQ(0, ioctl(v[i].vp, HCL_VP_SET_REGS, &self->regs));
	}
	ASSERT_EQ(0, pthread_create(&v[1].thread, NULL, pause_vp_main, &v[1]));
	for (ms = 0; !*start && ms < 10000; ms++)
		usleep(1000);
	ASSERT_EQ(1, *start);
	ASSERT_EQ(1, *lock) TH_LOG("the holder's work was too short");
	ASSERT_EQ(0, pthread_create(&v[0].thread, NULL, pause_vp_main, &v[0]));
	for (i = 0; i < 2; i++) {
		pthread_join(v[i].thread, NULL);
		EXPECT_EQ(0, v[i].ret);
		EXPECT_EQ(HCL_EXIT_HLT, v[i].reason);
	}
	EXPECT_EQ(0, *lock);
	pauses = read_stat(vp_stats(), "pause_exits");
	yields_to = read_stat(vp_stats(), "yield_to");
	TH_LOG("%ld pause exits, %ld yields to VP %u, %ld to none", pauses,
	       yields_to, !fixture_vp_index(),
	       read_stat(vp_stats(), "yield_none"));
	EXPECT_LT(0, pauses);
	/*
	 * all to the holder, but maybe the last: the spinner may be
	 * preempted between its look at the lock and its PAUSE, and exit
	 * on it only after the holder has dropped the lock and halted
	 */
	EXPECT_LE(pauses - 1, yields_to);
	/* the holder never spins */
	snprintf(other, sizeof(other), "/sys/kernel/debug/hcl/vp%u",
		 !fixture_vp_index());
	EXPECT_EQ(0, read_stat(other, "pause_exits"));
	munmap(v[1].run, HCL_RUN_SIZE);
	close(v[1].vp);
}

/* ---- the in-kernel irqchip ------------------------------------------------ */

#define APIC_VM_MEM	(64ULL << 20)
#define APIC_IDT_GPA	0x4000ULL
#define APIC_H40_GPA	(CODE_GPA + 0x1000)
#define APIC_FLAG_GPA	0x9000ULL
#define APIC_SIPI_GPA	0x8000ULL	/* SIPI vector 0x08 */

/* A partition with an irqchip and @n VPs, code for VP i at CODE_GPA + i*0x200. */
struct apic_vm {
	int fd, vp[2];
	uint8_t *mem;
	struct hcl_run *run[2];
	struct hcl_regs regs;
	struct hcl_sregs sregs;
};

static int irqchip(int fd)
{
	struct hcl_create_irqchip c = { 0 };

	return ioctl(fd, HCL_CREATE_IRQCHIP, &c);
}

static int irq_line(int fd, uint32_t gsi, uint32_t level)
{
	struct hcl_irq_line l = { .gsi = gsi, .level = level };

	return ioctl(fd, HCL_IRQ_LINE, &l);
}

/* The IDT gate for vector 0x40 runs @h (it EOIs and sets ebx = 0x42). */
static void apic_vm_idt(struct apic_vm *vm, const uint8_t *h, size_t len)
{
	uint64_t *idt = (uint64_t *)(vm->mem + APIC_IDT_GPA);
	uint64_t a = APIC_H40_GPA;

	memset(idt, 0, 4096);
	idt[0x40 * 2] = (a & 0xffff) | (0x08ULL << 16) | (0x8eULL << 40) |
			((a >> 16 & 0xffff) << 48);
	idt[0x40 * 2 + 1] = a >> 32;
	memcpy(vm->mem + APIC_H40_GPA, h, len);
	vm->sregs.idt.base = APIC_IDT_GPA;
	vm->sregs.idt.limit = 4095;
}

static int apic_vm_open(struct apic_vm *vm, int n, uint32_t flags1)
{
	int i;

	memset(vm, 0, sizeof(*vm));
	vm->fd = open_hcl();
	if (vm->fd < 0)
		return -1;
	vm->mem = mmap(NULL, APIC_VM_MEM, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->fd, 0);
	if (vm->mem == MAP_FAILED)
		return -1;
	memset(vm->mem, 0, 2 << 20);
	if (vtl0_setup_long_mode(vm->mem, APIC_VM_MEM, CODE_GPA,
				 HCL_GUEST_STACK_TOP, &vm->regs, &vm->sregs))
		return -1;
	/* a 1 GiB page for the APIC and IOAPIC pages at 3 GiB */
	((uint64_t *)(vm->mem + HCL_GUEST_PML4_GPA + 0x1000))[3] =
		0xc0000000ULL | 0xe3;
	if (irqchip(vm->fd))
		return -1;
	for (i = 0; i < n; i++) {
		vm->vp[i] = new_vp(vm->fd, i, i ? flags1 : 0, &vm->run[i]);
		if (vm->vp[i] < 0)
			return -1;
	}
	return 0;
}

/*
 * The irqchip tests' guest code starts with shared pieces, picked by the
 * G_* flags of apic_vm_load() and laid down in this order.
 */
#define G_X2APIC	0x1	/* x2APIC mode */
#define G_SVR		0x2	/* SVR = 0x1ff through the x2APIC MSR */
#define G_XAPIC		0x4	/* %rdi = xAPIC base, SVR = 0x1ff through MMIO */
#define G_LEVEL		0x8	/* with G_PIN: level-triggered */
#define G_ROUTE		0x10	/* G_PIN given: the pin is in bits 15:8 */
/* %rsi = IOAPIC base, pin @n -> vector 0x40, APIC 0 */
#define G_PIN(n)	(G_ROUTE | (n) << 8)
#define G_WAIT_FLAG	0x20	/* spin until the word at APIC_FLAG_GPA is 1 */

/* An MSR write in guest code: mov $msr,%ecx; mov $v,%edx:%eax; wrmsr */
struct g_msr {
	uint32_t msr;
	uint64_t v;
};

static const uint8_t g_cli_hlt[] = { 0xfa, 0xf4 };

/* mov $0x1b,%ecx; rdmsr; or $0xc00,%eax; wrmsr */
static const uint8_t g_x2apic[] = {
	0xb9, 0x1b, 0x00, 0x00, 0x00, 0x0f, 0x32, 0x0d, 0x00, 0x0c,
	0x00, 0x00, 0x0f, 0x30,
};

/* mov $0x80f,%ecx; mov $0x1ff,%eax; xor %edx,%edx; wrmsr */
static const uint8_t g_svr[] = {
	0xb9, 0x0f, 0x08, 0x00, 0x00, 0xb8, 0xff, 0x01, 0x00, 0x00,
	0x31, 0xd2, 0x0f, 0x30,
};

/* mov $0xfee00000,%edi; movl $0x1ff,0xf0(%rdi) */
static const uint8_t g_xapic[] = {
	0xbf, 0x00, 0x00, 0xe0, 0xfe, 0xc7, 0x87, 0xf0, 0x00, 0x00,
	0x00, 0xff, 0x01, 0x00, 0x00,
};

/* pause; cmpl $1,APIC_FLAG_GPA; jne (to the pause) */
static const uint8_t g_wait_flag[] = {
	0xf3, 0x90, 0x83, 0x3c, 0x25, 0x00, 0x90, 0x00, 0x00, 0x01,
	0x75, 0xf4,
};

static uint8_t *g_put(uint8_t *p, const uint8_t *b, size_t len)
{
	memcpy(p, b, len);
	return p + len;
}

static uint8_t *g_wrmsr(uint8_t *p, const struct g_msr *w)
{
	static const uint8_t mov[3] = { 0xb9, 0xb8, 0xba };	/* ecx, eax, edx */
	uint32_t v[3] = { w->msr, (uint32_t)w->v, (uint32_t)(w->v >> 32) };
	int k;

	for (k = 0; k < 3; k++) {
		*p++ = mov[k];
		p = g_put(p, (const uint8_t *)&v[k], 4);
	}
	*p++ = 0x0f;
	*p++ = 0x30;
	return p;
}

/* mov $0xfec00000,%esi; then redirection entry @pin = @lo, destination 0 */
static uint8_t *g_route(uint8_t *p, unsigned int pin, uint32_t lo)
{
	static const uint8_t sel[] = { 0xc7, 0x06 };		/* movl $x,(%rsi) */
	static const uint8_t win[] = { 0xc7, 0x46, 0x10 };	/* movl $x,0x10(%rsi) */
	static const uint8_t base[] = { 0xbe, 0x00, 0x00, 0xc0, 0xfe };
	uint32_t v[4] = { 0x10 + pin * 2, lo, 0x11 + pin * 2, 0 };
	int k;

	p = g_put(p, base, sizeof(base));
	for (k = 0; k < 4; k++) {
		p = k & 1 ? g_put(p, win, sizeof(win)) :
			    g_put(p, sel, sizeof(sel));
		p = g_put(p, (const uint8_t *)&v[k], 4);
	}
	return p;
}

/*
 * Writes VP @i's code at CODE_GPA + i * 0x200: the pieces in @pre, the
 * @nw MSR writes @w, then @code; and sets its state to start there on its
 * own stack.
 */
static int apic_vm_load(struct apic_vm *vm, int i, unsigned int pre,
			const struct g_msr *w, unsigned int nw,
			const uint8_t *code, size_t len)
{
	uint8_t *p = vm->mem + CODE_GPA + i * 0x200;
	struct hcl_regs r = vm->regs;

	if (pre & G_X2APIC)
		p = g_put(p, g_x2apic, sizeof(g_x2apic));
	if (pre & G_SVR)
		p = g_put(p, g_svr, sizeof(g_svr));
	if (pre & G_XAPIC)
		p = g_put(p, g_xapic, sizeof(g_xapic));
	if (pre & G_ROUTE)
		p = g_route(p, pre >> 8, pre & G_LEVEL ? 0x8040 : 0x40);
	if (pre & G_WAIT_FLAG)
		p = g_put(p, g_wait_flag, sizeof(g_wait_flag));
	while (nw--)
		p = g_wrmsr(p, w++);
	memcpy(p, code, len);
	r.rip = CODE_GPA + i * 0x200;
	r.gprs[HCL_REG_RSP] = HCL_GUEST_STACK_TOP - i * 0x4000;
	if (ioctl(vm->vp[i], HCL_VP_SET_SREGS, &vm->sregs))
		return -1;
	return ioctl(vm->vp[i], HCL_VP_SET_REGS, &r);
}

static void apic_vm_close(struct apic_vm *vm, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		munmap(vm->run[i], HCL_RUN_SIZE);
		close(vm->vp[i]);
	}
	munmap(vm->mem, APIC_VM_MEM);
	close(vm->fd);
}

/* Runs VP @i: its exit reason, or -1 if HCL_VP_RUN failed. */
static int apic_vm_run(struct apic_vm *vm, int i)
{
	if (ioctl(vm->vp[i], HCL_VP_RUN, 0))
		return -1;
	return vm->run[i]->exit_reason;
}

static uint64_t vp_reg(int vp, int reg)
{
	struct hcl_regs r;

	if (ioctl(vp, HCL_VP_GET_REGS, &r))
		abort();
	return reg < 0 ? r.rip : r.gprs[reg];
}

/* x2APIC: mov $0x42,%ebx; EOI (wrmsr 0x80b, 0); iretq */
static const uint8_t h40_x2apic[] = {
	0xbb, 0x42, 0x00, 0x00, 0x00, 0xb9, 0x0b, 0x08, 0x00, 0x00, 0x31,
	0xc0, 0x31, 0xd2, 0x0f, 0x30, 0x48, 0xcf,
};

TEST(irqchip_rules)
{
	struct hcl_create_irqchip bad = { .pad = 1 };
	struct hcl_create_vp cvp = { .flags = HCL_CREATE_VP_WAIT_SIPI };
	struct hcl_irq_line l = { .gsi = 0, .reserved = 1 };
	struct hcl_irqfd f = { 0 };
	int fd = open_hcl(), efd, vp;

	ASSERT_LE(0, fd);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	/* nothing without an irqchip */
	EXPECT_ERRNO(ENXIO, irq_line(fd, 4, 1));
	f.fd = efd;
	EXPECT_ERRNO(ENXIO, ioctl(fd, HCL_IRQFD, &f));
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_CREATE_VP, &cvp));
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_CREATE_IRQCHIP, &bad));
	ASSERT_EQ(0, irqchip(fd));
	EXPECT_ERRNO(EEXIST, irqchip(fd));
	/* lines */
	EXPECT_ERRNO(EINVAL, irq_line(fd, 24, 1));
	EXPECT_ERRNO(EINVAL, irq_line(fd, 4, 2));
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_IRQ_LINE, &l));
	EXPECT_EQ(0, irq_line(fd, 4, 1));
	EXPECT_EQ(0, irq_line(fd, 4, 0));
	/* irqfds */
	f.fd = -1;
	EXPECT_ERRNO(EBADF, ioctl(fd, HCL_IRQFD, &f));
	f.fd = fd;			/* not an eventfd */
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_IRQFD, &f));
	f.fd = efd;
	f.gsi = 24;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_IRQFD, &f));
	f.gsi = 5;
	f.flags = 4;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_IRQFD, &f));
	f.flags = 0;
	f.resamplefd = efd;		/* only with RESAMPLE */
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_IRQFD, &f));
	f.resamplefd = 0;
	f.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_IRQFD, &f));
	f.reserved[1] = 0;
	EXPECT_EQ(0, ioctl(fd, HCL_IRQFD, &f));
	EXPECT_ERRNO(EBUSY, ioctl(fd, HCL_IRQFD, &f));
	EXPECT_EQ(1, eventfd_write(efd, 1) == 0);
	f.flags = HCL_IRQFD_DEASSIGN;
	EXPECT_EQ(0, ioctl(fd, HCL_IRQFD, &f));
	EXPECT_ERRNO(ENOENT, ioctl(fd, HCL_IRQFD, &f));
	/*
	 * a resampling binding, left for the partition's end to undo, on an
	 * eventfd signaled before: it fires at once (on a lockdep kernel,
	 * reading its count there without the eventfd's lock was a WARNING)
	 */
	EXPECT_EQ(0, eventfd_write(efd, 1));
	f.flags = HCL_IRQFD_RESAMPLE;
	f.resamplefd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, f.resamplefd);
	EXPECT_EQ(0, ioctl(fd, HCL_IRQFD, &f));
	/* a VP in wait-for-SIPI needs no state to run: it waits */
	vp = ioctl(fd, HCL_CREATE_VP, &cvp);
	ASSERT_LE(0, vp);
	cvp.vp_index = 1;
	cvp.flags = 2;
	EXPECT_ERRNO(EINVAL, ioctl(fd, HCL_CREATE_VP, &cvp));
	close(vp);
	close(f.resamplefd);
	close(efd);
	close(fd);
	/* too late once a VP exists */
	fd = open_hcl();
	ASSERT_LE(0, fd);
	cvp.vp_index = 0;
	cvp.flags = 0;
	vp = ioctl(fd, HCL_CREATE_VP, &cvp);
	ASSERT_LE(0, vp);
	EXPECT_ERRNO(EBUSY, irqchip(fd));
	close(vp);
	close(fd);
}

/*
 * x2APIC on, SVR enabled, one-shot timer of 50 ms at vector 0x40, then
 * sti; hlt: the timer wakes the halted VP in the kernel; cli; hlt ends.
 */
TEST(apic_timer_wakes_halt)
{
	/* TDCR: divide by 1; LVTT: one-shot, vector 0x40; TMICT: 50 ms */
	static const struct g_msr w[] = {
		{ 0x83e, 0xb }, { 0x832, 0x40 }, { 0x838, 50000000 },
	};
	static const uint8_t code[] = { 0xfb, 0xf4, 0xfa, 0xf4 };
	struct timespec t0, t1;
	struct apic_vm vm;
	double ms;

	ASSERT_EQ(0, apic_vm_open(&vm, 1, 0));
	apic_vm_idt(&vm, h40_x2apic, sizeof(h40_x2apic));
	ASSERT_EQ(0, apic_vm_load(&vm, 0, G_X2APIC | G_SVR, w, 3, code,
				  sizeof(code)));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(HCL_EXIT_HLT, apic_vm_run(&vm, 0));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_EQ(0x42, vp_reg(vm.vp[0], HCL_REG_RBX));
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	EXPECT_LE(45, ms);
	apic_vm_close(&vm, 1);
}

struct vp_thread {
	int vp;
	int ret;
	pthread_t t;
};

static void *run_vp(void *arg)
{
	struct vp_thread *t = arg;

	t->ret = ioctl(t->vp, HCL_VP_RUN, 0);
	return NULL;
}

/*
 * VP 1 enables its APIC, raises a flag and halts; VP 0 waits for the flag
 * and sends it a fixed IPI through the x2APIC ICR: VP 1 takes it in its
 * handler and stops at cli; hlt.  No exit reaches userspace on the way.
 */
TEST(ipi_between_vps)
{
	static const uint8_t ap[] = {
		0xc7, 0x04, 0x25, 0x00, 0x90, 0x00, 0x00, 0x01, 0x00, 0x00,
		0x00, 0xfb, 0xf4, 0xfa, 0xf4,
	};
	/* ICR: fixed, vector 0x40, to APIC 1 */
	static const struct g_msr icr = { 0x830, 0x100000040ULL };
	struct vp_thread t1;
	struct apic_vm vm;

	ASSERT_EQ(0, apic_vm_open(&vm, 2, 0));
	apic_vm_idt(&vm, h40_x2apic, sizeof(h40_x2apic));
	ASSERT_EQ(0, apic_vm_load(&vm, 0, G_X2APIC | G_WAIT_FLAG, &icr, 1,
				  g_cli_hlt, sizeof(g_cli_hlt)));
	ASSERT_EQ(0, apic_vm_load(&vm, 1, G_X2APIC | G_SVR, NULL, 0, ap,
				  sizeof(ap)));
	t1.vp = vm.vp[1];
	ASSERT_EQ(0, pthread_create(&t1.t, NULL, run_vp, &t1));
	EXPECT_EQ(HCL_EXIT_HLT, apic_vm_run(&vm, 0));
	pthread_join(t1.t, NULL);
	ASSERT_EQ(0, t1.ret);
	EXPECT_EQ(HCL_EXIT_HLT, vm.run[1]->exit_reason);
	EXPECT_EQ(0x42, vp_reg(vm.vp[1], HCL_REG_RBX));
	apic_vm_close(&vm, 2);
}

/*
 * VP 1 is created in wait-for-SIPI with no state; VP 0 sends INIT
 * (assert, de-assert) and a start-up IPI with vector 0x08: VP 1 starts in
 * real mode at 0800:0000, where mov $0x1234,%ax; mov %cs,%bx; hlt.
 */
TEST(init_sipi_starts_a_vp)
{
	/* ICR to APIC 1: INIT assert, INIT de-assert, start-up at 0x08 */
	static const struct g_msr icr[] = {
		{ 0x830, 0x10000c500ULL }, { 0x830, 0x100008500ULL },
		{ 0x830, 0x100004608ULL },
	};
	static const uint8_t rm[] = { 0xb8, 0x34, 0x12, 0x8c, 0xcb, 0xf4 };
	struct hcl_sregs sr;
	struct vp_thread t1;
	struct apic_vm vm;

	ASSERT_EQ(0, apic_vm_open(&vm, 2, HCL_CREATE_VP_WAIT_SIPI));
	memcpy(vm.mem + APIC_SIPI_GPA, rm, sizeof(rm));
	ASSERT_EQ(0, apic_vm_load(&vm, 0, G_X2APIC, icr, 3, g_cli_hlt,
				  sizeof(g_cli_hlt)));
	t1.vp = vm.vp[1];
	/* VP 1 waits in the kernel */
	ASSERT_EQ(0, pthread_create(&t1.t, NULL, run_vp, &t1));
	usleep(100000);
	EXPECT_EQ(HCL_EXIT_HLT, apic_vm_run(&vm, 0));
	pthread_join(t1.t, NULL);
	ASSERT_EQ(0, t1.ret);
	EXPECT_EQ(HCL_EXIT_HLT, vm.run[1]->exit_reason);
	EXPECT_EQ(0x1234, vp_reg(vm.vp[1], HCL_REG_RAX) & 0xffff);
	EXPECT_EQ(0x0800, vp_reg(vm.vp[1], HCL_REG_RBX) & 0xffff);
	ASSERT_EQ(0, ioctl(vm.vp[1], HCL_VP_GET_SREGS, &sr));
	EXPECT_EQ(0x8000, sr.cs.base);
	EXPECT_EQ(0, sr.cr0 & 1);
	apic_vm_close(&vm, 2);
}

/*
 * The guest programs the xAPIC (MMIO) and IOAPIC pin 4 -> vector 0x40,
 * reads back the entry and the APIC version, and reports with an OUT.
 * HCL_IRQ_LINE raises pin 4: the handler runs once the guest halts.
 * Then an eventfd bound to pin 4 fires while the VP halts: the irqfd
 * wakes it in the kernel, and the handler runs again.
 */
TEST(ioapic_line_and_irqfd_reach_the_guest)
{
	static const uint8_t code[] = {
		0xc7, 0x06, 0x18, 0x00, 0x00, 0x00, 0x8b, 0x46, 0x10, 0x8b,
		0x57, 0x30, 0xe6, 0x73, 0xfb, 0xf4, 0x31, 0xdb, 0xf4, 0xfa,
		0xf4,
	};
	/* mov $0x42,%ebx; movl $0,0xb0(%rdi) (xAPIC EOI); iretq */
	static const uint8_t h40[] = {
		0xbb, 0x42, 0x00, 0x00, 0x00, 0xc7, 0x87, 0xb0, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x48, 0xcf,
	};
	struct hcl_irqfd f = { 0 };
	struct apic_vm vm;
	int efd, status;

	ASSERT_EQ(0, apic_vm_open(&vm, 1, 0));
	apic_vm_idt(&vm, h40, sizeof(h40));
	ASSERT_EQ(0, add_range(vm.fd, HCL_RANGE_PIO, HCL_RANGE_USER, 0x73, 1,
			       0));
	ASSERT_EQ(0, apic_vm_load(&vm, 0, G_XAPIC | G_PIN(4), NULL, 0, code,
				  sizeof(code)));
	ASSERT_EQ(HCL_EXIT_IO, apic_vm_run(&vm, 0));
	EXPECT_EQ(0x40, vp_reg(vm.vp[0], HCL_REG_RAX));
	EXPECT_EQ(0x50014, vp_reg(vm.vp[0], HCL_REG_RDX));
	/* an edge on pin 4 */
	ASSERT_EQ(0, irq_line(vm.fd, 4, 1));
	ASSERT_EQ(0, irq_line(vm.fd, 4, 0));
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	f.fd = efd;
	f.gsi = 4;
	ASSERT_EQ(0, ioctl(vm.fd, HCL_IRQFD, &f));
	if (fork() == 0) {
		usleep(200000);
		_exit(eventfd_write(efd, 1) ? 1 : 0);
	}
	ASSERT_EQ(HCL_EXIT_HLT, apic_vm_run(&vm, 0));
	/* the second handler ran after the xor: the irqfd's interrupt */
	EXPECT_EQ(0x42, vp_reg(vm.vp[0], HCL_REG_RBX));
	wait(&status);
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(efd);
	apic_vm_close(&vm, 1);
}

/*
 * kvmclock: the guest enables its time structure at 0x9000 and the wall
 * clock at 0x9100, points the legacy MSR past RAM (ignored, no exit), and
 * reads the TSC.  The structure must give a small, positive guest time
 * at that TSC and the wall clock today's date.
 */
TEST(kvmclock_structures)
{
	/* system time at 0x9000 (enabled), wall clock at 0x9100, legacy */
	static const struct g_msr msrs[] = {
		{ 0x4b564d01, 0x9001 }, { 0x4b564d00, 0x9100 },
		{ 0x12, 0x1f0000001ULL },
	};
	/* rdtsc; mov %eax,%esi; mov %edx,%edi; cli; hlt */
	static const uint8_t code[] = {
		0x0f, 0x31, 0x89, 0xc6, 0x89, 0xd7, 0xfa, 0xf4,
	};
	struct {
		uint32_t version, pad0;
		uint64_t tsc_timestamp, system_time;
		uint32_t mul;
		int8_t shift;
		uint8_t flags, pad[2];
	} t;
	struct {
		uint32_t version, sec, nsec;
	} w;
	struct hcl_msr_entry e[2] = {
		{ .index = 0x4b564d01 }, { .index = 0x12 },
	};
	struct hcl_msrs m = { .nmsrs = 2, .entries = (uintptr_t)e };
	struct apic_vm vm;
	uint64_t tsc, d, ns;

	ASSERT_EQ(0, apic_vm_open(&vm, 1, 0));
	ASSERT_EQ(0, apic_vm_load(&vm, 0, 0, msrs, 3, code, sizeof(code)));
	ASSERT_EQ(HCL_EXIT_HLT, apic_vm_run(&vm, 0));
	memcpy(&t, vm.mem + 0x9000, sizeof(t));
	memcpy(&w, vm.mem + 0x9100, sizeof(w));
	tsc = vp_reg(vm.vp[0], HCL_REG_RSI) |
	      vp_reg(vm.vp[0], HCL_REG_RDI) << 32;
	EXPECT_EQ(0, t.version & 1);
	EXPECT_NE(0, t.version);
	EXPECT_LE(0x80000000U, t.mul);
	EXPECT_EQ(0, t.flags & ~1);
	ASSERT_LE(t.tsc_timestamp, tsc);
	d = tsc - t.tsc_timestamp;
	d = t.shift >= 0 ? d << t.shift : d >> -t.shift;
	ns = t.system_time + (uint64_t)(((unsigned __int128)d * t.mul) >> 32);
	EXPECT_LT(ns, 60ULL * 1000000000ULL);
	EXPECT_EQ(0, w.version & 1);
	EXPECT_NE(0, w.version);
	EXPECT_LE(labs((long)w.sec - (long)time(NULL)), 60);
	/* the legacy and the new MSR are one register, as in KVM */
	ASSERT_EQ(2, ioctl(vm.vp[0], HCL_VP_GET_MSRS, &m));
	EXPECT_EQ(0x1f0000001ULL, e[0].data);
	EXPECT_EQ(0x1f0000001ULL, e[1].data);
	apic_vm_close(&vm, 1);
}

/*
 * A level-triggered pin driven by a resampling irqfd: the guest's EOI
 * lowers the line and signals the resample eventfd, and only then does
 * the "device" (a child) raise it again.  The guest counts two
 * interrupts, then stops at cli; hlt.
 */
TEST(irqfd_resample_follows_eoi)
{
	static const uint8_t code[] = {
		0xfb, 0xf4, 0x83, 0x3c, 0x25, 0x00, 0x90, 0x00, 0x00, 0x02,
		0x72, 0xf5, 0xfa, 0xf4,
	};
	/* incl 0x9000; movl $0,0xb0(%rdi) (EOI); iretq */
	static const uint8_t h40[] = {
		0xff, 0x04, 0x25, 0x00, 0x90, 0x00, 0x00, 0xc7, 0x87, 0xb0,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x48, 0xcf,
	};
	struct hcl_irqfd f = { .gsi = 5, .flags = HCL_IRQFD_RESAMPLE };
	struct apic_vm vm;
	int efd, rfd, status;

	ASSERT_EQ(0, apic_vm_open(&vm, 1, 0));
	apic_vm_idt(&vm, h40, sizeof(h40));
	ASSERT_EQ(0, apic_vm_load(&vm, 0, G_XAPIC | G_PIN(5) | G_LEVEL, NULL,
				  0, code, sizeof(code)));
	efd = eventfd(0, EFD_CLOEXEC);
	rfd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_LE(0, rfd);
	f.fd = efd;
	f.resamplefd = rfd;
	ASSERT_EQ(0, ioctl(vm.fd, HCL_IRQFD, &f));
	if (fork() == 0) {
		eventfd_t v;

		usleep(100000);
		if (eventfd_write(efd, 1) || eventfd_read(rfd, &v))
			_exit(1);
		/* the line is low again: the guest saw one interrupt */
		if (*(volatile uint32_t *)(vm.mem + APIC_FLAG_GPA) != 1)
			_exit(2);
		if (eventfd_write(efd, 1) || eventfd_read(rfd, &v))
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(HCL_EXIT_HLT, apic_vm_run(&vm, 0));
	EXPECT_EQ(2, *(volatile uint32_t *)(vm.mem + APIC_FLAG_GPA));
	wait(&status);
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(efd);
	close(rfd);
	apic_vm_close(&vm, 1);
}

struct relay {
	int efd, vp;
	volatile int stop;
};

/* What an IOAPIC in userspace would do: wake on the device's eventfd, inject. */
static void *relay_thread(void *arg)
{
	struct hcl_interrupt irq = { .type = HCL_INTR_FIXED, .vector = 0x40 };
	struct relay *r = arg;
	eventfd_t v;

	while (!eventfd_read(r->efd, &v) && !r->stop)
		if (ioctl(r->vp, HCL_VP_INTERRUPT, &irq))
			break;
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * One interrupt at a time from a "device" thread to a halted VP's handler,
 * timed with the TSC (the guest's is the host's): @efd signalled, handler
 * stamps the TSC, counts and rings doorbell @done.  Returns the median in
 * TSC cycles.
 */
static uint64_t irq_latency(struct apic_vm *vm, int efd, int done,
			    unsigned int n)
{
	volatile uint32_t *count = (uint32_t *)(vm->mem + APIC_FLAG_GPA);
	volatile uint64_t *stamp = (uint64_t *)(vm->mem + APIC_FLAG_GPA + 8);
	uint64_t d[64];
	unsigned int i;

	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++) {
		uint32_t c = *count;
		eventfd_t v;
		uint64_t t0;

		usleep(2000);		/* the VP is halted again */
		t0 = __builtin_ia32_rdtsc();
		if (eventfd_write(efd, 1))
			return 0;
		/* sleep, not spin: the VP's thread may want this CPU */
		if (eventfd_read(done, &v) || *count == c)
			return 0;
		d[i] = *stamp - t0;
	}
	qsort(d, n, sizeof(d[0]), cmp_u64);
	return d[n / 2];
}

/*
 * Why the IOAPIC is in the kernel (docs/irqchip.md): an interrupt through
 * an irqfd against the same interrupt relayed by a user thread that wakes
 * on the eventfd and injects with HCL_VP_INTERRUPT, as a userspace
 * interrupt controller would.  Both wake a halted VP; the numbers are
 * logged, only delivery is asserted.
 */
TEST(irqfd_latency_against_a_user_relay)
{
	static const uint8_t code[] = {
		0xc7, 0x04, 0x25, 0x20, 0x90, 0x00, 0x00, 0x01, 0x00, 0x00,
		0x00, 0xfb, 0xf4, 0x83, 0x3c, 0x25, 0x30, 0x90, 0x00, 0x00,
		0x00, 0x74, 0xf4, 0xfa, 0xf4,
	};
	/* save rax/rcx/rdx; stamp the TSC; count; x2APIC EOI; ring; iretq */
	static const uint8_t h40[] = {
		0x50, 0x51, 0x52, 0x0f, 0x31, 0x89, 0x04, 0x25, 0x08, 0x90,
		0x00, 0x00, 0x89, 0x14, 0x25, 0x0c, 0x90, 0x00, 0x00, 0xff,
		0x04, 0x25, 0x00, 0x90, 0x00, 0x00, 0xb9, 0x0b, 0x08, 0x00,
		0x00, 0x31, 0xc0, 0x31, 0xd2, 0x0f, 0x30, 0xe6, 0x74, 0x5a,
		0x59, 0x58, 0x48, 0xcf,
	};
	struct hcl_irqfd f = { .gsi = 4 };
	struct relay r = { 0 };
	struct vp_thread t;
	pthread_t rt;
	struct apic_vm vm;
	uint64_t kern, user;
	int spins = 0, done;

	ASSERT_EQ(0, apic_vm_open(&vm, 1, 0));
	apic_vm_idt(&vm, h40, sizeof(h40));
	ASSERT_EQ(0, apic_vm_load(&vm, 0, G_X2APIC | G_SVR | G_PIN(4), NULL,
				  0, code, sizeof(code)));
	f.fd = eventfd(0, EFD_CLOEXEC);
	r.efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, f.fd);
	ASSERT_LE(0, r.efd);
	ASSERT_EQ(0, ioctl(vm.fd, HCL_IRQFD, &f));
	done = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, done);
	ASSERT_EQ(0, add_range(vm.fd, HCL_RANGE_PIO, HCL_RANGE_DOORBELL, 0x74,
			       1, done));
	r.vp = vm.vp[0];
	ASSERT_EQ(0, pthread_create(&rt, NULL, relay_thread, &r));
	t.vp = vm.vp[0];
	ASSERT_EQ(0, pthread_create(&t.t, NULL, run_vp, &t));
	while (!*(volatile uint32_t *)(vm.mem + APIC_FLAG_GPA + 0x20))
		ASSERT_GT(100000000, ++spins);
	kern = irq_latency(&vm, f.fd, done, 32);
	user = irq_latency(&vm, r.efd, done, 32);
	EXPECT_NE(0, kern);
	EXPECT_NE(0, user);
	TH_LOG("interrupt to handler, median TSC cycles: irqfd %llu, user relay %llu",
	       (unsigned long long)kern, (unsigned long long)user);
	/* stop: the flag, then one more interrupt */
	*(volatile uint32_t *)(vm.mem + APIC_FLAG_GPA + 0x30) = 1;
	r.stop = 1;
	eventfd_write(r.efd, 1);
	eventfd_write(f.fd, 1);
	pthread_join(rt, NULL);
	pthread_join(t.t, NULL);
	EXPECT_EQ(0, t.ret);
	EXPECT_EQ(HCL_EXIT_HLT, vm.run[0]->exit_reason);
	close(f.fd);
	close(r.efd);
	close(done);
	apic_vm_close(&vm, 1);
}

TEST_HARNESS_MAIN
