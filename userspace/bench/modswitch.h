/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Switching SVM between hcl.ko and KVM inside one VTL2 boot, for the
 * benchmarks that compare the two (hcl-bench, hcl-boot-bench).  The two
 * never hold SVM at the same time: hcl.ko refuses to load while EFER.SVME
 * is set, and kvm_amd enables SVM at load.  The modules come from
 * /lib/hcl/modules/ in the bench initramfs (underhill_init empties
 * /lib/modules after loading hcl.ko the first time).
 */
#ifndef HCL_BENCH_MODSWITCH_H
#define HCL_BENCH_MODSWITCH_H

#include <stddef.h>

/*
 * The parameters hcl.ko was loaded with, as "name=value ..." (read back
 * from sysfs), so that every reload gets the same VTL0 range.  0, or -1
 * after a "# ..." remark on stdout.
 */
int modswitch_hcl_params(char *out, size_t size);

/* hcl.ko out, KVM in (all of it when @first, only kvm_amd after). */
int modswitch_to_kvm(int first);

/* kvm_amd out (which turns SVM off on every CPU), hcl.ko in. */
int modswitch_to_hcl(const char *params);

#endif
