// SPDX-License-Identifier: GPL-2.0
/*
 * underhill_vm: the VM worker, a small VMM.
 *
 * Everything about the machine comes from one place, the partition
 * hcl.ko built at load: HCL_GET_INFO gives the VP count and the size of
 * VTL0 RAM, and /sys/class/misc/hcl/vtl0_image the payload the loader
 * staged.  The module took those from the shim's device tree (or, for a
 * kernel booted without the shim, from its parameters), so the VMM cannot
 * disagree with the partition it drives: there is no second copy passed
 * on the command line.  HCL_VPS=N in the environment runs only the first
 * N VPs; with no staged image the payload is the test guest the
 * initramfs carries.
 *
 * The machine: COM1 (a 16550 whose output is our stdout) on the device
 * bus, the guest profile that recognises the payload (guest_*.c) with its
 * own devices, and the VPs, run from one io_uring event loop (default) or
 * a thread each in HCL_VP_RUN (--ioctl).  A VP is done when it halts.
 * Then a struct hcl_vm_report goes to openvmm_hcl on fd 3.
 *
 * The payload, first found: --kernel PATH (with --initrd and --cmdline);
 * the staged image; the test guest.  A staged VTL0 Linux bundle
 * (hcl/vtl0_bundle.h: kernel, initramfs and command line in the IGVM
 * image, `make run GUEST=linux`) and a bzImage run in the Linux profile
 * (guest_linux.c; --initrd and --cmdline override the bundle's),
 * anything else in the test guest's.
 *
 * Options:
 *   --timeout SEC      stop a guest that runs longer (default 60, 0: never)
 *   --ioctl            a thread per VP with HCL_VP_RUN instead of io_uring
 *   --kernel PATH      boot this bzImage in VTL0
 *   --initrd PATH      with this initramfs
 *   --cmdline STR      and this command line
 *   --append STR       added to the Linux command line (e.g. hcl.cmd=...)
 * Exit status: 0 when the guest succeeded (the test guest's VPs all
 * passed, Linux powered off with status 0), 3 when VTL0 reset, else 1
 * (2: bad usage).
 * openvmm_hcl's control socket, when it passes one on fd 4
 * (HCL_CONTROL_FD, control.c): the host's power-off (exit status 0) and
 * reset of VTL0, the device workers' list and restarts.
 * HCL_DEBUG=1 logs every io_uring completion on stderr; profiles read
 * their own settings (guest_test.c: HCL_GUEST_CPUID_BAD).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "hcl/vtl0_bundle.h"
#include "vm.h"

#define STAGED_IMAGE	"/sys/class/misc/hcl/vtl0_image"
#define DEFAULT_IMAGE	"/lib/hcl/vtl0-guest.bin"
#define EXIT_RESET	3

static char full_cmdline[8192];
static const char *cmdline_append;	/* --append */

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	ssize_t n = 0;
	off_t done;
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
	/* sysfs hands a binary attribute out a page per read */
	for (done = 0; buf && done < st.st_size; done += n) {
		n = read(fd, (char *)buf + done, st.st_size - done);
		if (n <= 0) {
			free(buf);
			buf = NULL;
			errno = n ? errno : EIO;
		}
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

/* the bus's claims: accesses to a device's ranges exit to us */
static int claim_range(void *arg, const struct hcl_range *r)
{
	return ioctl(*(int *)arg, HCL_ADD_RANGE, r) ? -errno : 0;
}

/* The partition: VTL0 RAM mapped, the VP count decided. */
static int open_partition(struct vm *vm)
{
	uint64_t want = hcl_env_u64("HCL_VPS");
	unsigned int max;
	struct hcl_info info;

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
	max = info.max_vps < VM_MAX_VPS ? info.max_vps : VM_MAX_VPS;
	if (!want)
		want = max;
	if (!want || want > max) {
		fprintf(stderr, "underhill_vm: %" PRIu64 " VPs asked, 1 to %u possible\n",
			want, max);
		return -1;
	}
	vm->nr_vps = (unsigned int)want;
	vm->mem_size = info.vtl0_mem_size;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->hcl_fd, 0);
	if (vm->mem == MAP_FAILED) {
		perror("underhill_vm: mmap VTL0 memory");
		return -1;
	}
	bus_init(&vm->bus, claim_range, &vm->hcl_fd);
	exits_init(&vm->exits, &vm->bus);
	/* room for a RUN per VP and the fds devices wait on */
	vm->loop = loop_create(2 * vm->nr_vps + 32);
	if (!vm->loop) {
		perror("underhill_vm: io_uring");
		return -1;
	}
	return 0;
}

/* The devices every guest gets. */
static int add_platform(struct vm *vm)
{
	int ret;

	console_init(&vm->console, stdout);
	ret = uart16550_add(&vm->com1, &vm->bus, VM_COM1_PORT, console_putc,
			    &vm->console);
	if (ret) {
		fprintf(stderr, "underhill_vm: COM1: %s\n", strerror(-ret));
		return -1;
	}
	return 0;
}

