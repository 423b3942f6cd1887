// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"
#include "tpm.h"
#include "vm.h"

static void tpm_complete(void *arg, unsigned int vp, uint64_t data)
{
	vm_vp_complete(arg, vp, data);
}

/*
 * The worker's interrupt output, from its reader thread: @line is the
 * SIRQ the guest chose.  The cascade (2), 0 ("none") and anything above
 * the ISA range are refused and counted; sharing a line with another
 * device is the guest's choice and not wired-OR here.
 */
static void tpm_irq(void *arg, unsigned int line, int level)
{
	struct vtpm *t = arg;

	pthread_mutex_lock(&t->irq_lock);
	if (line == 0 || line == 2 || line > 15) {
		t->bad_irqs++;
	} else {
		if (!t->line.irq || t->line.gsi != line) {
			if (t->line.irq && t->line.level == 1)
				irq_line_set(&t->line, 0);
			irq_line_init(&t->line, t->irq, line);
		}
		irq_line_set(&t->line, level ? 1 : 0);
	}
	pthread_mutex_unlock(&t->irq_lock);
}

/* the worker, jailed, with only its end of the socketpair (fd 3) */
static pid_t tpm_spawn(void *arg, int fd, bool restart)
{
	struct vtpm *t = arg;
	struct sandbox_policy p;
	char sirq[4];
	char *argv[] = {
		"hcl-tpm-worker", "--state", (char *)t->state_dir,
		"--fd", "3", "--sirq", sirq,
		restart ? NULL : "--power-on", NULL,
	};
	char err[320];
	pid_t pid;

	snprintf(sirq, sizeof(sirq), "%u", t->irq ? t->sirq : 0);
	sandbox_policy_default(&p, SANDBOX_PROFILE_TPM, t->state_dir);
	pid = sandbox_spawn_exec(&p, t->worker, argv, &fd, 1, err,
				 sizeof(err));
	if (pid < 0)
		fprintf(stderr, "underhill_vm: tpm worker: %s\n", err);
	else if (err[0])
		fprintf(stderr, "underhill_vm: tpm worker: %s\n", err);
	return pid;
}

/* TPM_STATE_DIR: the worker's uid owns it, nobody else may look */
static int make_state_dir(const char *dir)
{
	char parent[256];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		if (mkdir(parent, 0755) && errno != EEXIST)
			return -errno;
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (chown(dir, 65534, 65534) || chmod(dir, 0700))
		return -errno;
	return 0;
}

/* a VmRSS/VmHWM line of the worker's status, in kB; 0 if unknown */
static unsigned long worker_kb(pid_t pid, const char *key)
{
	char path[64], line[128];
	unsigned long kb = 0;
	size_t n = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			kb = strtoul(line + n + 1, NULL, 10);
	fclose(f);
	return kb;
}

/* the guest ran @n commands since TPM_CTL_BENCH_START */
static void bench_done(struct vtpm *t, const char *what, unsigned int n)
{
	uint64_t ns = hcl_now_ns() - t->bench_ns, reads, writes;
	pid_t pid = devworker_pid(&t->dw);

	pthread_mutex_lock(&t->dw.lock);
	reads = t->dw.reads - t->bench_reads;
	writes = t->dw.writes - t->bench_writes;
	pthread_mutex_unlock(&t->dw.lock);
	if (!n || !ns)
		return;
	printf("underhill_vm: tpm bench: %u x %s in %" PRIu64 " us: %.0f/s, %.1f us each, %" PRIu64 " MMIO reads + %" PRIu64 " writes each; worker RSS %lu kB (peak %lu kB)\n",
	       n, what, ns / 1000, n * 1e9 / (double)ns,
	       ns / 1000.0 / n, reads / n, writes / n,
	       worker_kb(pid, "VmRSS"), worker_kb(pid, "VmHWM"));
}

/* the control port: kill the worker (and wait until it is dead) */
static void ctl_io(struct device *dev, uint8_t space, uint64_t offset,
		   struct bus_access *a)
{
	struct vtpm *t = container_of(dev, struct vtpm, ctl);
	siginfo_t si;
	pid_t pid;

