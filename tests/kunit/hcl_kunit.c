// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for hcl.ko's pure logic: CPUID table, nested page table
 * builder, I/O exit decoding and exit dispatch.  Loaded after hcl.ko;
 * no VP ever runs here, exits are fabricated in a private VMCB.
 */
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <asm/svm.h>

#include "hcl.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- CPUID ------------------------------------------------------------- */

static const struct hcl_cpuid_entry cpuid_sample[] = {
	{ .function = 0, .eax = 0xd, .ebx = 0x68747541 },
	{ .function = 7, .index = 0, .flags = HCL_CPUID_F_INDEX, .ebx = 1 },
	{ .function = 7, .index = 1, .flags = HCL_CPUID_F_INDEX, .eax = 2 },
	{ .function = 0x40000000, .eax = 0x40000001, .ebx = 0x6c6368 },
};

static void cpuid_validate_accepts_good(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(cpuid_sample,
						 ARRAY_SIZE(cpuid_sample)), 0);
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(NULL, 0), 0);
}

static void cpuid_validate_rejects_bad(struct kunit *test)
{
	struct hcl_cpuid_entry e[2] = {};

	e[0].flags = 0x2;
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 1), -EINVAL);
	e[0].flags = 0;
	e[0].reserved = 1;
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 1), -EINVAL);
	e[0].reserved = 0;
	e[0].index = 3;		/* an index without HCL_CPUID_F_INDEX */
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 1), -EINVAL);
	e[0].index = 0;
	/* duplicates: same leaf twice; leaf-wide entry plus a subleaf */
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 2), -EINVAL);
	e[1].flags = HCL_CPUID_F_INDEX;
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 2), -EINVAL);
	e[0].flags = HCL_CPUID_F_INDEX;
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 2), -EINVAL);
	e[1].index = 1;
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, 2), 0);
	KUNIT_EXPECT_EQ(test, hcl_cpuid_validate(e, HCL_CPUID_MAX_ENTRIES + 1),
			-E2BIG);
}

static struct hcl_cpuid_table *make_table(struct kunit *test)
{
	struct hcl_cpuid_table *t;

	t = kunit_kzalloc(test, struct_size(t, entries,
					    ARRAY_SIZE(cpuid_sample)),
			  GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->nent = ARRAY_SIZE(cpuid_sample);
	memcpy(t->entries, cpuid_sample, sizeof(cpuid_sample));
	return t;
}

static void cpuid_lookup(struct kunit *test)
{
	struct hcl_cpuid_table *t = make_table(test);
	const struct hcl_cpuid_entry *e;

	e = hcl_cpuid_lookup(t, 0, 99);	/* index ignored for leaf 0 */
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, e->eax, 0xdU);
	e = hcl_cpuid_lookup(t, 7, 1);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, e->eax, 2U);
	e = hcl_cpuid_lookup(t, 7, 0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, e->ebx, 1U);
	KUNIT_EXPECT_NULL(test, hcl_cpuid_lookup(t, 7, 2));
	KUNIT_EXPECT_NULL(test, hcl_cpuid_lookup(t, 0x80000000, 0));
	KUNIT_EXPECT_NULL(test, hcl_cpuid_lookup(NULL, 0, 0));
}

/* ---- nested page tables ------------------------------------------------ */

static void npt_exit(struct kunit *test)
{
	if (test->priv)
		hcl_npt_destroy(test->priv);
}

static struct hcl_npt *npt_new(struct kunit *test)
{
	struct hcl_npt *npt = kunit_kzalloc(test, sizeof(*npt), GFP_KERNEL);

	const int *levels = test->param_value;

	KUNIT_ASSERT_NOT_NULL(test, npt);
	KUNIT_ASSERT_EQ(test, hcl_npt_init(npt, *levels), 0);
	test->priv = npt;
	return npt;
}

/* table pages above the PDPT: PML4, plus the PML5 with 5 levels */
static unsigned long npt_top(struct kunit *test)
{
	return *(const int *)test->param_value - 3;
}

static const int npt_levels[] = { 4, 5 };

static void npt_levels_desc(const int *l, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%d-level", *l);
}

