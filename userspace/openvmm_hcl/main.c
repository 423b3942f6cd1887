// SPDX-License-Identifier: GPL-2.0
/*
 * openvmm_hcl: the VTL2 control process.
 *
 * Reads the machine's configuration from the device tree the shim built
 * (/sys/firmware/fdt: VTL0 memory, the staged VTL0 image, VP count, the
 * serial port, the host channel, the boot stamps) and prints it, starts
 * the VM worker underhill_vm with a report pipe on fd 3 and a control
 * socket on fd 4, supervises it, serves the host over the host channel
 * (status, counters, timeline, logs, VTL0 power, workers, shutdown, the
 * guest-state store), prints the worker's exit status and the boot
 * timeline, and powers the VM off with the outcome.  The worker takes
 * the VM's shape (VPs, VTL0 RAM, the payload) from the partition hcl.ko
 * built from the same tree, not from us: one path for each fact.  A
 * kernel booted without the shim has no /openhcl node; a tree that is
 * there but wrong is an error.  The files and what each does:
 * openvmm_hcl.h.
 *
 * Options: --pid FILE writes our PID there (underhill_init passes it).
 *
 * Configuration (environment, from KEY=VALUE words of the command line):
 *   HCL_VM_WORKER   worker binary (default /bin/underhill_vm)
 *   HCL_VM_ARGS     extra worker arguments, space separated (after ours,
 *                   so they win)
 *   HCL_EXIT_PORT   isa-debug-exit port for the final status
 *   HCL_HOST_WAIT_MS how long the boot waits for the host's HELLO when the
 *                   tree names a host channel, before VTL0 starts
 *                   (default 5000; 0: not at all).  The vTPM's stored
 *                   state needs the host: without an answer in time this
 *                   boot's TPM is a new one, whose state is not kept.
 *   HCL_POLICY      the run loop's policy, applied over hcl.ko's netlink
 *                   family at start (docs/netlink.md), for example
 *                   events=shutdown+vtl_violation,rate=50,forward_io=0,
 *                   log=debug
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "openvmm_hcl.h"

#define DEFAULT_WORKER	"/bin/underhill_vm"
/*
 * How long the boot waits for the host's HELLO (HCL_HOST_WAIT_MS), then
 * for the TPM's blob.  A host that is there answers in milliseconds
 * (hclctl serve is connected before VTL2 boots); the wait only matters
 * when nobody answers, and then it delays VTL0.
 */
#define HELLO_WAIT_MS	5000
#define HELLO_WAIT_MAX	600000
#define FETCH_WAIT_MS	60000
/* how long the power-off waits for the TPM's last state to be stored */
#define VTPM_FLUSH_MS	30000

struct hcl_dt_info dt;
bool have_dt;

static int epfd = -1;
static uint64_t start_ns;

int loop_watch(struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

int loop_modify(struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void loop_unwatch(struct watch *w)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t uptime_ms(void)
{
	return (mono_ns() - start_ns) / 1000000;
}

/* ---- configuration --------------------------------------------------------- */

static void print_config(void)
{
	unsigned int i;

	printf("openvmm_hcl: device tree: %u VP%s (%u Linux CPU%s, %u sidecar), VTL0 RAM [%#" PRIx64 ", %#" PRIx64 ") %" PRIu64 " MiB, VTL0 image %" PRIu64 " bytes",
	       dt.vp_count, dt.vp_count == 1 ? "" : "s", dt.linux_cpus,
	       dt.linux_cpus == 1 ? "" : "s", dt.sidecar_cpus,
	       dt.vtl0_base, dt.vtl0_base + dt.vtl0_size,
	       dt.vtl0_size >> 20, dt.image_size);
	if (dt.has_serial)
		printf(", serial %#x", dt.serial_port);
	printf("\n");
	for (i = 0; i < dt.nmap; i++)
		printf("openvmm_hcl:   memory [%#014" PRIx64 ", %#014" PRIx64 ") %s\n",
		       dt.map[i].base, dt.map[i].base + dt.map[i].size,
		       hcl_dt_type_name(dt.map[i].type));
}

static void write_pid_file(int argc, char **argv)
{
	FILE *f;

	if (argc == 1)
		return;
	if (argc != 3 || strcmp(argv[1], "--pid")) {
		fprintf(stderr, "usage: %s [--pid FILE]\n", argv[0]);
		hcl_poweroff(1);
	}
	f = fopen(argv[2], "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
		fprintf(stderr, "openvmm_hcl: %s: %s\n", argv[2],
			strerror(errno));
		hcl_poweroff(1);
	}
}

/* ---- signals and the tick ------------------------------------------------ */

static struct watch sig_watch, tick_watch;

static void on_signal(struct watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			supervise_reap();
		} else if (!supervise_shutting_down()) {
			printf("openvmm_hcl: %s: stopping\n",
			       strsignal(si.ssi_signo));
			supervise_shutdown();
		}
	}
}

