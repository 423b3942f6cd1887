// SPDX-License-Identifier: GPL-2.0
/*
 * In-VM UAPI tests for /dev/hcl and VP files, run inside the QEMU-booted
 * VTL2 kernel with hcl.ko loaded.  Every bad argument must get its errno;
 * the real run path is exercised with tiny VTL0 programs.  The runner
 * checks the kernel log for warnings and oopses afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vtl0_setup.h"
#include "vtl0_test_abi.h"

#define CODE_GPA	HCL_GUEST_LOAD_GPA

static int open_hcl(void)
{
	return open("/dev/hcl", O_RDWR | O_CLOEXEC);
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
	EXPECT_EQ(64ULL << 20, info.vtl0_mem_size);
	EXPECT_NE(0, info.features & HCL_FEATURE_NPT);
	EXPECT_EQ(0, info.reserved[0]);
	EXPECT_EQ(0, info.reserved[4]);
	close(fd);
}

TEST(single_opener)
{
	int fd = open_hcl(), fd2;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, open_hcl());
	EXPECT_EQ(EBUSY, errno);
	close(fd);
	fd2 = open_hcl();
	EXPECT_LE(0, fd2);
	close(fd2);
}

TEST(wrong_struct_size_and_unknown_ioctls)
{
	struct { __u32 x; } small;
	char big[512] = { 0 };
	int fd = open_hcl();

	ASSERT_LE(0, fd);
	/* a known request number with another size: EINVAL */
	EXPECT_EQ(-1, ioctl(fd, _IOR(HCL_IOCTL_TYPE, 0x00, small), &small));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, _IOW(HCL_IOCTL_TYPE, 0x01, big), big));
	EXPECT_EQ(EINVAL, errno);
	/* right size, wrong direction */
	EXPECT_EQ(-1, ioctl(fd, _IOW(HCL_IOCTL_TYPE, 0x00, struct hcl_info),
			    big));
	EXPECT_EQ(EINVAL, errno);
	/* unknown numbers and foreign types: ENOTTY */
	EXPECT_EQ(-1, ioctl(fd, _IO(HCL_IOCTL_TYPE, 0x7f), 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IOR(0xAE, 0x00, struct hcl_info), big));
	EXPECT_EQ(ENOTTY, errno);
	/* VP requests on the partition fd are not partition requests */
	EXPECT_EQ(-1, ioctl(fd, HCL_VP_RUN, 0));
	EXPECT_EQ(EINVAL, errno);
	/* bad user pointers */
	EXPECT_EQ(-1, ioctl(fd, HCL_GET_INFO, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, HCL_CREATE_VP, (void *)8));
	EXPECT_EQ(EFAULT, errno);
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
	EXPECT_EQ(-1, ioctl(fd, HCL_CREATE_VP, &cvp));
	EXPECT_EQ(EINVAL, errno);
	cvp.flags = 0;
	cvp.reserved[2] = 1;
	EXPECT_EQ(-1, ioctl(fd, HCL_CREATE_VP, &cvp));
	EXPECT_EQ(EINVAL, errno);
	cvp.reserved[2] = 0;
	/* a VP that does not exist */
	cvp.vp_index = info.max_vps;
	EXPECT_EQ(-1, ioctl(fd, HCL_CREATE_VP, &cvp));
	EXPECT_EQ(EINVAL, errno);
	cvp.vp_index = 0xffffffff;
	EXPECT_EQ(-1, ioctl(fd, HCL_CREATE_VP, &cvp));
	EXPECT_EQ(EINVAL, errno);
	cvp.vp_index = 0;
	vp = ioctl(fd, HCL_CREATE_VP, &cvp);
	ASSERT_LE(0, vp);
	EXPECT_EQ(-1, ioctl(fd, HCL_CREATE_VP, &cvp));
	EXPECT_EQ(EEXIST, errno);
	/* partition requests on a VP fd */
	EXPECT_EQ(-1, ioctl(vp, HCL_GET_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	close(vp);
	vp2 = ioctl(fd, HCL_CREATE_VP, &cvp);
	EXPECT_LE(0, vp2);
	/* the VP keeps the partition alive after /dev/hcl is closed */
	close(fd);
	EXPECT_EQ(-1, open_hcl());
	EXPECT_EQ(EBUSY, errno);
	close(vp2);
	fd = open_hcl();
	EXPECT_LE(0, fd);
	close(fd);
}

TEST(mmap_rules)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct hcl_create_vp cvp = { 0 };
	int fd = open_hcl(), vp;
	void *p;

	ASSERT_LE(0, fd);
	/* beyond VTL0 RAM, straddling its end, private: refused */
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 64 << 20);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, (64 << 20) - pg);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	/* the last page is fine, and writes stick */
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (64 << 20) - pg);
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

