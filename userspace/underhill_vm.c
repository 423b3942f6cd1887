// SPDX-License-Identifier: GPL-2.0
/*
 * underhill_vm: the VM worker.
 *
 * Opens /dev/hcl, maps VTL0 RAM, loads the VTL0 image, creates the VP,
 * gives it its CPUID table and initial state, and runs it: by default
 * with io_uring (HCL_URING_CMD_RUN), or with the HCL_VP_RUN ioctl.  Exits
 * the kernel sends up are handled here: port I/O goes to the device bus
 * (16550 on COM1, the test device), HLT ends the run.  When done, a
 * struct hcl_vm_report goes to openvmm_hcl on fd 3.
 *
 * Options:
 *   --guest PATH       VTL0 image (flat binary at 1 MiB)
 *   --corrupt-cpuid    give the guest a wrong CPUID value (negative test)
 *   --timeout SEC      stop a guest that runs longer (default 60)
 *   --ioctl            run the VP with HCL_VP_RUN instead of io_uring
 * HCL_GUEST_CPUID_BAD=1 in the environment acts like --corrupt-cpuid.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/hcl.h>

#include "lib/sys.h"
#include "lib/uart16550.h"
#include "lib/vp_ring.h"
#include "lib/vtl0_setup.h"
#include "lib/vtl0_test_abi.h"

#define DEFAULT_GUEST	"/lib/hcl/vtl0-guest.bin"
#define RESULT_NONE	0xffffffffU

struct vm {
	int hcl_fd, vp_fd;
	void *mem;
	uint64_t mem_size;
	struct hcl_run *run;
	struct uart16550 com1;
	uint32_t guest_result;
	uint64_t user_exits;
	char line[256];
	size_t line_len;
};

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* Guest serial output, line-buffered onto our stdout (the console). */
static void com1_tx(void *arg, uint8_t c)
{
	struct vm *vm = arg;

	if (c == '\r')
		return;
	if (c != '\n' && vm->line_len < sizeof(vm->line) - 1) {
		vm->line[vm->line_len++] = (char)c;
		return;
	}
	fwrite(vm->line, 1, vm->line_len, stdout);
	fputc('\n', stdout);
	vm->line_len = 0;
}

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	void *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		return NULL;
	buf = malloc(st.st_size ? st.st_size : 1);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

/* The ports our device bus decodes; the kernel answers all others. */
static int claim_ports(int hcl_fd)
{
	static const struct {
		uint16_t start, len;
	} ports[] = {
		{ HCL_COM1_PORT, UART_NR_REGS },
		{ HCL_TEST_PORT, 4 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		struct hcl_range r = {
			.space = HCL_RANGE_PIO, .kind = HCL_RANGE_USER,
			.start = ports[i].start, .len = ports[i].len,
		};

		if (ioctl(hcl_fd, HCL_ADD_RANGE, &r)) {
			perror("underhill_vm: HCL_ADD_RANGE");
			return -1;
		}
	}
	return 0;
}

static int setup(struct vm *vm, const char *guest, int corrupt)
{
	struct hcl_cpuid_entry ent[8];
	struct hcl_create_vp cvp = { .vp_index = 0 };
	struct hcl_cpuid cpuid = { 0 };
	struct hcl_sregs sregs;
	struct hcl_regs regs;
	struct hcl_info info;
	size_t len;
	void *img;

	vm->hcl_fd = open("/dev/hcl", O_RDWR | O_CLOEXEC);
	if (vm->hcl_fd < 0) {
		perror("underhill_vm: open /dev/hcl");
		return -1;
	}
	if (ioctl(vm->hcl_fd, HCL_GET_INFO, &info)) {
		perror("underhill_vm: HCL_GET_INFO");
		return -1;
	}
	if (info.api_version != HCL_API_VERSION) {
		fprintf(stderr, "underhill_vm: hcl.ko API %u, expected %u\n",
			info.api_version, HCL_API_VERSION);
		return -1;
	}
	vm->mem_size = info.vtl0_mem_size;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->hcl_fd, 0);
	if (vm->mem == MAP_FAILED) {
		perror("underhill_vm: mmap VTL0 memory");
		return -1;
	}

	img = read_file(guest, &len);
	if (!img) {
		fprintf(stderr, "underhill_vm: %s: %s\n", guest,
			strerror(errno));
		return -1;
	}
	if (vtl0_load_image(vm->mem, vm->mem_size, HCL_GUEST_LOAD_GPA, img,
			    len)) {
		fprintf(stderr, "underhill_vm: %s (%zu bytes) does not fit in %"
			PRIu64 " bytes of VTL0 RAM\n", guest, len,
			vm->mem_size);
		free(img);
		return -1;
	}
	free(img);
	if (vtl0_setup_long_mode(vm->mem, vm->mem_size, HCL_GUEST_LOAD_GPA,
				 HCL_GUEST_STACK_TOP, &regs, &sregs)) {
		perror("underhill_vm: VTL0 setup");
		return -1;
	}

	if (claim_ports(vm->hcl_fd))
		return -1;

	vm->vp_fd = ioctl(vm->hcl_fd, HCL_CREATE_VP, &cvp);
	if (vm->vp_fd < 0) {
		perror("underhill_vm: HCL_CREATE_VP");
		return -1;
	}
	vm->run = mmap(NULL, HCL_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vp_fd, 0);
	if (vm->run == MAP_FAILED) {
		perror("underhill_vm: mmap run page");
		return -1;
	}
	cpuid.nent = vtl0_test_cpuid(ent, 8, corrupt);
	cpuid.entries = (uintptr_t)ent;
	if (ioctl(vm->vp_fd, HCL_VP_SET_CPUID, &cpuid) ||
	    ioctl(vm->vp_fd, HCL_VP_SET_SREGS, &sregs) ||
	    ioctl(vm->vp_fd, HCL_VP_SET_REGS, &regs)) {
		perror("underhill_vm: VP setup");
		return -1;
	}
	uart_init(&vm->com1, com1_tx, vm);
	vm->guest_result = RESULT_NONE;
	return 0;
}

