// SPDX-License-Identifier: GPL-2.0
/*
 * underhill_vm: the VM worker.
 *
 * Opens /dev/hcl, maps VTL0 RAM, loads the VTL0 image, claims the ports
 * its device bus decodes, creates the VPs, gives each its CPUID table and
 * initial state, and runs them: by default all from this one thread with
 * io_uring (HCL_URING_CMD_RUN), or with one thread per VP and the
 * HCL_VP_RUN ioctl.  Exits the kernel sends up are handled here: port I/O
 * goes to the device bus (16550 on COM1, the test device); a VP is done
 * when it halts with interrupts off.  When all are done, a struct
 * hcl_vm_report goes to openvmm_hcl on fd 3.
 *
 * Options:
 *   --guest PATH       VTL0 image (flat binary at 1 MiB)
 *   --vps N            VPs to run (default: HCL_VPS, else one per CPU)
 *   --corrupt-cpuid    give the guest a wrong CPUID value (negative test)
 *   --timeout SEC      stop a guest that runs longer (default 60)
 *   --ioctl            a thread per VP with HCL_VP_RUN instead of io_uring
 * HCL_GUEST_CPUID_BAD=1 in the environment acts like --corrupt-cpuid;
 * HCL_DEBUG=1 logs every io_uring completion on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
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
#define MAX_VPS		64

struct vp {
	struct vm *vm;
	unsigned int index;
	int fd;
	struct hcl_run *run;
	uint32_t result;	/* from the test port */
	int state;		/* 1 running, 0 halted, -1 failed */
	pthread_t thread;
};