/* The payload and the profile that runs it. */
static int load_guest(struct vm *vm)
{
	const char *path = access(STAGED_IMAGE, F_OK) ? DEFAULT_IMAGE :
			   STAGED_IMAGE;
	struct hcl_vtl0_linux bundle;
	const void *payload;
	char err[256];
	size_t len;
	void *img;
	int ret;

	if (vm->kernel_path)
		path = vm->kernel_path;
	img = read_file(path, &len);
	if (!img) {
		fprintf(stderr, "underhill_vm: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	payload = img;
	if (!vm->kernel_path && hcl_vtl0_bundle_is(img, len)) {
		/* kernel, initramfs and command line staged together */
		if (hcl_vtl0_bundle_parse(img, len, &bundle, err,
					  sizeof(err))) {
			fprintf(stderr, "underhill_vm: %s: %s\n", path, err);
			free(img);
			return -1;
		}
		payload = bundle.kernel;
		len = bundle.kernel_len;
		if (!vm->cmdline)
			vm->cmdline = bundle.cmdline;
		if (!vm->initrd_path) {
			vm->initrd_mem = bundle.initrd;
			vm->initrd_mem_len = bundle.initrd_len;
		}
		vm->guest = guest_by_name("linux");
	} else {
		/* a kernel named as such is Linux's, whatever its header says */
		vm->guest = vm->kernel_path ? guest_by_name("linux") :
			    guest_find(img, len);
	}
	if (cmdline_append) {
		snprintf(full_cmdline, sizeof(full_cmdline), "%s%s%s",
			 vm->cmdline ? vm->cmdline : "",
			 vm->cmdline && *vm->cmdline ? " " : "",
			 cmdline_append);
		vm->cmdline = full_cmdline;
	}
	if (!vm->guest) {
		fprintf(stderr, "underhill_vm: %s: no guest profile runs it\n",
			path);
		free(img);
		return -1;
	}
	ret = vm->guest->setup(vm, payload, len);
	vm->initrd_mem = NULL;	/* it lived in img */
	free(img);
	return ret;
}

static void report(struct vm *vm, int ret, struct hcl_vm_report *rep)
{
	unsigned int i;
	uint32_t all_halted;

	rep->tsc_guest_done = hcl_rdtsc();
	rep->tsc_first_exit = vm->exits.tsc_first;
	console_flush(&vm->console);
	bus_exit(&vm->bus);

	rep->halted = !ret;
	for (i = 0; i < vm->nr_vps; i++)
		if (vm->vps[i].state != EXIT_HALT && !vm->vps[i].parked)
			rep->halted = 0;
	all_halted = rep->halted;
	/* the profile judges the outcome (and may say more) */
	vm->guest->finish(vm, rep);
	if (!all_halted && vm_event_get(&vm->events) == VM_EVENT_NONE)
		printf("underhill_vm: VTL0 stopped without every VP halting\n");
	rep->exits = vm->exits.user_exits;
	rep->vps = vm->nr_vps;
	rep->host_stop = vm->host_stop;
	if (write(HCL_REPORT_FD, rep, sizeof(*rep)) != sizeof(*rep) &&
	    errno != EBADF)
		perror("underhill_vm: report");
}

/* which VPs hcl.ko runs on sidecar CPUs (the run page says), one line */
static void print_placement(const struct vm *vm)
{
	char line[512];
	unsigned int i, k = 0;
	size_t n = 0;

	for (i = 0; i < vm->nr_vps && n < sizeof(line); i++) {
		int cpu = vm->vps[i].run->sidecar_cpu;

		if (cpu >= 0)
			n += snprintf(line + n, sizeof(line) - n,
				      "%sVP %u on %d", k++ ? ", " : "", i, cpu);
	}
	if (k)
		printf("underhill_vm: on sidecar CPUs: %s\n", line);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "ioctl", no_argument, NULL, 'i' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'r' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "append", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct hcl_vm_report rep = { .magic = HCL_REPORT_MAGIC };
	static struct vm vm = { .hcl_fd = -1, .timeout = 60 };
	const char *note;
	int c, ret, use_ioctl = 0;

	rep.tsc_vm_start = hcl_rdtsc();
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			vm.timeout = (unsigned int)strtoul(optarg, NULL, 0);
			vm.timeout_given = true;
			break;
		case 'i':
			use_ioctl = 1;
			break;
		case 'k':
			vm.kernel_path = optarg;
			break;
		case 'r':
			vm.initrd_path = optarg;
			break;
		case 'c':
			vm.cmdline = optarg;
			break;
		case 'a':
			cmdline_append = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [--timeout SEC] [--ioctl] [--kernel BZIMAGE [--initrd CPIO] [--cmdline STR]] [--append STR]\n",
				argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument %s\n", argv[0],
			argv[optind]);
		return 2;
	}
	if (open_partition(&vm) || add_platform(&vm) || load_guest(&vm) ||
	    vm_create_vps(&vm))
		return 1;
	ret = control_init(&vm);
	if (ret) {
		fprintf(stderr, "underhill_vm: control socket: %s\n",
			strerror(-ret));
		return 1;
	}
	note = vm.guest->note ? vm.guest->note(&vm) : NULL;
	printf("underhill_vm: %u VP%s via %s%s\n", vm.nr_vps,
	       vm.nr_vps == 1 ? "" : "s", use_ioctl ? "ioctl" : "io_uring",
	       note ? note : "");

	print_placement(&vm);
	control_send("vtl0 running %" PRIu64, rep.tsc_vm_start);
	ret = use_ioctl ? vm_run_ioctl(&vm) : vm_run_uring(&vm);
	/* the ring's teardown cancels the RUNs still in flight */
	loop_destroy(vm.loop);
	report(&vm, ret, &rep);
	if (vm.host_stop == HCL_HOST_STOP_POWEROFF)
		return 0;	/* a clean stop the host asked for */
	if (vm_event_get(&vm.events) == VM_EVENT_RESET)
		return EXIT_RESET;
	return rep.halted && rep.guest_result == 0 ? 0 : 1;
}
