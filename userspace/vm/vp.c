// SPDX-License-Identifier: GPL-2.0
/*
 * The VPs: creating them, and the two ways to run them.  By default one
 * thread runs every VP through the event loop (a HCL_URING_CMD_RUN in
 * flight per VP); with --ioctl each VP has a thread of its own in
 * HCL_VP_RUN (KVM_RUN's model) and this thread runs the event loop for
 * the rest.  Both hand each exit to exits_handle(), and both stop the
 * guest after vm->timeout seconds with a timer on the loop.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loop.h"
#include "vm.h"

/* the MSR policy that sends the MSRs with a handler up, if there are any */
static int set_msr_policy(struct vm *vm, struct vp *vp)
{
	static struct hcl_msr_rule rules[HCL_MAX_MSR_RULES];
	struct hcl_msr_policy pol = { .default_action = HCL_MSR_GP };
	int n = exits_msr_rules(&vm->exits, rules, HCL_MAX_MSR_RULES);

	if (n < 0) {
		fprintf(stderr, "underhill_vm: more MSR handlers than %u MSRs\n",
			HCL_MAX_MSR_RULES);
		return -1;
	}
	if (!n)
		return 0;
	pol.nrules = (uint32_t)n;
	pol.rules = (uintptr_t)rules;
	if (ioctl(vp->fd, HCL_VP_SET_MSR_POLICY, &pol)) {
		perror("underhill_vm: HCL_VP_SET_MSR_POLICY");
		return -1;
	}
	return 0;
}

int vm_create_vps(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vps; i++) {
		struct hcl_create_vp cvp = {
			.vp_index = i,
			.flags = i && vm->aps_wait_sipi ?
				 HCL_CREATE_VP_WAIT_SIPI : 0,
		};
		struct vp *vp = &vm->vps[i];

		vp->vm = vm;
		vp->index = i;
		vp->state = EXIT_RUN;
		pthread_mutex_init(&vp->wait_lock, NULL);
		pthread_cond_init(&vp->wait_cond, NULL);
		vp->fd = ioctl(vm->hcl_fd, HCL_CREATE_VP, &cvp);
		if (vp->fd < 0) {
			fprintf(stderr, "underhill_vm: HCL_CREATE_VP %u: %s\n",
				i, strerror(errno));
			return -1;
		}
		vp->run = mmap(NULL, HCL_RUN_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED, vp->fd, 0);
		if (vp->run == MAP_FAILED) {
			perror("underhill_vm: mmap run page");
			return -1;
		}
		if (set_msr_policy(vm, vp) || vm->guest->setup_vp(vm, vp))
			return -1;
	}
	return 0;
}

void vm_vp_complete(struct vm *vm, unsigned int index, uint64_t data)
{
	struct vp *vp = &vm->vps[index];

	if (index >= vm->nr_vps)
		return;
	if (vp->run->exit_reason == HCL_EXIT_MMIO &&
	    vp->run->mmio.direction == HCL_MMIO_READ)
		vp->run->mmio.data = data;
	else if (vp->run->exit_reason == HCL_EXIT_IO &&
		 vp->run->io.direction == HCL_IO_IN)
		vp->run->io.data = (uint32_t)data;
	if (vm->ioctl_path) {
		pthread_mutex_lock(&vp->wait_lock);
		vp->resumed = true;
		pthread_cond_signal(&vp->wait_cond);
		pthread_mutex_unlock(&vp->wait_lock);
		return;
	}
	if (vp->state != EXIT_PENDING)
		return;
	vp->state = EXIT_RUN;
	if (loop_resume_vp(vm->loop, vp->fd))
		loop_stop(vm->loop, -1);
}

/* ---- io_uring: every VP from the event loop ------------------------------ */

struct uring_run {
	struct vm *vm;
	unsigned int live;	/* VPs not yet halted */
	int debug;
};

static struct uring_run urun;

