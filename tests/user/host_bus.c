// SPDX-License-Identifier: GPL-2.0
/* Host unit tests: underhill_vm's device bus. */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "bus.h"

/* a device that records the accesses it gets and answers with a tag */
struct rec_dev {
	struct device dev;
	uint8_t space;
	uint64_t start, len;
	uint64_t tag;
	int inits, resets, exits, ios;
	uint64_t last_offset;
	struct bus_access last;
	int *order;		/* exit order, shared by the test's devices */
	int *norder;
};

static int rec_init(struct device *dev, struct bus *bus)
{
	struct rec_dev *r = container_of(dev, struct rec_dev, dev);

	r->inits++;
	return bus_add_range(bus, dev, r->space, r->start, r->len);
}

static void rec_reset(struct device *dev)
{
	container_of(dev, struct rec_dev, dev)->resets++;
}

static void rec_io(struct device *dev, uint8_t space, uint64_t offset,
		   struct bus_access *a)
{
	struct rec_dev *r = container_of(dev, struct rec_dev, dev);

	r->ios++;
	r->last_offset = offset;
	r->last = *a;
	if (!a->write)
		a->data = r->tag + offset;
}

static void rec_exit(struct device *dev)
{
	struct rec_dev *r = container_of(dev, struct rec_dev, dev);

	r->exits++;
	if (r->order)
		r->order[(*r->norder)++] = (int)r->tag;
}

static const struct device_ops rec_ops = {
	.name = "rec",
	.init = rec_init,
	.reset = rec_reset,
	.io = rec_io,
	.exit = rec_exit,
};

static void rec_make(struct rec_dev *r, uint8_t space, uint64_t start,
		     uint64_t len, uint64_t tag)
{
	memset(r, 0, sizeof(*r));
	r->dev.ops = &rec_ops;
	r->space = space;
	r->start = start;
	r->len = len;
	r->tag = tag;
}

/* the kernel's side: records the claims, refuses one address */
struct claims {
	int n;
	uint8_t space[8], kind[8];
	uint64_t start[8], len[8];
	int eventfd[8];
	uint64_t refuse;
};

static int claim(void *arg, const struct hcl_range *r)
{
	struct claims *c = arg;

	if (r->start == c->refuse)
		return -EPERM;
	if (c->n < 8) {
		c->space[c->n] = r->space;
		c->kind[c->n] = r->kind;
		c->start[c->n] = r->start;
		c->len[c->n] = r->len;
		c->eventfd[c->n] = r->eventfd;
	}
	c->n++;
	return 0;
}

FIXTURE(bus) {
	struct bus bus;
	struct claims c;
};

FIXTURE_SETUP(bus)
{
	memset(&self->c, 0, sizeof(self->c));
	self->c.refuse = ~0ULL;
	bus_init(&self->bus, claim, &self->c);
}

FIXTURE_TEARDOWN(bus) {}

TEST_F(bus, add_device_inits_resets_and_claims)
{
	struct rec_dev d;

	rec_make(&d, HCL_RANGE_PIO, 0x3f8, 8, 0x100);
	ASSERT_EQ(0, bus_add_device(&self->bus, &d.dev));
	EXPECT_EQ(1, d.inits);
	EXPECT_EQ(1, d.resets);
	ASSERT_EQ(1, self->c.n);
	EXPECT_EQ(HCL_RANGE_PIO, self->c.space[0]);
	EXPECT_EQ(HCL_RANGE_USER, self->c.kind[0]);
	EXPECT_EQ(0, self->c.eventfd[0]);
	EXPECT_EQ(0x3f8ULL, self->c.start[0]);
	EXPECT_EQ(8ULL, self->c.len[0]);
	bus_reset(&self->bus);
	EXPECT_EQ(2, d.resets);
}