KUNIT_ARRAY_PARAM(npt_levels, npt_levels, npt_levels_desc);

static void npt_init_rejects_levels(struct kunit *test)
{
	struct hcl_npt npt = {};

	KUNIT_EXPECT_EQ(test, hcl_npt_init(&npt, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_init(&npt, 6), -EINVAL);
	KUNIT_EXPECT_NULL(test, npt.root);
}

static void npt_huge_pages(struct kunit *test)
{
	struct hcl_npt *npt = npt_new(test);
	const u64 hpa = 0x40000000ULL, size = 64 * SZ_1M;
	u64 gpa;

	KUNIT_ASSERT_EQ(test, hcl_npt_map(npt, 0, hpa, size), 0);
	/* PML4 (+PML5) + PDPT + one PD: 2 MiB leaves need no page tables */
	KUNIT_EXPECT_EQ(test, npt->nr_tables, npt_top(test) + 2);
	for (gpa = 0; gpa < size; gpa += SZ_2M - PAGE_SIZE)
		KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, gpa), hpa + gpa);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, 0x1234), hpa + 0x1234);
}

static void npt_small_pages(struct kunit *test)
{
	struct hcl_npt *npt = npt_new(test);
	/* host side not 2 MiB aligned: only 4 KiB leaves are possible */
	const u64 hpa = 0x40001000ULL, size = 4 * SZ_1M;
	u64 gpa;

	KUNIT_ASSERT_EQ(test, hcl_npt_map(npt, 0, hpa, size), 0);
	KUNIT_EXPECT_EQ(test, npt->nr_tables, npt_top(test) + 2 + 2);
	for (gpa = 0; gpa < size; gpa += PAGE_SIZE)
		KUNIT_ASSERT_EQ(test, hcl_npt_translate(npt, gpa), hpa + gpa);
}

static void npt_mixed_and_high(struct kunit *test)
{
	struct hcl_npt *npt = npt_new(test);
	const u64 gpa0 = SZ_1G - SZ_16K;	/* straddles a PDPT entry */

	KUNIT_ASSERT_EQ(test, hcl_npt_map(npt, gpa0, 0x80000000ULL - SZ_16K,
					  SZ_4M + SZ_16K), 0);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, gpa0),
			0x80000000ULL - SZ_16K);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, SZ_1G + SZ_2M + 8),
			0x80000000ULL + SZ_2M + 8);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, gpa0 - PAGE_SIZE),
			HCL_NPT_INVALID);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, SZ_1G + SZ_4M),
			HCL_NPT_INVALID);
}

/* What is not VTL0 RAM must be unreachable: VTL2 is excluded. */
static void npt_vtl2_excluded(struct kunit *test)
{
	struct hcl_npt *npt = npt_new(test);
	const u64 base = 0x20000000ULL, size = 8 * SZ_1M;
	u64 gpa;

	KUNIT_ASSERT_EQ(test, hcl_npt_map(npt, 0, base, size), 0);
	for (gpa = 0; gpa < SZ_1G; gpa += SZ_1M) {
		u64 hpa = hcl_npt_translate(npt, gpa);

		if (gpa < size)
			KUNIT_EXPECT_EQ(test, hpa, base + gpa);
		else
			KUNIT_EXPECT_EQ(test, hpa, HCL_NPT_INVALID);
	}
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, size), HCL_NPT_INVALID);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, HCL_NPT_MAX_GPA),
			HCL_NPT_INVALID);
	KUNIT_EXPECT_EQ(test, hcl_npt_translate(npt, ~0ULL), HCL_NPT_INVALID);
}