static bool vp_exited(struct loop *loop, void *arg, int res)
{
	struct vp *vp = arg;

	if (res == -EINTR)
		return true;	/* interrupted before an exit: run again */
	if (res < 0) {
		fprintf(stderr, "underhill_vm: HCL_URING_CMD_RUN: %s\n",
			strerror(-res));
		vp->state = EXIT_FAIL;
		loop_stop(loop, -1);
		return false;
	}
	if (urun.debug)
		fprintf(stderr, "cqe vp %u res %d reason %u port %#x\n",
			vp->index, res, vp->run->exit_reason, vp->run->io.port);
	vp->state = exits_handle(&urun.vm->exits, vp->index, vp->run);
	if (vm_event_get(&urun.vm->events)) {
		loop_stop(loop, 0);	/* power-off or reset: the run ends */
		return false;
	}
	if (vp->state == EXIT_RUN)
		return true;	/* the run page holds the answer: commit */
	if (vp->state == EXIT_PENDING)
		return false;	/* vm_vp_complete() runs it again */
	if (vp->state == EXIT_FAIL)
		loop_stop(loop, -1);
	else if (!--urun.live)
		loop_stop(loop, 0);
	return false;
}

static void timed_out(struct loop *loop, void *arg, uint64_t expirations)
{
	(void)arg;
	(void)expirations;
	fprintf(stderr, "underhill_vm: guest timed out\n");
	loop_stop(loop, -1);
}

int vm_run_uring(struct vm *vm)
{
	struct loop *loop = vm->loop;
	unsigned int i;
	int ret = 0;

	urun.vm = vm;
	urun.live = 0;
	for (i = 0; i < vm->nr_vps; i++)
		urun.live += !vm->vps[i].parked;
	urun.debug = getenv("HCL_DEBUG") != NULL;
	if (vm->timeout)
		ret = loop_add_timer(loop, vm->timeout * 1000000000ULL, 0,
				     timed_out, NULL);
	for (i = 0; i < vm->nr_vps && ret >= 0; i++)
		if (!vm->vps[i].parked)
			ret = loop_add_vp(loop, vm->vps[i].fd, vp_exited,
					  &vm->vps[i]);
	if (ret >= 0)
		ret = loop_run(loop);
	if (ret < -1)
		fprintf(stderr, "underhill_vm: event loop: %s\n",
			strerror(-ret));
	return ret ? -1 : 0;
}

/* ---- ioctl: a thread per VP ---------------------------------------------- */

/*
 * Each VP thread sits in HCL_VP_RUN; this thread runs the event loop
 * meanwhile (timers, and the fds devices add), like a VMM's I/O thread.
 * A VP thread that ends signals done_fd; a timeout sets stop, the run
 * pages' immediate_exit and sends SIGUSR1 to every VP thread, so that
 * HCL_VP_RUN ends with EINTR whether the thread is in it or about to be.
 */
struct ioctl_run {
	struct vm *vm;
	unsigned int started, ended;
	struct vp *threads[VM_MAX_VPS];	/* the VPs with a thread, started */
	int done_fd;
	volatile int stop;
	int failed;		/* a VP failed: stop the others (atomic) */
};

static struct ioctl_run irun;

static void on_kick(int sig)
{
	(void)sig;
}

/*
 * Parked until vm_vp_complete() (only this VP waits for the device);
 * false when the run is being stopped first (a timeout, another VP's
 * failure), which leaves the VP pending, not halted.
 */
static bool wait_resumed(struct vp *vp)
{
	bool resumed;

	pthread_mutex_lock(&vp->wait_lock);
	while (!vp->resumed && !irun.stop) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&vp->wait_cond, &vp->wait_lock, &ts);
	}
	resumed = vp->resumed;
	vp->resumed = false;
	pthread_mutex_unlock(&vp->wait_lock);
	return resumed;
}

