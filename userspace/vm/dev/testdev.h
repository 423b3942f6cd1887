/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test device of the VTL0 test guest (vtl0_test_abi.h): one 32-bit
 * port where each VP writes its result, 0 for pass, else the number of
 * the check that failed; a 32-bit read returns the VP's last result.
 * Other widths and offsets read all ones and drop writes.
 */
#ifndef HCL_VM_TESTDEV_H
#define HCL_VM_TESTDEV_H

#include <stdint.h>
#include <hcl/openhcl_dt.h>

#include "bus.h"

#define TESTDEV_MAX_VPS		HCL_BOOT_MAX_VPS
#define TESTDEV_NO_RESULT	0xffffffffU
#define TESTDEV_NR_PORTS	4

struct testdev {
	struct device dev;
	uint16_t port;
	uint32_t result[TESTDEV_MAX_VPS];	/* per VP index */
};

int testdev_add(struct testdev *t, struct bus *bus, uint16_t port);

/* VP @vp's result, TESTDEV_NO_RESULT when it reported none */
uint32_t testdev_result(const struct testdev *t, unsigned int vp);

#endif
