// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "exits.h"
#include "sys.h"

void exits_init(struct exits *ex, struct bus *bus)
{
	memset(ex, 0, sizeof(*ex));
	ex->bus = bus;
}

int exits_add_msr(struct exits *ex, uint32_t first, uint32_t last,
		  msr_fn fn, void *arg)
{
	unsigned int i;

	if (first > last)
		return -EINVAL;
	for (i = 0; i < ex->nr_msr; i++)
		if (first <= ex->msr[i].last && ex->msr[i].first <= last)
			return -EEXIST;
	if (ex->nr_msr == EXITS_MAX_MSR)
		return -ENOSPC;
	ex->msr[ex->nr_msr].first = first;
	ex->msr[ex->nr_msr].last = last;
	ex->msr[ex->nr_msr].fn = fn;
	ex->msr[ex->nr_msr].arg = arg;
	ex->nr_msr++;
	return 0;
}

int exits_add_hypercall(struct exits *ex, uint64_t code, hypercall_fn fn,
			void *arg)
{
	unsigned int i;

	for (i = 0; i < ex->nr_hypercall; i++)
		if (ex->hypercall[i].code == code)
			return -EEXIST;
	if (ex->nr_hypercall == EXITS_MAX_HYPERCALL)
		return -ENOSPC;
	ex->hypercall[ex->nr_hypercall].code = code;
	ex->hypercall[ex->nr_hypercall].fn = fn;
	ex->hypercall[ex->nr_hypercall].arg = arg;
	ex->nr_hypercall++;
	return 0;
}

int exits_msr_rules(const struct exits *ex, struct hcl_msr_rule *rules,
		    unsigned int max)
{
	unsigned int i, n = 0;
	uint64_t idx;

	for (i = 0; i < ex->nr_msr; i++)
		for (idx = ex->msr[i].first; idx <= ex->msr[i].last; idx++) {
			if (n == max)
				return -ENOSPC;
			memset(&rules[n], 0, sizeof(rules[n]));
			rules[n].index = (uint32_t)idx;
			rules[n].action = HCL_MSR_USER;
			n++;
		}
	return (int)n;
}

static int handle_io(struct exits *ex, unsigned int vp, struct hcl_run *run)
{
	struct bus_access a = {
		.vp = vp, .size = run->io.size,
		.write = run->io.direction == HCL_IO_OUT,
		.data = run->io.data,
	};

	/* no device there: reads float high, writes go nowhere */
	bus_access(ex->bus, HCL_RANGE_PIO, run->io.port, &a);
	if (a.deferred)
		return EXIT_PENDING;
	if (!a.write)
		run->io.data = a.data;
	return EXIT_RUN;
}

static int handle_mmio(struct exits *ex, unsigned int vp,
		       struct hcl_run *run)
{
	struct bus_access a = {
		.vp = vp, .size = run->mmio.size,
		.write = run->mmio.direction == HCL_MMIO_WRITE,
		.data = run->mmio.data,
	};

	if (bus_access(ex->bus, HCL_RANGE_MMIO, run->mmio.gpa, &a)) {
		fprintf(stderr, "underhill_vm: VP %u: MMIO %s of %u bytes at %#"
			PRIx64 " (rip %#" PRIx64 "): no device there\n", vp,
			a.write ? "write" : "read", a.size,
			(uint64_t)run->mmio.gpa, (uint64_t)run->rip);
		return EXIT_FAIL;
	}
	if (a.deferred)
		return EXIT_PENDING;
	if (!a.write)
		run->mmio.data = a.data;
	return EXIT_RUN;
}

static int handle_msr(struct exits *ex, unsigned int vp, struct hcl_run *run)
{
	bool write = run->msr.direction == HCL_MSR_WRITE;
	uint32_t index = run->msr.index;
	uint64_t data = write ? run->msr.data : 0;
	unsigned int i;

	for (i = 0; i < ex->nr_msr; i++) {
		if (index < ex->msr[i].first || index > ex->msr[i].last)
			continue;
		run->msr.error = ex->msr[i].fn(ex->msr[i].arg, vp, index,
					       write, &data) ? 1 : 0;
		if (!write && !run->msr.error)
			run->msr.data = data;
		return EXIT_RUN;
	}
	fprintf(stderr, "underhill_vm: VP %u: %s of MSR %#x (rip %#" PRIx64
		"): no handler\n", vp, write ? "WRMSR" : "RDMSR", index,
		(uint64_t)run->rip);
	return EXIT_FAIL;
}

