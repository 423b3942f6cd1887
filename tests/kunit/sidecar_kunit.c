// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the sidecar's command-page protocol and the control
 * page check (kmod/sidecar.c).  The sidecar's side of the protocol is
 * played by fake_sidecar(), which does what sidecar/dispatch.c does.
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "hcl_kunit.h"
#include "sidecar.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

struct sc_fixture {
	struct hcl_sidecar_control *ctl;
	struct hcl_sidecar_cmd_page *page;
	__be32 ids[3];
};

static int sc_init(struct kunit *test)
{
	struct sc_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->ctl = kunit_kzalloc(test, sizeof(*f->ctl), GFP_KERNEL);
	f->page = kunit_kzalloc(test, sizeof(*f->page), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->ctl);
	KUNIT_ASSERT_NOT_NULL(test, f->page);
	f->ctl->magic = HCL_SIDECAR_MAGIC;
	f->ctl->version = HCL_SIDECAR_VERSION;
	f->ctl->cpu_count = 3;
	f->ctl->region_size = HCL_SIDECAR_REGION_SIZE(3);
	for (i = 0; i < 3; i++) {
		f->ctl->cpu[i].apic_id = i + 1;
		f->ctl->cpu[i].status = HCL_SIDECAR_IDLE;
		f->ids[i] = cpu_to_be32(i + 1);
	}
	test->priv = f;
	return 0;
}

/* the sidecar CPU's half: take a posted command, answer it */
static bool fake_sidecar(struct hcl_sidecar_cpu *cpu,
			 struct hcl_sidecar_cmd_page *page)
{
	/* the command before the seq that posts it */
	u32 seq = smp_load_acquire(&page->seq);

	if (seq == page->ack)
		return false;
	cpu->status = HCL_SIDECAR_BUSY;
	switch (page->command) {
	case HCL_SIDECAR_CMD_PING:
		cpu->pings++;
		page->result = HCL_SIDECAR_RES_OK;
		break;
	case HCL_SIDECAR_CMD_REMOVE:
		page->result = HCL_SIDECAR_RES_OK;
		cpu->status = HCL_SIDECAR_REMOVED;
		/* result and status before the ack */
		smp_store_release(&page->ack, seq);
		return true;
	default:
		page->result = HCL_SIDECAR_RES_BAD_COMMAND;
		break;
	}
	cpu->status = HCL_SIDECAR_IDLE;
	/* result and status before the ack */
	smp_store_release(&page->ack, seq);
	return true;
}

