// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <linux/hcl.h>

#include "vp_ring.h"

void hcl_prep_run(struct io_uring_sqe *sqe, int vp_fd, uint64_t user_data)
{
	/* zeroes the 16-byte command area (struct hcl_uring_cmd) too */
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = vp_fd;
	sqe->cmd_op = HCL_URING_CMD_RUN;
	sqe->user_data = user_data;
}

int hcl_queue_run(struct io_uring *ring, int vp_fd, uint64_t user_data)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return -EBUSY;
	hcl_prep_run(sqe, vp_fd, user_data);
	return 0;
}
