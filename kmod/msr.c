// SPDX-License-Identifier: GPL-2.0
/*
 * MSR policy: what a guest RDMSR/WRMSR of an MSR the backend does not own
 * turns into.  The table is per VP, sorted by index, and replaced whole by
 * HCL_VP_SET_MSR_POLICY under vp->lock; emulated values change on guest
 * writes, by the thread running the VP (also under vp->lock).
 */
#include <linux/slab.h>
#include <linux/sort.h>
#include <kunit/visibility.h>

#include "msr.h"

static int rule_cmp(const void *a, const void *b)
{
	const struct hcl_msr_rule *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Validates @rules and builds a table (also for no rules: it still holds
 * the default action); *out is NULL on error.
 */
int hcl_msr_table_build(const struct hcl_msr_rule *rules, u32 n,
			u32 default_action, struct hcl_msr_table **out)
{
	struct hcl_msr_table *t;
	u32 i;

	*out = NULL;
	if (n > HCL_MAX_MSR_RULES)
		return -E2BIG;
	if (default_action != HCL_MSR_GP && default_action != HCL_MSR_USER)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const struct hcl_msr_rule *r = &rules[i];

		if (r->reserved || r->action > HCL_MSR_EMULATE)
			return -EINVAL;
		if (r->action != HCL_MSR_EMULATE && (r->value || r->writable))
			return -EINVAL;
	}
	t = kzalloc(struct_size(t, r, n), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	t->n = n;
	t->default_action = default_action;
	memcpy(t->r, rules, flex_array_size(t, r, n));
	sort(t->r, n, sizeof(t->r[0]), rule_cmp, NULL);
	for (i = 1; i < n; i++) {
		if (t->r[i].index == t->r[i - 1].index) {
			kfree(t);
			return -EINVAL;
		}
	}
	*out = t;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_msr_table_build);

struct hcl_msr_rule *hcl_msr_find(struct hcl_msr_table *t, u32 index)
{
	u32 lo = 0, hi;

	if (!t)
		return NULL;
	hi = t->n;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (t->r[mid].index == index)
			return &t->r[mid];
		if (t->r[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_msr_find);

/*
 * Decides a guest access.  Returns HCL_MSR_GP, HCL_MSR_USER, or
 * HCL_MSR_EMULATE when the access completed in the kernel (*val holds the
 * value read).
 */
u32 hcl_msr_access(struct hcl_msr_table *t, u32 index, bool write, u64 *val)
{
	struct hcl_msr_rule *r = hcl_msr_find(t, index);

	if (!r)
		return t ? t->default_action : HCL_MSR_GP;
	if (r->action != HCL_MSR_EMULATE)
		return r->action;
	if (!write) {
		*val = r->value;
		return HCL_MSR_EMULATE;
	}
	if ((*val ^ r->value) & ~r->writable)
		return HCL_MSR_GP;
	r->value = *val;
	return HCL_MSR_EMULATE;
}
EXPORT_SYMBOL_IF_KUNIT(hcl_msr_access);