static void on_tick(struct watch *w, uint32_t events)
{
	static unsigned int n;
	uint64_t exp;

	(void)events;
	if (read(w->fd, &exp, sizeof(exp)) != sizeof(exp))
		return;
	chan_tick();
	if (++n % 10 == 0)
		supervise_tick();
}

static int setup_loop(void)
{
	struct itimerspec its = {
		.it_interval = { 0, 100000000L }, .it_value = { 0, 100000000L },
	};
	sigset_t set;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	sig_watch.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	sig_watch.fn = on_signal;
	tick_watch.fd = timerfd_create(CLOCK_MONOTONIC,
				       TFD_NONBLOCK | TFD_CLOEXEC);
	tick_watch.fn = on_tick;
	if (sig_watch.fd < 0 || tick_watch.fd < 0 ||
	    timerfd_settime(tick_watch.fd, 0, &its, NULL) ||
	    loop_watch(&sig_watch, EPOLLIN) || loop_watch(&tick_watch, EPOLLIN))
		return -1;
	return 0;
}

static void run_once(int timeout_ms)
{
	struct epoll_event ev[16];
	int n = epoll_wait(epfd, ev, 16, timeout_ms);

	if (n < 0 && errno != EINTR) {
		perror("openvmm_hcl: epoll_wait");
		hcl_poweroff(1);
	}
	for (int i = 0; i < n; i++) {
		struct watch *w = ev[i].data.ptr;

		w->fn(w, ev[i].events);
	}
}

bool loop_until(bool (*done)(void), unsigned int ms)
{
	uint64_t end = uptime_ms() + ms;

	while (!done() && uptime_ms() < end)
		run_once(100);
	return done();
}

static void run_loop(void)
{
	while (!supervise_done())
		run_once(1000);
}

/* ---- the end --------------------------------------------------------------- */

/*
 * Processes still there besides init and us: user programs (a non-empty
 * command line) and zombies.  A clean shutdown leaves none.
 */
static unsigned int leftover_processes(void)
{
	unsigned int n = 0;
	struct dirent *d;
	DIR *dir = opendir("/proc");

	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		char path[64], buf[256], *p;
		int pid = atoi(d->d_name);
		FILE *f;

		if (pid <= 1 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    p[1] == ' ' && p[2] == 'Z') {
			n++;
		} else {
			snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
			fclose(f);
			f = fopen(path, "r");
			if (f && fgetc(f) != EOF)
				n++;
		}
		if (f)
			fclose(f);
	}
	closedir(dir);
	return n;
}

/* hcl.ko holds no partition and nothing of the VM's is left running */
static bool vm_gone(void)
{
	return netlink_partition_open() != 1 && !leftover_processes();
}

/*
 * underhill_vm ended without its report: it crashed (or was killed) and
 * VTL0 ended with it.  Its VPs' files closed with it, so hcl.ko frees
 * the partition; its device workers die with it (PR_SET_PDEATHSIG).
 * Says so in one line, with the cause and what is left, and powers off
 * with failure: nothing restarts a VM whose guest state is gone.
 */