static void handle_io(struct vm *vm)
{
	struct hcl_run *run = vm->run;
	uint16_t port = run->io.port;
	int out = run->io.direction == HCL_IO_OUT;

	if (port >= HCL_COM1_PORT && port < HCL_COM1_PORT + UART_NR_REGS) {
		if (out)
			uart_write(&vm->com1, port - HCL_COM1_PORT,
				   (uint8_t)run->io.data);
		else
			run->io.data = uart_read(&vm->com1,
						 port - HCL_COM1_PORT);
		return;
	}
	if (port == HCL_TEST_PORT && run->io.size == 4) {
		if (out)
			vm->guest_result = (uint32_t)run->io.data;
		else
			run->io.data = vm->guest_result;
		return;
	}
	/* a claimed port without a device: reads float high */
	if (!out)
		run->io.data = ~0ULL;
}

static void dump_hw_exit(const char *what, const struct hcl_run *run)
{
	fprintf(stderr,
		"underhill_vm: %s at rip %#" PRIx64 ": code %#" PRIx64
		" info1 %#" PRIx64 " info2 %#" PRIx64 " intinfo %#" PRIx64 "\n",
		what, (uint64_t)run->rip, (uint64_t)run->hw.code,
		(uint64_t)run->hw.info1, (uint64_t)run->hw.info2,
		(uint64_t)run->hw.int_info);
}

/* One exit: 1 to run on, 0 when the guest halted, -1 when it failed. */
static int handle_exit(struct vm *vm)
{
	switch (vm->run->exit_reason) {
	case HCL_EXIT_IO:
		handle_io(vm);
		return 1;
	case HCL_EXIT_HLT:
		return 0;
	case HCL_EXIT_SHUTDOWN:
		dump_hw_exit("VTL0 triple fault", vm->run);
		return -1;
	case HCL_EXIT_FAIL_ENTRY:
		dump_hw_exit("VP entry failed", vm->run);
		return -1;
	case HCL_EXIT_VTL_VIOLATION:
		fprintf(stderr, "underhill_vm: VTL violation at rip %#" PRIx64
			": gpa %#" PRIx64 " access %#x\n",
			(uint64_t)vm->run->rip, (uint64_t)vm->run->vtl.gpa,
			vm->run->vtl.access);
		return -1;
	case HCL_EXIT_UNHANDLED:
		dump_hw_exit("unhandled exit", vm->run);
		return -1;
	default:
		fprintf(stderr, "underhill_vm: unknown exit reason %u\n",
			vm->run->exit_reason);
		return -1;
	}
}

