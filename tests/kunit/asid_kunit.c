// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for the SVM backend's ASID allocator (kmod/asid.c) and
 * VMCB clean-bit tracking (kmod/vmcb_clean.c and every writer of a cached
 * VMCB field in svm.c and exit.c).  QEMU's SVM offers neither flush by
 * ASID nor clean bits, so this is where that logic is exercised: on
 * explicit allocator state and private VMCBs, never with a VMRUN.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>

#include "hcl.h"

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

/* ---- VMCB clean bits ----------------------------------------------------- */

#define D(a)	BIT(HCL_VMCB_##a)

static void clean_unsupported_is_zero(struct kunit *test)
{
	u32 dirty = 0;

	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, false, false), 0U);
	dirty = D(DRX);
	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, false, false), 0U);
	KUNIT_EXPECT_EQ(test, dirty, 0U);
	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, false, true), 0U);
}

static void clean_is_complement(struct kunit *test)
{
	u32 dirty;

	KUNIT_EXPECT_EQ(test, HCL_VMCB_ALL_AREAS, 0xfffU);
	dirty = D(DRX) | D(ASID);
	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, true, false),
			0xfffU & ~(D(DRX) | D(ASID)));
	/* consumed: nothing written since, everything clean */
	KUNIT_EXPECT_EQ(test, dirty, 0U);
	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, true, false), 0xfffU);
	/* a reload is all dirty, whatever was written */
	dirty = D(SEG);
	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, true, true), 0U);
	KUNIT_EXPECT_EQ(test, dirty, 0U);
	dirty = HCL_VMCB_ALL_AREAS;
	KUNIT_EXPECT_EQ(test, hcl_vmcb_clean(&dirty, true, false), 0U);
}

static void clean_cpu_and_vmcb_switches(struct kunit *test)
{
	u64 cpu0 = 0, cpu1 = 0;

	/* a VMCB's first run: the CPU has run none */
	KUNIT_EXPECT_TRUE(test, hcl_vmcb_switch(&cpu0, 1, true));
	KUNIT_EXPECT_FALSE(test, hcl_vmcb_switch(&cpu0, 1, false));
	KUNIT_EXPECT_FALSE(test, hcl_vmcb_switch(&cpu0, 1, false));
	/* another VMCB ran on this CPU in between: both reload */
	KUNIT_EXPECT_TRUE(test, hcl_vmcb_switch(&cpu0, 2, true));
	KUNIT_EXPECT_TRUE(test, hcl_vmcb_switch(&cpu0, 1, false));
	KUNIT_EXPECT_EQ(test, cpu0, 1ULL);
	/* VMCB 1 to CPU 1 and back: reload both times */
	KUNIT_EXPECT_TRUE(test, hcl_vmcb_switch(&cpu1, 1, true));
	KUNIT_EXPECT_TRUE(test, hcl_vmcb_switch(&cpu0, 1, true));
	/* CPU 0 still had VMCB 1 last, but the VMCB ran elsewhere since */
	KUNIT_EXPECT_FALSE(test, hcl_vmcb_switch(&cpu0, 1, false));
	/* a CPU back online has forgotten everything (its record is 0) */
	cpu0 = 0;
	KUNIT_EXPECT_TRUE(test, hcl_vmcb_switch(&cpu0, 1, false));
}

/* A VP with a private VMCB, run page and 4 KiB of guest memory. */
struct clean_ctx {
	struct hcl_vp vp;
	struct hcl_partition part;
};

static int clean_init(struct kunit *test)
{
	struct clean_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	c->vp.vmcb = (struct vmcb *)get_zeroed_page(GFP_KERNEL);
	c->vp.run = (struct hcl_run *)get_zeroed_page(GFP_KERNEL);
	c->part.mem = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	test->priv = c;
	if (!c->vp.vmcb || !c->vp.run || !c->part.mem)
		return -ENOMEM;
	c->part.mem_size = PAGE_SIZE;
	c->vp.part = &c->part;
	c->vp.regs_set = true;
	c->vp.sregs_set = true;
	c->vp.vmcb->save.rflags = X86_EFLAGS_FIXED;
	return 0;
}

static void clean_exit(struct kunit *test)
{
	struct clean_ctx *c = test->priv;

	if (!c)
		return;
	free_page((unsigned long)c->vp.vmcb);
	free_page((unsigned long)c->vp.run);
}

static struct hcl_vp *clean_vp(struct kunit *test)
{
	return &((struct clean_ctx *)test->priv)->vp;
}

static void clean_exited(struct kunit *test)
{
	struct hcl_vp *vp = clean_vp(test);

	vp->vmcb->control.exit_code = SVM_EXIT_CPUID;
	hcl_vmcb_exited(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);
	vp->vmcb->control.exit_code = SVM_EXIT_ERR;
	hcl_vmcb_exited(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, HCL_VMCB_ALL_AREAS);
	vp->vmcb_dirty = 0;
	vp->vmcb->control.exit_code = SVM_EXIT_SHUTDOWN;
	hcl_vmcb_exited(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, HCL_VMCB_ALL_AREAS);
}

