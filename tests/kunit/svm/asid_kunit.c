// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the SVM backend's ASID allocator (kmod/svm/asid.c).
 * QEMU's SVM offers no flush by ASID, so this is where that logic is
 * exercised: on explicit allocator state, never with a VMRUN.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <asm/svm.h>

#include "../hcl_kunit.h"
#include "svm/asid.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- ASIDs --------------------------------------------------------------- */

/* CPUID 0x8000000A EBX = @nr ASIDs, EDX = @edx; asserts it is accepted */
static void caps(struct kunit *test, struct hcl_svm_caps *c, u32 nr, u32 edx)
{
	KUNIT_ASSERT_EQ(test, hcl_svm_caps_parse(nr, edx, c), 0);
}

static void asid_caps_from_cpuid(struct kunit *test)
{
	struct hcl_svm_caps c;

	/* QEMU's -cpu max: 16 ASIDs, neither feature */
	caps(test, &c, 16, 0);
	KUNIT_EXPECT_EQ(test, c.min_asid, 1U);
	KUNIT_EXPECT_EQ(test, c.max_asid, 15U);
	KUNIT_EXPECT_FALSE(test, c.flush_by_asid);
	KUNIT_EXPECT_FALSE(test, c.vmcb_clean);
	/* EDX bit 5: clean bits; bit 6: flush by ASID; others ignored */
	caps(test, &c, 32768, BIT(5));
	KUNIT_EXPECT_EQ(test, c.max_asid, 32767U);
	KUNIT_EXPECT_TRUE(test, c.vmcb_clean);
	KUNIT_EXPECT_FALSE(test, c.flush_by_asid);
	caps(test, &c, 2, BIT(6) | BIT(0) | BIT(3));
	KUNIT_EXPECT_EQ(test, c.min_asid, 1U);
	KUNIT_EXPECT_EQ(test, c.max_asid, 1U);
	KUNIT_EXPECT_TRUE(test, c.flush_by_asid);
	KUNIT_EXPECT_FALSE(test, c.vmcb_clean);
	caps(test, &c, 0xffffffff, 0xffffffff);
	KUNIT_EXPECT_EQ(test, c.max_asid, 0xfffffffeU);
	KUNIT_EXPECT_TRUE(test, c.flush_by_asid);
	KUNIT_EXPECT_TRUE(test, c.vmcb_clean);
	/* only the host's ASID 0, or nothing: no guest can run */
	KUNIT_EXPECT_EQ(test, hcl_svm_caps_parse(1, 0x60, &c), -ENODEV);
	KUNIT_EXPECT_EQ(test, hcl_svm_caps_parse(0, 0x60, &c), -ENODEV);
}

/* A CPU with @nr ASIDs (1 .. @nr - 1), set up as at CPU online. */
static void asid_cpu(struct kunit *test, struct hcl_asid_cpu *cpu, u32 nr,
		     bool flush_by_asid)
{
	struct hcl_svm_caps c;

	caps(test, &c, nr, flush_by_asid ? HCL_SVM_EDX_FLUSH_BY_ASID : 0);
	memset(cpu, 0, sizeof(*cpu));
	hcl_asid_cpu_init(cpu, &c);
}

static u8 run_on(struct hcl_asid_cpu *cpu, struct hcl_asid_vp *vp, bool moved,
		 bool *fresh)
{
	return hcl_asid_prepare(cpu, vp, moved, fresh);
}

static void asid_first_entry_flushes_all(struct kunit *test)
{
	struct hcl_asid_cpu cpu;
	struct hcl_asid_vp a = {}, b = {};
	bool fresh;

	asid_cpu(test, &cpu, 16, false);
	/* whoever ran before us may have left entries under any ASID */
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, true, &fresh),
			TLB_CONTROL_FLUSH_ALL_ASID);
	KUNIT_EXPECT_TRUE(test, fresh);
	KUNIT_EXPECT_EQ(test, a.asid, 1U);
	/* the same VP again: same ASID, nothing to flush */
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, false, &fresh),
			TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_FALSE(test, fresh);
	KUNIT_EXPECT_EQ(test, a.asid, 1U);
	/* VPs taking turns on one CPU keep their own ASIDs, no flushes */
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &b, true, &fresh),
			TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_TRUE(test, fresh);
	KUNIT_EXPECT_EQ(test, b.asid, 2U);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, false, &fresh),
			TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_EQ(test, a.asid, 1U);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &b, false, &fresh),
			TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_EQ(test, b.asid, 2U);
	KUNIT_EXPECT_FALSE(test, fresh);
}

