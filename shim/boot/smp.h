/* SPDX-License-Identifier: GPL-2.0 */
/* Starting the sidecar CPUs (smp.c). */
#ifndef HCL_SHIM_SMP_H
#define HCL_SHIM_SMP_H

#include <stdint.h>

#include "cpu_split.h"

/*
 * Starts every CPU of @ctl (initialized by hcl_sidecar_control_init) in
 * the sidecar and waits for them; sets the timeline's stamps.  Returns
 * how many reached IDLE; the others are reported, one line each.
 */
uint32_t shim_sidecar_start(const struct hcl_sidecar_plan *plan,
			    struct hcl_sidecar_control *ctl,
			    uint64_t *start_tsc, uint64_t *ready_tsc);

#endif /* HCL_SHIM_SMP_H */