static void npt_rejects_bad(struct kunit *test)
{
	struct hcl_npt *npt = npt_new(test);

	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, 0x100000, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0x10, 0x100000, PAGE_SIZE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, 0x100010, PAGE_SIZE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, 0x100000, 100), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, HCL_NPT_MAX_GPA - PAGE_SIZE,
					  0x100000, 2 * PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, 1ULL << 52, PAGE_SIZE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, ~0ULL & PAGE_MASK,
					  2 * PAGE_SIZE), -EINVAL);
	/* overlaps: 4K over 4K, 2M over a table, 4K inside a 2M leaf */
	KUNIT_ASSERT_EQ(test, hcl_npt_map(npt, 0, 0x100000, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, 0x200000, PAGE_SIZE),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, 0, 0x200000, SZ_2M), -EEXIST);
	KUNIT_ASSERT_EQ(test, hcl_npt_map(npt, SZ_2M, 0x400000, SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, hcl_npt_map(npt, SZ_2M + PAGE_SIZE, 0x100000,
					  PAGE_SIZE), -EEXIST);
}

/* ---- I/O exit decoding ------------------------------------------------- */

static void ioio_decode(struct kunit *test)
{
	struct hcl_io_decoded io;

	/* OUT 1 byte to 0x3f8 */
	KUNIT_ASSERT_EQ(test, hcl_decode_ioio(0x03f80010, &io), 0);
	KUNIT_EXPECT_EQ(test, io.port, 0x3f8);
	KUNIT_EXPECT_EQ(test, io.size, 1);
	KUNIT_EXPECT_FALSE(test, io.in);
	KUNIT_EXPECT_FALSE(test, io.string);
	/* IN 2 bytes from 0x60 */
	KUNIT_ASSERT_EQ(test, hcl_decode_ioio(0x00600021, &io), 0);
	KUNIT_EXPECT_EQ(test, io.port, 0x60);
	KUNIT_EXPECT_EQ(test, io.size, 2);
	KUNIT_EXPECT_TRUE(test, io.in);
	/* REP OUTSD to 0xffff */
	KUNIT_ASSERT_EQ(test, hcl_decode_ioio(0xffff004c, &io), 0);
	KUNIT_EXPECT_EQ(test, io.port, 0xffff);
	KUNIT_EXPECT_EQ(test, io.size, 4);
	KUNIT_EXPECT_TRUE(test, io.string);
	KUNIT_EXPECT_TRUE(test, io.rep);
	/* no size bit, or two of them */
	KUNIT_EXPECT_EQ(test, hcl_decode_ioio(0x03f80000, &io), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_decode_ioio(0x03f80030, &io), -EINVAL);
}

/* ---- exit dispatch ----------------------------------------------------- */

struct dispatch_ctx {
	struct hcl_vp vp;
	struct hcl_partition part;
};

static int dispatch_init(struct kunit *test)
{
	struct dispatch_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	c->vp.vmcb = (struct vmcb *)get_zeroed_page(GFP_KERNEL);
	c->vp.run = (struct hcl_run *)get_zeroed_page(GFP_KERNEL);
	if (!c->vp.vmcb || !c->vp.run)
		return -ENOMEM;
	c->vp.regs_set = true;
	c->vp.sregs_set = true;
	c->vp.part = &c->part;
	c->part.mem_size = 64 * SZ_1M;
	test->priv = c;
	return 0;
}

/* Claims @len ports at @port for userspace in the fake partition. */
static void dispatch_claim(struct kunit *test, u16 port, u16 len)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_range_set *old = rcu_dereference_protected(c->part.ranges,
							      true);
	struct hcl_range_ent e = {
		.space = HCL_RANGE_PIO, .kind = HCL_RANGE_USER,
		.start = port, .end = port + len,
	};
	struct hcl_range_set *set = hcl_range_set_add(old, &e);

	KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	RCU_INIT_POINTER(c->part.ranges, set);
	hcl_range_set_free(old, false);
}

static void dispatch_exit(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;

	if (!c)
		return;
	hcl_range_set_free(rcu_dereference_protected(c->part.ranges, true),
			   false);
	free_page((unsigned long)c->vp.vmcb);
	free_page((unsigned long)c->vp.run);
}

static void set_exit(struct hcl_vp *vp, u64 code, u64 info1, u64 info2)
{
	vp->vmcb->control.exit_code = (u32)code;
	vp->vmcb->control.exit_code_hi = code >> 32;
	vp->vmcb->control.exit_info_1 = info1;
	vp->vmcb->control.exit_info_2 = info2;
}

