/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family "hcl" (netlink.c; its ops table and
 * attribute policies are generated into netlink-gen.c from
 * netlink/specs/hcl.yaml).
 */
#ifndef HCL_NETLINK_H
#define HCL_NETLINK_H

#include <linux/types.h>

struct hcl_vp;

int hcl_nl_init(void);
void hcl_nl_exit(void);
void hcl_nl_exit_event(struct hcl_vp *vp, u32 reason);
void hcl_nl_sidecar_event(u32 cpu, u32 change, int linux_cpu,
			  u32 fault_vector);

#endif /* HCL_NETLINK_H */
