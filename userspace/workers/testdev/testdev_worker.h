/* SPDX-License-Identifier: GPL-2.0 */
/* hcl-testdev-worker's region (see testdev_worker.c for its registers) */
#ifndef HCL_TESTDEV_WORKER_H
#define HCL_TESTDEV_WORKER_H

#define TESTDEV_W_BASE		0xfe000000ULL
#define TESTDEV_W_SIZE		0x1000
#define TESTDEV_W_SCRATCH	0x00
#define TESTDEV_W_ADDR		0x08
#define TESTDEV_W_LEN		0x10
#define TESTDEV_W_CMD		0x18
#define TESTDEV_W_RESULT	0x20
#define TESTDEV_W_STATUS	0x28
#define TESTDEV_W_COUNT		0x30
#define TESTDEV_W_DMA_READ	1
#define TESTDEV_W_DMA_WRITE	2
#define TESTDEV_W_IRQ		3
#define TESTDEV_W_DIE		4
#define TESTDEV_W_SLOW		5

#endif