static void dispatch_cpuid(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->vp;

	vp->cpuid = make_table(test);
	vp->vmcb->save.rip = 0x1000;
	vp->vmcb->save.rax = 0x40000000;
	vp->gprs.r[HCL_REG_RCX] = 5;
	set_exit(vp, SVM_EXIT_CPUID, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rax, 0x40000001ULL);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RBX], 0x6c6368ULL);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RCX], 0ULL);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rip, 0x1002ULL);

	/* a leaf not in the table reads as zeroes, upper RAX cleared */
	vp->vmcb->save.rax = 0xffffffff00000099ULL;
	vp->gprs.r[HCL_REG_RDX] = 7;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rax, 0ULL);
	KUNIT_EXPECT_EQ(test, vp->gprs.r[HCL_REG_RDX], 0ULL);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rip, 0x1004ULL);
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_EXITS], 2ULL);
	KUNIT_EXPECT_EQ(test, vp->stats[HCL_STAT_CPUID], 2ULL);
}

static void dispatch_io(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->vp;

	dispatch_claim(test, 0x3f8, 8);
	dispatch_claim(test, 0x60, 4);
	/* OUT dx, al to 0x3f8; next RIP from exit_info_2 */
	vp->vmcb->save.rip = 0x2000;
	vp->vmcb->save.rax = 0x1234567841ULL;
	set_exit(vp, SVM_EXIT_IOIO, 0x03f80010, 0x2001);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_IO);
	KUNIT_EXPECT_EQ(test, vp->run->io.port, 0x3f8);
	KUNIT_EXPECT_EQ(test, vp->run->io.size, 1);
	KUNIT_EXPECT_EQ(test, vp->run->io.direction, HCL_IO_OUT);
	KUNIT_EXPECT_EQ(test, vp->run->io.data, 0x41ULL);
	KUNIT_EXPECT_EQ(test, vp->run->rip, 0x2000ULL);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rip, 0x2001ULL);
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rax, 0x1234567841ULL);

	/* IN ax: the low two bytes of the answer merge into RAX */
	set_exit(vp, SVM_EXIT_IOIO, 0x00600021, 0x2003);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->io.direction, HCL_IO_IN);
	vp->run->io.data = 0xdeadbeefULL;
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rax, 0x123456beefULL);
	/* completing twice changes nothing */
	vp->run->io.data = 0;
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rax, 0x123456beefULL);

	/* IN eax zero-extends */
	set_exit(vp, SVM_EXIT_IOIO, 0x00600041, 0x2004);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_USER);
	vp->run->io.data = 0xffffffffcafef00dULL;
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rax, 0xcafef00dULL);

	/* unclaimed ports: IN reads all ones in the kernel, OUT is dropped */
	vp->vmcb->save.rax = 0x1234567800000000ULL;
	set_exit(vp, SVM_EXIT_IOIO, 0x00800021, 0x2005);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rax, 0x123456780000ffffULL);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rip, 0x2005ULL);
	set_exit(vp, SVM_EXIT_IOIO, 0x00800040, 0x2006);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rax, 0x123456780000ffffULL);
	/* straddling a claimed range's end is not the range's */
	set_exit(vp, SVM_EXIT_IOIO, 0x03fe0040, 0x2007);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);

	/* string I/O goes to userspace undecoded */
	set_exit(vp, SVM_EXIT_IOIO, 0x03f80014, 0x2006);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_UNHANDLED);
	KUNIT_EXPECT_EQ(test, vp->run->hw.info1, 0x03f80014ULL);
}