static void clean_helpers_mark_changes_only(struct kunit *test)
{
	struct hcl_vp *vp = clean_vp(test);
	struct vmcb_control_area *ctl = &vp->vmcb->control;

	hcl_vmcb_set_intercept(vp, INTERCEPT_VINTR, true);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(INTERCEPTS));
	KUNIT_EXPECT_TRUE(test, ctl->intercepts[INTERCEPT_VINTR / 32] &
			  BIT(INTERCEPT_VINTR % 32));
	vp->vmcb_dirty = 0;
	hcl_vmcb_set_intercept(vp, INTERCEPT_VINTR, true);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);
	hcl_vmcb_set_intercept(vp, INTERCEPT_IRET, false);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);
	hcl_vmcb_set_intercept(vp, INTERCEPT_VINTR, false);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(INTERCEPTS));
	KUNIT_EXPECT_EQ(test, ctl->intercepts[INTERCEPT_VINTR / 32], 0U);

	vp->vmcb_dirty = 0;
	hcl_vmcb_update_int_ctl(vp, 0, V_IRQ_MASK);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(INTR));
	KUNIT_EXPECT_EQ(test, ctl->int_ctl, (u32)V_IRQ_MASK);
	vp->vmcb_dirty = 0;
	hcl_vmcb_update_int_ctl(vp, V_IGN_TPR_MASK, V_IRQ_MASK);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);
	hcl_vmcb_update_int_ctl(vp, V_IRQ_MASK, 0);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(INTR));
	KUNIT_EXPECT_EQ(test, ctl->int_ctl, 0U);
}

static void clean_register_writers(struct kunit *test)
{
	const struct hcl_backend_ops *ops = &hcl_svm_ops;
	struct hcl_vp *vp = clean_vp(test);
	struct hcl_debugregs d = {};
	struct hcl_sregs sr = {};
	struct hcl_regs r = {};
	u64 val;

	/* reads never dirty anything */
	ops->get_regs(vp, &r);
	ops->get_sregs(vp, &sr);
	KUNIT_EXPECT_EQ(test, ops->get_debugregs(vp, &d), 0);
	KUNIT_EXPECT_EQ(test, ops->get_msr(vp, MSR_EFER, &val), 0);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);

	/* RAX, RSP, RIP, RFLAGS are not cached */
	r.rip = 0x1000;
	r.rflags = X86_EFLAGS_FIXED;
	KUNIT_EXPECT_EQ(test, ops->set_regs(vp, &r), 0);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);

	/* segments, descriptor tables, CRs (and EFER), CR2; and a flush */
	memset(&sr, 0, sizeof(sr));
	sr.cr0 = X86_CR0_ET;
	sr.cr2 = 0x1234;
	KUNIT_EXPECT_EQ(test, ops->set_sregs(vp, &sr), 0);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty,
			D(SEG) | D(DT) | D(CRX) | D(CR2));
	KUNIT_EXPECT_TRUE(test, vp->asid.flush);
	/* refused: nothing written, nothing dirty */
	vp->vmcb_dirty = 0;
	vp->asid.flush = false;
	sr.cr0 |= 1ULL << 32;
	KUNIT_EXPECT_EQ(test, ops->set_sregs(vp, &sr), -EINVAL);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);
	KUNIT_EXPECT_FALSE(test, vp->asid.flush);

	/* MSRs: EFER is a CR, PAT is nested paging, VMLOAD's are free */
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_EFER, EFER_SCE), 0);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(CRX));
	vp->vmcb_dirty = 0;
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_IA32_CR_PAT,
					   0x0007040600070406ULL), 0);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(NP));
	vp->vmcb_dirty = 0;
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_IA32_CR_PAT, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_EFER, EFER_SVME), -EINVAL);
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_LSTAR, 0xffffffff81000000ULL),
			0);
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_STAR, 1), 0);
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_FS_BASE, 0x1000), 0);
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, MSR_IA32_SYSENTER_CS, 8), 0);
	KUNIT_EXPECT_EQ(test, ops->set_msr(vp, 0x12345678, 0), -ENOENT);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);

	/* DR6/DR7 */
	d.dr7 = 0x400;
	KUNIT_EXPECT_EQ(test, ops->set_debugregs(vp, &d), 0);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(DRX));
}

