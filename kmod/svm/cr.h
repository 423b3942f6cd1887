/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's writes to CR0, CR4 and CR8: the checks a CPU makes (cr.c),
 * for the exit handler in exit.c.
 */
#ifndef HCL_SVM_CR_H
#define HCL_SVM_CR_H

#include <linux/types.h>

bool hcl_cr0_write_ok(u64 cr0, u64 val, u64 cr4, u64 efer, bool code64);
u64 hcl_cr0_efer(u64 efer, u64 cr0);
bool hcl_cr0_flush(u64 old, u64 val);
bool hcl_cr4_write_ok(u64 cr4, u64 val, u64 efer, u64 cr3, u64 allowed);
bool hcl_cr4_flush(u64 old, u64 val);

#endif /* HCL_SVM_CR_H */
