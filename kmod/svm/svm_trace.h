/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the SVM backend, in the "hcl" system beside the core's
 * (trace.h): guest entry, guest exit with the SVM exit code by its name
 * in exit_codes.h (hcl_svm_exit_name()), and a VP's run on a sidecar CPU
 * (remote.c).  Use with trace-cmd or perf:
 *   trace-cmd record -e hcl
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hcl

#if !defined(HCL_SVM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define HCL_SVM_TRACE_H

#include <linux/tracepoint.h>

#include "svm.h"

TRACE_EVENT(hcl_entry,
	    TP_PROTO(u32 vp, u64 rip),
	    TP_ARGS(vp, rip),
	    TP_STRUCT__entry(__field(u32, vp)
			     __field(u64, rip)),
	    TP_fast_assign(__entry->vp = vp;
			   __entry->rip = rip;),
	    TP_printk("vp %u rip %#llx", __entry->vp, __entry->rip)
);

TRACE_EVENT(hcl_exit,
	    TP_PROTO(u32 vp, u32 code, u64 rip, u64 info1, u64 info2),
	    TP_ARGS(vp, code, rip, info1, info2),
	    TP_STRUCT__entry(__field(u32, vp)
			     __field(u32, code)
			     __field(u64, rip)
			     __field(u64, info1)
			     __field(u64, info2)
			     __string(reason, hcl_svm_exit_name(code))),
	    TP_fast_assign(__entry->vp = vp;
			   __entry->code = code;
			   __entry->rip = rip;
			   __entry->info1 = info1;
			   __entry->info2 = info2;
			   __assign_str(reason);),
	    TP_printk("vp %u reason %s rip %#llx info1 %#llx info2 %#llx",
		      __entry->vp, __get_str(reason), __entry->rip,
		      __entry->info1, __entry->info2)
);

TRACE_EVENT(hcl_remote_run,
	    TP_PROTO(u32 vp, u32 sidecar_cpu, u32 result, u64 wait_ns,
		     u64 run_tsc),
	    TP_ARGS(vp, sidecar_cpu, result, wait_ns, run_tsc),
	    TP_STRUCT__entry(__field(u32, vp)
			     __field(u32, sidecar_cpu)
			     __field(u32, result)
			     __field(u64, wait_ns)
			     __field(u64, run_tsc)),
	    TP_fast_assign(__entry->vp = vp;
			   __entry->sidecar_cpu = sidecar_cpu;
			   __entry->result = result;
			   __entry->wait_ns = wait_ns;
			   __entry->run_tsc = run_tsc;),
	    TP_printk("vp %u sidecar-cpu %u result %u wait-ns %llu run-tsc %llu",
		      __entry->vp, __entry->sidecar_cpu, __entry->result,
		      __entry->wait_ns, __entry->run_tsc)
);

#endif /* HCL_SVM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH svm
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE svm_trace
#include <trace/define_trace.h>