/* ---- a VP with VTL0 RAM mapped and a long-mode start at CODE_GPA ----------- */

FIXTURE(vp) {
	int fd, vp;
	uint8_t *mem;
	uint64_t mem_size;
	struct hcl_run *run;
	struct hcl_regs regs;
	struct hcl_sregs sregs;
};

FIXTURE_SETUP(vp)
{
	struct hcl_create_vp cvp = { 0 };
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

static int setup_state(struct _test_data_vp *self)
{
	if (ioctl(self->vp, HCL_VP_SET_SREGS, &self->sregs))
		return -1;
	return ioctl(self->vp, HCL_VP_SET_REGS, &self->regs);
}

TEST_F(vp, run_before_setup)
{
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(EBADFD, errno);
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_REGS, &self->regs));
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(EBADFD, errno);
}

TEST_F(vp, regs_rules_and_round_trip)
{
	struct hcl_regs r = self->regs, back;
	struct hcl_sregs s = self->sregs, sback;
	int i;

	for (i = 0; i < HCL_NR_GPRS; i++)
		r.gprs[i] = 0x1111111111111111ULL * (i + 1);
	r.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_REGS, &r));
	EXPECT_EQ(EINVAL, errno);
	r.reserved[1] = 0;
	r.rflags = 0;			/* bit 1 must be set */
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_REGS, &r));
	EXPECT_EQ(EINVAL, errno);
	r.rflags = 0x2 | (1ULL << 40);	/* reserved bit */
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_REGS, &r));
	EXPECT_EQ(EINVAL, errno);
	r.rflags = 0x202;
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_REGS, &r));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_REGS, &back));
	EXPECT_EQ(0, memcmp(&r, &back, sizeof(r)));

	s.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);
	s = self->sregs;
	s.gdt.pad[1] = 1;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);
	s = self->sregs;
	s.cr0 |= 1ULL << 40;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);
	s = self->sregs;
	s.cr4 &= ~0x20ULL;		/* long mode without PAE */
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);
	s = self->sregs;
	s.efer = 0x400;			/* LMA without LME */
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);
	s = self->sregs;
	s.efer |= 0x1000;		/* SVME is not the caller's */
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);
	s = self->sregs;
	s.cs.attrib |= 0x1000;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);
	s = self->sregs;
	s.cs.attrib |= 0x400;		/* L and D together */
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_SREGS, &s));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_SET_SREGS, &self->sregs));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_SREGS, &sback));
	EXPECT_EQ(0, memcmp(&self->sregs, &sback, sizeof(sback)));
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_REGS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(vp, cpuid_table_rules)
{
	struct hcl_cpuid_entry e[3] = { 0 };
	struct hcl_cpuid c = { .nent = 1, .entries = (uintptr_t)e };

	c.flags = 1;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	EXPECT_EQ(EINVAL, errno);
	c.flags = 0;
	c.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	EXPECT_EQ(EINVAL, errno);
	c.reserved[1] = 0;
	c.nent = HCL_CPUID_MAX_ENTRIES + 1;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	EXPECT_EQ(E2BIG, errno);
	c.nent = 0xffffffff;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	EXPECT_EQ(E2BIG, errno);
	c.nent = 2;
	c.entries = 8;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	EXPECT_EQ(EFAULT, errno);
	c.entries = (uintptr_t)e;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_CPUID, &c));	/* dup */
	EXPECT_EQ(EINVAL, errno);
	e[1].function = 1;
	e[1].reserved = 1;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	EXPECT_EQ(EINVAL, errno);
	e[1].reserved = 0;
	e[1].flags = 0x80;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_SET_CPUID, &c));
	EXPECT_EQ(EINVAL, errno);
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
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_RUN, 0));
	ASSERT_EQ(HCL_EXIT_HLT, self->run->exit_reason);
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

	load_code(self, code, sizeof(code));
	self->regs.gprs[HCL_REG_RAX] = 0xffffffffffff0000ULL;
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_RUN, 0));
	ASSERT_EQ(HCL_EXIT_IO, self->run->exit_reason);
	EXPECT_EQ(0x70, self->run->io.port);
	EXPECT_EQ(2, self->run->io.size);
	EXPECT_EQ(HCL_IO_OUT, self->run->io.direction);
	EXPECT_EQ(0x1234, self->run->io.data);
	EXPECT_EQ(CODE_GPA + 4, self->run->rip);

	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_RUN, 0));
	ASSERT_EQ(HCL_EXIT_IO, self->run->exit_reason);
	EXPECT_EQ(0x71, self->run->io.port);
	EXPECT_EQ(1, self->run->io.size);
	EXPECT_EQ(HCL_IO_IN, self->run->io.direction);
	self->run->io.data = 0xffffff5a;	/* only the low byte counts */

	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_RUN, 0));
	ASSERT_EQ(HCL_EXIT_HLT, self->run->exit_reason);
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_GET_REGS, &r));
	EXPECT_EQ(0xffffffffffff125aULL, r.gprs[HCL_REG_RAX]);
}