static int handle_hypercall(struct exits *ex, unsigned int vp,
			    struct hcl_run *run)
{
	uint64_t args[4], ret = 0, code = run->hypercall.code;
	unsigned int i;
	int err;

	memcpy(args, (const void *)run->hypercall.args, sizeof(args));
	for (i = 0; i < ex->nr_hypercall; i++) {
		if (ex->hypercall[i].code != code)
			continue;
		err = ex->hypercall[i].fn(ex->hypercall[i].arg, vp, args, &ret);
		if (err) {
			fprintf(stderr, "underhill_vm: VP %u: hypercall %#"
				PRIx64 " (rip %#" PRIx64 "): %s\n", vp, code,
				(uint64_t)run->rip, strerror(-err));
			return EXIT_FAIL;
		}
		run->hypercall.ret = ret;
		return EXIT_RUN;
	}
	fprintf(stderr, "underhill_vm: VP %u: hypercall %#" PRIx64 " (rip %#"
		PRIx64 "): no handler\n", vp, code, (uint64_t)run->rip);
	return EXIT_FAIL;
}

static void dump_hw_exit(unsigned int vp, const struct hcl_run *run,
			 const char *what)
{
	fprintf(stderr,
		"underhill_vm: VP %u: %s at rip %#" PRIx64 ": code %#" PRIx64
		" info1 %#" PRIx64 " info2 %#" PRIx64 " intinfo %#" PRIx64 "\n",
		vp, what, (uint64_t)run->rip, (uint64_t)run->hw.code,
		(uint64_t)run->hw.info1, (uint64_t)run->hw.info2,
		(uint64_t)run->hw.int_info);
}

/* an exit that a handler answers: counted, the first one stamped */
static void count(struct exits *ex)
{
	uint64_t zero = 0;

	if (!__atomic_fetch_add(&ex->user_exits, 1, __ATOMIC_RELAXED))
		__atomic_compare_exchange_n(&ex->tsc_first, &zero, hcl_rdtsc(),
					    false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
}

int exits_handle(struct exits *ex, unsigned int vp, struct hcl_run *run)
{
	switch (run->exit_reason) {
	case HCL_EXIT_IO:
		count(ex);
		return handle_io(ex, vp, run);
	case HCL_EXIT_MMIO:
		count(ex);
		return handle_mmio(ex, vp, run);
	case HCL_EXIT_MSR:
		count(ex);
		return handle_msr(ex, vp, run);
	case HCL_EXIT_HYPERCALL:
		count(ex);
		return handle_hypercall(ex, vp, run);
	case HCL_EXIT_HLT:
		return EXIT_HALT;
	case HCL_EXIT_SHUTDOWN:
		dump_hw_exit(vp, run, "VTL0 triple fault");
		if (!ex->events)
			return EXIT_FAIL;
		vm_event_raise(ex->events, VM_EVENT_RESET,
			       VM_RESET_TRIPLE_FAULT, vp);
		return EXIT_HALT;
	case HCL_EXIT_FAIL_ENTRY:
		dump_hw_exit(vp, run, "VP entry failed");
		return EXIT_FAIL;
	case HCL_EXIT_VTL_VIOLATION:
		fprintf(stderr, "underhill_vm: VP %u: VTL violation at rip %#"
			PRIx64 ": gpa %#" PRIx64 " access %#x\n", vp,
			(uint64_t)run->rip, (uint64_t)run->vtl.gpa,
			run->vtl.access);
		return EXIT_FAIL;
	case HCL_EXIT_UNHANDLED:
		dump_hw_exit(vp, run, "unhandled exit");
		return EXIT_FAIL;
	default:
		fprintf(stderr, "underhill_vm: VP %u: unknown exit reason %u\n",
			vp, run->exit_reason);
		return EXIT_FAIL;
	}
}
