// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: how underhill_vm routes the exits hcl.ko sends up. */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "bus.h"
#include "exits.h"

/* a device answering reads with its offset + 0x50, recording writes */
struct echo {
	struct device dev;
	uint8_t space;
	uint64_t start, len, written;
	unsigned int vp;
};

static int echo_init(struct device *dev, struct bus *bus)
{
	struct echo *e = container_of(dev, struct echo, dev);

	return bus_add_range(bus, dev, e->space, e->start, e->len);
}

static void echo_io(struct device *dev, uint8_t space, uint64_t off,
		    struct bus_access *a)
{
	struct echo *e = container_of(dev, struct echo, dev);

	e->vp = a->vp;
	if (a->write)
		e->written = a->data;
	else
		a->data = off + 0x50;
}

static const struct device_ops echo_ops = {
	.name = "echo", .init = echo_init, .io = echo_io,
};

/* MSRs 0x4b564d00..01 read as index * 2; writing 0xbad raises #GP */
static int msr_handler(void *arg, unsigned int vp, uint32_t index,
		       bool write, uint64_t *data)
{
	uint64_t *last = arg;

	if (write) {
		if (*data == 0xbad)
			return 1;
		*last = *data;
		return 0;
	}
	*data = (uint64_t)index * 2 + vp;
	return 0;
}

/* hypercall 0x99 sums its arguments; 0x98 fails */
static int hc_sum(void *arg, unsigned int vp, const uint64_t args[4],
		  uint64_t *ret)
{
	*ret = args[0] + args[1] + args[2] + args[3] + vp;
	return 0;
}

static int hc_fail(void *arg, unsigned int vp, const uint64_t args[4],
		   uint64_t *ret)
{
	return -EIO;
}

FIXTURE(exits) {
	struct bus bus;
	struct exits ex;
	struct echo pio, mmio;
	struct hcl_run run;
	uint64_t last_msr;
};

FIXTURE_SETUP(exits)
{
	bus_init(&self->bus, NULL, NULL);
	exits_init(&self->ex, &self->bus);
	memset(&self->pio, 0, sizeof(self->pio));
	memset(&self->mmio, 0, sizeof(self->mmio));
	self->pio = (struct echo){ .dev.ops = &echo_ops,
		.space = HCL_RANGE_PIO, .start = 0x3f8, .len = 8 };
	self->mmio = (struct echo){ .dev.ops = &echo_ops,
		.space = HCL_RANGE_MMIO, .start = 0xfed00000, .len = 0x400 };
	ASSERT_EQ(0, bus_add_device(&self->bus, &self->pio.dev));
	ASSERT_EQ(0, bus_add_device(&self->bus, &self->mmio.dev));
	memset(&self->run, 0, sizeof(self->run));
	self->last_msr = 0;
}

FIXTURE_TEARDOWN(exits) {}

TEST_F(exits, port_io_to_the_bus)
{
	struct hcl_run *run = &self->run;

	run->exit_reason = HCL_EXIT_IO;
	run->io.port = 0x3fa;
	run->io.size = 1;
	run->io.direction = HCL_IO_IN;
	EXPECT_EQ(EXIT_RUN, exits_handle(&self->ex, 2, run));
	EXPECT_EQ(0x52ULL, run->io.data);
	EXPECT_EQ(2U, self->pio.vp);
	run->io.direction = HCL_IO_OUT;
	run->io.data = 'x';
	EXPECT_EQ(EXIT_RUN, exits_handle(&self->ex, 0, run));
	EXPECT_EQ((uint64_t)'x', self->pio.written);
	/* no device: the read floats high, the VP goes on */
	run->io.port = 0x80;
	run->io.direction = HCL_IO_IN;
	EXPECT_EQ(EXIT_RUN, exits_handle(&self->ex, 0, run));
	EXPECT_EQ(~0ULL, run->io.data);
	EXPECT_EQ(3ULL, self->ex.user_exits);
	EXPECT_NE(0ULL, self->ex.tsc_first);
}

TEST_F(exits, mmio_to_the_bus)
{
	struct hcl_run *run = &self->run;

	run->exit_reason = HCL_EXIT_MMIO;
	run->mmio.gpa = 0xfed000f0;
	run->mmio.size = 4;
	run->mmio.direction = HCL_MMIO_READ;
	EXPECT_EQ(EXIT_RUN, exits_handle(&self->ex, 1, run));
	EXPECT_EQ(0x140ULL, run->mmio.data);
	run->mmio.direction = HCL_MMIO_WRITE;
	run->mmio.data = 0xfeedULL;
	EXPECT_EQ(EXIT_RUN, exits_handle(&self->ex, 1, run));
	EXPECT_EQ(0xfeedULL, self->mmio.written);
	/* MMIO no device takes fails the VP */
	run->mmio.gpa = 0xfed003fe;
	EXPECT_EQ(EXIT_FAIL, exits_handle(&self->ex, 1, run));
	run->mmio.gpa = 0xfec00000;
	EXPECT_EQ(EXIT_FAIL, exits_handle(&self->ex, 1, run));
}