TEST_F(vp, immediate_exit)
{
	static const uint8_t code[] = { 0xf4 };

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	self->run->immediate_exit = 1;
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(EINTR, errno);
	EXPECT_EQ(HCL_EXIT_INTR, self->run->exit_reason);
	self->run->immediate_exit = 0;
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(HCL_EXIT_HLT, self->run->exit_reason);
}

/* ud2 with an empty IDT: #UD -> #GP -> #DF -> shutdown */
TEST_F(vp, triple_fault_is_reported)
{
	static const uint8_t code[] = { 0x0f, 0x0b };

	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(HCL_EXIT_SHUTDOWN, self->run->exit_reason);
	/* the state is gone: running again needs new state */
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(EBADFD, errno);
	load_code(self, (const uint8_t[]){ 0xf4 }, 1);
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(HCL_EXIT_HLT, self->run->exit_reason);
}

/* movabs 0xc800000,%al: a GPA past VTL0 RAM (VTL2's side) is a fault exit */
TEST_F(vp, vtl2_memory_is_not_reachable)
{
	static const uint8_t code[] = {
		0xa0, 0x00, 0x00, 0x80, 0x0c, 0x00, 0x00, 0x00, 0x00, 0xf4,
	};
	uint64_t *pd = (uint64_t *)(self->mem + HCL_GUEST_PML4_GPA + 0x2000);

	/* map GPA 200 MiB in the guest's own tables; the NPT has nothing */
	pd[100] = (100ULL << 21) | 0xe3;
	load_code(self, code, sizeof(code));
	ASSERT_EQ(0, setup_state(self));
	ASSERT_EQ(0, ioctl(self->vp, HCL_VP_RUN, 0));
	ASSERT_EQ(HCL_EXIT_UNHANDLED, self->run->exit_reason);
	EXPECT_EQ(0x400, self->run->hw.code);	/* nested page fault */
	EXPECT_EQ(0xc800000, self->run->hw.info2);
	EXPECT_EQ(CODE_GPA, self->run->rip);
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
	EXPECT_EQ(-1, ioctl(self->vp, HCL_VP_RUN, 0));
	EXPECT_EQ(EINTR, errno);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_EQ(HCL_EXIT_INTR, self->run->exit_reason);
	EXPECT_GE(t1.tv_sec - t0.tv_sec, 0);
	EXPECT_LE(t1.tv_sec - t0.tv_sec, 10);
}

/* A client killed mid-run leaves nothing behind: the partition reopens. */
TEST(kill_mid_run)
{
	static const uint8_t code[] = { 0xeb, 0xfe };
	int status, fd, i;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct hcl_create_vp cvp = { 0 };
		struct hcl_sregs sregs;
		struct hcl_regs regs;
		uint8_t *mem;
		int vp;

		fd = open_hcl();
		mem = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_SHARED,
			   fd, 0);
		if (fd < 0 || mem == MAP_FAILED)
			_exit(2);
		vp = ioctl(fd, HCL_CREATE_VP, &cvp);
		if (vp < 0 || vtl0_setup_long_mode(mem, 64 << 20, CODE_GPA,
						   HCL_GUEST_STACK_TOP, &regs,
						   &sregs))
			_exit(3);
		memcpy(mem + CODE_GPA, code, sizeof(code));
		if (ioctl(vp, HCL_VP_SET_SREGS, &sregs) ||
		    ioctl(vp, HCL_VP_SET_REGS, &regs))
			_exit(4);
		ioctl(vp, HCL_VP_RUN, 0);
		_exit(5);
	}
	/* wait until the child owns the partition, then kill it */
	for (i = 0; i < 200; i++) {
		fd = open_hcl();
		if (fd < 0 && errno == EBUSY)
			break;
		if (fd >= 0)
			close(fd);
		usleep(10000);
	}
	usleep(300000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	fd = open_hcl();
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_HARNESS_MAIN