static void dispatch_others(struct kunit *test)
{
	struct dispatch_ctx *c = test->priv;
	struct hcl_vp *vp = &c->vp;

	vp->vmcb->save.rip = 0x3000;
	set_exit(vp, SVM_EXIT_HLT, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rip, 0x3001ULL);
	/* with interrupts enabled, HLT waits in the kernel */
	vp->vmcb->save.rflags = X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_HALT);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rip, 0x3002ULL);
	vp->vmcb->save.rip = 0x3001;

	set_exit(vp, SVM_EXIT_INTR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_HOST_IRQ);

	/* an unknown MSR raises #GP(0) in the guest */
	set_exit(vp, SVM_EXIT_MSR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->vmcb->control.event_inj,
			(u32)(13 | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID |
			      SVM_EVTINJ_VALID_ERR));
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rip, 0x3001ULL);

	/* VMMCALL: NOP and VP index in the kernel, others to userspace */
	vp->index = 3;
	vp->vmcb->save.rax = HCL_HC_VP_INDEX;
	set_exit(vp, SVM_EXIT_VMMCALL, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rax, 3ULL);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rip, 0x3004ULL);
	vp->vmcb->save.rax = 0x77;
	vp->gprs.r[HCL_REG_RSI] = 0xabc;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_HYPERCALL);
	KUNIT_EXPECT_EQ(test, vp->run->hypercall.code, 0x77ULL);
	KUNIT_EXPECT_EQ(test, vp->run->hypercall.args[3], 0xabcULL);
	vp->run->hypercall.ret = 0x5555;
	hcl_complete_user_exit(vp);
	KUNIT_EXPECT_EQ(test, vp->vmcb->save.rax, 0x5555ULL);
	/* from user mode it is #UD */
	vp->vmcb->save.cpl = 3;
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_RESUME);
	KUNIT_EXPECT_EQ(test, vp->vmcb->control.event_inj,
			(u32)(6 | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID));
	vp->vmcb->save.cpl = 0;
	vp->vmcb->save.rip = 0x3001;

	/* an interrupted delivery is delivered again */
	vp->vmcb->control.exit_int_info = 14 | SVM_EXITINTINFO_TYPE_EXEPT |
					  SVM_EXITINTINFO_VALID |
					  SVM_EXITINTINFO_VALID_ERR;
	vp->vmcb->control.exit_int_info_err = 2;
	set_exit(vp, SVM_EXIT_NPF, 6, 0xfee00000);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason,
			(u32)HCL_EXIT_VTL_VIOLATION);
	KUNIT_EXPECT_EQ(test, vp->run->hw_exit_code, (u64)SVM_EXIT_NPF);
	KUNIT_EXPECT_EQ(test, vp->run->vtl.gpa, 0xfee00000ULL);
	KUNIT_EXPECT_EQ(test, vp->run->vtl.access, HCL_ACCESS_WRITE);
	/* an instruction fetch from outside RAM */
	set_exit(vp, SVM_EXIT_NPF, 0x14, 0xc0000000);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->vtl.access,
			HCL_ACCESS_READ | HCL_ACCESS_EXEC);
	KUNIT_EXPECT_EQ(test, vp->vmcb->control.event_inj,
			vp->vmcb->control.exit_int_info);
	KUNIT_EXPECT_EQ(test, vp->vmcb->control.event_inj_err, 2U);
	vp->vmcb->control.exit_int_info = 0;

	/* VMRUN refused the state */
	set_exit(vp, SVM_EXIT_ERR, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_FAIL_ENTRY);
	KUNIT_EXPECT_EQ(test, vp->run->hw.code, ~0ULL);

	/* triple fault: reported, and the VP needs new state to run */
	vp->vmcb->control.exit_int_info = 8 | SVM_EXITINTINFO_TYPE_EXEPT |
					  SVM_EXITINTINFO_VALID;
	set_exit(vp, SVM_EXIT_SHUTDOWN, 0, 0);
	KUNIT_EXPECT_EQ(test, hcl_handle_exit(vp), HCL_ACT_USER);
	KUNIT_EXPECT_EQ(test, vp->run->exit_reason, (u32)HCL_EXIT_SHUTDOWN);
	KUNIT_EXPECT_FALSE(test, vp->regs_set);
	KUNIT_EXPECT_FALSE(test, vp->sregs_set);
	KUNIT_EXPECT_EQ(test, vp->vmcb->control.event_inj, 0U);
}

