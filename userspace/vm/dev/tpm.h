/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vTPM: a device-worker proxy (devworker.c) for hcl-tpm-worker, the
 * sandboxed libtpms worker with the TIS registers at 0xfed40000.
 * underhill_vm spawns it itself (sandbox_spawn_exec with the tpm
 * policy), its state in TPM_STATE_DIR (a VTL2 tmpfs directory owned by
 * the worker's uid, mode 0700).  The first worker starts with
 * --power-on (the guest sends TPM2_Startup); a restarted one resumes the
 * volatile state of the last completed command.  See docs/vtpm.md.
 *
 * The control port (profiles that want it, e.g. the test guest's): a
 * 32-bit OUT of TPM_CTL_KILL SIGKILLs the worker and returns once it is
 * dead (its restart follows through the event loop); a 32-bit IN gives
 * the number of worker deaths so far.  TPM_CTL_BENCH_START, then
 * (what << 16) | n prints how long the guest's last n operations took:
 * what = 1 GetRandom, 2 PCR_Extend, 3 TIS register reads, 4 posted TIS
 * writes, 5 reads of this port (the benchmark).
 */
#ifndef HCL_VM_DEV_TPM_H
#define HCL_VM_DEV_TPM_H

#include <pthread.h>
#include <stdint.h>

#include "devworker.h"
#include "irq.h"

#define TPM_STATE_DIR		"/run/hcl/tpm"
#define TPM_WORKER_PATH		"/bin/hcl-tpm-worker"
#define TPM_CTL_KILL		1
#define TPM_CTL_BENCH_START	2	/* then (what << 16) | n, what 1-5 */

struct vm;

struct vtpm {
	struct devworker dw;
	struct device ctl;
	uint16_t ctl_port;
	const char *state_dir;
	const char *worker;
	struct vm *vm;
	uint64_t bench_ns, bench_reads, bench_writes;
	/*
	 * The interrupt: the worker names the SIRQ the guest wrote to
	 * TPM_INT_VECTOR (ISA IRQ n is GSI n in our MP table), and the
	 * proxy drives that line.  irq NULL: the guest polls.  The lock
	 * covers line (the worker's reader thread calls in).
	 */
	struct irq *irq;
	unsigned int sirq;	/* the line the platform wired it to */
	pthread_mutex_t irq_lock;
	struct irq_line line;
	uint64_t bad_irqs;	/* SIRQ 0, 2 or above 15: not driven */
};

/*
 * Starts the worker and puts the TPM on vm->bus; @ctl_port != 0 adds the
 * control port; @irq (NULL: none, the guest polls) carries its interrupt
 * on ISA line @sirq (1, 3-15), which the TIS reports in TPM_INT_VECTOR
 * after a reset.  0, or -1 after one line on stderr.
 */
int vtpm_add(struct vtpm *t, struct vm *vm, uint16_t ctl_port,
	     struct irq *irq, unsigned int sirq);

/*
 * One line on stdout with the worker's sandbox as /proc shows it:
 * "underhill_vm: tpm worker pid N: uid U, Seccomp S, NoNewPrivs N,
 * CapEff C".  0, or -1 when the status cannot be read.
 */
int vtpm_report_sandbox(struct vtpm *t);

#endif
