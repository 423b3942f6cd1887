/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl tracepoints of the generic core: exits that go to userspace, by
 * their names in exits.h (hcl_user_exit_name()), and the yields of
 * pause exits.  The backend traces guest entry and exit with
 * its decoded exit reasons (svm/trace.h, the same "hcl" system).  Use
 * with trace-cmd or perf:
 *   trace-cmd record -e hcl
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hcl

#if !defined(HCL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define HCL_TRACE_H

#include <linux/tracepoint.h>

#include "emulate.h"

TRACE_EVENT(hcl_user_exit,
	    TP_PROTO(u32 vp, u32 reason),
	    TP_ARGS(vp, reason),
	    TP_STRUCT__entry(__field(u32, vp)
			     __field(u32, reason)
			     __string(name, hcl_user_exit_name(reason))),
	    TP_fast_assign(__entry->vp = vp;
			   __entry->reason = reason;
			   __assign_str(name);),
	    TP_printk("vp %u %s", __entry->vp, __get_str(name))
);

/* a pause exit gave the CPU to VP @to's task, or (@to -1) found none */
TRACE_EVENT(hcl_pause_yield,
	    TP_PROTO(u32 vp, s32 to),
	    TP_ARGS(vp, to),
	    TP_STRUCT__entry(__field(u32, vp)
			     __field(s32, to)),
	    TP_fast_assign(__entry->vp = vp;
			   __entry->to = to;),
	    TP_printk("vp %u to %d", __entry->vp, __entry->to)
);

#endif /* HCL_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