static void mov_dr_decode(struct kunit *test)
{
	static const u8 rd[] = { 0x0f, 0x21, 0xc3 };	/* mov %dr0,%rbx */
	static const u8 wr[] = { 0x41, 0x0f, 0x23, 0xf8 };	/* mov %r8,%dr7 */
	static const u8 mem[] = { 0x0f, 0x21, 0x03 };	/* mod != 3 */
	unsigned int len, gpr;
	bool to_dr;

	KUNIT_ASSERT_EQ(test, hcl_decode_mov_dr(rd, 3, 64, &len, &gpr, &to_dr),
			0);
	KUNIT_EXPECT_EQ(test, len, 3U);
	KUNIT_EXPECT_EQ(test, gpr, (unsigned int)HCL_REG_RBX);
	KUNIT_EXPECT_FALSE(test, to_dr);
	KUNIT_ASSERT_EQ(test, hcl_decode_mov_dr(wr, 4, 64, &len, &gpr, &to_dr),
			0);
	KUNIT_EXPECT_EQ(test, len, 4U);
	KUNIT_EXPECT_EQ(test, gpr, (unsigned int)HCL_REG_R8);
	KUNIT_EXPECT_TRUE(test, to_dr);
	/* outside 64-bit mode 0x41 is not a REX prefix */
	KUNIT_EXPECT_EQ(test, hcl_decode_mov_dr(wr, 4, 32, &len, &gpr, &to_dr),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_decode_mov_dr(mem, 3, 64, &len, &gpr,
						&to_dr), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_decode_mov_dr(rd, 2, 64, &len, &gpr, &to_dr),
			-EFAULT);
}

static void exit_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, hcl_exit_name(SVM_EXIT_CPUID), "cpuid");
	KUNIT_EXPECT_STREQ(test, hcl_exit_name(SVM_EXIT_IOIO), "ioio");
	KUNIT_EXPECT_STREQ(test, hcl_exit_name(SVM_EXIT_ERR), "invalid");
	KUNIT_EXPECT_STREQ(test, hcl_exit_name(0x12345), "other");
}

/* ---- claimed ranges ---------------------------------------------------- */

static struct hcl_range_set *range_add(struct kunit *test,
				       struct hcl_range_set *old, u8 space,
				       u64 start, u64 len)
{
	struct hcl_range_ent e = {
		.space = space, .start = start, .end = start + len,
	};
	struct hcl_range_set *set = hcl_range_set_add(old, &e);

	if (!IS_ERR(set))
		hcl_range_set_free(old, false);
	return set;
}

static void range_validate(struct kunit *test)
{
	struct hcl_range r = {
		.space = HCL_RANGE_PIO, .start = 0x3f8, .len = 8,
	};
	const u64 ram = 64 * SZ_1M;

	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), 0);
	r.len = 0;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.start = 0xfff8;
	r.len = 9;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.len = 8;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), 0);
	r.eventfd = 3;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.kind = HCL_RANGE_DOORBELL;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), 0);
	r.kind = 2;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.kind = HCL_RANGE_USER;
	r.eventfd = 0;
	r.space = HCL_RANGE_MMIO;
	r.start = ram - PAGE_SIZE;
	r.len = PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.start = ram;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), 0);
	r.start = HCL_NPT_MAX_GPA - PAGE_SIZE;
	r.len = 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.start = ~0ULL - 1;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.start = ram;
	r.len = PAGE_SIZE;
	r.reserved[0] = 1;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
	r.reserved[0] = 0;
	r.space = 7;
	KUNIT_EXPECT_EQ(test, hcl_range_validate(&r, ram), -EINVAL);
}

