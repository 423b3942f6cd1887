/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl.ko's headers are by area (config.h, partition.h, vp.h, backend.h,
 * emulate.h, ...); each file includes what it uses.  This one remains for
 * the configuration suite (tests/kunit/config_kunit.c) until it includes
 * config.h itself.
 */
#ifndef HCL_INTERNAL_H
#define HCL_INTERNAL_H

#include "config.h"

#endif /* HCL_INTERNAL_H */
