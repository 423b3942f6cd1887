/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running VPs through io_uring: HCL_URING_CMD_RUN requests on VP fds.
 * liburing 2.3 has no uring_cmd helper, so the SQE is built here.
 */
#ifndef HCL_VP_RING_H
#define HCL_VP_RING_H

#include <stdint.h>
#include <liburing.h>

/* Fills @sqe with a RUN of the VP behind @vp_fd; @user_data names it. */
void hcl_prep_run(struct io_uring_sqe *sqe, int vp_fd, uint64_t user_data);

/*
 * Queues a RUN on @ring (submitted by the next io_uring_submit*).
 * Returns 0, or -EBUSY when the submission queue is full.
 */
int hcl_queue_run(struct io_uring *ring, int vp_fd, uint64_t user_data);

#endif