TEST_F(bus, overlap_is_refused_per_space)
{
	struct rec_dev a, b;

	rec_make(&a, HCL_RANGE_PIO, 0x600, 4, 0);
	ASSERT_EQ(0, bus_add_device(&self->bus, &a.dev));
	/* the same space: every kind of overlap, none claimed */
	EXPECT_EQ(-EEXIST, bus_add_range(&self->bus, &b.dev, HCL_RANGE_PIO,
					 0x600, 4));
	EXPECT_EQ(-EEXIST, bus_add_range(&self->bus, &b.dev, HCL_RANGE_PIO,
					 0x5ff, 2));
	EXPECT_EQ(-EEXIST, bus_add_range(&self->bus, &b.dev, HCL_RANGE_PIO,
					 0x603, 1));
	EXPECT_EQ(-EEXIST, bus_add_range(&self->bus, &b.dev, HCL_RANGE_PIO,
					 0x500, 0x200));
	EXPECT_EQ(1, self->c.n);
	/* adjacent ranges, and the same numbers as MMIO, are fine */
	EXPECT_EQ(0, bus_add_range(&self->bus, &b.dev, HCL_RANGE_PIO,
				   0x5fc, 4));
	EXPECT_EQ(0, bus_add_range(&self->bus, &b.dev, HCL_RANGE_PIO,
				   0x604, 4));
	EXPECT_EQ(0, bus_add_range(&self->bus, &b.dev, HCL_RANGE_MMIO,
				   0x600, 4));
	EXPECT_EQ(4, self->c.n);
	EXPECT_EQ(HCL_RANGE_MMIO, self->c.space[3]);
}

TEST_F(bus, bad_ranges)
{
	struct rec_dev d;

	rec_make(&d, HCL_RANGE_PIO, 0, 0, 0);
	EXPECT_EQ(-EINVAL, bus_add_device(&self->bus, &d.dev));	/* empty */
	EXPECT_EQ(-EINVAL, bus_add_range(&self->bus, &d.dev, HCL_RANGE_PIO,
					 0xfffe, 4));	/* past port 0xffff */
	EXPECT_EQ(0, bus_add_range(&self->bus, &d.dev, HCL_RANGE_PIO,
				   0xfffc, 4));
	EXPECT_EQ(-EINVAL, bus_add_range(&self->bus, &d.dev, HCL_RANGE_MMIO,
					 ~0ULL - 1, 4));	/* wraps */
	EXPECT_EQ(-EINVAL, bus_add_range(&self->bus, &d.dev, 7, 0x1000, 4));
	EXPECT_EQ(1, self->c.n);
	/* the kernel's refusal comes back, and the range is not kept */
	self->c.refuse = 0xfe000000;
	EXPECT_EQ(-EPERM, bus_add_range(&self->bus, &d.dev, HCL_RANGE_MMIO,
					0xfe000000, 0x1000));
	EXPECT_EQ(1U, self->bus.nr_ranges);
}

TEST_F(bus, full)
{
	struct rec_dev d;
	unsigned int i;

	rec_make(&d, HCL_RANGE_PIO, 0, 0, 0);
	for (i = 0; i < BUS_MAX_RANGES; i++)
		ASSERT_EQ(0, bus_add_range(&self->bus, &d.dev, HCL_RANGE_MMIO,
					   0x100000000ULL + 0x1000 * i, 0x1000));
	EXPECT_EQ(-ENOSPC, bus_add_range(&self->bus, &d.dev, HCL_RANGE_MMIO,
					 0x10000, 0x1000));
	EXPECT_EQ((int)BUS_MAX_RANGES, self->c.n);
}