static void asid_new_cpu_new_asid(struct kunit *test)
{
	struct hcl_asid_cpu c0, c1;
	struct hcl_asid_vp a = {}, b = {};
	bool fresh;

	asid_cpu(test, &c0, 16, false);
	asid_cpu(test, &c1, 16, false);
	run_on(&c0, &a, true, &fresh);
	run_on(&c0, &b, true, &fresh);
	KUNIT_EXPECT_EQ(test, a.asid, 1U);
	KUNIT_EXPECT_EQ(test, b.asid, 2U);
	/* A moves: CPU 1's first ASID, CPU 1's first flush */
	KUNIT_EXPECT_EQ(test, run_on(&c1, &a, true, &fresh),
			TLB_CONTROL_FLUSH_ALL_ASID);
	KUNIT_EXPECT_TRUE(test, fresh);
	KUNIT_EXPECT_EQ(test, a.asid, 1U);
	/*
	 * A moves back: both CPUs are in generation 2 now, but the ASID is
	 * CPU 1's; CPU 0's 1 may still hold A's old entries, so A takes a
	 * new one there, with no flush.
	 */
	KUNIT_EXPECT_EQ(test, c0.generation, c1.generation);
	KUNIT_EXPECT_EQ(test, run_on(&c0, &a, true, &fresh),
			TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_TRUE(test, fresh);
	KUNIT_EXPECT_EQ(test, a.asid, 3U);
	/* per-CPU independence: CPU 1 handed out one ASID, CPU 0 three */
	KUNIT_EXPECT_EQ(test, c1.next, 2U);
	KUNIT_EXPECT_EQ(test, c0.next, 4U);
	/* B never moved: still its ASID, still valid */
	KUNIT_EXPECT_EQ(test, run_on(&c0, &b, false, &fresh),
			TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_FALSE(test, fresh);
	KUNIT_EXPECT_EQ(test, b.asid, 2U);
}

static void asid_generation_wrap_flushes(struct kunit *test)
{
	struct hcl_asid_vp vp[4] = {};
	struct hcl_asid_cpu cpu;
	u64 gen;
	bool fresh;
	int i;

	asid_cpu(test, &cpu, 4, false);	/* ASIDs 1-3 */
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, run_on(&cpu, &vp[i], true, &fresh),
				i ? TLB_CONTROL_DO_NOTHING :
				    TLB_CONTROL_FLUSH_ALL_ASID);
		KUNIT_EXPECT_EQ(test, vp[i].asid, i + 1U);
	}
	gen = cpu.generation;
	/* the fourth VP finds none left: new generation, flush all */
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &vp[3], true, &fresh),
			TLB_CONTROL_FLUSH_ALL_ASID);
	KUNIT_EXPECT_EQ(test, vp[3].asid, 1U);
	KUNIT_EXPECT_EQ(test, cpu.generation, gen + 1);
	/* the others' ASIDs went with the old generation */
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ(test, run_on(&cpu, &vp[i], false, &fresh),
				TLB_CONTROL_DO_NOTHING);
		KUNIT_EXPECT_TRUE(test, fresh);
		KUNIT_EXPECT_EQ(test, vp[i].asid, i + 2U);
	}
	/* and the next one to need one starts generation + 2 */
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &vp[2], false, &fresh),
			TLB_CONTROL_FLUSH_ALL_ASID);
	KUNIT_EXPECT_EQ(test, vp[2].asid, 1U);
	KUNIT_EXPECT_EQ(test, cpu.generation, gen + 2);
	/* never the host's ASID 0, never past the CPU's limit */
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_GE(test, vp[i].asid, 1U);
		KUNIT_EXPECT_LE(test, vp[i].asid, 3U);
	}
}

static void asid_one_guest_asid(struct kunit *test)
{
	struct hcl_asid_vp a = {}, b = {};
	struct hcl_asid_cpu cpu;
	bool fresh;

	/* two ASIDs: the host's and one; every switch of VP flushes */
	asid_cpu(test, &cpu, 2, true);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, true, &fresh),
			TLB_CONTROL_FLUSH_ALL_ASID);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &b, true, &fresh),
			TLB_CONTROL_FLUSH_ALL_ASID);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &b, false, &fresh),
			TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, false, &fresh),
			TLB_CONTROL_FLUSH_ALL_ASID);
	KUNIT_EXPECT_EQ(test, a.asid, 1U);
	KUNIT_EXPECT_EQ(test, b.asid, 1U);
}