TEST_F(exits, msr_table)
{
	struct hcl_msr_rule rules[4];
	struct hcl_run *run = &self->run;

	ASSERT_EQ(0, exits_add_msr(&self->ex, 0x4b564d00, 0x4b564d01,
				   msr_handler, &self->last_msr));
	EXPECT_EQ(-EEXIST, exits_add_msr(&self->ex, 0x4b564d01, 0x4b564d05,
					 msr_handler, NULL));
	EXPECT_EQ(-EINVAL, exits_add_msr(&self->ex, 5, 4, msr_handler, NULL));
	/* the policy sends exactly the handled MSRs up */
	ASSERT_EQ(2, exits_msr_rules(&self->ex, rules, 4));
	EXPECT_EQ(0x4b564d00U, rules[0].index);
	EXPECT_EQ(0x4b564d01U, rules[1].index);
	EXPECT_EQ((uint32_t)HCL_MSR_USER, rules[1].action);
	EXPECT_EQ(-ENOSPC, exits_msr_rules(&self->ex, rules, 1));

	run->exit_reason = HCL_EXIT_MSR;
	run->msr.index = 0x4b564d01;
	run->msr.direction = HCL_MSR_READ;
	EXPECT_EQ(EXIT_RUN, exits_handle(&self->ex, 1, run));
	EXPECT_EQ(0x4b564d01ULL * 2 + 1, run->msr.data);
	EXPECT_EQ(0, run->msr.error);
	run->msr.direction = HCL_MSR_WRITE;
	run->msr.data = 77;
	EXPECT_EQ(EXIT_RUN, exits_handle(&self->ex, 0, run));
	EXPECT_EQ(77ULL, self->last_msr);
	EXPECT_EQ(0, run->msr.error);
	run->msr.data = 0xbad;
	EXPECT_EQ(EXIT_RUN, exits_handle(&self->ex, 0, run));
	EXPECT_EQ(1, run->msr.error);		/* #GP for the guest */
	/* an MSR with no handler fails the VP */
	run->msr.index = 0x4b564d02;
	EXPECT_EQ(EXIT_FAIL, exits_handle(&self->ex, 0, run));
}

TEST_F(exits, hypercall_table)
{
	struct hcl_run *run = &self->run;

	ASSERT_EQ(0, exits_add_hypercall(&self->ex, 0x99, hc_sum, NULL));
	ASSERT_EQ(0, exits_add_hypercall(&self->ex, 0x98, hc_fail, NULL));
	EXPECT_EQ(-EEXIST, exits_add_hypercall(&self->ex, 0x99, hc_sum, NULL));

	run->exit_reason = HCL_EXIT_HYPERCALL;
	run->hypercall.code = 0x99;
	run->hypercall.args[0] = 1;
	run->hypercall.args[1] = 10;
	run->hypercall.args[2] = 100;
	run->hypercall.args[3] = 1000;
	EXPECT_EQ(EXIT_RUN, exits_handle(&self->ex, 3, run));
	EXPECT_EQ(1114ULL, run->hypercall.ret);
	run->hypercall.code = 0x98;
	EXPECT_EQ(EXIT_FAIL, exits_handle(&self->ex, 3, run));
	run->hypercall.code = 0x97;
	EXPECT_EQ(EXIT_FAIL, exits_handle(&self->ex, 3, run));
}

TEST_F(exits, tables_fill_up)
{
	unsigned int i;

	for (i = 0; i < EXITS_MAX_HYPERCALL; i++)
		ASSERT_EQ(0, exits_add_hypercall(&self->ex, 0x1000 + i, hc_sum,
						 NULL));
	EXPECT_EQ(-ENOSPC, exits_add_hypercall(&self->ex, 1, hc_sum, NULL));
	for (i = 0; i < EXITS_MAX_MSR; i++)
		ASSERT_EQ(0, exits_add_msr(&self->ex, 2 * i, 2 * i,
					   msr_handler, NULL));
	EXPECT_EQ(-ENOSPC, exits_add_msr(&self->ex, 1, 1, msr_handler, NULL));
}

TEST_F(exits, halt_and_failures)
{
	static const uint32_t fail[] = {
		HCL_EXIT_SHUTDOWN, HCL_EXIT_FAIL_ENTRY, HCL_EXIT_VTL_VIOLATION,
		HCL_EXIT_UNHANDLED, HCL_EXIT_NONE, HCL_EXIT_INTR, 200,
	};
	unsigned int i;

	self->run.exit_reason = HCL_EXIT_HLT;
	EXPECT_EQ(EXIT_HALT, exits_handle(&self->ex, 0, &self->run));
	for (i = 0; i < sizeof(fail) / sizeof(fail[0]); i++) {
		self->run.exit_reason = fail[i];
		EXPECT_EQ(EXIT_FAIL, exits_handle(&self->ex, 0, &self->run));
	}
	/* only the exits a handler answered count */
	EXPECT_EQ(0ULL, self->ex.user_exits);
}

/* a guest that resets by triple fault: a reset event, the VP done */
TEST_F(exits, triple_fault_is_a_reset_event)
{
	struct vm_events ev = { 0 };

	self->ex.events = &ev;
	self->run.exit_reason = HCL_EXIT_SHUTDOWN;
	EXPECT_EQ(EXIT_HALT, exits_handle(&self->ex, 1, &self->run));
	EXPECT_EQ(VM_EVENT_RESET, vm_event_get(&ev));
	EXPECT_EQ(VM_RESET_TRIPLE_FAULT, ev.status);
	EXPECT_EQ(1u, ev.vp);
	/* the others still fail the VP */
	self->run.exit_reason = HCL_EXIT_VTL_VIOLATION;
	EXPECT_EQ(EXIT_FAIL, exits_handle(&self->ex, 0, &self->run));
}

TEST_HARNESS_MAIN