TEST_F(bus, dispatch_by_address_and_size)
{
	struct rec_dev lo, hi, mm;
	struct bus_access a = { .vp = 3, .size = 1 };

	/* added out of order: dispatch must not care */
	rec_make(&hi, HCL_RANGE_PIO, 0x600, 4, 0x6000);
	rec_make(&lo, HCL_RANGE_PIO, 0x3f8, 8, 0x3000);
	rec_make(&mm, HCL_RANGE_MMIO, 0xfee00000, 0x1000, 0xa000);
	ASSERT_EQ(0, bus_add_device(&self->bus, &hi.dev));
	ASSERT_EQ(0, bus_add_device(&self->bus, &mm.dev));
	ASSERT_EQ(0, bus_add_device(&self->bus, &lo.dev));

	ASSERT_EQ(0, bus_access(&self->bus, HCL_RANGE_PIO, 0x3fd, &a));
	EXPECT_EQ(0x3005ULL, a.data);
	EXPECT_EQ(5ULL, lo.last_offset);
	EXPECT_EQ(3U, lo.last.vp);
	a.size = 4;
	ASSERT_EQ(0, bus_access(&self->bus, HCL_RANGE_PIO, 0x600, &a));
	EXPECT_EQ(0x6000ULL, a.data);
	/* a write reaches the device with its data */
	a.write = true;
	a.data = 0x1234;
	ASSERT_EQ(0, bus_access(&self->bus, HCL_RANGE_MMIO, 0xfee000b0, &a));
	EXPECT_EQ(1, mm.ios);
	EXPECT_TRUE(mm.last.write);
	EXPECT_EQ(0x1234ULL, mm.last.data);
	EXPECT_EQ(0xb0ULL, mm.last_offset);
	/* the same address in the other space belongs to nobody */
	a.write = false;
	EXPECT_EQ(-ENOENT, bus_access(&self->bus, HCL_RANGE_MMIO, 0x600, &a));
	EXPECT_EQ(~0ULL, a.data);
	/* an access running past the range's end is nobody's either */
	a.size = 4;
	EXPECT_EQ(-ENOENT, bus_access(&self->bus, HCL_RANGE_PIO, 0x602, &a));
	EXPECT_EQ(~0ULL, a.data);
	a.size = 2;
	EXPECT_EQ(0, bus_access(&self->bus, HCL_RANGE_PIO, 0x602, &a));
	EXPECT_EQ(0x6002ULL, a.data);
	/* between and after the ranges */
	EXPECT_EQ(-ENOENT, bus_access(&self->bus, HCL_RANGE_PIO, 0x400, &a));
	EXPECT_EQ(-ENOENT, bus_access(&self->bus, HCL_RANGE_PIO, 0x604, &a));
	EXPECT_EQ(-ENOENT, bus_access(&self->bus, HCL_RANGE_PIO, 0x3f7, &a));
	a.write = true;
	a.data = 5;
	EXPECT_EQ(-ENOENT, bus_access(&self->bus, HCL_RANGE_MMIO,
				      0xfee01000, &a));
	EXPECT_EQ(5ULL, a.data);		/* a write is left alone */
	EXPECT_EQ(2, hi.ios);
	EXPECT_EQ(1, lo.ios);
	EXPECT_EQ(1, mm.ios);
}

TEST_F(bus, doorbells)
{
	struct rec_dev d;

	rec_make(&d, HCL_RANGE_MMIO, 0xfe000000, 0x1000, 0);
	ASSERT_EQ(0, bus_add_device(&self->bus, &d.dev));
	ASSERT_EQ(0, bus_add_doorbell(&self->bus, &d.dev, HCL_RANGE_MMIO,
				      0xfe001000, 4, 9));
	ASSERT_EQ(2, self->c.n);
	EXPECT_EQ(HCL_RANGE_DOORBELL, self->c.kind[1]);
	EXPECT_EQ(9, self->c.eventfd[1]);
	EXPECT_EQ(0xfe001000ULL, self->c.start[1]);
	/* doorbells share the address space with the other ranges */
	EXPECT_EQ(-EEXIST, bus_add_doorbell(&self->bus, &d.dev,
					    HCL_RANGE_MMIO, 0xfe000ffc, 8, 9));
	EXPECT_EQ(-EEXIST, bus_add_range(&self->bus, &d.dev, HCL_RANGE_MMIO,
					 0xfe001002, 2));
	EXPECT_EQ(-EBADF, bus_add_doorbell(&self->bus, &d.dev, HCL_RANGE_PIO,
					   0x700, 4, -1));
	EXPECT_EQ(2, self->c.n);
}

TEST_F(bus, exit_runs_last_added_first)
{
	struct rec_dev a, b;
	int order[2], n = 0;

	rec_make(&a, HCL_RANGE_PIO, 0x10, 1, 1);
	rec_make(&b, HCL_RANGE_PIO, 0x20, 1, 2);
	a.order = b.order = order;
	a.norder = b.norder = &n;
	ASSERT_EQ(0, bus_add_device(&self->bus, &a.dev));
	ASSERT_EQ(0, bus_add_device(&self->bus, &b.dev));
	bus_exit(&self->bus);
	ASSERT_EQ(2, n);
	EXPECT_EQ(2, order[0]);
	EXPECT_EQ(1, order[1]);
}

TEST_HARNESS_MAIN