static int run_failed(const char *what, int err)
{
	if (timed_out)
		fprintf(stderr, "underhill_vm: guest timed out\n");
	else
		fprintf(stderr, "underhill_vm: %s: %s\n", what, strerror(err));
	return 0;
}

/* io_uring: one RUN in flight; each completion is an exit to answer. */
static int run_vp_uring(struct vm *vm, struct hcl_vm_report *rep)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int ret, res, halted = 0;

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret)
		return run_failed("io_uring_queue_init", -ret);
	for (;;) {
		/* the run page already holds the answer to the last exit */
		ret = hcl_queue_run(&ring, vm->vp_fd, 0);
		if (!ret)
			ret = io_uring_submit(&ring);
		if (ret < 0) {
			run_failed("io_uring_submit", -ret);
			break;
		}
		do
			ret = io_uring_wait_cqe(&ring, &cqe);
		while (ret == -EINTR && !timed_out);
		if (ret < 0) {
			/* ring teardown below cancels the RUN in flight */
			run_failed("io_uring_wait_cqe", -ret);
			break;
		}
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (res == -EINTR && !timed_out)
			continue;
		if (res < 0) {
			run_failed("HCL_URING_CMD_RUN", -res);
			break;
		}
		if (!rep->t_first_exit)
			rep->t_first_exit = hcl_now_ns();
		vm->user_exits++;
		ret = handle_exit(vm);
		if (ret <= 0) {
			halted = ret == 0;
			break;
		}
	}
	io_uring_queue_exit(&ring);
	return halted;
}

/* Returns 1 when the guest halted, 0 on any other end. */
static int run_vp(struct vm *vm, struct hcl_vm_report *rep)
{
	int ret;

	for (;;) {
		if (ioctl(vm->vp_fd, HCL_VP_RUN, 0)) {
			if (errno == EINTR && !timed_out)
				continue;
			return run_failed("HCL_VP_RUN", errno);
		}
		if (!rep->t_first_exit)
			rep->t_first_exit = hcl_now_ns();
		vm->user_exits++;
		ret = handle_exit(vm);
		if (ret <= 0)
			return ret == 0;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guest", required_argument, NULL, 'g' },
		{ "corrupt-cpuid", no_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "ioctl", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct hcl_vm_report rep = { .magic = HCL_REPORT_MAGIC };
	const char *guest = DEFAULT_GUEST;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct vm vm = { .hcl_fd = -1, .vp_fd = -1 };
	int corrupt = hcl_env_u64("HCL_GUEST_CPUID_BAD") != 0;
	unsigned int timeout = 60;
	int c, ok, use_ioctl = 0;

	rep.t_vm_start = hcl_now_ns();
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			guest = optarg;
			break;
		case 'c':
			corrupt = 1;
			break;
		case 't':
			timeout = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'i':
			use_ioctl = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [--guest PATH] "
				"[--corrupt-cpuid] [--timeout SEC] [--ioctl]\n",
				argv[0]);
			return 2;
		}
	}
	if (setup(&vm, guest, corrupt))
		return 1;
	if (corrupt)
		printf("underhill_vm: CPUID table deliberately corrupted\n");

	sigaction(SIGALRM, &sa, NULL);
	alarm(timeout);
	rep.halted = use_ioctl ? run_vp(&vm, &rep) : run_vp_uring(&vm, &rep);
	alarm(0);
	rep.t_guest_done = hcl_now_ns();
	if (vm.line_len)
		com1_tx(&vm, '\n');
	rep.guest_result = vm.guest_result;
	rep.exits = vm.user_exits;
	if (write(HCL_REPORT_FD, &rep, sizeof(rep)) != sizeof(rep) &&
	    errno != EBADF)
		perror("underhill_vm: report");

	ok = rep.halted && vm.guest_result == 0;
	if (!rep.halted)
		printf("underhill_vm: VTL0 guest stopped without halting\n");
	else if (vm.guest_result == RESULT_NONE)
		printf("underhill_vm: VTL0 guest halted without a result\n");
	else if (vm.guest_result)
		printf("underhill_vm: VTL0 guest reported failure %u\n",
		       vm.guest_result);
	return ok ? 0 : 1;
}