static void asid_flush_request(struct kunit *test)
{
	struct hcl_asid_cpu cpu;
	struct hcl_asid_vp a = {};
	bool fresh;

	/* with flush by ASID: the VP's own entries, same ASID */
	asid_cpu(test, &cpu, 16, true);
	run_on(&cpu, &a, true, &fresh);
	hcl_asid_request_flush(&a);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, false, &fresh),
			TLB_CONTROL_FLUSH_ASID);
	KUNIT_EXPECT_FALSE(test, fresh);
	KUNIT_EXPECT_EQ(test, a.asid, 1U);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, false, &fresh),
			TLB_CONTROL_DO_NOTHING);
	/* a request met by a move: the new ASID is clean already */
	hcl_asid_request_flush(&a);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, true, &fresh),
			TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_TRUE(test, fresh);
	KUNIT_EXPECT_EQ(test, a.asid, 2U);
	KUNIT_EXPECT_FALSE(test, a.flush);

	/* without it: a new ASID instead of flushing everybody's */
	memset(&a, 0, sizeof(a));
	asid_cpu(test, &cpu, 16, false);
	run_on(&cpu, &a, true, &fresh);
	hcl_asid_request_flush(&a);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, false, &fresh),
			TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_TRUE(test, fresh);
	KUNIT_EXPECT_EQ(test, a.asid, 2U);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, false, &fresh),
			TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_FALSE(test, fresh);
	/* ... which flushes all only when the ASIDs run out */
	cpu.next = cpu.max + 1;
	hcl_asid_request_flush(&a);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, false, &fresh),
			TLB_CONTROL_FLUSH_ALL_ASID);
	KUNIT_EXPECT_EQ(test, a.asid, 1U);
}

static void asid_entry_failed(struct kunit *test)
{
	struct hcl_asid_vp a = {}, b = {};
	struct hcl_asid_cpu cpu;
	bool fresh;
	u8 tlb;

	/* a failed VMRUN that was to flush all: the next entry flushes */
	asid_cpu(test, &cpu, 16, true);
	tlb = run_on(&cpu, &a, true, &fresh);
	KUNIT_EXPECT_EQ(test, tlb, TLB_CONTROL_FLUSH_ALL_ASID);
	hcl_asid_entry_failed(&cpu, &a, tlb);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &b, true, &fresh),
			TLB_CONTROL_FLUSH_ALL_ASID);
	KUNIT_EXPECT_EQ(test, b.asid, 1U);
	/* and A's ASID, from the ended generation, is replaced */
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, false, &fresh),
			TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_TRUE(test, fresh);
	KUNIT_EXPECT_EQ(test, a.asid, 2U);

	/* a failed flush of its own ASID is asked for again */
	hcl_asid_request_flush(&a);
	tlb = run_on(&cpu, &a, false, &fresh);
	KUNIT_EXPECT_EQ(test, tlb, TLB_CONTROL_FLUSH_ASID);
	hcl_asid_entry_failed(&cpu, &a, tlb);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, false, &fresh),
			TLB_CONTROL_FLUSH_ASID);
	KUNIT_EXPECT_EQ(test, a.asid, 2U);

	/* nothing requested, nothing owed */
	hcl_asid_entry_failed(&cpu, &a, TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, false, &fresh),
			TLB_CONTROL_DO_NOTHING);
	KUNIT_EXPECT_FALSE(test, fresh);
}

static void asid_cpu_online_again(struct kunit *test)
{
	struct hcl_asid_cpu cpu;
	struct hcl_svm_caps c;
	struct hcl_asid_vp a = {};
	u64 gen;
	bool fresh;

	asid_cpu(test, &cpu, 16, false);
	run_on(&cpu, &a, true, &fresh);
	gen = cpu.generation;
	/* offline and online: the generation never goes back */
	caps(test, &c, 16, 0);
	hcl_asid_cpu_init(&cpu, &c);
	KUNIT_EXPECT_GT(test, cpu.generation, gen);
	KUNIT_EXPECT_EQ(test, run_on(&cpu, &a, false, &fresh),
			TLB_CONTROL_FLUSH_ALL_ASID);
	KUNIT_EXPECT_TRUE(test, fresh);
}

/*
 * Random VPs on random CPUs against a model of the TLB: each CPU holds,
 * per ASID, entries of at most one VP (and of one "epoch" of that VP,
 * bumped when it asks for a flush).  Before every VMRUN the entries under
 * the VP's ASID, after the flush the allocator asked for, must be absent
 * or its own current ones; and flushes of everything happen exactly when
 * a CPU runs out of ASIDs.
 */
#define MODEL_CPUS	3
#define MODEL_VPS	7
#define MODEL_ASIDS	5	/* CPUID EBX: ASIDs 1-4 */
#define MODEL_STEPS	20000