static void __attribute__((noreturn)) crashed(int status)
{
	unsigned int left;
	char cause[96];
	int part;

	if (WIFSIGNALED(status))
		snprintf(cause, sizeof(cause), "was killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status))
		snprintf(cause, sizeof(cause),
			 "exited with status %d without its report",
			 WEXITSTATUS(status));
	else
		snprintf(cause, sizeof(cause), "ended (status %#x)", status);
	loop_until(vm_gone, 3000);
	part = netlink_partition_open();
	left = leftover_processes();
	printf("openvmm_hcl: VTL0 ended: underhill_vm %s; VTL0's state is lost (hcl.ko's partition %s, %u other process%s left)\n",
	       cause, part == 0 ? "released" : part > 0 ? "STILL OPEN" :
	       "unknown", left, left == 1 ? "" : "es");
	chan_event("vm-crash", "underhill_vm", 0, -1,
		   WIFSIGNALED(status) ? WTERMSIG(status) : 0,
		   "underhill_vm %s: VTL0 ended", cause);
	timeline_print();
	chan_flush(1000);
	hcl_poweroff(1);
}

static void finish(void)
{
	int status = supervise_status();
	struct hcl_vm_report rep;
	unsigned int left;
	int ok;

	if (WIFEXITED(status))
		printf("openvmm_hcl: underhill_vm exited with status %d\n",
		       WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("openvmm_hcl: underhill_vm killed by signal %d (%s)\n",
		       WTERMSIG(status), strsignal(WTERMSIG(status)));
	chan_event("vm-exit", "underhill_vm", 0,
		   WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		   WIFSIGNALED(status) ? WTERMSIG(status) : 0, "%s",
		   supervise_shutting_down() ? "shutdown" : "ended");
	vtpm_flush(VTPM_FLUSH_MS);
	if (!supervise_report(&rep))
		crashed(status);
	timeline_set(ST_VM, rep.tsc_vm_start);
	timeline_set(ST_GUEST, rep.tsc_vtl0_first);
	timeline_set(ST_DONE, rep.tsc_guest_done);
	timeline_print();
	if (supervise_shutting_down() || rep.host_stop) {
		/* the host asked: VTL0's own result does not count */
		ok = WIFEXITED(status) &&
		     (WEXITSTATUS(status) == 0 ||
		      rep.host_stop == HCL_HOST_STOP_RESET);
		left = leftover_processes();
		printf("openvmm_hcl: VTL0 %s by the host (%u VP%s, %" PRIu64
		       " exits to userspace); %u other process%s left\n",
		       rep.host_stop == HCL_HOST_STOP_RESET ? "reset" :
		       "powered off", rep.vps, rep.vps == 1 ? "" : "s",
		       rep.exits, left, left == 1 ? "" : "es");
		if (supervise_shutting_down())
			printf("openvmm_hcl: shutdown %s\n",
			       ok && !left ? "complete" : "FAILED");
		ok = ok && !left;
	} else {
		ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		     rep.halted && rep.guest_result == 0;
		printf("openvmm_hcl: VTL0 guest %s (%u VP%s, result %#x, %" PRIu64
		       " exits to userspace)\n", ok ? "succeeded" : "FAILED",
		       rep.vps, rep.vps == 1 ? "" : "s", rep.guest_result,
		       rep.exits);
	}
	chan_event("poweroff", "openvmm_hcl", getpid(), !ok, 0,
		   "the VM powers off with status %d", !ok);
	chan_flush(1000);
	hcl_poweroff(!ok);
}

/* HCL_HOST_WAIT_MS, or the default for a missing or malformed one */
static unsigned int host_wait_ms(void)
{
	const char *env = getenv("HCL_HOST_WAIT_MS");
	unsigned long v;
	char *end;

	if (!env || !*env)
		return HELLO_WAIT_MS;
	errno = 0;
	v = strtoul(env, &end, 10);
	if (errno || *end || *env == '-' || v > HELLO_WAIT_MAX) {
		printf("openvmm_hcl: HCL_HOST_WAIT_MS=%s: not a number of ms up to %u; %u it is\n",
		       env, HELLO_WAIT_MAX, HELLO_WAIT_MS);
		return HELLO_WAIT_MS;
	}
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	const char *worker = getenv("HCL_VM_WORKER");
	char args[1024] = "", err[256];
	struct stat st;

	timeline_init();
	start_ns = mono_ns();
	setvbuf(stdout, NULL, _IOLBF, 0);
	write_pid_file(argc, argv);
	if (!worker || !*worker)
		worker = DEFAULT_WORKER;

	if (!stat(HCL_DT_PATH, &st)) {
		if (hcl_dt_parse_file(HCL_DT_PATH, &dt, err, sizeof(err))) {
			printf("openvmm_hcl: error: %s: %s\n", HCL_DT_PATH,
			       err);
			hcl_poweroff(1);
		}
		have_dt = true;
		print_config();
	} else {
		printf("openvmm_hcl: no device tree (%s): worker defaults\n",
		       HCL_DT_PATH);
	}
	netlink_setup();
	if (getenv("HCL_VM_ARGS"))
		snprintf(args, sizeof(args), "%s", getenv("HCL_VM_ARGS"));

	if (setup_loop()) {
		perror("openvmm_hcl: event loop");
		hcl_poweroff(1);
	}
	logs_init();
	if (chan_init()) {
		unsigned int wait = host_wait_ms();
		uint64_t t0 = uptime_ms();

		/* the TPM's stored state before the TPM worker starts */
		vtpm_init();
		if (!loop_until(chan_up, wait)) {
			printf("openvmm_hcl: host channel: no HELLO from the host within %u ms (HCL_HOST_WAIT_MS): VTL0 starts without it\n",
			       wait);
			vtpm_give_up();
		} else {
			printf("openvmm_hcl: host channel: the host answered in %" PRIu64 " ms\n",
			       uptime_ms() - t0);
		}
		loop_until(vtpm_ready, FETCH_WAIT_MS);
		if (!vtpm_ready())
			vtpm_give_up();
	}
	if (supervise_start(worker, args))
		hcl_poweroff(1);
	run_loop();
	logs_drain();
	logs_summary();
	finish();
}
