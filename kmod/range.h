/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Claimed port and MMIO ranges (range.c): which guest accesses go to
 * userspace or ring a doorbell.
 */
#ifndef HCL_RANGE_H
#define HCL_RANGE_H

#include <linux/rcupdate.h>
#include <linux/types.h>
#include <uapi/linux/hcl.h>

struct eventfd_ctx;

struct hcl_range_ent {
	u8 space;		/* HCL_RANGE_PIO / HCL_RANGE_MMIO */
	u8 kind;		/* HCL_RANGE_USER / HCL_RANGE_DOORBELL */
	u64 start, end;		/* [start, end) */
	struct eventfd_ctx *efd;	/* doorbells: a reference we hold */
};

/* Immutable once published; sorted by (space, start); see range.c. */
struct hcl_range_set {
	struct rcu_head rcu;
	unsigned int n;
	struct hcl_range_ent r[];
};

int hcl_range_validate(const struct hcl_range *r, u64 mem_size);
const struct hcl_range_ent *hcl_range_find(const struct hcl_range_set *set,
					   u8 space, u64 addr, u64 len);
struct hcl_range_set *hcl_range_set_add(const struct hcl_range_set *old,
					const struct hcl_range_ent *add);
struct hcl_range_set *hcl_range_set_del(const struct hcl_range_set *old,
					u8 space, u64 start, u64 end,
					struct hcl_range_ent *removed);
void hcl_range_set_free(struct hcl_range_set *set, bool put_eventfds);

#endif /* HCL_RANGE_H */