struct tlb_owner {
	int vp;		/* -1: no entries */
	u32 epoch;
};

static u32 model_rand(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void asid_tlb_model(struct kunit *test)
{
	const bool *by_asid = test->param_value;
	struct tlb_owner tlb[MODEL_CPUS][MODEL_ASIDS];
	struct hcl_asid_cpu cpu[MODEL_CPUS];
	struct hcl_asid_vp vp[MODEL_VPS] = {};
	unsigned int allocs[MODEL_CPUS] = {}, flush_all[MODEL_CPUS] = {};
	unsigned int flush_asid = 0, requests = 0;
	int last[MODEL_VPS];
	u32 epoch[MODEL_VPS] = {};
	u32 seed = 0x2545f491;
	int c, v, a, i, step;

	for (c = 0; c < MODEL_CPUS; c++) {
		asid_cpu(test, &cpu[c], MODEL_ASIDS, *by_asid);
		for (a = 0; a < MODEL_ASIDS; a++)
			tlb[c][a].vp = -1;
	}
	for (v = 0; v < MODEL_VPS; v++)
		last[v] = -1;

	for (step = 0; step < MODEL_STEPS; step++) {
		bool fresh;
		u8 ctl;

		v = model_rand(&seed) % MODEL_VPS;
		c = last[v];
		if (c < 0 || model_rand(&seed) % 4 == 0)
			c = model_rand(&seed) % MODEL_CPUS;
		if (model_rand(&seed) % 8 == 0) {
			hcl_asid_request_flush(&vp[v]);
			epoch[v]++;
			requests++;
		}
		ctl = hcl_asid_prepare(&cpu[c], &vp[v], last[v] != c, &fresh);
		last[v] = c;
		a = vp[v].asid;
		KUNIT_ASSERT_GE(test, a, 1);
		KUNIT_ASSERT_LT(test, a, MODEL_ASIDS);
		if (fresh)
			allocs[c]++;
		if (ctl == TLB_CONTROL_FLUSH_ALL_ASID) {
			flush_all[c]++;
			for (i = 0; i < MODEL_ASIDS; i++)
				tlb[c][i].vp = -1;
		} else if (ctl == TLB_CONTROL_FLUSH_ASID) {
			KUNIT_ASSERT_TRUE(test, *by_asid);
			flush_asid++;
			tlb[c][a].vp = -1;
		} else {
			KUNIT_ASSERT_EQ(test, ctl, TLB_CONTROL_DO_NOTHING);
		}
		/* no stale entries of another VP, or of our own past */
		if (tlb[c][a].vp >= 0) {
			KUNIT_ASSERT_EQ(test, tlb[c][a].vp, v);
			KUNIT_ASSERT_EQ(test, tlb[c][a].epoch, epoch[v]);
		}
		/* no other VP holds this ASID of this CPU right now */
		for (i = 0; i < MODEL_VPS; i++)
			if (i != v && last[i] == c &&
			    vp[i].generation == cpu[c].generation)
				KUNIT_ASSERT_NE(test, vp[i].asid, vp[v].asid);
		tlb[c][a].vp = v;
		tlb[c][a].epoch = epoch[v];
	}
	/* one flush of everything per generation started, no more */
	for (c = 0; c < MODEL_CPUS; c++)
		KUNIT_EXPECT_EQ(test, flush_all[c],
				DIV_ROUND_UP(allocs[c], MODEL_ASIDS - 1));
	if (*by_asid)
		KUNIT_EXPECT_GT(test, flush_asid, 0U);
	else
		KUNIT_EXPECT_EQ(test, flush_asid, 0U);
	KUNIT_EXPECT_GT(test, requests, 0U);
}

static const bool model_by_asid[] = { false, true };

static void model_desc(const bool *by_asid, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "flush by ASID %s",
		 *by_asid ? "on" : "off");
}

KUNIT_ARRAY_PARAM(model, model_by_asid, model_desc);

static struct kunit_case hcl_asid_cases[] = {
	KUNIT_CASE(asid_caps_from_cpuid),
	KUNIT_CASE(asid_first_entry_flushes_all),
	KUNIT_CASE(asid_new_cpu_new_asid),
	KUNIT_CASE(asid_generation_wrap_flushes),
	KUNIT_CASE(asid_one_guest_asid),
	KUNIT_CASE(asid_flush_request),
	KUNIT_CASE(asid_entry_failed),
	KUNIT_CASE(asid_cpu_online_again),
	KUNIT_CASE_PARAM(asid_tlb_model, model_gen_params),
	{}
};

HCL_KUNIT_SUITE(asid, hcl_asid_cases);