static void range_find_sorted(struct kunit *test)
{
	struct hcl_range_set *set = NULL, *next;
	static const u64 starts[] = { 0x600, 0x70, 0x3f8, 0x20, 0xcf8 };
	struct hcl_range_ent gone;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(starts); i++) {
		set = range_add(test, set, HCL_RANGE_PIO, starts[i], 8);
		KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	}
	set = range_add(test, set, HCL_RANGE_MMIO, 0x70, 0x10);
	KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	KUNIT_EXPECT_EQ(test, set->n, 6U);
	for (i = 1; i < set->n; i++)
		KUNIT_EXPECT_TRUE(test, set->r[i - 1].space < set->r[i].space ||
				  set->r[i - 1].start < set->r[i].start);
	for (i = 0; i < ARRAY_SIZE(starts); i++) {
		const struct hcl_range_ent *e;

		e = hcl_range_find(set, HCL_RANGE_PIO, starts[i] + 7, 1);
		KUNIT_ASSERT_NOT_NULL(test, e);
		KUNIT_EXPECT_EQ(test, e->start, starts[i]);
		KUNIT_EXPECT_NULL(test, hcl_range_find(set, HCL_RANGE_PIO,
						       starts[i] + 8, 1));
		/* straddling the end does not match */
		KUNIT_EXPECT_NULL(test, hcl_range_find(set, HCL_RANGE_PIO,
						       starts[i] + 6, 4));
	}
	KUNIT_EXPECT_NOT_NULL(test, hcl_range_find(set, HCL_RANGE_MMIO, 0x7f,
						   1));
	KUNIT_EXPECT_NULL(test, hcl_range_find(set, HCL_RANGE_MMIO, 0x3f8, 1));
	KUNIT_EXPECT_NULL(test, hcl_range_find(NULL, HCL_RANGE_PIO, 0x70, 1));

	/* overlaps in the same space are refused, in another space fine */
	next = range_add(test, set, HCL_RANGE_PIO, 0x3fc, 8);
	KUNIT_EXPECT_EQ(test, PTR_ERR(next), -EEXIST);
	next = range_add(test, set, HCL_RANGE_PIO, 0x1c, 8);
	KUNIT_EXPECT_EQ(test, PTR_ERR(next), -EEXIST);

	next = hcl_range_set_del(set, HCL_RANGE_PIO, 0x70, 0x74, &gone);
	KUNIT_EXPECT_EQ(test, PTR_ERR(next), -ENOENT);
	next = hcl_range_set_del(set, HCL_RANGE_PIO, 0x70, 0x78, &gone);
	KUNIT_ASSERT_FALSE(test, IS_ERR(next));
	KUNIT_EXPECT_EQ(test, gone.start, 0x70ULL);
	KUNIT_EXPECT_EQ(test, next->n, 5U);
	KUNIT_EXPECT_NULL(test, hcl_range_find(next, HCL_RANGE_PIO, 0x70, 1));
	KUNIT_EXPECT_NOT_NULL(test, hcl_range_find(next, HCL_RANGE_MMIO, 0x70,
						   1));
	hcl_range_set_free(set, false);
	hcl_range_set_free(next, false);
}

static void range_limit(struct kunit *test)
{
	struct hcl_range_set *set = NULL, *next;
	unsigned int i;

	for (i = 0; i < HCL_MAX_RANGES; i++) {
		set = range_add(test, set, HCL_RANGE_PIO, 0x100 + i * 2, 1);
		KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	}
	next = range_add(test, set, HCL_RANGE_PIO, 0x1000, 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(next), -ENOSPC);
	hcl_range_set_free(set, false);
}

/* ---- MSR policy -------------------------------------------------------- */

static void msr_table_rules(struct kunit *test)
{
	struct hcl_msr_rule r[3] = {
		{ .index = 0x40000010, .action = HCL_MSR_USER },
		{ .index = 0x10, .action = HCL_MSR_EMULATE, .value = 0xf0,
		  .writable = 0x0f },
		{ .index = 0x8b, .action = HCL_MSR_GP },
	};
	struct hcl_msr_table *t;
	u64 v;

	KUNIT_ASSERT_EQ(test, hcl_msr_table_build(r, 3, HCL_MSR_USER, &t), 0);
	KUNIT_EXPECT_EQ(test, t->r[0].index, 0x10U);	/* sorted */
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x40000010, false, &v),
			(u32)HCL_MSR_USER);
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x8b, true, &v),
			(u32)HCL_MSR_GP);
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x99, false, &v),
			(u32)HCL_MSR_USER);	/* the default */
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x10, false, &v),
			(u32)HCL_MSR_EMULATE);
	KUNIT_EXPECT_EQ(test, v, 0xf0ULL);
	v = 0xf5;
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x10, true, &v),
			(u32)HCL_MSR_EMULATE);
	v = 0x05;	/* clears read-only bits */
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x10, true, &v),
			(u32)HCL_MSR_GP);
	KUNIT_EXPECT_EQ(test, hcl_msr_access(t, 0x10, false, &v),
			(u32)HCL_MSR_EMULATE);
	KUNIT_EXPECT_EQ(test, v, 0xf5ULL);
	kfree(t);
	KUNIT_EXPECT_EQ(test, hcl_msr_access(NULL, 0x10, false, &v),
			(u32)HCL_MSR_GP);
}