	(void)space;
	if (offset || a->size != 4) {
		if (!a->write)
			a->data = ~0ULL;
		return;
	}
	if (!a->write) {
		pthread_mutex_lock(&t->dw.lock);
		a->data = t->dw.crashes;
		pthread_mutex_unlock(&t->dw.lock);
		return;
	}
	if (a->data == TPM_CTL_BENCH_START) {
		t->bench_ns = hcl_now_ns();
		pthread_mutex_lock(&t->dw.lock);
		t->bench_reads = t->dw.reads;
		t->bench_writes = t->dw.writes;
		pthread_mutex_unlock(&t->dw.lock);
		return;
	}
	if (a->data >> 16 >= 1 && a->data >> 16 <= 5) {
		static const char *const what[] = {
			NULL, "GetRandom(32)", "PCR_Extend",
			"TIS register read (worker round trip)",
			"TIS register write (posted)",
			"port read (answered by underhill_vm)",
		};

		bench_done(t, what[a->data >> 16],
			   (unsigned int)(a->data & 0xffff));
		return;
	}
	if (a->data != TPM_CTL_KILL)
		return;
	pid = devworker_pid(&t->dw);
	if (pid <= 0 || kill(pid, SIGKILL))
		return;
	/* dead but not reaped: the supervisor still sees it die */
	while (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) && errno == EINTR)
		;
}

static int ctl_init(struct device *dev, struct bus *bus)
{
	struct vtpm *t = container_of(dev, struct vtpm, ctl);

	return bus_add_range(bus, dev, HCL_RANGE_PIO, t->ctl_port, 4);
}

static const struct device_ops ctl_ops = {
	.name = "tpm-ctl",
	.init = ctl_init,
	.io = ctl_io,
};

int vtpm_add(struct vtpm *t, struct vm *vm, uint16_t ctl_port,
	     struct irq *irq, unsigned int sirq)
{
	struct devworker_config cfg = {
		.name = "tpm",
		.spawn = tpm_spawn, .spawn_arg = t,
		.complete = tpm_complete, .complete_arg = vm,
		.mem = vm->mem, .mem_size = vm->mem_size,
	};
	const char *env;
	int ret;

	memset(t, 0, sizeof(*t));
	t->vm = vm;
	pthread_mutex_init(&t->irq_lock, NULL);
	if (irq && irq->present && sirq && sirq != 2 && sirq <= 15) {
		t->irq = irq;
		t->sirq = sirq;
		cfg.irq = tpm_irq;
		cfg.irq_arg = t;
	}
	env = getenv("HCL_TPM_STATE");
	t->state_dir = env && *env ? env : TPM_STATE_DIR;
	env = getenv("HCL_TPM_WORKER");
	t->worker = env && *env ? env : TPM_WORKER_PATH;
	ret = make_state_dir(t->state_dir);
	if (ret) {
		fprintf(stderr, "underhill_vm: tpm state %s: %s\n",
			t->state_dir, strerror(-ret));
		return -1;
	}
	if (devworker_start(&t->dw, &cfg, vm->loop))
		return -1;
	ret = devworker_add(&t->dw, &vm->bus);
	if (!ret && ctl_port) {
		t->ctl.ops = &ctl_ops;
		t->ctl_port = ctl_port;
		ret = bus_add_device(&vm->bus, &t->ctl);
	}
	if (ret) {
		fprintf(stderr, "underhill_vm: tpm: %s\n", strerror(-ret));
		return -1;
	}
	return 0;
}

int vtpm_report_sandbox(struct vtpm *t)
{
	char path[64], line[256], uid[64] = "?", sec[16] = "?", nnp[16] = "?";
	char cap[32] = "?";
	pid_t pid = devworker_pid(&t->dw);
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "Uid:", 4))
			sscanf(line + 4, "%63s", uid);
		else if (!strncmp(line, "Seccomp:", 8))
			sscanf(line + 8, "%15s", sec);
		else if (!strncmp(line, "NoNewPrivs:", 11))
			sscanf(line + 11, "%15s", nnp);
		else if (!strncmp(line, "CapEff:", 7))
			sscanf(line + 7, "%31s", cap);
	}
	fclose(f);
	printf("underhill_vm: tpm worker pid %d: uid %s, Seccomp %s, NoNewPrivs %s, CapEff %s\n",
	       (int)pid, uid, sec, nnp, cap);
	return 0;
}