static void sc_ping_round_trip(struct kunit *test)
{
	struct sc_fixture *f = test->priv;
	struct hcl_sidecar_cpu *cpu = &f->ctl->cpu[0];
	u32 seq = 0;

	KUNIT_ASSERT_EQ(test, hcl_sidecar_post(f->page, cpu,
					       HCL_SIDECAR_CMD_PING, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 1U);
	KUNIT_EXPECT_EQ(test, f->page->seq, 1U);
	KUNIT_EXPECT_EQ(test, f->page->command, (u32)HCL_SIDECAR_CMD_PING);
	KUNIT_EXPECT_EQ(test, hcl_sidecar_poll(f->page, cpu, seq),
			HCL_SIDECAR_WAIT_PENDING);
	KUNIT_EXPECT_TRUE(test, fake_sidecar(cpu, f->page));
	KUNIT_EXPECT_EQ(test, hcl_sidecar_poll(f->page, cpu, seq),
			HCL_SIDECAR_WAIT_DONE);
	KUNIT_EXPECT_EQ(test, f->page->result, (u32)HCL_SIDECAR_RES_OK);
	KUNIT_EXPECT_EQ(test, cpu->pings, 1U);
	KUNIT_EXPECT_FALSE(test, fake_sidecar(cpu, f->page));

	/* the next one gets the next number */
	KUNIT_ASSERT_EQ(test, hcl_sidecar_post(f->page, cpu,
					       HCL_SIDECAR_CMD_PING, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 2U);
	KUNIT_EXPECT_TRUE(test, fake_sidecar(cpu, f->page));
	KUNIT_EXPECT_EQ(test, hcl_sidecar_poll(f->page, cpu, seq),
			HCL_SIDECAR_WAIT_DONE);
	KUNIT_EXPECT_EQ(test, cpu->pings, 2U);
}

static void sc_one_in_flight(struct kunit *test)
{
	struct sc_fixture *f = test->priv;
	struct hcl_sidecar_cpu *cpu = &f->ctl->cpu[1];
	u32 seq = 0, seq2 = 0;

	KUNIT_ASSERT_EQ(test, hcl_sidecar_post(f->page, cpu,
					       HCL_SIDECAR_CMD_PING, &seq), 0);
	KUNIT_EXPECT_EQ(test, hcl_sidecar_post(f->page, cpu,
					       HCL_SIDECAR_CMD_STOP, &seq2),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, f->page->seq, seq);
	KUNIT_EXPECT_EQ(test, f->page->command, (u32)HCL_SIDECAR_CMD_PING);
	KUNIT_EXPECT_TRUE(test, fake_sidecar(cpu, f->page));
	KUNIT_EXPECT_EQ(test, hcl_sidecar_post(f->page, cpu,
					       HCL_SIDECAR_CMD_STOP, &seq2), 0);
	KUNIT_EXPECT_EQ(test, seq2, seq + 1);
}

/* the counter wraps like any u32 */
static void sc_seq_wraps(struct kunit *test)
{
	struct sc_fixture *f = test->priv;
	struct hcl_sidecar_cpu *cpu = &f->ctl->cpu[0];
	u32 seq = 0;

	f->page->seq = U32_MAX;
	f->page->ack = U32_MAX;
	KUNIT_ASSERT_EQ(test, hcl_sidecar_post(f->page, cpu,
					       HCL_SIDECAR_CMD_PING, &seq), 0);
	KUNIT_EXPECT_EQ(test, seq, 0U);
	KUNIT_EXPECT_EQ(test, hcl_sidecar_poll(f->page, cpu, seq),
			HCL_SIDECAR_WAIT_PENDING);
	KUNIT_EXPECT_TRUE(test, fake_sidecar(cpu, f->page));
	KUNIT_EXPECT_EQ(test, hcl_sidecar_poll(f->page, cpu, seq),
			HCL_SIDECAR_WAIT_DONE);
}

static void sc_not_idle(struct kunit *test)
{
	static const u32 states[] = {
		HCL_SIDECAR_OFFLINE, HCL_SIDECAR_STARTING, HCL_SIDECAR_BUSY,
		HCL_SIDECAR_REMOVED, HCL_SIDECAR_FAULT, 77,
	};
	struct sc_fixture *f = test->priv;
	struct hcl_sidecar_cpu *cpu = &f->ctl->cpu[2];
	u32 i, seq = 0;

	for (i = 0; i < ARRAY_SIZE(states); i++) {
		cpu->status = states[i];
		KUNIT_EXPECT_EQ(test, hcl_sidecar_post(f->page, cpu,
						       HCL_SIDECAR_CMD_PING,
						       &seq), -ENODEV);
		KUNIT_EXPECT_EQ(test, f->page->seq, 0U);
	}
}

static void sc_fault_and_gone(struct kunit *test)
{
	struct sc_fixture *f = test->priv;
	struct hcl_sidecar_cpu *cpu = &f->ctl->cpu[0];
	u32 seq = 0;

	KUNIT_ASSERT_EQ(test, hcl_sidecar_post(f->page, cpu,
					       HCL_SIDECAR_CMD_PING, &seq), 0);
	cpu->status = HCL_SIDECAR_FAULT;
	KUNIT_EXPECT_EQ(test, hcl_sidecar_poll(f->page, cpu, seq),
			HCL_SIDECAR_WAIT_FAULT);
	cpu->status = HCL_SIDECAR_OFFLINE;
	KUNIT_EXPECT_EQ(test, hcl_sidecar_poll(f->page, cpu, seq),
			HCL_SIDECAR_WAIT_GONE);
	cpu->status = 99;
	KUNIT_EXPECT_EQ(test, hcl_sidecar_poll(f->page, cpu, seq),
			HCL_SIDECAR_WAIT_GONE);
	/* an ack wins: the answer came before the CPU went away */
	f->page->ack = seq;
	KUNIT_EXPECT_EQ(test, hcl_sidecar_poll(f->page, cpu, seq),
			HCL_SIDECAR_WAIT_DONE);
}

static void sc_remove(struct kunit *test)
{
	struct sc_fixture *f = test->priv;
	struct hcl_sidecar_cpu *cpu = &f->ctl->cpu[0];
	u32 seq = 0;

	KUNIT_ASSERT_EQ(test, hcl_sidecar_post(f->page, cpu,
					       HCL_SIDECAR_CMD_REMOVE, &seq),
			0);
	KUNIT_EXPECT_TRUE(test, fake_sidecar(cpu, f->page));
	KUNIT_EXPECT_EQ(test, hcl_sidecar_poll(f->page, cpu, seq),
			HCL_SIDECAR_WAIT_DONE);
	KUNIT_EXPECT_EQ(test, cpu->status, (u32)HCL_SIDECAR_REMOVED);
	/* a removed CPU takes no more commands */
	KUNIT_EXPECT_EQ(test, hcl_sidecar_post(f->page, cpu,
					       HCL_SIDECAR_CMD_PING, &seq),
			-ENODEV);
}

static void sc_check(struct kunit *test)
{
	struct sc_fixture *f = test->priv;
	u64 size = HCL_SIDECAR_REGION_SIZE(3);
	char err[128], want[128];

	KUNIT_EXPECT_EQ(test, hcl_sidecar_check(f->ctl, size, f->ids, 3, err,
						sizeof(err)), 0);
	KUNIT_EXPECT_EQ(test, hcl_sidecar_check(f->ctl, size, f->ids, 2, err,
						sizeof(err)), -EINVAL);
	KUNIT_EXPECT_STREQ(test, err,
			   "control page has 3 CPUs, the device tree 2 (at most 63)");
	KUNIT_EXPECT_EQ(test, hcl_sidecar_check(f->ctl, size + 4096, f->ids,
						3, err, sizeof(err)), -EINVAL);
	f->ids[2] = cpu_to_be32(9);
	KUNIT_EXPECT_EQ(test, hcl_sidecar_check(f->ctl, size, f->ids, 3, err,
						sizeof(err)), -EINVAL);
	KUNIT_EXPECT_STREQ(test, err,
			   "CPU 2: APIC id 3 in the control page, 9 in the device tree");
	f->ids[2] = cpu_to_be32(3);
	f->ctl->version = HCL_SIDECAR_VERSION + 1;
	KUNIT_EXPECT_EQ(test, hcl_sidecar_check(f->ctl, size, f->ids, 3, err,
						sizeof(err)), -EINVAL);
	f->ctl->version = HCL_SIDECAR_VERSION;
	f->ctl->magic = 0;
	KUNIT_EXPECT_EQ(test, hcl_sidecar_check(f->ctl, size, f->ids, 3, err,
						sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "control page magic 0x0 version %u, expected 0x52444353 version %u",
		 HCL_SIDECAR_VERSION, HCL_SIDECAR_VERSION);
	KUNIT_EXPECT_STREQ(test, err, want);
}

static void sc_status_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, hcl_sidecar_status_name(HCL_SIDECAR_IDLE),
			   "idle");
	KUNIT_EXPECT_STREQ(test, hcl_sidecar_status_name(HCL_SIDECAR_FAULT),
			   "fault");
	KUNIT_EXPECT_STREQ(test, hcl_sidecar_status_name(HCL_SIDECAR_NR_STATUS),
			   "?");
}

static struct kunit_case sidecar_cases[] = {
	KUNIT_CASE(sc_ping_round_trip),
	KUNIT_CASE(sc_one_in_flight),
	KUNIT_CASE(sc_seq_wraps),
	KUNIT_CASE(sc_not_idle),
	KUNIT_CASE(sc_fault_and_gone),
	KUNIT_CASE(sc_remove),
	KUNIT_CASE(sc_check),
	KUNIT_CASE(sc_status_names),
	{}
};

HCL_KUNIT_SUITE_FIXTURE(sidecar, sidecar_cases, sc_init, NULL);