struct vm {
	int hcl_fd;
	void *mem;
	uint64_t mem_size;
	unsigned int nr_vps;
	struct vp vps[MAX_VPS];
	/* the device bus; ioctl mode has a thread per VP, so it is locked */
	pthread_mutex_t bus_lock;
	struct uart16550 com1;
	char line[256];
	size_t line_len;
	uint64_t user_exits;
	uint64_t tsc_first_exit;
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
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
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

static int setup_vp(struct vm *vm, unsigned int i, int corrupt,
		    const struct hcl_regs *regs0, const struct hcl_sregs *sregs)
{
	struct hcl_create_vp cvp = { .vp_index = i };
	struct hcl_cpuid_entry ent[8];
	struct hcl_cpuid cpuid = { 0 };
	struct hcl_regs regs = *regs0;
	struct vp *vp = &vm->vps[i];

	vp->vm = vm;
	vp->index = i;
	vp->result = RESULT_NONE;
	vp->state = 1;
	vp->fd = ioctl(vm->hcl_fd, HCL_CREATE_VP, &cvp);
	if (vp->fd < 0) {
		fprintf(stderr, "underhill_vm: HCL_CREATE_VP %u: %s\n", i,
			strerror(errno));
		return -1;
	}
	vp->run = mmap(NULL, HCL_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vp->fd, 0);
	if (vp->run == MAP_FAILED) {
		perror("underhill_vm: mmap run page");
		return -1;
	}
	cpuid.nent = vtl0_test_cpuid(ent, 8, corrupt);
	cpuid.entries = (uintptr_t)ent;
	regs.gprs[HCL_REG_RSP] = HCL_GUEST_VP_STACK(i);
	if (ioctl(vp->fd, HCL_VP_SET_CPUID, &cpuid) ||
	    ioctl(vp->fd, HCL_VP_SET_SREGS, sregs) ||
	    ioctl(vp->fd, HCL_VP_SET_REGS, &regs)) {
		perror("underhill_vm: VP setup");
		return -1;
	}
	return 0;
}

static int setup(struct vm *vm, const char *guest, int corrupt,
		 unsigned int nr_vps)
{
	struct hcl_sregs sregs;
	struct hcl_regs regs;
	struct hcl_info info;
	unsigned int i;
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
	if (!nr_vps || nr_vps > info.max_vps || nr_vps > MAX_VPS) {
		fprintf(stderr, "underhill_vm: %u VPs asked, 1 to %u possible\n",
			nr_vps, info.max_vps < MAX_VPS ? info.max_vps : MAX_VPS);
		return -1;
	}
	vm->nr_vps = nr_vps;
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
	/* the guest's first instruction stamps the TSC here (start.S) */
	memset((char *)vm->mem + HCL_GUEST_FIRST_TSC_GPA, 0, sizeof(uint64_t));
	if (vtl0_setup_long_mode(vm->mem, vm->mem_size, HCL_GUEST_LOAD_GPA,
				 HCL_GUEST_STACK_TOP, &regs, &sregs)) {
		perror("underhill_vm: VTL0 setup");
		return -1;
	}
	if (claim_ports(vm->hcl_fd))
		return -1;
	for (i = 0; i < nr_vps; i++)
		if (setup_vp(vm, i, corrupt, &regs, &sregs))
			return -1;
	pthread_mutex_init(&vm->bus_lock, NULL);
	uart_init(&vm->com1, com1_tx, vm);
	return 0;
}

static void handle_io(struct vp *vp)
{
	struct hcl_run *run = vp->run;
	struct vm *vm = vp->vm;
	uint16_t port = run->io.port;
	int out = run->io.direction == HCL_IO_OUT;

	pthread_mutex_lock(&vm->bus_lock);
	if (port >= HCL_COM1_PORT && port < HCL_COM1_PORT + UART_NR_REGS) {
		if (out)
			uart_write(&vm->com1, port - HCL_COM1_PORT,
				   (uint8_t)run->io.data);
		else
			run->io.data = uart_read(&vm->com1,
						 port - HCL_COM1_PORT);
	} else if (port == HCL_TEST_PORT && run->io.size == 4) {
		if (out)
			vp->result = (uint32_t)run->io.data;
		else
			run->io.data = vp->result;
	} else if (!out) {
		/* a claimed port without a device: reads float high */
		run->io.data = ~0ULL;
	}
	vm->user_exits++;
	if (!vm->tsc_first_exit)
		vm->tsc_first_exit = hcl_rdtsc();
	pthread_mutex_unlock(&vm->bus_lock);
}

static void dump_hw_exit(struct vp *vp, const char *what)
{
	const struct hcl_run *run = vp->run;

	fprintf(stderr,
		"underhill_vm: VP %u: %s at rip %#" PRIx64 ": code %#" PRIx64
		" info1 %#" PRIx64 " info2 %#" PRIx64 " intinfo %#" PRIx64 "\n",
		vp->index, what, (uint64_t)run->rip, (uint64_t)run->hw.code,
		(uint64_t)run->hw.info1, (uint64_t)run->hw.info2,
		(uint64_t)run->hw.int_info);
}

/* One exit: 1 to run on, 0 when the VP halted, -1 when it failed. */
static int handle_exit(struct vp *vp)
{
	const struct hcl_run *run = vp->run;

	switch (run->exit_reason) {
	case HCL_EXIT_IO:
		handle_io(vp);
		return 1;
	case HCL_EXIT_HLT:
		return 0;
	case HCL_EXIT_SHUTDOWN:
		dump_hw_exit(vp, "VTL0 triple fault");
		return -1;
	case HCL_EXIT_FAIL_ENTRY:
		dump_hw_exit(vp, "VP entry failed");
		return -1;
	case HCL_EXIT_VTL_VIOLATION:
		fprintf(stderr, "underhill_vm: VP %u: VTL violation at rip %#"
			PRIx64 ": gpa %#" PRIx64 " access %#x\n", vp->index,
			(uint64_t)run->rip, (uint64_t)run->vtl.gpa,
			run->vtl.access);
		return -1;
	case HCL_EXIT_UNHANDLED:
		dump_hw_exit(vp, "unhandled exit");
		return -1;
	default:
		fprintf(stderr, "underhill_vm: VP %u: unknown exit reason %u\n",
			vp->index, run->exit_reason);
		return -1;
	}
}

static void run_failed(const char *what, int err)
{
	if (timed_out)
		fprintf(stderr, "underhill_vm: guest timed out\n");
	else
		fprintf(stderr, "underhill_vm: %s: %s\n", what, strerror(err));
}

/*
 * io_uring: a RUN in flight per VP, all served by this thread; each
 * completion is one VP's exit to answer.  Returns 0 when every VP halted.
 */
static int run_uring(struct vm *vm)
{
	unsigned int i, live = vm->nr_vps;
	int debug = getenv("HCL_DEBUG") != NULL;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int ret, res = 0;

	ret = io_uring_queue_init(2 * vm->nr_vps, &ring, 0);
	if (ret) {
		run_failed("io_uring_queue_init", -ret);
		return -1;
	}
	for (i = 0; i < vm->nr_vps; i++)
		hcl_queue_run(&ring, vm->vps[i].fd, i);
	while (live) {
		struct vp *vp;
		int r;

		ret = io_uring_submit_and_wait(&ring, 1);
		while (ret == -EINTR && !timed_out)
			ret = io_uring_wait_cqe(&ring, &cqe);
		if (ret < 0) {
			/* ring teardown below cancels the RUNs in flight */
			run_failed("io_uring wait", -ret);
			res = -1;
			break;
		}
		if (io_uring_peek_cqe(&ring, &cqe))
			continue;
		vp = &vm->vps[cqe->user_data < vm->nr_vps ? cqe->user_data : 0];
		r = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (r == -EINTR && !timed_out) {
			hcl_queue_run(&ring, vp->fd, vp->index);
			continue;
		}
		if (r < 0) {
			run_failed("HCL_URING_CMD_RUN", -r);
			res = -1;
			break;
		}
		if (debug)
			fprintf(stderr, "cqe vp %u res %d reason %u port %#x\n",
				vp->index, r, vp->run->exit_reason,
				vp->run->io.port);
		vp->state = handle_exit(vp);
		if (vp->state > 0) {
			/* the run page holds the answer: commit and re-arm */
			hcl_queue_run(&ring, vp->fd, vp->index);
			continue;
		}
		live--;
		if (vp->state < 0) {
			res = -1;
			break;
		}
	}
	io_uring_queue_exit(&ring);
	return res;
}

static void *vp_thread(void *arg)
{
	struct vp *vp = arg;

	for (;;) {
		if (ioctl(vp->fd, HCL_VP_RUN, 0)) {
			if (errno == EINTR && !timed_out)
				continue;
			run_failed("HCL_VP_RUN", errno);
			vp->state = -1;
			return NULL;
		}
		vp->state = handle_exit(vp);
		if (vp->state <= 0)
			return NULL;
	}
}

/* ioctl: a thread per VP, each in HCL_VP_RUN. */
static int run_ioctl(struct vm *vm)
{
	unsigned int i;
	int res = 0;

	for (i = 0; i < vm->nr_vps; i++) {
		if (pthread_create(&vm->vps[i].thread, NULL, vp_thread,
				   &vm->vps[i])) {
			fprintf(stderr, "underhill_vm: pthread_create failed\n");
			vm->nr_vps = i;
			res = -1;
			break;
		}
	}
	for (i = 0; i < vm->nr_vps; i++) {
		pthread_join(vm->vps[i].thread, NULL);
		if (vm->vps[i].state)
			res = -1;
	}
	return res;
}

static unsigned int default_vps(void)
{
	unsigned long n = hcl_env_u64("HCL_VPS");
	long cpus;

	if (n)
		return n > MAX_VPS ? MAX_VPS + 1 : (unsigned int)n;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus > 0 && cpus <= MAX_VPS ? (unsigned int)cpus : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guest", required_argument, NULL, 'g' },
		{ "vps", required_argument, NULL, 'n' },
		{ "corrupt-cpuid", no_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "ioctl", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct hcl_vm_report rep = { .magic = HCL_REPORT_MAGIC };
	static struct vm vm = { .hcl_fd = -1 };
	const char *guest = DEFAULT_GUEST;
	struct sigaction sa = { .sa_handler = on_alarm };
	int corrupt = hcl_env_u64("HCL_GUEST_CPUID_BAD") != 0;
	unsigned int timeout = 60, nr_vps = default_vps(), i;
	int c, ret, use_ioctl = 0;

	rep.tsc_vm_start = hcl_rdtsc();
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			guest = optarg;
			break;
		case 'n':
			nr_vps = (unsigned int)strtoul(optarg, NULL, 0);
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
			fprintf(stderr, "usage: %s [--guest PATH] [--vps N] "
				"[--corrupt-cpuid] [--timeout SEC] [--ioctl]\n",
				argv[0]);
			return 2;
		}
	}
	if (setup(&vm, guest, corrupt, nr_vps))
		return 1;
	printf("underhill_vm: %u VP%s via %s%s\n", vm.nr_vps,
	       vm.nr_vps == 1 ? "" : "s", use_ioctl ? "ioctl" : "io_uring",
	       corrupt ? ", CPUID table deliberately corrupted" : "");

