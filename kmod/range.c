// SPDX-License-Identifier: GPL-2.0
/*
 * Port and MMIO ranges userspace claims.
 *
 * The set is an immutable sorted array replaced as a whole on every change
 * (copy, modify, publish with RCU): the run loop looks ranges up on every
 * I/O exit without taking a lock, changes are rare.
 */
#include <linux/eventfd.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "range.h"
#include "npt.h"

#define PIO_LIMIT	0x10000ULL

/* Checks a request against the address space and the other rules. */
int hcl_range_validate(const struct hcl_range *r, u64 mem_size)
{
	if (r->pad || r->reserved[0] || r->reserved[1])
		return -EINVAL;
	if (r->kind != HCL_RANGE_USER && r->kind != HCL_RANGE_DOORBELL)
		return -EINVAL;
	if (r->kind != HCL_RANGE_DOORBELL && r->eventfd)
		return -EINVAL;
	if (!r->len || r->start + r->len < r->start)
		return -EINVAL;
	switch (r->space) {
	case HCL_RANGE_PIO:
		return r->start + r->len > PIO_LIMIT ? -EINVAL : 0;
	case HCL_RANGE_MMIO:
		if (r->start + r->len > HCL_NPT_MAX_GPA)
			return -EINVAL;
		/* VTL0 RAM is RAM: it cannot be claimed */
		return r->start < mem_size ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(hcl_range_validate);

static int range_cmp(const struct hcl_range_ent *a, u8 space, u64 addr)
{
	if (a->space != space)
		return a->space < space ? -1 : 1;
	if (a->end <= addr)
		return -1;
	if (a->start > addr)
		return 1;
	return 0;
}

/*
 * The range containing [addr, addr + len), or NULL.  An access that
 * straddles a range's edge does not match.  Caller holds rcu_read_lock()
 * or owns @set.
 */
const struct hcl_range_ent *hcl_range_find(const struct hcl_range_set *set,
					   u8 space, u64 addr, u64 len)
{
	unsigned int lo = 0, hi;

	if (!set)
		return NULL;
	hi = set->n;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct hcl_range_ent *e = &set->r[mid];
		int c = range_cmp(e, space, addr);

		if (!c)
			return addr + len <= e->end ? e : NULL;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_range_find);

static bool ent_before(const struct hcl_range_ent *a,
		       const struct hcl_range_ent *b)
{
	return a->space < b->space ||
	       (a->space == b->space && a->start < b->start);
}

/*
 * A new set with @add inserted (sorted; no overlap with any other range of
 * its space).  @add->efd moves into the new set.
 */
struct hcl_range_set *hcl_range_set_add(const struct hcl_range_set *old,
					const struct hcl_range_ent *add)
{
	unsigned int n = old ? old->n : 0, i, pos;
	struct hcl_range_set *set;

	if (n >= HCL_MAX_RANGES)
		return ERR_PTR(-ENOSPC);
	for (i = 0; i < n; i++) {
		const struct hcl_range_ent *e = &old->r[i];

		if (e->space == add->space && add->start < e->end &&
		    e->start < add->end)
			return ERR_PTR(-EEXIST);
	}
	set = kmalloc(struct_size(set, r, n + 1), GFP_KERNEL_ACCOUNT);
	if (!set)
		return ERR_PTR(-ENOMEM);
	for (pos = 0; pos < n && ent_before(&old->r[pos], add); pos++)
		;
	for (i = 0; i < pos; i++)
		set->r[i] = old->r[i];
	set->r[pos] = *add;
	for (i = pos; i < n; i++)
		set->r[i + 1] = old->r[i];
	set->n = n + 1;
	return set;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_range_set_add);

/* A new set without the exact range (space, start, end), or ERR_PTR. */
struct hcl_range_set *hcl_range_set_del(const struct hcl_range_set *old,
					u8 space, u64 start, u64 end,
					struct hcl_range_ent *removed)
{
	unsigned int n = old ? old->n : 0, i, k;
	struct hcl_range_set *set;

	for (i = 0; i < n; i++)
		if (old->r[i].space == space && old->r[i].start == start &&
		    old->r[i].end == end)
			break;
	if (i == n)
		return ERR_PTR(-ENOENT);
	set = kmalloc(struct_size(set, r, n - 1), GFP_KERNEL_ACCOUNT);
	if (!set)
		return ERR_PTR(-ENOMEM);
	*removed = old->r[i];
	for (k = 0; k < n - 1; k++)
		set->r[k] = old->r[k < i ? k : k + 1];
	set->n = n - 1;
	return set;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_range_set_del);

/* Frees a set no reader can see any more, dropping its eventfds. */
void hcl_range_set_free(struct hcl_range_set *set, bool put_eventfds)
{
	unsigned int i;

	if (!set)
		return;
	if (put_eventfds)
		for (i = 0; i < set->n; i++)
			if (set->r[i].efd)
				eventfd_ctx_put(set->r[i].efd);
	kfree(set);
}
EXPORT_SYMBOL_IF_KUNIT(hcl_range_set_free);