static void *vp_thread(void *arg)
{
	struct vp *vp = arg;
	uint64_t one = 1;

	for (;;) {
		if (ioctl(vp->fd, HCL_VP_RUN, 0)) {
			if (errno == EINTR && !irun.stop)
				continue;
			if (errno != EINTR)
				perror("underhill_vm: HCL_VP_RUN");
			vp->state = EXIT_FAIL;
			break;
		}
		vp->state = exits_handle(&vp->vm->exits, vp->index, vp->run);
		if (vp->state == EXIT_PENDING && wait_resumed(vp))
			vp->state = EXIT_RUN;
		if (vp->state != EXIT_RUN || vm_event_get(&vp->vm->events))
			break;
	}
	if (vp->state == EXIT_FAIL)
		__atomic_store_n(&irun.failed, 1, __ATOMIC_RELEASE);
	if (write(irun.done_fd, &one, sizeof(one)) != sizeof(one))
		perror("underhill_vm: VP done");
	return NULL;
}

/* ends every VP thread's run: at once if it is in HCL_VP_RUN, else next */
static void stop_vps(void)
{
	unsigned int i;

	irun.stop = 1;
	for (i = 0; i < irun.started; i++) {
		__atomic_store_n(&irun.threads[i]->run->immediate_exit, 1,
				 __ATOMIC_SEQ_CST);
		pthread_kill(irun.threads[i]->thread, SIGUSR1);
	}
}

void vm_stop(struct vm *vm)
{
	if (vm->ioctl_path) {
		if (!irun.stop)
			stop_vps();
	} else {
		loop_stop(vm->loop, 0);
	}
}

static void vp_thread_done(struct loop *loop, void *arg, int fd,
			   unsigned int revents)
{
	uint64_t n;

	(void)arg;
	(void)revents;
	if (read(fd, &n, sizeof(n)) == sizeof(n))
		irun.ended += (unsigned int)n;
	if (irun.ended >= irun.started)
		loop_stop(loop, 0);
	else if (!irun.stop &&
		 (__atomic_load_n(&irun.failed, __ATOMIC_ACQUIRE) ||
		  vm_event_get(&irun.vm->events)))
		stop_vps();	/* like the io_uring path: one fails, all stop */
}

static void ioctl_timed_out(struct loop *loop, void *arg, uint64_t n)
{
	(void)loop;
	(void)arg;
	(void)n;
	fprintf(stderr, "underhill_vm: guest timed out\n");
	/* the loop ends when the last VP thread has stopped */
	stop_vps();
}

int vm_run_ioctl(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = on_kick };
	struct loop *loop = vm->loop;
	unsigned int i;
	int res = 0, ret;

	irun.vm = vm;
	vm->ioctl_path = true;
	irun.done_fd = eventfd(0, EFD_CLOEXEC);
	if (irun.done_fd < 0) {
		perror("underhill_vm: eventfd");
		return -1;
	}
	/* no SA_RESTART: the signal ends a VP thread's HCL_VP_RUN */
	sigaction(SIGUSR1, &sa, NULL);
	ret = loop_add_fd(loop, irun.done_fd, vp_thread_done, NULL);
	if (!ret && vm->timeout)
		ret = loop_add_timer(loop, vm->timeout * 1000000000ULL, 0,
				     ioctl_timed_out, NULL);
	if (ret < 0) {
		fprintf(stderr, "underhill_vm: event loop: %s\n",
			strerror(-ret));
		close(irun.done_fd);
		return -1;
	}
	for (i = 0; i < vm->nr_vps; i++) {
		if (vm->vps[i].parked)
			continue;
		if (pthread_create(&vm->vps[i].thread, NULL, vp_thread,
				   &vm->vps[i])) {
			fprintf(stderr, "underhill_vm: pthread_create failed\n");
			res = -1;
			stop_vps();
			break;
		}
		irun.threads[irun.started++] = &vm->vps[i];
	}
	if (irun.started) {
		ret = loop_run(loop);
		if (ret < 0) {
			/* no loop to wait in: stop the VPs and join them */
			fprintf(stderr, "underhill_vm: event loop: %s\n",
				strerror(-ret));
			stop_vps();
			res = -1;
		}
	}
	for (i = 0; i < irun.started; i++) {
		pthread_join(irun.threads[i]->thread, NULL);
		if (irun.threads[i]->state != EXIT_HALT)
			res = -1;
	}
	loop_del_fd(loop, irun.done_fd);
	close(irun.done_fd);
	return res;
}