	sigaction(SIGALRM, &sa, NULL);
	alarm(timeout);
	ret = use_ioctl ? run_ioctl(&vm) : run_uring(&vm);
	alarm(0);
	rep.tsc_guest_done = hcl_rdtsc();
	rep.tsc_first_exit = vm.tsc_first_exit;
	memcpy(&rep.tsc_vtl0_first,
	       (char *)vm.mem + HCL_GUEST_FIRST_TSC_GPA,
	       sizeof(rep.tsc_vtl0_first));
	if (vm.line_len)
		com1_tx(&vm, '\n');

	rep.halted = !ret;
	rep.guest_result = 0;
	for (i = 0; i < vm.nr_vps; i++) {
		struct vp *vp = &vm.vps[i];

		if (vp->state)
			rep.halted = 0;
		if (vp->result == RESULT_NONE) {
			if (!vp->state)
				printf("underhill_vm: VP %u halted without a result\n",
				       i);
			rep.guest_result = RESULT_NONE;
		} else if (vp->result) {
			printf("underhill_vm: VP %u reported failure %u\n", i,
			       vp->result);
			if (!rep.guest_result)
				rep.guest_result = vp->result;
		}
	}
	if (!rep.halted)
		printf("underhill_vm: VTL0 stopped without every VP halting\n");
	rep.exits = vm.user_exits;
	rep.vps = vm.nr_vps;
	if (write(HCL_REPORT_FD, &rep, sizeof(rep)) != sizeof(rep) &&
	    errno != EBADF)
		perror("underhill_vm: report");
	return rep.halted && rep.guest_result == 0 ? 0 : 1;
}