static void msr_table_rejects(struct kunit *test)
{
	struct hcl_msr_rule r[2] = {
		{ .index = 1, .action = HCL_MSR_USER },
		{ .index = 1, .action = HCL_MSR_GP },
	};
	struct hcl_msr_table *t;

	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, 2, HCL_MSR_GP, &t),
			-EINVAL);
	r[1].index = 2;
	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, 2, HCL_MSR_EMULATE, &t),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, 2, 9, &t), -EINVAL);
	r[1].writable = 1;
	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, 2, HCL_MSR_GP, &t),
			-EINVAL);
	r[1].writable = 0;
	r[1].reserved = 1;
	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, 2, HCL_MSR_GP, &t),
			-EINVAL);
	r[1].reserved = 0;
	r[1].action = 3;
	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, 2, HCL_MSR_GP, &t),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_msr_table_build(r, HCL_MAX_MSR_RULES + 1,
						  HCL_MSR_GP, &t), -E2BIG);
	KUNIT_EXPECT_NULL(test, t);
}

static struct kunit_case hcl_range_cases[] = {
	KUNIT_CASE(range_validate),
	KUNIT_CASE(range_find_sorted),
	KUNIT_CASE(range_limit),
	{}
};

static struct kunit_suite hcl_range_suite = {
	.name = "hcl_range",
	.test_cases = hcl_range_cases,
};

static struct kunit_case hcl_msr_cases[] = {
	KUNIT_CASE(msr_table_rules),
	KUNIT_CASE(msr_table_rejects),
	{}
};

static struct kunit_suite hcl_msr_suite = {
	.name = "hcl_msr",
	.test_cases = hcl_msr_cases,
};

static struct kunit_case hcl_cpuid_cases[] = {
	KUNIT_CASE(cpuid_validate_accepts_good),
	KUNIT_CASE(cpuid_validate_rejects_bad),
	KUNIT_CASE(cpuid_lookup),
	{}
};

static struct kunit_suite hcl_cpuid_suite = {
	.name = "hcl_cpuid",
	.test_cases = hcl_cpuid_cases,
};

static struct kunit_case hcl_npt_cases[] = {
	KUNIT_CASE(npt_init_rejects_levels),
	KUNIT_CASE_PARAM(npt_huge_pages, npt_levels_gen_params),
	KUNIT_CASE_PARAM(npt_small_pages, npt_levels_gen_params),
	KUNIT_CASE_PARAM(npt_mixed_and_high, npt_levels_gen_params),
	KUNIT_CASE_PARAM(npt_vtl2_excluded, npt_levels_gen_params),
	KUNIT_CASE_PARAM(npt_rejects_bad, npt_levels_gen_params),
	{}
};

static struct kunit_suite hcl_npt_suite = {
	.name = "hcl_npt",
	.exit = npt_exit,
	.test_cases = hcl_npt_cases,
};

static struct kunit_case hcl_exit_cases[] = {
	KUNIT_CASE(ioio_decode),
	KUNIT_CASE(dispatch_cpuid),
	KUNIT_CASE(dispatch_io),
	KUNIT_CASE(dispatch_others),
	KUNIT_CASE(mov_dr_decode),
	KUNIT_CASE(exit_names),
	{}
};

static struct kunit_suite hcl_exit_suite = {
	.name = "hcl_exit",
	.init = dispatch_init,
	.exit = dispatch_exit,
	.test_cases = hcl_exit_cases,
};

kunit_test_suites(&hcl_cpuid_suite, &hcl_npt_suite, &hcl_exit_suite,
		  &hcl_range_suite, &hcl_msr_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for hcl.ko");