static void clean_injection(struct kunit *test)
{
	const struct hcl_backend_ops *ops = &hcl_svm_ops;
	struct hcl_vp *vp = clean_vp(test);

	/* nothing pending: nothing written */
	ops->inject(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);
	/* IF clear: open a window (V_IRQ and the VINTR intercept) */
	set_bit(0x30, vp->irq_pending);
	ops->inject(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(INTR) | D(INTERCEPTS));
	/* the window is already open: no change, nothing dirty */
	vp->vmcb_dirty = 0;
	ops->inject(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);
	/* the window exit closes it */
	vp->vmcb->control.exit_code = SVM_EXIT_VINTR;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(INTR) | D(INTERCEPTS));
	/* IF set: event injection, which is never cached */
	vp->vmcb_dirty = 0;
	vp->vmcb->save.rflags |= X86_EFLAGS_IF;
	ops->inject(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb->control.event_inj,
			0x30U | SVM_EVTINJ_TYPE_INTR | SVM_EVTINJ_VALID);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);
	/* an NMI intercepts IRET until the handler returns */
	vp->vmcb->control.event_inj = 0;
	atomic_set(&vp->nmi_pending, 1);
	ops->inject(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(INTERCEPTS));
	vp->vmcb_dirty = 0;
	vp->vmcb->control.exit_code = SVM_EXIT_IRET;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(INTERCEPTS));
	KUNIT_EXPECT_EQ(test, vp->nmi.state, HCL_NMI_IRET);
	/* the next NMI single-steps the IRET: #DB and faults intercepted */
	vp->vmcb_dirty = 0;
	atomic_set(&vp->nmi_pending, 1);
	ops->inject(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(INTERCEPTS));
	KUNIT_EXPECT_TRUE(test, vp->nmi.step);
	/* its #DB: intercepts off again, DR6 as it was (a DRX write) */
	vp->vmcb_dirty = 0;
	vp->vmcb->save.rip += 2;
	vp->vmcb->save.rflags &= ~X86_EFLAGS_TF;
	vp->vmcb->save.dr6 |= BIT(14);
	vp->vmcb->control.exit_code = SVM_EXIT_EXCP_BASE + 1;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(INTERCEPTS) | D(DRX));
	KUNIT_EXPECT_EQ(test, vp->nmi.state, HCL_NMI_OPEN);
}

/* MOV to/from DRn in real mode at 0x100, operand EAX */
static void dr_exit(struct kunit *test, u32 code, u8 op, u8 modrm)
{
	struct clean_ctx *c = test->priv;
	u8 *mem = c->part.mem;

	mem[0x100] = 0x0f;
	mem[0x101] = op;
	mem[0x102] = modrm;
	c->vp.vmcb->save.rip = 0x100;
	c->vp.vmcb->control.exit_code = code;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(&c->vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, c->vp.vmcb->save.rip, 0x103ULL);
}

static void clean_dr_exits(struct kunit *test)
{
	struct hcl_vp *vp = clean_vp(test);

	vp->vmcb->save.rax = 0x401;
	dr_exit(test, SVM_EXIT_WRITE_DR7, 0x23, 0xf8);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.dr7, 0x401ULL);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(DRX));
	vp->vmcb_dirty = 0;
	dr_exit(test, SVM_EXIT_WRITE_DR6, 0x23, 0xf0);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(DRX));
	/* DR0-3 live outside the VMCB; reads write nothing */
	vp->vmcb_dirty = 0;
	dr_exit(test, SVM_EXIT_WRITE_DR0, 0x23, 0xc0);
	KUNIT_EXPECT_EQ(test, vp->db[0], 0x401ULL);
	dr_exit(test, SVM_EXIT_READ_DR7, 0x21, 0xf8);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rax, 0x401ULL);
}

/* exits that write only uncached fields leave the clean bits alone */
static void clean_other_exits(struct kunit *test)
{
	struct hcl_vp *vp = clean_vp(test);

	vp->vmcb->control.exit_code = SVM_EXIT_HLT;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_USER);
	vp->vmcb->control.exit_code = SVM_EXIT_VMMCALL;
	vp->vmcb->save.rax = HCL_HC_NOP;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	vp->vmcb->control.exit_code = SVM_EXIT_MSR;
	vp->gprs.r[HCL_REG_RCX] = 0x12345678;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	vp->vmcb->control.exit_code = SVM_EXIT_VMRUN;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, 0U);
	/* a guest WRMSR to EFER goes through the backend: a CR area */
	vp->vmcb->control.exit_code = SVM_EXIT_MSR;
	vp->vmcb->control.exit_info_1 = 1;
	vp->gprs.r[HCL_REG_RCX] = MSR_EFER;
	vp->gprs.r[HCL_REG_RDX] = 0;
	vp->vmcb->save.rax = EFER_SCE;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->vmcb->control.event_inj, 0U);
	KUNIT_EXPECT_EQ(test, vp->vmcb_dirty, D(CRX));
}

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

static struct kunit_suite hcl_asid_suite = {
	.name = "hcl_asid",
	.test_cases = hcl_asid_cases,
};

static struct kunit_case hcl_vmcb_clean_cases[] = {
	KUNIT_CASE(clean_unsupported_is_zero),
	KUNIT_CASE(clean_is_complement),
	KUNIT_CASE(clean_cpu_and_vmcb_switches),
	KUNIT_CASE(clean_exited),
	KUNIT_CASE(clean_helpers_mark_changes_only),
	KUNIT_CASE(clean_register_writers),
	KUNIT_CASE(clean_injection),
	KUNIT_CASE(clean_dr_exits),
	KUNIT_CASE(clean_other_exits),
	{}
};

static struct kunit_suite hcl_vmcb_clean_suite = {
	.name = "hcl_vmcb_clean",
	.init = clean_init,
	.exit = clean_exit,
	.test_cases = hcl_vmcb_clean_cases,
};

kunit_test_suites(&hcl_asid_suite, &hcl_vmcb_clean_suite);
