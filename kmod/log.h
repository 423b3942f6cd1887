/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl.ko's kernel log, filtered by the policy's log level (policy.h,
 * the netlink family's "log-level", HCL_POLICY's log=): hcl_warn() and
 * hcl_info() are written when the level allows them.  hcl_dbg() is
 * written at KERN_DEBUG when the level is debug, and is a pr_debug()
 * otherwise, so dynamic debug can still turn one site on.  Errors are
 * always written (pr_err()): the level cannot go below them.
 *
 * Each file's pr_fmt() applies, as with pr_*().
 */
#ifndef HCL_LOG_H
#define HCL_LOG_H

#include <linux/printk.h>

#include "policy.h"

#define hcl_warn(fmt, ...)						\
	do {								\
		if (hcl_policy_logs(LOGLEVEL_WARNING))			\
			pr_warn(fmt, ##__VA_ARGS__);			\
	} while (0)

#define hcl_info(fmt, ...)						\
	do {								\
		if (hcl_policy_logs(LOGLEVEL_INFO))			\
			pr_info(fmt, ##__VA_ARGS__);			\
	} while (0)

/* pr_fmt("") is the file's prefix: hcl_log_debug() puts it first */
#define hcl_dbg(...)							\
	do {								\
		if (hcl_policy_logs(LOGLEVEL_DEBUG))			\
			hcl_log_debug(pr_fmt(""), __VA_ARGS__);		\
		else							\
			pr_debug(__VA_ARGS__);				\
	} while (0)

#endif /* HCL_LOG_H */
